"""A volunteer secretary in a real browser, JavaScript off and on: sign in by link →
add an organisation → (staff approve) → edit it → the public page shows the change.
axe checks the join, confirm and edit pages, the edit page also with errors."""
import re

import pytest
from sqlalchemy import select
from tests.browser.conftest import AXE_SCRIPT, AXE_TAGS, skip_or_fail

from app.extensions import db

pytestmark = pytest.mark.browser


def issue_sign_in_link(live_server, email: str) -> str:
    """The path of a fresh sign-in link (the live server keeps its mail queued, and
    only the token's hash is stored, so the test issues the token itself)."""
    from app.platform.tokens import issue_link_token

    with live_server.app.app_context():
        raw = issue_link_token(email, "sign_in")
        db.session.commit()
        db.session.remove()
    return f"/jarjestoille/kirjaudu/{raw}"


def set_status(live_server, name: str, status: str) -> int:
    from app.models import Organisation

    with live_server.app.app_context():
        organisation = db.session.scalar(select(Organisation).filter_by(name=name))
        organisation.status = status
        db.session.commit()
        organisation_id = organisation.id
        db.session.remove()
    return organisation_id


def sign_in(page, live_server, email: str) -> None:
    page.goto(issue_sign_in_link(live_server, email))
    page.get_by_role("button", name="Jatka").click()
    page.wait_for_url("**/jarjestoille/omat")


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at " + "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"])
        for v in result["violations"]
    ]


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_secretary_adds_and_edits_an_organisation(new_page, live_server, expect, javascript):
    email = f"sihteeri-{'js' if javascript else 'nojs'}@example.fi"
    # Names far apart: a similar one would be shown as a possible duplicate first.
    name = "Selaimen muistikerho JS" if javascript else "Tekstiselaimen lukupiiri"
    page = new_page(javascript=javascript)
    sign_in(page, live_server, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Omat järjestöt")

    page.get_by_role("link", name="Lisää järjestö tai liity mukaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Onko järjestösi jo tarjottimella?")
    page.get_by_role("link", name="Lisää uusi järjestö").click()
    # The form opens in steps (tests/browser/test_stepped_form_journey.py); this secretary wants it on one page.
    page.get_by_role("button", name="Näytä koko lomake yhdellä sivulla").click()
    page.get_by_label("Järjestön tai ryhmän nimi").fill(name)
    description = "Muistikerho kokoontuu kirjastolla."
    page.get_by_label("Kuvaus", exact=True).fill(description)
    if javascript:
        expect(page.locator("#description-ohje")).to_contain_text(f"Kirjoitettu {len(description)} / 600 merkkiä.")
    else:
        expect(page.locator("#description-ohje")).not_to_contain_text("Kirjoitettu")
    page.get_by_label("Puhelinnumero 1").fill("0401234567")
    page.locator("summary", has_text="Muisti ja neurologia").click()
    page.get_by_label("Muistisairaus", exact=True).check()
    page.get_by_label("Kuopio", exact=True).check()
    page.get_by_label("Jäsenmäärä").fill("-3")
    page.get_by_role("button", name="Lähetä hyväksyttäväksi").click()

    # One mistake: explained at the top and next to the field, everything else kept.
    summary = page.locator(".virheyhteenveto")
    expect(summary).to_contain_text("Jäsenmäärä: Luku ei voi olla negatiivinen.")
    expect(page.get_by_label("Järjestön tai ryhmän nimi")).to_have_value(name)
    expect(page.get_by_label("Muistisairaus", exact=True)).to_be_checked()
    summary.get_by_role("link").click()
    expect(page.get_by_label("Jäsenmäärä")).to_be_focused()
    page.get_by_label("Jäsenmäärä").fill("12")
    page.get_by_role("button", name="Lähetä hyväksyttäväksi").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kiitos, järjestö on lähetetty")
    page.get_by_role("link", name="Siirry omiin järjestöihin").click()
    expect(page.locator(".omat-jarjestot li", has_text=name)).to_contain_text("odottaa hyväksyntää")

    organisation_id = set_status(live_server, name, "published")
    page.reload()
    page.get_by_role("link", name=f"Muokkaa {name}").click()
    page.get_by_role("button", name="Näytä koko lomake yhdellä sivulla").click()
    expect(page.get_by_label("Puhelinnumero 1")).to_have_value("040 123 4567")
    page.get_by_label("Kokoontumisajat").fill("Joka toinen torstai klo 13.")
    page.get_by_role("button", name="Tallenna ja vahvista tiedot ajan tasalle").click()
    expect(page.locator(".tiedotteet")).to_contain_text("Muutokset näkyvät palvelussa heti")

    page.goto(f"/jarjestot/{organisation_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator("main")).to_contain_text("Joka toinen torstai klo 13.")
    expect(page.locator('a[href="tel:+358401234567"]')).to_have_text("040 123 4567")


def test_join_confirm_and_edit_pages_pass_axe(new_page, live_server):
    if not AXE_SCRIPT.exists():
        skip_or_fail(f"axe-core is missing at {AXE_SCRIPT}")
    from app.models import Organisation, OrganisationContact

    email = "saavutettavuus@example.fi"
    with live_server.app.app_context():
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.status == "published").order_by(Organisation.id)
        )
        db.session.add(OrganisationContact(organisation_id=organisation.id, email=email))
        db.session.commit()
        organisation_id = organisation.id
        db.session.remove()

    page = new_page(javascript=True, bypass_csp=True)
    page.goto("/jarjestoille/")
    problems = {"join": axe_violations(page)}
    page.goto(issue_sign_in_link(live_server, email))
    problems["confirm"] = axe_violations(page)
    page.get_by_role("button", name="Jatka").click()
    page.wait_for_url("**/jarjestoille/omat")
    problems["own organisations"] = axe_violations(page)
    page.goto(f"/jarjestoille/omat/{organisation_id}/muokkaa")
    page.locator("summary").first.click()
    problems["edit"] = axe_violations(page)
    page.get_by_label("Puhelinnumero 1").fill("123")
    page.get_by_label("Verkkosivut").fill("javascript:alert(1)")
    page.get_by_role("button", name="Tallenna ja vahvista tiedot ajan tasalle").click()
    assert re.search("Tarkista seuraavat kohdat", page.content())
    problems["edit with errors"] = axe_violations(page)
    page.goto("/jarjestoille/omat/uusi")
    problems["add"] = axe_violations(page)
    assert {where: found for where, found in problems.items() if found} == {}
