"""The contacts part of the organisation form: a repeating group of rows, one person each.

Without JavaScript a form cannot grow, so the page shows every filled row and
two empty ones (up to MAX_CONTACTS); more people can be added after saving.
Each row is plain fields named contact_<n>_<part>, not a WTForms FieldList, so
that every field has its own label, error and line in the form's error summary
like any other field.  An empty row is skipped; "Poista" removes a person.
"""
from dataclasses import dataclass

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import StopValidation

from app.directory.contacts import ContactPerson
from app.platform.form_fields import EmailAddressField, optional_normalised, single_line, text_limit
from app.platform.validation import clean_text, format_phone_fi, normalise_phone

MAX_CONTACTS = 20
BLANK_ROWS = 2
TEXT_PARTS = ("email", "name", "role", "phone")


@dataclass(frozen=True)
class ContactRow:
    """The fields of one row, as the template renders them."""

    index: int
    email: EmailAddressField
    name: StringField
    role: StringField
    phone: StringField
    remove: BooleanField

    @property
    def is_filled(self) -> bool:
        return any((getattr(self, part).data or "").strip() for part in TEXT_PARTS)


def _row_fields(index: int) -> dict:
    def email_for_details(form, field):
        if index == 1 and not any(
            (row.email.data or "").strip() and not row.remove.data
            for row in (form_row(form, other) for other in range(1, MAX_CONTACTS + 1))
        ):
            raise StopValidation(_("Anna vähintään yksi yhteyshenkilön sähköpostiosoite."))
        row = form_row(form, index)
        if not (row.remove.data or (field.data or "").strip()) and row.is_filled:
            raise StopValidation(_("Anna yhteyshenkilön sähköpostiosoite tai tyhjennä rivi."))

    return {
        f"contact_{index}_email": EmailAddressField(
            _l("Yhteyshenkilön %(index)d sähköposti", index=index), required=False,
            validators=[email_for_details], render_kw={"autocomplete": "off"},
        ),
        f"contact_{index}_name": StringField(
            _l("Yhteyshenkilön %(index)d nimi", index=index), validators=[single_line, text_limit(120)],
            render_kw={"autocomplete": "off"},
        ),
        f"contact_{index}_role": StringField(
            _l("Yhteyshenkilön %(index)d rooli", index=index),
            description=_l("Esimerkiksi puheenjohtaja tai sihteeri."),
            validators=[single_line, text_limit(120)],
        ),
        f"contact_{index}_phone": StringField(
            _l("Yhteyshenkilön %(index)d puhelin (vapaaehtoinen)", index=index),
            validators=[single_line, optional_normalised(normalise_phone)],
            render_kw={"type": "tel", "autocomplete": "off"},
        ),
        f"contact_{index}_remove": BooleanField(_l("Poista yhteyshenkilö %(index)d", index=index)),
    }


def add_contact_rows(form_class) -> None:
    """Give the form class MAX_CONTACTS rows of fields (after its own fields, in the error summary too)."""
    for index in range(1, MAX_CONTACTS + 1):
        for name, unbound in _row_fields(index).items():
            setattr(form_class, name, unbound)


def form_row(form, index: int) -> ContactRow:
    return ContactRow(index, *(form[f"contact_{index}_{part}"] for part in (*TEXT_PARTS, "remove")))


def rows_to_show(form) -> list[ContactRow]:
    """Every row up to the last filled one, then BLANK_ROWS empty ones."""
    rows = [form_row(form, index) for index in range(1, MAX_CONTACTS + 1)]
    last_filled = max((row.index for row in rows if row.is_filled), default=0)
    return rows[: min(MAX_CONTACTS, last_filled + BLANK_ROWS)]


def people_from_rows(form) -> list[ContactPerson]:
    """The validated rows as contacts; the first row of an address wins."""
    people: dict[str, ContactPerson] = {}
    for index in range(1, MAX_CONTACTS + 1):
        row = form_row(form, index)
        email = (row.email.data or "").strip()
        if row.remove.data or not email or email in people:
            continue
        phone = (row.phone.data or "").strip()
        people[email] = ContactPerson(
            email=email,
            name=clean_text(row.name.data, 120),
            role=clean_text(row.role.data, 120),
            phone=normalise_phone(phone) if phone else "",
        )
    return list(people.values())


def row_values(people: list[ContactPerson]) -> dict:
    """Form data that shows these people in the rows."""
    values = {}
    for index, person in enumerate(people[:MAX_CONTACTS], start=1):
        values.update({
            f"contact_{index}_email": person.email,
            f"contact_{index}_name": person.name,
            f"contact_{index}_role": person.role,
            f"contact_{index}_phone": format_phone_fi(person.phone) if person.phone else "",
        })
    return values
