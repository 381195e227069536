""""Toimintamme on päättynyt": a contact takes the entry out of the directory, staff decide on deletion."""
import pytest
from sqlalchemy import select
from tests.admin_support import make_staff
from tests.test_claims import sign_in_staff
from tests.test_self_service import SECRETARY, STAFF, changed, form_data, fresh, own, sign_in_as, two_people

from app.directory import moderation
from app.directory.ending import ENDED_MESSAGE_MAX, ended_report, report_ended, undo_ended
from app.extensions import db
from app.models import AuditEvent, Revision

CHAIR = "puheenjohtaja@example.fi"
MESSAGE = "Yhdistys purettiin vuosikokouksessa 1.12."


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "STAFF_NOTIFY_EMAIL": STAFF}


def end_path(organisation_id: int) -> str:
    return f"/jarjestoille/omat/{organisation_id}/toiminta-paattynyt"


def end_form(client, organisation_id: int, **values):
    page = client.get(end_path(organisation_id))
    return changed(form_data(page, action=end_path(organisation_id)), **values)


def actions(organisation_id: int) -> list[str]:
    return list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == organisation_id).order_by(AuditEvent.id)
    ))


def test_reporting_hides_records_and_tells_staff(app, make_organisation, mailbox):
    organisation = own(make_organisation)

    with app.test_request_context():
        report_ended(organisation, SECRETARY, f"  {MESSAGE}  ")
        db.session.commit()

    organisation = fresh(organisation.id)
    assert organisation.status == "hidden" and organisation.deleted_at is None
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "activity_ended")).all()
    assert (event.actor, event.detail["message"]) == (SECRETARY, MESSAGE)
    revision = db.session.scalars(select(Revision).order_by(Revision.id.desc())).first()
    assert (revision.author, revision.summary) == (SECRETARY, f"Yhdistys ilmoitti toimintansa päättyneen: {MESSAGE}")
    assert ended_report(organisation) == event


def test_a_staff_decision_ends_the_contacts_undo(app, make_organisation):
    organisation = own(make_organisation)
    with app.test_request_context():
        report_ended(organisation, SECRETARY, "")
        moderation.unhide(organisation, "toimisto@keskus.example")
        moderation.hide(organisation, "toimisto@keskus.example")

        assert ended_report(organisation) is None
        with pytest.raises(moderation.ModerationError, match="Ylläpito on jo käsitellyt"):
            undo_ended(organisation, SECRETARY)


def test_only_a_published_entry_can_be_reported(app, make_organisation):
    organisation = own(make_organisation, status="pending")
    with app.test_request_context(), pytest.raises(moderation.ModerationError):
        report_ended(organisation, SECRETARY, "")


def test_the_form_is_offered_only_to_the_entrys_contacts(app, client, make_organisation):
    organisation = own(make_organisation)
    assert client.get(end_path(organisation.id)).status_code == 303

    mine, stranger = two_people(app)
    sign_in_as(mine, SECRETARY)
    sign_in_as(stranger, "joku.muu@example.fi")
    own_list = mine.get("/jarjestoille/omat").text
    assert f'href="{end_path(organisation.id)}"' in own_list and "Toimintamme on päättynyt" in own_list
    assert f'href="{end_path(organisation.id)}"' in mine.get(f"/jarjestoille/omat/{organisation.id}/muokkaa").text
    page = mine.get(end_path(organisation.id))
    assert page.status_code == 200
    assert "Poista järjestö näkyvistä ja ilmoita ylläpidolle" in page.text
    assert stranger.get(end_path(organisation.id)).status_code == 404


def test_others_cannot_end_an_entry(app, make_organisation):
    organisation = own(make_organisation)
    (mine, stranger), (anonymous, _unused) = two_people(app), two_people(app)
    sign_in_as(mine, SECRETARY)
    data = end_form(mine, organisation.id, message=MESSAGE, confirm="y")

    refused_anonymous = anonymous.post(end_path(organisation.id), data=changed(
        data, csrf_token=form_data(anonymous.get("/jarjestoille/"), action="/jarjestoille/")["csrf_token"],
    ))
    sign_in_as(stranger, "joku.muu@example.fi")
    refused_stranger = stranger.post(end_path(organisation.id), data=changed(
        data, csrf_token=form_data(stranger.get("/jarjestoille/omat"), action="/jarjestoille/kirjaudu-ulos")[
            "csrf_token"],
    ))

    assert refused_anonymous.status_code == 303
    assert refused_anonymous.headers["Location"].startswith("/jarjestoille/")
    assert refused_stranger.status_code == 404
    assert fresh(organisation.id).status == "published"


def test_ending_hides_the_entry_at_once_and_mails_staff_once(app, client, make_organisation, mailbox):
    organisation = own(make_organisation, "Muistiyhdistys ry", contacts=(SECRETARY, CHAIR))
    assert "Muistiyhdistys" in client.get("/haku?q=muistiyhdistys").text
    sign_in_as(client, SECRETARY)
    data = end_form(client, organisation.id, message=MESSAGE, confirm="y")

    first = client.post(end_path(organisation.id), data=data)
    second = client.post(end_path(organisation.id), data=data)

    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    done = client.get(first.headers["Location"])
    assert "ei enää näy palvelussa" in done.text and "Peru ilmoitus" in done.text
    assert actions(organisation.id).count("activity_ended") == 1
    assert client.get(f"/jarjestot/{organisation.id}").status_code == 404
    assert "Muistiyhdistys" not in client.get("/haku?q=muistiyhdistys").text
    assert "Ilmoititte toiminnan päättyneen" in client.get("/jarjestoille/omat").text

    [notice] = [message for message in mailbox.messages if message["To"] == STAFF]
    assert notice["Subject"] == "Toiminta päättynyt: Muistiyhdistys ry"
    text, html = mailbox.bodies(notice)
    assert MESSAGE in text and SECRETARY in text
    assert f"/yllapito/jarjestot/{organisation.id}" in text and f"/yllapito/jarjestot/{organisation.id}" in html


def test_confirmation_is_required_and_a_long_message_is_kept(client, make_organisation):
    organisation = own(make_organisation)
    sign_in_as(client, SECRETARY)
    too_long = "x" * (ENDED_MESSAGE_MAX + 1)

    unconfirmed = client.post(end_path(organisation.id), data=end_form(client, organisation.id, message=MESSAGE))
    long_one = client.post(
        end_path(organisation.id), data=end_form(client, organisation.id, message=too_long, confirm="y")
    )

    assert unconfirmed.status_code == long_one.status_code == 422
    assert "Vahvista, että toiminta on päättynyt" in unconfirmed.text and MESSAGE in unconfirmed.text
    assert f"Teksti on liian pitkä: {ENDED_MESSAGE_MAX + 1} merkkiä, enintään {ENDED_MESSAGE_MAX}." in long_one.text
    assert too_long in long_one.text
    assert 'id="message-virhe"' in long_one.text
    assert fresh(organisation.id).status == "published"


def test_the_contact_can_undo_until_staff_act(app, client, make_organisation, mailbox):
    organisation = own(make_organisation, "Muistiyhdistys ry")
    sign_in_as(client, SECRETARY)
    done = client.post(end_path(organisation.id), data=end_form(client, organisation.id, confirm="y"))
    page = client.get(done.headers["Location"])
    undo_path = f"/jarjestoille/omat/{organisation.id}/toiminta-paattynyt/peru"
    undo = form_data(page, action=undo_path)

    first = client.post(undo_path, data=undo)
    second = client.post(undo_path, data=undo)

    assert first.status_code == second.status_code == 303
    assert "näkyy taas palvelussa" in client.get("/jarjestoille/omat").text
    assert fresh(organisation.id).status == "published"
    assert client.get(f"/jarjestot/{organisation.id}").status_code == 200
    assert "Muistiyhdistys" in client.get("/haku?q=muistiyhdistys").text
    assert actions(organisation.id)[-2:] == ["activity_ended", "activity_ended_undone"]
    subjects = [message["Subject"] for message in mailbox.messages if message["To"] == STAFF]
    assert subjects == ["Toiminta päättynyt: Muistiyhdistys ry",
                        "Toiminnan päättymisilmoitus peruttu: Muistiyhdistys ry"]


def test_staff_see_why_it_was_hidden_and_then_the_undo_is_theirs(app, make_organisation):
    organisation = own(make_organisation)
    contact, staff = two_people(app)
    sign_in_as(contact, SECRETARY)
    done = contact.post(
        end_path(organisation.id), data=end_form(contact, organisation.id, message=MESSAGE, confirm="y")
    )
    undo = form_data(contact.get(done.headers["Location"]),
                     action=f"/jarjestoille/omat/{organisation.id}/toiminta-paattynyt/peru")
    make_staff(STAFF)
    sign_in_staff(staff, STAFF)

    staff_page = staff.get(f"/yllapito/jarjestot/{organisation.id}").text
    assert "Toiminta päättynyt" in staff_page and MESSAGE in staff_page and SECRETARY in staff_page
    history = staff.get(f"/yllapito/jarjestot/{organisation.id}/historia").text
    assert "Yhdistys ilmoitti toimintansa päättyneen" in history
    staff_form = form_data(staff.get(f"/yllapito/jarjestot/{organisation.id}"),
                           action=f"/yllapito/jarjestot/{organisation.id}/nayta")
    assert staff.post(f"/yllapito/jarjestot/{organisation.id}/nayta", data=staff_form).status_code == 303

    refused = contact.post(f"/jarjestoille/omat/{organisation.id}/toiminta-paattynyt/peru", data=undo)
    assert refused.status_code == 303
    assert "Ylläpito on jo käsitellyt ilmoituksen" in contact.get(refused.headers["Location"]).text
    assert actions(organisation.id)[-1] == "unhide"
    assert "Toiminta päättynyt" not in staff.get(f"/yllapito/jarjestot/{organisation.id}").text
