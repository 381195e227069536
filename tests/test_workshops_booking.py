"""Workshops booked like a booking system: free slots, holding and releasing them, the calendar's
rules, the orderer's change request and cancellation after confirmation, the reminder."""
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from tests.admin_support import make_staff, sign_in_staff
from tests.clients import once
from tests.test_workshops_helpers import CSRF, STATUS_LINK, order_form, seed_themes, status_form, today, weekday_from

from app.extensions import db
from app.models import Event, EventSession, OutboxMessage, WorkshopOrder, WorkshopSlot, utcnow
from app.workshops import booking, services
from app.workshops.display import helsinki_time

pytest_plugins = ["tests.conftest_mail"]

STAFF = "outi.ohjaaja@keskus.example"


@pytest.fixture
def app_config():
    # The staff sign-in helper posts without a token; the forms' CSRF is tested elsewhere.
    return {"WTF_CSRF_ENABLED": False, "STAFF_NOTIFY_EMAIL": "tyopajat@keskus.example"}


def csrf_of(page) -> str:
    found = CSRF.search(page.text)
    return found.group(1) if found else ""


@pytest.fixture
def themes(app):
    return seed_themes(app)


def day_ahead(days: int) -> datetime:
    day = weekday_from(today() + timedelta(days=days))
    return datetime.combine(day, time())


def publish(starts: list[datetime], facilitator="Outi Ohjaaja", towns="Kuopio, Siilinjärvi", remote=True,
            override="") -> int:
    added = booking.publish_slots(facilitator, starts, towns, remote, STAFF, override)
    db.session.commit()
    return added


def slot_order_form(theme_id, slot_id, **changes):
    """A valid order that takes a free slot instead of proposing dates."""
    return order_form(theme_id, slot=str(slot_id), date_1="", time_of_day_1="", date_2="", time_of_day_2="",
                      **changes)


def post_order(client, data):
    page = client.get("/tyopajat/tilaa")
    return client.post("/tyopajat/tilaa", data=once(data, csrf_token=csrf_of(page)))


def schedule_form(client, order, start: datetime, place: str, facilitator: str) -> dict:
    """The staff's confirm / move form for `order` as the browser would post it."""
    page = client.get(f"/yllapito/tyopajat/{order.id}")
    return {"csrf_token": csrf_of(page), "day": start.date().isoformat(), "start_time": f"{start:%H:%M}",
            "place_kind": "own_premises", "place": place, "remote_link": "", "facilitator": facilitator,
            "override_reason": ""}


def status_path(mailbox, order) -> str:
    mail = next(m for m in reversed(mailbox.messages) if m["To"] == order.email)
    return STATUS_LINK.search(mailbox.bodies(mail)[0]).group(0).removeprefix("http://portal.test")


# ---- the rules ------------------------------------------------------------------

@pytest.mark.parametrize("start, outside", [
    (datetime(2027, 1, 11, 8, 0), False),   # Monday 8–10
    (datetime(2027, 1, 11, 18, 0), False),  # ends at 20
    (datetime(2027, 1, 11, 7, 30), True),
    (datetime(2027, 1, 11, 18, 30), True),  # ends 20.30
    (datetime(2027, 1, 16, 10, 0), True),   # Saturday
    (datetime(2027, 1, 17, 10, 0), True),   # Sunday
    (datetime(2027, 1, 11, 23, 0), True),   # runs past midnight
])
def test_working_hours_are_weekdays_from_8_to_20(start, outside):
    assert booking.outside_working_hours(start) is outside


def test_a_saturday_morning_slot_is_refused_unless_a_reason_is_given(app):
    saturday = day_ahead(30)
    while saturday.weekday() != 5:
        saturday += timedelta(days=1)
    with pytest.raises(booking.BookingError, match="8–20"):
        publish([saturday.replace(hour=8)])
    db.session.rollback()
    assert publish([saturday.replace(hour=8)], override="Messut lauantaina") == 1


def test_slots_overlapping_a_confirmed_workshop_or_an_event_are_refused(app, themes):
    start = day_ahead(30).replace(hour=13)
    order, _token = services.place_order(_details(themes[0].id))
    services.confirm(order, start, "Puijonkatu 1", "", "Outi Ohjaaja", STAFF)
    event = Event(title="Pienmarkkinat", description="", kind="pienmarkkinat", audience="", remote=False,
                  place_name="Järjestötalo", address="", accessibility="", remote_link="", capacity=50,
                  signup_deadline=start, several_per_organisation=True, status="published", cancel_reason="",
                  ics_sequence=0)
    db.session.add(event)
    db.session.flush()
    event_day = start + timedelta(days=1)
    db.session.add(EventSession(event_id=event.id, starts_at=event_day.replace(hour=10),
                                ends_at=event_day.replace(hour=15)))
    db.session.commit()

    with pytest.raises(booking.BookingError, match=order.reference):
        publish([start.replace(hour=14)], facilitator="Toinen Ohjaaja")
    db.session.rollback()
    with pytest.raises(booking.BookingError, match="Pienmarkkinat"):
        publish([event_day.replace(hour=9)], facilitator="Toinen Ohjaaja")
    db.session.rollback()
    # Back to back is no clash.
    assert publish([start.replace(hour=15)], facilitator="Toinen Ohjaaja") == 1


def test_a_facilitator_cannot_be_in_two_overlapping_slots_but_a_republished_start_is_skipped(app):
    start = day_ahead(30).replace(hour=9)
    assert publish([start]) == 1
    assert publish([start, start + timedelta(days=1)]) == 1
    with pytest.raises(booking.BookingError, match="Ohjaajalla on jo nämä ajat"):
        publish([start])
    with pytest.raises(booking.BookingError, match="Outi Ohjaaja"):
        publish([start.replace(hour=10)])
    db.session.rollback()
    assert publish([start.replace(hour=10)], facilitator="Toinen Ohjaaja") == 1


def test_no_reason_publishes_a_passed_time_or_one_facilitators_two_times_at_once(app):
    earlier_today = helsinki_time().replace(second=0, microsecond=0) - timedelta(minutes=30)
    with pytest.raises(booking.BookingError, match="on jo mennyt"):
        publish([earlier_today], override="Halutaan silti")
    db.session.rollback()
    start = day_ahead(30).replace(hour=9)
    with pytest.raises(booking.BookingError, match="menevät päällekkäin"):
        publish([start, start.replace(hour=10)], override="Halutaan silti")
    db.session.rollback()
    assert db.session.scalar(select(func.count(WorkshopSlot.id))) == 0


def test_a_workshop_is_not_confirmed_for_a_time_already_passed(client, themes):
    post_order(client, order_form(themes[0].id))
    order = db.session.scalars(select(WorkshopOrder)).one()
    earlier_today = helsinki_time().replace(second=0, microsecond=0) - timedelta(minutes=30)
    with pytest.raises(services.WorkshopError, match="Aika on jo mennyt"):
        services.confirm(order, earlier_today, "Puijonkatu 1", "", "Outi Ohjaaja", STAFF, override_reason="Silti")
    db.session.rollback()
    assert db.session.get(WorkshopOrder, order.id).status == "new"


def test_the_availability_form_makes_a_slot_for_each_weekday_and_start_time(app, client):
    make_staff(STAFF)
    sign_in_staff(client, STAFF)
    monday = day_ahead(21)
    while monday.weekday() != 0:
        monday += timedelta(days=1)
    page = client.get("/yllapito/tyopajat/ajat")
    answer = client.post("/yllapito/tyopajat/ajat", data={
        "csrf_token": csrf_of(page), "facilitator": "Outi Ohjaaja", "first_day": monday.date().isoformat(),
        "last_day": (monday + timedelta(days=13)).date().isoformat(), "weekdays": ["1", "3"],
        "start_times": "9:00, 13.00", "towns": "Kuopio", "remote": "y",
    })
    assert answer.status_code == 303, answer.text
    starts = list(db.session.scalars(select(WorkshopSlot.starts_at).order_by(WorkshopSlot.starts_at)))
    assert len(starts) == 8
    assert {start.weekday() for start in starts} == {1, 3}
    assert {start.time() for start in starts} == {time(9), time(13)}
    listing = client.get("/yllapito/tyopajat/ajat")
    assert "Outi Ohjaaja" in listing.text and "Kuopio tai etänä" in listing.text


@pytest.mark.parametrize("changes, message", [
    ({"facilitator": ""}, "Kirjoita ohjaajan nimi."),
    ({"first_day": "31.2.2027"}, "pp.kk.vvvv"),
    ({"weekdays": []}, "Valitse ainakin yksi viikonpäivä."),
    ({"start_times": "yhdeksältä"}, "tt:mm"),
    ({"towns": "", "remote": ""}, "Kirjoita paikkakunnat tai valitse etäyhteys."),
    ({"start_times": "6:00"}, "8–20"),
])
def test_the_availability_form_says_what_is_wrong_and_keeps_the_input(app, client, changes, message):
    make_staff(STAFF)
    sign_in_staff(client, STAFF)
    first = day_ahead(21).date()
    data = {"facilitator": "Outi Ohjaaja", "first_day": first.isoformat(),
            "last_day": (first + timedelta(days=6)).isoformat(), "weekdays": ["0", "1", "2", "3", "4"],
            "start_times": "9:00", "towns": "Kuopio", "remote": "y", **changes}
    page = client.get("/yllapito/tyopajat/ajat")
    answer = client.post("/yllapito/tyopajat/ajat", data={**data, "csrf_token": csrf_of(page)})
    assert answer.status_code == 422
    assert message in answer.text
    assert 'value="Kuopio"' in answer.text or not data["towns"]
    assert db.session.scalar(select(WorkshopSlot.id)) is None


# ---- ordering a slot -------------------------------------------------------------

def test_the_order_form_offers_free_slots_and_the_chosen_one_is_held(client, mailbox, themes):
    start = day_ahead(30).replace(hour=13)
    publish([start, start.replace(hour=9)])
    too_soon = day_ahead(3).replace(hour=9)
    publish([too_soon], facilitator="Kiireinen Ohjaaja", override="testi")
    form_page = client.get("/tyopajat/tilaa")
    assert "Outi Ohjaaja" in form_page.text and "Kiireinen Ohjaaja" not in form_page.text
    slot = db.session.scalar(select(WorkshopSlot).where(WorkshopSlot.starts_at == start))

    answer = post_order(client, slot_order_form(themes[0].id, slot.id))

    assert answer.status_code == 303, answer.text
    order = db.session.scalars(select(WorkshopOrder)).one()
    db.session.refresh(slot)
    assert slot.order_id == order.id and order.preferred_times == []
    assert "Outi Ohjaaja" in mailbox.bodies(mailbox.messages[0])[0]
    again = client.get("/tyopajat/tilaa")
    assert f'name="slot" type="radio" value="{slot.id}"' not in again.text


def order_slot_taken_meanwhile(client, themes, slot):
    """Load the order form, let another order take `slot`, then send the form choosing it."""
    page = client.get("/tyopajat/tilaa")
    services.place_order(_details(themes[0].id, slot_id=slot.id))
    db.session.commit()
    return client.post("/tyopajat/tilaa", data=once(slot_order_form(themes[0].id, slot.id), csrf_token=csrf_of(page)))


def test_a_slot_taken_a_moment_earlier_keeps_the_orderers_input(client, themes):
    start = day_ahead(30).replace(hour=13)
    publish([start, start.replace(hour=9)])
    slot = db.session.scalar(select(WorkshopSlot).where(WorkshopSlot.starts_at == start))

    answer = order_slot_taken_meanwhile(client, themes, slot)

    assert answer.status_code == 422
    error = answer.text.split('id="slot-virhe"', 1)[1].split("</p>", 1)[0]
    assert "Valitsemasi aika ehti juuri varautua toiselle. Valitse toinen aika." in error
    assert "Valitse vapaa aika tai" not in answer.text
    assert "Haluamme selkeyttää vapaaehtoisten roolit ja tehtävät." in answer.text
    assert 'value="Maija Meikäläinen"' in answer.text
    # The other free slot is still offered; the dates were not asked for.
    assert f'name="slot" type="radio" value="{slot.id}"' not in answer.text and 'name="slot" type="radio"' in answer.text
    assert 'id="date_1-virhe"' not in answer.text
    assert db.session.scalar(select(db.func.count(WorkshopOrder.id))) == 1


def test_the_last_free_slot_taken_a_moment_earlier_is_named_too(client, themes):
    publish([day_ahead(30).replace(hour=13)])
    slot = db.session.scalars(select(WorkshopSlot)).one()

    answer = order_slot_taken_meanwhile(client, themes, slot)

    assert answer.status_code == 422
    error = answer.text.split('id="slot-virhe"', 1)[1].split("</p>", 1)[0]
    assert "Valitsemasi aika ehti juuri varautua toiselle." in error
    assert "Vapaita aikoja ei ole nyt jäljellä" in answer.text
    assert 'id="date_1-virhe"' not in answer.text
    assert "Haluamme selkeyttää vapaaehtoisten roolit ja tehtävät." in answer.text
    # Proposing dates instead now goes through.
    assert post_order(client, order_form(themes[0].id)).status_code == 303


def test_choosing_other_time_needs_preferred_dates(client, themes):
    publish([day_ahead(30).replace(hour=13)])
    answer = post_order(client, slot_order_form(themes[0].id, "muu"))
    assert answer.status_code == 422
    assert "Ehdota vähintään kaksi päivää." in answer.text
    answer = post_order(client, order_form(themes[0].id, slot="muu"))
    assert answer.status_code == 303


def test_without_published_slots_the_form_asks_for_dates_as_before(client, themes):
    page = client.get("/tyopajat/tilaa")
    assert 'name="slot"' not in page.text
    assert post_order(client, order_form(themes[0].id)).status_code == 303


def test_cancelling_releases_the_slot(client, mailbox, themes):
    start = day_ahead(30).replace(hour=13)
    publish([start])
    slot = db.session.scalars(select(WorkshopSlot)).one()
    post_order(client, slot_order_form(themes[0].id, slot.id))
    order = db.session.scalars(select(WorkshopOrder)).one()
    path = status_path(mailbox, order)

    page = client.get(path)
    answer = client.post(f"{path}/peru", data=status_form(page, "peru", reason=""))

    assert answer.status_code == 303
    db.session.refresh(slot)
    assert slot.order_id is None
    assert f'name="slot" type="radio" value="{slot.id}"' in client.get("/tyopajat/tilaa").text


# ---- staff confirm with the rules ------------------------------------------------------

def test_confirming_over_another_workshop_is_refused_then_allowed_with_a_reason(client, mailbox, themes):
    make_staff(STAFF)
    start = day_ahead(30).replace(hour=13)
    first, _token = services.place_order(_details(themes[0].id))
    services.confirm(first, start, "Puijonkatu 1", "", "Outi Ohjaaja", STAFF)
    second, _token = services.place_order(_details(themes[1].id))
    db.session.commit()
    sign_in_staff(client, STAFF)
    data = schedule_form(client, second, start.replace(hour=14), "Kauppakatu 2, Kuopio", "Toinen Ohjaaja")

    refused = client.post(f"/yllapito/tyopajat/{second.id}/vahvista", data=data)

    assert refused.status_code == 409
    assert first.reference in refused.text and 'value="Kauppakatu 2, Kuopio"' in refused.text
    db.session.expire_all()
    assert db.session.get(WorkshopOrder, second.id).status == "new"

    allowed = client.post(f"/yllapito/tyopajat/{second.id}/vahvista",
                          data={**data, "override_reason": "Kaksi ohjaajaa, eri tilat"})
    assert allowed.status_code == 303
    db.session.expire_all()
    confirmed = db.session.get(WorkshopOrder, second.id)
    assert confirmed.status == "confirmed"
    assert "Kaksi ohjaajaa, eri tilat" in confirmed.history[-1].note


def test_a_slot_order_is_confirmed_at_its_slot_without_a_clash_with_itself(client, mailbox, themes):
    make_staff(STAFF)
    start = day_ahead(30).replace(hour=13)
    publish([start])
    slot = db.session.scalars(select(WorkshopSlot)).one()
    order, _token = services.place_order(_details(themes[0].id, slot_id=slot.id))
    db.session.commit()
    sign_in_staff(client, STAFF)
    page = client.get(f"/yllapito/tyopajat/{order.id}")
    assert 'value="13:00"' in page.text and 'value="Outi Ohjaaja"' in page.text
    services.confirm(order, start, "Puijonkatu 1", "", "Outi Ohjaaja", STAFF)
    db.session.commit()
    assert order.status == "confirmed"


def test_confirming_another_time_frees_the_slot_the_order_held_and_takes_the_one_agreed(client, mailbox, themes):
    booked, agreed = day_ahead(30).replace(hour=13), day_ahead(37).replace(hour=13)
    publish([booked, agreed], facilitator="Aino Ohjaaja")
    first_slot, agreed_slot = db.session.scalars(select(WorkshopSlot).order_by(WorkshopSlot.starts_at)).all()
    order, _token = services.place_order(_details(themes[0].id, slot_id=first_slot.id))

    services.confirm(order, agreed, "Puijonkatu 1", "", "Aino Ohjaaja", STAFF)
    db.session.commit()

    db.session.expire_all()
    # The time it first took is free for the next order; the agreed one is no longer offered as free.
    assert db.session.get(WorkshopSlot, first_slot.id).order_id is None
    assert db.session.get(WorkshopSlot, agreed_slot.id).order_id == order.id
    offered = [slot.id for slot in booking.free_slots(today())]
    assert first_slot.id in offered and agreed_slot.id not in offered

    services.reschedule(order, agreed.replace(hour=9), "Puijonkatu 1", "", "Aino Ohjaaja", STAFF)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(WorkshopSlot, agreed_slot.id).order_id is None


def test_moving_a_workshop_to_the_same_time_and_place_sends_nothing(client, mailbox, themes):
    make_staff(STAFF)
    start = day_ahead(30).replace(hour=13)
    order, _token = services.place_order(_details(themes[0].id))
    services.confirm(order, start, "Puijonkatu 1", "", "Outi Ohjaaja", STAFF)
    db.session.commit()
    sign_in_staff(client, STAFF)
    data = schedule_form(client, order, start, "Puijonkatu 1 ", "Outi Ohjaaja")
    queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))

    answer = client.post(f"/yllapito/tyopajat/{order.id}/siirra", data=data, follow_redirects=True)

    assert "ovat ennallaan" in answer.text
    db.session.expire_all()
    moved = db.session.get(WorkshopOrder, order.id)
    assert moved.ics_sequence == 0 and len(moved.history) == 2  # ordered, confirmed
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == queued


# ---- the orderer after confirmation -------------------------------------------------------

@pytest.fixture
def confirmed(client, mailbox, themes):
    make_staff(STAFF)
    post_order(client, order_form(themes[0].id))
    order = db.session.scalars(select(WorkshopOrder)).one()
    path = status_path(mailbox, order)
    services.confirm(order, day_ahead(30).replace(hour=13), "Puijonkatu 1", "", "Outi Ohjaaja", STAFF)
    db.session.commit()
    mailbox.messages.clear()
    return order, path


def test_the_status_page_names_the_staff_contact_and_shows_no_repeated_steps(client, confirmed):
    order, path = confirmed
    services.reschedule(order, day_ahead(31).replace(hour=10), "Puijonkatu 1", "", "Outi Ohjaaja", STAFF)
    db.session.commit()
    page = client.get(path)
    assert STAFF in page.text and "Outi Ohjaaja" in page.text
    assert page.text.count(": Vahvistettu</li>") == 1
    assert "Aikaa tai paikkaa muutettu" in page.text


def test_the_language_switch_of_a_refused_change_request_leads_back_to_the_status_page(client, confirmed):
    """The request's address only takes POST (platform.languages._page_shown)."""
    _order, path = confirmed
    page = client.get(path)
    empty = client.post(f"{path}/muutos", data=status_form(page, "muutos", message=" "),
                        headers={"Referer": f"http://localhost{path}"})
    assert empty.status_code == 422
    assert f'href="/sv{path}"' in empty.text and f'href="/sv{path}/muutos"' not in empty.text


def test_the_orderer_asks_for_a_change_and_the_handler_hears_of_it(client, mailbox, confirmed):
    order, path = confirmed
    page = client.get(path)
    empty = client.post(f"{path}/muutos", data=status_form(page, "muutos", message=" "))
    assert empty.status_code == 422 and "Kerro, mitä haluat muuttaa." in empty.text

    answer = client.post(f"{path}/muutos", data=status_form(page, "muutos", message="Voisiko työpajan siirtää viikolla?"))

    assert answer.status_code == 303
    requests = [message for message in mailbox.messages if message["Subject"].startswith("Muutospyyntö")]
    assert {message["To"] for message in requests} == {STAFF, "tyopajat@keskus.example"}, [
        (m["To"], m["Subject"]) for m in mailbox.messages]
    assert "Voisiko työpajan siirtää viikolla?" in mailbox.bodies(requests[0])[0]
    assert "Muutosta pyydetty" in client.get(path).text


def test_a_double_click_on_the_change_request_asks_once(client, mailbox, confirmed):
    order, path = confirmed
    data = status_form(client.get(path), "muutos", message="Voisiko työpajan siirtää viikolla?")
    mailbox.messages.clear()

    first = client.post(f"{path}/muutos", data=data)
    second = client.post(f"{path}/muutos", data=data)

    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    db.session.refresh(order)
    assert [change.note for change in order.history].count("Voisiko työpajan siirtää viikolla?") == 1
    requests = [message["To"] for message in mailbox.messages if message["Subject"].startswith("Muutospyyntö")]
    assert sorted(requests) == sorted({STAFF, "tyopajat@keskus.example"})


def test_the_same_change_request_sent_again_after_back_asks_once(client, mailbox, confirmed):
    order, path = confirmed
    first = client.post(f"{path}/muutos", data=status_form(client.get(path), "muutos", message="Voisiko siirtää?"))
    mailbox.messages.clear()

    # Back to the status page, fetched again (it is never cached) under a new one-time key, and Send.
    again = client.post(f"{path}/muutos", data=status_form(client.get(path), "muutos", message="Voisiko siirtää?"))

    assert first.status_code == again.status_code == 303
    db.session.refresh(order)
    assert [change.note for change in order.history].count("Voisiko siirtää?") == 1
    assert mailbox.messages == []


def test_a_form_refused_on_the_status_page_leaves_the_other_form_ready_to_send(client, confirmed):
    order, path = confirmed
    refused = client.post(f"{path}/muutos", data=status_form(client.get(path), "muutos", message=" "))
    assert refused.status_code == 422

    answer = client.post(f"{path}/peru", data=status_form(refused, "peru", reason="Sairastuimme"))

    assert answer.status_code == 303
    db.session.refresh(order)
    assert order.status == "cancelled"


def test_the_orderer_may_cancel_a_confirmed_workshop_with_a_calendar_cancellation(client, mailbox, confirmed):
    order, path = confirmed
    page = client.get(path)
    answer = client.post(f"{path}/peru", data=status_form(page, "peru", reason="Sairastuimme"))
    assert answer.status_code == 303
    db.session.refresh(order)
    assert order.status == "cancelled" and order.cancelled_by == "orderer"
    to_orderer = next(m for m in mailbox.messages if m["To"] == order.email)
    assert any(part.get_content_type() == "text/calendar" for part in to_orderer.walk())
    assert STAFF in {message["To"] for message in mailbox.messages}


def test_after_the_start_the_orderer_can_no_longer_cancel(app, confirmed):
    order, _path = confirmed
    with pytest.raises(services.WorkshopError):
        services.cancel_by_orderer(order, now=utcnow() + timedelta(days=40))


# ---- the reminder ---------------------------------------------------------------

def test_the_reminder_goes_once_two_days_before_and_again_after_a_move(app, runner, mailbox, themes):
    soon = helsinki_time() + timedelta(days=1)
    order, _token = services.place_order(_details(themes[0].id))
    services.confirm(order, soon.replace(tzinfo=None, second=0, microsecond=0), "", "https://meet.example/x",
                     "Outi Ohjaaja", STAFF, override_reason="testi")
    later, _token = services.place_order(_details(themes[1].id))
    services.confirm(later, day_ahead(30).replace(hour=13), "Puijonkatu 1", "", "Outi Ohjaaja", STAFF)
    db.session.commit()
    mailbox.messages.clear()

    first = runner.invoke(args=["workshops", "remind"])
    second = runner.invoke(args=["workshops", "remind"])

    assert "workshop reminders queued: 1" in first.output
    assert "workshop reminders queued: 0" in second.output
    db.session.expire_all()
    [reminder] = [m for m in db.session.scalars(select(WorkshopOrder.reminded_at)) if m]
    assert reminder is not None


def _details(theme_id: int, slot_id: int | None = None) -> services.OrderDetails:
    first, second = weekday_from(today() + timedelta(days=21)), weekday_from(today() + timedelta(days=22))
    return services.OrderDetails(
        organisation_name="Kuopion Muistiyhdistys ry", contact_person="Maija Meikäläinen", email="maija@example.fi",
        phone="+358401234567", audience=["board"], participants=10, theme_id=theme_id, own_proposal="",
        goal="Selkeyttä.", preferred_times=[] if slot_id else [services.PreferredTime(first, "iltapäivä"),
                                                                services.PreferredTime(second, "ilta")],
        place_kind="remote", slot_id=slot_id,
    )


def test_demo_slots_are_seeded_once_and_offered(client, themes):
    from app.workshops.demo import seed_demo_slots

    assert seed_demo_slots() > 0
    db.session.commit()
    assert seed_demo_slots() == 0
    assert "Aino Ohjaaja" in client.get("/tyopajat/tilaa").text


def test_the_calendar_shows_a_week_and_a_month_with_every_kind_named(client, themes):
    make_staff(STAFF)
    start = day_ahead(30).replace(hour=13)
    publish([start.replace(hour=9)])
    order, _token = services.place_order(_details(themes[0].id))
    services.confirm(order, start, "Puijonkatu 1", "", "Outi Ohjaaja", STAFF)
    db.session.commit()
    sign_in_staff(client, STAFF)

    week = client.get(f"/yllapito/kalenteri?paiva={start.date().isoformat()}")
    month = client.get(f"/yllapito/kalenteri?nakyma=kuukausi&paiva={start.date().isoformat()}")
    odd = client.get("/yllapito/kalenteri?nakyma=vuosi&paiva=eilen")

    for page in (week, month):
        assert page.status_code == 200
        assert "Työpaja:" in page.text and order.reference in page.text
        assert "Vapaa aika:" in page.text and "13.00–15.00" in page.text
    assert odd.status_code == 200 and "Edellinen viikko" in odd.text


def test_the_calendar_and_slot_pages_are_closed_to_everyone_else(app):
    anonymous = app.test_client()
    for path in ("/yllapito/kalenteri", "/yllapito/tyopajat/ajat"):
        answer = anonymous.get(path)
        assert answer.status_code in (302, 303, 403) and "Kalenteri</h1>" not in answer.text
    assert anonymous.post("/yllapito/tyopajat/ajat/1/poista").status_code in (302, 303, 400, 403)
