"""Showing a version conflict: which fields someone else changed, and their values now."""
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from app.directory.forms import STATUS_LABELS
from app.directory.organisations import flat_record
from app.platform.templating import LANGUAGE_LABELS, ORG_TYPE_LABELS, TRISTATE_LABELS, date_fi
from app.platform.validation import format_phone_fi

# Record key → the form field the note is shown next to.
FIELD_OF_KEY = {
    "name": "name", "org_type": "org_type", "business_id": "business_id", "parent": "parent_id",
    "description": "description", "description_sv": "description_sv", "description_en": "description_en",
    "nationwide": "nationwide", "municipalities": "municipalities",
    "street_address": "street_address", "postal_code": "postal_code", "post_office": "post_office",
    "phones": "phone_1", "email": "email", "website": "website", "meeting_times": "meeting_times",
    "needs": "needs", "activities": "activities", "keywords": "keywords", "languages": "languages",
    "language": "language",
    "step_free_access": "step_free_access", "accessible_toilet": "accessible_toilet",
    "induction_loop": "induction_loop", "accessibility_notes": "accessibility_notes", "status": "status",
    "paused_until": "paused_until", "paused_note": "paused_note", "contacts": "contacts",
    "admin.member_count": "member_count", "admin.employee_count": "employee_count",
    "admin.volunteer_count": "volunteer_count", "admin.volunteer_hours_per_year": "volunteer_hours_per_year",
    "admin.volunteering_supported": "volunteering_supported", "admin.sector": "sector_id",
    "admin.education_background": "education_background",
}
TRISTATE_KEYS = {"step_free_access", "accessible_toilet", "induction_loop", "admin.volunteering_supported"}


@dataclass(frozen=True)
class ChangedField:
    field_id: str
    label: str
    value: str  # the value someone else saved, as text


def changed_fields(form, keys: list[str], current: dict) -> dict[str, ChangedField]:
    """Form field name → what someone else saved there, for the keys that changed."""
    flat = flat_record(current)
    notes = {}
    for key in keys:
        name = FIELD_OF_KEY.get(key)
        if name is None or name not in form:
            continue
        label = _("Puhelinnumerot") if key == "phones" else str(form[name].label.text)
        anchor = f"{name}-0" if form[name].type in ("RadioField", "CheckboxListField") else name
        notes[name] = ChangedField(field_id=anchor, label=label, value=_as_text(key, flat.get(key)))
    return notes


def _as_text(key: str, value) -> str:
    if value in (None, "", []):
        return _("(tyhjä)")
    if isinstance(value, bool):
        return _("Kyllä") if value else _("Ei")
    if key == "phones":
        return "; ".join(
            format_phone_fi(phone["number"]) + (f" ({phone['role']})" if phone["role"] else "") for phone in value
        )
    if key == "contacts" or key == "keywords":
        return ", ".join(value)
    if key == "languages":
        return ", ".join(str(LANGUAGE_LABELS.get(code, code)) for code in value)
    if key == "org_type":
        return str(ORG_TYPE_LABELS.get(value, value))
    if key == "status":
        return str(STATUS_LABELS.get(value, value))
    if key in TRISTATE_KEYS:
        return str(TRISTATE_LABELS.get(value, value))
    if key == "paused_until":
        return date_fi(date.fromisoformat(value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
