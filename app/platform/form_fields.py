"""Fields and validators whose every message is Finnish and whose bad input never raises; ActionForm.

WTForms' own choice and number fields answer tampered or mistyped values with
English messages (or refuse to keep the input); these keep what was typed and
say what is wrong in the user's language.
"""
import re
from collections.abc import Callable
from datetime import date, datetime, time

import wtforms
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError as FieldError
from wtforms.widgets import CheckboxInput, ListWidget

from app.platform.email_typos import suggest_email
from app.platform.validation import ValidationError, clean_text, normalise_email, whole_number

class ActionForm(FlaskForm):
    """A button that changes something (sign out, approve, discard a draft): only the CSRF token."""


# Admin-only counts live in 32-bit integer columns; nobody has more than this.
MAX_COUNT = 10_000_000
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")
# 13:00 from the browser's time picker; 13.00, 9.30 or a whole hour (13) typed the Finnish way.
CLOCK = re.compile(r"([01]?[0-9]|2[0-3])(?:[:.]([0-5][0-9]))?")


def parse_date(text: str | None) -> date | None:
    """A date from the browser's date picker (2025-12-31) or typed the Finnish way (31.12.2025); else None."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime((text or "").strip(), pattern).date()
        except ValueError:
            continue
    return None


def parse_clock(text: str | None) -> time | None:
    """A time of day as staff type it ("9", "9.30", "09:30") → 09:30; anything else None."""
    match = CLOCK.fullmatch((text or "").strip())
    if match is None:
        return None
    return time(int(match.group(1)), int(match.group(2) or 0))


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the choices of a choice field."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def _choice_values(choices) -> set[str]:
    return {choice.value for choice in choices}


class CheckboxListField(wtforms.SelectMultipleField):
    """Several choices as checkboxes in a fieldset; values stay strings until `ids`."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", str)
        super().__init__(*args, **kwargs)

    def pre_validate(self, form):
        if any(value not in _choice_values(self.choices) for value in self.data or []):
            raise StopValidation(_("Valitse vain annetuista vaihtoehdoista."))

    @property
    def ids(self) -> list[int]:
        """The chosen values as database ids, each once, in the order of the choices."""
        chosen = set(self.data or [])
        return [int(choice.value) for choice in self.choices if choice.value in chosen]


class RadioField(wtforms.RadioField):
    def pre_validate(self, form):
        if self.data is None or str(self.data) not in _choice_values(self.choices):
            raise StopValidation(_("Valitse yksi vaihtoehdoista."))


class SelectField(wtforms.SelectField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", str)
        super().__init__(*args, **kwargs)

    def pre_validate(self, form):
        if (self.data or "") not in _choice_values(self.choices):
            raise StopValidation(_("Valitse yksi vaihtoehdoista."))


class CountField(wtforms.StringField):
    """A non-negative whole number or nothing; the typed text is kept when it is wrong."""

    def __init__(self, *args, **kwargs):
        render_kw = {"inputmode": "numeric", "autocomplete": "off", **kwargs.pop("render_kw", {})}
        super().__init__(*args, render_kw=render_kw, **kwargs)

    def pre_validate(self, form):
        text = (self.data or "").strip().replace(" ", "")
        if not text:
            return
        if text.startswith("-") and whole_number(text[1:]) is not None:
            raise StopValidation(_("Luku ei voi olla negatiivinen."))
        number = whole_number(text)
        if number is None:
            raise StopValidation(_("Kirjoita luku numeroina, esimerkiksi 25."))
        if number > MAX_COUNT:
            raise StopValidation(_("Luku on liian suuri: enintään %(max)d.", max=MAX_COUNT))

    @property
    def number(self) -> int | None:
        text = (self.data or "").strip().replace(" ", "")
        return whole_number(text)


class DateTextField(wtforms.StringField):
    """A date from the browser's date picker (ISO) or typed the Finnish way (31.12.2025).

    Between FIRST_YEAR and YEARS_AHEAD years from now: a typo such as 31.12.9999 is caught
    here, before it is published or overflows the date arithmetic after it (a survey's end).
    """

    FIRST_YEAR = 2000
    YEARS_AHEAD = 10

    def pre_validate(self, form):
        if (self.data or "").strip() and self.date is None:
            raise StopValidation(_("Anna päivämäärä muodossa pp.kk.vvvv, esimerkiksi 31.12.2025."))
        last_year = date.today().year + self.YEARS_AHEAD
        if self.date is not None and not self.FIRST_YEAR <= self.date.year <= last_year:
            raise StopValidation(_("Tarkista vuosi: anna päivä väliltä %(first)d–%(last)d.", first=self.FIRST_YEAR,
                                   last=last_year))

    @property
    def date(self) -> date | None:
        return parse_date(self.data)


class EmailAddressField(wtforms.EmailField):
    """The one e-mail field of every form: normalise_email's verdict next to the field,
    the stored form of the address put back in the field, and "did you mean" for a
    mistyped common domain.

    The suggestion stops the form once; sending the same address again (the field
    macro keeps it in `<name>-tarkistettu`) accepts it as typed.
    """

    def __init__(self, *args, required: bool = True, suggest: bool = True, **kwargs):
        render_kw = {"autocomplete": "email", "spellcheck": "false", "maxlength": 254, **kwargs.pop("render_kw", {})}
        super().__init__(*args, render_kw=render_kw, **kwargs)
        self.is_required = required
        self.suggest = suggest
        self.suggestion = ""
        self.checked = ""

    @property
    def checked_name(self) -> str:
        return f"{self.name}-tarkistettu"

    def process(self, formdata, *args, **kwargs):
        super().process(formdata, *args, **kwargs)
        if formdata is not None:
            self.checked = formdata.get(self.checked_name, "")

    def pre_validate(self, form):
        if not self.is_required and not (self.data or "").strip():
            self.data = ""
            return
        single_line(form, self)
        try:
            self.data = normalise_email(self.data)
        except ValidationError as problem:
            raise StopValidation(problem.message) from None
        suggestion = suggest_email(self.data) if self.suggest else None
        if suggestion and self.checked != self.data:
            self.suggestion = suggestion
            raise StopValidation(_("Tarkoititko %(suggestion)s? Korjaa osoite, tai jos se on oikein, lähetä "
                                   "lomake uudelleen sellaisenaan.", suggestion=suggestion))


def text_limit(max_length: int, *, required: bool = False, multiline: bool = False):
    """Length (and presence) checked the way the text is stored: cleaned and trimmed."""

    def validate(form, field):
        try:
            clean_text(field.data, max_length, required=required, multiline=multiline)
        except ValidationError as problem:
            raise StopValidation(problem.message) from None

    return validate


def single_line(form, field):
    """Line breaks could carry text into mail headers and never belong in a one-line field."""
    if "\r" in (field.data or "") or "\n" in (field.data or ""):
        raise StopValidation(_("Kenttään ei voi kirjoittaa rivinvaihtoja."))


def optional_normalised(normalise: Callable[[str], str]):
    """An optional value that, when given, `normalise` must accept."""

    def validate(form, field):
        if (field.data or "").strip():
            try:
                normalise(field.data)
            except ValidationError as problem:
                raise FieldError(problem.message) from None

    return validate



def unix_newlines(value):
    """Browsers send a textarea's line breaks as CRLF; keep them as one character."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value
