"""Revisions: every change to an organisation keeps a full snapshot of it."""
from app.extensions import db
from app.models import Organisation, Revision
from app.services.records import organisation_record


def record_revision(organisation: Organisation, author: str, summary: str) -> Revision:
    """Snapshot the organisation as it is now, in the import/export record format."""
    revision = Revision(
        organisation=organisation,
        author=author,
        summary=summary,
        snapshot=organisation_record(organisation),
    )
    db.session.add(revision)
    db.session.flush()
    return revision
