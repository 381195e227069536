"""The conflict page: someone else saved, and both changed the same thing.

The form is shown again with the merge of both saves (app/directory/merge.py):
what the other person changed is in it, what this person typed is kept, and
each clash shows both values side by side with a radio "which to keep".
"""
from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.directory.contacts import contact_record, contact_text
from app.directory.forms import OrganisationForm
from app.directory.merge import CONTACTS, Conflict, apply_choices, merge_saves
from app.directory.organisations import OrganisationData, organisation_data
from app.models import Organisation
from app.platform.templating import date_fi
from app.platform.validation import format_phone_fi

# OrganisationData field → the form field the clash is shown next to.
FORM_FIELD = {"need_ids": "needs", "activity_ids": "activities", "municipality_ids": "municipalities",
              "phones": "phone_1", CONTACTS: "contacts"}


@dataclass(frozen=True)
class Clash:
    unit: str  # the radio's name is "keep-<unit>"
    label: str
    mine: str
    theirs: str


@dataclass
class ConflictView:
    clashes: dict[str, list[Clash]] = field(default_factory=dict)  # form field name → its clashes
    merged: list[str] = field(default_factory=list)  # labels of what the other save changed, merged in

    @property
    def links(self) -> list[tuple[str, str]]:
        """(anchor, label) of every clash, for the summary at the top."""
        return [(f"keep-{clash.unit}", clash.label) for clashes in self.clashes.values() for clash in clashes]


def show_conflict(form: OrganisationForm, organisation: Organisation, data: OrganisationData) -> ConflictView:
    """Put the merge of `data` and the saved organisation into `form`; what to tell the person.

    Without a trustworthy starting point (a tampered form) nothing can be told
    apart: the form shows what was typed, and saving again writes it.
    """
    current = organisation_data(organisation)
    base = form.started_from or current
    mine = apply_choices(data, base, form.conflict_choices)
    merge = merge_saves(base, current, mine)
    view = ConflictView(merged=[_label(form, name) for name in merge.theirs_changed
                                if name not in {c.field for c in merge.conflicts}])
    for conflict in merge.conflicts:
        name = FORM_FIELD.get(conflict.field, conflict.field)
        view.clashes.setdefault(name, []).append(Clash(
            conflict.unit, _unit_label(form, conflict), _as_text(form, conflict.field, conflict.mine),
            _as_text(form, conflict.field, conflict.theirs),
        ))
    form.show_merged(organisation, merge.data)
    return view


def _label(form: OrganisationForm, name: str) -> str:
    form_name = FORM_FIELD.get(name, name)
    if form_name == "phone_1":
        return _("Puhelinnumerot")
    if form_name == "contacts":
        return _("Yhteyshenkilöt")
    return str(form[form_name].label.text) if form_name in form else form_name


def _unit_label(form: OrganisationForm, conflict: Conflict) -> str:
    if conflict.field == CONTACTS:
        return _("Yhteyshenkilö %(email)s", email=conflict.unit.removeprefix(f"{CONTACTS}:"))
    return _label(form, conflict.field)


def _as_text(form: OrganisationForm, name: str, value) -> str:
    if name == CONTACTS:
        return contact_text(contact_record(value)) if value is not None else _("(poistettu)")
    if value in (None, "", []):
        return _("(tyhjä)")
    if isinstance(value, bool):
        return _("Kyllä") if value else _("Ei")
    if name == "phones":
        return "; ".join(format_phone_fi(number) + (f" ({role})" if role else "") for number, role in value)
    if name == "paused_until":
        return date_fi(value)
    form_name = FORM_FIELD.get(name, name)
    choices = getattr(form[form_name], "choices", None) if form_name in form else None
    if choices:
        labels = {choice.value: str(choice.label) for choice in choices}
        if isinstance(value, list):
            return ", ".join(labels.get(str(item), str(item)) for item in value)
        return labels.get(str(value), str(value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
