"""The change history of organisations: revisions with what each one changed,
and restoring an organisation to an earlier revision."""
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Organisation, Revision
from app.services.audit import record_audit
from app.services.diff import FIELD_LABELS, FieldChange, diff_snapshots
from app.services.importer import Taxonomy, parse_record
from app.services.importer_fields import LineReader
from app.services.organisations import OrganisationData, update_organisation

FEED_PAGE_SIZE = 25
# What a restore leaves as it is: moderation state, the confirmation date, and
# who may edit (restoring content must not give an address back its access).
NOT_RESTORED = ("status", "confirmed_at", "contacts")


@dataclass
class RevisionChanges:
    revision: Revision
    changes: list[FieldChange]
    is_first: bool


def organisation_history(organisation: Organisation) -> list[RevisionChanges]:
    """Every revision of the organisation, newest first, each compared with the one before it."""
    revisions = list(
        db.session.scalars(
            select(Revision).where(Revision.organisation_id == organisation.id).order_by(Revision.id)
        )
    )
    history = []
    previous = None
    for revision in revisions:
        history.append(RevisionChanges(revision, diff_snapshots(previous, revision.snapshot), previous is None))
        previous = revision.snapshot
    return list(reversed(history))


def change_feed(page: int, per_page: int = FEED_PAGE_SIZE) -> tuple[Pagination, list[RevisionChanges]]:
    """The latest revisions of all organisations, newest first, with their changes."""
    pagination = db.paginate(
        select(Revision).options(selectinload(Revision.organisation)).order_by(Revision.id.desc()),
        page=page, per_page=per_page, error_out=False, count=True,
    )
    return pagination, [_with_changes(revision) for revision in pagination.items]


def latest_changes(limit: int) -> list[RevisionChanges]:
    revisions = db.session.scalars(
        select(Revision).options(selectinload(Revision.organisation)).order_by(Revision.id.desc()).limit(limit)
    )
    return [_with_changes(revision) for revision in revisions]


def _with_changes(revision: Revision) -> RevisionChanges:
    previous = db.session.scalar(
        select(Revision.snapshot).where(
            Revision.id == select(func.max(Revision.id)).where(
                Revision.organisation_id == revision.organisation_id, Revision.id < revision.id
            ).scalar_subquery()
        )
    )
    return RevisionChanges(revision, diff_snapshots(previous, revision.snapshot), previous is None)


def data_from_record(record: dict, organisation: Organisation) -> tuple[OrganisationData, list[str]]:
    """A snapshot as the values the write service saves, read by the importer's own parser.

    Returns the data and the problems: values that no longer exist (a need since
    merged away, a deleted parent) are left out and reported; a field that does
    not read at all keeps the organisation's current value.
    """
    reader = LineReader({key: value for key, value in record.items() if key not in NOT_RESTORED})
    line = parse_record(0, reader, Taxonomy.load())
    failed = {name.removeprefix("admin.").split(".")[0] for name, _message in reader.problems}
    fields = line.fields
    for name in failed & set(fields):
        fields[name] = getattr(organisation, name)
    parent_id, problems = None, [f"{FIELD_LABELS.get(name, name)}: {message}" for name, message in reader.problems]
    if line.parent:
        parent_id = db.session.scalar(
            select(Organisation.id).where(
                func.lower(Organisation.name) == line.parent.lower(), Organisation.id != organisation.id
            )
        )
        if parent_id is None:
            problems.append(_(
                "%(field)s: \"%(name)s\" ei ole enää hakemistossa.", field=FIELD_LABELS["parent"], name=line.parent
            ))
    data = OrganisationData(
        name=fields["name"] or organisation.name,
        parent_id=parent_id,
        phones=line.phones,
        need_ids=[need.id for need in line.needs],
        activity_ids=[activity.id for activity in line.activities],
        municipality_ids=[municipality.id for municipality in line.municipalities],
        keywords=line.keywords,
        contacts=[contact.email for contact in organisation.contacts],
        sector_id=line.sector.id if line.sector else None,
        **{key: value for key, value in fields.items() if key not in ("name", "status", "confirmed_at")},
    )
    return data, problems


def restore_revision(organisation: Organisation, revision: Revision, actor: str) -> tuple[bool, list[str]]:
    """Make the organisation look like `revision` again, as a new revision; flush, no commit.

    Returns (changed?, problems) — see data_from_record for the problems.
    """
    data, problems = data_from_record(revision.snapshot, organisation)
    summary = _("Palautettu versioon %(number)d (%(date)s)", number=revision.id,
                date=f"{revision.created_at.day}.{revision.created_at.month}.{revision.created_at.year}")
    changed = update_organisation(
        organisation, data, actor, base_version=organisation.version, base_record=None, summary=summary
    )
    if changed:
        record_audit(actor, "restore_revision", "organisation", organisation.id, name=organisation.name,
                     revision_id=revision.id, problems=problems)
        db.session.flush()
    return changed, problems
