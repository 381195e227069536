"""Events in public: the list and its filters, the .ics files, and signing up with a
waiting list, through real SMTP."""
import re
from datetime import datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select
from tests.events_support import calendars_of, make_event, manage_path, signup_form

from app.extensions import db
from app.models import EventSignup
from app.platform.calendar import helsinki_time
from app.platform.outbox import deliver_due


def signups(event) -> list[EventSignup]:
    db.session.expire_all()
    return list(db.session.scalars(select(EventSignup).where(EventSignup.event_id == event.id).order_by(EventSignup.id)))


def test_list_shows_upcoming_and_past_filtered_by_kind_and_municipality(client, taxonomy):
    make_event(title="Iisalmen tilaisuus")
    make_event(title="Kuopion pienmarkkinat", town="Kuopio", kind="pienmarkkinat")
    make_event(title="Mennyt koulutus", days_ahead=-10, kind="koulutus")

    page = client.get("/tapahtumat").text
    assert "Iisalmen tilaisuus" in page and "Kuopion pienmarkkinat" in page and "Mennyt koulutus" not in page
    assert "Mennyt koulutus" in client.get("/tapahtumat?nayta=menneet").text

    only_markets = client.get("/tapahtumat?laji=pienmarkkinat").text
    assert "Kuopion pienmarkkinat" in only_markets and "Iisalmen tilaisuus" not in only_markets
    kuopio = db.session.scalar(select(db.text("id FROM municipality WHERE name_fi = 'Kuopio'")))
    in_kuopio = client.get(f"/tapahtumat?kunta={kuopio}").text
    assert "Kuopion pienmarkkinat" in in_kuopio and "Iisalmen tilaisuus" not in in_kuopio

    partial = client.get("/tapahtumat?laji=pienmarkkinat", headers={"HX-Request": "true"})
    assert partial.text.lstrip().startswith("{#") is False and "<html" not in partial.text
    assert "Kuopion pienmarkkinat" in partial.text and "HX-Request" in partial.headers["Vary"]
    # Nonsense in the query string is no filter, never an error.
    assert client.get("/tapahtumat?laji=%00&kunta=abc").status_code == 200


def test_event_ics_and_feed_parse_and_never_show_the_remote_link(client, taxonomy):
    two_days = make_event(sessions=2)
    remote = make_event(remote=True, title="Foorumi etänä", kind="foorumi")

    answer = client.get(f"/tapahtumat/{two_days.id}/tapahtuma.ics")
    assert answer.content_type.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(answer.data)
    entries = calendar.walk("VEVENT")
    assert len(entries) == 2 and len({str(e["UID"]) for e in entries}) == 2
    start = entries[0].decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Helsinki" and (start.hour, start.minute) == (13, 0)
    assert "Kirkkokatu 9" in str(entries[0]["LOCATION"])

    feed = client.get("/tapahtumat/kalenteri.ics")
    assert feed.status_code == 200
    assert len(icalendar.Calendar.from_ical(feed.data).walk("VEVENT")) == 3
    assert b"meet.example" not in feed.data
    assert b"meet.example" not in client.get(f"/tapahtumat/{remote.id}").data
    assert "Lisää kalenteriin" in client.get(f"/tapahtumat/{two_days.id}").text


def test_sign_up_mails_a_confirmation_with_ics_and_a_private_link(client, mailbox, make_organisation):
    make_organisation("Iisalmen Omaishoitajat ry", post_office="Iisalmi")
    event = make_event(remote=True)
    assert "Iisalmen Omaishoitajat ry" in client.get(f"/tapahtumat/{event.id}/ilmoittaudu").text  # the datalist

    answer = client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form())
    assert answer.status_code == 303
    assert "Olet ilmoittautunut" in client.get(answer.location).text
    [signup] = signups(event)
    assert signup.status == "confirmed" and signup.organisation_id is not None and signup.phone == "+358401234567"

    [message] = mailbox.messages
    text, html = mailbox.bodies(message)
    assert message["To"] == "aino@example.fi"
    assert "https://meet.example/salainen" in text  # the remote link goes to those with a place
    [(calendar, method)] = calendars_of(message)
    assert method == "REQUEST" and str(calendar["METHOD"]) == "REQUEST"
    [entry] = calendar.walk("VEVENT")
    assert "aino@example.fi" in str(entry["ATTENDEE"])

    private = client.get(manage_path(text))
    assert private.status_code == 200 and private.headers["Cache-Control"] == "no-store"
    assert "Paikka vahvistettu" in private.text


def test_waiting_list_gets_the_freed_place_with_mail(client, mailbox, taxonomy):
    event = make_event(capacity=1)
    client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("eka@example.fi"))
    client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("toka@example.fi", organisation_name="Toinen ry"))
    first, second = signups(event)
    assert (first.status, second.status) == ("confirmed", "waiting")
    waiting_mail = mailbox.messages[1]
    assert "varasijalla 1" in mailbox.bodies(waiting_mail)[0] and not calendars_of(waiting_mail)
    # The event's details and the personal link are paragraphs of their own.
    assert re.search(r"Tapahtuman sivu: \S+\r?\n\r?\nVoit muuttaa", mailbox.bodies(waiting_mail)[0])
    first_link = manage_path(mailbox.bodies(mailbox.messages[0])[0])
    mailbox.messages.clear()

    # GET shows, only POST acts (mail scanners open links).
    client.get(first_link)
    assert signups(event)[0].status == "confirmed"
    assert client.post(first_link + "/peru").status_code == 303

    first, second = signups(event)
    assert (first.status, second.status) == ("cancelled", "confirmed")
    by_address = {m["To"]: m for m in mailbox.messages}
    [(cancellation, method)] = calendars_of(by_address["eka@example.fi"])
    assert method == "CANCEL" and cancellation.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    promoted = by_address["toka@example.fi"]
    assert "Sait paikan" in promoted["Subject"] and calendars_of(promoted)[0][1] == "REQUEST"
    # Cancelling again changes nothing and says so.
    assert client.post(first_link + "/peru").status_code == 303
    assert "jo peruttu" in client.get(first_link).text or "Peruttu" in client.get(first_link).text


def test_signing_up_again_after_cancelling_queues_behind_those_already_waiting(client, mailbox, taxonomy):
    event = make_event(capacity=1)
    for address in ("eka@example.fi", "toka@example.fi", "kolmas@example.fi"):
        client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form(address))
    second_link = manage_path(mailbox.bodies(mailbox.messages[1])[0])
    first_link = manage_path(mailbox.bodies(mailbox.messages[0])[0])
    client.post(second_link + "/peru")

    again = client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("toka@example.fi", submission_key="z" * 43))

    assert "Olet varasijalla 2." in client.get(again.location).text
    client.post(first_link + "/peru")
    assert {s.email: s.status for s in signups(event)} == {
        "eka@example.fi": "cancelled", "toka@example.fi": "waiting", "kolmas@example.fi": "confirmed"}


def test_a_cancelled_sign_up_offers_no_calendar_entry_and_promises_no_link(client, mailbox, taxonomy):
    event = make_event(remote=True, capacity=1)
    client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("eka@example.fi"))
    client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("toka@example.fi", organisation_name="Toinen ry"))
    waiting_link = manage_path(mailbox.bodies(mailbox.messages[1])[0])
    before = client.get(waiting_link).text
    assert "Lisää kalenteriin" in before and "kun paikkasi on vahvistettu" in before

    client.post(waiting_link + "/peru")

    after = client.get(waiting_link).text
    assert "Peruttu" in after
    assert "Lisää kalenteriin" not in after and "kun paikkasi on vahvistettu" not in after
    assert "meet.example" not in after


def test_the_same_address_twice_is_refused_with_a_clear_message(client, taxonomy):
    event = make_event()
    client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("Aino@Example.FI"))
    again = client.post(f"/tapahtumat/{event.id}/ilmoittaudu",
                        data=signup_form("aino@example.fi", submission_key="x" * 43, name="Aino V."))
    assert again.status_code == 409
    assert "jo ilmoittauduttu" in again.text and 'value="Aino V."' in again.text
    assert len(signups(event)) == 1


def test_the_error_summary_lists_the_faults_in_the_order_of_the_form(client, taxonomy):
    event = make_event()
    refused = client.post(f"/tapahtumat/{event.id}/ilmoittaudu",
                          data=signup_form("ei-osoite", name="", phone="12", consent=""))
    assert refused.status_code == 422
    summary = refused.text.split('class="virheyhteenveto"')[1].split("</ul>")[0]
    page = refused.text.split(summary, 1)[1]
    in_summary = re.findall(r'href="#([\w-]+)"', summary)
    assert in_summary == ["name", "email", "phone", "consent"]
    assert in_summary == [name for name in re.findall(r'<input[^>]*\sid="([\w-]+)"', page) if name in in_summary]


def test_the_same_form_sent_twice_makes_one_sign_up_and_one_mail(client, mailbox, taxonomy):
    event = make_event()
    first = client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form())
    second = client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form())
    assert first.status_code == second.status_code == 303
    assert len(signups(event)) == 1 and len(mailbox.messages) == 1


def test_the_unique_constraint_holds_when_the_check_is_passed(app, taxonomy):
    from sqlalchemy.exc import IntegrityError

    event = make_event()
    for key in ("a" * 43, "b" * 43):
        db.session.add(EventSignup(event_id=event.id, status="confirmed", name="X", organisation_name="Y",
                                   email="sama@example.fi", consent_at=datetime(2026, 1, 1), manage_nonce=key[:32],
                                   manage_token_hash=key * 1))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_sign_up_closes_at_the_deadline(client, taxonomy):
    event = make_event(days_ahead=2, deadline_days_before=3)  # the deadline was yesterday
    page = client.get(f"/tapahtumat/{event.id}")
    assert "Ilmoittautuminen on päättynyt" in page.text and "Ilmoittaudu</a>" not in page.text
    answer = client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form())
    assert answer.status_code == 410 and signups(event) == []


def test_a_full_event_past_its_deadline_offers_no_waiting_list(client, taxonomy):
    event = make_event(capacity=1)
    client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form())
    event.signup_deadline = helsinki_time() - timedelta(hours=1)
    db.session.commit()

    page = client.get(f"/tapahtumat/{event.id}").text

    assert "Ilmoittautuminen on päättynyt" in page and "varasijalle" not in page


def test_one_per_organisation_when_the_event_says_so(client, taxonomy):
    event = make_event(several=False)
    client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("eka@example.fi"))
    second = client.post(f"/tapahtumat/{event.id}/ilmoittaudu",
                         data=signup_form("toka@example.fi", organisation_name="iisalmen omaishoitajat ry "))
    assert second.status_code == 409 and "yksi osallistuja järjestöä kohden" in second.text


@pytest.mark.parametrize("first, second", [
    ("Esimerkkiyhdistys ry", "esimerkkiyhdistys  RY"),
    ("Esimerkkiyhdistys ry", " Esimerkkiyhdistys\tRy "),
    # SQLite's lower() folds only ASCII: the comparison must not depend on the database.
    ("Äänekosken Yhdistys ry", "ÄÄNEKOSKEN YHDISTYS RY"),
])
def test_one_per_organisation_ignores_case_and_spaces(client, taxonomy, first, second):
    event = make_event(several=False)
    client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("eka@example.fi", organisation_name=first))
    again = client.post(f"/tapahtumat/{event.id}/ilmoittaudu",
                        data=signup_form("toka@example.fi", organisation_name=second))
    assert again.status_code == 409
    error = again.text.split('id="organisation_name-virhe"', 1)[1].split("</p>", 1)[0]
    assert "yksi osallistuja järjestöä kohden" in error
    assert [s.email for s in signups(event)] == ["eka@example.fi"]


def test_one_per_organisation_holds_on_the_private_link_too(client, mailbox, taxonomy):
    event = make_event(several=False)
    client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("eka@example.fi"))
    client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form("toka@example.fi", organisation_name="Toinen ry"))
    second_link = manage_path(mailbox.bodies(mailbox.messages[1])[0])
    change = {"name": "Toka", "phone": "", "dietary_needs": "", "accessibility_needs": ""}

    taken = client.post(second_link + "/muuta", data={**change, "organisation_name": "IISALMEN omaishoitajat  ry"})

    assert taken.status_code == 409
    error = taken.text.split('id="organisation_name-virhe"', 1)[1].split("</p>", 1)[0]
    assert "yksi osallistuja järjestöä kohden" in error
    assert 'value="IISALMEN omaishoitajat  ry"' in taken.text
    assert [s.organisation_name for s in signups(event)] == ["Iisalmen Omaishoitajat ry", "Toinen ry"]
    # Keeping one's own organisation, however typed, is no second sign-up.
    kept = client.post(second_link + "/muuta", data={**change, "organisation_name": "toinen RY"})
    assert kept.status_code == 303
    assert [s.organisation_name for s in signups(event)] == ["Iisalmen Omaishoitajat ry", "toinen RY"]


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Kirjoita nimesi."),
    ("organisation_name", "  ", "Kirjoita järjestön"),
    ("email", "ei-osoite", "Sähköpostiosoite ei ole kelvollinen"),
    ("phone", "12", ""),
    ("consent", "", "Hyväksy tietojen käsittely"),
    ("dietary_needs", "x" * 501, "liian pitkä"),
])
def test_bad_input_is_marked_next_to_the_field_and_kept(client, taxonomy, field, value, message):
    event = make_event()
    data = signup_form(**{field: value})
    if not value:
        data.pop(field)
    answer = client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=data)
    assert answer.status_code == 422
    assert f'id="{field}-virhe"' in answer.text and message in answer.text
    assert 'value="Iisalmen Omaishoitajat ry"' in answer.text or field == "organisation_name"
    assert signups(event) == []


def test_a_crafted_submission_key_gets_a_fresh_form(client, taxonomy):
    event = make_event()
    answer = client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form(submission_key="<script>"))
    assert answer.status_code == 422 and "Lomake oli vanhentunut" in answer.text


def test_the_private_link_changes_details_and_unknown_links_are_404(client, mailbox, taxonomy):
    event = make_event()
    client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form())
    link = manage_path(mailbox.bodies(mailbox.messages[0])[0])
    changed = client.post(link + "/muuta", data={"name": "Aino Uusi", "organisation_name": "Toinen ry", "phone": "",
                                                 "dietary_needs": "", "accessibility_needs": "Pyörätuoli"})
    assert changed.status_code == 303
    [signup] = signups(event)
    assert (signup.name, signup.accessibility_needs, signup.email) == ("Aino Uusi", "Pyörätuoli", "aino@example.fi")
    bad = client.post(link + "/muuta", data={"name": "", "organisation_name": "Toinen ry"})
    assert bad.status_code == 422 and "Kirjoita nimesi." in bad.text
    assert client.get("/tapahtumat/ilmoittautuminen/tuntematon").status_code == 404


def test_reminder_goes_once_two_days_before(app, client, mailbox, taxonomy, runner):
    soon = make_event(days_ahead=1, deadline_days_before=0)
    later = make_event(days_ahead=10)
    for event in (soon, later):
        client.post(f"/tapahtumat/{event.id}/ilmoittaudu", data=signup_form(submission_key=f"{event.id:0>43}"))
    mailbox.messages.clear()

    result = runner.invoke(args=["events", "remind"])
    assert "event reminders queued: 1" in result.output
    deliver_due()
    [reminder] = mailbox.messages
    assert "Muistutus" in reminder["Subject"] and soon.title in reminder["Subject"]
    assert "/tapahtumat/ilmoittautuminen/" in mailbox.bodies(reminder)[0]

    assert "event reminders queued: 0" in runner.invoke(args=["events", "remind"]).output


def test_reminders_skip_cancelled_sign_ups_and_events(app, client, taxonomy, runner):
    from app.events.events import cancel_event

    soon = make_event(days_ahead=1, deadline_days_before=0)
    client.post(f"/tapahtumat/{soon.id}/ilmoittaudu", data=signup_form())
    cancel_event(soon, "Sairastuminen")
    db.session.commit()
    assert "event reminders queued: 0" in runner.invoke(args=["events", "remind"]).output


def test_a_session_is_shown_in_helsinki_time(client, taxonomy):
    event = make_event(days_ahead=5)
    day = event.starts_at
    assert f"{day.day}.{day.month}.{day.year} klo 13.00–15.30" in client.get(f"/tapahtumat/{event.id}").text
    assert day - timedelta(days=5) < day
