"""Import another HSDS 3.0 publisher's Tabular Data Package as pending organisations.

The inverse of export.py and records.py: each HSDS organization becomes one
organisation, with what its services say folded in (a publisher may give an
organization several services; we hold one offer per organisation).  The rows
are turned into records of our JSON Lines import format and go through the same
checks and the same all-or-nothing creation (app/directory/importer.py), so a
problem reads "organizations.csv line 3: email: …".  Problems in the other
files name their own file and line.  Every organisation arrives pending, for
staff to review.

The package is read with the csv module rather than frictionless: the import
needs the rows only, and every field is checked by our own rules anyway.
Organizations and phones keep the publisher's UUIDs (when they are UUIDs), so
the same package cannot be imported twice and our export names them as the
publisher did.
"""
import csv
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from app.api.hsds.export import specification
from app.api.hsds.records import ACCESSIBILITY_FIELDS, ANSWERS, LANGUAGES
from app.directory.importer import ImportFailed, import_records
from app.extensions import db
from app.models import ORG_TYPES, Activity, Municipality, Need, Organisation, OrganisationPhone

__all__ = ["ImportFailed", "import_datapackage"]

NATIONWIDE_AREAS = {"koko suomi", "suomi", "finland", "hela finland"}
# HSDS language records back to our codes: (ISO code, note) first, then the code alone.
LANGUAGE_CODES = {(iso, note): ours for ours, (_name, iso, note) in LANGUAGES.items() if iso}
ACCESSIBILITY_LABELS = {label.casefold(): key for key, label in ACCESSIBILITY_FIELDS}
ACCESSIBILITY_NOTES = "lisätietoja saavutettavuudesta"
TRISTATE_ANSWERS = {word: key for key, word in ANSWERS.items()} | {"yes": "yes", "no": "no"}


@dataclass
class Row:
    """One CSV row with the file and line it came from, for the problems."""

    file: str
    line: int
    values: dict[str, str]

    def get(self, key: str) -> str:
        return (self.values.get(key) or "").strip()

    def where(self, key: str) -> str:
        return f"{self.file} line {self.line}: {key}"


@dataclass
class Package:
    tables: dict[str, list[Row]]
    problems: list[str] = field(default_factory=list)

    def rows(self, name: str) -> list[Row]:
        return self.tables.get(name, [])

    def fail(self, row: Row, key: str, message: str) -> None:
        self.problems.append(f"{row.where(key)}: {message}")


def read_package(directory: Path) -> Package:
    """Every table of the package; a table whose file is missing is empty, except organizations."""
    paths = {resource["name"]: resource["path"] for resource in specification()["resources"]}
    package = Package({})
    own = directory / "datapackage.json"
    if own.is_file():
        try:
            paths |= {r["name"]: r["path"] for r in json.loads(own.read_text(encoding="utf-8-sig"))["resources"]}
        except (ValueError, KeyError, TypeError):
            package.problems.append("datapackage.json: " + _("Tiedosto ei ole kelvollinen datapaketin kuvaus."))
    root = directory.resolve()
    for name, relative in paths.items():
        path = (directory / str(relative)).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            if name == "organization":
                package.problems.append(f"{relative}: " + _("Tiedosto puuttuu."))
            continue
        try:
            package.tables[name] = _rows(path)
        except (UnicodeDecodeError, csv.Error):
            package.problems.append(f"{relative}: " + _("Tiedosto ei ole UTF-8-muotoinen CSV-tiedosto."))
    return package


def _rows(path: Path) -> list[Row]:
    """The rows with the line each starts on (a quoted text may span several lines)."""
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, strict=True)
        start = 2
        for values in reader:
            rows.append(Row(path.name, start, values))
            start = reader.line_num + 1
    return rows


def import_datapackage(directory: Path) -> list[Organisation]:
    """Create a pending organisation for each HSDS organization; ImportFailed, and nothing written, on any problem."""
    package = read_package(directory)
    terms = _Terms(package)
    records = _Assembler(package, terms).records()
    organisations = import_records(
        [(record.row.line, record.data) for record in records],
        label=f"{records[0].row.file} line" if records else "organizations.csv line",
        other_problems=package.problems,
    )
    for record, organisation in zip(records, organisations):
        if record.uuid:
            organisation.uuid = record.uuid
        for phone, phone_uuid in zip(organisation.phones, record.phone_uuids):
            if phone_uuid:
                phone.uuid = phone_uuid
    db.session.flush()
    return organisations


@dataclass
class Record:
    row: Row
    data: dict
    uuid: str | None
    phone_uuids: list[str | None]


class _Terms:
    """The package's taxonomy terms matched to our needs and activities: by UUID, else by name."""

    def __init__(self, package: Package):
        self.rows = {row.get("id"): row for row in package.rows("taxonomy_term")}
        self.needs = {need.uuid: need for need in db.session.scalars(select(Need))}
        self.activities = {activity.uuid: activity for activity in db.session.scalars(select(Activity))}
        self.need_names = {need.name.casefold(): need for need in self.needs.values()}
        self.activity_names = {activity.name.casefold(): activity for activity in self.activities.values()}

    def resolve(self, term_id: str) -> tuple[str, str] | None:
        """("needs" | "activities" | "keywords", the name to import) for a term of the package."""
        if term_id in self.needs:
            return "needs", self.needs[term_id].name
        if term_id in self.activities:
            return "activities", self.activities[term_id].name
        row = self.rows.get(term_id)
        if row is None:
            return None
        name = row.get("name")
        if name.casefold() in self.activity_names:
            return "activities", self.activity_names[name.casefold()].name
        if name.casefold() in self.need_names:
            return "needs", self.need_names[name.casefold()].name
        # A term of another publisher's own taxonomy is still a word people search with.
        return "keywords", name


class _Assembler:
    """Folds the rows that belong to each organization into one record of our import format."""

    def __init__(self, package: Package, terms: _Terms):
        self.package = package
        self.terms = terms
        self.organizations = package.rows("organization")
        self.org_ids = {row.get("id") for row in self.organizations}
        self.services = self._owned("service", "organization_id", self._organization_owner)
        self.service_owner = {row.get("id"): org for org, rows in self.services.items() for row in rows}
        self.locations = self._locations()
        self.phones = self._owned("phone", "organization_id", self._phone_owner)
        self.areas = self._owned("service_area", "service_id", self._service_owner)
        self.languages = self._owned("language", "service_id", self._service_owner)
        self.schedules = self._owned("schedule", "service_id", self._service_owner)
        self.attributes = self._owned("attribute", "link_id", self._attribute_owner)
        self.addresses = self._grouped("address", "location_id")
        self.accessibility = self._grouped("accessibility", "location_id")
        self.municipalities = _municipalities_by_name()
        self.seen_ids: set[str] = set()

    def _owned(self, table: str, key: str, owner) -> dict[str, list[Row]]:
        """The rows of `table` by the organization they belong to.

        A row that names an organization or service the package does not hold
        is a problem; a row that names neither (a location's phone or
        language) is not ours to import.
        """
        grouped: dict[str, list[Row]] = defaultdict(list)
        for row in self.package.rows(table):
            org = owner(row)
            if org in self.org_ids:
                grouped[org].append(row)
            elif org is None:
                named = key if row.get(key) else "service_id"
                self.package.fail(row, named, _("Tuntematon tunniste \"%(value)s\".", value=row.get(named)))
        return grouped

    def _grouped(self, table: str, key: str) -> dict[str, list[Row]]:
        grouped: dict[str, list[Row]] = defaultdict(list)
        for row in self.package.rows(table):
            grouped[row.get(key)].append(row)
        return grouped

    # The owners below answer the organization's id, None for a reference to
    # something the package does not hold, or "" for a row that names neither.

    def _organization_owner(self, row: Row) -> str | None:
        org = row.get("organization_id")
        return (org if org in self.org_ids else None) if org else ""

    def _service_owner(self, row: Row) -> str | None:
        service = row.get("service_id")
        return self.service_owner.get(service) if service else ""

    def _phone_owner(self, row: Row) -> str | None:
        return self._organization_owner(row) if row.get("organization_id") else self._service_owner(row)

    def _attribute_owner(self, row: Row) -> str | None:
        if row.get("link_entity") not in ("", "service", "organization"):
            return ""
        link = row.get("link_id")
        return link if link in self.org_ids else self.service_owner.get(link)

    def _locations(self) -> dict[str, list[Row]]:
        """Each organization's locations: its own, and those its services are at."""
        locations: dict[str, list[Row]] = defaultdict(list)
        by_id = {row.get("id"): row for row in self.package.rows("location")}
        for row in by_id.values():
            if row.get("organization_id") in self.org_ids:
                locations[row.get("organization_id")].append(row)
        for link in self.package.rows("service_at_location"):
            org = self.service_owner.get(link.get("service_id"))
            location = by_id.get(link.get("location_id"))
            if org and location is not None and location not in locations[org]:
                locations[org].append(location)
        return locations

    def records(self) -> list[Record]:
        return [self._record(row) for row in self.organizations]

    def _record(self, org: Row) -> Record:
        org_id = org.get("id")
        services = self.services.get(org_id, [])
        first = services[0] if services else Row(org.file, org.line, {})
        legal_status = org.get("legal_status")
        data: dict = {
            "name": org.get("name"),
            "org_type": legal_status if legal_status in ORG_TYPES else ("muu" if legal_status else None),
            "business_id": org.get("tax_id") or self._business_id(org_id),
            "description": org.get("description") or first.get("description"),
            "email": org.get("email") or first.get("email"),
            "website": org.get("website"),
            "status": "pending",
            "parent": self._parent(org),
            "confirmed_at": f"{first.get('assured_date')}T00:00:00" if first.get("assured_date") else None,
            "meeting_times": "\n".join(s.get("description") for s in self.schedules.get(org_id, []) if s.get("description")),
        }
        if first.get("status") == "temporarily closed" and first.get("alert"):
            # HSDS has no end date for a pause; the note tells staff, who set the pause when they publish.
            data["paused_note"] = first.get("alert")
        self._areas(org_id, data)
        self._terms(org_id, data)
        data["languages"] = self._languages(org_id)
        self._location(org_id, data)
        phones = self.phones.get(org_id, [])
        data["phones"] = [{"number": p.get("number"), "role": p.get("description")} for p in phones]
        return Record(org, {key: value for key, value in data.items() if value not in (None, "")},
                      self._new_uuid(org, Organisation), [self._new_uuid(p, OrganisationPhone) for p in phones])

    def _business_id(self, org_id: str) -> str:
        for row in self.package.rows("organization_identifier"):
            if row.get("organization_id") == org_id and row.get("identifier_type").casefold() == "y-tunnus":
                return row.get("identifier")
        return ""

    def _parent(self, org: Row) -> str | None:
        parent_id = org.get("parent_organization_id")
        if not parent_id:
            return None
        for row in self.organizations:
            if row.get("id") == parent_id:
                return row.get("name")
        existing = db.session.scalar(select(Organisation.name).where(Organisation.uuid == parent_id))
        if existing is None:
            self.package.fail(org, "parent_organization_id", _(
                "Emojärjestöä \"%(value)s\" ei ole tiedostossa eikä tietokannassa.", value=parent_id))
        return existing

    def _areas(self, org_id: str, data: dict) -> None:
        names = []
        for area in self.areas.get(org_id, []):
            name = area.get("name")
            if name.casefold() in NATIONWIDE_AREAS:
                data["nationwide"] = True
                continue
            code = area.get("description").removeprefix("Kunta ").strip()
            municipality = self.municipalities.get(code) or self.municipalities.get(name.casefold())
            if municipality is None:
                self.package.fail(area, "name", _("Tuntematon kunta") + f": \"{name}\".")
            elif municipality.name_fi not in names:
                names.append(municipality.name_fi)
        data["municipalities"] = names

    def _terms(self, org_id: str, data: dict) -> None:
        found: dict[str, list[str]] = {"needs": [], "activities": [], "keywords": []}
        for attribute in self.attributes.get(org_id, []):
            term = self.terms.resolve(attribute.get("taxonomy_term_id"))
            if term is None:
                self.package.fail(attribute, "taxonomy_term_id", _(
                    "Tuntematon tunniste \"%(value)s\".", value=attribute.get("taxonomy_term_id")))
            elif term[1].casefold() not in {name.casefold() for name in found[term[0]]}:
                found[term[0]].append(term[1])
        data.update(found)

    def _languages(self, org_id: str) -> list[str]:
        chosen = []
        for row in self.languages.get(org_id, []):
            code = LANGUAGE_CODES.get((row.get("code"), row.get("note") or None)) or LANGUAGE_CODES.get(
                (row.get("code"), None), "muu")
            if code not in chosen:
                chosen.append(code)
        return chosen

    def _location(self, org_id: str, data: dict) -> None:
        """The first location with an address gives the address; its accessibility records the three answers."""
        locations = self.locations.get(org_id, [])
        with_address = [loc for loc in locations if self.addresses.get(loc.get("id"))] or locations
        if not with_address:
            return
        location_id = with_address[0].get("id")
        addresses = self.addresses.get(location_id, [])
        if addresses:
            address = next((a for a in addresses if a.get("address_type") == "physical"), addresses[0])
            data["street_address"] = ", ".join(filter(None, (address.get("address_1"), address.get("address_2"))))
            data["postal_code"] = address.get("postal_code")
            data["post_office"] = address.get("city")
        notes = []
        for row in self.accessibility.get(location_id, []):
            label, details = row.get("description").casefold(), row.get("details")
            if label in ACCESSIBILITY_LABELS and details.casefold() in TRISTATE_ANSWERS:
                data[ACCESSIBILITY_LABELS[label]] = TRISTATE_ANSWERS[details.casefold()]
            elif label == ACCESSIBILITY_NOTES:
                notes.insert(0, details)
            elif details or label:
                notes.append(": ".join(filter(None, (row.get("description"), details))))
        data["accessibility_notes"] = "\n".join(notes)

    def _new_uuid(self, row: Row, model) -> str | None:
        """The publisher's id when it is a UUID we do not hold yet; a known one means the row was imported before."""
        try:
            value = str(uuid.UUID(row.get("id")))
        except ValueError:
            return None
        if value in self.seen_ids:
            self.package.fail(row, "id", _("Sama tunniste on paketissa kahdesti."))
        elif db.session.scalar(select(model.id).where(model.uuid == value)) is not None:
            self.package.fail(row, "id", _("Tällä tunnisteella on jo tietue tietokannassa."))
        self.seen_ids.add(value)
        return value


def _municipalities_by_name() -> dict[str, Municipality]:
    """Municipalities by code and by their Finnish and Swedish names (case-folded)."""
    found: dict[str, Municipality] = {}
    for municipality in db.session.scalars(select(Municipality)):
        found[municipality.code] = municipality
        found.setdefault(municipality.name_fi.casefold(), municipality)
        if municipality.name_sv:
            found.setdefault(municipality.name_sv.casefold(), municipality)
    return found
