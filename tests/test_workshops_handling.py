"""Staff handling of an order through real SMTP: confirm with an .ics invitation,
reschedule, cancel, mark held, the feedback link and the figures that follow."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from flask import g
from sqlalchemy import select
from tests.clients import once
from tests.test_workshops_helpers import FEEDBACK_LINK, csrf_of, order_form, seed_themes, today, weekday_from

from app.extensions import db
from app.models import OutboxMessage, WorkshopOrder, utcnow
from app.platform.mail_delivery import deliver_due
from app.workshops.feedback import feedback_csv, feedback_summary, survey_for_token
from app.workshops.services import WorkshopError, cancel, confirm, mark_held, reschedule, send_feedback_link

pytest_plugins = ["tests.conftest_mail"]

STAFF = "outi.ohjaaja@keskus.example"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def themes(app):
    return seed_themes(app)


@pytest.fixture
def order(client, mailbox, themes) -> WorkshopOrder:
    page = client.get("/tyopajat/tilaa")
    answer = client.post("/tyopajat/tilaa", data={**order_form(themes[0].id), "csrf_token": csrf_of(page)})
    assert answer.status_code == 303
    mailbox.messages.clear()
    return db.session.scalars(select(WorkshopOrder)).one()


def workshop_day(days_ahead: int = 30, hour: int = 13) -> datetime:
    day = weekday_from(today() + timedelta(days=days_ahead))
    return datetime(day.year, day.month, day.day, hour, 0)




def past_day(days_ago: int, hour: int = 13) -> datetime:
    day = today() - timedelta(days=days_ago)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, 0)


def calendar_of(message) -> tuple[icalendar.Calendar, str]:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    raw = part.get_payload(decode=True)
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    return icalendar.Calendar.from_ical(raw), part.get_param("method")


def only_event(calendar: icalendar.Calendar) -> icalendar.Event:
    [event] = calendar.walk("VEVENT")
    return event


def test_the_whole_flow_from_order_to_feedback_figures(app, client, mailbox, order):
    # Staff steps are dated back in time, so the survey that opens at the end is open now.
    now = utcnow()
    start = past_day(20)
    confirm(order, start, "Puijonkatu 1, 70100 Kuopio", "", "Outi Ohjaaja", STAFF, now=now - timedelta(days=40))
    db.session.commit()
    deliver_due()

    [confirmation] = mailbox.messages
    assert confirmation["To"] == "maija@example.fi"
    assert "vahvistettu" in confirmation["Subject"]
    text, _html = mailbox.bodies(confirmation)
    assert "Puijonkatu 1" in text and "Outi Ohjaaja" in text and "klo 13.00–15.00" in text
    calendar, method = calendar_of(confirmation)
    assert method == "REQUEST"
    assert str(calendar["METHOD"]) == "REQUEST" and str(calendar["VERSION"]) == "2.0"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Helsinki"]
    event = only_event(calendar)
    assert event["DTSTART"].params["TZID"] == "Europe/Helsinki"
    helsinki = ZoneInfo("Europe/Helsinki")
    assert event.decoded("DTSTART") == start.replace(tzinfo=helsinki)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=2)
    assert event.decoded("DTEND").hour == 15
    uid = str(event["UID"])
    assert uid == f"{order.reference}@portal.test"
    assert int(event["SEQUENCE"]) == 0
    assert str(event["LOCATION"]) == "Puijonkatu 1, 70100 Kuopio"
    assert "mailto:maija@example.fi" in str(event["ATTENDEE"])

    later = past_day(10, hour=17)
    reschedule(order, later, "", "https://meet.example/tyopaja-42", "Outi Ohjaaja", STAFF, now=now - timedelta(days=30))
    db.session.commit()
    deliver_due()
    update = mailbox.messages[-1]
    assert "muuttunut" in update["Subject"]
    calendar, method = calendar_of(update)
    event = only_event(calendar)
    assert method == "REQUEST"
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == later.replace(tzinfo=helsinki)
    assert event.decoded("DTEND") == (later + timedelta(hours=2)).replace(tzinfo=helsinki)
    assert "https://meet.example/tyopaja-42" in str(event["LOCATION"])

    link = mark_held(order, STAFF)
    db.session.commit()
    assert order.status == "held"
    token = FEEDBACK_LINK.fullmatch(link).group(1)
    survey = survey_for_token(token)
    assert survey.order_id == order.id
    assert survey.closes_at - survey.opens_at == timedelta(days=30)
    assert send_feedback_link(order) == link
    db.session.commit()
    deliver_due()
    assert link in mailbox.bodies(mailbox.messages[-1])[0]

    path = link.removeprefix("http://portal.test")
    for answers, words in (({"need": "4", "tools": "3", "facilitation": "4", "recommend": "4"}, "Hyvä ohjaaja."),
                           ({"need": "2", "tools": "1", "facilitation": "3", "recommend": "4"}, "")):
        participant = app.test_client()
        # The test's app context outlives requests, and Flask-WTF caches the CSRF token in `g`.
        g.pop("csrf_token", None)
        survey_page = participant.get(path)
        assert survey_page.status_code == 200
        sent = participant.post(path, data=once({**answers, "open_answer": words, "csrf_token": csrf_of(survey_page)}))
        assert sent.status_code == 303

    summary = feedback_summary(order)
    assert summary.response_count == 2
    by_key = {s.key: s for s in summary.statements}
    assert by_key["need"].counts == {1: 0, 2: 1, 3: 0, 4: 1}
    assert by_key["tools"].counts == {1: 1, 2: 0, 3: 1, 4: 0}
    assert by_key["recommend"].mean == 4
    assert [a.text for a in summary.open_answers] == ["Hyvä ohjaaja."]
    assert feedback_summary(theme=order.theme).response_count == 2
    csv_text = feedback_csv(order)
    assert csv_text.splitlines()[1] == "Työpaja vastasi tarpeeseemme;0;1;0;1;2;3,00"

    history = [(c.from_status, c.to_status, c.changed_by) for c in order.history]
    assert history == [
        ("", "new", "orderer"),
        ("new", "confirmed", STAFF),
        ("confirmed", "confirmed", STAFF),
        ("confirmed", "held", STAFF),
    ]


def test_staff_cancel_a_confirmed_workshop_with_a_reason_and_a_calendar_cancellation(client, mailbox, order):
    confirm(order, workshop_day(), "Puijonkatu 1, Kuopio", "", "Outi Ohjaaja", STAFF)
    db.session.commit()
    with pytest.raises(WorkshopError, match="syy"):
        cancel(order, "  ", STAFF)
    cancel(order, "Ohjaaja sairastui; uusi aika sovitaan erikseen.", STAFF)
    db.session.commit()
    deliver_due()
    assert order.status == "cancelled" and order.cancelled_by == "staff"
    message = mailbox.messages[-1]
    assert "peruttu" in message["Subject"]
    assert "Ohjaaja sairastui" in mailbox.bodies(message)[0]
    calendar, method = calendar_of(message)
    event = only_event(calendar)
    assert method == "CANCEL" and str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"{order.reference}@portal.test"
    assert int(event["SEQUENCE"]) == 1
    assert order.history[-1].note == "Ohjaaja sairastui; uusi aika sovitaan erikseen."


def test_staff_cancel_a_new_order_without_a_calendar_file(client, mailbox, order):
    cancel(order, "Emme pysty järjestämään työpajaa toivottuina päivinä.", STAFF)
    db.session.commit()
    deliver_due()
    [message] = mailbox.messages
    assert not [p for p in message.walk() if p.get_content_type() == "text/calendar"]


STEP_RULES = {
    "confirm twice": (True, lambda o: confirm(o, workshop_day(), "Paikka", "", "Ohjaaja", STAFF), "Vain uuden"),
    "reschedule a new order": (False, lambda o: reschedule(o, workshop_day(), "Paikka", "", "O", STAFF), "Vain vahvistetun"),
    "held before confirmed": (False, lambda o: mark_held(o, STAFF), "Vain vahvistetun"),
    "feedback link before held": (True, send_feedback_link, "pidetyksi"),
}


@pytest.mark.parametrize(("confirmed_first", "step", "message"), STEP_RULES.values(), ids=STEP_RULES.keys())
def test_steps_out_of_order_are_refused(order, confirmed_first, step, message):
    if confirmed_first:
        confirm(order, workshop_day(), "Paikka", "", "Ohjaaja", STAFF)
    with pytest.raises(WorkshopError, match=message):
        step(order)


CONFIRM_RULES = {
    "no place nor link": (("", "", "Ohjaaja"), "paikka tai etäyhteyden"),
    "link without https": (("", "meet.example/x", "Ohjaaja"), "https://"),
    "no facilitator": (("Paikka", "", " "), "ohjaaja"),
}


@pytest.mark.parametrize(("details", "message"), CONFIRM_RULES.values(), ids=CONFIRM_RULES.keys())
def test_confirming_needs_place_and_facilitator(order, details, message):
    with pytest.raises(WorkshopError, match=message):
        confirm(order, workshop_day(), *details, STAFF)
    assert order.status == "new" and order.scheduled_start is None


def test_a_workshop_is_not_held_before_it_starts(order):
    confirm(order, workshop_day(), "Paikka", "", "Ohjaaja", STAFF)
    with pytest.raises(WorkshopError, match="ei ole vielä alkanut"):
        mark_held(order, STAFF)


def test_queued_mail_is_kept_in_the_outbox_until_commit(order):
    confirm(order, workshop_day(), "Paikka", "", "Ohjaaja", STAFF)
    queued = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "queued")).all()
    assert [m.attachments[0]["name"] for m in queued] == ["tyopaja.ics"]
    db.session.rollback()
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "queued")).all() == []
