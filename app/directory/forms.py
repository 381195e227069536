"""The organisation form: every field of an organisation, for contacts and for staff.

One form, two contexts: `staff=True` adds the status; everything else is the
same.  The form validates and turns the input into OrganisationData; saving is
app/directory/organisations.py.  Two hidden fields carry what the person started
from (the version and a signed copy of its values, app/directory/form_values.py)
for the merge of a save made
after someone else's (app/directory/merge.py); after a conflict, the person's
choice for each clash comes as a radio "keep-<unit>".  The contacts are rows of
their own (app/directory/contact_rows.py).
"""
from datetime import date

from flask_babel import gettext as _, lazy_gettext as _l
from itsdangerous import BadSignature
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import StopValidation

from app.config import PORTAL_LANGUAGES
from app.directory.contact_rows import add_contact_rows, people_from_rows, rows_to_show
from app.directory.form_values import MAX_PHONES, data_from_signed, form_values, initial_data, started_from
from app.directory.merge import MINE, THEIRS
from app.directory.organisations import OrganisationData, parent_candidates, sectors
from app.directory.reads import taxonomy_choices
from app.models import LANGUAGES, ORG_TYPES, STATUSES, TRISTATE, Organisation
from app.platform.form_fields import (
    CheckboxListField,
    CountField,
    DateTextField,
    EmailAddressField,
    RadioField,
    SelectField,
    optional_normalised,
    options,
    single_line,
    text_limit,
)
from app.platform.i18n import current_language
from app.platform.submissions import OnceForm
from app.platform.templating import LANGUAGE_LABELS, ORG_TYPE_LABELS, TRISTATE_LABELS
from app.platform.validation import (
    ValidationError,
    clean_text,
    normalise_business_id,
    normalise_phone,
    normalise_postal_code,
    normalise_website,
    whole_number,
)

MAX_KEYWORDS = 20
MAX_KEYWORD_LENGTH = 80
MAX_KEYWORDS_TEXT = 2000
KEEP_PREFIX = "keep-"
STATUS_LABELS = {
    "pending": _l("Odottaa hyväksyntää"),
    "published": _l("Julkaistu"),
    "hidden": _l("Piilotettu"),
    "rejected": _l("Hylätty"),
}
TRISTATE_CHOICES = [(value, TRISTATE_LABELS[value]) for value in TRISTATE]


def _phone_row(index: int) -> tuple[StringField, StringField]:
    """The number and role fields of one phone row; a role needs a number."""

    def number_given_with_role(form, field):
        if not (field.data or "").strip():
            if (form[f"phone_{index}_role"].data or "").strip():
                raise StopValidation(_("Anna puhelinnumero tai tyhjennä sen käyttötarkoitus."))
            return
        try:
            normalise_phone(field.data)
        except ValidationError as problem:
            raise StopValidation(problem.message) from None

    number = StringField(
        _l("Puhelinnumero %(index)d", index=index),
        validators=[single_line, number_given_with_role],
        render_kw={"type": "tel", "autocomplete": "off", "class": "puhelin"},
    )
    role = StringField(
        _l("Kenen numero %(index)d", index=index),
        validators=[single_line, text_limit(120)],
        render_kw={"class": "puhelin-rooli"},
    )
    return number, role


class OrganisationForm(OnceForm):
    # (a) Public details
    name = StringField(_l("Järjestön tai ryhmän nimi"), validators=[single_line, text_limit(200, required=True)],
                       render_kw={"autocomplete": "organization"})
    org_type = RadioField(_l("Tyyppi"), choices=options((t, ORG_TYPE_LABELS[t]) for t in ORG_TYPES), default="yhdistys")
    business_id = StringField(
        _l("Y-tunnus"), description=_l("Vapaaehtoinen. Muoto 1234567-8."),
        validators=[single_line, optional_normalised(normalise_business_id)],
    )
    parent_id = SelectField(
        _l("Kuuluu järjestöön"),
        description=_l("Jos olette liiton tai muun järjestön paikallisyhdistys, valitse se tästä."),
    )
    description = TextAreaField(
        _l("Kuvaus"),
        description=_l("Yksi tai kaksi virkettä: mitä teette ja kenelle. Enintään 600 merkkiä."),
        validators=[text_limit(600, multiline=True)], render_kw={"data-laskuri": "600", "rows": 4},
    )
    description_sv = TextAreaField(
        _l("Kuvaus ruotsiksi"),
        description=_l("Vapaaehtoinen. Näytetään ruotsinkielisillä sivuilla. Enintään 600 merkkiä."),
        validators=[text_limit(600, multiline=True)], render_kw={"data-laskuri": "600", "rows": 4, "lang": "sv"},
    )
    description_en = TextAreaField(
        _l("Kuvaus englanniksi"),
        description=_l("Vapaaehtoinen. Näytetään englanninkielisillä sivuilla. Enintään 600 merkkiä."),
        validators=[text_limit(600, multiline=True)], render_kw={"data-laskuri": "600", "rows": 4, "lang": "en"},
    )
    street_address = StringField(_l("Käyntiosoite"), validators=[single_line, text_limit(200)],
                                 render_kw={"autocomplete": "street-address"})
    postal_code = StringField(_l("Postinumero"), validators=[single_line, optional_normalised(normalise_postal_code)],
                              render_kw={"autocomplete": "postal-code", "inputmode": "numeric"})
    post_office = StringField(_l("Postitoimipaikka"), validators=[single_line, text_limit(80)])
    email = EmailAddressField(
        _l("Sähköposti"), description=_l("Julkinen osoite, johon asukkaat ja ammattilaiset voivat kirjoittaa."),
        required=False, render_kw={"autocomplete": "off"},
    )
    website = StringField(
        _l("Verkkosivut"), description=_l("Esimerkiksi https://www.yhdistys.fi"),
        validators=[single_line, optional_normalised(normalise_website)],
        render_kw={"type": "url", "spellcheck": "false"},
    )
    phone_1, phone_1_role = _phone_row(1)
    phone_2, phone_2_role = _phone_row(2)
    phone_3, phone_3_role = _phone_row(3)
    phone_4, phone_4_role = _phone_row(4)
    phone_5, phone_5_role = _phone_row(5)
    meeting_times = TextAreaField(
        _l("Kokoontumisajat"), description=_l("Esimerkiksi: Kokoontuu joka tiistai klo 18. Enintään 500 merkkiä."),
        validators=[text_limit(500, multiline=True)], render_kw={"data-laskuri": "500", "rows": 3},
    )
    languages = CheckboxListField(_l("Toimintakielet"), choices=options((c, LANGUAGE_LABELS[c]) for c in LANGUAGES))
    language = RadioField(
        _l("Sähköpostien kieli"),
        description=_l("Kieli, jolla Hyvinvointitarjotin kirjoittaa järjestölle, esimerkiksi yhteydenottopyynnöt."),
        # A new organisation writes in the language its form was filled in.
        choices=options(PORTAL_LANGUAGES.items()), default=current_language,
    )
    step_free_access = RadioField(_l("Esteetön sisäänkäynti"), choices=options(TRISTATE_CHOICES), default="unknown")
    accessible_toilet = RadioField(_l("Esteetön WC"), choices=options(TRISTATE_CHOICES), default="unknown")
    induction_loop = RadioField(_l("Induktiosilmukka"), choices=options(TRISTATE_CHOICES), default="unknown")
    accessibility_notes = TextAreaField(
        _l("Lisätietoja esteettömyydestä"), description=_l("Enintään 600 merkkiä."),
        validators=[text_limit(600, multiline=True)], render_kw={"data-laskuri": "600", "rows": 3},
    )
    paused_until = DateTextField(
        _l("Toiminta tauolla asti"),
        description=_l("Jos toiminta on tauolla, päivä jolloin se jatkuu (pp.kk.vvvv). Muuten jätä tyhjäksi."),
        render_kw={"type": "date"},
    )
    paused_note = TextAreaField(
        _l("Tiedote tauosta"), description=_l("Enintään 300 merkkiä."),
        validators=[text_limit(300, multiline=True)], render_kw={"data-laskuri": "300", "rows": 2},
    )
    # (b) What you offer
    needs = CheckboxListField(_l("Kenelle ja mihin tarpeisiin tarjoatte tukea?"))
    activities = CheckboxListField(_l("Millaista toimintaa tarjoatte?"))
    municipalities = CheckboxListField(_l("Kunnat, joissa toimitte"))
    nationwide = BooleanField(_l("Toimimme koko Suomessa"))
    keywords = StringField(
        _l("Asiasanat"),
        description=_l("Muita sanoja, joilla teidät voi löytää, pilkulla erotettuina. "
                       "Enintään 20 sanaa, kukin enintään 80 merkkiä."),
        validators=[single_line, text_limit(MAX_KEYWORDS_TEXT)],
    )
    # (c) Contacts who may edit: rows added below the class (contact_rows.add_contact_rows)
    # (d) Only for the administrators
    member_count = CountField(_l("Jäsenmäärä"))
    employee_count = CountField(_l("Työntekijöiden määrä"))
    volunteer_count = CountField(_l("Vapaaehtoisten määrä"))
    volunteer_hours_per_year = CountField(_l("Vapaaehtoistyön tunnit vuodessa"))
    volunteering_supported = RadioField(
        _l("Onko vapaaehtoistoiminnalla ammatillinen tuki?"), choices=options(TRISTATE_CHOICES), default="unknown"
    )
    sector_id = SelectField(_l("Toimiala"))
    education_background = StringField(
        _l("Koulutustausta"), description=_l("Esimerkiksi henkilöstön tai vapaaehtoisten koulutus. Enintään 300 merkkiä."),
        validators=[single_line, text_limit(300)],
    )
    # Staff only (removed from the form otherwise)
    status = SelectField(_l("Tila"), choices=options((s, STATUS_LABELS[s]) for s in STATUSES))
    # What the person started from
    version = HiddenField()
    base_record = HiddenField()

    def __init__(self, *args, organisation: Organisation | None = None, staff: bool = False, **kwargs):
        self.conflict_choices: dict[str, str] = {}
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        if not staff:
            del self.status
        if organisation is not None:
            del self.submission_key
        taxonomy = taxonomy_choices(current_language())
        self.need_groups = [(group, [str(need.id) for need in needs]) for group, needs in taxonomy.need_groups]
        self.needs.choices = options((need.id, need.label) for _group, needs in taxonomy.need_groups for need in needs)
        self.activities.choices = options((a.id, a.label) for a in taxonomy.activities)
        self.municipalities.choices = options((m.id, m.label) for m in taxonomy.municipalities)
        self.parent_id.choices = options(
            [("", _("Ei mihinkään"))] + [(o.id, o.name) for o in parent_candidates(organisation)]
        )
        self.sector_id.choices = options([("", _("Ei valittu"))] + [(s.id, s.label) for s in sectors()])

    @classmethod
    def for_request(cls, organisation: Organisation | None = None, *, staff: bool = False, contacts=()):
        """The form holding the submitted input, or for a GET the organisation's details."""
        form = cls(organisation=organisation, staff=staff)
        if not form.is_submitted():
            form.process(data=initial_data(organisation, contacts))
        return form

    def process(self, formdata=None, *args, **kwargs):
        super().process(formdata, *args, **kwargs)
        formdata = self.meta.wrap_formdata(self, formdata)
        self.conflict_choices = {
            key.removeprefix(KEEP_PREFIX): value for key, value in (formdata or {}).items()
            if key.startswith(KEEP_PREFIX) and value in (MINE, THEIRS)
        }

    @property
    def contact_rows(self):
        return rows_to_show(self)

    @property
    def phone_rows(self) -> list[tuple[StringField, StringField]]:
        return [(self[f"phone_{i}"], self[f"phone_{i}_role"]) for i in range(1, MAX_PHONES + 1)]

    @property
    def base_version(self) -> int | None:
        return whole_number(self.version.data)

    @property
    def started_from(self) -> OrganisationData | None:
        """What the person saw when they opened the form; None if it was tampered with."""
        try:
            return data_from_signed(self.base_record.data or "")
        except (BadSignature, KeyError, TypeError, ValueError):
            return None

    def show_merged(self, organisation: Organisation, merged: OrganisationData) -> None:
        """After a conflict: show `merged` and start again from the organisation as it is now."""
        self.process(data={**form_values(merged), **started_from(organisation)})

    def validate_paused_until(self, field):
        # A pause that has already ended is refused, unless it is the one already saved:
        # an entry whose pause ran out must still save without the field being cleared.
        saved = self.organisation.paused_until if self.organisation is not None else None
        if field.date is not None and field.date < date.today() and field.date != saved:
            raise StopValidation(_("Tauon päättymispäivä ei voi olla menneisyydessä. Jätä kenttä tyhjäksi, "
                                   "jos toiminta ei ole tauolla."))
        # The public page shows the note only beside the date (directory/_organisation_summary.html):
        # a note written without one would be saved and never seen.  One already saved without a
        # date (an HSDS import's, for staff to date) does not stop an unrelated save.
        note = (self.paused_note.data or "").strip()
        saved_note = self.organisation.paused_note if self.organisation is not None else ""
        if field.date is None and note and note != (saved_note or "").strip():
            raise StopValidation(_("Anna päivä, jolloin toiminta jatkuu, tai tyhjennä tiedote tauosta: ilman "
                                   "päivää tiedote ei näy palvelussa."))

    def validate_keywords(self, field):
        words = _split_keywords(field.data)
        too_long = [word for word in words if len(word) > MAX_KEYWORD_LENGTH]
        if too_long:
            raise StopValidation(_("Asiasana on liian pitkä (enintään %(max)d merkkiä): %(word)s",
                                   max=MAX_KEYWORD_LENGTH, word=too_long[0][:40] + "…"))
        if len(words) > MAX_KEYWORDS:
            raise StopValidation(_("Asiasanoja on %(count)d, enintään %(max)d.", count=len(words), max=MAX_KEYWORDS))

    def to_data(self) -> OrganisationData:
        """The validated input as the service takes it (call after validate())."""
        return OrganisationData(
            name=clean_text(self.name.data, 200),
            org_type=self.org_type.data,
            business_id=normalise_business_id(self.business_id.data) if (self.business_id.data or "").strip() else None,
            parent_id=int(self.parent_id.data) if self.parent_id.data else None,
            description=clean_text(self.description.data, 600, multiline=True),
            description_sv=clean_text(self.description_sv.data, 600, multiline=True),
            description_en=clean_text(self.description_en.data, 600, multiline=True),
            street_address=clean_text(self.street_address.data, 200),
            postal_code=_optional(normalise_postal_code, self.postal_code.data),
            post_office=clean_text(self.post_office.data, 80),
            email=self.email.data,
            website=_optional(normalise_website, self.website.data),
            phones=[
                (normalise_phone(number.data), clean_text(role.data, 120))
                for number, role in self.phone_rows if (number.data or "").strip()
            ],
            meeting_times=clean_text(self.meeting_times.data, 500, multiline=True),
            languages=[code for code in LANGUAGES if code in (self.languages.data or [])],
            language=self.language.data,
            step_free_access=self.step_free_access.data,
            accessible_toilet=self.accessible_toilet.data,
            induction_loop=self.induction_loop.data,
            accessibility_notes=clean_text(self.accessibility_notes.data, 600, multiline=True),
            paused_until=self.paused_until.date,
            paused_note=clean_text(self.paused_note.data, 300, multiline=True),
            need_ids=self.needs.ids,
            activity_ids=self.activities.ids,
            municipality_ids=self.municipalities.ids,
            nationwide=bool(self.nationwide.data),
            keywords=_split_keywords(self.keywords.data),
            contacts=people_from_rows(self),
            member_count=self.member_count.number,
            employee_count=self.employee_count.number,
            volunteer_count=self.volunteer_count.number,
            volunteer_hours_per_year=self.volunteer_hours_per_year.number,
            volunteering_supported=self.volunteering_supported.data,
            sector_id=int(self.sector_id.data) if self.sector_id.data else None,
            education_background=clean_text(self.education_background.data, 300),
            status=self.status.data if "status" in self else None,
        )


add_contact_rows(OrganisationForm)


def _split_keywords(text: str | None) -> list[str]:
    words = (clean_text(part, MAX_KEYWORDS_TEXT) for part in (text or "").split(","))
    return _unique(word for word in words if word)


def _unique(values) -> list[str]:
    seen: set[str] = set()
    result = []
    for value in values:
        if value.casefold() not in seen:
            seen.add(value.casefold())
            result.append(value)
    return result


def _optional(normalise, value: str | None) -> str:
    return normalise(value) if (value or "").strip() else ""


ERROR_REPORT_MAX = 1000


class ErrorReportForm(OnceForm):
    """"Ilmoita virheestä" on an organisation page."""

    # Named apart from the contact form's fields: both forms are on the organisation page.
    report_text = TextAreaField(
        _l("Mikä tiedoissa on väärin?"),
        description=_l("Esimerkiksi vanhentunut puhelinnumero tai kokoontumisaika. Älä kirjoita terveystietoja."),
        validators=[text_limit(ERROR_REPORT_MAX, required=True, multiline=True)],
        render_kw={"maxlength": ERROR_REPORT_MAX, "rows": 4},
    )
    report_email = EmailAddressField(
        _l("Sähköpostiosoitteesi (vapaaehtoinen)"),
        required=False,
        description=_l("Jos haluat, että voimme kysyä lisää."),
    )

    def cleaned(self) -> tuple[str, str]:
        """The description and the e-mail address as stored; only after validate() passed."""
        return clean_text(self.report_text.data, ERROR_REPORT_MAX, multiline=True), self.report_email.data or ""
