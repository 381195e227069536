"""Forms of the taxonomy pages: one per kind of term, plus merge and delete.

Every message is Finnish and shown next to its field; WTForms' own English
validators (DataRequired, IntegerField, SelectField choices) are not used.
"""
import re

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import StopValidation, ValidationError as FieldError

from app.admin.taxonomy_edits import TermKind, value_taken
from app.extensions import db
from app.models.taxonomy import split_list
from app.platform.validation import MAX_DATABASE_ID, ValidationError, clean_text, whole_number

MAX_POSITION = 9999
MAX_LIST_ITEM = 120


def cleaned(max_length: int, *, required: bool = False, multiline: bool = False):
    """A validator that trims the text, checks its length and stores the clean text."""

    def validate(form, field):
        try:
            field.data = clean_text(field.data, max_length, required=required, multiline=multiline)
        except ValidationError as problem:
            raise StopValidation(problem.message) from None

    return validate


def word_list(max_total: int):
    """A validator for one item a line (or ';'-separated): stored ';'-joined, each item once."""

    def validate(form, field):
        text = (field.data or "").replace(";", "\n")
        items: list[str] = []
        for raw in text.splitlines():
            try:
                item = clean_text(raw, MAX_LIST_ITEM)
            except ValidationError as problem:
                raise StopValidation(problem.message) from None
            if item and item.casefold() not in {i.casefold() for i in items}:
                items.append(item)
        joined = ";".join(items)
        if len(joined) > max_total:
            raise StopValidation(_("Luettelo on liian pitkä: enintään %(max)d merkkiä.", max=max_total))
        field.data = joined

    return validate


def position_number(form, field):
    text = (field.data if isinstance(field.data, str) else str(field.data or "")).strip() or "0"
    number = whole_number(text)
    if number is None or number > MAX_POSITION:
        raise StopValidation(_("Anna järjestysnumero 0–%(max)d.", max=MAX_POSITION))
    field.data = number


def position_field() -> StringField:
    """The term's place in lists, the same field for every kind that is ordered by hand."""
    return StringField(
        _l("Järjestysnumero"),
        description=_l("Pienin numero näytetään ensimmäisenä."),
        validators=[position_number],
        render_kw={"inputmode": "numeric", "maxlength": 4},
    )


UNTRANSLATED_HINT = _l("Jos tämä on tyhjä, näytetään suomenkielinen teksti.")


def translated_name(label) -> StringField:
    return StringField(label, description=UNTRANSLATED_HINT, validators=[cleaned(120)], render_kw={"maxlength": 120})


def translated_text(label, max_length: int, rows: int) -> TextAreaField:
    return TextAreaField(
        label, description=UNTRANSLATED_HINT, validators=[cleaned(max_length, multiline=True)],
        render_kw={"rows": rows, "maxlength": max_length},
    )


def translated_list(label, hint, max_total: int, rows: int) -> TextAreaField:
    return TextAreaField(label, description=hint, validators=[word_list(max_total)], render_kw={"rows": rows})


def translations_of(term, *attributes: str) -> dict:
    """The form's initial Swedish and English values of `attributes` (lists one item a line)."""
    values = {}
    for attribute in attributes:
        for language in ("sv", "en"):
            value = getattr(term, f"{attribute}_{language}")
            values[f"{attribute}_{language}"] = "\n".join(split_list(value)) if attribute in LIST_ATTRIBUTES else value
    return values


# Attributes kept as ';'-separated lists and edited one item a line.
LIST_ATTRIBUTES = ("synonyms", "typical_goals")


class TermForm(FlaskForm):
    """Common to every kind: the unique attributes are checked against the other terms."""

    def __init__(self, kind: TermKind, term_id: int | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.term_id = term_id

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for attribute in self.kind.unique:
            field = self[attribute]
            if not field.errors and field.data and value_taken(self.kind, attribute, field.data, self.term_id):
                field.errors.append(_("Tämä on jo käytössä toisella luokalla."))
                valid = False
        return valid

    def values(self) -> dict:
        return {attribute: self[attribute].data for attribute in self.kind.fields}

    @staticmethod
    def initial(term) -> dict:
        return {}


class NeedForm(TermForm):
    name = StringField(_l("Nimi"), validators=[cleaned(120, required=True)], render_kw={"maxlength": 120})
    group = StringField(
        _l("Ryhmä"),
        description=_l("Tarpeet näytetään haussa ryhmittäin. Valitse olemassa oleva ryhmä tai kirjoita uusi."),
        validators=[cleaned(120, required=True)],
        render_kw={"maxlength": 120, "list": "ryhmat"},
    )
    synonyms = TextAreaField(
        _l("Synonyymit"),
        description=_l("Arkikielen sanoja, joilla tätä tarvetta haetaan. Yksi sana tai ilmaus riville."),
        validators=[word_list(4000)],
        render_kw={"rows": 6},
    )
    name_sv = translated_name(_l("Nimi ruotsiksi"))
    group_sv = translated_name(_l("Ryhmä ruotsiksi"))
    synonyms_sv = translated_list(_l("Synonyymit ruotsiksi"), _l("Yksi sana tai ilmaus riville."), 4000, 4)
    name_en = translated_name(_l("Nimi englanniksi"))
    group_en = translated_name(_l("Ryhmä englanniksi"))
    synonyms_en = translated_list(_l("Synonyymit englanniksi"), _l("Yksi sana tai ilmaus riville."), 4000, 4)

    @staticmethod
    def initial(term) -> dict:
        return {
            "name": term.name, "group": term.group, "synonyms": "\n".join(term.synonym_list),
            **translations_of(term, "name", "group", "synonyms"),
        }


class ActivityForm(TermForm):
    name = StringField(_l("Nimi"), validators=[cleaned(120, required=True)], render_kw={"maxlength": 120})
    description = TextAreaField(
        _l("Kuvaus"),
        description=_l("Selitys, joka näytetään hakulomakkeessa."),
        validators=[cleaned(1000, multiline=True)],
        render_kw={"rows": 4, "maxlength": 1000},
    )
    position = position_field()
    name_sv = translated_name(_l("Nimi ruotsiksi"))
    description_sv = translated_text(_l("Kuvaus ruotsiksi"), 1000, 3)
    name_en = translated_name(_l("Nimi englanniksi"))
    description_en = translated_text(_l("Kuvaus englanniksi"), 1000, 3)

    @staticmethod
    def initial(term) -> dict:
        return {
            "name": term.name, "description": term.description, "position": str(term.position),
            **translations_of(term, "name", "description"),
        }


class MunicipalityForm(TermForm):
    code = StringField(
        _l("Kuntanumero"),
        description=_l("Tilastokeskuksen kolminumeroinen kuntakoodi, esimerkiksi 297."),
        validators=[cleaned(3, required=True)],
        render_kw={"inputmode": "numeric", "maxlength": 3},
    )
    name_fi = StringField(_l("Nimi suomeksi"), validators=[cleaned(80, required=True)], render_kw={"maxlength": 80})
    name_sv = StringField(_l("Nimi ruotsiksi"), validators=[cleaned(80)], render_kw={"maxlength": 80})

    def validate_code(self, field):
        if not re.fullmatch(r"[0-9]{3}", field.data):
            raise FieldError(_("Kuntanumerossa on kolme numeroa."))

    def values(self) -> dict:
        values = super().values()
        values["name_sv"] = values["name_sv"] or None
        return values

    @staticmethod
    def initial(term) -> dict:
        return {"code": term.code, "name_fi": term.name_fi, "name_sv": term.name_sv or ""}


class SectorForm(TermForm):
    name = StringField(_l("Nimi"), validators=[cleaned(120, required=True)], render_kw={"maxlength": 120})
    position = position_field()
    name_sv = translated_name(_l("Nimi ruotsiksi"))
    name_en = translated_name(_l("Nimi englanniksi"))

    @staticmethod
    def initial(term) -> dict:
        return {"name": term.name, "position": str(term.position), **translations_of(term, "name")}


class WorkshopThemeForm(TermForm):
    name = StringField(_l("Nimi"), validators=[cleaned(120, required=True)], render_kw={"maxlength": 120})
    description = TextAreaField(
        _l("Kuvaus"), validators=[cleaned(2000, multiline=True)], render_kw={"rows": 5, "maxlength": 2000}
    )
    typical_goals = TextAreaField(
        _l("Tyypillisiä tavoitteita"),
        description=_l("Yksi tavoite riville."),
        validators=[word_list(2000)],
        render_kw={"rows": 4},
    )
    position = position_field()
    active = BooleanField(_l("Teema on tilattavissa"))
    name_sv = translated_name(_l("Nimi ruotsiksi"))
    description_sv = translated_text(_l("Kuvaus ruotsiksi"), 2000, 4)
    typical_goals_sv = translated_list(_l("Tyypillisiä tavoitteita ruotsiksi"), _l("Yksi tavoite riville."), 2000, 3)
    name_en = translated_name(_l("Nimi englanniksi"))
    description_en = translated_text(_l("Kuvaus englanniksi"), 2000, 4)
    typical_goals_en = translated_list(_l("Tyypillisiä tavoitteita englanniksi"), _l("Yksi tavoite riville."), 2000, 3)

    @staticmethod
    def initial(term) -> dict:
        return {
            "name": term.name,
            "description": term.description,
            "typical_goals": "\n".join(split_list(term.typical_goals)),
            "position": str(term.position),
            "active": term.active,
            **translations_of(term, "name", "description", "typical_goals"),
        }


FORMS: dict[str, type[TermForm]] = {
    "tarpeet": NeedForm,
    "toimintamuodot": ActivityForm,
    "kunnat": MunicipalityForm,
    "toimialat": SectorForm,
    "tyopajateemat": WorkshopThemeForm,
}


class MergeForm(FlaskForm):
    """Choose the term this one is merged into; the choices are the kind's other terms."""

    target = SelectField(
        _l("Yhdistä luokkaan"),
        description=_l("Kaikki tätä luokkaa käyttävät siirtyvät valittuun luokkaan, ja tämä luokka poistetaan."),
        validate_choice=False,
    )
    # Set by the question page's button: a merge cannot be undone, so it is asked first.
    confirmed = HiddenField()

    def __init__(self, kind: TermKind, source, choices: list[tuple[str, str]], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.source = source
        self.target.choices = [("", _("Valitse luokka"))] + choices
        self.target_term = None

    def validate_target(self, field):
        value = (field.data or "").strip()
        if not value:
            raise FieldError(_("Valitse luokka, johon tämä yhdistetään."))
        if value == str(self.source.id):
            raise FieldError(_("Luokkaa ei voi yhdistää itseensä. Valitse jokin toinen luokka."))
        target_id = whole_number(value)
        target = db.session.get(self.kind.model, target_id) if target_id and target_id <= MAX_DATABASE_ID else None
        if target is None:
            raise FieldError(_("Valittua luokkaa ei löytynyt. Valitse luokka luettelosta."))
        self.target_term = target


class DeleteForm(FlaskForm):
    """Deleting is a POST with the CSRF token; the view refuses it for a term in use."""
