"""The organisation form in steps: the one OrganisationForm, its fields in groups.

A step page posts only its own fields.  The rest of the form comes from the
person's draft (app/directory/drafts.py) for the steps posted before, and from
the organisation as it is now (or the form's defaults, for a new one) for the
steps not reached yet.  Each step validates what it shows; the last step
validates the whole form, previews it and saves it the way the one-page form
does.  The one-page form shows the same groups, one after another.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms.utils import unset_value

from app.directory.contact_rows import MAX_CONTACTS, TEXT_PARTS
from app.directory.form_values import MAX_PHONES, initial_data
from app.directory.forms import OrganisationForm
from app.models import Organisation
from app.platform.form_fields import EmailAddressField
from app.platform.submissions import KEY_FIELD, new_key

CSRF_FIELD = "csrf_token"
PHONE_FIELDS = tuple(name for i in range(1, MAX_PHONES + 1) for name in (f"phone_{i}", f"phone_{i}_role"))
CONTACT_FIELDS = tuple(f"contact_{i}_{part}" for i in range(1, MAX_CONTACTS + 1) for part in (*TEXT_PARTS, "remove"))


@dataclass(frozen=True)
class FormStep:
    slug: str  # in the step's URL
    title: str
    template: str  # the step's fields, shared with the one-page form ("" for the preview)
    fields: tuple[str, ...]
    staff_only: bool = False


FIELD_GROUPS = (
    FormStep("perustiedot", _l("Perustiedot"), "accounts/_organisation_basic.html", (
        "name", "org_type", "business_id", "parent_id", "description", "description_sv", "description_en",
    )),
    FormStep("toiminta", _l("Mitä tarjoatte"), "accounts/_organisation_offer.html", (
        "needs", "activities", "nationwide", "municipalities", "keywords", "meeting_times", "languages",
        "paused_until", "paused_note",
    )),
    FormStep("yhteystiedot", _l("Yhteystiedot ja saavutettavuus"), "accounts/_organisation_contact.html", (
        "street_address", "postal_code", "post_office", "email", "website", *PHONE_FIELDS, "language",
        "step_free_access", "accessible_toilet", "induction_loop", "accessibility_notes", *CONTACT_FIELDS,
    )),
    FormStep("yllapito", _l("Vain ylläpidon käyttöön"), "accounts/_organisation_admin.html", (
        "status", "member_count", "employee_count", "volunteer_count", "volunteer_hours_per_year",
        "volunteering_supported", "sector_id", "education_background",
    ), staff_only=True),
)
# The last step posts nothing but the one-time key of a new organisation.
PREVIEW = FormStep("esikatselu", _l("Esikatselu ja lähetys"), "", (KEY_FIELD,))
# What the person started from, pinned when the draft is started.
PINNED_FIELDS = ("version", "base_record", KEY_FIELD)


def steps_for(*, staff: bool) -> tuple[FormStep, ...]:
    """The steps one person goes through: contacts skip the staff-only figures."""
    return tuple(step for step in FIELD_GROUPS if staff or not step.staff_only) + (PREVIEW,)


def step_by_slug(steps: tuple[FormStep, ...], slug: str) -> FormStep | None:
    return next((step for step in steps if step.slug == slug), None)


def start_values(organisation: Organisation | None) -> dict[str, list[str]]:
    """What a new draft pins: the version and record the person starts from, or a new one-time key."""
    if organisation is None:
        return {KEY_FIELD: [new_key()]}
    initial = initial_data(organisation)
    return {"version": [initial["version"]], "base_record": [initial["base_record"]]}


def draft_form(
    organisation: Organisation | None,
    values: dict[str, list[str]],
    *,
    staff: bool,
    contacts=(),
    step: FormStep | None = None,
    posted: MultiDict | None = None,
) -> OrganisationForm:
    """The whole form: `posted` for the fields of `step`, the draft's `values` for the
    fields posted before, the organisation (or the defaults) for the rest."""
    form = OrganisationForm(formdata=None, organisation=organisation, staff=staff)
    initial = initial_data(organisation, contacts)
    stored = MultiDict([(name, value) for name, listed in values.items() for value in listed])
    own = set(step.fields) if step is not None and posted is not None else set()
    for name, field in form._fields.items():
        if name in own or (name == CSRF_FIELD and posted is not None):
            field.process(posted)
        elif name in values:
            field.process(stored)
        elif name != CSRF_FIELD:
            field.process(None, initial.get(name, unset_value))
    return form


def posted_values(step: FormStep, posted: MultiDict, form: OrganisationForm) -> dict[str, list[str]]:
    """The raw input of one step as the draft keeps it (an e-mail field's "checked" mark too)."""
    values = {name: posted.getlist(name) for name in step.fields if name in form and name not in PINNED_FIELDS}
    for name in list(values):
        if isinstance(form[name], EmailAddressField):
            checked = form[name].checked_name
            values[checked] = posted.getlist(checked)
    return values


def validate_fields(form: OrganisationForm, names) -> bool:
    """Validate some fields the way form.validate() does (inline validate_<name> included)."""
    valid = True
    for name in names:
        if name not in form:
            continue
        inline = getattr(type(form), f"validate_{name}", None)
        valid = form[name].validate(form, [inline] if inline else []) and valid
    return valid


def validate_step(form: OrganisationForm, step: FormStep) -> bool:
    """The step's own fields; the other steps' fields are left alone."""
    return validate_fields(form, step.fields)


def steps_with_errors(form: OrganisationForm, steps: tuple[FormStep, ...]) -> list[tuple[FormStep, list]]:
    """After validation: each step whose fields failed, with those fields."""
    failed = []
    for step in steps:
        fields = [form[name] for name in step.fields if name in form and form[name].errors]
        if fields:
            failed.append((step, fields))
    return failed
