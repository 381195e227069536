"""Feedback after an event: the statements on the event form, attendance from the participants
list, the link mailed once the day after (`flask events feedback`), one answer per link, and the
results per event and per kind as chart, table and CSV."""
import csv
import io
import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from tests.admin_support import make_staff, sign_in_staff
from tests.events_support import make_event, signup_form

from app.events.feedback import (
    DEFAULT_STATEMENTS,
    AlreadyAnswered,
    mark_attendance,
    record_answer,
    send_feedback_requests,
)
from app.extensions import db
from app.models import AuditEvent, Event, EventFeedbackResponse, EventSignup, OutboxMessage
from app.platform.calendar import helsinki_time
from app.platform.csv_export import BOM
from app.platform.outbox import deliver_due

FEEDBACK_PATH = re.compile(r"/tapahtumat/palaute/[A-Za-z0-9_\-]+")
ALL_AGREE = {f"s{n}": "4" for n in range(1, len(DEFAULT_STATEMENTS) + 1)}


@pytest.fixture
def staff(client, taxonomy):
    make_staff()
    sign_in_staff(client)
    return client


def held_event(client, people: int = 3, *, ended_days_ago: int = 1, **event_options) -> Event:
    """An event signed up for through the form, then moved so that it ended `ended_days_ago` days ago."""
    event = make_event(**event_options)
    for number in range(people):
        answer = client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form(
            f"osallistuja{number}@example.fi", name=f"Osallistuja {number}", organisation_name=f"Yhdistys {number} ry",
            submission_key=f"{event.id}-{number}".ljust(43, "x")))
        assert answer.status_code == 303, answer.text
    day = helsinki_time().date() - timedelta(days=ended_days_ago)
    for session in event.sessions:
        session.starts_at, session.ends_at = datetime.combine(day, time(13)), datetime.combine(day, time(15, 30))
    event.signup_deadline = datetime.combine(day - timedelta(days=3), time(16))
    db.session.commit()
    return event


def confirmed(event: Event) -> list[EventSignup]:
    db.session.expire_all()
    return list(db.session.scalars(select(EventSignup).where(EventSignup.event_id == event.id).order_by(EventSignup.id)))


def feedback_paths(mailbox) -> list[str]:
    return [FEEDBACK_PATH.search(mailbox.bodies(message)[0]).group(0) for message in mailbox.messages]


def test_the_event_form_offers_the_default_statements_and_keeps_the_events_own(staff):
    form = staff.get("/yllapito/tapahtumat/uusi").text
    for statement in DEFAULT_STATEMENTS:
        assert statement in form
    event = make_event()
    from tests.test_events_staff import event_form, municipality_id

    own = "Sain vastauksia kysymyksiini\n\n  Kahvi oli hyvää  \n"
    saved = staff.post(f"/yllapito/tapahtumat/{event.id}/muokkaa",
                       data=event_form(municipality=municipality_id("Iisalmi"), feedback_statements=own))
    assert saved.status_code == 303, saved.text
    db.session.expire_all()
    assert db.session.get(Event, event.id).feedback_statements == ["Sain vastauksia kysymyksiini", "Kahvi oli hyvää"]
    assert "Kahvi oli hyvää" in staff.get(f"/yllapito/tapahtumat/uusi?pohja={event.id}").text


BAD_STATEMENTS = {
    "none": (" \n ", "Kirjoita vähintään yksi väittämä."),
    "too many": ("\n".join(f"Väittämä {n}" for n in range(9)), "Väittämiä voi olla enintään 8."),
    "too long": ("x" * 201, "Väittämä voi olla enintään 200 merkkiä pitkä."),
    "twice": ("Hyvä\nHyvä", "Sama väittämä on kahdesti."),
}


@pytest.mark.parametrize(("statements", "message"), BAD_STATEMENTS.values(), ids=BAD_STATEMENTS.keys())
def test_bad_statements_are_refused_next_to_the_field(staff, statements, message):
    from tests.test_events_staff import event_form, municipality_id

    answer = staff.post("/yllapito/tapahtumat/uusi",
                        data=event_form(municipality=municipality_id("Iisalmi"), feedback_statements=statements))
    assert answer.status_code == 422
    assert 'id="feedback_statements-virhe"' in answer.text and message in answer.text
    assert db.session.scalar(select(func.count(Event.id))) == 0


def test_attendance_in_one_post_then_the_link_goes_once_the_day_after(staff, mailbox, runner):
    event = held_event(staff)
    first, second, third = confirmed(event)
    page = staff.get(f"/yllapito/tapahtumat/{event.id}").text
    # Before anyone is marked, every box is ticked; staff untick who did not come.
    assert page.count('name="came"') == 3 and page.count("checked") == 3

    saved = staff.post(f"/yllapito/tapahtumat/{event.id}/osallistuneet", data={"came": [str(first.id), str(third.id)]})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("#osallistuneet")
    assert [s.attended for s in confirmed(event)] == [True, False, True]
    assert "paikalla 2, poissa 1" in staff.get(saved.headers["Location"]).text
    assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) == "event_attendance"

    tampered = staff.post(f"/yllapito/tapahtumat/{event.id}/osallistuneet", data={"came": ["999999"]})
    assert tampered.status_code == 422 and "Valitse vain annetuista vaihtoehdoista." in tampered.text

    mailbox.messages.clear()
    assert "event feedback requests queued: 2" in runner.invoke(args=["events", "feedback"]).output
    deliver_due()
    assert sorted(message["To"] for message in mailbox.messages) == ["osallistuja0@example.fi", "osallistuja2@example.fi"]
    assert all("Palautekysely: Aluetilaisuus Iisalmessa" == message["Subject"] for message in mailbox.messages)
    paths = feedback_paths(mailbox)
    assert len(set(paths)) == 2  # a link of one's own

    # Idempotent: run again (cron) and nobody gets it twice, even when attendance is saved again.
    staff.post(f"/yllapito/tapahtumat/{event.id}/osallistuneet", data={"came": [str(first.id), str(third.id)]})
    assert "event feedback requests queued: 0" in runner.invoke(args=["events", "feedback"]).output
    # The raw token is only in the mail; the row keeps its hash.
    assert all(paths[0].rsplit("/", 1)[1] not in (s.feedback_token_hash or "") for s in confirmed(event))


def test_the_link_goes_the_day_after_and_not_for_old_or_cancelled_events(client, taxonomy):
    today_event = held_event(client, 1, ended_days_ago=0, title="Tänään")
    old_event = held_event(client, 1, ended_days_ago=31, title="Kauan sitten")
    cancelled_event = held_event(client, 1, ended_days_ago=0, title="Peruttu")
    for event in (today_event, old_event, cancelled_event):
        # Marked after the event, whatever the hour this test runs at (its day is Helsinki's today).
        mark_attendance(event, {s.id for s in confirmed(event)}, now=event.ends_at + timedelta(hours=1))
    cancelled_event.status = "cancelled"
    db.session.commit()
    day = today_event.ends_at.date()
    # 20.00 in Helsinki on the day itself: not yet; the next morning: yes.
    same_evening = datetime.combine(day, time(17)) - timedelta(hours=helsinki_offset_hours(day))
    assert send_feedback_requests(now=same_evening) == 0
    next_morning = datetime.combine(day + timedelta(days=1), time(8)) - timedelta(hours=helsinki_offset_hours(day))
    assert send_feedback_requests(now=next_morning) == 1
    db.session.commit()
    assert db.session.scalars(
        select(OutboxMessage.subject).where(OutboxMessage.subject.startswith("Palautekysely"))
    ).all() == ["Palautekysely: Tänään"]


def helsinki_offset_hours(day) -> int:
    local = helsinki_time(datetime.combine(day, time(12)))
    return round((local - datetime.combine(day, time(12))).total_seconds() / 3600)


def test_attendance_only_once_the_event_has_started(staff):
    event = make_event()
    staff.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form())
    assert 'name="came"' not in staff.get(f"/yllapito/tapahtumat/{event.id}").text
    refused = staff.post(f"/yllapito/tapahtumat/{event.id}/osallistuneet", data={"came": [str(confirmed(event)[0].id)]})
    assert refused.status_code == 303
    assert "kun tapahtuma on alkanut" in staff.get(refused.headers["Location"]).text
    assert confirmed(event)[0].attended is None


@pytest.fixture
def feedback_path(client, taxonomy, mailbox):
    event = held_event(client, 1)
    deliver_due()
    mailbox.messages.clear()  # the sign-up's confirmation
    mark_attendance(event, {s.id for s in confirmed(event)})
    send_feedback_requests()
    db.session.commit()
    deliver_due()
    [path] = feedback_paths(mailbox)
    return path


def test_opening_the_link_changes_nothing_and_sending_answers_once(app, client, feedback_path):
    for _ in range(2):  # a mail scanner, then the person
        page = client.get(feedback_path)
        assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert client.head(feedback_path).status_code == 200
    assert page.text.count("<fieldset") == len(DEFAULT_STATEMENTS)
    for statement in DEFAULT_STATEMENTS:
        assert f"<legend>{statement}</legend>" in page.text
    assert page.text.count(">täysin samaa mieltä</label>") == len(DEFAULT_STATEMENTS)
    [signup] = db.session.scalars(select(EventSignup)).all()
    assert signup.feedback_answered_at is None

    sent = client.post(feedback_path, data={**ALL_AGREE, "s2": "2", "open_answer": "Hyvä päivä.\r\nKiitos!"})
    assert sent.status_code == 303 and sent.headers["Location"] == feedback_path
    thanks = app.test_client().get(feedback_path)  # another browser: the link itself is spent
    assert "Kiitos palautteesta" in thanks.text and "<form" not in thanks.text.split("<main", 1)[1]
    again = app.test_client().post(feedback_path, data=ALL_AGREE)
    assert again.status_code == 200 and "Kiitos palautteesta" in again.text
    [response] = db.session.scalars(select(EventFeedbackResponse)).all()
    assert response.answers == {**{s: 4 for s in DEFAULT_STATEMENTS}, DEFAULT_STATEMENTS[1]: 2}
    assert response.open_answer == "Hyvä päivä.\nKiitos!"


INVALID = {
    "one unanswered": ({k: v for k, v in ALL_AGREE.items() if k != "s3"}, ["s3"]),
    "nothing": ({}, list(ALL_AGREE)),
    "five points": ({**ALL_AGREE, "s1": "5"}, ["s1"]),
    "not a number": ({**ALL_AGREE, "s5": "hyvä"}, ["s5"]),
}


@pytest.mark.parametrize(("answers", "failing"), INVALID.values(), ids=INVALID.keys())
def test_every_statement_needs_one_of_the_four_points(client, feedback_path, answers, failing):
    sent = client.post(feedback_path, data={**answers, "open_answer": "Jäi kesken"})
    assert sent.status_code == 422
    for key in ALL_AGREE:
        assert (f'id="{key}-virhe"' in sent.text) == (key in failing)
    assert "Valitse yksi neljästä vaihtoehdosta." in sent.text and "Jäi kesken" in sent.text
    assert db.session.scalar(select(func.count(EventFeedbackResponse.id))) == 0
    # A refused attempt does not spend the link.
    assert client.post(feedback_path, data=ALL_AGREE).status_code == 303
    assert db.session.scalar(select(func.count(EventFeedbackResponse.id))) == 1


def test_unknown_and_closed_links(client, feedback_path):
    assert client.get("/tapahtumat/palaute/tuntematon").status_code == 404
    [signup] = db.session.scalars(select(EventSignup)).all()
    for session in signup.event.sessions:
        session.starts_at -= timedelta(days=40)
        session.ends_at -= timedelta(days=40)
    db.session.commit()
    closed = client.get(feedback_path)
    assert closed.status_code == 410 and "Palautekysely on suljettu" in closed.text
    assert client.post(feedback_path, data=ALL_AGREE).status_code == 410


def test_a_link_gives_one_answer_even_when_two_arrive_together(client, taxonomy):
    event = held_event(client, 1)
    [signup] = confirmed(event)
    answers = {s: 3 for s in DEFAULT_STATEMENTS}
    record_answer(signup, answers)
    with pytest.raises(AlreadyAnswered):
        record_answer(signup, answers)
    with pytest.raises(ValueError):
        record_answer(signup, {**answers, DEFAULT_STATEMENTS[0]: 5})


def page_table(html: str, table_id: str) -> list[list[str]]:
    table = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in rows]


def test_results_per_event_and_per_kind_as_chart_table_and_csv(staff):
    market = held_event(staff, 2, title="Pienmarkkinat", kind="pienmarkkinat")
    meeting = held_event(staff, 1, title="Aluetilaisuus")
    meeting.feedback_statements = [*DEFAULT_STATEMENTS, "Kahvi oli hyvää"]
    db.session.commit()
    first, second = confirmed(market)
    record_answer(first, {s: 4 for s in DEFAULT_STATEMENTS}, "Mainio tapahtuma")
    record_answer(second, {**{s: 3 for s in DEFAULT_STATEMENTS}, DEFAULT_STATEMENTS[0]: 1})
    record_answer(confirmed(meeting)[0], {**{s: 2 for s in DEFAULT_STATEMENTS}, "Kahvi oli hyvää": 4})
    db.session.commit()

    page = staff.get(f"/yllapito/tapahtumat/{market.id}").text
    assert "Vastanneita: 2." in page and "Mainio tapahtuma" in page
    table = page_table(page, f"tapahtuma-{market.id}-taulukko")
    assert table[1] == [DEFAULT_STATEMENTS[0], "1", "0", "0", "1", "2", "2,50"]
    assert page.count('class="kaavio"') == len(DEFAULT_STATEMENTS)
    download = staff.get(f"/yllapito/tapahtumat/{market.id}/palaute.csv")
    text = download.data.decode("utf-8")
    assert text.startswith(BOM)
    assert list(csv.reader(io.StringIO(text.removeprefix(BOM)), delimiter=";")) == table

    every = staff.get("/yllapito/tapahtumat/palaute").text
    rows = page_table(every, "palaute-taulukko")
    assert rows[1][1:6] == ["1", "1", "0", "1", "3"]
    assert rows[-1] == ["Kahvi oli hyvää", "0", "0", "0", "1", "1", "4,00"]
    one_kind = staff.get("/yllapito/tapahtumat/palaute?laji=pienmarkkinat").text
    assert page_table(one_kind, "palaute-taulukko")[1][1:6] == ["1", "0", "0", "1", "2"]
    assert "Kahvi oli hyvää" not in one_kind
    kind_csv = staff.get("/yllapito/tapahtumat/palaute.csv?laji=pienmarkkinat")
    assert 'filename="palaute-tapahtumat-pienmarkkinat.csv"' in kind_csv.headers["Content-Disposition"]
    assert list(csv.reader(io.StringIO(kind_csv.data.decode("utf-8").removeprefix(BOM)), delimiter=";")) \
        == page_table(one_kind, "palaute-taulukko")
    # Nonsense as the kind is every event, never an error.
    assert staff.get("/yllapito/tapahtumat/palaute?laji=%00").status_code == 200


def test_a_swedish_participant_gets_the_survey_in_swedish(client, taxonomy, mailbox, staff):
    event = make_event()
    answer = client.post(f"/sv/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("anna@example.se"))
    assert answer.status_code == 303, answer.text
    day = helsinki_time().date() - timedelta(days=1)
    for session in event.sessions:
        session.starts_at, session.ends_at = datetime.combine(day, time(13)), datetime.combine(day, time(15, 30))
    db.session.commit()
    mark_attendance(event, {s.id for s in confirmed(event)})
    mailbox.messages.clear()
    send_feedback_requests()
    db.session.commit()
    deliver_due()
    [mail] = mailbox.messages
    assert not mail["Subject"].startswith("Palautekysely") and "kiitos" not in mailbox.bodies(mail)[0]
    path = re.search(r"/sv/tapahtumat/palaute/[A-Za-z0-9_\-]+", mailbox.bodies(mail)[0]).group(0)
    survey = client.get(path).text
    assert "Evenemanget motsvarade mina förväntningar" in survey and DEFAULT_STATEMENTS[0] not in survey
    assert client.post(path, data={**ALL_AGREE, "open_answer": ""}).status_code == 303
    # Staff read the answers in their own language; the event keeps its statements as written.
    assert "The event met my expectations" in staff.get(f"/en/yllapito/tapahtumat/{event.id}").text
    assert db.session.get(Event, event.id).feedback_statements == list(DEFAULT_STATEMENTS)
