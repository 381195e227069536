"""Merging a duplicate entry into the one that stays.

The kept entry gains the duplicate's contacts; its open access claims move
along, and so do its member organisations (those whose parent it is).  The
duplicate is deleted the usual way (hidden at once, purged after the retention
period).  Both entries get a revision naming the other, and each member one
saying its parent changed, so each history tells what happened; the audit
event keeps the duplicate's whole record, so its details outlive the purge.
"""
from dataclasses import dataclass

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select, update

from app.directory.moderation import ModerationError, delete
from app.directory.records import organisation_record, record_revision
from app.extensions import db
from app.models import AccessClaim, Organisation, OrganisationContact, utcnow
from app.platform.audit import record_audit
from app.platform.i18n import N_, with_values

# Revision summaries naming the other entry, translated on display by app_text.
MERGED_HERE = with_values(N_("Yhdistetty: %(name)s (nro %(id)d) yhdistettiin tähän"))
MERGED_INTO = with_values(N_("Yhdistetty järjestöön %(name)s (nro %(id)d)"))


def suggested_merge(first: Organisation, second: Organisation) -> tuple[Organisation, Organisation]:
    """(kept, duplicate) as the merge page first proposes it: the published entry stays, else the older one.

    The entry the public already finds (and links point to) is the one worth keeping;
    staff can swap the two on the confirmation page.
    """
    def rank(organisation: Organisation):
        return (not organisation.is_published, organisation.created_at, organisation.id)

    kept, duplicate = sorted((first, second), key=rank)
    return kept, duplicate


@dataclass(frozen=True)
class MergeResult:
    contacts_added: list[str]  # addresses
    members_moved: list[str]  # names of the member organisations now under the kept entry


def moving_members(kept: Organisation, duplicate: Organisation) -> list[Organisation]:
    """The duplicate's member organisations that the merge moves under `kept`, A–Z (the page asking first)."""
    return _member_moves(kept, duplicate)[0]


def _member_moves(kept: Organisation, duplicate: Organisation) -> tuple[list[Organisation], list[Organisation]]:
    """The duplicate's members as (moving under `kept`, A–Z; losing their parent).

    `kept` itself or one above it cannot move under `kept` (a loop): it loses
    its parent instead, which was the entry it now is one with.
    """
    above = set()
    current = kept
    while current is not None and current.id not in above:
        above.add(current.id)
        current = current.parent
    members = sorted(db.session.scalars(select(Organisation).where(Organisation.parent_id == duplicate.id)),
                     key=lambda o: (o.sort_name, o.id))
    return ([member for member in members if member.id not in above],
            [member for member in members if member.id in above])


def merge_organisations(kept: Organisation, duplicate: Organisation, actor: str) -> MergeResult:
    """Merge `duplicate` into `kept`.  Flush, no commit."""
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
    members, looping = _member_moves(kept, duplicate)
    for member in members:
        member.parent = kept
    for member in looping:
        member.parent = None
    # An UPDATE of each row even with no new contact: the version moves, open edit forms see the merge.
    for changed in {kept, *members, *looping}:
        changed.updated_at = now
    db.session.flush()
    for member in [*members, *looping]:
        if member is not kept:
            record_revision(member, actor, _l("Emojärjestö vaihtui yhdistämisessä"))
    db.session.execute(
        update(AccessClaim)
        .where(AccessClaim.organisation_id == duplicate.id, AccessClaim.status == "pending")
        .values(organisation_id=kept.id)
        .execution_options(synchronize_session=False)
    )
    record_revision(kept, actor, _l(MERGED_HERE, name=duplicate.name, id=duplicate.id))
    delete(duplicate, actor, now=now)
    record_revision(duplicate, actor, _l(MERGED_INTO, name=kept.name, id=kept.id))
    record_audit(actor, "merge", "organisation", duplicate.id, name=duplicate.name, into=kept.id,
                 into_name=kept.name, contacts_added=added, members_moved=[member.id for member in members],
                 members_detached=[member.id for member in looping], record=record)
    return MergeResult(added, [member.name for member in members])
