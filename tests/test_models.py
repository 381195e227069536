"""Model invariants: Finnish sort order, cascades, optimistic locking."""
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm.exc import StaleDataError

from app.directory.records import record_revision
from app.models import (
    Organisation,
    OrganisationContact,
    OrganisationKeyword,
    OrganisationPhone,
    Revision,
    SearchDocument,
    organisation_need,
    sort_key,
)

FINNISH_ORDER = ["aapa", "Vaahtera", "Zeta ry", "Åminne", "Ähtäri", "Öljy"]


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_sort_key_puts_z_before_a_ring_before_a_umlaut_before_o_umlaut():
    assert sorted(reversed(FINNISH_ORDER), key=sort_key) == FINNISH_ORDER
    assert sort_key('  "Öljy" ') == sort_key("öljy")


def test_database_sorts_names_in_finnish_order(db):
    for name in reversed(FINNISH_ORDER):
        db.session.add(Organisation(name=name))
    db.session.commit()
    names = db.session.scalars(select(Organisation.name).order_by(Organisation.sort_name)).all()
    assert names == FINNISH_ORDER


def test_deleting_an_organisation_deletes_what_belongs_to_it(db, make_organisation):
    parent = make_organisation("Emoliitto ry")
    child = make_organisation(
        "Paikallisyhdistys ry", needs=["Diabetes"], activities=["Vertaistuki"], municipalities=["Kuopio"], parent=parent
    )
    child.phones = [OrganisationPhone(number="+358401234567", role="puheenjohtaja")]
    child.contacts = [OrganisationContact(email="pj@esimerkki.fi")]
    child.keywords = [OrganisationKeyword(keyword="kahvit")]
    record_revision(child, "testi", "Luotu")
    db.session.commit()
    assert count(db, SearchDocument) == 2

    db.session.delete(child)
    db.session.commit()
    for model in (OrganisationPhone, OrganisationContact, OrganisationKeyword, Revision):
        assert count(db, model) == 0, model
    assert count(db, SearchDocument) == 1
    assert db.session.scalar(select(func.count()).select_from(organisation_need)) == 0


def test_deleting_a_parent_keeps_its_members(db, make_organisation):
    parent = make_organisation("Emoliitto ry")
    child_id = make_organisation("Paikallisyhdistys ry", parent=parent).id
    # A bulk delete goes through the database's own ON DELETE rules.
    db.session.execute(Organisation.__table__.delete().where(Organisation.id == parent.id))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Organisation, child_id).parent_id is None


def test_version_increments_on_every_update(db, make_organisation):
    organisation = make_organisation("Versioyhdistys ry")
    assert organisation.version == 1
    organisation.description = "Uusi kuvaus."
    db.session.commit()
    assert organisation.version == 2
    organisation.meeting_times = "Joka tiistai klo 18."
    db.session.commit()
    assert organisation.version == 3


def test_stale_version_refuses_to_overwrite(db, make_organisation):
    organisation = make_organisation("Lukitusyhdistys ry")
    # Someone else saves first: the row's version moves on underneath us.
    db.session.execute(
        update(Organisation.__table__).where(Organisation.id == organisation.id).values(version=2, description="Toisen muutos.")
    )
    organisation.description = "Oma muutos."
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()
