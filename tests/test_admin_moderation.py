"""Moderation: the list of all organisations, approve and reject (mailed), hide, pause, delete, edit."""
import re
from datetime import date, timedelta

from sqlalchemy import select
from tests.admin_support import STAFF_EMAIL, add_contacts, make_staff, sign_in_staff

from app.directory.records import organisation_record, record_revision
from app.extensions import db as _db
from app.models import AuditEvent, Organisation, Revision, SearchDocument, utcnow
from app.search.engine import SearchQuery, search


def staff_client(client):
    make_staff()
    sign_in_staff(client)
    return client


def audit_actions() -> list[str]:
    return [event.action for event in _db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def found(name: str) -> bool:
    """Whether the public search finds the organisation by its full name."""
    return name in [o.name for o in search(SearchQuery(text=name)).organisations]


def test_approve_publishes_indexes_and_mails_every_contact(client, mailbox, make_organisation):
    staff_client(client)
    organisation = make_organisation("Kuopion omaishoitajat ry", status="pending", municipalities=["Kuopio"])
    add_contacts(organisation, "a@yhdistys.example", "b@yhdistys.example")

    page = client.get(f"/yllapito/jarjestot/{organisation.id}")
    assert "Hyväksy ja julkaise" in page.text and "a@yhdistys.example" in page.text
    answer = client.post(f"/yllapito/jarjestot/{organisation.id}/hyvaksy")
    assert answer.status_code == 303

    assert _db.session.get(Organisation, organisation.id).status == "published"
    assert found("Kuopion omaishoitajat ry")
    assert client.get(f"/jarjestot/{organisation.id}").status_code == 200
    assert sorted(m["To"] for m in mailbox.messages) == ["a@yhdistys.example", "b@yhdistys.example"]
    text, html = mailbox.bodies(mailbox.messages[0])
    assert "Kuopion omaishoitajat ry on julkaistu" in mailbox.messages[0]["Subject"]
    assert f"http://portal.test/jarjestot/{organisation.id}" in text and "http://portal.test/jarjestot/" in html
    revision = _db.session.scalars(select(Revision)).one()
    assert (revision.author, revision.summary, revision.snapshot["status"]) == (STAFF_EMAIL, "Hyväksytty ja julkaistu", "published")
    assert audit_actions() == ["sign_in", "approve"]


def test_reject_needs_a_reason_and_mails_it(client, mailbox, make_organisation):
    staff_client(client)
    organisation = make_organisation("Epäselvä ryhmä", status="pending")
    add_contacts(organisation, "a@yhdistys.example")

    missing = client.post(f"/yllapito/jarjestot/{organisation.id}/hylkaa", data={"reason": "   "})
    assert missing.status_code == 422
    assert "Tämä tieto on pakollinen" in missing.text
    assert _db.session.get(Organisation, organisation.id).status == "pending"
    assert mailbox.messages == []

    reason = "Toiminta ei ole sosiaali- tai terveysalan järjestötoimintaa.\nOttakaa yhteyttä, jos tämä on virhe."
    assert client.post(f"/yllapito/jarjestot/{organisation.id}/hylkaa", data={"reason": reason}).status_code == 303
    assert _db.session.get(Organisation, organisation.id).status == "rejected"
    [mail] = mailbox.messages
    text, _html = mailbox.bodies(mail)
    assert mail["To"] == "a@yhdistys.example"
    assert "Ottakaa yhteyttä, jos tämä on virhe." in text
    event = _db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reject")).one()
    assert event.detail["reason"] == reason and event.object_id == organisation.id


def test_a_published_organisation_cannot_be_rejected_or_approved_again(client, mailbox, make_organisation):
    staff_client(client)
    organisation = make_organisation("Julkaistu ry")
    add_contacts(organisation, "a@yhdistys.example")
    client.post(f"/yllapito/jarjestot/{organisation.id}/hylkaa", data={"reason": "Ei."})
    client.post(f"/yllapito/jarjestot/{organisation.id}/hyvaksy")
    assert _db.session.get(Organisation, organisation.id).status == "published"
    assert mailbox.messages == []
    assert "Vain hyväksyntää odottavan järjestön voi hylätä." in client.get(f"/yllapito/jarjestot/{organisation.id}").text


def test_hide_and_show_again(client, make_organisation):
    staff_client(client)
    organisation = make_organisation("Piilotettava ry")
    client.post(f"/yllapito/jarjestot/{organisation.id}/piilota")
    assert client.get(f"/jarjestot/{organisation.id}").status_code == 404
    assert not found("Piilotettava ry")
    client.post(f"/yllapito/jarjestot/{organisation.id}/nayta")
    assert client.get(f"/jarjestot/{organisation.id}").status_code == 200
    assert found("Piilotettava ry")
    assert audit_actions()[1:] == ["hide", "unhide"]


def test_pause_until_a_date_is_shown_publicly(client, make_organisation):
    staff_client(client)
    organisation = make_organisation("Tauolla oleva ry")
    until = date.today() + timedelta(days=40)
    bad = client.post(f"/yllapito/jarjestot/{organisation.id}/tauko",
                      data={"until": (date.today() - timedelta(days=1)).isoformat(), "note": "x"})
    assert bad.status_code == 422 and "menneisyydessä" in bad.text
    answer = client.post(f"/yllapito/jarjestot/{organisation.id}/tauko",
                         data={"until": until.strftime("%d.%m.%Y"), "note": "Kesätauko, syksyllä jatketaan."})
    assert answer.status_code == 303
    public = client.get(f"/jarjestot/{organisation.id}").text
    assert f"Toiminta tauolla {until.day}.{until.month}.{until.year} asti" in public
    assert "Kesätauko, syksyllä jatketaan." in public
    client.post(f"/yllapito/jarjestot/{organisation.id}/tauko", data={"until": "", "note": ""})
    assert "Toiminta tauolla" not in client.get(f"/jarjestot/{organisation.id}").text
    assert audit_actions()[1:] == ["pause", "unpause"]


def test_soft_delete_hides_at_once_and_purge_removes_after_retention(client, runner, make_organisation):
    staff_client(client)
    organisation = make_organisation("Poistettava ry")
    organisation_id = organisation.id
    client.post(f"/yllapito/jarjestot/{organisation_id}/poista")
    deleted = _db.session.get(Organisation, organisation_id)
    assert deleted.deleted_at is not None and deleted.status == "hidden"
    assert _db.session.get(SearchDocument, organisation_id) is None
    assert client.get(f"/jarjestot/{organisation_id}").status_code == 404
    assert "Poistettava ry" not in client.get("/yllapito/jarjestot").text
    assert "Poistettava ry" in client.get("/yllapito/jarjestot?tila=deleted").text

    assert "organisations: 0" in runner.invoke(args=["purge"]).output
    deleted.deleted_at = utcnow() - timedelta(days=91)
    _db.session.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "organisations: 1" in result.output
    _db.session.expire_all()
    assert _db.session.get(Organisation, organisation_id) is None
    assert _db.session.scalars(select(Revision).where(Revision.organisation_id == organisation_id)).all() == []
    assert "purge" in audit_actions()


def test_a_deletion_can_be_taken_back_before_the_purge(client, make_organisation):
    staff_client(client)
    organisation = make_organisation("Melkein poistettu ry")
    client.post(f"/yllapito/jarjestot/{organisation.id}/poista")
    client.post(f"/yllapito/jarjestot/{organisation.id}/peru-poisto")
    restored = _db.session.get(Organisation, organisation.id)
    assert restored.deleted_at is None and restored.status == "hidden"
    assert audit_actions()[1:] == ["delete", "undelete"]


def test_a_deleted_organisation_is_called_deleted(client, make_organisation):
    staff_client(client)
    organisation = make_organisation("Poistuva ry")
    record_revision(organisation, "import", "Tuotu tiedostosta")
    _db.session.commit()
    client.post(f"/yllapito/jarjestot/{organisation.id}/poista")
    page = client.get(f"/yllapito/jarjestot/{organisation.id}").text
    assert "<strong>Tila:</strong> Poistettu" in page
    assert re.search(r"<dt>Tila</dt>\s*<dd>poistettu</dd>", page)
    history = client.get(f"/yllapito/jarjestot/{organisation.id}/historia").text
    assert "<del>julkaistu</del> → <ins>poistettu</ins>" in history and "<ins>piilotettu</ins>" not in history
    assert "<del>julkaistu</del> → <ins>poistettu</ins>" in client.get("/yllapito/muutokset").text

    # Taking the deletion back leaves the entry hidden, and the history says so.
    client.post(f"/yllapito/jarjestot/{organisation.id}/peru-poisto")
    history = client.get(f"/yllapito/jarjestot/{organisation.id}/historia").text
    assert "<del>poistettu</del> → <ins>piilotettu</ins>" in history
    # The export keeps the stored status: "deleted" is nothing an import may set.
    organisation = _db.session.get(Organisation, organisation.id)
    organisation.deleted_at = utcnow()
    assert organisation_record(organisation)["status"] == "hidden"


def test_the_list_filters_by_status_municipality_staleness_and_name(client, make_organisation):
    staff_client(client)
    make_organisation("Kuopion Muisti ry", municipalities=["Kuopio"], confirmed_at=utcnow())
    make_organisation("Varkauden Muisti ry", municipalities=["Varkaus"], confirmed_at=utcnow() - timedelta(days=400))
    make_organisation("Odottava ry", status="pending", municipalities=["Kuopio"])
    kuopio = _db.session.scalar(select(Organisation).where(Organisation.name == "Kuopion Muisti ry")).municipalities[0]

    def names(query: str) -> list[str]:
        text = client.get("/yllapito/jarjestot" + query).text
        return [n for n in ("Kuopion Muisti ry", "Varkauden Muisti ry", "Odottava ry") if n in text]

    assert names("") == ["Kuopion Muisti ry", "Varkauden Muisti ry", "Odottava ry"]
    assert names("?tila=pending") == ["Odottava ry"]
    assert names(f"?kunta={kuopio.id}") == ["Kuopion Muisti ry", "Odottava ry"]
    # Only published entries are stale: reminders go to those alone.
    assert names("?vanhentunut=1") == ["Varkauden Muisti ry"]
    assert names("?vanhentunut=1&tila=published") == ["Varkauden Muisti ry"]
    assert names("?q=muisti") == ["Kuopion Muisti ry", "Varkauden Muisti ry"]
    assert names("?q=%25&tila=nonsense&kunta=abc") == []


def test_the_detail_page_shows_admin_figures_and_contacts(client, make_organisation):
    staff_client(client)
    organisation = make_organisation("Luvut ry", member_count=123, volunteer_hours_per_year=4567)
    add_contacts(organisation, "puheenjohtaja@luvut.example")
    page = client.get(f"/yllapito/jarjestot/{organisation.id}").text
    assert "Jäseniä" in page and "123" in page and "4567" in page and "puheenjohtaja@luvut.example" in page


def test_staff_edit_every_field_with_the_shared_form(client, make_organisation):
    staff_client(client)
    organisation = make_organisation("Muokattava ry", status="pending", member_count=5)
    add_contacts(organisation, "a@yhdistys.example")
    form = client.get(f"/yllapito/jarjestot/{organisation.id}/muokkaa")
    assert form.status_code == 200
    assert 'name="status"' in form.text and 'name="member_count"' in form.text
    data = {
        "name": "Muokattu ry", "org_type": "yhdistys", "description": "Uusi kuvaus.",
        "step_free_access": "yes", "accessible_toilet": "unknown", "induction_loop": "no",
        "volunteering_supported": "unknown", "contact_1_email": "a@yhdistys.example", "member_count": "42",
        "status": "published", "version": str(organisation.version), "parent_id": "", "sector_id": "",
    }
    from app.directory.form_values import sign_data
    from app.directory.organisations import organisation_data

    data["base_record"] = sign_data(organisation_data(organisation))
    answer = client.post(f"/yllapito/jarjestot/{organisation.id}/muokkaa", data=data)
    assert answer.status_code == 303, answer.text
    edited = _db.session.get(Organisation, organisation.id)
    assert (edited.name, edited.member_count, edited.status, edited.induction_loop) == ("Muokattu ry", 42, "published", "no")
    assert "edit" in audit_actions()
    assert _db.session.scalars(select(Revision.author)).all() == [STAFF_EMAIL]

    invalid = client.post(f"/yllapito/jarjestot/{organisation.id}/muokkaa", data={**data, "name": "", "member_count": "-3"})
    assert invalid.status_code == 422
