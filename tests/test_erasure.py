"""Erasure on request (`flask erase`, "Poista henkilön tiedot") and the retention of orders and failed mail."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.admin_support import add_contacts, make_staff, sign_in_contact, sign_in_staff
from tests.test_contact_requests import post_contact
from tests.test_workshops_helpers import csrf_of, order_form, seed_themes

from app.models import (
    AuditEvent,
    ContactRequest,
    LoginToken,
    OrganisationContact,
    OutboxMessage,
    Revision,
    UserSession,
    WorkshopOrder,
    utcnow,
)
from app.platform.erasure import subject_hash
from app.platform.retention import purge_all
from app.platform.tokens import issue_link_token

PERSON = "maija@example.fi"
HEALTH_DETAIL = "Minulla on uniapnea ja masennus."


@pytest.fixture
def traces(app, client, db, make_organisation):
    """Everything a person leaves: a contact request, a workshop order, mail, a session, a link, a contact row."""
    organisation = make_organisation("Kirjoittava ry", email="info@kirjoittava.example")
    lonely = make_organisation("Yksinäinen ry", email="info@yksinainen.example")
    add_contacts(organisation, PERSON, "toinen@kirjoittava.example")
    add_contacts(lonely, PERSON)
    assert post_contact(client, organisation.id, email=PERSON, message=HEALTH_DETAIL).status_code == 303
    theme = seed_themes(app)[0]
    assert client.post("/tyopajat/tilaa", data=order_form(theme.id, email=PERSON)).status_code == 303
    sign_in_contact(app.test_client(), PERSON)
    issue_link_token(PERSON, "sign_in")
    db.session.commit()
    return organisation, lonely


def person_rows(db) -> dict[str, int]:
    def count(model, *conditions) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))

    return {
        "contact requests": count(ContactRequest, ContactRequest.email == PERSON),
        "health detail": count(ContactRequest, ContactRequest.message == HEALTH_DETAIL),
        "orders": count(WorkshopOrder, func.lower(WorkshopOrder.email) == PERSON),
        "mail": count(OutboxMessage, (OutboxMessage.to == PERSON) | OutboxMessage.text_body.contains(PERSON)),
        "sessions": count(UserSession, UserSession.email == PERSON),
        "links": count(LoginToken, LoginToken.email == PERSON),
        "contact rows": count(OrganisationContact, OrganisationContact.email == PERSON),
    }


def test_flask_erase_removes_every_trace_and_says_what_it_did(runner, db, traces):
    assert all(person_rows(db).values()), person_rows(db)

    result = runner.invoke(args=["erase", "  Maija@Example.fi "])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert set(person_rows(db).values()) == {0}
    assert "contact requests: 1" in result.output and "workshop orders: 1" in result.output
    assert "no contact left, add one: Yksinäinen ry" in result.output
    order = db.session.scalars(select(WorkshopOrder)).one()
    assert (order.contact_person, order.phone, order.accessibility_needs) == ("", "", "")
    assert order.organisation_name == "Kuopion Muistiyhdistys ry", "the order stays for the records"
    assert db.session.scalar(select(func.count()).select_from(ContactRequest)) == 1, "the count stays"
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "erase"))
    assert event.detail["subject"] == subject_hash(PERSON)
    assert PERSON not in str(event.detail) and "maija" not in str(event.detail).lower()


def test_an_erased_order_status_link_stops_working(app, client, db, mailbox, traces):
    status_link = next(
        line for message in mailbox.messages for line in mailbox.bodies(message)[0].split()
        if "/tyopajat/tila/" in line
    )
    path = status_link.split("portal.test", 1)[1]
    assert client.get(path).status_code == 200

    from app.platform.erasure import erase_person
    erase_person(PERSON, "cli")
    db.session.commit()

    assert client.get(path).status_code == 404


def test_the_staff_page_shows_what_will_go_then_what_went(app, db, traces):
    make_staff()
    staff = app.test_client()
    sign_in_staff(staff)
    app.config["WTF_CSRF_ENABLED"] = True  # after the traces and the sign-in were posted without it
    form = staff.get("/yllapito/henkilotietojen-poisto")
    assert form.status_code == 200 and "Poista henkilön tiedot" in form.text

    assert staff.post("/yllapito/henkilotietojen-poisto", data={"email": PERSON}).status_code == 400, "CSRF"
    preview = staff.post("/yllapito/henkilotietojen-poisto", data={"email": PERSON, "csrf_token": csrf_of(form)})
    assert preview.status_code == 200
    assert "Yhteydenottopyynnöt (henkilötiedot tyhjennetään): 1" in preview.text
    assert "Yksinäinen ry" in preview.text
    assert all(person_rows(db).values()), "the preview changes nothing"

    done = staff.post("/yllapito/henkilotietojen-poisto", data={
        "email": PERSON, "confirmed": "1", "csrf_token": csrf_of(preview),
    })
    assert done.status_code == 303
    report = staff.get(done.headers["Location"])
    assert "Henkilön tiedot poistettu" in report.text and "Työpajatilaukset" in report.text
    assert PERSON not in report.text
    db.session.expire_all()
    assert set(person_rows(db).values()) == {0}
    assert db.session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "erase")).one() == make_staff().email


def test_a_bad_address_is_answered_next_to_the_field(app, db):
    make_staff()
    staff = app.test_client()
    sign_in_staff(staff)
    answer = staff.post("/yllapito/henkilotietojen-poisto", data={"email": "ei osoite"})
    assert answer.status_code == 422 and 'value="ei osoite"' in answer.text


def test_purge_blanks_old_workshop_orders_and_removes_old_failed_mail(app, client, db, mailbox, traces):
    order = db.session.scalars(select(WorkshopOrder)).one()
    order.status = "held"
    db.session.commit()
    mailbox.reject_recipients_with = "550 5.1.1 Mailbox unavailable"
    post_contact(client, traces[0].id, email="toinen@example.fi", message=HEALTH_DETAIL)
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "failed")).all()

    purge_all()
    db.session.commit()
    assert db.session.get(WorkshopOrder, order.id).email != "", "not yet past the retention"

    db.session.execute(db.update(WorkshopOrder).values(updated_at=utcnow() - timedelta(days=366)))
    db.session.execute(db.update(OutboxMessage).values(created_at=utcnow() - timedelta(days=31)))
    db.session.commit()
    report = purge_all()
    db.session.commit()

    assert report.workshop_orders == 1 and report.failed_messages >= 1
    db.session.expire_all()
    assert db.session.get(WorkshopOrder, order.id).phone == ""
    bodies = db.session.scalars(select(OutboxMessage.text_body)).all()
    assert not any(HEALTH_DETAIL in body for body in bodies)


def test_the_privacy_notice_names_every_kind_of_personal_data(client):
    page = client.get("/tietosuojaseloste").text
    for kind in ("Yhteydenottopyynnöt", "Työpajatilaukset", "palautekysely", "Sähköpostiviestit", "Kirjautumislinkit",
                 "Istunto", "Yhteyshenkilön", "Ylläpitäjän", "Tapahtumaloki", "laskurit", "Palvelimen lokit",
                 "Tietojen poistaminen pyynnöstä"):
        assert kind in page, kind


def test_the_history_and_the_log_keep_no_trace_of_an_erased_contact(app, db, make_organisation):
    from app.directory.merging import merge_organisations
    from app.directory.records import record_revision
    from app.platform.erasure import erase_person, find_personal_data, pseudonym

    kept = make_organisation("Säilyvä ry")
    duplicate = make_organisation("Säilyvä yhdistys ry")
    db.session.add(OrganisationContact(organisation_id=duplicate.id, email=PERSON, name="Maija Meikäläinen",
                                       role="sihteeri", phone="+358401234567"))
    # Someone else whose address holds the erased one: "anna.maija@example.fi" is not maija@example.fi.
    db.session.add(OrganisationContact(organisation_id=duplicate.id, email=f"anna.{PERSON}", name="Anna Maija",
                                       role="rahastonhoitaja", phone="+358409876543"))
    db.session.flush()
    record_revision(duplicate, "yllapito@keskus.example", "Yhteyshenkilö lisätty")  # the record names the contact
    merge_organisations(kept, duplicate, "yllapito@keskus.example")  # the contact moves; the log keeps the record
    record_revision(kept, PERSON, "Tiedot päivitetty")  # and they edit the kept entry themselves
    db.session.commit()
    assert find_personal_data(PERSON).revisions == 5 and find_personal_data(PERSON).audit_events == 1

    erase_person(PERSON, "cli")
    db.session.commit()
    db.session.expire_all()

    everything = str([(r.author, r.snapshot) for r in db.session.scalars(select(Revision))])
    everything += str([e.detail for e in db.session.scalars(select(AuditEvent))])
    for trace in (PERSON, "Maija Meikäläinen", "+358401234567"):
        assert f"'{trace}'" not in everything, trace  # as a whole value: anna.maija@… is someone else
    assert pseudonym(PERSON) in everything, "the history still shows that a contact was there"
    for other_person in (f"anna.{PERSON}", "Anna Maija", "+358409876543"):
        assert other_person in everything, other_person
    assert find_personal_data(PERSON).is_empty
    make_staff()
    staff = app.test_client()
    sign_in_staff(staff)
    for organisation in (kept, duplicate):
        page = staff.get(f"/yllapito/jarjestot/{organisation.id}/historia")
        assert page.status_code == 200 and f"<{PERSON}>" not in page.text and "Maija Meikäläinen" not in page.text


def test_mail_to_an_address_that_merely_contains_the_erased_one_stays(app, db):
    from app.platform.erasure import erase_person, find_personal_data

    for number, (to, body) in enumerate([(f"anna.{PERSON}", f"Hei, osoitteesi on anna.{PERSON}."), (PERSON, "Linkki.")]):
        db.session.add(OutboxMessage(to=to, subject="Viesti", text_body=body, html_body=f"<p>{body}</p>",
                                     attachments=[], message_id=f"<{number}@test>", next_attempt_at=utcnow()))
    db.session.commit()
    assert find_personal_data(PERSON).outbox_messages == 1

    erase_person(PERSON, "cli")
    db.session.commit()
    assert db.session.scalars(select(OutboxMessage.to)).all() == [f"anna.{PERSON}"]
