"""Import and export organisations as JSON Lines (one record a line).

Import is all or nothing: every line is checked first, and a single problem
means nothing is written. Problems read "line N: field: what is wrong".
"""
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from app.config import DEFAULT_LANGUAGE, PORTAL_LANGUAGES
from app.directory.contacts import ContactPerson, apply_contacts
from app.directory.importer_fields import LineReader
from app.directory.records import (
    ADMIN_KEYS,
    CONTACT_KEYS,
    PHONE_KEYS,
    RECORD_KEYS,
    every_organisation,
    organisation_record,
    record_revision,
)
from app.extensions import db
from app.models import (
    LANGUAGES,
    ORG_TYPES,
    STATUSES,
    TRISTATE,
    Activity,
    Municipality,
    Need,
    Organisation,
    OrganisationKeyword,
    OrganisationPhone,
    Sector,
)
from app.platform.validation import (
    normalise_business_id,
    normalise_email,
    normalise_phone,
    normalise_postal_code,
    normalise_website,
)
from app.search.index import index_organisation

__all__ = ["ImportFailed", "export_organisations", "import_organisations", "import_records", "organisation_record"]

IMPORT_AUTHOR = "import"
TEXT_LIMITS = {
    "street_address": 200,
    "post_office": 80,
    "meeting_times": 500,
    "accessibility_notes": 600,
    "paused_note": 300,
}


class ImportFailed(Exception):
    """The file had problems; `problems` lists them, one "line N: field: …" each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Taxonomy:
    """Taxonomy rows by the case-folded words an import file may use for them."""

    municipalities: dict[str, Municipality]
    needs: dict[str, list[Need]]
    activities: dict[str, Activity]
    sectors: dict[str, Sector]

    @classmethod
    def load(cls) -> "Taxonomy":
        municipalities: dict[str, Municipality] = {}
        for municipality in db.session.scalars(select(Municipality)):
            municipalities[municipality.name_fi.casefold()] = municipality
            if municipality.name_sv:
                municipalities.setdefault(municipality.name_sv.casefold(), municipality)
        needs_by_name = {need.name.casefold(): need for need in db.session.scalars(select(Need))}
        # A need's own name always wins; a synonym shared by two needs is ambiguous.
        needs: dict[str, list[Need]] = {name: [need] for name, need in needs_by_name.items()}
        for need in needs_by_name.values():
            for synonym in need.synonym_list:
                word = synonym.casefold()
                if word not in needs_by_name and need not in needs.setdefault(word, []):
                    needs[word].append(need)
        return cls(
            municipalities=municipalities,
            needs=needs,
            activities={a.name.casefold(): a for a in db.session.scalars(select(Activity))},
            sectors={s.name.casefold(): s for s in db.session.scalars(select(Sector))},
        )


@dataclass
class ParsedLine:
    number: int
    fields: dict
    parent: str | None
    municipalities: list[Municipality] = field(default_factory=list)
    needs: list[Need] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    sector: Sector | None = None
    phones: list[tuple[str, str]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    contacts: list[ContactPerson] = field(default_factory=list)


def import_organisations(lines: Iterable[str]) -> int:
    """Create an organisation for each line; raises ImportFailed and writes nothing on any problem."""
    records: list[tuple[int, dict]] = []
    problems: list[tuple[int, str, str]] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        reader = LineReader.from_json(raw.lstrip("\ufeff"))
        if reader.data is None:
            problems.extend((number, name, message) for name, message in reader.problems)
        else:
            records.append((number, reader.data))
    return len(import_records(records, line_problems=problems))


def import_records(records: list[tuple[int, dict]], *, label: str = "line",
                   line_problems: Iterable[tuple[int, str, str]] = (),
                   other_problems: Iterable[str] = ()) -> list[Organisation]:
    """Create an organisation for each (line number, record in the import format), in order.

    Every record is checked first; on any problem, including those the caller
    found (`line_problems` on the same lines, `other_problems` already written
    out), ImportFailed lists them all, "`label` N: field: …", and nothing is written.
    """
    taxonomy = Taxonomy.load()
    problems = list(line_problems)
    parsed: list[ParsedLine] = []
    for number, data in records:
        reader = LineReader(data)
        parsed.append(parse_record(number, reader, taxonomy))
        problems.extend((number, name, message) for name, message in reader.problems)
    existing = _existing_names()
    problems.extend(_check_names_and_parents(parsed, existing))
    other_problems = list(other_problems)
    if problems or other_problems:
        problems.sort(key=lambda problem: problem[0])
        raise ImportFailed(
            [*other_problems, *(f"{label} {number}: {name}: {message}" for number, name, message in problems)]
        )
    return _create(parsed, existing)


def parse_record(number: int, reader: LineReader, taxonomy: Taxonomy) -> ParsedLine:
    for key in reader.data:
        if key not in RECORD_KEYS:
            reader.fail(key, _("Tuntematon kenttä."))
    fields = {
        "name": reader.text("name", 200, required=True),
        "org_type": reader.choice("org_type", ORG_TYPES, "yhdistys"),
        "business_id": reader.optional("business_id", normalise_business_id) or None,
        "description": reader.text("description", 600),
        "description_sv": reader.text("description_sv", 600),
        "description_en": reader.text("description_en", 600),
        "nationwide": reader.boolean("nationwide"),
        "postal_code": reader.optional("postal_code", normalise_postal_code),
        "email": reader.optional("email", normalise_email),
        "website": reader.optional("website", normalise_website),
        "languages": _languages(reader),
        "language": reader.choice("language", tuple(PORTAL_LANGUAGES), DEFAULT_LANGUAGE),
        "step_free_access": reader.choice("step_free_access", TRISTATE, "unknown"),
        "accessible_toilet": reader.choice("accessible_toilet", TRISTATE, "unknown"),
        "induction_loop": reader.choice("induction_loop", TRISTATE, "unknown"),
        "status": reader.choice("status", STATUSES, "pending"),
        "paused_until": reader.parsed("paused_until", date.fromisoformat, _("Päivämäärän muoto on VVVV-KK-PP.")),
        "confirmed_at": _naive_utc(
            reader.parsed("confirmed_at", datetime.fromisoformat, _("Ajan muoto on VVVV-KK-PPTHH:MM:SS."))
        ),
    }
    fields.update({key: reader.text(key, limit) for key, limit in TEXT_LIMITS.items()})
    parent = reader.text("parent", 200) or None
    line = ParsedLine(number=number, fields=fields, parent=parent)
    line.municipalities = reader.lookup_list(
        "municipalities", lambda word: [taxonomy.municipalities[word]] if word in taxonomy.municipalities else [],
        _("Tuntematon kunta"),
    )
    line.needs = reader.lookup_list("needs", lambda word: taxonomy.needs.get(word, []), _("Tuntematon tarve"))
    line.activities = reader.lookup_list(
        "activities", lambda word: [taxonomy.activities[word]] if word in taxonomy.activities else [],
        _("Tuntematon toimintamuoto"),
    )
    line.phones = _phones(reader)
    line.keywords = reader.unique_list("keywords", lambda value: reader.clean(value, 80, required=True))
    line.contacts = _contacts(reader)
    line.sector = _admin(reader, fields, taxonomy)
    return line


def _languages(reader: LineReader) -> list[str]:
    chosen = reader.unique_list("languages", lambda value: reader.member(value, LANGUAGES))
    # Stored in one canonical order so the same set always exports the same way.
    return [language for language in LANGUAGES if language in chosen]


def _phones(reader: LineReader) -> list[tuple[str, str]]:
    phones: list[tuple[str, str]] = []
    for item in reader.list_of("phones", dict, _("Jokainen puhelinnumero on olio {\"number\": …, \"role\": …}.")):
        for key in item:
            if key not in PHONE_KEYS:
                reader.fail(f"phones.{key}", _("Tuntematon kenttä."))
        number = reader.check("phones", item.get("number"), normalise_phone)
        role = reader.check("phones.role", item.get("role"), lambda value: reader.clean(value, 120))
        if number is not None and role is not None:
            phones.append((number, role))
    return phones


def _contacts(reader: LineReader) -> list[ContactPerson]:
    """An address alone (the older format) or {"email", "name", "role", "phone"}; each address once."""
    value = reader.data.get("contacts")
    if value is None:
        return []
    if not isinstance(value, list):
        reader.fail("contacts", _("Arvon pitää olla luettelo […]."))
        return []
    people: list[ContactPerson] = []
    for item in value:
        if isinstance(item, str):
            item = {"email": item}
        if not isinstance(item, dict):
            reader.fail("contacts", _("Yhteyshenkilö on osoite tai olio {\"email\": …, \"name\": …}."))
            continue
        for key in item:
            if key not in CONTACT_KEYS:
                reader.fail(f"contacts.{key}", _("Tuntematon kenttä."))
        email = reader.check("contacts", item.get("email"), normalise_email)
        name = reader.check("contacts.name", item.get("name"), lambda text: reader.clean(text, 120))
        role = reader.check("contacts.role", item.get("role"), lambda text: reader.clean(text, 120))
        phone = reader.check("contacts.phone", item.get("phone"),
                             lambda text: normalise_phone(text) if text.strip() else "")
        if None in (email, name, role, phone):
            continue
        if any(person.email == email for person in people):
            reader.fail("contacts", f"\"{item.get('email')}\": {_('Arvo on luettelossa kahdesti.')}")
            continue
        people.append(ContactPerson(email, name, role, phone))
    return people


def _admin(reader: LineReader, fields: dict, taxonomy: Taxonomy) -> Sector | None:
    admin = reader.data.get("admin")
    if admin is None:
        admin = {}
    elif not isinstance(admin, dict):
        reader.fail("admin", _("Arvon pitää olla olio {…}."))
        admin = {}
    for key in admin:
        if key not in ADMIN_KEYS:
            reader.fail(f"admin.{key}", _("Tuntematon kenttä."))
    sub = reader.nested(admin, "admin.")
    for key in ("member_count", "employee_count", "volunteer_count", "volunteer_hours_per_year"):
        fields[key] = sub.count(key)
    fields["volunteering_supported"] = sub.choice("volunteering_supported", TRISTATE, "unknown")
    fields["education_background"] = sub.text("education_background", 300)
    sector_name = sub.text("sector", 120)
    if sector_name and sector_name.casefold() not in taxonomy.sectors:
        reader.fail("admin.sector", _("Tuntematon toimiala: \"%(value)s\".", value=sector_name))
    return taxonomy.sectors.get(sector_name.casefold()) if sector_name else None


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def _existing_names() -> dict[str, int]:
    rows = db.session.execute(select(Organisation.name, Organisation.id))
    return {name.casefold(): organisation_id for name, organisation_id in rows}


def _check_names_and_parents(parsed: list[ParsedLine], existing: dict[str, int]) -> list[tuple[int, str, str]]:
    """Names must be new and unique, so that a parent named by name is unambiguous."""
    problems = []
    first_line: dict[str, int] = {}
    for line in parsed:
        key = line.fields["name"].casefold()
        if not key:
            continue
        if key in existing:
            problems.append((line.number, "name", _("Samanniminen järjestö on jo tietokannassa.")))
        elif key in first_line:
            problems.append(
                (line.number, "name", _("Sama nimi on jo rivillä %(line)d.", line=first_line[key]))
            )
        else:
            first_line[key] = line.number
    parents = {line.fields["name"].casefold(): line.parent.casefold() for line in parsed if line.parent}
    for line in parsed:
        if not line.parent:
            continue
        key = line.parent.casefold()
        if key == line.fields["name"].casefold():
            problems.append((line.number, "parent", _("Järjestö ei voi olla oma emojärjestönsä.")))
        elif key not in first_line and key not in existing:
            problems.append((line.number, "parent", _(
                "Emojärjestöä \"%(value)s\" ei ole tiedostossa eikä tietokannassa.", value=line.parent
            )))
        elif _in_cycle(line.fields["name"].casefold(), parents):
            problems.append((line.number, "parent", _("Emojärjestöt muodostavat kehän.")))
    return problems


def _in_cycle(start: str, parents: dict[str, str]) -> bool:
    seen = {start}
    current = parents.get(start)
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _create(parsed: list[ParsedLine], existing: dict[str, int]) -> list[Organisation]:
    by_name: dict[str, Organisation] = {}
    organisations = []
    for line in parsed:
        organisation = Organisation(**line.fields)
        organisation.municipalities = _unique(line.municipalities)
        organisation.needs = _unique(line.needs)
        organisation.activities = _unique(line.activities)
        organisation.sector = line.sector
        organisation.phones = [
            OrganisationPhone(number=number, role=role, position=position)
            for position, (number, role) in enumerate(line.phones)
        ]
        organisation.keywords = [OrganisationKeyword(keyword=keyword) for keyword in line.keywords]
        apply_contacts(organisation, line.contacts)
        if line.parent:
            organisation.parent = _known_parent(line.parent.casefold(), by_name, existing)
        db.session.add(organisation)
        # One flush per line keeps ids in file order (the unit of work would otherwise
        # reorder rows that point to a parent), so an export lists them as the file did.
        db.session.flush()
        by_name[line.fields["name"].casefold()] = organisation
        organisations.append(organisation)
    for line, organisation in zip(parsed, organisations):
        if line.parent and organisation.parent is None:
            organisation.parent = by_name[line.parent.casefold()]
    db.session.flush()
    for organisation in organisations:
        index_organisation(organisation)
        record_revision(organisation, IMPORT_AUTHOR, _l("Tuotu tiedostosta"))
    return organisations


def _known_parent(key: str, by_name: dict[str, Organisation], existing: dict[str, int]) -> Organisation | None:
    """The parent when it is already in the database; None when it comes on a later line."""
    if key in by_name:
        return by_name[key]
    if key in existing:
        return db.session.get(Organisation, existing[key])
    return None


def _unique(items: list) -> list:
    """Two words for the same need (its name and a synonym) link it once."""
    return list(dict.fromkeys(items))


def export_organisations() -> Iterator[str]:
    """Every organisation as one JSON line, in the import format, ordered by id."""
    for organisation in every_organisation():
        yield json.dumps(organisation_record(organisation), ensure_ascii=False)
