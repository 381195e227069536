"""Ordering a workshop: the public pages, every rule of the form, the private status link."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from tests.test_workshops_helpers import (
    STATUS_LINK,
    csrf_of,
    good_dates,
    order_form,
    seed_themes,
    status_form,
    today,
    weekday_from,
)

from app.admin.staff import add_staff
from app.extensions import db
from app.models import OutboxMessage, WorkshopOrder, WorkshopStatusChange, utcnow
from app.platform.i18n import in_language
from app.platform.tokens import hash_token
from app.platform.validation import ValidationError
from app.workshops.booking import check_preferred_date
from app.workshops.display import format_date, helsinki_time
from app.workshops.services import confirm

pytest_plugins = ["tests.conftest_mail"]


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "STAFF_NOTIFY_EMAIL": "tyopajat@keskus.example"}


@pytest.fixture
def themes(app):
    return seed_themes(app)


def post_order(client, data):
    page = client.get("/tyopajat/tilaa")
    return client.post("/tyopajat/tilaa", data={**data, "csrf_token": csrf_of(page)})


def place(client, mailbox, theme, **changes) -> tuple[WorkshopOrder, str]:
    """Order through the form; (the order, the status path from the orderer's mail)."""
    answer = post_order(client, order_form(theme.id, **changes))
    assert answer.status_code == 303, answer.text
    order = db.session.scalars(select(WorkshopOrder).order_by(WorkshopOrder.id.desc())).first()
    mail = next(m for m in reversed(mailbox.messages) if m["To"] == order.email)
    link = STATUS_LINK.search(mailbox.bodies(mail)[0]).group(0)
    return order, link.removeprefix("http://portal.test")


def test_the_workshop_page_explains_and_lists_the_active_themes(client, themes):
    themes[-1].active = False
    db.session.commit()
    page = client.get("/tyopajat")
    assert page.status_code == 200
    assert "kahden tunnin" in page.text
    for theme in themes[:-1]:
        assert theme.name in page.text
    assert themes[-1].name not in page.text
    assert 'href="/tyopajat/tilaa"' in page.text


def test_seeding_themes_is_idempotent_and_keeps_staff_edits(app, themes):
    from pathlib import Path

    from app.workshops.themes import seed_workshop_themes

    themes[0].description = "Henkilökunnan muokkaama kuvaus."
    db.session.commit()
    assert seed_workshop_themes(Path(app.root_path) / "data" / "workshop_themes.csv") == 0
    assert len(themes) == 6
    assert themes[0].description == "Henkilökunnan muokkaama kuvaus."
    assert len(themes[0].goal_list) == 3


def test_an_order_gets_a_reference_a_status_link_and_staff_notice(client, mailbox, themes):
    form_page = client.get("/tyopajat/tilaa")
    assert form_page.status_code == 200
    assert "arkipäivää" in form_page.text and "14 päivän päästä" in form_page.text
    assert 'href="/tietosuojaseloste"' in form_page.text
    assert 'hx-get="/tyopajat/jarjestoehdotukset"' in form_page.text
    answer = client.post("/tyopajat/tilaa", data={**order_form(themes[0].id), "csrf_token": csrf_of(form_page)})
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/tyopajat/tilattu"

    order = db.session.scalars(select(WorkshopOrder)).one()
    year = helsinki_time().year
    assert order.reference == f"TP-{year}-0001"
    assert order.status == "new"
    assert order.email == "maija@example.fi"
    assert order.phone == "+358401234567"
    assert order.audience == ["volunteers", "board"]
    assert order.participants == 18
    assert order.theme_id == themes[0].id and order.own_proposal == ""
    first, second, _third = good_dates()
    assert order.preferred_times == [
        {"date": first.isoformat(), "time_of_day": "iltapäivä"},
        {"date": second.isoformat(), "time_of_day": "ilta"},
    ]
    assert order.consent_at is not None
    assert [(c.from_status, c.to_status, c.changed_by) for c in order.history] == [("", "new", "orderer")]

    confirmation = client.get("/tyopajat/tilattu")
    assert f"TP-{year}-0001" in confirmation.text

    to_orderer, to_staff = sorted(mailbox.messages, key=lambda m: m["To"] != "maija@example.fi")
    assert to_orderer["To"] == "maija@example.fi"
    assert order.reference in to_orderer["Subject"]
    text, html = mailbox.bodies(to_orderer)
    token = STATUS_LINK.search(text).group(1)
    assert hash_token(token) == order.status_token_hash
    assert token not in (order.status_token_hash, order.reference)
    assert STATUS_LINK.search(html).group(1) == token
    assert "Puijonkatu 1" in text and "iltapäivä" in text
    assert to_staff["To"] == "tyopajat@keskus.example"
    assert "Kuopion Muistiyhdistys ry" in to_staff["Subject"]
    assert token not in mailbox.bodies(to_staff)[0]


@pytest.mark.parametrize("prefix, promise, old_promise", [
    ("", "perua tilauksen työpajan alkuun asti ja pyytää muutosta aikaan tai paikkaan, kun aika on vahvistettu",
     "perua tilauksen tai pyytää muutosta"),
    ("/sv", "avboka beställningen ända tills workshopen börjar och, när tiden har bekräftats, be om en ändring",
     "avboka beställningen eller be om"),
    ("/en", "cancel the booking until the workshop starts and, once the time is confirmed, ask to change",
     "cancel the booking or ask"),
])
def test_the_receipt_and_its_mail_offer_a_change_only_once_the_time_is_confirmed(client, mailbox, themes, prefix,
                                                                                 promise, old_promise):
    page = client.get(f"{prefix}/tyopajat/tilaa")
    client.post(f"{prefix}/tyopajat/tilaa", data={**order_form(themes[0].id), "csrf_token": csrf_of(page)})
    receipt = client.get(f"{prefix}/tyopajat/tilattu").text
    mail = next(message for message in mailbox.messages if message["To"] == "maija@example.fi")
    for text in (receipt, *mailbox.bodies(mail)):
        assert promise in " ".join(text.split()) and old_promise not in text
    # As the status page of the new order: cancelling, and no change form yet.
    status = client.get(re.search(r"http://portal\.test(/\S*tyopajat/tila/[\w-]+)", mailbox.bodies(mail)[0]).group(1))
    assert "/peru" in status.text and "/muutos" not in status.text


def test_reference_numbers_run_within_the_year(client, mailbox, themes):
    for number in range(3):
        assert post_order(client, order_form(themes[1].id, goal=f"Tavoite {number}.")).status_code == 303
    references = db.session.scalars(select(WorkshopOrder.reference).order_by(WorkshopOrder.id)).all()
    year = helsinki_time().year
    assert references == [f"TP-{year}-0001", f"TP-{year}-0002", f"TP-{year}-0003"]


def test_a_published_organisation_name_links_the_order_to_the_directory(client, mailbox, themes, make_organisation):
    organisation = make_organisation("Kuopion Muistiyhdistys ry")
    post_order(client, order_form(themes[0].id, organisation_name="kuopion muistiyhdistys ry"))
    assert db.session.scalars(select(WorkshopOrder)).one().organisation_id == organisation.id


def test_organisation_suggestions_list_published_names(client, make_organisation):
    make_organisation("Kuopion Muistiyhdistys ry")
    make_organisation("Varkauden Muistikerho")
    make_organisation("Muistiyhdistys odottaa ry", status="pending")
    make_organisation("100% Muisti_ryhmä")
    answer = client.get("/tyopajat/jarjestoehdotukset?organisation_name=muisti", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert '<datalist id="jarjestoehdotukset">' in answer.text
    assert '<option value="Kuopion Muistiyhdistys ry">' in answer.text
    assert '<option value="Varkauden Muistikerho">' in answer.text
    assert "odottaa" not in answer.text
    # LIKE wildcards typed by a person match only themselves.
    wildcard = client.get("/tyopajat/jarjestoehdotukset?organisation_name=0%25 M")
    assert "100% Muisti_ryhmä" in wildcard.text and "Kuopion" not in wildcard.text
    assert "<option" not in client.get("/tyopajat/jarjestoehdotukset?organisation_name=m").text


def _date(days: int):
    return (today() + timedelta(days=days)).isoformat()


def _saturday_ahead():
    day = today() + timedelta(days=21)
    return (day + timedelta(days=(5 - day.weekday()) % 7)).isoformat()


INVALID_ORDERS = {
    "past date": ({"date_1": _date(-3)}, "date_1", "Päivä on jo mennyt"),
    "today": ({"date_1": _date(0)}, "date_1", "Päivä on jo mennyt"),
    "too near": ({"date_1": weekday_from(today() + timedelta(days=3)).isoformat()}, "date_1", "vähintään 14 päivän"),
    "weekend": ({"date_2": _saturday_ahead()}, "date_2", "arkipäivisin"),
    "not a date": ({"date_1": "ensi viikolla"}, "date_1", "Päivämäärä ei kelpaa"),
    "fewer than two dates": ({"date_2": "", "time_of_day_2": ""}, "date_2", "vähintään kaksi päivää"),
    "no dates": ({"date_1": "", "time_of_day_1": "", "date_2": "", "time_of_day_2": ""}, "date_1", "vähintään kaksi päivää"),
    "date without time of day": ({"time_of_day_1": ""}, "time_of_day_1", "aamupäivä, iltapäivä tai ilta"),
    "time of day without date": ({"time_of_day_3": "ilta"}, "time_of_day_3", "Valitse myös päivä"),
    "the same wish twice": (
        {"date_2": good_dates()[0].isoformat(), "time_of_day_2": "iltapäivä"}, "date_2", "on jo ehdotettu"),
    "the same wish from the date picker and typed": (
        {"date_2": f"{good_dates()[0]:%d}.{good_dates()[0].month}.{good_dates()[0].year}", "time_of_day_2": "iltapäivä"},
        "date_2", "on jo ehdotettu"),
    "beyond the horizon": ({"date_2": "5.1.2099"}, "date_2", "viimeistään"),
    "participants 0": ({"participants": "0"}, "participants", "väliltä 1–60"),
    "participants 61": ({"participants": "61"}, "participants", "väliltä 1–60"),
    "participants not a number": ({"participants": "kymmenkunta"}, "participants", "väliltä 1–60"),
    # "²".isdigit() is True, int("²") raises; "٣" is a digit to int() but not to a person here.
    "participants superscript": ({"participants": "\u00b2"}, "participants", "väliltä 1–60"),
    "participants Arabic-Indic": ({"participants": "\u0663"}, "participants", "väliltä 1–60"),
    "own proposal without description": ({"theme": "oma", "own_proposal": " "}, "own_proposal", "mistä aiheesta"),
    "no theme": ({"theme": None}, "theme", "Valitse teema"),
    "unknown theme": ({"theme": "99999"}, "theme", "Valitse teema"),
    "no goal": ({"goal": ""}, "goal", "mitä haluatte työpajalta"),
    "bad e-mail": ({"email": "maija@"}, "email", "Sähköpostiosoite ei ole kelvollinen"),
    "bad phone": ({"phone": "12"}, "phone", "Puhelinnumero ei ole kelvollinen"),
    "no audience": ({"audience": None}, "audience", "vähintään yksi ryhmä"),
    "unknown audience": ({"audience": ["volunteers", "kaikki"]}, "audience", "annetuista vaihtoehdoista"),
    "no organisation": ({"organisation_name": "  "}, "organisation_name", "järjestön tai ryhmän nimi"),
    "no contact person": ({"contact_person": ""}, "contact_person", "yhteyshenkilön nimi"),
    "missing consent": ({"consent": None}, "consent", "Hyväksy tietojen käsittely"),
    "own premises without address": ({"address": ""}, "address", "osoite, jossa työpaja pidetään"),
    "own premises without municipality": ({"municipality": ""}, "municipality", "kunta, jossa"),
    "no place": ({"place_kind": None}, "place_kind", "etäyhteydellä"),
    "goal too long": ({"goal": "x" * 2001}, "goal", "liian pitkä"),
}


@pytest.mark.parametrize(("changes", "field", "message"), INVALID_ORDERS.values(), ids=INVALID_ORDERS.keys())
def test_every_rule_of_the_order_form(client, themes, changes, field, message):
    answer = post_order(client, order_form(themes[0].id, **changes))
    assert answer.status_code == 422
    assert db.session.scalar(select(func.count(WorkshopOrder.id))) == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    # The message sits next to its field and in the summary at the top.
    assert f'id="{field}-virhe"' in answer.text
    error = answer.text.split(f'id="{field}-virhe"', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert 'class="virheyhteenveto"' in answer.text
    summary = answer.text.split('class="virheyhteenveto"', 1)[1].split("</div>", 1)[0]
    assert message in summary
    # What was typed is kept.
    assert 'value="Maija Meikäläinen"' in answer.text or field == "contact_person"


@pytest.mark.parametrize(("language", "day", "message"), [
    ("fi", date(2026, 12, 25), "pe 25.12.2026 on pyhäpäivä (Joulupäivä). Työpajat pidetään arkipäivisin"),
    ("fi", date(2027, 1, 6), "ke 6.1.2027 on pyhäpäivä (Loppiainen)."),
    ("sv", date(2027, 1, 6), "ons 6.1.2027 är en helgdag (Trettondag). Workshopparna hålls på vardagar"),
    ("en", date(2026, 12, 25), "is a public holiday (Christmas Day)"),
    # Beyond the horizon the free slots have too (91 days from 1.12.2026), whatever the year.
    ("fi", date(2027, 3, 3), "enintään 91 päivän päässä, viimeistään ti 2.3.2027"),
    ("fi", date(2099, 1, 5), "enintään 91 päivän päässä, viimeistään ti 2.3.2027"),
    ("en", date(2099, 1, 5), "at most 91 days ahead, by Tue 2.3.2027"),
])
def test_a_proposed_date_is_a_working_day_within_the_horizon(app, language, day, message):
    with in_language(language), pytest.raises(ValidationError) as refused:
        check_preferred_date(day, date(2026, 12, 1))
    assert message in refused.value.message


def test_the_last_working_day_of_the_horizon_may_be_proposed(app):
    check_preferred_date(date(2027, 3, 2), date(2026, 12, 1))
    check_preferred_date(date(2026, 12, 28), date(2026, 12, 1))


def test_the_order_form_says_which_dates_it_takes(client, themes):
    page = client.get("/tyopajat/tilaa").text
    latest = today() + timedelta(days=91)
    assert "ei pyhäpäiviä" in page and f"viimeistään {format_date(latest)}" in page
    assert f'max="{latest.isoformat()}"' in page


@pytest.mark.parametrize("field", ["address", "municipality"])
def test_the_place_fields_say_they_are_only_for_your_own_premises(client, themes, field):
    page = client.get("/tyopajat/tilaa").text
    hint = page.split(f'id="{field}-ohje"', 1)[1].split("</p>", 1)[0]
    assert "Täytä, jos työpaja pidetään teidän tiloissanne." in hint
    assert f'aria-describedby="{field}-ohje"' in page


def test_more_than_three_dates_are_refused(client, themes):
    extra = weekday_from(good_dates()[2] + timedelta(days=1)).isoformat()
    data = order_form(themes[0].id, date_3=good_dates()[2].isoformat(), time_of_day_3="aamupäivä",
                      date_4=extra, time_of_day_4="ilta")
    answer = post_order(client, data)
    assert answer.status_code == 422
    assert "enintään kolme ajankohtaa" in answer.text
    assert db.session.scalar(select(func.count(WorkshopOrder.id))) == 0


def test_valid_variants_are_accepted(client, mailbox, themes):
    third = good_dates()[2]
    data = order_form(
        "oma", own_proposal="Hallitustyön perusteet uusille jäsenille", place_kind="remote", address="",
        municipality="", date_3=f"{third.day}.{third.month}.{third.year}", time_of_day_3="aamupäivä",
        participants="60", audience=["other"],
    )
    assert post_order(client, data).status_code == 303
    order = db.session.scalars(select(WorkshopOrder)).one()
    assert order.theme_id is None and order.own_proposal == "Hallitustyön perusteet uusille jäsenille"
    assert order.place_kind == "remote" and order.address == ""
    assert len(order.preferred_times) == 3 and order.preferred_times[2]["date"] == third.isoformat()
    assert order.participants == 60


def test_the_order_form_needs_its_csrf_token(client, themes):
    answer = client.post("/tyopajat/tilaa", data=order_form(themes[0].id))
    assert answer.status_code == 400
    assert db.session.scalar(select(func.count(WorkshopOrder.id))) == 0


def test_the_confirmation_page_needs_an_order_from_this_browser(client):
    assert client.get("/tyopajat/tilattu").headers["Location"] == "/tyopajat/tilaa"


def test_status_page_is_private_and_read_only(client, mailbox, themes):
    order, path = place(client, mailbox, themes[0])
    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert order.reference in page.text and "Uusi – odottaa käsittelyä" in page.text
    assert "Peru tilaus" in page.text
    assert client.get("/tyopajat/tila/" + "A" * 43).status_code == 404


def test_the_orderer_cancels_a_new_order(client, mailbox, themes):
    order, path = place(client, mailbox, themes[0])
    page = client.get(path)
    answer = client.post(path + "/peru", data=status_form(page, "peru", reason="Aikataulut eivät sovi."))
    assert answer.status_code == 303 and answer.headers["Location"] == path
    db.session.refresh(order)
    assert order.status == "cancelled" and order.cancelled_by == "orderer"
    assert order.cancel_reason == "Aikataulut eivät sovi."
    assert [c.to_status for c in order.history] == ["new", "cancelled"]
    after = client.get(path)
    assert "Peruttu" in after.text and "Peru tilaus</button>" not in after.text
    [cancelled_mail] = [message for message in mailbox.messages if message["To"] == order.email
                        and "peruttu" in message["Subject"]]
    assert not any(part.get_content_type() == "text/calendar" for part in cancelled_mail.walk())


def test_a_double_click_on_cancel_gets_the_cancelled_page_not_an_error(client, mailbox, themes):
    order, path = place(client, mailbox, themes[0])
    data = status_form(client.get(path), "peru", reason="Aikataulut eivät sovi.")
    mailbox.messages.clear()

    first = client.post(path + "/peru", data=data)
    second = client.post(path + "/peru", data=data)

    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"] == path
    after = client.get(path)
    assert "Tilaus on peruttu." in after.text and "ei voi enää perua" not in after.text
    assert 'class="virheyhteenveto"' not in after.text
    db.session.refresh(order)
    assert [c.to_status for c in order.history] == ["new", "cancelled"]
    assert len([m for m in mailbox.messages if m["To"] == order.email]) == 1


def test_a_new_order_cancelled_by_the_orderer_is_announced_to_the_staff_who_heard_of_it(client, mailbox, themes):
    add_staff("kasittelija@keskus.example", "Kaisa Käsittelijä")
    db.session.commit()
    order, path = place(client, mailbox, themes[0])
    announced = {message["To"] for message in mailbox.messages if message["To"] != order.email}
    assert announced == {"kasittelija@keskus.example", "tyopajat@keskus.example"}

    client.post(path + "/peru", data=status_form(client.get(path), "peru", reason="Aikataulut eivät sovi."))

    told = {message["To"] for message in mailbox.messages if "Tilaaja perui" in message["Subject"]}
    assert told == announced


def test_cancelling_needs_the_csrf_token(client, mailbox, themes):
    order, path = place(client, mailbox, themes[0])
    assert client.post(path + "/peru", data={"reason": ""}).status_code == 400
    db.session.refresh(order)
    assert order.status == "new"


def test_the_status_link_cannot_cancel_a_workshop_that_has_started(client, mailbox, themes):
    order, path = place(client, mailbox, themes[0])
    page = client.get(path)
    started = (helsinki_time() - timedelta(hours=1)).replace(tzinfo=None, second=0, microsecond=0)
    # Confirmed two hours ago, for a time that was then an hour ahead.
    confirm(order, started, "Puijonkatu 1, Kuopio", "", "Outi Ohjaaja", "staff@keskus.example",
            override_reason="aika kellon mukaan", now=utcnow() - timedelta(hours=2))
    db.session.commit()
    started_page = client.get(path)
    assert "Vahvistettu" in started_page.text and "Peru tilaus</button>" not in started_page.text
    answer = client.post(path + "/peru", data=status_form(page, "peru", reason="Emme pääse."))
    assert answer.status_code == 409
    assert "ei voi enää perua" in answer.text
    db.session.refresh(order)
    assert order.status == "confirmed"
    assert db.session.scalar(select(func.count(WorkshopStatusChange.id))) == 2


def test_another_orders_token_never_touches_this_order(client, mailbox, themes):
    first, first_path = place(client, mailbox, themes[0])
    second, second_path = place(client, mailbox, themes[1], organisation_name="Toinen yhdistys ry")
    assert first_path != second_path
    page = client.get(second_path)
    assert second.reference in page.text and first.reference not in page.text
    client.post(second_path + "/peru", data=status_form(page, "peru"))
    db.session.refresh(first)
    db.session.refresh(second)
    assert (first.status, second.status) == ("new", "cancelled")
    # A token that is another order's hash, or a prefix of a real token, is nothing.
    assert client.get("/tyopajat/tila/" + first.status_token_hash).status_code == 404
    assert client.get(first_path[:-1]).status_code == 404
    assert client.post(first_path[:-1] + "/peru", data={"csrf_token": csrf_of(page)}).status_code == 404


def _start():
    day = weekday_from(today() + timedelta(days=30))
    return helsinki_time().replace(year=day.year, month=day.month, day=day.day, hour=13, minute=0, second=0,
                                   microsecond=0)
