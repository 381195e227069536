"""The order form and the feedback form. Every message is Finnish; choices are checked here
(WTForms' own choice checks would answer in English)."""
import re
from datetime import date, timedelta

from flask import request
from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError as FieldError
from wtforms.widgets import DateInput, NumberInput

from app.models.workshop import AUDIENCES, PLACE_KINDS, TIMES_OF_DAY
from app.platform.form_fields import CheckboxListField, EmailAddressField, parse_date
from app.platform.i18n import current_language
from app.platform.submissions import OnceForm
from app.platform.validation import (
    ValidationError,
    clean_text,
    normalise_phone,
    whole_number,
)
from app.workshops.booking import MIN_DAYS_AHEAD, check_preferred_date, last_day_offered, slot_label, slot_taken_message
from app.workshops.display import AUDIENCE_LABELS, PLACE_KIND_LABELS, TIME_OF_DAY_LABELS, helsinki_time
from app.platform.surveys import OPEN_ANSWER_MAX, statement_field
from app.workshops.feedback import STATEMENTS
from app.workshops.services import (
    MAX_PARTICIPANTS,
    MAX_PREFERRED_TIMES,
    MIN_PARTICIPANTS,
    MIN_PREFERRED_TIMES,
    OrderDetails,
    PreferredTime,
)

OWN_PROPOSAL = "oma"
# The slot choice of an orderer who proposes times of their own instead.
OTHER_TIME = "muu"
EXTRA_DATE_FIELD = re.compile(r"^date_([0-9]+)$")


def _text(field, max_length: int, *, required: bool = False, message: str | None = None) -> None:
    try:
        field.data = clean_text(field.data, max_length, required=required)
    except ValidationError as problem:
        raise StopValidation(message if message and not (field.data or "").strip() else problem.message) from None


class WorkshopOrderForm(OnceForm):
    organisation_name = StringField(
        _l("Järjestö tai ryhmä"),
        description=_l("Kirjoita järjestön nimi. Voit valita sen ehdotuksista tai kirjoittaa vapaasti."),
        render_kw={"autocomplete": "organization", "maxlength": 200, "list": "jarjestoehdotukset"},
    )
    contact_person = StringField(_l("Yhteyshenkilö"), render_kw={"autocomplete": "name", "maxlength": 120})
    email = EmailAddressField(_l("Sähköpostiosoite"))
    phone = TelField(_l("Puhelinnumero"), description=_l("Esimerkiksi 040 123 4567."),
                     render_kw={"autocomplete": "tel", "maxlength": 30})
    audience = CheckboxListField(
        _l("Kenelle työpaja on?"), description=_l("Valitse yksi tai useampi."),
        choices=[SelectChoice(key, AUDIENCE_LABELS[key]) for key in AUDIENCES], validate_choice=False,
    )
    participants = StringField(
        _l("Osallistujien arvioitu määrä"),
        description=_l("1–60 henkeä."),
        widget=NumberInput(min=MIN_PARTICIPANTS, max=MAX_PARTICIPANTS),
        render_kw={"inputmode": "numeric"},
    )
    theme = RadioField(_l("Työpajan teema"), validate_choice=False)
    own_proposal = TextAreaField(
        _l("Oma ehdotus teemaksi"),
        description=_l("Täytä, jos valitsit Oma ehdotus: mistä aiheesta haluatte työpajan?"),
        render_kw={"rows": 3, "maxlength": 1000},
    )
    goal = TextAreaField(
        _l("Mitä haluatte työpajalta?"),
        description=_l("Kertokaa omin sanoin, mitä toivotte työpajan jälkeen osaavanne tai tietävänne."),
        render_kw={"rows": 5, "maxlength": 2000},
    )
    slot = RadioField(_l("Valitse vapaa aika"), validate_choice=False)
    date_1 = StringField(_l("1. toive: päivä"), widget=DateInput())
    time_of_day_1 = SelectField(_l("1. toive: kellonaika"), validate_choice=False)
    date_2 = StringField(_l("2. toive: päivä"), widget=DateInput())
    time_of_day_2 = SelectField(_l("2. toive: kellonaika"), validate_choice=False)
    date_3 = StringField(_l("3. toive: päivä (vapaaehtoinen)"), widget=DateInput())
    time_of_day_3 = SelectField(_l("3. toive: kellonaika"), validate_choice=False)
    place_kind = RadioField(
        _l("Missä työpaja pidetään?"),
        choices=[SelectChoice(key, PLACE_KIND_LABELS[key]) for key in PLACE_KINDS], validate_choice=False,
    )
    address = StringField(_l("Katuosoite"), description=_l("Täytä, jos työpaja pidetään teidän tiloissanne."),
                          render_kw={"autocomplete": "street-address", "maxlength": 200})
    municipality = StringField(_l("Kunta"), description=_l("Täytä, jos työpaja pidetään teidän tiloissanne."),
                               render_kw={"autocomplete": "address-level2", "maxlength": 100})
    accessibility_needs = TextAreaField(
        _l("Esteettömyys- tai kielitarpeet"),
        description=_l("Esimerkiksi pyörätuoli, induktiosilmukka, selkokieli tai tulkkaus. Vapaaehtoinen."),
        render_kw={"rows": 3, "maxlength": 1000},
    )
    other_info = TextAreaField(_l("Muuta tietoa"), description=_l("Vapaaehtoinen."),
                               render_kw={"rows": 3, "maxlength": 2000})
    consent = BooleanField(_l("Hyväksyn, että tietojani käsitellään tietosuojaselosteen mukaisesti."))

    def __init__(self, *args, themes=(), slots=(), today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or helsinki_time().date()
        self.offer_slots(slots)
        self.theme.choices = [SelectChoice(str(t.id), t.label) for t in themes] + [SelectChoice(OWN_PROPOSAL, _l("Oma ehdotus"))]
        time_choices = [SelectChoice("", _l("Valitse"))] + [SelectChoice(key, TIME_OF_DAY_LABELS[key]) for key in TIMES_OF_DAY]
        for number in range(1, MAX_PREFERRED_TIMES + 1):
            self._time_field(number).choices = time_choices
        for number in range(1, MAX_PREFERRED_TIMES + 1):
            self._date_field(number).render_kw = {"min": self.earliest_date.isoformat(),
                                                  "max": self.latest_date.isoformat()}
        # Dates beyond the form's three slots can only come from a crafted request.
        submitted = request.form if self.is_submitted() else {}
        self.extra_dates = [
            key for key, value in submitted.items()
            if (match := EXTRA_DATE_FIELD.fullmatch(key)) and int(match.group(1)) > MAX_PREFERRED_TIMES and value
        ]

    def offer_slots(self, slots) -> None:
        """The free slots to choose from (booking.free_slots); none: only own proposals."""
        self.slot.choices = [SelectChoice(str(slot.id), slot_label(slot)) for slot in slots]
        if self.slot.choices:
            self.slot.choices.append(SelectChoice(OTHER_TIME, _l("Mikään näistä ei sovi: ehdota muuta aikaa")))

    @property
    def proposes_times(self) -> bool:
        """True when the orderer proposes dates instead of taking a free slot."""
        if self.slot.data == OTHER_TIME:
            return True
        # No slots offered: dates it is, unless the person chose one that has been taken since.
        return not self.slot.choices and whole_number(self.slot.data) is None

    @property
    def earliest_date(self) -> date:
        return self.today + timedelta(days=MIN_DAYS_AHEAD)

    @property
    def latest_date(self) -> date:
        return last_day_offered(self.today)

    def _date_field(self, number: int):
        return self[f"date_{number}"]

    def _time_field(self, number: int):
        return self[f"time_of_day_{number}"]

    def validate_organisation_name(self, field):
        _text(field, 200, required=True, message=_("Kirjoita järjestön tai ryhmän nimi."))

    def validate_contact_person(self, field):
        _text(field, 120, required=True, message=_("Kirjoita yhteyshenkilön nimi."))

    def validate_phone(self, field):
        try:
            field.data = normalise_phone(field.data)
        except ValidationError as problem:
            raise FieldError(problem.message) from None

    def validate_audience(self, field):
        if not field.data:
            raise FieldError(_("Valitse vähintään yksi ryhmä."))
        if any(value not in AUDIENCES for value in field.data):
            raise FieldError(_("Valitse ryhmä annetuista vaihtoehdoista."))

    def validate_participants(self, field):
        number = whole_number(field.data)
        if number is None or not MIN_PARTICIPANTS <= number <= MAX_PARTICIPANTS:
            raise FieldError(_("Anna osallistujamäärä numerona väliltä %(low)d–%(high)d.",
                               low=MIN_PARTICIPANTS, high=MAX_PARTICIPANTS))

    def validate_slot(self, field):
        if field.data in {choice.value for choice in field.choices}:
            return
        if whole_number(field.data) is not None:
            # A slot the page offered that another order has taken since (free_slots no longer
            # lists it), even the last one: say so, rather than that nothing was chosen.
            raise FieldError(slot_taken_message())
        if field.choices:
            raise FieldError(_("Valitse vapaa aika tai kohta, jossa ehdotat muuta aikaa."))

    def validate_theme(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise FieldError(_("Valitse teema tai Oma ehdotus."))

    def validate_own_proposal(self, field):
        required = self.theme.data == OWN_PROPOSAL
        _text(field, 1000, required=required, message=_("Kerro, mistä aiheesta haluatte työpajan."))

    def validate_goal(self, field):
        _text(field, 2000, required=True, message=_("Kerro, mitä haluatte työpajalta."))

    def validate_place_kind(self, field):
        if field.data not in PLACE_KINDS:
            raise FieldError(_("Valitse, pidetäänkö työpaja teidän tiloissanne vai etäyhteydellä."))

    def validate_address(self, field):
        required = self.place_kind.data == "own_premises"
        _text(field, 200, required=required, message=_("Kirjoita osoite, jossa työpaja pidetään."))

    def validate_municipality(self, field):
        required = self.place_kind.data == "own_premises"
        _text(field, 100, required=required, message=_("Kirjoita kunta, jossa työpaja pidetään."))

    def validate_accessibility_needs(self, field):
        _text(field, 1000)

    def validate_other_info(self, field):
        _text(field, 2000)

    def validate_consent(self, field):
        if not field.data:
            raise FieldError(_("Hyväksy tietojen käsittely, jotta voimme käsitellä tilauksen."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.proposes_times:
            return valid
        return self._validate_preferred_times() and valid

    def _validate_preferred_times(self) -> bool:
        valid = True
        filled = 0
        wishes = set()
        for number in range(1, MAX_PREFERRED_TIMES + 1):
            date_field, time_field = self._date_field(number), self._time_field(number)
            if not (date_field.data or "").strip():
                if time_field.data:
                    time_field.errors.append(_("Valitse myös päivä tai tyhjennä kellonaika."))
                    valid = False
                continue
            filled += 1
            day = self._proposable_date(date_field)
            if day is None:
                valid = False
            elif (day, time_field.data) in wishes:
                # The same wish twice (2027-01-11 from the date picker, 11.1.2027 typed) leaves
                # staff one alternative, not the two asked for.
                date_field.errors.append(_("Tämä ajankohta on jo ehdotettu. Ehdota toista päivää tai kellonaikaa."))
                valid = False
                continue
            else:
                wishes.add((day, time_field.data))
            if time_field.data not in TIMES_OF_DAY:
                time_field.errors.append(_("Valitse aamupäivä, iltapäivä tai ilta."))
                valid = False
        if self.extra_dates:
            self.form_errors.append(_("Voit ehdottaa enintään kolme ajankohtaa."))
            valid = False
        elif filled < MIN_PREFERRED_TIMES:
            missing = self._date_field(filled + 1)
            missing.errors.append(_("Ehdota vähintään kaksi päivää."))
            valid = False
        return valid

    def _proposable_date(self, field) -> date | None:
        """The field's date if the orderer may propose it; else None, with the reason on the field."""
        day = parse_date(field.data)
        if day is None:
            field.errors.append(_("Päivämäärä ei kelpaa. Kirjoita se muodossa 12.5.2026."))
            return None
        try:
            check_preferred_date(day, self.today)
        except ValidationError as problem:
            field.errors.append(problem.message)
            return None
        return day

    def order_details(self) -> OrderDetails:
        """The validated input for `place_order`."""
        own = self.theme.data == OWN_PROPOSAL
        return OrderDetails(
            organisation_name=self.organisation_name.data,
            contact_person=self.contact_person.data,
            email=self.email.data,
            phone=self.phone.data,
            audience=[key for key in AUDIENCES if key in self.audience.data],
            participants=whole_number(self.participants.data),
            theme_id=None if own else int(self.theme.data),
            own_proposal=self.own_proposal.data if own else "",
            goal=self.goal.data,
            preferred_times=[
                PreferredTime(parse_date(self._date_field(n).data), self._time_field(n).data)
                for n in range(1, MAX_PREFERRED_TIMES + 1)
                if self.proposes_times and (self._date_field(n).data or "").strip()
            ],
            slot_id=None if self.proposes_times else int(self.slot.data),
            place_kind=self.place_kind.data,
            address=self.address.data,
            municipality=self.municipality.data,
            accessibility_needs=self.accessibility_needs.data,
            other_info=self.other_info.data,
            language=current_language(),
        )


class CancelOrderForm(OnceForm):
    """The orderer's own cancellation, from the status page until the workshop starts.

    Once per key: a double click answers with the first cancellation, not with a refusal.
    """

    reason = TextAreaField(_l("Peruutuksen syy (vapaaehtoinen)"), render_kw={"rows": 3, "maxlength": 1000})

    def validate_reason(self, field):
        _text(field, 1000)


class ChangeRequestForm(OnceForm):
    """The orderer asks for another time or place for a confirmed workshop; once per key (one mail)."""

    message = TextAreaField(_l("Mitä haluat muuttaa?"),
                            description=_l("Esimerkiksi uusi toivottu päivä tai paikka. Enintään 1000 merkkiä."),
                            render_kw={"rows": 3, "maxlength": 1000})

    def validate_message(self, field):
        _text(field, 1000, required=True, message=_("Kerro, mitä haluat muuttaa."))


def _statement(key: str):
    return statement_field(STATEMENTS[key])


class FeedbackForm(OnceForm):
    """The four statements of feedback.STATEMENTS on the four-point scale, and one open question."""

    need = _statement("need")
    tools = _statement("tools")
    facilitation = _statement("facilitation")
    recommend = _statement("recommend")
    open_answer = TextAreaField(_l("Mitä muuta haluat sanoa?"), description=_l("Vapaaehtoinen. Älä kirjoita nimiä."),
                                render_kw={"rows": 4, "maxlength": OPEN_ANSWER_MAX})

    def statement_fields(self):
        return [self[key] for key in STATEMENTS]

    def answers(self) -> dict[str, int]:
        return {key: int(self[key].data) for key in STATEMENTS}

    def validate_open_answer(self, field):
        _text(field, OPEN_ANSWER_MAX)
