"""The change history of organisations: revisions with what each one changed,
and restoring an organisation to an earlier revision."""
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _, lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.directory.contacts import contact_people, contact_text
from app.directory.importer import IMPORT_AUTHOR, Taxonomy, parse_record
from app.directory.importer_fields import LineReader
from app.directory.organisations import OrganisationData, update_organisation
from app.directory.records import ADMIN_KEYS, RECORD_KEYS
from app.extensions import db
from app.models import Organisation, Revision, Sector
from app.platform.audit import record_audit
from app.platform.i18n import N_, current_language, with_values
from app.platform.templating import LANGUAGE_LABELS, ORG_TYPE_LABELS, TRISTATE_LABELS, date_fi, moment_fi
from app.platform.validation import format_phone_fi
from app.search.index import directory_version
from app.search.query import load_taxonomy


FIELD_LABELS = {
    "name": _l("Nimi"),
    "org_type": _l("Tyyppi"),
    "business_id": _l("Y-tunnus"),
    "parent": _l("Emojärjestö"),
    "description": _l("Kuvaus"),
    "description_sv": _l("Kuvaus ruotsiksi"),
    "description_en": _l("Kuvaus englanniksi"),
    "nationwide": _l("Valtakunnallinen"),
    "municipalities": _l("Toiminta-alue"),
    "street_address": _l("Katuosoite"),
    "postal_code": _l("Postinumero"),
    "post_office": _l("Postitoimipaikka"),
    "phones": _l("Puhelinnumerot"),
    "email": _l("Sähköposti"),
    "website": _l("Verkkosivut"),
    "meeting_times": _l("Kokoontumisajat"),
    "needs": _l("Tarpeet"),
    "activities": _l("Toimintamuodot"),
    "keywords": _l("Avainsanat"),
    "languages": _l("Kielet"),
    "language": _l("Sähköpostien kieli"),
    "step_free_access": _l("Esteetön kulku"),
    "accessible_toilet": _l("Esteetön WC"),
    "induction_loop": _l("Induktiosilmukka"),
    "accessibility_notes": _l("Saavutettavuus, lisätiedot"),
    "status": _l("Tila"),
    "paused_until": _l("Tauolla asti"),
    "paused_note": _l("Tauon tiedote"),
    "confirmed_at": _l("Tiedot tarkistettu"),
    "contacts": _l("Yhteyshenkilöt (muokkausoikeus)"),
    "admin.member_count": _l("Jäseniä"),
    "admin.employee_count": _l("Työntekijöitä"),
    "admin.volunteer_count": _l("Vapaaehtoisia"),
    "admin.volunteer_hours_per_year": _l("Vapaaehtoistunteja vuodessa"),
    "admin.volunteering_supported": _l("Ammatillisesti tuettua vapaaehtoistoimintaa"),
    "admin.sector": _l("Toimiala"),
    "admin.education_background": _l("Koulutustausta"),
}
STATUS_VALUE_LABELS = {
    "pending": _l("odottaa hyväksyntää"),
    "published": _l("julkaistu"),
    "hidden": _l("piilotettu"),
    "rejected": _l("hylätty"),
    "deleted": _l("poistettu"),
}
LIST_KEYS = {"municipalities", "phones", "needs", "activities", "keywords", "languages", "contacts"}
# Lists of taxonomy terms, stored in a record by their Finnish names (so is "admin.sector").
TERM_KEYS = ("needs", "activities", "municipalities")
TRISTATE_KEYS = {"step_free_access", "accessible_toilet", "induction_loop", "admin.volunteering_supported"}
# Fields a record keeps as codes, shown by their labels in the page's language.
VALUE_LABELS = {
    "org_type": ORG_TYPE_LABELS,
    "status": STATUS_VALUE_LABELS,
    "language": LANGUAGE_LABELS,
    **dict.fromkeys(TRISTATE_KEYS, TRISTATE_LABELS),
}


@dataclass
class FieldChange:
    key: str
    label: str
    old: str = ""
    new: str = ""
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def is_list(self) -> bool:
        return self.key in LIST_KEYS


def flatten(snapshot: dict) -> dict:
    """The record with the admin figures as "admin.<key>" entries."""
    flat = {key: snapshot.get(key) for key in RECORD_KEYS if key != "admin"}
    admin = snapshot.get("admin") or {}
    flat.update({f"admin.{key}": admin.get(key) for key in ADMIN_KEYS})
    return flat


def diff_snapshots(old: dict | None, new: dict, names: dict[str, dict[str, str]] | None = None) -> list[FieldChange]:
    """What changed from `old` to `new`, in form order; with no `old`, every filled field.

    `names` is term_names(), read once by a caller that compares many revisions.
    """
    before = flatten(old or {})
    after = flatten(new)
    names = term_names() if names is None else names
    changes = []
    for key, new_value in after.items():
        old_value = before.get(key)
        if _same(old_value, new_value):
            continue
        change = FieldChange(key, str(FIELD_LABELS[key]))
        if key in LIST_KEYS:
            old_items = [format_item(key, item, names) for item in old_value or []]
            new_items = [format_item(key, item, names) for item in new_value or []]
            change.added = [item for item in new_items if item not in old_items]
            change.removed = [item for item in old_items if item not in new_items]
            if not (change.added or change.removed):
                # Same items, another order (phones are ordered): show the whole list.
                change.old, change.new = ", ".join(old_items), ", ".join(new_items)
        else:
            change.old, change.new = format_value(key, old_value, names), format_value(key, new_value, names)
            if change.old == change.new:
                # Different only below what is shown (seconds of a confirmation time):
                # a row "7.42 → 7.42" would tell the reader nothing.
                continue
        changes.append(change)
    return changes


def _same(old, new) -> bool:
    # A missing value, an empty text and an empty list all mean "nothing here".
    nothing = (None, "", [])
    return (old in nothing and new in nothing) or old == new


def term_names() -> dict[str, dict[str, str]]:
    """Per TERM_KEYS list, each term's Finnish name (as records store it) to its name on this page.

    A term renamed or removed since the record was written keeps its stored name.
    """
    language = current_language()
    if language == "fi":
        return {}
    taxonomy = load_taxonomy(directory_version())
    finnish, local = taxonomy.labels("fi"), taxonomy.labels(language)
    names = {
        key: {name: getattr(local, key)[term_id][1] for term_id, (_place, name) in getattr(finnish, key).items()}
        for key in TERM_KEYS
    }
    names["admin.sector"] = {sector.name: sector.label for sector in db.session.scalars(select(Sector))}
    return names


def format_item(key: str, item, names: dict[str, dict[str, str]]) -> str:
    if key in TERM_KEYS:
        return names.get(key, {}).get(item, item)
    if key == "phones":
        number = format_phone_fi(item.get("number") or "")
        return f"{number} ({item['role']})" if item.get("role") else number
    if key == "languages":
        return str(LANGUAGE_LABELS.get(item, item))
    if key == "contacts":
        return contact_text(item)
    return str(item)


def format_value(key: str, value, names: dict[str, dict[str, str]]) -> str:
    if value is None or value == "":
        return ""
    if key in names:
        return names[key].get(value, value)
    if isinstance(value, bool):
        return _("Kyllä") if value else _("Ei")
    if key in VALUE_LABELS:
        return str(VALUE_LABELS[key].get(value, value))
    if key == "paused_until":
        return date_fi(date.fromisoformat(value))
    if key == "confirmed_at":
        # Stored as naive UTC: shown in Helsinki time like the revision's own time above it.
        return moment_fi(datetime.fromisoformat(value))
    return str(value)


def record_fields(record: dict) -> list[FieldChange]:
    """Every field of a record with its label and value as text, in form order (for the detail view)."""
    fields = []
    names = term_names()
    for key, value in flatten(record).items():
        entry = FieldChange(key, str(FIELD_LABELS[key]))
        if key in LIST_KEYS:
            entry.added = [format_item(key, item, names) for item in value or []]
        else:
            entry.new = format_value(key, value, names)
        fields.append(entry)
    return fields


FEED_PAGE_SIZE = 25
# A restore's revision summary, translated on display by app_text.
RESTORED = with_values(N_("Palautettu versioon %(number)d (%(date)s)"))
# What a restore leaves as it is: moderation state, the confirmation date, and
# who may edit (restoring content must not give an address back its access).
NOT_RESTORED = ("status", "confirmed_at", "contacts")


@dataclass
class RevisionChanges:
    revision: Revision
    changes: list[FieldChange]
    is_first: bool
    number: int  # the organisation's own version number: 1, 2, 3 …

    @property
    def author(self) -> str:
        """Who wrote the revision: an address, or the import named in the page's language."""
        return _("Tuonti tiedostosta") if self.revision.author == IMPORT_AUTHOR else self.revision.author


def revision_number(revision: Revision) -> int:
    """Which of its organisation's revisions this is, counting from 1."""
    return db.session.scalar(
        select(func.count()).select_from(Revision).where(
            Revision.organisation_id == revision.organisation_id, Revision.id <= revision.id
        )
    )


def organisation_history(organisation: Organisation) -> list[RevisionChanges]:
    """Every revision of the organisation, newest first, each compared with the one before it."""
    revisions = list(
        db.session.scalars(
            select(Revision).where(Revision.organisation_id == organisation.id).order_by(Revision.id)
        )
    )
    history = []
    previous = None
    names = term_names()
    for number, revision in enumerate(revisions, start=1):
        history.append(RevisionChanges(revision, diff_snapshots(previous, revision.snapshot, names), previous is None,
                                       number))
        previous = revision.snapshot
    return list(reversed(history))


def change_feed(page: int, per_page: int = FEED_PAGE_SIZE) -> tuple[Pagination, list[RevisionChanges]]:
    """The latest revisions of all organisations, newest first, with their changes."""
    pagination = db.paginate(
        select(Revision).options(selectinload(Revision.organisation)).order_by(Revision.id.desc()),
        page=page, per_page=per_page, error_out=False, count=True,
    )
    names = term_names()
    return pagination, [_with_changes(revision, names) for revision in pagination.items]


def latest_changes(limit: int) -> list[RevisionChanges]:
    revisions = db.session.scalars(
        select(Revision).options(selectinload(Revision.organisation)).order_by(Revision.id.desc()).limit(limit)
    )
    names = term_names()
    return [_with_changes(revision, names) for revision in revisions]


def _with_changes(revision: Revision, names: dict[str, dict[str, str]]) -> RevisionChanges:
    previous = db.session.scalar(
        select(Revision.snapshot).where(
            Revision.id == select(func.max(Revision.id)).where(
                Revision.organisation_id == revision.organisation_id, Revision.id < revision.id
            ).scalar_subquery()
        )
    )
    return RevisionChanges(
        revision, diff_snapshots(previous, revision.snapshot, names), previous is None, revision_number(revision)
    )


def restore_preview(organisation: Organisation, revision: Revision) -> RevisionChanges:
    """What restoring `revision` would change in the organisation as it is now."""
    current = db.session.scalar(
        select(Revision.snapshot).where(Revision.organisation_id == organisation.id).order_by(Revision.id.desc()).limit(1)
    )
    target = {**revision.snapshot, **{key: (current or {}).get(key) for key in NOT_RESTORED}}
    return RevisionChanges(revision, diff_snapshots(current, target), False, revision_number(revision))


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
        contacts=contact_people(organisation),
        sector_id=line.sector.id if line.sector else None,
        # The status given, as staff's saves give it: with none, a change to a rejected
        # entry would count as its contacts' correction and go back to staff as pending.
        status=organisation.status,
        **{key: value for key, value in fields.items() if key not in ("name", "status", "confirmed_at")},
    )
    return data, problems


def restore_revision(organisation: Organisation, revision: Revision, actor: str) -> tuple[bool, list[str]]:
    """Make the organisation look like `revision` again, as a new revision; flush, no commit.

    Returns (changed?, problems) — see data_from_record for the problems.
    """
    data, problems = data_from_record(revision.snapshot, organisation)
    summary = _l(RESTORED, number=revision_number(revision), date=date_fi(revision.created_at))
    changed = update_organisation(
        organisation, data, actor, base_version=organisation.version, base_record=None, summary=summary,
        confirms=False,
    ).changed
    if changed:
        record_audit(actor, "restore_revision", "organisation", organisation.id, name=organisation.name,
                     revision_id=revision.id, problems=problems)
        db.session.flush()
    return changed, problems
