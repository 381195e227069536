"""Merging a duplicate entry into the one that stays.

The kept entry gains the duplicate's contacts; its open access claims move
along.  The duplicate is deleted the usual way (hidden at once, purged after
the retention period).  Both entries get a revision naming the other, so each
history tells what happened, and the audit event keeps the duplicate's whole
record, so its details outlive the purge.
"""
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import update

from app.directory.moderation import ModerationError, delete
from app.directory.records import organisation_record, record_revision
from app.extensions import db
from app.models import AccessClaim, Organisation, OrganisationContact, utcnow
from app.platform.audit import record_audit


def suggested_merge(first: Organisation, second: Organisation) -> tuple[Organisation, Organisation]:
    """(kept, duplicate) as the merge page first proposes it: the published entry stays, else the older one.

    The entry the public already finds (and links point to) is the one worth keeping;
    staff can swap the two on the confirmation page.
    """
    def rank(organisation: Organisation):
        return (not organisation.is_published, organisation.created_at, organisation.id)

    kept, duplicate = sorted((first, second), key=rank)
    return kept, duplicate


def merge_organisations(kept: Organisation, duplicate: Organisation, actor: str) -> list[str]:
    """Merge `duplicate` into `kept`; the contacts added to `kept`.  Flush, no commit."""
    if kept.id == duplicate.id:
        raise ModerationError(_("Järjestöä ei voi yhdistää itseensä."))
    if kept.deleted_at is not None or duplicate.deleted_at is not None:
        raise ModerationError(_("Poistettua järjestöä ei voi yhdistää. Peru poisto ensin."))
    record = organisation_record(duplicate)
    present = {contact.email for contact in kept.contacts}
    moving = [contact for contact in duplicate.contacts if contact.email not in present]
    for contact in moving:
        kept.contacts.append(
            OrganisationContact(email=contact.email, name=contact.name, role=contact.role, phone=contact.phone)
        )
    added = [contact.email for contact in moving]
    now = utcnow()
    # An UPDATE of the row even with no new contact: the version moves, open edit forms see the merge.
    kept.updated_at = now
    db.session.flush()
    db.session.execute(
        update(AccessClaim)
        .where(AccessClaim.organisation_id == duplicate.id, AccessClaim.status == "pending")
        .values(organisation_id=kept.id)
        .execution_options(synchronize_session=False)
    )
    record_revision(kept, actor, _l("Yhdistetty: %(name)s (nro %(id)d) yhdistettiin tähän",
                                    name=duplicate.name, id=duplicate.id))
    delete(duplicate, actor, now=now)
    record_revision(duplicate, actor, _l("Yhdistetty järjestöön %(name)s (nro %(id)d)",
                                         name=kept.name, id=kept.id))
    record_audit(actor, "merge", "organisation", duplicate.id, name=duplicate.name, into=kept.id,
                 into_name=kept.name, contacts_added=added, record=record)
    return added
