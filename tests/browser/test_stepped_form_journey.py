"""At 375 px, the organisation form in steps (issue 17, point 6): a volunteer goes
through every step, makes a mistake on one, leaves, signs in again in another
browser and continues from the draft, previews the entry and sends it.  axe checks
every step, the step with errors and the preview; the step buttons are 44 px tall
and nothing is wider than the phone."""
import re

import pytest
from sqlalchemy import select
from tests.browser.conftest import AXE_SCRIPT, skip_or_fail
from tests.browser.test_confirm_and_submit_journey import PHONE, fits_the_phone
from tests.browser.test_self_service_journey import axe_violations, sign_in

from app.extensions import db

pytestmark = pytest.mark.browser


def organisation_status(live_server, name: str) -> str | None:
    from app.models import Organisation

    with live_server.app.app_context():
        status = db.session.scalar(select(Organisation.status).filter_by(name=name))
        db.session.remove()
    return status


@pytest.mark.parametrize("javascript", [False, True], ids=["javascript off", "javascript on"])
def test_a_volunteer_finishes_the_form_in_steps(new_page, live_server, expect, javascript):
    if javascript and not AXE_SCRIPT.exists():
        skip_or_fail(f"axe-core is missing at {AXE_SCRIPT}")
    suffix = "js" if javascript else "nojs"
    # Names far apart: a similar one would be shown on the preview as a possible duplicate first.
    email = f"vaiheet-{suffix}@example.fi"
    name = "Lautapelikerho Vaiheittain" if javascript else "Kirjaston runopiiri Vaiheittain"
    problems: dict[str, list[str]] = {}

    def at_step(title: str, number: int) -> None:
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page.locator(".vaihe-numero")).to_have_text(f"Vaihe {number}/4")
        expect(page.locator('[aria-current="step"]')).to_contain_text(title)
        assert fits_the_phone(page)
        if javascript:
            expect(page.get_by_role("heading", level=1)).to_be_focused()
            problems[title] = axe_violations(page)

    page = new_page(javascript=javascript, bypass_csp=javascript)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, email)
    start_adding(page)
    at_step("Perustiedot", 1)
    for label in ("Seuraava", "Tallenna luonnos"):
        box = page.get_by_role("button", name=re.compile(f"^{label}")).bounding_box()
        assert box["height"] >= 44

    # A mistake: the step stays, says why, keeps what was typed.
    page.get_by_label("Kuvaus", exact=True).fill("Lautapelejä ja juttuseuraa kirjastolla.")
    page.get_by_role("button", name=re.compile("^Seuraava")).click()
    summary = page.locator(".virheyhteenveto")
    expect(summary).to_contain_text("Järjestön tai ryhmän nimi: Tämä tieto on pakollinen.")
    expect(page.get_by_label("Kuvaus", exact=True)).to_have_value("Lautapelejä ja juttuseuraa kirjastolla.")
    if javascript:
        expect(summary).to_be_focused()
        problems["Perustiedot with errors"] = axe_violations(page)
    page.get_by_label("Järjestön tai ryhmän nimi").fill(name)
    page.get_by_role("button", name=re.compile("^Seuraava")).click()

    at_step("Mitä tarjoatte", 2)
    page.locator("summary", has_text="Muisti ja neurologia").click()
    page.get_by_label("Muistisairaus", exact=True).check()
    page.get_by_label("Kuopio", exact=True).check()
    page.get_by_label("Kokoontumisajat").fill("Joka tiistai klo 13.")
    page.get_by_role("button", name="Tallenna luonnos").click()
    expect(page.locator(".tiedotteet")).to_contain_text("Luonnos tallennettu")

    # The session ends (another browser, days later): signing in again continues from the draft.
    page = new_page(javascript=javascript, bypass_csp=javascript)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, email)
    start_adding(page)
    at_step("Mitä tarjoatte", 2)
    expect(page.get_by_label("Muistisairaus", exact=True)).to_be_checked()
    expect(page.get_by_label("Kokoontumisajat")).to_have_value("Joka tiistai klo 13.")
    page.get_by_role("button", name=re.compile("^Seuraava")).click()

    at_step("Yhteystiedot ja saavutettavuus", 3)
    expect(page.get_by_label("Yhteyshenkilön 1 sähköposti")).to_have_value(email)
    page.get_by_label("Yhteyshenkilön 1 nimi").fill("Sanna Sihteeri")
    page.get_by_label("Puhelinnumero 1").fill("0401234567")
    page.get_by_role("button", name=re.compile("^Seuraava")).click()

    at_step("Esikatselu ja lähetys", 4)
    preview = page.locator("article.esikatselu")
    expect(preview).to_contain_text(name)
    expect(preview).to_contain_text("Lautapelejä ja juttuseuraa kirjastolla.")
    expect(preview).to_contain_text("Joka tiistai klo 13.")
    expect(preview).to_contain_text("040 123 4567")
    assert organisation_status(live_server, name) is None
    page.get_by_role("button", name="Lähetä hyväksyttäväksi").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kiitos, järjestö on lähetetty")
    assert organisation_status(live_server, name) == "pending"
    # Back: the sent draft is gone, so the form starts afresh instead of an empty preview
    # that says the name is required, as if what was sent were lost.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Perustiedot")
    expect(page.locator(".virheyhteenveto")).to_have_count(0)
    assert {where: found for where, found in problems.items() if found} == {}


def start_adding(page):
    """From "Omat järjestöt" past "Onko järjestösi jo tarjottimella?" to the stepped form."""
    page.get_by_role("link", name="Lisää järjestö tai liity mukaan").click()
    page.get_by_role("link", name="Lisää uusi järjestö").click()


def test_the_links_between_the_two_forms_and_back_are_44_px_tall(new_page, live_server, expect):
    """The standalone links around the form: "Takaisin omiin järjestöihin", "Näytä koko lomake
    yhdellä sivulla" on the preview and "Täytä lomake vaiheittain" on the one-page form."""
    page = new_page(javascript=False)
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "linkkien-koko@example.fi")
    page.goto(live_server("/jarjestoille/omat/uusi/vaihe/perustiedot"))
    page.get_by_role("button", name="Tallenna luonnos").click()
    page.goto(live_server("/jarjestoille/omat/uusi/vaihe/esikatselu"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Esikatselu ja lähetys")
    heights = {}
    for name in ("Takaisin omiin järjestöihin", "Näytä koko lomake yhdellä sivulla"):
        heights[name] = page.get_by_role("link", name=name).bounding_box()["height"]
    page.get_by_role("link", name="Näytä koko lomake yhdellä sivulla").click()
    heights["Täytä lomake vaiheittain"] = page.get_by_role("link", name="Täytä lomake vaiheittain").bounding_box()["height"]
    assert {name: height for name, height in heights.items() if height < 44} == {}
