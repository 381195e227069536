"""Staff handling of events: access, create/edit/copy/cancel, participants, CSV, sign-in sheet,
message to participants; erasure and retention of sign-ups."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.admin_support import make_staff, sign_in_contact, sign_in_staff
from tests.events_support import calendars_of, make_event, signup_form

from app.events.feedback import DEFAULT_STATEMENTS
from app.extensions import db
from app.models import AuditEvent, Event, EventSignup, utcnow
from app.platform.calendar import helsinki_time
from app.platform.submissions import new_key


def event_form(**fields) -> dict:
    day = helsinki_time().date() + timedelta(days=30)
    data = {
        "title": "Pienmarkkinat Suonenjoella", "kind": "pienmarkkinat", "description": "Järjestöjen markkinat.",
        "audience": "Kaikki", "place_kind": "paikka", "place_name": "Seurakuntatalo", "address": "Kirkkotie 1",
        "municipality": "", "accessibility": "", "remote_link": "", "capacity": "2",
        "deadline_date": (day - timedelta(days=5)).isoformat(), "deadline_time": "16.00",
        "several_per_organisation": "y", "date_1": day.isoformat(), "start_1": "10.00", "end_1": "14.00",
        "feedback_statements": "\n".join(DEFAULT_STATEMENTS), "submission_key": new_key(),
    }
    data.update(fields)
    return data


@pytest.fixture
def staff_client(client, taxonomy):
    make_staff()
    sign_in_staff(client)
    return client


def municipality_id(name: str) -> str:
    return str(db.session.scalar(select(db.text(f"id FROM municipality WHERE name_fi = '{name}'"))))


STAFF_PATHS = ["/yllapito/tapahtumat", "/yllapito/tapahtumat/uusi", "/yllapito/tapahtumat/{id}",
               "/yllapito/tapahtumat/{id}/muokkaa", "/yllapito/tapahtumat/{id}/osallistujat.csv",
               "/yllapito/tapahtumat/{id}/nimilista"]


@pytest.mark.parametrize("path", STAFF_PATHS)
def test_staff_pages_are_closed_to_others(client, taxonomy, path):
    event = make_event()
    path = path.format(id=event.id)
    assert client.get(path).status_code == 303  # anonymous → sign-in
    sign_in_contact(client)
    assert client.get(path).status_code == 403
    assert client.post(f"/yllapito/tapahtumat/{event.id}/peru", data={"reason": "x"}).status_code == 403


def test_create_edit_copy_and_bad_input(staff_client):
    bad = staff_client.post("/yllapito/tapahtumat/uusi", data=event_form(start_1="25.00", capacity="0"))
    assert bad.status_code == 422
    assert 'id="start_1-virhe"' in bad.text and 'id="capacity-virhe"' in bad.text and 'id="municipality-virhe"' in bad.text
    assert 'value="Pienmarkkinat Suonenjoella"' in bad.text

    created = staff_client.post("/yllapito/tapahtumat/uusi", data=event_form(municipality=municipality_id("Suonenjoki")))
    assert created.status_code == 303
    event = db.session.scalars(select(Event)).one()
    assert event.starts_at.hour == 10 and event.municipality.name_fi == "Suonenjoki"
    assert "Pienmarkkinat Suonenjoella" in staff_client.get("/tapahtumat").text

    copy = staff_client.get(f"/yllapito/tapahtumat/uusi?pohja={event.id}").text
    assert 'value="Pienmarkkinat Suonenjoella"' in copy and 'name="date_1" type="date" value=""' in copy

    edit = staff_client.get(f"/yllapito/tapahtumat/{event.id}/muokkaa").text
    assert 'value="10.00"' in edit


def test_times_typed_as_whole_hours_are_accepted(staff_client):
    created = staff_client.post("/yllapito/tapahtumat/uusi", data=event_form(
        municipality=municipality_id("Suonenjoki"), start_1="10", end_1="14", deadline_time="16"))
    assert created.status_code == 303, created.text
    event = db.session.scalars(select(Event)).one()
    assert (event.starts_at.hour, event.starts_at.minute, event.ends_at.hour) == (10, 0, 14)
    assert (event.signup_deadline.hour, event.signup_deadline.minute) == (16, 0)


def test_a_new_event_in_the_past_is_refused_but_a_held_one_can_still_be_edited(staff_client):
    yesterday = (helsinki_time().date() - timedelta(days=1)).isoformat()
    past = staff_client.post("/yllapito/tapahtumat/uusi", data=event_form(
        municipality=municipality_id("Suonenjoki"), date_1=yesterday, deadline_date=yesterday, deadline_time="8.00"))
    assert past.status_code == 422
    assert "Tämä aika on jo mennyt. Uuden tapahtuman ajat ovat tulevaisuudessa." in past.text
    assert 'id="date_1-virhe"' in past.text and 'value="Pienmarkkinat Suonenjoella"' in past.text
    assert db.session.scalars(select(Event)).first() is None

    late = staff_client.post("/yllapito/tapahtumat/uusi", data=event_form(
        municipality=municipality_id("Suonenjoki"), deadline_date=yesterday))
    assert late.status_code == 422 and 'id="deadline_date-virhe"' in late.text
    assert "Ilmoittautumisen pitää päättyä tulevaisuudessa." in late.text

    held = make_event(days_ahead=-3)
    form = event_form(municipality=municipality_id("Suonenjoki"), date_1=held.starts_at.date().isoformat(),
                      deadline_date=(held.starts_at.date() - timedelta(days=1)).isoformat(), title="Korjattu nimi")
    assert staff_client.post(f"/yllapito/tapahtumat/{held.id}/muokkaa", data=form).status_code == 303


def test_a_year_far_off_is_refused_next_to_the_date(staff_client):
    # 31.12.9999 was published, and its staff page answered 404 (the survey's end overflowed).
    form = event_form(municipality=municipality_id("Suonenjoki"), date_1="9999-12-31", deadline_date="9999-12-01")
    answer = staff_client.post("/yllapito/tapahtumat/uusi", data=form)
    assert answer.status_code == 422 and 'id="date_1-virhe"' in answer.text
    assert "Tarkista vuosi: anna päivä väliltä 2000–" in answer.text
    assert db.session.scalars(select(Event)).first() is None


def test_a_new_event_sent_twice_is_created_once(staff_client):
    # A double click, or Back and the same button again, sends the same form twice.
    form = event_form(municipality=municipality_id("Suonenjoki"))
    first = staff_client.post("/yllapito/tapahtumat/uusi", data=form)
    again = staff_client.post("/yllapito/tapahtumat/uusi", data=form)
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert len(db.session.scalars(select(Event)).all()) == 1


def test_a_message_sent_twice_is_mailed_once(staff_client, mailbox):
    event = make_event()
    staff_client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form())
    mailbox.messages.clear()
    form = {"subject": "Pysäköinti", "message": "Pihalla on tilaa.", "submission_key": new_key()}
    first = staff_client.post(f"/yllapito/tapahtumat/{event.id}/viesti", data=form)
    again = staff_client.post(f"/yllapito/tapahtumat/{event.id}/viesti", data=form)
    assert first.status_code == again.status_code == 303
    assert [m["Subject"] for m in mailbox.messages] == ["Pysäköinti"]


def test_the_same_message_sent_again_after_back_is_mailed_once(staff_client, mailbox):
    event = make_event()
    staff_client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form())
    mailbox.messages.clear()
    form = {"subject": "Pysäköinti", "message": "Pihalla on tilaa."}
    first = staff_client.post(f"/yllapito/tapahtumat/{event.id}/viesti", data={**form, "submission_key": new_key()})

    # Back to the event page, which the browser fills in again under a new one-time key, and Send.
    again = staff_client.post(f"/yllapito/tapahtumat/{event.id}/viesti", data={**form, "submission_key": new_key()})

    assert first.status_code == again.status_code == 303
    assert "Sama viesti lähetettiin jo hetki sitten" in staff_client.get(again.headers["Location"]).text
    assert [m["Subject"] for m in mailbox.messages] == ["Pysäköinti"]
    # Another message is sent.
    staff_client.post(f"/yllapito/tapahtumat/{event.id}/viesti",
                      data={**form, "message": "Myös pyöräparkki.", "submission_key": new_key()})
    assert len(mailbox.messages) == 2


def test_a_message_that_would_reach_nobody_is_not_sent(staff_client):
    event = make_event(title="Tyhjä tilaisuus")
    answer = staff_client.post(f"/yllapito/tapahtumat/{event.id}/viesti",
                               data={"subject": "Pysäköinti", "message": "Pihalla on tilaa.",
                                     "submission_key": new_key()})
    assert answer.status_code == 422 and "Viesti ei lähtisi kenellekään" in answer.text
    assert "Pihalla on tilaa." in answer.text
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "event_message")) is None


def test_the_same_time_twice_in_one_event_is_refused(staff_client):
    form = event_form(municipality=municipality_id("Suonenjoki"))
    twice = staff_client.post("/yllapito/tapahtumat/uusi", data={
        **form, "date_2": form["date_1"], "start_2": "11.00", "end_2": "13.00"})
    assert twice.status_code == 422
    assert "Tämä aika on päällekkäin 1. päivän kanssa." in twice.text and 'id="date_2-virhe"' in twice.text
    assert db.session.scalars(select(Event)).first() is None
    later = staff_client.post("/yllapito/tapahtumat/uusi", data={
        **form, "date_2": form["date_1"], "start_2": "14.00", "end_2": "16.00"})
    assert later.status_code == 303  # the afternoon after the morning is two sessions of one day


def test_moving_an_event_sends_updated_invitations_and_more_places_promote(staff_client, mailbox):
    event = make_event(capacity=1)
    staff_client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("eka@example.fi"))
    staff_client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("toka@example.fi", organisation_name="B ry"))
    mailbox.messages.clear()
    day = event.starts_at.date()
    moved = staff_client.post(f"/yllapito/tapahtumat/{event.id}/muokkaa", data=event_form(
        municipality=municipality_id("Iisalmi"), capacity="2", date_1=day.isoformat(), start_1="9.00", end_1="11.00",
        deadline_date=(day - timedelta(days=3)).isoformat()))
    assert moved.status_code == 303
    by_address = {m["To"]: m for m in mailbox.messages}
    [(calendar, method)] = calendars_of(by_address["eka@example.fi"])
    entry = calendar.walk("VEVENT")[0]
    assert method == "REQUEST" and int(entry["SEQUENCE"]) == 1 and entry.decoded("DTSTART").hour == 9
    assert "Sait paikan" in by_address["toka@example.fi"]["Subject"]

    fewer = staff_client.post(f"/yllapito/tapahtumat/{event.id}/muokkaa", data=event_form(
        municipality=municipality_id("Iisalmi"), capacity="1", date_1=day.isoformat(),
        deadline_date=(day - timedelta(days=3)).isoformat()))
    assert fewer.status_code == 409 and "Paikkoja on jo varattu 2" in fewer.text


def test_a_moved_event_keeps_its_calendar_uids_so_the_update_replaces_the_entry(staff_client, mailbox):
    event = make_event(sessions=2)
    staff_client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("eka@example.fi"))
    invited = [str(c.walk("VEVENT")[0]["UID"]) for c, _method in calendars_of(mailbox.messages[0])]
    mailbox.messages.clear()
    first, second = event.sessions[0].starts_at.date(), event.sessions[1].starts_at.date()

    moved = staff_client.post(f"/yllapito/tapahtumat/{event.id}/muokkaa", data=event_form(
        municipality=municipality_id("Iisalmi"), date_1=first.isoformat(), start_1="9.00", end_1="11.00",
        date_2=second.isoformat(), start_2="9.00", end_2="11.00", deadline_date=(first - timedelta(days=3)).isoformat()))

    assert moved.status_code == 303
    updated = calendars_of(mailbox.messages[0])
    assert [str(c.walk("VEVENT")[0]["UID"]) for c, _method in updated] == invited
    assert [c.walk("VEVENT")[0].decoded("DTSTART").hour for c, _method in updated] == [9, 9]


def test_a_session_taken_off_an_event_is_cancelled_in_the_calendars(staff_client, mailbox):
    """The update carries the kept session's invitation and a cancellation of the removed one."""
    event = make_event(sessions=2)
    staff_client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("eka@example.fi"))
    first_uid, second_uid = [str(c.walk("VEVENT")[0]["UID"]) for c, _method in calendars_of(mailbox.messages[0])]
    mailbox.messages.clear()
    first = event.sessions[0].starts_at.date()

    shortened = staff_client.post(f"/yllapito/tapahtumat/{event.id}/muokkaa", data=event_form(
        municipality=municipality_id("Iisalmi"), date_1=first.isoformat(), start_1="10.00", end_1="12.00",
        deadline_date=(first - timedelta(days=3)).isoformat()))

    assert shortened.status_code == 303
    calendars = [(str(c.walk("VEVENT")[0]["UID"]), method, str(c.walk("VEVENT")[0].get("STATUS", "")))
                 for c, method in calendars_of(mailbox.messages[0])]
    assert calendars == [(first_uid, "REQUEST", "CONFIRMED"), (second_uid, "CANCEL", "CANCELLED")]


def test_cancel_an_event_tells_everyone_with_a_calendar_cancellation(staff_client, mailbox):
    event = make_event(capacity=1)
    staff_client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("eka@example.fi"))
    staff_client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("toka@example.fi", organisation_name="B ry"))
    mailbox.messages.clear()
    refused = staff_client.post(f"/yllapito/tapahtumat/{event.id}/peru", data={"reason": ""})
    # The summary far down the page takes focus, so the browser shows it.
    assert refused.status_code == 422 and re.search(r'class="virheyhteenveto"[^>]*autofocus', refused.text)
    assert staff_client.post(f"/yllapito/tapahtumat/{event.id}/peru", data={"reason": "Puhuja sairastui"}).status_code == 303
    by_address = {m["To"]: m for m in mailbox.messages}
    assert set(by_address) == {"eka@example.fi", "toka@example.fi"}
    [(calendar, method)] = calendars_of(by_address["eka@example.fi"])
    assert method == "CANCEL" and str(calendar.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    assert calendars_of(by_address["toka@example.fi"]) == []
    assert "Puhuja sairastui" in mailbox.bodies(by_address["toka@example.fi"])[0]
    assert "Tapahtuma on peruttu" in staff_client.get(f"/tapahtumat/{event.id}").text


def test_participants_counts_csv_sheet_and_message(staff_client, mailbox, make_organisation):
    make_organisation("Iisalmen Omaishoitajat ry", post_office="Iisalmi")
    event = make_event(capacity=2)
    for email, organisation in (("eka@example.fi", "Iisalmen Omaishoitajat ry"),
                                ("toka@example.fi", "Iisalmen Omaishoitajat ry"), ("kolmas@example.fi", "=Kaava ry")):
        staff_client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form(email, organisation_name=organisation))
    page = staff_client.get(f"/yllapito/tapahtumat/{event.id}").text
    assert "Paikka vahvistettu: 2, varasijalla: 1" in page
    assert "<td>Iisalmen Omaishoitajat ry</td><td class=\"luku\">2</td>" in page
    assert "<td>Iisalmi</td><td class=\"luku\">2</td>" in page

    answer = staff_client.get(f"/yllapito/tapahtumat/{event.id}/osallistujat.csv")
    text = answer.data.decode("utf-8-sig")
    assert answer.headers["Content-Disposition"].endswith('.csv"')
    assert text.splitlines()[0].startswith("Tila;Nimi;Järjestö;Kunta") and text.count("\r\n") == 4
    assert "'=Kaava ry" in text and "040 123 4567" in text

    sheet = staff_client.get(f"/yllapito/tapahtumat/{event.id}/nimilista").text
    assert "Allekirjoitus" in sheet and sheet.count('class="allekirjoitus"') == 2

    mailbox.messages.clear()
    sent = staff_client.post(f"/yllapito/tapahtumat/{event.id}/viesti",
                             data={"subject": "Pysäköinti", "message": "Pihalla on tilaa.", "submission_key": new_key()})
    assert sent.status_code == 303
    assert sorted(m["To"] for m in mailbox.messages) == ["eka@example.fi", "toka@example.fi"]
    assert mailbox.messages[0]["Subject"] == "Pysäköinti"


def test_erasure_anonymises_sign_ups_and_frees_the_place(app, client, taxonomy, runner):
    event = make_event(capacity=1)
    client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("eka@example.fi"))
    client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("toka@example.fi", organisation_name="B ry"))
    result = runner.invoke(args=["erase", "eka@example.fi"])
    assert "event signups: 1" in result.output
    db.session.expire_all()
    first, second = db.session.scalars(select(EventSignup).order_by(EventSignup.id))
    assert (first.email, first.name, first.status) == (None, "", "cancelled")
    assert first.organisation_name == "Iisalmen Omaishoitajat ry" and second.status == "confirmed"


def test_retention_anonymises_sign_ups_of_events_long_past(app, client, taxonomy):
    from app.platform.retention import purge_all

    event = make_event(capacity=5)
    client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form())
    assert purge_all().event_signups == 0
    report = purge_all(now=utcnow() + timedelta(days=20 + app.config["EVENT_SIGNUP_RETENTION_DAYS"] + 2))
    assert report.event_signups == 1
    assert db.session.scalars(select(EventSignup)).one().email is None
