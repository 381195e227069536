"""Edit requests (one or many organisations, each contact their own link) and yearly reminders."""
import re
from datetime import timedelta

from sqlalchemy import select
from tests.admin_support import add_contacts, make_staff, sign_in_staff
from tests.clients import once

from app.directory.freshness import send_reminders
from app.extensions import db as _db
from app.models import AuditEvent, LoginToken, Organisation, OutboxMessage, UserSession, utcnow

EDIT_LINK = re.compile(r"http://portal\.test(/jarjestoille/muokkaa/[A-Za-z0-9_\-]+)")


def staff_client(client):
    make_staff()
    sign_in_staff(client)
    return client


def test_one_organisation_each_contact_gets_an_own_seven_day_link(client, mailbox, make_organisation):
    staff_client(client)
    organisation = make_organisation("Pyydettävä ry")
    add_contacts(organisation, "a@yhdistys.example", "b@yhdistys.example")
    compose = client.get(f"/yllapito/muokkauspyynto?jarjesto={organisation.id}")
    assert compose.status_code == 200 and "Pyydettävä ry" in compose.text and "2 yhteyshenkilöä" in compose.text

    empty = client.post("/yllapito/muokkauspyynto", data={"message": " ", "organisation_ids": str(organisation.id)})
    assert empty.status_code == 422 and mailbox.messages == []

    message = "Tarkistattehan kevään kokoontumisajat."
    form = once(message=message, organisation_ids=str(organisation.id))
    answer = client.post("/yllapito/muokkauspyynto", data=form)
    assert answer.status_code == 303
    # The same form sent again (a second press on a slow line) answers the same and mails nobody again.
    again = client.post("/yllapito/muokkauspyynto", data=form)
    assert again.status_code == 303 and again.headers["Location"] == answer.headers["Location"]
    results = client.get(answer.headers["Location"])
    assert "Lähetetty 2 yhteyshenkilölle" in results.text

    assert sorted(m["To"] for m in mailbox.messages) == ["a@yhdistys.example", "b@yhdistys.example"]
    links = [EDIT_LINK.search(mailbox.bodies(m)[0]).group(1) for m in mailbox.messages]
    assert len(set(links)) == 2 and all(message in mailbox.bodies(m)[0] for m in mailbox.messages)
    tokens = _db.session.scalars(select(LoginToken).where(LoginToken.purpose == "edit_request")).all()
    assert len(tokens) == 2 and {t.organisation_id for t in tokens} == {organisation.id}
    assert all(timedelta(days=6, hours=23) < t.expires_at - t.created_at <= timedelta(days=7) for t in tokens)
    assert _db.session.get(Organisation, organisation.id).last_edit_request_at is not None
    assert "Muokkauspyyntö lähetetty" in client.get(f"/yllapito/jarjestot/{organisation.id}").text


def test_the_edit_link_signs_the_contact_in_and_opens_the_form(app, mailbox, make_organisation):
    staff = app.test_client()
    staff_client(staff)
    organisation = make_organisation("Linkitetty ry")
    add_contacts(organisation, "a@yhdistys.example")
    staff.post("/yllapito/muokkauspyynto", data=once(message="Päivittäkää.", organisation_ids=str(organisation.id)))
    path = EDIT_LINK.search(mailbox.bodies(mailbox.messages[0])[0]).group(1)

    contact = app.test_client()
    opened = contact.get(path)
    assert opened.status_code == 200 and "Jatka" in opened.text and opened.headers["Cache-Control"] == "no-store"
    used = contact.post(path)
    assert used.status_code == 303
    assert used.headers["Location"] == f"/jarjestoille/omat/{organisation.id}/tarkista"
    check = contact.get(used.headers["Location"])
    assert check.status_code == 200 and "Tiedot ovat ajan tasalla" in check.text and "Muokkaa tietoja" in check.text
    assert _db.session.scalars(select(UserSession.role).where(UserSession.email == "a@yhdistys.example")).all() == ["contact"]
    # Opened again where it signed in, it goes on; anywhere else it is spent.
    assert contact.get(path).headers["Location"] == f"/jarjestoille/omat/{organisation.id}/tarkista"
    elsewhere = app.test_client()
    assert elsewhere.get(path).status_code == 410
    assert "Muokkauslinkki toimii vain kerran" in elsewhere.get(path).text


def test_bulk_request_to_all_matching_reports_each_organisation(client, mailbox, make_organisation):
    staff_client(client)
    with_contacts = make_organisation("Kuopion A ry", municipalities=["Kuopio"])
    add_contacts(with_contacts, "a@yhdistys.example")
    make_organisation("Kuopion B ry", municipalities=["Kuopio"])
    make_organisation("Varkauden C ry", municipalities=["Varkaus"])
    kuopio = with_contacts.municipalities[0].id

    compose = client.get(f"/yllapito/muokkauspyynto?kunta={kuopio}&kaikki=1")
    assert "Kuopion A ry" in compose.text and "Kuopion B ry" in compose.text and "Varkauden C ry" not in compose.text
    ids = re.search(r'name="organisation_ids" type="hidden" value="([0-9,]+)"', compose.text).group(1)
    answer = client.post("/yllapito/muokkauspyynto", data=once(message="Vuositarkistus.", organisation_ids=ids))
    results = client.get(answer.headers["Location"]).text
    assert re.search(r"Kuopion A ry</a></td>\s*<td>Lähetetty 1 yhteyshenkilölle", results)
    assert re.search(r"Kuopion B ry</a></td>\s*<td><strong>Ei yhteyshenkilöitä – ei lähetetty", results)
    assert [m["To"] for m in mailbox.messages] == ["a@yhdistys.example"]
    event = _db.session.scalars(select(AuditEvent).where(AuditEvent.action == "edit_request")).one()
    assert sorted((r["name"], r["sent"]) for r in event.detail["results"]) == [("Kuopion A ry", 1), ("Kuopion B ry", 0)]


def test_ticked_organisations_only(client, make_organisation):
    staff_client(client)
    one = make_organisation("Valittu ry")
    make_organisation("Valitsematon ry")
    listing = client.get("/yllapito/jarjestot")
    assert 'name="jarjesto"' in listing.text and 'name="kaikki"' in listing.text
    compose = client.get(f"/yllapito/muokkauspyynto?jarjesto={one.id}")
    assert "Valittu ry" in compose.text and "Valitsematon ry" not in compose.text
    nothing = client.get("/yllapito/muokkauspyynto")
    assert nothing.status_code == 303 and nothing.headers["Location"].startswith("/yllapito/jarjestot")


def test_the_same_request_sent_again_after_back_is_mailed_once(client, mailbox, make_organisation):
    staff_client(client)
    organisation = make_organisation("Pyydettävä ry")
    add_contacts(organisation, "a@yhdistys.example")
    form = {"message": "Päivittäkää aukioloajat.", "organisation_ids": str(organisation.id)}
    first = client.post("/yllapito/muokkauspyynto", data=once(form))
    mailbox.messages.clear()

    # Back to the form, which the browser fills in again under a new one-time key, and Send.
    again = client.post("/yllapito/muokkauspyynto", data=once(form))

    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert "Sama pyyntö lähetettiin jo hetki sitten" in client.get(again.headers["Location"]).text
    assert mailbox.messages == []
    assert len(_db.session.scalars(select(AuditEvent).where(AuditEvent.action == "edit_request")).all()) == 1


def test_nothing_is_lost_when_the_mail_server_is_down(client, unstarted_mailbox, make_organisation):
    staff_client(client)
    organisation = make_organisation("Katkos ry")
    add_contacts(organisation, "a@yhdistys.example")
    answer = client.post("/yllapito/muokkauspyynto", data=once(message="Päivitys.", organisation_ids=str(organisation.id)))
    assert answer.status_code == 303
    [message] = _db.session.scalars(select(OutboxMessage)).all()
    assert message.status == "queued" and message.attempts == 1 and message.last_error
    assert "/jarjestoille/muokkaa/" in message.text_body

    unstarted_mailbox.start()
    message.next_attempt_at = utcnow()
    _db.session.commit()
    from app.platform.mail_delivery import deliver_due

    assert deliver_due() == (1, 0)
    assert [m["To"] for m in unstarted_mailbox.messages] == ["a@yhdistys.example"]


def test_reminders_cadence_once_then_again_after_thirty_days(app, runner, make_organisation):
    stale = make_organisation("Vanha ry", confirmed_at=utcnow() - timedelta(days=400))
    add_contacts(stale, "a@yhdistys.example", "b@yhdistys.example")
    never = make_organisation("Ei koskaan ry")
    add_contacts(never, "c@yhdistys.example")
    fresh = make_organisation("Tuore ry", confirmed_at=utcnow() - timedelta(days=30))
    add_contacts(fresh, "d@yhdistys.example")
    hidden = make_organisation("Piilossa ry", status="hidden", confirmed_at=utcnow() - timedelta(days=400))
    add_contacts(hidden, "e@yhdistys.example")
    make_organisation("Ei yhteyshenkilöitä ry", confirmed_at=utcnow() - timedelta(days=400))

    first = runner.invoke(args=["reminders", "send"])
    assert first.exit_code == 0
    assert "organisations reminded: 2, messages queued: 3, stale without contacts: 1" in first.output
    assert sorted(_db.session.scalars(select(OutboxMessage.to))) == ["a@yhdistys.example", "b@yhdistys.example", "c@yhdistys.example"]
    subject = _db.session.scalars(select(OutboxMessage.subject)).first()
    assert "ajan tasalla" in subject

    second = runner.invoke(args=["reminders", "send"])
    assert "organisations reminded: 0, messages queued: 0" in second.output
    assert len(_db.session.scalars(select(OutboxMessage)).all()) == 3

    later = send_reminders(now=utcnow() + timedelta(days=31))
    _db.session.commit()
    assert (later.organisations, later.messages) == (2, 3)
    assert len(_db.session.scalars(select(OutboxMessage)).all()) == 6


def test_confirming_stops_the_reminders(make_organisation):
    organisation = make_organisation("Vahvistava ry", confirmed_at=utcnow() - timedelta(days=400))
    add_contacts(organisation, "a@yhdistys.example")
    assert send_reminders().organisations == 1
    organisation.confirmed_at = utcnow()
    _db.session.commit()
    assert send_reminders(now=utcnow() + timedelta(days=31)).organisations == 0
