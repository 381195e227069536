"""Feedback after an event in a real browser: staff mark who came, the participant answers the
survey from the mailed link on a 375 px phone (JavaScript off and on); axe-core on the new staff
and public pages."""
import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select
from tests.browser.conftest import AXE_SCRIPT, skip_or_fail
from tests.browser.test_admin_journey import axe_violations, sign_in, staff_link  # noqa: F401 (a fixture)
from tests.browser.test_event_journey import PHONE, phone_page  # noqa: F401 (a fixture)

from app.extensions import db

pytestmark = pytest.mark.browser

FEEDBACK_PATH = re.compile(r"/tapahtumat/palaute/[A-Za-z0-9_\-]+")
STATEMENTS = ("Tapahtuma vastasi odotuksiani", "Järjestelyt toimivat hyvin")


def held_event(live_server, title: str, people: tuple[str, ...]) -> int:
    """An event with sign-ups made through the service, then moved to yesterday."""
    from app.events.signups import SignupDetails, sign_up
    from tests.events_support import make_event

    with live_server.app.app_context():
        event = make_event(title=title, capacity=10)
        event.feedback_statements = list(STATEMENTS)
        for name in people:
            address = f"{name.split()[0].lower()}-{event.id}@example.fi"
            sign_up(event, SignupDetails(name=name, organisation_name="Kuopion Seudun Omaiset ry", email=address))
        day = datetime.now().date() - timedelta(days=1)
        for session in event.sessions:
            session.starts_at, session.ends_at = datetime.combine(day, time(13)), datetime.combine(day, time(15))
        event.signup_deadline = datetime.combine(day - timedelta(days=2), time(16))
        db.session.commit()
        event_id = event.id
        db.session.remove()
    return event_id


def send_feedback_links(live_server) -> None:
    """What cron does the day after: `flask events feedback`."""
    from app.events.feedback import send_feedback_requests

    with live_server.app.app_context():
        send_feedback_requests()
        db.session.commit()
        db.session.remove()


def feedback_path_of(live_server, address: str) -> str:
    """The link exists only in the mail, which waits in the outbox here (no SMTP server)."""
    from app.models import OutboxMessage

    with live_server.app.app_context():
        body = db.session.scalar(
            select(OutboxMessage.text_body).where(OutboxMessage.to == address,
                                                  OutboxMessage.subject.startswith("Palautekysely"))
        )
        db.session.remove()
    return FEEDBACK_PATH.search(body).group(0)


@pytest.mark.parametrize("javascript", [False, True], ids=["javascript off", "javascript on"])
def test_staff_mark_who_came_and_the_participant_answers_on_a_phone(
        new_page, phone_page, live_server, staff_link, expect, javascript):  # noqa: F811 (fixtures)
    suffix = "js" if javascript else "nojs"
    event_id = held_event(live_server, f"Palautetilaisuus {suffix}", ("Aino Tuli", "Eero Poissa"))

    staff = new_page(javascript=javascript)
    sign_in(staff, staff_link, expect)
    staff.goto(f"/yllapito/tapahtumat/{event_id}")
    who_came = staff.get_by_role("group", name="Osallistuivat")
    expect(who_came.get_by_label(re.compile("^Aino Tuli"))).to_be_checked()
    who_came.get_by_label(re.compile("^Eero Poissa")).uncheck()
    staff.get_by_role("button", name="Tallenna osallistuneet").click()
    expect(staff.get_by_role("status").filter(has_text="paikalla 1, poissa 1")).to_be_visible()

    send_feedback_links(live_server)
    path = feedback_path_of(live_server, f"aino-{event_id}@example.fi")

    page = phone_page(javascript=javascript)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Palaute: Palautetilaisuus {suffix}")
    page.get_by_role("group", name=STATEMENTS[0]).get_by_label("täysin samaa mieltä").check()
    page.get_by_label("Mitä muuta haluat sanoa?").fill("Hyvä tilaisuus.")
    page.get_by_role("button", name="Lähetä palaute").click()
    # The one statement left unanswered is marked; what was typed and chosen is kept.
    expect(page.locator(".virheyhteenveto")).to_be_visible()
    expect(page.locator("#s2-virhe")).to_contain_text("Valitse yksi neljästä vaihtoehdosta.")
    expect(page.get_by_label("Mitä muuta haluat sanoa?")).to_have_value("Hyvä tilaisuus.")
    expect(page.get_by_role("group", name=STATEMENTS[0]).get_by_label("täysin samaa mieltä")).to_be_checked()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"

    page.get_by_role("group", name=STATEMENTS[1]).get_by_label("jokseenkin samaa mieltä").check()
    page.get_by_role("button", name="Lähetä palaute").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiitos palautteesta")
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiitos palautteesta")

    staff.goto(f"/yllapito/tapahtumat/{event_id}")
    expect(staff.get_by_text("Vastanneita: 1.")).to_be_visible()
    expect(staff.get_by_text("Hyvä tilaisuus.")).to_be_visible()


def test_axe_finds_nothing_on_the_feedback_pages(new_page, live_server, staff_link, expect):  # noqa: F811
    if not AXE_SCRIPT.exists():
        skip_or_fail(f"axe-core is missing at {AXE_SCRIPT}; `make test` installs it")
    event_id = held_event(live_server, "Saavutettava palautetilaisuus", ("Helmi Vastaaja", "Olli Toinen"))
    page = new_page(javascript=True, bypass_csp=True)
    sign_in(page, staff_link, expect)
    page.goto(f"/yllapito/tapahtumat/{event_id}")
    page.get_by_role("button", name="Tallenna osallistuneet").click()
    expect(page.get_by_role("status").filter(has_text="Osallistuneet on tallennettu")).to_be_visible()
    send_feedback_links(live_server)

    first = feedback_path_of(live_server, f"helmi-{event_id}@example.fi")
    page.goto(first)
    assert axe_violations(page) == [], "the survey"
    page.get_by_role("button", name="Lähetä palaute").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe_violations(page) == [], "the survey with its errors"
    for statement in STATEMENTS:
        page.get_by_role("group", name=statement).get_by_label("täysin samaa mieltä").check()
    page.get_by_role("button", name="Lähetä palaute").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiitos palautteesta")
    assert axe_violations(page) == [], "the thanks"

    for path in (f"/yllapito/tapahtumat/{event_id}", "/yllapito/tapahtumat/palaute", "/yllapito/tapahtumat/uusi",
                 "/yllapito/tilastot"):
        response = page.goto(path)
        assert response is not None and response.ok, path
        assert axe_violations(page) == [], path


def test_axe_finds_nothing_on_an_event_page_with_participants_on_a_phone(new_page, live_server, staff_link,  # noqa: F811
                                                                          expect):
    # On a narrow screen the participants table scrolls sideways: its box must take the keyboard's focus.
    if not AXE_SCRIPT.exists():
        skip_or_fail(f"axe-core is missing at {AXE_SCRIPT}; `make test` installs it")
    event_id = held_event(live_server, "Kapean näytön tilaisuus", ("Helmi Kapea", "Olli Kapea"))
    page = new_page(javascript=True, bypass_csp=True)
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, staff_link, expect)
    page.goto(f"/yllapito/tapahtumat/{event_id}")
    assert axe_violations(page) == []
