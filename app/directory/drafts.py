"""Drafts of the stepped organisation form: one per person and organisation ("new" = None).

Every step a person posts is kept here, so nothing typed is lost when the
session ends or the link expires: signing in again continues from the draft.
A draft is personal data: `flask purge` removes drafts untouched for
DRAFT_RETENTION and an erasure removes a person's drafts (app/platform/erasure.py).
"""
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from app.extensions import db
from app.models import OrganisationDraft, utcnow
from app.platform.validation import email_key

DRAFT_RETENTION = timedelta(days=30)


def find_draft(email: str, organisation_id: int | None) -> OrganisationDraft | None:
    """The person's draft of this organisation (None: of a new one), the newest if several."""
    return db.session.scalars(
        select(OrganisationDraft)
        .where(_of(email, organisation_id))
        .order_by(OrganisationDraft.updated_at.desc(), OrganisationDraft.id.desc())
        .limit(1)
    ).first()


def drafts_of(email: str) -> dict[int | None, OrganisationDraft]:
    """The person's drafts by organisation id (None: a new organisation), the newest of each."""
    found: dict[int | None, OrganisationDraft] = {}
    for draft in db.session.scalars(
        select(OrganisationDraft).where(OrganisationDraft.email == email_key(email))
        .order_by(OrganisationDraft.updated_at, OrganisationDraft.id)
    ):
        found[draft.organisation_id] = draft
    return found


def save_draft(
    email: str, organisation_id: int | None, step: str, values: dict[str, list[str]]
) -> OrganisationDraft:
    """Keep `values` over what the draft holds and remember `step` as where to continue; flush."""
    draft = find_draft(email, organisation_id)
    now = utcnow()
    if draft is None:
        draft = OrganisationDraft(email=email_key(email), organisation_id=organisation_id, values={}, created_at=now)
        db.session.add(draft)
    # A new dict: the JSON column notices assignment, not changes inside it.
    draft.values = {**(draft.values or {}), **values}
    draft.step = step
    draft.updated_at = now
    db.session.flush()
    return draft


def discard_draft(email: str, organisation_id: int | None) -> None:
    """The form was sent (or the person started over): the draft goes; flush."""
    db.session.execute(delete(OrganisationDraft).where(_of(email, organisation_id)))
    db.session.flush()


def purge_old_drafts(*, now: datetime) -> int:
    """Drafts nobody has touched for DRAFT_RETENTION."""
    return db.session.execute(
        delete(OrganisationDraft).where(OrganisationDraft.updated_at < now - DRAFT_RETENTION)
    ).rowcount


def _of(email: str, organisation_id: int | None):
    target = (
        OrganisationDraft.organisation_id.is_(None) if organisation_id is None
        else OrganisationDraft.organisation_id == organisation_id
    )
    return (OrganisationDraft.email == email_key(email)) & target
