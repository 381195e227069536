"""Contact requests from an organisation page and from the tray."""
import re
from datetime import timedelta

import pytest

from tests.clients import once
from app.admin.period_figures import contact_requests_per_organisation
from app.contact.requests import erase_personal_data
from app.models import OutboxMessage, utcnow
from app.models.contact import ContactRequest

VALID = {
    "name": "Maija Meikäläinen",
    "phone": "040 123 4567",
    "email": "maija@example.fi",
    "preferred_channel": "puhelin",
    "preferred_time": "arkisin aamupäivällä",
    "message": "Haluaisin tietoa vertaistukiryhmästä.",
    "consent": "y",
}


def post_contact(client, organisation_id, **changes):
    data = once({**VALID, **changes})
    data = {key: value for key, value in data.items() if value is not None}
    return client.post(f"/jarjestot/{organisation_id}/yhteydenotto", data=data)


def put_on_tray(client, *organisations):
    for organisation in organisations:
        client.post("/tarjotin/lisaa", data={"organisation_id": organisation.id})


def test_a_request_to_one_organisation_sends_one_mail_and_a_copy(client, db, mailbox, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry", email="muisti@esimerkki.fi")

    response = post_contact(client, organisation.id)

    assert response.status_code == 303
    confirmation = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Muistiyhdistys ry" in confirmation
    assert "maija@example.fi" not in confirmation  # the confirmation link shows no personal data
    [stored] = db.session.scalars(db.select(ContactRequest)).all()
    assert stored.requester_name == "Maija Meikäläinen"
    assert stored.phone == "+358401234567"
    assert stored.consent_at is not None
    recipients = sorted(message["To"] for message in mailbox.messages)
    assert recipients == ["maija@example.fi", "muisti@esimerkki.fi"]
    to_organisation = next(m for m in mailbox.messages if m["To"] == "muisti@esimerkki.fi")
    text, html = mailbox.bodies(to_organisation)
    for expected in ["Maija Meikäläinen", "040 123 4567", "maija@example.fi", "vertaistukiryhmästä", "puhelimella"]:
        assert expected in text
    assert "http://portal.test/yhteydenotto/kasitelty/" in text
    assert "Olemme olleet yhteydessä" in html


def test_a_refused_request_links_back_to_the_organisations(client, db, mailbox, make_organisation):
    """The refused form is answered on a page of its own: each organisation's name leads back to its page."""
    organisation = make_organisation("Yksi ry", email="yksi@esimerkki.fi")
    refused = post_contact(client, organisation.id, email="", phone="")
    assert refused.status_code == 422
    assert f'<a href="/jarjestot/{organisation.id}">Yksi ry</a> ottaa sinuun yhteyttä' in refused.text

    other = make_organisation("Toinen ry", email="toinen@esimerkki.fi")
    put_on_tray(client, organisation, other)
    page = client.get("/tarjotin/yhteydenotto").text
    assert f'<li><a href="/jarjestot/{other.id}">Toinen ry</a></li>' in page


def test_the_same_request_sent_again_after_back_is_not_sent_twice(client, db, mailbox, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry", email="muisti@esimerkki.fi")
    first = post_contact(client, organisation.id)
    mailbox.messages.clear()

    # Back to the form, which the browser fills in again under a new one-time key, and Send.
    again = post_contact(client, organisation.id)

    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert "Sama pyyntö lähetettiin jo hetki sitten" in client.get(again.headers["Location"]).text
    assert db.session.scalar(db.select(db.func.count()).select_from(ContactRequest)) == 1
    assert mailbox.messages == []
    # Another message is another request.
    assert post_contact(client, organisation.id, message="Vielä yksi kysymys.").status_code == 303
    assert db.session.scalar(db.select(db.func.count()).select_from(ContactRequest)) == 2


def test_a_tray_request_sends_exactly_one_mail_per_organisation(client, db, mailbox, make_organisation):
    first = make_organisation("Ensimmäinen ry", email="eka@esimerkki.fi")
    second = make_organisation("Toinen ry", email="toka@esimerkki.fi")
    # No public e-mail: the request goes to the contacts who keep the entry.
    third = make_organisation("Kolmas ry")
    from app.models import OrganisationContact

    third.contacts.append(OrganisationContact(email="sihteeri@esimerkki.fi"))
    db.session.commit()
    put_on_tray(client, first, second, third)

    form = client.get("/tarjotin/yhteydenotto").get_data(as_text=True)
    assert "näille 3 järjestölle" in form and "Ensimmäinen ry, Toinen ry, Kolmas ry" in form
    response = client.post("/tarjotin/yhteydenotto", data=once({**VALID, "email": ""}))

    assert response.status_code == 303
    assert db.session.scalar(db.select(db.func.count()).select_from(ContactRequest)) == 3
    assert sorted(m["To"] for m in mailbox.messages) == ["eka@esimerkki.fi", "sihteeri@esimerkki.fi", "toka@esimerkki.fi"]
    batches = set(db.session.scalars(db.select(ContactRequest.batch)))
    assert len(batches) == 1


@pytest.mark.parametrize("prefix, one, several", [
    ("", ["Järjestö ottaa sinuun yhteyttä",
          "Jos yhteydenottoa ei kuulu kahden viikon kuluessa, voit soittaa tai kirjoittaa järjestöön itse."],
         ["Järjestöt ottavat sinuun yhteyttä",
          "Jos yhteydenottoa ei kuulu kahden viikon kuluessa, voit soittaa tai kirjoittaa järjestöihin itse."]),
    ("/sv", ["Organisationen kontaktar dig", "inom två veckor kan du själv ringa eller skriva till organisationen."],
            ["Organisationerna kontaktar dig", "inom två veckor kan du själv ringa eller skriva till organisationerna."]),
    ("/en", ["The organisation will contact you", "within two weeks, you can call or write to the organisation yourself."],
            ["The organisations will contact you", "within two weeks, you can call or write to the organisations yourself."]),
])
@pytest.mark.parametrize("count", [1, 2])
def test_the_copy_and_the_confirmation_say_the_same_for_one_or_several_organisations(
    client, mailbox, make_organisation, prefix, one, several, count
):
    put_on_tray(client, *[make_organisation(f"Yhdistys {i} ry", email=f"y{i}@esimerkki.fi") for i in range(count)])

    response = client.post(f"{prefix}/tarjotin/yhteydenotto", data=once(VALID))

    what_next = client.get(response.headers["Location"]).text.split("<h2>", 1)[1]
    text, html = mailbox.bodies(next(m for m in mailbox.messages if m["To"] == VALID["email"]))
    expected, wrong = (one, several) if count == 1 else (several, one)
    for body in (what_next, text, html):
        assert all(sentence in body for sentence in expected)
        assert not any(sentence in body for sentence in wrong)
    if not prefix:
        intro = "lähetetty järjestölle:" if count == 1 else "lähetetty seuraaville järjestöille:"
        assert intro in text and intro in html
        assert "parin viikon" not in text


def test_an_organisation_unpublished_meanwhile_is_reported_and_the_others_still_get_it(
    client, db, mailbox, make_organisation
):
    staying = make_organisation("Pysyvä ry", email="pysyva@esimerkki.fi")
    leaving = make_organisation("Lähtevä ry", email="lahteva@esimerkki.fi")
    put_on_tray(client, staying, leaving)
    client.get("/tarjotin/yhteydenotto")
    leaving.status = "hidden"
    db.session.commit()

    response = client.post("/tarjotin/yhteydenotto", data=once(VALID), follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "Pysyvä ry" in page
    assert "ei ole enää mukana" not in page or "1 valitsemistasi" in page
    assert [m["To"] for m in mailbox.messages if m["To"] != "maija@example.fi"] == ["pysyva@esimerkki.fi"]


def test_the_unpublished_organisation_in_one_submission_is_reported(db, app, make_organisation):
    from app.contact.requests import ContactDetails, send_contact_request

    staying = make_organisation("Pysyvä ry", email="pysyva@esimerkki.fi")
    gone = make_organisation("Poistunut ry", email="pois@esimerkki.fi", status="hidden")

    outcome = send_contact_request(ContactDetails(name="Maija", phone="+358401234567"), [staying.id, gone.id])

    assert [o.id for o in outcome.sent_to] == [staying.id]
    assert outcome.unavailable_ids == [gone.id]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"consent": None}, "consent", "ilman suostumustasi"),
        ({"phone": "", "email": ""}, "phone", "Anna puhelinnumero tai sähköpostiosoite"),
        ({"phone": "12"}, "phone", "Puhelinnumero ei ole kelvollinen"),
        ({"email": "maija@"}, "email", ""),
        # No mail server can take "ä" before the @ from us (smtplib refuses it): the copy would be lost.
        ({"email": "mäkinen@example.fi"}, "email", "Ennen @-merkkiä"),
        ({"name": ""}, "name", "pakollinen"),
        ({"message": "x" * 501}, "message", "liian pitkä"),
        ({"preferred_channel": "sahkoposti", "email": ""}, "preferred_channel", "anna myös sähköpostiosoite"),
        ({"phone": ""}, "preferred_channel", "Valitsit yhteydenoton puhelimella: anna myös puhelinnumero."),
        ({"preferred_channel": "tekstiviesti", "phone": ""}, "preferred_channel",
         "Valitsit yhteydenoton tekstiviestillä: anna myös puhelinnumero."),
        ({"on_behalf_of_client": "y"}, "professional_name", "oma nimesi"),
        ({"on_behalf_of_client": "y", "professional_name": "Hoitaja Helmi"}, "professional_org", "organisaatiosi"),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field_and_keeps_the_rest(
    client, db, make_organisation, changes, field, message
):
    organisation = make_organisation(email="info@esimerkki.fi")

    response = post_contact(client, organisation.id, **changes)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-virhe"' in page
    assert message in page
    assert "Tarkista seuraavat kohdat" in page
    if changes.get("name", VALID["name"]):
        assert 'value="Maija Meikäläinen"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(ContactRequest)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 0


def test_html_in_the_message_reaches_the_mail_as_text(client, mailbox, make_organisation):
    organisation = make_organisation(email="info@esimerkki.fi")

    post_contact(client, organisation.id, message="<script>alert(1)</script>", email="")

    _text, html = mailbox.bodies(mailbox.messages[0])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_the_honeypot_answers_as_if_sent_but_stores_nothing(client, db, make_organisation):
    organisation = make_organisation(email="info@esimerkki.fi")

    response = post_contact(client, organisation.id, kotisivu="http://spam.example")

    assert response.status_code == 303
    assert db.session.scalar(db.select(db.func.count()).select_from(ContactRequest)) == 0


def test_smtp_down_keeps_the_request_and_delivers_it_later_once(client, db, unstarted_mailbox, make_organisation):
    from app.platform.mail_delivery import deliver_due

    organisation = make_organisation(email="info@esimerkki.fi")

    response = post_contact(client, organisation.id, email="")

    assert response.status_code == 303
    assert db.session.scalar(db.select(db.func.count()).select_from(ContactRequest)) == 1
    unstarted_mailbox.start()
    db.session.execute(db.update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
    deliver_due()
    deliver_due()
    assert [m["To"] for m in unstarted_mailbox.messages] == ["info@esimerkki.fi"]


def handled_link(mailbox) -> str:
    text, _html = mailbox.bodies(mailbox.messages[0])
    return re.search(r"http://portal.test(/yhteydenotto/kasitelty/\S+)", text).group(1)


def test_the_handled_link_is_scanner_safe_and_single_use(client, db, mailbox, make_organisation):
    organisation = make_organisation(email="info@esimerkki.fi")
    post_contact(client, organisation.id, email="")
    path = handled_link(mailbox)

    assert client.head(path).status_code == 200
    page = client.get(path)
    assert page.headers["Cache-Control"] == "no-store"
    assert "Olemme olleet yhteydessä" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(ContactRequest.handled_at)) is None

    assert "merkitty hoidetuksi" in client.post(path).get_data(as_text=True)
    assert db.session.scalar(db.select(ContactRequest.handled_at)) is not None
    again = client.post(path).get_data(as_text=True)
    assert "on jo merkitty hoidetuksi" in again
    assert client.get("/yhteydenotto/kasitelty/not-a-token").status_code == 404


def test_purge_erases_personal_data_and_keeps_the_counts(client, db, make_organisation):
    organisation = make_organisation("Laskettava ry", email="info@esimerkki.fi")
    post_contact(client, organisation.id)
    post_contact(client, organisation.id, name="Toinen Henkilö")
    old = db.session.scalars(db.select(ContactRequest)).first()
    old.created_at = utcnow() - timedelta(days=91)
    db.session.commit()

    assert erase_personal_data(90) == 1
    db.session.commit()

    erased = db.session.get(ContactRequest, old.id)
    assert (erased.requester_name, erased.phone, erased.email, erased.message) == ("", "", "", "")
    assert erased.erased_at is not None
    [row] = contact_requests_per_organisation(old.created_at.date(), utcnow().date())
    assert row.sent == 2


def test_purge_command_runs_the_retention(runner, client, db, make_organisation):
    organisation = make_organisation(email="info@esimerkki.fi")
    post_contact(client, organisation.id)
    db.session.execute(db.update(ContactRequest).values(created_at=utcnow() - timedelta(days=100)))
    db.session.commit()

    result = runner.invoke(args=["purge"])

    assert result.exit_code == 0, result.output
    assert db.session.scalar(db.select(ContactRequest.requester_name)) == ""


def test_statistics_count_sent_and_handled_apart(client, db, mailbox, make_organisation):
    organisation = make_organisation("Laskettava ry", email="info@esimerkki.fi")
    post_contact(client, organisation.id, email="")
    post_contact(client, organisation.id, email="", name="Toinen Henkilö")
    client.post(handled_link(mailbox))

    [count] = contact_requests_per_organisation(utcnow().date(), utcnow().date())

    assert (count.name, count.sent, count.handled) == ("Laskettava ry", 2, 1)


def test_a_request_to_an_organisation_hidden_meanwhile_keeps_what_was_typed(client, db, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry", email="muisti@esimerkki.fi")
    client.get(f"/jarjestot/{organisation.id}")
    organisation.status = "hidden"  # staff hid it while the form was being filled in
    db.session.commit()

    response = post_contact(client, organisation.id)

    assert response.status_code == 409
    assert "ei ole enää mukana palvelussa" in response.text
    assert 'value="Maija Meikäläinen"' in response.text and "Haluaisin tietoa vertaistukiryhmästä." in response.text
    assert "Muistiyhdistys ry" not in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(ContactRequest)) == 0


def test_a_tray_request_after_its_organisations_left_keeps_what_was_typed(client, db, make_organisation):
    organisation = make_organisation("Muistiyhdistys ry", email="muisti@esimerkki.fi")
    put_on_tray(client, organisation)
    client.get("/tarjotin/yhteydenotto")
    organisation.status = "hidden"
    db.session.commit()

    response = client.post("/tarjotin/yhteydenotto", data=once(VALID))

    assert response.status_code == 409
    assert "tarjottimella ei ole enää järjestöjä" in response.text
    assert 'value="Maija Meikäläinen"' in response.text and "Haluaisin tietoa vertaistukiryhmästä." in response.text
    assert db.session.scalar(db.select(db.func.count()).select_from(ContactRequest)) == 0
    # Opening the form with nothing on the tray still leads to the tray.
    assert client.get("/tarjotin/yhteydenotto").status_code == 303
