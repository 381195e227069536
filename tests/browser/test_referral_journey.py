"""At 375 px: a nurse sends a referral with the client's consent, then shares a list
with a client: copy the link (JavaScript), the link as text (none), the printout."""
import re

import pytest
from sqlalchemy import select

from app.contact import tray
from app.extensions import db
from app.models import ContactRequest, Organisation

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def reachable(live_server) -> int:
    """A published demo organisation with a public e-mail address: it can receive requests."""
    with live_server.app.app_context():
        organisation_id = db.session.scalar(
            select(Organisation.id).where(Organisation.status == "published", Organisation.email != "")
            .order_by(Organisation.id).limit(1)
        )
        db.session.remove()
    assert organisation_id, "the demo data must be loaded"
    return organisation_id


@pytest.fixture(scope="module")
def shared_code(live_server, reachable) -> str:
    with live_server.app.app_context():
        code = tray.share([reachable]).code
        db.session.commit()
        db.session.remove()
    return code


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_a_referral_with_the_clients_consent(new_page, live_server, expect, reachable, javascript):
    page = new_page(javascript=javascript)
    page.set_viewport_size(PHONE)
    page.goto(f"/jarjestot/{reachable}/yhteydenotto")

    page.get_by_label("Nimi", exact=True).fill("Asiakas Esimerkki")
    page.get_by_label("Puhelinnumero", exact=True).fill("040 123 4567")
    page.get_by_label("Täytän pyynnön asiakkaan puolesta").check()
    page.get_by_label("Oma nimesi (ammattilainen)").fill("Hoitaja Hanna")
    page.get_by_label("Organisaatiosi").fill("Keskustan terveysasema")
    page.get_by_label("Sähköpostiosoitteesi").fill("hanna@terveys.example")
    page.get_by_role("button", name="Lähetä yhteydenottopyyntö").click()
    # The client's consent is missing: refused, next to the field, nothing lost.
    expect(page.locator(".virheyhteenveto")).to_contain_text("Vahvista, että asiakas on antanut suostumuksensa")
    expect(page.get_by_label("Organisaatiosi")).to_have_value("Keskustan terveysasema")

    page.get_by_label(re.compile("^Asiakas on antanut suostumuksensa")).check()
    page.get_by_label("Annan luvan").check()
    page.get_by_role("button", name="Lähetä yhteydenottopyyntö").click()

    expect(page.get_by_role("heading", name="Yhteydenottopyyntö on lähetetty")).to_be_visible()
    with live_server.app.app_context():
        latest = db.session.scalar(select(ContactRequest).order_by(ContactRequest.id.desc()).limit(1))
        assert (latest.client_consent_by, latest.professional_email) == ("Hoitaja Hanna", "hanna@terveys.example")
        db.session.remove()


def test_copy_the_share_link_with_javascript(new_page, expect, shared_code):
    page = new_page(javascript=True)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.set_viewport_size(PHONE)
    page.goto(f"/lista/{shared_code}")

    page.get_by_role("button", name="Kopioi linkki").click()

    expect(page.locator("#kopioinnin-tila")).to_have_text("Linkki on kopioitu leikepöydälle.")
    assert page.evaluate("navigator.clipboard.readText()").endswith(f"/lista/{shared_code}")


def test_without_javascript_the_link_is_text_and_no_dead_button(new_page, expect, shared_code):
    page = new_page(javascript=False)
    page.set_viewport_size(PHONE)
    page.goto(f"/lista/{shared_code}")
    expect(page.locator("#jaettava-linkki")).to_contain_text(f"/lista/{shared_code}")
    expect(page.get_by_role("button", name="Kopioi linkki")).to_be_hidden()


def test_the_printout_is_for_the_client(new_page, expect, shared_code):
    page = new_page(javascript=False)
    page.set_viewport_size(PHONE)
    page.goto(f"/lista/{shared_code}")
    page.emulate_media(media="print")

    expect(page.locator(".tulostus-otsikko")).to_have_text("Järjestöt asiakkaalle")
    expect(page.locator(".tulostus-paiva")).to_be_visible()
    expect(page.locator("svg.qr-koodi")).to_be_visible()
    expect(page.locator(".kortti-kehys .tarkistettu").first).to_be_visible()
    for screen_only in ("h1", ".jaettu-linkki", "form"):
        expect(page.locator(f"main {screen_only}").first).to_be_hidden()


def test_the_new_pages_have_no_wcag_21_aa_violations(axe, reachable, shared_code):
    for path in (f"/lista/{shared_code}", f"/jarjestot/{reachable}/yhteydenotto", f"/jarjestot/{reachable}"):
        violations = axe(path)
        assert not violations, path + "\n" + "\n".join(violations)


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_an_error_summary_link_shows_the_fields_label_and_reaches_its_input(new_page, expect, reachable, javascript):
    page = new_page(javascript=javascript)
    page.set_viewport_size(PHONE)
    page.goto(f"/jarjestot/{reachable}/yhteydenotto")
    page.get_by_label("Puhelinnumero", exact=True).fill("040 123 4567")
    page.get_by_label("Annan luvan").check()
    page.get_by_role("button", name="Lähetä yhteydenottopyyntö").click()
    page.locator(".virheyhteenveto").get_by_role("link", name=re.compile("^Nimi")).click()

    label = page.locator("label[for=name]")
    expect(label).to_be_in_viewport()  # a link to the input itself scrolled its label off the top
    expect(page.locator("#name-virhe")).to_be_in_viewport()
    expect(page.get_by_label("Nimi", exact=True)).to_be_focused()


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_an_error_report_that_fails_comes_back_in_view(new_page, expect, reachable, javascript):
    page = new_page(javascript=javascript)
    page.set_viewport_size(PHONE)
    page.goto(f"/jarjestot/{reachable}")
    page.get_by_role("button", name="Lähetä ilmoitus").click()

    # The organisation page is long: the refused report is not left thousands of pixels below.
    summary = page.locator(".virheilmoitus .virheyhteenveto")
    expect(summary).to_be_in_viewport()
    if javascript:
        expect(summary).to_be_focused()
