"""Merging a duplicate entry into the one that stays (app/directory/merging.py)."""
import re

from sqlalchemy import select
from tests.admin_support import make_staff, sign_in_staff

from app.directory.records import record_revision
from app.extensions import db as _db
from app.models import AuditEvent, Organisation


def merge_path(kept: Organisation, duplicate: Organisation) -> str:
    return f"/yllapito/jarjestot/{kept.id}/yhdista/{duplicate.id}"


def test_the_merge_page_reached_again_calls_the_merged_duplicate_deleted(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    kept = make_organisation("Säilyvä ry")
    duplicate = make_organisation("Säilyvä ry.", status="pending")
    page = client.get(merge_path(kept, duplicate)).text
    assert re.search(r"Säilyvä ry\. – odottaa hyväksyntää</dd>", page)
    assert client.post(merge_path(kept, duplicate)).status_code == 303

    # The browser's Back: the page no longer calls the duplicate hidden.
    page = client.get(merge_path(kept, duplicate)).text
    assert re.search(r"Säilyvä ry\. – poistettu</dd>", page) and "piilotettu</dd>" not in page
    assert _db.session.get(Organisation, duplicate.id).deleted_at is not None


def test_the_duplicates_member_organisations_move_to_the_kept_entry(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    kept = make_organisation("Omaishoitajaliitto", org_type="liitto")
    duplicate = make_organisation("Omaishoitajien liitto", org_type="liitto", status="pending")
    members = [make_organisation(name, parent_id=duplicate.id) for name in ("Kuopion omaiset ry", "Iisalmen omaiset ry")]
    unrelated = make_organisation("Muu paikallisyhdistys ry", parent_id=kept.id)
    record_revision(members[0], "import", "Tuotu tiedostosta")
    _db.session.commit()

    page = client.get(merge_path(kept, duplicate)).text
    assert "2 jäsenjärjestöä siirtyy kaksoiskappaleelta säilyvän järjestön alle: Iisalmen omaiset ry, Kuopion omaiset ry." in page
    merged = client.post(merge_path(kept, duplicate), follow_redirects=True).text
    assert "Jäsenjärjestöiksi siirrettiin: Iisalmen omaiset ry, Kuopion omaiset ry." in merged

    _db.session.expire_all()
    assert {member.parent_id for member in map(fresh, members)} == {kept.id}
    assert fresh(unrelated).parent_id == kept.id
    # Each member's history says why its parent changed, and the merge's audit event names them.
    history = client.get(f"/yllapito/jarjestot/{members[0].id}/historia").text
    assert "Emojärjestö vaihtui yhdistämisessä" in history
    assert "<del>Omaishoitajien liitto</del> → <ins>Omaishoitajaliitto</ins>" in history
    event = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "merge"))
    assert sorted(event.detail["members_moved"]) == sorted(member.id for member in members)
    # The kept federation's public page lists them.
    public = client.get(f"/jarjestot/{kept.id}").text
    assert "Kuopion omaiset ry" in public and "Iisalmen omaiset ry" in public


def test_a_member_above_the_kept_entry_loses_its_parent_instead_of_making_a_loop(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    duplicate = make_organisation("Omaisliitto", org_type="liitto")
    kept = make_organisation("Omaisliitto ry", parent_id=duplicate.id)
    sibling = make_organisation("Toinen jäsen ry", parent_id=duplicate.id)

    page = client.get(merge_path(kept, duplicate)).text
    assert "1 jäsenjärjestö siirtyy kaksoiskappaleelta säilyvän järjestön alle: Toinen jäsen ry." in page
    assert client.post(merge_path(kept, duplicate)).status_code == 303
    _db.session.expire_all()
    assert fresh(kept).parent_id is None and fresh(sibling).parent_id == kept.id


def test_without_members_the_merge_page_says_nothing_of_them(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    kept, duplicate = make_organisation("Yksin ry"), make_organisation("Yksin ry.")
    assert "jäsenjärjestö" not in client.get(merge_path(kept, duplicate)).text


def fresh(organisation: Organisation) -> Organisation:
    return _db.session.get(Organisation, organisation.id)


def test_merge_summaries_read_in_the_pages_language(client, make_organisation):
    make_staff()
    sign_in_staff(client)
    kept, duplicate = make_organisation("Kielellinen ry"), make_organisation("Kielellinen ry.")
    assert client.post(merge_path(kept, duplicate)).status_code == 303
    # Stored in Finnish for the centre's record …
    assert f"Yhdistetty järjestöön Kielellinen ry (nro {kept.id})" in client.get("/yllapito/muutokset").text
    # … shown in the reader's language, the names as they are.
    for prefix, here, into in (
        ("/sv", f"Sammanslagen: Kielellinen ry. (nr {duplicate.id}) slogs samman med denna",
         f"Sammanslagen med organisationen Kielellinen ry (nr {kept.id})"),
        ("/en", f"Merged: Kielellinen ry. (no. {duplicate.id}) was merged into this one",
         f"Merged into the organisation Kielellinen ry (no. {kept.id})"),
    ):
        assert here in client.get(f"{prefix}/yllapito/jarjestot/{kept.id}/historia").text
        assert into in client.get(f"{prefix}/yllapito/jarjestot/{duplicate.id}/historia").text
        feed = client.get(f"{prefix}/yllapito/muutokset").text
        assert here in feed and into in feed and "Yhdistetty" not in feed
        assert here in client.get(f"{prefix}/yllapito/").text
