"""Two people edit one organisation at once, in two browser contexts at 375 px (one
without JavaScript): a contact added in tab A survives tab B's save, and where both
changed the description the conflict page asks which to keep. axe checks that page."""
import os
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.browser.test_self_service_journey import axe_violations, sign_in

from app.extensions import db

pytestmark = pytest.mark.browser
PHONE = {"width": 375, "height": 812}
# Screenshots for a review go where SCREENSHOT_DIR says, else into the test's own temporary folder.
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR")


def make_shared_organisation(live_server, name: str, emails: list[str]) -> int:
    from app.models import Organisation, OrganisationContact

    with live_server.app.app_context():
        organisation = Organisation(name=name, status="published", description="Vanha kuvaus.")
        organisation.contacts = [OrganisationContact(email=email) for email in emails]
        db.session.add(organisation)
        db.session.commit()
        organisation_id = organisation.id
        db.session.remove()
    return organisation_id


def stored(live_server, organisation_id: int):
    from app.models import Organisation

    with live_server.app.app_context():
        organisation = db.session.scalar(select(Organisation).filter_by(id=organisation_id))
        values = (organisation.description, organisation.meeting_times, sorted(c.email for c in organisation.contacts))
        db.session.remove()
    return values


def test_two_tabs_merge_and_the_clash_is_chosen(new_page, live_server, expect, tmp_path):
    shots = Path(SCREENSHOT_DIR or tmp_path)
    first_email, second_email = "eka-yhdistaja@example.fi", "toka-yhdistaja@example.fi"
    organisation_id = make_shared_organisation(live_server, "Yhdistettävä ry", [first_email, second_email])
    path = f"/jarjestoille/omat/{organisation_id}/muokkaa"
    tab_a, tab_b = new_page(javascript=False), new_page(javascript=True, bypass_csp=True)
    for page, email in ((tab_a, first_email), (tab_b, second_email)):
        page.set_viewport_size(PHONE)
        sign_in(page, live_server, email)
        page.goto(path)

    tab_a.get_by_label("Kuvaus", exact=True).fill("Tab A:n kuvaus.")
    tab_a.get_by_label("Yhteyshenkilön 3 sähköposti").fill("uusi-yhdistaja@example.fi")
    tab_a.get_by_label("Yhteyshenkilön 3 nimi").fill("Uusi Henkilö")
    tab_a.get_by_role("button", name="Tallenna ja vahvista tiedot ajan tasalle").click()
    tab_a.wait_for_url("**/jarjestoille/omat")

    tab_b.get_by_label("Kuvaus", exact=True).fill("Tab B:n kuvaus.")
    tab_b.get_by_label("Kokoontumisajat").fill("Tiistaisin klo 18.")
    tab_b.get_by_role("button", name="Tallenna ja vahvista tiedot ajan tasalle").click()
    expect(tab_b.get_by_role("heading", name="Joku muu tallensi tiedot sillä välin")).to_be_visible()
    tab_b.get_by_role("heading", name="Joku muu tallensi tiedot sillä välin").scroll_into_view_if_needed()
    tab_b.screenshot(path=shots / "merge-summary-375.png")
    choice = tab_b.get_by_role("group", name="Kuvaus: kumpi säilytetään?")
    expect(choice.get_by_label("Sinun muutoksesi")).to_be_checked()
    expect(choice).to_contain_text("Tab A:n kuvaus.")
    expect(tab_b.get_by_label("Kokoontumisajat")).to_have_value("Tiistaisin klo 18.")
    # Tab A's new contact is in tab B's form now, so saving B keeps it.
    expect(tab_b.get_by_label("Yhteyshenkilön 3 sähköposti")).to_have_value("uusi-yhdistaja@example.fi")
    choice.scroll_into_view_if_needed()
    tab_b.screenshot(path=shots / "merge-conflict-375.png")
    assert axe_violations(tab_b) == []

    choice.get_by_label("Toisen käyttäjän tallentama").check()
    tab_b.get_by_role("button", name="Tallenna ja vahvista tiedot ajan tasalle").click()
    tab_b.wait_for_url("**/jarjestoille/omat")
    assert stored(live_server, organisation_id) == (
        "Tab A:n kuvaus.", "Tiistaisin klo 18.", [first_email, second_email, "uusi-yhdistaja@example.fi"])
