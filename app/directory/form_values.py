"""The organisation form's values: what its fields show, and what the person started from.

The form (app/directory/forms.py) reads its input; this module goes the other
way, from OrganisationData to form data, for a new form, a draft step
(app/directory/form_steps.py) and the form shown again after a conflict.  The
values a person started from travel in a hidden field, signed, so that the
merge of app/directory/merge.py can trust them.
"""
from dataclasses import asdict
from datetime import date

from flask import current_app
from itsdangerous import URLSafeSerializer

from app.directory.contact_rows import row_values
from app.directory.contacts import ContactPerson
from app.directory.organisations import OrganisationData, organisation_data
from app.models import Organisation
from app.platform.validation import format_phone_fi

MAX_PHONES = 5
RECORD_SALT = "organisation-form-values"


def initial_data(organisation: Organisation | None, contacts=()) -> dict:
    """What the form shows before anything is typed: the organisation as it is now."""
    if organisation is None:
        return row_values([ContactPerson(email) for email in contacts])
    return {**form_values(organisation_data(organisation)), **started_from(organisation)}


def form_values(data: OrganisationData) -> dict:
    """Form data that shows these values in the fields."""
    values = {column: getattr(data, column) for column in (
        "name", "org_type", "business_id", "description", "description_sv", "description_en", "street_address",
        "postal_code", "post_office",
        "email", "website", "meeting_times", "language", "step_free_access", "accessible_toilet", "induction_loop",
        "accessibility_notes", "paused_note", "nationwide", "volunteering_supported", "education_background",
    )}
    values.update(
        parent_id=str(data.parent_id or ""),
        sector_id=str(data.sector_id or ""),
        languages=list(data.languages),
        paused_until=data.paused_until.isoformat() if data.paused_until else "",
        needs=[str(i) for i in data.need_ids],
        activities=[str(i) for i in data.activity_ids],
        municipalities=[str(i) for i in data.municipality_ids],
        keywords=", ".join(data.keywords),
        **row_values(data.contacts),
    )
    if data.status is not None:
        values["status"] = data.status
    for key in ("member_count", "employee_count", "volunteer_count", "volunteer_hours_per_year"):
        value = getattr(data, key)
        values[key] = "" if value is None else str(value)
    for index, (number, role) in enumerate(data.phones[:MAX_PHONES], start=1):
        values[f"phone_{index}"] = format_phone_fi(number)
        values[f"phone_{index}_role"] = role
    return values


def started_from(organisation: Organisation) -> dict:
    """The hidden fields that carry what the person starts from: the version and its signed values."""
    return {"version": str(organisation.version), "base_record": sign_data(organisation_data(organisation))}


def sign_data(data: OrganisationData) -> str:
    """The values, signed, for the form's hidden field: the person cannot change what they started from."""
    values = asdict(data)
    values["paused_until"] = data.paused_until.isoformat() if data.paused_until else None
    return _record_serializer().dumps(values)


def data_from_signed(signed: str) -> OrganisationData:
    """The values sign_data signed; BadSignature if they were changed, TypeError/ValueError if not values."""
    values = _record_serializer().loads(signed)
    values["paused_until"] = date.fromisoformat(values["paused_until"]) if values["paused_until"] else None
    values["phones"] = [tuple(phone) for phone in values["phones"]]
    values["contacts"] = [ContactPerson(**person) for person in values["contacts"]]
    return OrganisationData(**values)


def _record_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=RECORD_SALT)
