"""The organisation record: one JSON object holding every field of an organisation.

It is the line format of `flask import/export organisations` and the snapshot a
revision keeps, so both always describe an organisation the same way (but for a
deleted entry's status, see staff_record).
"""
from collections.abc import Iterator

from flask_babel import LazyString
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.config import DEFAULT_LANGUAGE
from app.directory.contacts import contact_people, contact_record
from app.extensions import db
from app.models import Organisation, Revision, sort_key
from app.models.revision import SUMMARY_LENGTH
from app.platform.i18n import in_language


def record_revision(organisation: Organisation, author: str, summary: LazyString | str) -> Revision:
    """Snapshot the organisation as it is now, in the import/export record format (staff_record).

    The summary is a record for the staff, written in Finnish whoever made the change
    (a contact's Swedish session wrote Swedish lines into the Finnish change feed):
    pass it as lazy_gettext, which is rendered here.  Pages show it through the `app_text`
    filter, in the reader's language when it is one of the app's fixed texts.
    """
    with in_language(DEFAULT_LANGUAGE):
        text = str(summary)[:SUMMARY_LENGTH]
    revision = Revision(
        organisation=organisation,
        author=author,
        summary=text,
        snapshot=staff_record(organisation),
    )
    db.session.add(revision)
    db.session.flush()
    return revision


RECORD_KEYS = (
    "name", "org_type", "business_id", "parent", "description", "description_sv", "description_en", "nationwide",
    "municipalities",
    "street_address", "postal_code", "post_office", "phones", "email", "website", "meeting_times",
    "needs", "activities", "keywords", "languages", "language", "step_free_access", "accessible_toilet",
    "induction_loop", "accessibility_notes", "status", "paused_until", "paused_note", "confirmed_at",
    "contacts", "admin",
)
ADMIN_KEYS = (
    "member_count", "employee_count", "volunteer_count", "volunteer_hours_per_year",
    "volunteering_supported", "sector", "education_background",
)
PHONE_KEYS = ("number", "role")
CONTACT_KEYS = ("email", "name", "role", "phone")


def every_organisation() -> Iterator[Organisation]:
    """Every organisation in every status, by id, with what organisation_record reads: for the exports.

    Read in batches, which keeps memory flat on a large directory; closing the
    iterator early also frees the server-side cursor (PostgreSQL).
    """
    links = (Organisation.parent, Organisation.sector, Organisation.municipalities, Organisation.needs,
             Organisation.activities, Organisation.phones, Organisation.contacts, Organisation.keywords)
    query = (
        select(Organisation).order_by(Organisation.id)
        .options(*(selectinload(link) for link in links))
        .execution_options(yield_per=500)
    )
    with db.session.scalars(query) as organisations:
        yield from organisations


def staff_record(org: Organisation) -> dict:
    """The record as staff read it (a revision's snapshot, the staff page): a deleted entry's status is "deleted".

    The import/export record keeps the stored status (hidden until the purge), because
    "deleted" is nothing an import may set.
    """
    return {**organisation_record(org), "status": org.shown_status}


def organisation_record(org: Organisation) -> dict:
    """Every field of `org`, taxonomy by name, in a stable order on any database."""
    return {
        "name": org.name,
        "org_type": org.org_type,
        "business_id": org.business_id,
        "parent": org.parent.name if org.parent else None,
        "description": org.description,
        "description_sv": org.description_sv,
        "description_en": org.description_en,
        "nationwide": org.nationwide,
        # Sorted here rather than by the database, whose collations differ for ä and ö.
        "municipalities": sorted((m.name_fi for m in org.municipalities), key=sort_key),
        "street_address": org.street_address,
        "postal_code": org.postal_code,
        "post_office": org.post_office,
        "phones": [
            {"number": phone.number, "role": phone.role}
            for phone in sorted(org.phones, key=lambda p: p.position)
        ],
        "email": org.email,
        "website": org.website,
        "meeting_times": org.meeting_times,
        "needs": sorted((n.name for n in org.needs), key=sort_key),
        "activities": [a.name for a in sorted(org.activities, key=lambda a: (a.position, a.name))],
        "keywords": sorted((k.keyword for k in org.keywords), key=lambda k: (sort_key(k), k)),
        "languages": list(org.languages or []),
        "language": org.language,
        "step_free_access": org.step_free_access,
        "accessible_toilet": org.accessible_toilet,
        "induction_loop": org.induction_loop,
        "accessibility_notes": org.accessibility_notes,
        "status": org.status,
        "paused_until": org.paused_until.isoformat() if org.paused_until else None,
        "paused_note": org.paused_note,
        "confirmed_at": org.confirmed_at.isoformat() if org.confirmed_at else None,
        "contacts": [contact_record(person) for person in contact_people(org)],
        "admin": {
            "member_count": org.member_count,
            "employee_count": org.employee_count,
            "volunteer_count": org.volunteer_count,
            "volunteer_hours_per_year": org.volunteer_hours_per_year,
            "volunteering_supported": org.volunteering_supported,
            "sector": org.sector.name if org.sector else None,
            "education_background": org.education_background,
        },
    }
