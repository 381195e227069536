"""Sharing a list with a client: copy, e-mail, print with a QR code; a tray kept for 30 days."""
from datetime import timedelta

from tests.clients import once

from app.platform.submissions import REPEAT_WINDOW
from app.models import OutboxMessage, SharedTray, utcnow


def share(client, db, make_organisation):
    organisation = make_organisation("Jaettava yhdistys ry", confirmed_at=utcnow() - timedelta(days=10))
    client.post("/tarjotin/lisaa", data={"organisation_id": organisation.id})
    client.post("/tarjotin/jaa")
    return db.session.scalar(db.select(SharedTray.code))


def test_the_printout_is_titled_for_the_client_with_dates_and_a_qr_code(client, db, make_organisation):
    code = share(client, db, make_organisation)

    page = client.get(f"/lista/{code}").get_data(as_text=True)

    assert "Järjestöt asiakkaalle" in page
    assert "Tulostettu " in page
    assert "Tiedot tarkistettu" in page
    assert '<svg' in page and 'class="qr-koodi"' in page
    assert f"QR-koodi: http://portal.test/lista/{code}" in page
    assert "<script>" not in page  # the copy button comes from a static file


def test_the_copy_button_is_progressive_and_the_link_is_text(client, db, make_organisation):
    code = share(client, db, make_organisation)
    page = client.get(f"/lista/{code}").get_data(as_text=True)
    assert f'<p class="linkki-osoite" id="jaettava-linkki">http://portal.test/lista/{code}</p>' in page
    assert 'data-kopioi="jaettava-linkki"' in page
    assert "hidden" in page.split('data-kopioi="jaettava-linkki"')[0].rsplit("<button", 1)[1]
    assert "/static/js/copy-link" in page


def test_the_list_is_mailed_through_the_outbox_and_the_address_is_kept_nowhere_else(
    client, db, mailbox, make_organisation
):
    code = share(client, db, make_organisation)

    response = client.post(f"/lista/{code}/laheta", data=once(list_address="Asiakas@Example.fi"))

    assert response.status_code == 303
    [message] = mailbox.messages
    assert message["To"] == "asiakas@example.fi"
    text, _html = mailbox.bodies(message)
    assert "Jaettava yhdistys ry" in text
    assert f"http://portal.test/lista/{code}" in text
    assert db.session.scalar(db.select(SharedTray)).organisation_ids  # the snapshot holds no address
    assert [m.to for m in db.session.scalars(db.select(OutboxMessage))] == ["asiakas@example.fi"]


def test_a_double_click_mails_the_list_once(client, db, mailbox, make_organisation):
    code = share(client, db, make_organisation)
    form = once(list_address="asiakas@example.fi")

    answers = [client.post(f"/lista/{code}/laheta", data=form) for _click in range(2)]

    assert [answer.status_code for answer in answers] == [303, 303]
    assert len(mailbox.messages) == 1


def test_the_sent_form_sent_again_from_the_browsers_memory_shows_the_confirmation_again(
    client, db, mailbox, make_organisation
):
    code = share(client, db, make_organisation)
    form = once(list_address="asiakas@example.fi")
    client.get(client.post(f"/lista/{code}/laheta", data=form).headers["Location"])

    # Back shows the form as it was sent, one-time key and all, and Send.
    again = client.post(f"/lista/{code}/laheta", data=form)

    assert "Lista on lähetetty sähköpostilla." in client.get(again.headers["Location"]).text
    assert len(mailbox.messages) == 1


def test_the_same_list_to_the_same_address_again_after_back_is_not_sent_twice(client, db, mailbox, make_organisation):
    code = share(client, db, make_organisation)
    first = client.post(f"/lista/{code}/laheta", data=once(list_address="asiakas@example.fi"))
    client.get(first.headers["Location"])

    # Back to the page, which the browser fills in again under a new one-time key, and Send.
    again = client.post(f"/lista/{code}/laheta", data=once(list_address="Asiakas@Example.fi"))

    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    page = client.get(again.headers["Location"]).text
    assert "Lista on lähetetty sähköpostilla." in page
    assert "Sama lista lähetettiin tähän osoitteeseen jo hetki sitten, joten sitä ei lähetetty uudelleen." in page
    assert len(mailbox.messages) == 1
    # Another address is another send; so is the same address once the half hour has passed.
    client.post(f"/lista/{code}/laheta", data=once(list_address="omainen@example.fi"))
    assert [m["To"] for m in mailbox.messages] == ["asiakas@example.fi", "omainen@example.fi"]
    db.session.execute(db.update(OutboxMessage).values(created_at=utcnow() - REPEAT_WINDOW - timedelta(minutes=1)))
    db.session.commit()
    client.post(f"/lista/{code}/laheta", data=once(list_address="asiakas@example.fi"))
    assert len(mailbox.messages) == 3


def test_a_bad_address_gets_a_message_and_sends_nothing(client, db, mailbox, make_organisation):
    code = share(client, db, make_organisation)
    response = client.post(f"/lista/{code}/laheta", data=once(list_address="ei-osoite"))
    assert response.status_code == 422
    assert 'value="ei-osoite"' in response.get_data(as_text=True)
    assert mailbox.messages == []



def test_the_language_switch_of_a_refused_mail_form_opens_the_list(client, db, mailbox, make_organisation):
    """The answer's own address only takes POST: the switch leads to the list the form was on."""
    code = share(client, db, make_organisation)
    refused = client.post(f"/sv/lista/{code}/laheta", data=once(list_address="ei-osoite"),
                          headers={"Referer": f"http://localhost/sv/lista/{code}"})
    assert refused.status_code == 422
    assert f'href="/en/lista/{code}"' in refused.text and f'href="/en/lista/{code}/laheta"' not in refused.text
    assert client.get(f"/en/lista/{code}").status_code == 200


def test_the_tray_survives_closing_the_browser(client, make_organisation):
    organisation = make_organisation()
    response = client.post("/tarjotin/lisaa", data={"organisation_id": organisation.id})
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))
    assert "Expires=" in cookie
    assert client.application.permanent_session_lifetime == timedelta(days=30)
