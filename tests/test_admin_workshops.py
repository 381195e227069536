"""Staff handling of workshop orders under /yllapito/tyopajat, through the pages and real SMTP:
the list and its filters, confirm with an .ics invitation, reschedule, cancel, held, the
feedback link, the feedback figures with their CSV, notes, and the audit trail."""
import csv
import io
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select
from tests.admin_support import STAFF_EMAIL, make_staff, sign_in_staff
from tests.clients import once
from tests.test_workshops_helpers import (
    FEEDBACK_LINK,
    good_dates,
    order_form,
    seed_themes,
    today,
    weekday_from,
)

from app.extensions import db
from app.models import AuditEvent, OutboxMessage, WorkshopOrder, utcnow
from app.platform.csv_export import BOM
from app.platform.mail_delivery import deliver_due
from app.workshops.services import OrderDetails, PreferredTime, place_order
from app.workshops.staff_forms import WorkshopOrderFilter
from app.workshops.staff_routes import order_page

HELSINKI = ZoneInfo("Europe/Helsinki")
ANSWERS = (
    ({"need": "4", "tools": "3", "facilitation": "4", "recommend": "4"}, "Selkeä ja innostava ohjaus."),
    ({"need": "2", "tools": "1", "facilitation": "3", "recommend": "4"}, ""),
)


@pytest.fixture
def themes(app):
    return seed_themes(app)


@pytest.fixture
def staff(client):
    make_staff()
    sign_in_staff(client)
    return client


def order_through_the_form(app, themes, **changes) -> WorkshopOrder:
    """An order sent by an association through the public form, in its own browser."""
    answer = app.test_client().post("/tyopajat/tilaa", data=order_form(themes[0].id, **changes))
    assert answer.status_code == 303, answer.text
    return db.session.scalars(select(WorkshopOrder).order_by(WorkshopOrder.id.desc())).first()


@pytest.fixture
def order(app, themes) -> WorkshopOrder:
    return order_through_the_form(app, themes)


def stored_order(order_id: int) -> WorkshopOrder:
    db.session.expire_all()
    return db.session.get(WorkshopOrder, order_id)


def future_weekday(days_ahead: int = 30) -> date:
    return weekday_from(today() + timedelta(days=days_ahead))


def schedule_form(day: date | str, **changes) -> dict:
    data = {
        "day": day if isinstance(day, str) else day.isoformat(),
        "start_time": "13:00",
        "place_kind": "own_premises",
        "place": "Puijonkatu 1, 70100 Kuopio",
        "remote_link": "",
        "facilitator": "Outi Ohjaaja",
    }
    data.update(changes)
    return data


def calendar_event(message) -> tuple[icalendar.Event, str]:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    return event, str(calendar["METHOD"])


def audit_actions() -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.object_type)
            for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action != "sign_in").order_by(AuditEvent.id))]


def page_table(text: str, table_id: str) -> list[list[str]]:
    """The rows of one HTML table as text cells, the header row first."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', text, re.S).group(0)
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows


def test_the_whole_flow_from_order_to_feedback_figures(app, staff, mailbox, order):
    mailbox.messages.clear()  # the orderer's receipt
    assert staff.get("/yllapito/").text.count(f"/yllapito/tyopajat/{order.id}") == 1
    listing = staff.get("/yllapito/tyopajat?tila=new")
    assert listing.status_code == 200 and order.reference in listing.text
    page = staff.get(f"/yllapito/tyopajat/{order.id}")
    assert page.status_code == 200
    for shown in ("Kuopion Muistiyhdistys ry", "Maija Meikäläinen", "maija@example.fi", "040 123 4567",
                  "Haluamme selkeyttää vapaaehtoisten roolit", "pyörätuolia", "Puijonkatu 1, Kuopio",
                  "Vahvista työpaja", "Tilaus saapui"):
        assert shown in page.text, shown
    assert "Merkitse työpaja pidetyksi" not in page.text

    first_day = future_weekday(30)
    confirmed = staff.post(f"/yllapito/tyopajat/{order.id}/vahvista", data=schedule_form(first_day))
    assert confirmed.status_code == 303, confirmed.text
    assert stored_order(order.id).status == "confirmed"
    [invitation] = mailbox.messages
    assert invitation["To"] == "maija@example.fi"
    event, method = calendar_event(invitation)
    assert method == "REQUEST"
    assert event.decoded("DTSTART") == datetime(first_day.year, first_day.month, first_day.day, 13, tzinfo=HELSINKI)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=2)
    assert str(event["LOCATION"]) == "Puijonkatu 1, 70100 Kuopio"
    uid, sequence = str(event["UID"]), int(event["SEQUENCE"])
    assert (uid, sequence) == (f"{order.reference}@portal.test", 0)
    assert "Työpaja on vahvistettu" in staff.get(confirmed.headers["Location"]).text

    later_day = future_weekday(40)
    moved = staff.post(f"/yllapito/tyopajat/{order.id}/siirra", data=schedule_form(
        later_day.strftime("%d.%m.%Y"), start_time="9.30", place_kind="remote", place="ei käytetä",
        remote_link="https://meet.example/tyopaja-42"))
    assert moved.status_code == 303, moved.text
    update = mailbox.messages[-1]
    event, method = calendar_event(update)
    assert method == "REQUEST"
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) > sequence
    assert event.decoded("DTSTART") == datetime(later_day.year, later_day.month, later_day.day, 9, 30, tzinfo=HELSINKI)
    assert "https://meet.example/tyopaja-42" in str(event["LOCATION"])
    current = stored_order(order.id)
    assert (current.place, current.remote_link) == ("", "https://meet.example/tyopaja-42")

    # The day of the workshop comes.
    current.scheduled_start = datetime.combine(today() - timedelta(days=1), datetime.min.time()).replace(hour=13)
    db.session.commit()
    page = staff.get(f"/yllapito/tyopajat/{order.id}")
    assert "Merkitse työpaja pidetyksi" in page.text
    held = staff.post(f"/yllapito/tyopajat/{order.id}/pidetty")
    assert held.status_code == 303
    assert stored_order(order.id).status == "held"
    page = staff.get(f"/yllapito/tyopajat/{order.id}")
    survey_link = FEEDBACK_LINK.search(page.text).group(0)
    assert "Lähetä palautelinkki tilaajalle" in page.text

    mailbox.messages.clear()
    button = once({})  # a double click sends the button's form twice: one mail
    sent = staff.post(f"/yllapito/tyopajat/{order.id}/palautelinkki", data=button)
    again = staff.post(f"/yllapito/tyopajat/{order.id}/palautelinkki", data=button)
    assert sent.status_code == again.status_code == 303
    assert len(mailbox.messages) == 1
    link_mail = mailbox.messages[-1]
    assert link_mail["To"] == "maija@example.fi" and survey_link in mailbox.bodies(link_mail)[0]
    assert "Palautelinkki lähetettiin osoitteeseen maija@example.fi" in staff.get(sent.headers["Location"]).text

    for answers, words in ANSWERS:
        participant = app.test_client()
        path = survey_link.removeprefix("http://portal.test")
        assert participant.post(path, data=once({**answers, "open_answer": words})).status_code == 303

    figures = staff.get("/yllapito/tyopajat/palaute")
    assert figures.status_code == 200
    assert "2 vastausta." in figures.text and "Selkeä ja innostava ohjaus." in figures.text
    assert figures.text.count('<svg xmlns="http://www.w3.org/2000/svg" class="kaavio"') == 4
    table = page_table(figures.text, "palaute-taulukko")
    assert table[0] == ["Väittämä", "1 täysin eri mieltä", "2 jokseenkin eri mieltä", "3 jokseenkin samaa mieltä",
                        "4 täysin samaa mieltä", "Vastauksia", "Keskiarvo"]
    assert table[1] == ["Työpaja vastasi tarpeeseemme", "0", "1", "0", "1", "2", "3,00"]

    download = staff.get("/yllapito/tyopajat/palaute.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    text = download.data.decode("utf-8")
    assert text.startswith(BOM)
    assert list(csv.reader(io.StringIO(text.removeprefix(BOM)), delimiter=";")) == table

    per_order = staff.get(f"/yllapito/tyopajat/{order.id}")
    assert page_table(per_order.text, f"tilaus-{order.id}-taulukko") == table
    assert "Selkeä ja innostava ohjaus." in per_order.text
    own_csv = staff.get(f"/yllapito/tyopajat/{order.id}/palaute.csv")
    assert list(csv.reader(io.StringIO(own_csv.data.decode("utf-8").removeprefix(BOM)), delimiter=";")) == table
    assert f'filename="palaute-{order.reference}.csv"' in own_csv.headers["Content-Disposition"]

    history = page_table(per_order.text, "historia-taulukko")
    assert [row[1] for row in history[1:]] == [
        "Tilaus saapui", "Uusi – odottaa käsittelyä → Vahvistettu", "Aikaa tai paikkaa muutettu",
        "Vahvistettu → Pidetty",
    ]
    assert [row[2] for row in history[1:]] == ["Tilaaja", STAFF_EMAIL, STAFF_EMAIL, STAFF_EMAIL]
    assert audit_actions() == [
        (STAFF_EMAIL, "workshop_confirm", "workshop_order"),
        (STAFF_EMAIL, "workshop_reschedule", "workshop_order"),
        (STAFF_EMAIL, "workshop_held", "workshop_order"),
        (STAFF_EMAIL, "workshop_feedback_link", "workshop_order"),
        (STAFF_EMAIL, "export", "workshop_feedback"),
        (STAFF_EMAIL, "export", "workshop_order"),
    ]


def test_feedback_figures_per_theme(app, staff, themes):
    first = order_through_the_form(app, themes)
    second = order_through_the_form(app, themes, theme=str(themes[1].id))
    for held_order, answers in ((first, ANSWERS[0][0]), (second, ANSWERS[1][0])):
        confirm_in_the_past(staff, held_order)
        assert staff.post(f"/yllapito/tyopajat/{held_order.id}/pidetty").status_code == 303
        link = FEEDBACK_LINK.search(staff.get(f"/yllapito/tyopajat/{held_order.id}").text).group(0)
        assert app.test_client().post(link.removeprefix("http://portal.test"), data=once(answers)).status_code == 303

    everything = page_table(staff.get("/yllapito/tyopajat/palaute").text, "palaute-taulukko")
    assert everything[1][1:6] == ["0", "1", "0", "1", "2"]
    one_theme = staff.get(f"/yllapito/tyopajat/palaute?teema={themes[1].id}")
    assert f"Teema: {themes[1].name}" in one_theme.text
    assert page_table(one_theme.text, "palaute-taulukko")[1][1:6] == ["0", "1", "0", "0", "1"]
    download = staff.get(f"/yllapito/tyopajat/palaute.csv?teema={themes[1].id}")
    assert f'filename="palaute-teema-{themes[1].id}.csv"' in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8").removeprefix(BOM)), delimiter=";"))
    assert rows[1][1:6] == ["0", "1", "0", "0", "1"]


def test_feedback_figures_of_own_proposals(app, staff, themes):
    """"Oma ehdotus" is a choice of the feedback filter: the orders without a theme."""
    themed = order_through_the_form(app, themes)
    own = order_through_the_form(app, themes, theme="oma", own_proposal="Hallituksen vuosikello")
    for held_order, answers in ((themed, ANSWERS[0][0]), (own, ANSWERS[1][0])):
        confirm_in_the_past(staff, held_order)
        assert staff.post(f"/yllapito/tyopajat/{held_order.id}/pidetty").status_code == 303
        link = FEEDBACK_LINK.search(staff.get(f"/yllapito/tyopajat/{held_order.id}").text).group(0)
        assert app.test_client().post(link.removeprefix("http://portal.test"), data=once(answers)).status_code == 303

    assert '<option value="oma">Oma ehdotus</option>' in staff.get("/yllapito/tyopajat/palaute").text
    own_only = staff.get("/yllapito/tyopajat/palaute?teema=oma")
    assert '<option value="oma" selected>Oma ehdotus</option>' in own_only.text
    assert "Teema: Oma ehdotus" in own_only.text
    assert page_table(own_only.text, "palaute-taulukko")[1][1:6] == ["0", "1", "0", "0", "1"]
    download = staff.get("/yllapito/tyopajat/palaute.csv?teema=oma")
    assert 'filename="palaute-oma-ehdotus.csv"' in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8").removeprefix(BOM)), delimiter=";"))
    assert rows[1][1:6] == ["0", "1", "0", "0", "1"]


def confirm_in_the_past(staff, order: WorkshopOrder) -> None:
    """Confirm through the page, then let the workshop's day pass."""
    answer = staff.post(f"/yllapito/tyopajat/{order.id}/vahvista", data=schedule_form(future_weekday()))
    assert answer.status_code == 303, answer.text
    current = stored_order(order.id)
    current.scheduled_start = datetime.combine(today() - timedelta(days=2), datetime.min.time()).replace(hour=10)
    db.session.commit()


def test_staff_cancel_a_new_order_only_with_a_reason(staff, mailbox, order):
    mailbox.messages.clear()  # the orderer's receipt
    refused = staff.post(f"/yllapito/tyopajat/{order.id}/peru", data={"reason": "   "})
    assert refused.status_code == 422
    assert "Kirjoita peruutuksen syy. Se lähetetään tilaajalle." in refused.text
    assert '<p class="virhe" id="reason-virhe">' in refused.text
    assert stored_order(order.id).status == "new"
    assert mailbox.messages == []
    assert audit_actions() == []

    cancelled = staff.post(f"/yllapito/tyopajat/{order.id}/peru", data={"reason": "Emme pysty järjestämään työpajaa toivottuina päivinä."})
    assert cancelled.status_code == 303
    current = stored_order(order.id)
    assert (current.status, current.cancelled_by) == ("cancelled", "staff")
    [message] = mailbox.messages
    assert "Emme pysty järjestämään" in mailbox.bodies(message)[0]
    assert not [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    page = staff.get(f"/yllapito/tyopajat/{order.id}").text
    assert "Ylläpito perui tilauksen." in page and "Peru tilaus" not in page
    assert audit_actions() == [(STAFF_EMAIL, "workshop_cancel", "workshop_order")]


def test_staff_cancel_a_confirmed_workshop_with_a_calendar_cancellation(staff, mailbox, order):
    staff.post(f"/yllapito/tyopajat/{order.id}/vahvista", data=schedule_form(future_weekday()))
    assert staff.post(f"/yllapito/tyopajat/{order.id}/peru", data={"reason": "Ohjaaja sairastui."}).status_code == 303
    event, method = calendar_event(mailbox.messages[-1])
    assert method == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == f"{order.reference}@portal.test" and int(event["SEQUENCE"]) == 1
    assert stored_order(order.id).history[-1].note == "Ohjaaja sairastui."


def test_a_cancelled_order_cannot_be_cancelled_again(staff, order):
    staff.post(f"/yllapito/tyopajat/{order.id}/peru", data={"reason": "Ensimmäinen peruutus."})
    again = staff.post(f"/yllapito/tyopajat/{order.id}/peru", data={"reason": "Toinen peruutus."})
    assert again.status_code == 303
    assert "Pidettyä tai jo peruttua työpajaa ei voi perua." in staff.get(again.headers["Location"]).text
    assert stored_order(order.id).cancel_reason == "Ensimmäinen peruutus."


def _yesterday() -> str:
    return (today() - timedelta(days=1)).isoformat()


CONFIRM_RULES = {
    "no day": ({"day": ""}, "Anna työpajan päivä.", "day"),
    "day not a date": ({"day": "31.2.2026"}, "Anna päivämäärä muodossa pp.kk.vvvv", "day"),
    "day in the past": ({"day": _yesterday}, "Päivä on jo mennyt.", "day"),
    "no start time": ({"start_time": ""}, "Anna alkamisaika muodossa tt:mm", "start_time"),
    "start time out of range": ({"start_time": "25:00"}, "Anna alkamisaika muodossa tt:mm", "start_time"),
    "start time with one digit of minutes": ({"start_time": "13.5"}, "Anna alkamisaika muodossa tt:mm", "start_time"),
    "own premises without address": ({"place": " "}, "Kirjoita osoite, jossa työpaja pidetään.", "place"),
    "remote without link": ({"place_kind": "remote", "place": ""}, "Anna etäyhteyden linkki.", "remote_link"),
    "remote link not a web address": (
        {"place_kind": "remote", "remote_link": "meet.example/x"}, "Linkin pitää alkaa https:// eikä siinä voi olla välilyöntejä.",
        "remote_link",
    ),
    "remote link not https, with a space": (
        {"place_kind": "remote", "remote_link": "http://x y"}, "Linkin pitää alkaa https:// eikä siinä voi olla välilyöntejä.",
        "remote_link",
    ),
    "no place kind": ({"place_kind": "ulkona"}, "Valitse yksi vaihtoehdoista.", "place_kind"),
    "no facilitator": ({"facilitator": ""}, "Kirjoita työpajan ohjaajan nimi.", "facilitator"),
    "line break in the facilitator": ({"facilitator": "Outi\nOhjaaja"}, "rivinvaihtoja", "facilitator"),
}


@pytest.mark.parametrize(("changes", "message", "field_id"), CONFIRM_RULES.values(), ids=CONFIRM_RULES.keys())
def test_the_confirm_form_is_validated_and_keeps_the_input(staff, order, changes, message, field_id):
    changes = {key: value() if callable(value) else value for key, value in changes.items()}
    answer = staff.post(f"/yllapito/tyopajat/{order.id}/vahvista", data={**schedule_form(future_weekday()), **changes})
    assert answer.status_code == 422
    error = re.search(rf'<p class="virhe" id="{field_id}-virhe">(.*?)</p>', answer.text, re.S)
    assert error and message in error.group(1)
    assert f'href="#{field_id}' in answer.text, "the error summary links to the field"
    kept = {"facilitator": "Outi Ohjaaja"} if field_id != "facilitator" else {"place": "Puijonkatu 1, 70100 Kuopio"}
    kept.update({key: value for key, value in changes.items() if key in ("day", "start_time", "remote_link") and value})
    for value in kept.values():
        assert f'value="{value}"' in answer.text, value
    assert stored_order(order.id).status == "new"
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject.contains("vahvistettu"))).all() == []


def test_a_typed_finnish_date_and_time_are_accepted(staff, order):
    day = future_weekday()
    answer = staff.post(f"/yllapito/tyopajat/{order.id}/vahvista",
                        data=schedule_form(f"{day.day}.{day.month}.{day.year}", start_time="9.05"))
    assert answer.status_code == 303
    assert stored_order(order.id).scheduled_start == datetime(day.year, day.month, day.day, 9, 5)


def test_a_whole_hour_is_accepted_as_the_start(staff, order):
    day = future_weekday()
    answer = staff.post(f"/yllapito/tyopajat/{order.id}/vahvista", data=schedule_form(day, start_time="13"))
    assert answer.status_code == 303
    assert stored_order(order.id).scheduled_start == datetime(day.year, day.month, day.day, 13, 0)


def test_a_confirmed_order_cannot_be_confirmed_again(staff, order):
    staff.post(f"/yllapito/tyopajat/{order.id}/vahvista", data=schedule_form(future_weekday()))
    again = staff.post(f"/yllapito/tyopajat/{order.id}/vahvista", data=schedule_form(future_weekday(50)))
    assert again.status_code == 303
    assert "Vain uuden tilauksen voi vahvistaa." in staff.get(again.headers["Location"]).text
    assert stored_order(order.id).scheduled_start.date() == future_weekday()


def test_the_reschedule_form_starts_from_the_current_time_and_place(staff, order):
    day = future_weekday()
    staff.post(f"/yllapito/tyopajat/{order.id}/vahvista", data=schedule_form(day, start_time="17:15"))
    page = staff.get(f"/yllapito/tyopajat/{order.id}").text
    assert "Muuta aikaa tai paikkaa" in page and "Vahvista työpaja" not in page
    for shown in (f'value="{day.isoformat()}"', 'value="17:15"', 'value="Puijonkatu 1, 70100 Kuopio"'):
        assert shown in page


def test_a_workshop_is_not_marked_held_before_it_starts(staff, order):
    staff.post(f"/yllapito/tyopajat/{order.id}/vahvista", data=schedule_form(future_weekday()))
    page = staff.get(f"/yllapito/tyopajat/{order.id}").text
    assert "Työpajan voi merkitä pidetyksi, kun se on alkanut." in page
    refused = staff.post(f"/yllapito/tyopajat/{order.id}/pidetty")
    assert "Työpaja ei ole vielä alkanut." in staff.get(refused.headers["Location"]).text
    assert stored_order(order.id).status == "confirmed"


def test_staff_notes_are_saved_and_audited(staff, order):
    saved = staff.post(f"/yllapito/tyopajat/{order.id}/muistiinpanot",
                       data={"staff_notes": "Soitettu 3.2.\r\nToivovat Outia ohjaajaksi."})
    assert saved.status_code == 303
    assert stored_order(order.id).staff_notes == "Soitettu 3.2.\nToivovat Outia ohjaajaksi."
    page = staff.get(saved.headers["Location"]).text
    assert "Muistiinpanot tallennettu." in page and "Toivovat Outia ohjaajaksi." in page
    assert audit_actions() == [(STAFF_EMAIL, "workshop_notes", "workshop_order")]

    too_long = staff.post(f"/yllapito/tyopajat/{order.id}/muistiinpanot", data={"staff_notes": "x" * 10_001})
    assert too_long.status_code == 422 and "Teksti on liian pitkä" in too_long.text
    assert 'value="Puijonkatu 1, Kuopio"' in too_long.text, "the confirm form beside it keeps its own values"
    assert stored_order(order.id).staff_notes == "Soitettu 3.2.\nToivovat Outia ohjaajaksi."


def test_nothing_is_lost_when_the_mail_server_is_down(staff, unstarted_mailbox, order):
    answer = staff.post(f"/yllapito/tyopajat/{order.id}/vahvista", data=schedule_form(future_weekday()))
    assert answer.status_code == 303
    assert stored_order(order.id).status == "confirmed"
    [queued] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject.contains("vahvistettu"))).all()
    assert (queued.status, queued.attempts) == ("queued", 1)

    unstarted_mailbox.start()
    queued.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    deliver_due()
    [message] = [m for m in unstarted_mailbox.messages if "vahvistettu" in m["Subject"]]
    assert calendar_event(message)[1] == "REQUEST"


def make_orders(themes, count: int) -> list[WorkshopOrder]:
    """`count` orders straight through the service, a minute apart, alternately by two associations."""
    first, second, _third = good_dates()
    orders = []
    for number in range(count):
        details = OrderDetails(
            organisation_name=("Iisalmen Omaishoitajat ry", "Kuopion Muistiyhdistys ry")[number % 2],
            contact_person="Maija Meikäläinen", email="maija@example.fi", phone="+358401234567",
            audience=["board"], participants=10, theme_id=themes[number % 2].id if number % 3 else None,
            own_proposal="" if number % 3 else "Yhdistyksen strategia", goal="Selkeämpi toiminta.",
            preferred_times=[PreferredTime(first, "ilta"), PreferredTime(second, "ilta")], place_kind="remote",
        )
        orders.append(place_order(details, now=utcnow() - timedelta(minutes=count - number))[0])
    db.session.commit()
    return orders


def test_the_list_filters_by_status_theme_and_text_newest_first(staff, themes):
    orders = make_orders(themes, 6)
    staff.post(f"/yllapito/tyopajat/{orders[1].id}/peru", data={"reason": "Ei sopivaa aikaa."})

    def references(query: str) -> list[str]:
        text = staff.get(f"/yllapito/tyopajat{query}").text
        return re.findall(r'<a href="/yllapito/tyopajat/\d+">(TP-\d{4}-\d{4})</a>', text)

    newest_first = [o.reference for o in reversed(orders)]
    assert references("") == newest_first
    assert references("?tila=cancelled") == [orders[1].reference]
    assert references("?tila=new") == [r for r in newest_first if r != orders[1].reference]
    assert references(f"?teema={themes[1].id}") == [orders[5].reference, orders[1].reference]
    assert references("?teema=oma") == [orders[3].reference, orders[0].reference]
    assert references("?q=iisalmen") == [orders[4].reference, orders[2].reference, orders[0].reference]
    assert references(f"?q={orders[3].reference.lower()}") == [orders[3].reference]
    assert references("?q=iisalmen&tila=cancelled") == []
    assert references("?tila=kaikki&teema=x&sivu=-3") == newest_first, "bad values are ignored"
    page = staff.get("/yllapito/tyopajat").text
    assert "Uusi – odottaa käsittelyä: 5" in page and "Peruttu: 1" in page


def test_the_list_is_paginated(app, themes):
    orders = make_orders(themes, 5)
    first = order_page(WorkshopOrderFilter(), per_page=2)
    assert (first.total, first.pages) == (5, 3)
    assert [o.id for o in first.items] == [orders[4].id, orders[3].id]
    last = order_page(WorkshopOrderFilter(page=3), per_page=2)
    assert [o.id for o in last.items] == [orders[0].id]


def test_an_unknown_order_is_not_found(staff):
    assert staff.get("/yllapito/tyopajat/999").status_code == 404
    assert staff.post("/yllapito/tyopajat/999/pidetty").status_code == 404
    assert staff.get("/yllapito/tyopajat/999/palaute.csv").status_code == 404


def test_the_history_and_the_orderers_mail_give_each_time_in_the_readers_language(app, staff, mailbox, themes):
    ordered = app.test_client().post("/sv/tyopajat/tilaa", data=order_form(themes[0].id))
    assert ordered.status_code == 303
    order = db.session.scalars(select(WorkshopOrder).order_by(WorkshopOrder.id.desc())).first()
    assert order.language == "sv"
    [to_staff] = [message for message in mailbox.messages if message["To"] == STAFF_EMAIL]
    assert "Henkilö käytti palvelua kielellä: ruotsi." in mailbox.bodies(to_staff)[0]
    first, later = future_weekday(30), future_weekday(40)
    # Confirmed by a staff member working in English, moved by one working in Finnish.
    assert staff.post(f"/en/yllapito/tyopajat/{order.id}/vahvista", data=schedule_form(first)).status_code == 303
    mailbox.messages.clear()
    assert staff.post(f"/yllapito/tyopajat/{order.id}/siirra",
                      data=schedule_form(later, start_time="09:00")).status_code == 303

    [update] = mailbox.messages
    # Staff see which language the orderer's mail is in.
    assert "<dt>Sähköpostien kieli</dt><dd>Ruotsi</dd>" in staff.get(f"/yllapito/tyopajat/{order.id}").text
    first_text = f"{first.day}.{first.month}.{first.year}"
    later_text = f"{later.day}.{later.month}.{later.year}"
    assert f"{first_text} kl. 13.00–15.00" in mailbox.bodies(update)[0]
    assert themes[0].name_sv in mailbox.bodies(update)[0] and themes[0].name not in mailbox.bodies(update)[0]
    english = page_table(staff.get(f"/en/yllapito/tyopajat/{order.id}").text, "historia-taulukko")
    assert english[2][3].endswith(f"{first_text}, 13.00–15.00")
    assert f"{first_text}, 13.00–15.00 → " in english[3][3] and english[3][3].endswith(f"{later_text}, 09.00–11.00")
    finnish = page_table(staff.get(f"/yllapito/tyopajat/{order.id}").text, "historia-taulukko")
    assert f"{first_text} klo 13.00–15.00 → " in finnish[3][3] and finnish[3][3].endswith(f"{later_text} klo 09.00–11.00")


def test_an_overridden_rule_is_written_into_the_history_in_finnish_whoever_acted(staff, order):
    # The staff's records are Finnish (README, Languages); the time itself reads in each reader's language.
    evening = staff.post(f"/en/yllapito/tyopajat/{order.id}/vahvista",
                         data=schedule_form(future_weekday(), start_time="19:00", override_reason="Iltakoulutus."))
    assert evening.status_code == 303, evening.text
    note = stored_order(order.id).history[-1].note
    assert note == "Poikkeus: Aika on arkipäivän klo 8–20 ulkopuolella. Syy: Iltakoulutus."
    english = page_table(staff.get(f"/en/yllapito/tyopajat/{order.id}").text, "historia-taulukko")
    assert english[2][3].endswith("19.00–21.00. " + note)
