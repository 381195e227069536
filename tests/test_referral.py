"""Referrals that close: a professional's callback details and the client's consent, the
requester told when the organisation handled it, one reminder, staff follow-up."""
import re
from datetime import date, datetime, timedelta

import pytest

from tests.admin_support import make_staff, sign_in_staff
from tests.clients import once
from tests.test_contact_requests import VALID, post_contact

from app.admin.period_figures import handling_times_per_organisation
from app.contact.followup import working_days_before
from app.models import ContactRequest, utcnow

REFERRAL = {
    **VALID,
    "on_behalf_of_client": "y",
    "professional_name": "Hoitaja Hanna",
    "professional_org": "Keskustan terveysasema",
    "professional_phone": "044 765 4321",
    "professional_email": "hanna.hoitaja@terveys.example",
    "client_consent": "y",
}


def send_referral(client, organisation_id, **changes):
    return post_contact(client, organisation_id, **{**REFERRAL, **changes})


def handled_path(mailbox, to: str) -> str:
    message = next(m for m in mailbox.messages if m["To"] == to)
    text, _html = mailbox.bodies(message)
    return re.search(r"http://portal.test(/yhteydenotto/kasitelty/\S+)", text).group(1)


def test_a_referral_records_the_clients_consent_and_the_callback(client, db, mailbox, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry", email="muisti@esimerkki.fi")

    assert send_referral(client, organisation.id).status_code == 303

    stored = db.session.scalar(db.select(ContactRequest))
    assert stored.client_consent_by == "Hoitaja Hanna"
    assert stored.client_consent_at is not None
    assert (stored.professional_phone, stored.professional_email) == ("+358447654321", "hanna.hoitaja@terveys.example")
    text, html = mailbox.bodies(next(m for m in mailbox.messages if m["To"] == "muisti@esimerkki.fi"))
    for body in (text, html):
        assert "044 765 4321" in body
        assert "hanna.hoitaja@terveys.example" in body
        assert "Hoitaja Hanna vahvisti, että asiakas on antanut suostumuksensa" in body


def test_a_referral_without_the_clients_consent_or_a_callback_is_refused_and_kept(client, db, make_organisation):
    organisation = make_organisation(email="info@esimerkki.fi")

    response = send_referral(client, organisation.id, client_consent=None, professional_phone="", professional_email="")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Vahvista, että asiakas on antanut suostumuksensa." in page
    # The summary names the box by its sentence, without the sentence's full stop before the colon.
    assert "yhteydenottoa varten: Vahvista" in page and ".:" not in page
    assert "Anna oma puhelinnumerosi tai sähköpostiosoitteesi" in page
    assert 'value="Keskustan terveysasema"' in page
    assert db.session.scalar(db.select(db.func.count(ContactRequest.id))) == 0


@pytest.mark.parametrize("prefix, refusal", [
    ("", "Täytit ammattilaisen tiedot. Valitse ”Täytän pyynnön asiakkaan puolesta” tai tyhjennä ammattilaisen kentät."),
    ("/sv", "Du fyllde i yrkespersonens uppgifter."),
    ("/en", "You filled in the professional’s details."),
])
@pytest.mark.parametrize("via_tray", [False, True], ids=["organisation", "tray"])
def test_a_professionals_details_without_on_behalf_ticked_are_refused_and_kept(
    client, db, mailbox, make_organisation, prefix, refusal, via_tray
):
    organisation = make_organisation(email="info@esimerkki.fi")
    data = once({**REFERRAL, "on_behalf_of_client": None, "client_consent": None, "professional_phone": ""})
    data = {key: value for key, value in data.items() if value is not None}
    if via_tray:
        client.post("/tarjotin/lisaa", data={"organisation_id": organisation.id})
        response = client.post(f"{prefix}/tarjotin/yhteydenotto", data=data)
    else:
        response = client.post(f"{prefix}/jarjestot/{organisation.id}/yhteydenotto", data=data)

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page.split('id="on_behalf_of_client-virhe"', 1)[1].split("</p>", 1)[0]
    assert refusal in error
    for typed in ("Hoitaja Hanna", "Keskustan terveysasema", "hanna.hoitaja@terveys.example", "Maija Meikäläinen"):
        assert f'value="{typed}"' in page
    assert db.session.scalar(db.select(db.func.count(ContactRequest.id))) == 0
    assert mailbox.messages == []


def test_a_residents_own_request_needs_no_client_consent(client, db, make_organisation):
    organisation = make_organisation(email="info@esimerkki.fi")
    assert post_contact(client, organisation.id).status_code == 303
    assert db.session.scalar(db.select(ContactRequest.client_consent_at)) is None


def test_the_professional_hears_when_the_organisation_handled_it(client, db, mailbox, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry", email="muisti@esimerkki.fi")
    send_referral(client, organisation.id)
    path = handled_path(mailbox, "muisti@esimerkki.fi")
    mailbox.messages.clear()

    client.post(path)
    client.post(path)

    [notice] = mailbox.messages
    assert notice["To"] == "hanna.hoitaja@terveys.example"
    text, _html = mailbox.bodies(notice)
    assert "Muistiyhdistys ry on merkinnyt" in text
    assert "asiakkaaseen" in text


def test_a_resident_hears_when_the_organisation_handled_it(client, db, mailbox, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry", email="muisti@esimerkki.fi")
    post_contact(client, organisation.id)
    path = handled_path(mailbox, "muisti@esimerkki.fi")
    mailbox.messages.clear()

    client.post(path)

    assert [m["To"] for m in mailbox.messages] == ["maija@example.fi"]


def test_working_days_skip_weekends_and_finnish_holidays():
    # Good Friday 26 March and Easter Monday 29 March 2027.
    assert working_days_before(date(2027, 3, 30), 3) == date(2027, 3, 23)
    assert working_days_before(date(2026, 12, 3), 3) == date(2026, 11, 30)


def age_requests(db, days: int) -> None:
    db.session.execute(db.update(ContactRequest).values(created_at=utcnow() - timedelta(days=days)))
    db.session.commit()


def test_an_unhandled_request_gets_one_reminder(runner, client, db, mailbox, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry", email="muisti@esimerkki.fi")
    post_contact(client, organisation.id)
    assert "reminders: 0" in runner.invoke(args=["contact", "remind"]).output
    age_requests(db, 10)  # three working days, even over Christmas
    mailbox.messages.clear()

    assert "reminders: 1" in runner.invoke(args=["contact", "remind"]).output
    assert "reminders: 0" in runner.invoke(args=["contact", "remind"]).output
    runner.invoke(args=["outbox", "deliver"])

    [reminder] = mailbox.messages
    assert reminder["To"] == "muisti@esimerkki.fi"
    text, _html = mailbox.bodies(reminder)
    assert "Muistiyhdistys ry sai Hyvinvointitarjottimen kautta yhteydenottopyynnön" in text
    assert "maija@example.fi" not in text  # the reminder repeats no personal data


def test_a_handled_request_gets_no_reminder(runner, client, db, mailbox, make_organisation):
    organisation = make_organisation(email="muisti@esimerkki.fi")
    post_contact(client, organisation.id)
    client.post(handled_path(mailbox, "muisti@esimerkki.fi"))
    age_requests(db, 10)
    assert "reminders: 0" in runner.invoke(args=["contact", "remind"]).output


def test_the_dashboard_shows_requests_unhandled_after_seven_days(client, db, make_organisation):
    old = make_organisation("Hidas ry", email="hidas@esimerkki.fi")
    post_contact(client, old.id)
    age_requests(db, 8)
    make_staff()
    sign_in_staff(client)

    page = client.get("/yllapito/").get_data(as_text=True)

    overdue = page.split('id="hoitamatta"')[1].split("</section>")[0]
    assert "Hidas ry" in overdue
    assert "(1)" in overdue


def test_statistics_show_the_median_handling_time_per_organisation(client, db, mailbox, make_organisation):
    organisation = make_organisation("Nopea ry", email="nopea@esimerkki.fi")
    for number in range(3):
        post_contact(client, organisation.id, message=f"Kysymys {number + 1}.")
    requests = db.session.scalars(db.select(ContactRequest).order_by(ContactRequest.id)).all()
    start = datetime.combine(utcnow().date(), datetime.min.time())
    for request, days in zip(requests, (1, 2, 6)):
        request.created_at, request.handled_at = start, start + timedelta(days=days)
    db.session.commit()

    [row] = handling_times_per_organisation(utcnow().date(), utcnow().date())

    assert (row.name, row.handled, row.median_days) == ("Nopea ry", 3, 2.0)
    make_staff()
    sign_in_staff(client)
    page = client.get("/yllapito/tilastot").get_data(as_text=True)
    assert "Yhteydenottopyyntöjen käsittelyaika järjestöittäin" in page
    assert client.get("/yllapito/tilastot/kasittelyajat-jarjestoittain.csv").status_code == 200


def test_the_professionals_own_details_can_be_filled_in_by_the_browser(client, make_organisation):
    """WCAG 1.3.5: each field asking for the professional's own details names its purpose;
    a section keeps them apart from the client's name and phone in the same form."""
    organisation = make_organisation("Muistiyhdistys ry", email="muisti@esimerkki.fi")

    page = client.get(f"/jarjestot/{organisation.id}/yhteydenotto").get_data(as_text=True)

    for field, purpose in [
        ("professional_name", "name"),
        ("professional_org", "organization"),
        ("professional_phone", "work tel"),
        ("professional_email", "work email"),
    ]:
        tag = re.search(rf'<input[^>]*\bid="{field}"[^>]*>', page).group(0)
        assert f'autocomplete="section-ammattilainen {purpose}"' in tag, tag
