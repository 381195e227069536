"""Ordering a workshop in a real browser, with JavaScript off and on; axe on the
order, status and survey pages."""
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from tests.test_workshops_helpers import good_dates

pytestmark = pytest.mark.browser

STATUS_PATH = re.compile(r"/tyopajat/tila/[A-Za-z0-9_\-]+")


@pytest.fixture(scope="module")
def workshop_data(live_server) -> dict:
    """Themes seeded; a published organisation to find by typing; a held workshop's survey path."""
    from app.models import Organisation, utcnow
    from app.workshops.display import helsinki_time
    from app.workshops.services import (
        OrderDetails,
        PreferredTime,
        confirm,
        mark_held,
        place_order,
    )
    from app.workshops.themes import seed_workshop_themes

    with live_server.app.app_context():
        seed_workshop_themes(Path(live_server.app.root_path) / "data" / "workshop_themes.csv")
        organisation = db.session.scalars(
            select(Organisation).where(Organisation.status == "published").order_by(Organisation.id)
        ).first()
        first, second, _third = good_dates()
        held, _token = place_order(
            OrderDetails(
                organisation_name=organisation.name, contact_person="Maija", email="maija@example.fi",
                phone="+358401234567", audience=["board"], participants=8, theme_id=None,
                own_proposal="Hallitustyö", goal="Tavoite", place_kind="remote",
                preferred_times=[PreferredTime(first, "ilta"), PreferredTime(second, "ilta")],
            ),
            now=utcnow() - timedelta(days=20),
        )
        start = (helsinki_time() - timedelta(days=1)).replace(hour=13, minute=0, second=0, microsecond=0)
        confirm(held, start, "", "https://meet.example/x", "Outi", "staff", override_reason="yesterday may be a Sunday",
                now=utcnow() - timedelta(days=10))
        survey_link = mark_held(held, "staff")
        db.session.commit()
        data = {"organisation": organisation.name, "survey_path": survey_link.removeprefix("http://portal.test")}
        db.session.remove()
    return data


def status_path_of_last_order(live_server) -> str:
    """The private link exists only in the orderer's mail, which waits in the outbox here."""
    from app.models import OutboxMessage

    with live_server.app.app_context():
        body = db.session.scalars(
            select(OutboxMessage.text_body).where(OutboxMessage.to == "sihteeri@example.fi")
            .order_by(OutboxMessage.id.desc())
        ).first()
        db.session.remove()
    return STATUS_PATH.search(body).group(0)


def fill_order(page, organisation: str, participants: str) -> None:
    first, second, _third = good_dates()
    page.get_by_label("Järjestö tai ryhmä").fill(organisation)
    page.get_by_label("Yhteyshenkilö").fill("Sanna Sihteeri")
    page.get_by_label("Sähköpostiosoite").fill("sihteeri@example.fi")
    page.get_by_label("Puhelinnumero").fill("040 765 4321")
    page.get_by_label("Vapaaehtoiset").check()
    page.get_by_label("Osallistujien arvioitu määrä").fill(participants)
    page.get_by_label("Viestintä").check()
    page.get_by_label("Mitä haluatte työpajalta?").fill("Haluamme oppia kertomaan toiminnastamme selkeästi.")
    other_time = page.get_by_label(re.compile("^Mikään näistä ei sovi"))
    if other_time.count():  # other tests may have published free slots
        other_time.check()
    page.get_by_label("1. toive: päivä").fill(first.isoformat())
    page.get_by_label("1. toive: kellonaika").select_option("aamupäivä")
    page.get_by_label("2. toive: päivä").fill(second.isoformat())
    page.get_by_label("2. toive: kellonaika").select_option("iltapäivä")
    page.get_by_label("Omissa tiloissamme").check()
    page.get_by_label("Katuosoite").fill("Kauppakatu 5")
    page.get_by_label("Kunta").fill("Kuopio")
    page.get_by_label(re.compile("^Hyväksyn")).check()


# An invalid form is answered with 422 on purpose; Chromium logs every 4xx document.
EXPECTED_CONSOLE_ERROR = "the server responded with a status of 422"


@pytest.fixture
def form_page(browser, live_server):
    """Like conftest's `new_page`, but the 422 of an invalid form is not a console error."""
    from tests.browser.conftest import TIMEOUT_MS

    contexts, errors = [], []

    def make(*, javascript: bool):
        context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript, locale="fi-FI")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and EXPECTED_CONSOLE_ERROR not in m.text and errors.append(m.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, errors


@pytest.mark.parametrize("javascript", [False, True], ids=["javascript off", "javascript on"])
def test_ordering_a_workshop(form_page, live_server, workshop_data, expect, javascript):
    page = form_page(javascript=javascript)
    page.goto("/tyopajat")
    page.get_by_role("link", name="Tilaa työpaja").click()
    expect(page).to_have_url(re.compile(r"/tyopajat/tilaa$"))

    organisation = workshop_data["organisation"]
    if javascript:
        # Typing offers organisations of the directory; the field still takes free text.
        page.get_by_label("Järjestö tai ryhmä").press_sequentially(organisation[:5], delay=30)
        expect(page.locator(f'#jarjestoehdotukset option[value="{organisation}"]')).to_have_count(1)
    fill_order(page, organisation, participants="0")
    page.get_by_role("button", name="Lähetä tilaus").click()

    summary = page.locator(".virheyhteenveto")
    expect(summary).to_contain_text("väliltä 1–60")
    expect(page.locator("#participants-virhe")).to_contain_text("väliltä 1–60")
    expect(page.get_by_label("Yhteyshenkilö")).to_have_value("Sanna Sihteeri")
    expect(page.get_by_label("Viestintä")).to_be_checked()

    page.get_by_label("Osallistujien arvioitu määrä").fill("25")
    page.get_by_label(re.compile("^Hyväksyn")).check()
    page.get_by_role("button", name="Lähetä tilaus").click()
    expect(page).to_have_url(re.compile(r"/tyopajat/tilattu$"))
    expect(page.locator("main")).to_contain_text(re.compile(r"TP-\d{4}-\d{4}"))

    page.goto(status_path_of_last_order(live_server))
    expect(page.locator("main")).to_contain_text("Uusi – odottaa käsittelyä")
    page.get_by_label("Peruutuksen syy (vapaaehtoinen)").fill("Päätimme siirtää koulutusta.")
    page.get_by_role("button", name="Peru tilaus").click()
    expect(page.locator("main")).to_contain_text("Tilaus on peruttu.")
    expect(page.get_by_role("button", name="Peru tilaus")).to_have_count(0)


def test_workshop_pages_have_no_wcag_21_aa_violations(axe, live_server, workshop_data, new_page, expect):
    page = new_page(javascript=False)
    page.goto("/tyopajat/tilaa")
    fill_order(page, workshop_data["organisation"], participants="12")
    page.get_by_role("button", name="Lähetä tilaus").click()
    expect(page).to_have_url(re.compile(r"/tyopajat/tilattu$"))
    paths = {
        "workshops": "/tyopajat",
        "order form": "/tyopajat/tilaa",
        "status": status_path_of_last_order(live_server),
        "survey": workshop_data["survey_path"],
    }
    problems = {name: axe(path) for name, path in paths.items()}
    assert not any(problems.values()), problems


def test_the_order_form_with_errors_has_no_wcag_violations(axe, browser, live_server, workshop_data):
    # `axe` skips this test where axe-core is missing; its own page only opens paths with GET.
    from tests.browser.conftest import AXE_SCRIPT, AXE_TAGS

    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.goto("/tyopajat/tilaa")
    page.get_by_role("button", name="Lähetä tilaus").click()
    page.locator(".virheyhteenveto").wait_for()
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    context.close()
    assert [v["id"] for v in result["violations"]] == []


@pytest.mark.parametrize("javascript", [False, True], ids=["javascript off", "javascript on"])
def test_booking_a_free_slot_on_a_phone(browser, live_server, workshop_data, expect, javascript):
    """At 375 px: the orderer takes a published slot, it is held, and cancelling frees it again."""
    from datetime import datetime, time

    from app.workshops.booking import publish_slots
    from tests.test_workshops_helpers import today, weekday_from

    facilitator = f"Puhelin Ohjaaja {int(javascript)}"
    day = weekday_from(today() + timedelta(days=40 + int(javascript)))
    with live_server.app.app_context():
        publish_slots(facilitator, [datetime.combine(day, time(10))], "Kuopio", True, "staff")
        db.session.commit()
        db.session.remove()
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript, locale="fi-FI",
                                  viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto("/tyopajat/tilaa")
    slot = page.get_by_label(re.compile(facilitator))
    expect(slot).to_be_visible()
    slot.check()
    page.get_by_label("Järjestö tai ryhmä").fill(workshop_data["organisation"])
    page.get_by_label("Yhteyshenkilö").fill("Sanna Sihteeri")
    page.get_by_label("Sähköpostiosoite").fill("sihteeri@example.fi")
    page.get_by_label("Puhelinnumero").fill("040 765 4321")
    page.get_by_label("Hallitus").check()
    page.get_by_label("Osallistujien arvioitu määrä").fill("9")
    page.get_by_label("Viestintä").check()
    page.get_by_label("Mitä haluatte työpajalta?").fill("Selkeämmät roolit hallitukseen.")
    page.get_by_label("Etäyhteydellä").check()
    page.get_by_label(re.compile("^Hyväksyn")).check()
    page.get_by_role("button", name="Lähetä tilaus").click()
    expect(page).to_have_url(re.compile(r"/tyopajat/tilattu$"))

    page.goto(status_path_of_last_order(live_server))
    expect(page.locator("main")).to_contain_text("Varattu aika")
    page.get_by_role("button", name="Peru tilaus").click()
    expect(page.locator("main")).to_contain_text("Tilaus on peruttu.")
    page.goto("/tyopajat/tilaa")
    expect(page.get_by_label(re.compile(facilitator))).to_have_count(1)
    context.close()
