"""Our organisations as HSDS 3.0 records (Open Referral's Human Services Data Specification).

An organisation becomes an HSDS organization that provides exactly one
service: what it offers.  Its activities and needs are terms of two taxonomies
of ours, linked to the service by attributes; its municipalities are the
service's service areas; its address, when it has one, a location with the
accessibility records.  Only public fields are written out, key by key: the
admin-only figures and the contacts' e-mail addresses are never named here.

Identifiers: organisations, needs, activities, municipalities and phones keep a
UUID in the database (migration 0008_hsds_ids).  The records that exist only
because an organisation does (its service, location, address, schedule,
service areas, languages, accessibility, attributes) take uuid5 of the
organisation's UUID and what they are, so they are the same in every answer
and every export and need no table of their own.
"""
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from app.models import Activity, Municipality, Need, Organisation
from app.platform.region import current_region

HSDS_VERSION = "3.0"
# No profile of our own: the records follow the base specification.
PROFILE_URL = "https://github.com/openreferral/specification/tree/3.0/schema"

# Fixed once: the namespace of our taxonomies' UUIDs; changing it would rename them.
NAMESPACE = uuid.UUID("5d0b8d4e-2f4a-4c1e-9a57-0b6c1f3e8a21")
ACTIVITY_TAXONOMY = {
    "id": str(uuid.uuid5(NAMESPACE, "taxonomy:toiminta")),
    "name": "Hyvinvointitarjotin toiminta",
    "description": "Toimintamuodot, joita järjestöt tarjoavat (esimerkiksi vertaistuki, liikunta).",
}
NEED_TAXONOMY = {
    "id": str(uuid.uuid5(NAMESPACE, "taxonomy:tarve")),
    "name": "Hyvinvointitarjotin tarve",
    "description": "Tarpeet ja diagnoosit, joiden mukaan tukea haetaan (esimerkiksi diabetes, yksinäisyys).",
}
TAXONOMIES = (ACTIVITY_TAXONOMY, NEED_TAXONOMY)

# Our language codes as HSDS language records: (name, ISO 639 code, note).
LANGUAGES = {
    "fi": ("suomi", "fi", None),
    "sv": ("ruotsi", "sv", None),
    "en": ("englanti", "en", None),
    "selkokieli": ("selkosuomi", "fi", "selkokieli"),
    "viittomakieli": ("suomalainen viittomakieli", "fse", None),
    "muu": ("muu kieli", None, None),
}
ACCESSIBILITY_FIELDS = (
    ("step_free_access", "Esteetön kulku"),
    ("accessible_toilet", "Esteetön wc"),
    ("induction_loop", "Induktiosilmukka"),
)
ANSWERS = {"yes": "kyllä", "no": "ei"}


def derived_id(parent_uuid: str, kind: str) -> str:
    """The UUID of a record that exists only as part of `parent_uuid`'s record."""
    return str(uuid.uuid5(uuid.UUID(parent_uuid), kind))


def _present(record: dict) -> dict:
    """Without the keys we have no value for (HSDS types them as strings, not null), except the required description."""
    return {key: value for key, value in record.items() if key == "description" or value not in (None, "")}


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds") + "Z"


@dataclass(frozen=True)
class Ids:
    """The identifiers of one organisation's derived records."""

    organization: str

    @property
    def service(self) -> str:
        return derived_id(self.organization, "service")

    @property
    def location(self) -> str:
        return derived_id(self.organization, "location")

    @property
    def service_at_location(self) -> str:
        return derived_id(self.organization, "service_at_location")


def is_paused(organisation: Organisation, today: date) -> bool:
    return organisation.paused_until is not None and organisation.paused_until >= today


def has_location(organisation: Organisation) -> bool:
    """A location is published for an address or for anything known about access."""
    return bool(organisation.street_address or organisation.accessibility_notes) or any(
        getattr(organisation, field) != "unknown" for field, _ in ACCESSIBILITY_FIELDS
    )


def taxonomy_term(term: Activity | Need) -> dict:
    taxonomy = ACTIVITY_TAXONOMY if isinstance(term, Activity) else NEED_TAXONOMY
    return _present({
        "id": term.uuid,
        # Unique across both taxonomies, as the tabular format requires.
        "code": f"{'toiminta' if isinstance(term, Activity) else 'tarve'}:{term.id}",
        "name": term.name,
        # Required by HSDS; a need has no description of its own, its group says what kind it is.
        "description": term.description if isinstance(term, Activity) else term.group,
        "taxonomy": taxonomy["name"],
        "taxonomy_id": taxonomy["id"],
        "language": "fi",
    })


def organization(organisation: Organisation, page_url: str, parent: Organisation | None) -> dict:
    """The organization's own fields (HSDS organization_list)."""
    return _present({
        "id": organisation.uuid,
        "name": organisation.name,
        "description": organisation.description,
        "email": organisation.email,
        "website": organisation.website,
        "tax_id": organisation.business_id,
        "legal_status": organisation.org_type,
        "uri": page_url,
        "parent_organization_id": parent.uuid if parent else None,
    })


def phones(organisation: Organisation) -> list[dict]:
    ids = Ids(organisation.uuid)
    return [
        _present({
            "id": phone.uuid,
            "organization_id": ids.organization,
            "service_id": ids.service,
            "number": phone.number,
            "description": phone.role,
        })
        for phone in organisation.phones
    ]


def organization_identifiers(organisation: Organisation) -> list[dict]:
    if not organisation.business_id:
        return []
    return [{
        "id": derived_id(organisation.uuid, "organization_identifier:y-tunnus"),
        "organization_id": organisation.uuid,
        "identifier_scheme": "FI-PRO",
        "identifier_type": "Y-tunnus",
        "identifier": organisation.business_id,
    }]


def location(organisation: Organisation) -> dict:
    """The meeting place: the address and what is known about access to it."""
    ids = Ids(organisation.uuid)
    addresses = []
    if organisation.street_address:
        addresses.append({
            "id": derived_id(ids.location, "address"),
            "location_id": ids.location,
            "address_1": organisation.street_address,
            "city": organisation.post_office,
            # Required by HSDS; the directory covers one region and records no other.
            "state_province": current_region().name,
            "postal_code": organisation.postal_code,
            "country": "FI",
            "address_type": "physical",
        })
    accessibility = [
        {
            "id": derived_id(ids.location, f"accessibility:{field}"),
            "location_id": ids.location,
            "description": label,
            "details": ANSWERS[getattr(organisation, field)],
        }
        for field, label in ACCESSIBILITY_FIELDS
        if getattr(organisation, field) in ANSWERS
    ]
    if organisation.accessibility_notes:
        accessibility.append({
            "id": derived_id(ids.location, "accessibility:notes"),
            "location_id": ids.location,
            "description": "Lisätietoja saavutettavuudesta",
            "details": organisation.accessibility_notes,
        })
    return {
        "id": ids.location,
        "location_type": "physical",
        "organization_id": ids.organization,
        "name": organisation.name,
        "addresses": addresses,
        "accessibility": accessibility,
    }


def service_areas(organisation: Organisation, municipalities: list[Municipality]) -> list[dict]:
    service_id = Ids(organisation.uuid).service
    if organisation.nationwide:
        return [{"id": derived_id(service_id, "service_area:FI"), "service_id": service_id,
                 "name": "Koko Suomi", "description": "Toimii koko Suomessa."}]
    return [
        {"id": derived_id(service_id, f"service_area:{municipality.uuid}"), "service_id": service_id,
         "name": municipality.name_fi, "description": f"Kunta {municipality.code}"}
        for municipality in municipalities
    ]


def languages(organisation: Organisation) -> list[dict]:
    service_id = Ids(organisation.uuid).service
    records = []
    for code in organisation.languages or []:
        name, iso, note = LANGUAGES[code]
        records.append(_present({
            "id": derived_id(service_id, f"language:{code}"),
            "service_id": service_id,
            "name": name,
            "code": iso,
            "note": note,
        }))
    return records


def schedules(organisation: Organisation) -> list[dict]:
    """The meeting times are free text ("joka tiistai klo 18"): a schedule with only a description."""
    if not organisation.meeting_times:
        return []
    service_id = Ids(organisation.uuid).service
    return [{"id": derived_id(service_id, "schedule"), "service_id": service_id,
             "description": organisation.meeting_times}]


def attributes(organisation: Organisation) -> list[dict]:
    """The service's activities and needs, each an attribute naming a term of our taxonomies."""
    service_id = Ids(organisation.uuid).service
    return [
        {
            "id": derived_id(service_id, f"attribute:{term.uuid}"),
            "link_id": service_id,
            "link_entity": "service",
            "taxonomy_term_id": term.uuid,
            "taxonomy_term": taxonomy_term(term),
        }
        for term in [*organisation.activities, *organisation.needs]
    ]


def service_at_location(organisation: Organisation, *, full: bool) -> dict:
    ids = Ids(organisation.uuid)
    record = {"id": ids.service_at_location, "service_id": ids.service, "location_id": ids.location}
    if full:
        record["location"] = location(organisation)
    return record


def service(organisation: Organisation, page_url: str, parent: Organisation | None, today: date,
            *, full: bool) -> dict:
    """The one service of an organisation; `full` nests everything that belongs to it."""
    ids = Ids(organisation.uuid)
    paused = is_paused(organisation, today)
    record = _present({
        "id": ids.service,
        "organization_id": ids.organization,
        "name": organisation.name,
        "description": organisation.description,
        "url": page_url,
        "email": organisation.email,
        "status": "temporarily closed" if paused else "active",
        "alert": organisation.paused_note if paused else None,
        "assured_date": organisation.confirmed_at.date().isoformat() if organisation.confirmed_at else None,
        "last_modified": _timestamp(organisation.updated_at),
    })
    if not full:
        return record
    return record | {
        "organization": organization(organisation, page_url, parent),
        "phones": phones(organisation),
        "schedules": schedules(organisation),
        "service_areas": service_areas(organisation, organisation.municipalities),
        "service_at_locations": [service_at_location(organisation, full=True)] if has_location(organisation) else [],
        "languages": languages(organisation),
        # The people who may edit an entry are never published, and there are no other contacts.
        "contacts": [],
        "attributes": attributes(organisation),
    }


def full_organization(organisation: Organisation, page_url: str, parent: Organisation | None, today: date,
                      *, full_service: bool) -> dict:
    return organization(organisation, page_url, parent) | {
        "phones": phones(organisation),
        "locations": [location(organisation)] if has_location(organisation) else [],
        "organization_identifiers": organization_identifiers(organisation),
        "contacts": [],
        "services": [service(organisation, page_url, parent, today, full=full_service)],
    }
