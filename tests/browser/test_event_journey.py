"""Signing up for an event in a real browser at 375 px, JavaScript off and on: a place,
then the waiting list, then the freed place going to the one waiting; axe on the pages."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
MANAGE_PATH = re.compile(r"/tapahtumat/ilmoittautuminen/[A-Za-z0-9_\-]+")


def new_event(live_server, title: str) -> int:
    from tests.events_support import make_event

    with live_server.app.app_context():
        event_id = make_event(capacity=1, title=title).id
        db.session.remove()
    return event_id


def manage_path_of(live_server, address: str) -> str:
    """The private link exists only in the mail, which waits in the outbox here (no SMTP server)."""
    from app.models import OutboxMessage

    with live_server.app.app_context():
        body = db.session.scalars(
            select(OutboxMessage.text_body).where(OutboxMessage.to == address).order_by(OutboxMessage.id)
        ).first()
        db.session.remove()
    return MANAGE_PATH.search(body).group(0)


def sign_up(page, expect, event_id: int, name: str, email: str) -> None:
    page.goto(f"/tapahtumat/{event_id}")
    page.get_by_role("link", name=re.compile("^Ilmoittaudu")).click()
    page.get_by_label("Nimi").fill(name)
    page.get_by_label("Järjestö tai yhteisö").fill("Kuopion Seudun Omaiset ry")
    page.get_by_label("Sähköpostiosoite").fill(email)
    page.get_by_label(re.compile("^Hyväksyn")).check()
    page.get_by_role("button", name=re.compile("^Ilmoittaudu")).click()


@pytest.fixture
def phone_page(browser, live_server):
    from tests.browser.conftest import TIMEOUT_MS

    contexts, errors = [], []

    def make(*, javascript: bool):
        context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript, locale="fi-FI",
                                      viewport=PHONE)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and "status of 422" not in m.text and errors.append(m.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, errors


@pytest.mark.parametrize("javascript", [False, True], ids=["javascript off", "javascript on"])
def test_sign_up_waiting_list_and_promotion(phone_page, live_server, expect, javascript):
    suffix = "js" if javascript else "nojs"
    event_id = new_event(live_server, f"Aluetilaisuus {suffix}")
    first_address, second_address = f"eka-{suffix}@example.fi", f"toka-{suffix}@example.fi"

    page = phone_page(javascript=javascript)
    page.goto("/tapahtumat")
    page.get_by_label("Laji").select_option("aluetilaisuus")
    if not javascript:
        page.get_by_role("button", name="Näytä tapahtumat").click()
    expect(page).to_have_url(re.compile(r"laji=aluetilaisuus"))
    expect(page.get_by_role("link", name=f"Aluetilaisuus {suffix}")).to_be_visible()

    # A missing consent is marked next to the field and the input is kept.
    page.goto(f"/tapahtumat/{event_id}/ilmoittaudu")
    page.get_by_label("Nimi").fill("Eka Osallistuja")
    page.get_by_role("button", name="Ilmoittaudu").click()
    expect(page.locator(".virheyhteenveto")).to_be_visible()
    expect(page.locator("#consent-virhe")).to_contain_text("Hyväksy")
    expect(page.get_by_label("Nimi")).to_have_value("Eka Osallistuja")

    sign_up(page, expect, event_id, "Eka Osallistuja", first_address)
    expect(page.get_by_role("heading", level=1)).to_have_text("Olet ilmoittautunut")

    other = phone_page(javascript=javascript)
    sign_up(other, expect, event_id, "Toka Osallistuja", second_address)
    expect(other.get_by_role("heading", level=1)).to_have_text("Olet varasijalla")

    page.goto(manage_path_of(live_server, first_address))
    page.get_by_role("button", name="Peru ilmoittautuminen").click()
    expect(page.locator("main")).to_contain_text("Peruttu")

    other.goto(manage_path_of(live_server, second_address))
    expect(other.locator("main")).to_contain_text("Paikka vahvistettu")
    width = other.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"


def test_event_pages_have_no_wcag_21_aa_violations(axe, live_server, new_page, expect):
    event_id = new_event(live_server, "Foorumi axe")
    page = new_page(javascript=False)
    sign_up(page, expect, event_id, "Axe Testaaja", "axe@example.fi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Olet ilmoittautunut")
    paths = {
        "list": "/tapahtumat",
        "past": "/tapahtumat?nayta=menneet",
        "event": f"/tapahtumat/{event_id}",
        "sign-up form": f"/tapahtumat/{event_id}/ilmoittaudu",
        "private page": manage_path_of(live_server, "axe@example.fi"),
    }
    problems = {name: axe(path) for name, path in paths.items()}
    assert not any(problems.values()), problems
