"""At 375 px, JavaScript off and on: the reminder's link lands on the entry as the
public sees it and confirms in one click (issue 17, point 4); a creating form sent
twice makes one request, and with JavaScript the second press is refused at once
(point 5).  axe checks the check page."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.browser.conftest import AXE_SCRIPT, skip_or_fail
from tests.browser.test_self_service_journey import axe_violations

from app.extensions import db

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


def stale_entry_with_reminder_link(live_server, name: str, email: str) -> tuple[int, str]:
    """A published entry unconfirmed for 400 days, and the path of its contact's reminder link."""
    from app.models import Organisation, OrganisationContact, utcnow
    from app.platform.tokens import issue_link_token

    with live_server.app.app_context():
        organisation = Organisation(name=name, status="published", description="Kävelyryhmä lähiliikuntapaikalla.",
                                    meeting_times="Maanantaisin klo 10.", confirmed_at=utcnow() - timedelta(days=400))
        db.session.add(organisation)
        db.session.flush()
        db.session.add(OrganisationContact(organisation_id=organisation.id, email=email))
        raw = issue_link_token(email, "edit_request", organisation.id)
        db.session.commit()
        organisation_id = organisation.id
        db.session.remove()
    return organisation_id, f"/jarjestoille/muokkaa/{raw}"


def confirmed_at(live_server, organisation_id: int):
    from app.models import Organisation

    with live_server.app.app_context():
        value = db.session.get(Organisation, organisation_id).confirmed_at
        db.session.remove()
    return value


def contact_requests_to(live_server, organisation_id: int) -> int:
    from app.models import ContactRequest

    with live_server.app.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(ContactRequest).where(ContactRequest.organisation_id == organisation_id)
        )
        db.session.remove()
    return count


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("javascript", [False, True], ids=["javascript off", "javascript on"])
def test_the_reminder_confirms_in_one_click(new_page, live_server, expect, javascript):
    suffix = "js" if javascript else "nojs"
    before_days = 400
    organisation_id, link = stale_entry_with_reminder_link(
        live_server, f"Kävelykerho {suffix}", f"kavely-{suffix}@example.fi")
    page = new_page(javascript=javascript)
    page.set_viewport_size(PHONE)
    page.goto(link)
    page.get_by_role("button", name="Jatka").click()
    page.wait_for_url(f"**/jarjestoille/omat/{organisation_id}/tarkista")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ovatko tiedot ajan tasalla?")
    expect(page.locator("main")).to_contain_text("Kävelyryhmä lähiliikuntapaikalla.")
    expect(page.locator("main")).to_contain_text("Maanantaisin klo 10.")
    expect(page.get_by_role("link", name="Muokkaa tietoja")).to_be_visible()
    button = page.get_by_role("button", name="Tiedot ovat ajan tasalla")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= PHONE["width"]
    assert fits_the_phone(page)
    button.click()
    page.wait_for_url("**/jarjestoille/omat")
    expect(page.locator(".tiedotteet")).to_contain_text("merkitty ajan tasalla oleviksi")
    from app.models import utcnow

    assert confirmed_at(live_server, organisation_id) > utcnow() - timedelta(days=before_days - 1)


def test_the_check_page_passes_axe(new_page, live_server):
    if not AXE_SCRIPT.exists():
        skip_or_fail(f"axe-core is missing at {AXE_SCRIPT}")
    organisation_id, link = stale_entry_with_reminder_link(live_server, "Saavutettava kerho", "axe-tarkista@example.fi")
    page = new_page(javascript=True, bypass_csp=True)
    page.set_viewport_size(PHONE)
    page.goto(link)
    page.get_by_role("button", name="Jatka").click()
    page.wait_for_url(f"**/jarjestoille/omat/{organisation_id}/tarkista")
    assert axe_violations(page) == []


def filled_contact_form(new_page, live_server, name: str, *, javascript: bool):
    """A phone-sized page with the contact form of a new organisation filled in: (its id, the page)."""
    from app.models import Organisation

    slug = name.split()[0].lower()
    organisation_id, _link = stale_entry_with_reminder_link(live_server, name, f"{slug}@example.fi")
    with live_server.app.app_context():
        db.session.get(Organisation, organisation_id).email = f"info@{slug}.example"
        db.session.commit()
        db.session.remove()
    page = new_page(javascript=javascript)
    page.set_viewport_size(PHONE)
    page.goto(f"/jarjestot/{organisation_id}/yhteydenotto")
    fill_contact_form(page)
    return organisation_id, page


def fill_contact_form(page) -> None:
    page.get_by_label("Nimi", exact=True).fill("Maija Meikäläinen")
    page.get_by_label("Puhelinnumero", exact=True).fill("040 123 4567")
    page.locator("#message").fill("Haluaisin tietoa kävelyryhmästä.")
    page.get_by_label(re.compile("^Annan luvan")).check()


def test_a_double_press_sends_one_request_and_shows_progress(new_page, live_server, expect):
    organisation_id, page = filled_contact_form(new_page, live_server, "Tuplaklikkaus ry", javascript=True)
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    # Two presses in the same moment: the first shows progress, the second does nothing.
    state = page.evaluate("""() => {
        const form = document.querySelector('form:has(input[name="submission_key"])');
        const button = form.querySelector('button[type="submit"]');
        const width = button.getBoundingClientRect().width;
        form.requestSubmit(button);
        const state = [button.getAttribute("aria-disabled"), button.textContent.trim(), form.getAttribute("aria-busy"),
                       // A shorter label must not shrink the button: a link beside it would take the second click.
                       button.getBoundingClientRect().width >= width];
        form.requestSubmit(button);
        return state;
    }""")
    assert state == ["true", "Lähetetään…", "true", True]
    page.wait_for_url("**/yhteydenotto/lahetetty/**")
    assert len(posts) == 1
    assert contact_requests_to(live_server, organisation_id) == 1


def test_without_javascript_a_form_sent_again_answers_with_the_first_result(new_page, live_server, expect):
    organisation_id, page = filled_contact_form(new_page, live_server, "Uudelleenlähetys ry", javascript=False)
    key = page.locator('input[name="submission_key"]').get_attribute("value")
    html = page.content()
    page.get_by_role("button", name="Lähetä yhteydenottopyyntö").click()
    page.wait_for_url("**/yhteydenotto/lahetetty/**")
    first_result = page.url
    # The same filled-in page sent again (a second tab, "back" and send): one request still.
    page.set_content(html)
    assert page.locator('input[name="submission_key"]').get_attribute("value") == key
    fill_contact_form(page)
    page.get_by_role("button", name="Lähetä yhteydenottopyyntö").click()
    page.wait_for_url("**/yhteydenotto/lahetetty/**")
    assert page.url == first_result
    assert contact_requests_to(live_server, organisation_id) == 1
