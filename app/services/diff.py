"""A readable field-by-field comparison of two organisation snapshots (old → new).

Snapshots are organisation records (app/services/records.py); admin figures
are compared one by one, lists as added and removed items.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.services.records import ADMIN_KEYS, RECORD_KEYS
from app.services.validation import format_phone_fi
from app.templating import LANGUAGE_LABELS, ORG_TYPE_LABELS, TRISTATE_LABELS

FIELD_LABELS = {
    "name": _l("Nimi"),
    "org_type": _l("Tyyppi"),
    "business_id": _l("Y-tunnus"),
    "parent": _l("Emojärjestö"),
    "description": _l("Kuvaus"),
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
}
LIST_KEYS = {"municipalities", "phones", "needs", "activities", "keywords", "languages", "contacts"}
TRISTATE_KEYS = {"step_free_access", "accessible_toilet", "induction_loop", "admin.volunteering_supported"}


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


def diff_snapshots(old: dict | None, new: dict) -> list[FieldChange]:
    """What changed from `old` to `new`, in form order; with no `old`, every filled field."""
    before = flatten(old or {})
    after = flatten(new)
    changes = []
    for key, new_value in after.items():
        old_value = before.get(key)
        if _same(old_value, new_value):
            continue
        change = FieldChange(key, str(FIELD_LABELS[key]))
        if key in LIST_KEYS:
            old_items = [format_item(key, item) for item in old_value or []]
            new_items = [format_item(key, item) for item in new_value or []]
            change.added = [item for item in new_items if item not in old_items]
            change.removed = [item for item in old_items if item not in new_items]
            if not (change.added or change.removed):
                # Same items, another order (phones are ordered): show the whole list.
                change.old, change.new = ", ".join(old_items), ", ".join(new_items)
        else:
            change.old, change.new = format_value(key, old_value), format_value(key, new_value)
        changes.append(change)
    return changes


def _same(old, new) -> bool:
    # A missing value, an empty text and an empty list all mean "nothing here".
    nothing = (None, "", [])
    return (old in nothing and new in nothing) or old == new


def format_item(key: str, item) -> str:
    if key == "phones":
        number = format_phone_fi(item.get("number") or "")
        return f"{number} ({item['role']})" if item.get("role") else number
    if key == "languages":
        return str(LANGUAGE_LABELS.get(item, item))
    return str(item)


def format_value(key: str, value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Kyllä") if value else _("Ei")
    if key in TRISTATE_KEYS:
        return str(TRISTATE_LABELS.get(value, value))
    if key == "org_type":
        return str(ORG_TYPE_LABELS.get(value, value))
    if key == "status":
        return str(STATUS_VALUE_LABELS.get(value, value))
    if key == "paused_until":
        moment = date.fromisoformat(value)
        return f"{moment.day}.{moment.month}.{moment.year}"
    if key == "confirmed_at":
        moment = datetime.fromisoformat(value)
        return f"{moment.day}.{moment.month}.{moment.year} {moment.hour}.{moment.minute:02d}"
    return str(value)


def record_fields(record: dict) -> list[FieldChange]:
    """Every field of a record with its label and value as text, in form order (for the detail view)."""
    fields = []
    for key, value in flatten(record).items():
        entry = FieldChange(key, str(FIELD_LABELS[key]))
        if key in LIST_KEYS:
            entry.added = [format_item(key, item) for item in value or []]
        else:
            entry.new = format_value(key, value)
        fields.append(entry)
    return fields
