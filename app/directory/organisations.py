"""The write side of organisations: create, update and confirm, used by contacts and staff alike.

Every change writes a revision, reindexes the organisation and (but for a
restore of an old version) counts as a confirmation that the details are
current.  A rejected entry that its contacts correct goes back to staff for
approval.  Saves are optimistically locked: the caller says which version (and
which values) the person started from; when someone else has saved since, the
save writes only what this person changed (app/directory/merge.py) and is
refused only where both changed the same thing.
Contacts added or removed are told by mail (app/directory/contacts.py).
"""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import LazyString, gettext as _, lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.config import DEFAULT_LANGUAGE
from app.directory.contacts import UNAPPROVED, ContactPerson, announce_contact_changes, apply_contacts, contact_people
from app.directory.merge import apply_choices, merge_saves
from app.directory.records import organisation_record, record_revision
from app.extensions import db
from app.models import (
    Activity,
    Municipality,
    Need,
    Organisation,
    OrganisationKeyword,
    OrganisationPhone,
    Sector,
    sort_key,
    utcnow,
)
from app.platform.outbox import queue_mail
from app.platform.staff_notices import notify_staff
from app.platform.tokens import link_url
from app.platform.validation import RefusedError
from app.search.index import index_organisation

# Columns copied as they are from OrganisationData to the organisation.
PLAIN_COLUMNS = (
    "name", "org_type", "business_id", "description", "description_sv", "description_en", "nationwide",
    "street_address", "postal_code",
    "post_office", "email", "website", "meeting_times", "languages", "language", "step_free_access",
    "accessible_toilet", "induction_loop", "accessibility_notes", "paused_until", "paused_note",
    "member_count", "employee_count", "volunteer_count", "volunteer_hours_per_year",
    "volunteering_supported", "education_background",
)


@dataclass
class OrganisationData:
    """Validated values for every field of an organisation; taxonomy rows by id."""

    name: str
    org_type: str = "yhdistys"
    business_id: str | None = None
    parent_id: int | None = None
    description: str = ""
    description_sv: str = ""
    description_en: str = ""
    street_address: str = ""
    postal_code: str = ""
    post_office: str = ""
    email: str = ""
    website: str = ""
    phones: list[tuple[str, str]] = field(default_factory=list)  # (E.164 number, role)
    meeting_times: str = ""
    languages: list[str] = field(default_factory=list)
    language: str = DEFAULT_LANGUAGE
    step_free_access: str = "unknown"
    accessible_toilet: str = "unknown"
    induction_loop: str = "unknown"
    accessibility_notes: str = ""
    paused_until: date | None = None
    paused_note: str = ""
    need_ids: list[int] = field(default_factory=list)
    activity_ids: list[int] = field(default_factory=list)
    municipality_ids: list[int] = field(default_factory=list)
    nationwide: bool = False
    keywords: list[str] = field(default_factory=list)
    contacts: list[ContactPerson] = field(default_factory=list)
    member_count: int | None = None
    employee_count: int | None = None
    volunteer_count: int | None = None
    volunteer_hours_per_year: int | None = None
    volunteering_supported: str = "unknown"
    sector_id: int | None = None
    education_background: str = ""
    # None keeps the status as it is: only staff decide it.
    status: str | None = None

    def __post_init__(self):
        # An address alone is a contact whose name is not known (imports, claims, older callers).
        self.contacts = [ContactPerson(person) if isinstance(person, str) else person for person in self.contacts]


class NotConfirmable(RefusedError):
    """The entry cannot be confirmed as current (Organisation.can_be_confirmed); `message` says what to do."""


class VersionConflict(Exception):
    """Someone else saved the organisation after this person started editing it, and
    changed something this person changed too (or what they started from is unknown)."""


@dataclass(frozen=True)
class SaveResult:
    """What a save did: `changed` details, whether a rejected entry went back to staff,
    and whether it kept others' changes to the form's fields made after this person started."""

    changed: bool
    resubmitted: bool = False
    merged: bool = False


def organisation_data(organisation: Organisation) -> OrganisationData:
    """The organisation's current values in the form a save takes them (what _apply writes)."""
    return OrganisationData(
        parent_id=organisation.parent.id if organisation.parent else None,
        phones=[(phone.number, phone.role) for phone in sorted(organisation.phones, key=lambda p: p.position)],
        need_ids=sorted(need.id for need in organisation.needs),
        activity_ids=sorted(activity.id for activity in organisation.activities),
        municipality_ids=sorted(municipality.id for municipality in organisation.municipalities),
        keywords=organisation.keyword_list,
        contacts=contact_people(organisation),
        sector_id=organisation.sector.id if organisation.sector else None,
        status=organisation.status,
        **{column: getattr(organisation, column) for column in PLAIN_COLUMNS},
    )


def create_organisation(data: OrganisationData, author: str) -> Organisation:
    """A new organisation, pending unless `data.status` says otherwise; flush, no commit.

    A pending one is announced to staff (app/platform/staff_notices.py) and its
    author gets a receipt, both through the outbox.
    """
    organisation = Organisation(name=data.name, status=data.status or "pending")
    db.session.add(organisation)
    with db.session.no_autoflush:
        added, _removed = _apply(organisation, data)
    organisation.confirmed_at = utcnow()
    db.session.flush()
    record_revision(organisation, author, _l("Järjestö lisätty"))
    index_organisation(organisation)
    announce_contact_changes(organisation, added, [], author)
    if organisation.status == "pending":
        notify_staff("new_organisation_staff", organisation=organisation, author=author, resubmitted=False)
        queue_mail(author, "organisation_received", organisation_name=organisation.name,
                   own_url=link_url("accounts.my_organisations"))
    return organisation


def update_organisation(
    organisation: Organisation,
    data: OrganisationData,
    author: str,
    *,
    base_version: int | None,
    base_record: OrganisationData | None,
    choices: dict[str, str] | None = None,
    summary: LazyString | None = None,
    confirms: bool = True,
) -> SaveResult:
    """Save `data` over `organisation`; flush, no commit.

    `base_version` and `base_record` are what the person saw when they opened the
    form (the form's started_from); `choices` their answers on a conflict page
    (merge.apply_choices).  When the organisation has moved on since, only what
    this person changed is written, merged into the current values; if both
    changed the same thing differently, or the base is unknown, VersionConflict.
    A concurrent save that lands between this check and the flush raises
    StaleDataError in the flush, also reported as VersionConflict (the caller
    must roll back).  A save that changes nothing writes nothing; whether it
    confirms is the caller's decision (a contact's form says so on its button).
    A contact's save (`data.status` None) that changes a rejected entry sends it
    back to staff for approval.  A change confirms the details are current
    unless `confirms` is False (a restore puts old content back; nobody checked it).
    """
    merged = False
    if base_record is not None and choices:
        data = apply_choices(data, base_record, choices)
    if organisation.version != base_version:
        if base_record is None:
            raise VersionConflict()
        merge = merge_saves(base_record, organisation_data(organisation), data)
        if merge.conflicts:
            raise VersionConflict()
        # "Merged" tells the person others' changes were kept: not so when the save in
        # between changed nothing the form holds (staff's rejection, another contact's
        # "Tiedot ovat ajan tasalla").
        data, merged = merge.data, bool(merge.theirs_changed)
    before = organisation_record(organisation)
    waiting = organisation.status in UNAPPROVED
    with db.session.no_autoflush:
        added, removed = _apply(organisation, data)
    if waiting and organisation.status not in UNAPPROVED:
        # Staff published it through the form: the contacts nobody has mailed while it waited
        # are welcomed now (announce_contact_changes).
        added = [row.email for row in organisation.contacts]
    if organisation_record(organisation) == before:
        return SaveResult(changed=False, merged=merged)
    resubmitted = organisation.status == "rejected" and data.status is None
    if resubmitted:
        organisation.status = "pending"
    now = utcnow()
    if confirms:
        organisation.confirmed_at = now
    # Always an UPDATE of the row, so the version moves even when only links changed.
    organisation.updated_at = now
    try:
        db.session.flush()
    except StaleDataError as error:
        raise VersionConflict() from error
    record_revision(organisation, author, summary or (
        _l("Korjattu ja lähetetty uudelleen hyväksyttäväksi") if resubmitted else _l("Tiedot päivitetty")))
    index_organisation(organisation)
    announce_contact_changes(organisation, added, removed, author)
    if resubmitted:
        notify_staff("new_organisation_staff", organisation=organisation, author=author, resubmitted=True)
    return SaveResult(changed=True, resubmitted=resubmitted, merged=merged)


def confirm_organisation(organisation: Organisation, author: str) -> None:
    """"Tiedot ovat ajan tasalla": only confirmed_at changes; flush, no commit.

    Raises NotConfirmable for a rejected entry: the confirmation would leave it
    rejected and tell staff nothing, while a saved correction goes back to them.
    """
    if not organisation.can_be_confirmed:
        raise NotConfirmable(_(
            "Ylläpito ei julkaissut järjestön %(name)s tietoja, joten niitä ei voi vahvistaa ajan tasalla "
            "oleviksi. Korjaa tiedot perustelun mukaan ja tallenna, niin ne lähtevät ylläpidolle uudelleen "
            "hyväksyttäviksi.", name=organisation.name))
    organisation.confirmed_at = utcnow()
    db.session.flush()
    record_revision(organisation, author, _l("Tiedot vahvistettu ajan tasalle"))
    index_organisation(organisation)


def preview_organisation(data: OrganisationData) -> Organisation:
    """The organisation `data` would make, for the stepped form's preview; never added to the session."""
    preview = Organisation(name=data.name, status=data.status or "pending")
    with db.session.no_autoflush:
        _apply(preview, data)
    return preview


def parent_candidates(organisation: Organisation | None) -> list[Organisation]:
    """Published organisations that may be the parent of `organisation`, A–Z.

    Never the organisation itself or one below it (that would make a loop); the
    current parent stays on the list even if it is no longer published.
    """
    rows = db.session.execute(select(Organisation.id, Organisation.parent_id, Organisation.status)).all()
    excluded: set[int] = set()
    if organisation is not None and organisation.id is not None:
        children: dict[int, list[int]] = {}
        for row_id, parent_id, _status in rows:
            children.setdefault(parent_id, []).append(row_id)
        pending = [organisation.id]
        while pending:
            current = pending.pop()
            excluded.add(current)
            pending.extend(child for child in children.get(current, []) if child not in excluded)
    current_parent = organisation.parent_id if organisation is not None else None
    allowed = {
        row_id for row_id, _parent, status in rows
        if row_id not in excluded and (status == "published" or row_id == current_parent)
    }
    candidates = db.session.scalars(select(Organisation).where(Organisation.id.in_(allowed))) if allowed else []
    return sorted(candidates, key=lambda o: o.sort_name)


def sectors() -> list[Sector]:
    return list(db.session.scalars(select(Sector).order_by(Sector.position, Sector.name)))


def _apply(organisation: Organisation, data: OrganisationData) -> tuple[list[str], list[str]]:
    """Write `data` into the organisation; returns the contacts' addresses (added, removed)."""
    # Values are only assigned when they differ, so an unchanged form leaves nothing to flush.
    for column in PLAIN_COLUMNS:
        value = getattr(data, column)
        if getattr(organisation, column) != value:
            setattr(organisation, column, value)
    if organisation.sort_name != sort_key(data.name):
        organisation.sort_name = sort_key(data.name)
    if organisation.status != data.status and data.status is not None:
        organisation.status = data.status
    if (organisation.parent.id if organisation.parent else None) != data.parent_id:
        organisation.parent = db.session.get(Organisation, data.parent_id) if data.parent_id else None
    if (organisation.sector.id if organisation.sector else None) != data.sector_id:
        organisation.sector = db.session.get(Sector, data.sector_id) if data.sector_id else None
    _replace_links(organisation, "needs", Need, data.need_ids)
    _replace_links(organisation, "activities", Activity, data.activity_ids)
    _replace_links(organisation, "municipalities", Municipality, data.municipality_ids)
    _apply_phones(organisation, data.phones)
    _apply_keyed(organisation.keywords, "keyword", data.keywords, OrganisationKeyword)
    return apply_contacts(organisation, data.contacts)


def _replace_links(organisation: Organisation, attribute: str, model, ids: list[int]) -> None:
    current = getattr(organisation, attribute)
    if {row.id for row in current} == set(ids):
        return
    rows = list(db.session.scalars(select(model).where(model.id.in_(ids)))) if ids else []
    setattr(organisation, attribute, rows)


def _apply_phones(organisation: Organisation, phones: list[tuple[str, str]]) -> None:
    existing = sorted(organisation.phones, key=lambda p: p.position)
    for position, (number, role) in enumerate(phones):
        if position < len(existing):
            phone = existing[position]
            if (phone.number, phone.role, phone.position) != (number, role, position):
                phone.number, phone.role, phone.position = number, role, position
        else:
            organisation.phones.append(OrganisationPhone(number=number, role=role, position=position))
    for phone in existing[len(phones):]:
        organisation.phones.remove(phone)


def _apply_keyed(collection: list, key: str, values: list[str], model) -> None:
    # Rows whose value stays are kept: deleting and re-inserting the same value in
    # one flush would trip the unique constraint (inserts run before deletes).
    wanted = set(values)
    for row in [row for row in collection if getattr(row, key) not in wanted]:
        collection.remove(row)
    present = {getattr(row, key) for row in collection}
    for value in values:
        if value not in present:
            collection.append(model(**{key: value}))
            present.add(value)
