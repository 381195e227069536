"""History: field-by-field diffs of revisions, the change feed, and restoring a revision."""
import re
from datetime import datetime

from sqlalchemy import select
from tests.admin_support import STAFF_EMAIL, make_staff, sign_in_staff

from app.directory.history import diff_snapshots
from app.directory.importer import IMPORT_AUTHOR
from app.directory.moderation import reject
from app.directory.organisations import OrganisationData, update_organisation
from app.directory.records import organisation_record, record_revision
from app.extensions import db as _db
from app.models import AuditEvent, Need, Organisation, Revision


def data_of(organisation: Organisation, **changes) -> OrganisationData:
    """The organisation's current values as the write service takes them, with `changes`."""
    values = {column: getattr(organisation, column) for column in (
        "name", "org_type", "business_id", "description", "street_address", "postal_code", "post_office",
        "email", "website", "meeting_times", "languages", "step_free_access", "accessible_toilet",
        "induction_loop", "accessibility_notes", "paused_until", "paused_note", "nationwide",
        "member_count", "employee_count", "volunteer_count", "volunteer_hours_per_year",
        "volunteering_supported", "education_background",
    )}
    values.update(
        need_ids=[n.id for n in organisation.needs],
        activity_ids=[a.id for a in organisation.activities],
        municipality_ids=[m.id for m in organisation.municipalities],
        phones=[(p.number, p.role) for p in organisation.phones],
        keywords=organisation.keyword_list,
        contacts=[c.email for c in organisation.contacts],
        sector_id=organisation.sector_id,
        parent_id=organisation.parent_id,
    )
    values.update(changes)
    return OrganisationData(**values)


def edit(organisation: Organisation, author: str = "sihteeri@yhdistys.example", **changes) -> None:
    assert update_organisation(organisation, data_of(organisation, **changes), author,
                               base_version=organisation.version, base_record=None).changed
    _db.session.commit()


def need_id(name: str) -> int:
    return _db.session.scalar(select(Need.id).where(Need.name == name))


def test_the_diff_reads_field_by_field_with_finnish_labels():
    old = {"name": "Vanha ry", "needs": ["Diabetes", "Masennus"], "nationwide": False,
           "step_free_access": "unknown", "phones": [{"number": "+358401234567", "role": "ohjaaja"}],
           "admin": {"member_count": 10}}
    new = {"name": "Uusi ry", "needs": ["Diabetes", "Yksinäisyys"], "nationwide": True,
           "step_free_access": "yes", "phones": [], "admin": {"member_count": 12}}
    changes = {change.label: change for change in diff_snapshots(old, new)}
    assert (changes["Nimi"].old, changes["Nimi"].new) == ("Vanha ry", "Uusi ry")
    assert (changes["Tarpeet"].added, changes["Tarpeet"].removed) == (["Yksinäisyys"], ["Masennus"])
    assert (changes["Valtakunnallinen"].old, changes["Valtakunnallinen"].new) == ("Ei", "Kyllä")
    assert (changes["Esteetön kulku"].old, changes["Esteetön kulku"].new) == ("Ei tiedossa", "Kyllä")
    assert changes["Puhelinnumerot"].removed == ["040 123 4567 (ohjaaja)"]
    assert (changes["Jäseniä"].old, changes["Jäseniä"].new) == ("10", "12")
    assert set(changes) == {"Nimi", "Tarpeet", "Valtakunnallinen", "Esteetön kulku", "Puhelinnumerot", "Jäseniä"}
    assert diff_snapshots(new, dict(new)) == []


def test_history_page_and_change_feed_show_diffs(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    organisation = make_organisation("Historia ry", description="Ensimmäinen kuvaus.", needs=["Diabetes"])
    record_revision(organisation, "import", "Tuotu")
    _db.session.commit()
    edit(organisation, description="Toinen kuvaus.", need_ids=[need_id("Diabetes"), need_id("Masennus")])

    page = client.get(f"/yllapito/jarjestot/{organisation.id}/historia")
    assert page.status_code == 200
    assert "Ensimmäinen kuvaus." in page.text and "Toinen kuvaus." in page.text
    assert "Lisätty: Masennus" in page.text
    assert page.text.count("Palauta tähän versioon") == 1

    feed = client.get("/yllapito/muutokset")
    assert feed.status_code == 200 and "Historia ry" in feed.text and "Lisätty: Masennus" in feed.text
    assert "Historia ry" in client.get("/yllapito/").text


def test_restore_writes_a_new_revision_and_the_public_page_shows_the_old_values(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    organisation = make_organisation("Palautettava ry", description="Alkuperäinen kuvaus.", needs=["Diabetes"],
                                      municipalities=["Kuopio"], member_count=30)
    first = record_revision(organisation, "import", "Tuotu")
    _db.session.commit()
    edit(organisation, name="Sotkettu ry", description="Vahingossa muutettu.", need_ids=[need_id("Masennus")],
         member_count=3, contacts=["uusi@yhdistys.example"])
    assert _db.session.scalar(select(Organisation.name)) == "Sotkettu ry"

    answer = client.post(f"/yllapito/jarjestot/{organisation.id}/historia/{first.id}/palauta")
    assert answer.status_code == 303
    _db.session.expire_all()
    restored = _db.session.get(Organisation, organisation.id)
    assert (restored.name, restored.description, restored.member_count) == ("Palautettava ry", "Alkuperäinen kuvaus.", 30)
    assert [n.name for n in restored.needs] == ["Diabetes"]
    # Who may edit is not content: the restore leaves the contacts as they are.
    assert [c.email for c in restored.contacts] == ["uusi@yhdistys.example"]

    revisions = _db.session.scalars(select(Revision).order_by(Revision.id)).all()
    assert len(revisions) == 3
    assert revisions[-1].author == STAFF_EMAIL and revisions[-1].summary.startswith(f"Palautettu versioon {first.id}")
    assert revisions[-1].snapshot["name"] == "Palautettava ry"
    event = _db.session.scalars(select(AuditEvent).where(AuditEvent.action == "restore_revision")).one()
    assert event.detail["revision_id"] == first.id

    public = client.get(f"/jarjestot/{organisation.id}").text
    assert "Palautettava ry" in public and "Alkuperäinen kuvaus." in public and "Sotkettu" not in public

    again = client.post(f"/yllapito/jarjestot/{organisation.id}/historia/{first.id}/palauta", follow_redirects=True)
    assert "ovat jo tämän version mukaiset" in again.text
    assert len(_db.session.scalars(select(Revision)).all()) == 3


def test_restore_keeps_the_checked_date(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    checked = datetime(2026, 3, 2, 10, 15)
    organisation = make_organisation("Tarkistettu ry", description="Alkuperäinen.", confirmed_at=checked)
    first = record_revision(organisation, "import", "Tuotu")
    _db.session.commit()
    edit(organisation, description="Muutettu.")
    _db.session.get(Organisation, organisation.id).confirmed_at = checked
    _db.session.commit()
    # The question says so …
    question = client.get(f"/yllapito/jarjestot/{organisation.id}/historia/{first.id}/palautetaanko").text
    assert "Tiedot tarkistettu" not in question

    # … and the restore keeps to it: old content is not a check that the details are current.
    assert client.post(f"/yllapito/jarjestot/{organisation.id}/historia/{first.id}/palauta").status_code == 303
    _db.session.expire_all()
    restored = _db.session.get(Organisation, organisation.id)
    assert (restored.description, restored.confirmed_at) == ("Alkuperäinen.", checked)


def test_restoring_a_rejected_entry_keeps_it_rejected(client, mailbox, make_organisation):
    make_staff()
    sign_in_staff(client)
    organisation = make_organisation("Hylätty ry", description="Alkuperäinen.", status="pending")
    first = record_revision(organisation, "import", "Tuotu")
    _db.session.commit()
    edit(organisation, description="Muutettu.")
    reject(_db.session.get(Organisation, organisation.id), STAFF_EMAIL, "Kuvaus on epäselvä.")
    _db.session.commit()
    assert client.post(f"/yllapito/jarjestot/{organisation.id}/historia/{first.id}/palauta").status_code == 303
    _db.session.expire_all()
    restored = _db.session.get(Organisation, organisation.id)
    # Not a contact's correction: it stays rejected, and staff are not told of a resubmission.
    assert (restored.description, restored.status) == ("Alkuperäinen.", "rejected")
    assert _db.session.scalars(select(Revision).order_by(Revision.id.desc())).first().summary.startswith(
        "Palautettu versioon 1")


def test_restore_reports_values_that_no_longer_exist(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    organisation = make_organisation("Vanhat termit ry", needs=["Diabetes"])
    old = record_revision(organisation, "import", "Tuotu")
    old.snapshot = {**organisation_record(organisation), "needs": ["Diabetes", "Poistunut tarve"],
                    "description": "Vanha kuvaus."}
    _db.session.commit()
    answer = client.post(f"/yllapito/jarjestot/{organisation.id}/historia/{old.id}/palauta", follow_redirects=True)
    assert "Ei palautettu: Tarpeet: Tuntematon tarve: &#34;Poistunut tarve&#34;." in answer.text
    _db.session.expire_all()
    restored = _db.session.get(Organisation, organisation.id)
    assert restored.description == "Vanha kuvaus." and [n.name for n in restored.needs] == ["Diabetes"]


def test_a_revision_of_another_organisation_is_not_restored(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    one = make_organisation("Yksi ry")
    other = make_organisation("Toinen ry")
    foreign = record_revision(other, "import", "Tuotu")
    _db.session.commit()
    client.post(f"/yllapito/jarjestot/{one.id}/historia/{foreign.id}/palauta")
    assert _db.session.get(Organisation, one.id).name == "Yksi ry"


def test_versions_are_numbered_per_organisation(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    other = make_organisation("Toinen ry")
    for number in range(3):
        record_revision(other, "import", f"Tuotu {number}")
    organisation = make_organisation("Numeroitu ry", description="Yksi.")
    first = record_revision(organisation, "import", "Tuotu")
    _db.session.commit()
    edit(organisation, description="Kaksi.")
    page = client.get(f"/yllapito/jarjestot/{organisation.id}/historia").text
    assert "Versio 2: Tiedot päivitetty" in page and "Versio 1: Tuotu" in page
    assert first.id > 3 and f"Versio {first.id}:" not in page  # not the global revision id

    confirm = client.get(f"/yllapito/jarjestot/{organisation.id}/historia/{first.id}/palautetaanko")
    assert confirm.status_code == 200 and "Palautetaanko versio 1?" in confirm.text
    assert client.post(f"/yllapito/jarjestot/{organisation.id}/historia/{first.id}/palauta").status_code == 303
    latest = _db.session.scalars(select(Revision).order_by(Revision.id.desc())).first()
    assert latest.summary.startswith("Palautettu versioon 1 (")


def test_restoring_asks_first_and_shows_what_would_change(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    organisation = make_organisation("Kysyvä ry", description="Alkuperäinen.")
    first = record_revision(organisation, "import", "Tuotu")
    _db.session.commit()
    edit(organisation, description="Muutettu.")
    history = client.get(f"/yllapito/jarjestot/{organisation.id}/historia").text
    # The history offers a link to the question, not a button that restores at once.
    assert f'href="/yllapito/jarjestot/{organisation.id}/historia/{first.id}/palautetaanko"' in history
    assert f'action="/yllapito/jarjestot/{organisation.id}/historia/{first.id}/palauta"' not in history

    question = client.get(f"/yllapito/jarjestot/{organisation.id}/historia/{first.id}/palautetaanko")
    assert "Muutettu." in question.text and "Alkuperäinen." in question.text
    assert f'action="/yllapito/jarjestot/{organisation.id}/historia/{first.id}/palauta"' in question.text
    assert "Peruuta" in question.text
    _db.session.expire_all()
    assert _db.session.get(Organisation, organisation.id).description == "Muutettu."
    other = make_organisation("Vieras ry")
    assert client.get(f"/yllapito/jarjestot/{other.id}/historia/{first.id}/palautetaanko").status_code == 404


def test_a_change_below_what_is_shown_makes_no_row():
    old = {"name": "Sama ry", "confirmed_at": "2026-03-05T07:42:10"}
    new = {"name": "Sama ry", "confirmed_at": "2026-03-05T07:42:55"}
    assert diff_snapshots(old, new) == []
    later = {"name": "Sama ry", "confirmed_at": "2026-03-05T07:43:01"}
    [change] = diff_snapshots(old, later)
    assert (change.old, change.new) == ("5.3.2026 09.42", "5.3.2026 09.43")


def test_a_checked_time_reads_in_helsinki_time_like_the_revision_above_it(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    organisation = make_organisation("Aikavyöhyke ry", confirmed_at=datetime(2026, 5, 1, 12, 0))
    record_revision(organisation, "import", "Tuotu")
    _db.session.commit()
    # 22.28 UTC on 1 June is 01.28 on 2 June in Helsinki (summer time, UTC+3).
    moment = datetime(2026, 6, 1, 22, 28)
    _db.session.get(Organisation, organisation.id).confirmed_at = moment
    record_revision(organisation, STAFF_EMAIL, "Tiedot vahvistettu ajan tasalle").created_at = moment
    _db.session.commit()
    for path in (f"/yllapito/jarjestot/{organisation.id}/historia", "/yllapito/muutokset"):
        page = client.get(path).text
        assert "2.6.2026 01.28 · " in page
        assert "<del>1.5.2026 15.00</del> → <ins>2.6.2026 01.28</ins>" in page


def test_history_and_the_staff_page_name_terms_in_the_pages_language(client, make_organisation, db):
    # A record keeps its terms by their Finnish names; a Swedish or English page shows each in its language.
    make_staff()
    sign_in_staff(client)
    organisation = make_organisation("Historia ry", needs=["Diabetes"], activities=["Vertaistuki"],
                                     municipalities=["Kuopio"])
    record_revision(organisation, "import", "Tuotu")
    _db.session.commit()
    edit(organisation, need_ids=[need_id("Diabetes"), need_id("Muistisairaus")])

    history = client.get(f"/en/yllapito/jarjestot/{organisation.id}/historia").text
    assert "Added: Memory disorders" in history and "Muistisairaus" not in history
    staff_page = client.get(f"/sv/yllapito/jarjestot/{organisation.id}").text
    assert "Minnessjukdom" in staff_page and "Kamratstöd" in staff_page and "Kuopio" in staff_page
    assert "Muistisairaus" not in staff_page and "Vertaistuki" not in staff_page
    assert "Lisätty: Muistisairaus" in client.get("/yllapito/muutokset").text


def test_codes_read_as_words_the_mail_language_and_the_import(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    organisation = make_organisation("Kielivalinta ry", language="sv")
    record_revision(organisation, IMPORT_AUTHOR, "Tuotu tiedostosta")
    _db.session.commit()
    edit(organisation, language="fi")

    staff_page = client.get(f"/yllapito/jarjestot/{organisation.id}").text
    assert re.search(r"<dt>Sähköpostien kieli</dt>\s*<dd>suomi</dd>", staff_page)
    assert re.search(r"<dt>E-postens språk</dt>\s*<dd>finska</dd>",
                     client.get(f"/sv/yllapito/jarjestot/{organisation.id}").text)
    history = client.get(f"/yllapito/jarjestot/{organisation.id}/historia").text
    assert "<del>ruotsi</del> → <ins>suomi</ins>" in history
    english = client.get(f"/en/yllapito/jarjestot/{organisation.id}/historia").text
    assert "<del>Swedish</del> → <ins>Finnish</ins>" in english and "· Import from a file" in english
    for page in (history, client.get("/yllapito/").text, client.get("/yllapito/muutokset").text):
        assert "· Tuonti tiedostosta" in page and "· import" not in page
