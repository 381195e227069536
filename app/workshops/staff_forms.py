"""Forms of the staff's workshop pages, and the filter of the order list.

Every message is Finnish and every typed value is kept when something is wrong.
"""
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import StopValidation

from app.models import WorkshopOrder
from app.models.workshop import WORKSHOP_STATUSES
from app.platform.form_fields import (
    CheckboxListField,
    DateTextField,
    RadioField,
    optional_normalised,
    options,
    parse_clock,
    single_line,
    text_limit,
    unix_newlines,
)
from app.platform.submissions import OnceForm
from app.platform.validation import ValidationError, check_meeting_link, clean_text, database_id, list_page
from app.workshops.display import PLACE_KIND_LABELS, helsinki_time

PLACE_MAX_LENGTH = 300
REMOTE_LINK_MAX_LENGTH = 500
FACILITATOR_MAX_LENGTH = 120
CANCEL_REASON_MAX_LENGTH = 1000
NOTES_MAX_LENGTH = 10_000
# The theme filter's value for orders with the orderer's own proposal instead of a theme.
OWN_PROPOSAL = "oma"


def _required_text(field, max_length: int, message: str, *, required: bool = True, multiline: bool = False) -> None:
    """Clean the field's text in place; an empty required field gets `message`."""
    try:
        field.data = clean_text(field.data, max_length, required=required, multiline=multiline)
    except ValidationError as problem:
        raise StopValidation(message if not (field.data or "").strip() else problem.message) from None


class ScheduleForm(FlaskForm):
    """Confirming an order or moving a confirmed workshop: when, where and who facilitates."""

    day = DateTextField(
        _l("Päivä"),
        description=_l("Muodossa pp.kk.vvvv, esimerkiksi 12.5.2026."),
        render_kw={"type": "date"},
    )
    start_time = StringField(
        _l("Alkamisaika"),
        description=_l("Muodossa tt:mm, esimerkiksi 13:00. Työpaja kestää kaksi tuntia."),
        render_kw={"type": "time", "inputmode": "numeric"},
    )
    # Staff's own words: the orderer's "Omissa tiloissamme" read to staff as the centre's premises.
    place_kind = RadioField(_l("Missä työpaja pidetään?"), choices=options(
        [("own_premises", _l("Paikan päällä")), ("remote", PLACE_KIND_LABELS["remote"])]))
    place = StringField(
        _l("Osoite"),
        description=_l("Täytä, jos työpaja pidetään paikan päällä: katuosoite, kunta ja tarvittaessa huone."),
        validators=[single_line],
        render_kw={"maxlength": PLACE_MAX_LENGTH, "autocomplete": "off"},
    )
    remote_link = StringField(
        _l("Etäyhteyden linkki"),
        description=_l("Täytä, jos työpaja pidetään etäyhteydellä. Linkki alkaa https://."),
        validators=[single_line],
        render_kw={"type": "url", "maxlength": REMOTE_LINK_MAX_LENGTH, "spellcheck": "false", "autocomplete": "off"},
    )
    facilitator = StringField(
        _l("Ohjaaja"),
        validators=[single_line],
        render_kw={"maxlength": FACILITATOR_MAX_LENGTH, "autocomplete": "off"},
    )
    override_reason = TextAreaField(
        _l("Poikkeuksen syy (vapaaehtoinen)"),
        description=_l("Täytä vain, jos aika on tarkoituksella päällekkäin toisen kanssa tai arkipäivän "
                       "klo 8–20 ulkopuolella. Syy tallentuu tilauksen vaiheisiin."),
        filters=[unix_newlines],
        render_kw={"rows": 2, "maxlength": CANCEL_REASON_MAX_LENGTH},
    )

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or helsinki_time().date()

    @classmethod
    def for_order(cls, order: WorkshopOrder) -> "ScheduleForm":
        """Pre-filled: a confirmed workshop with its current time and place, a new order with its wishes."""
        # formdata=None: shown beside another form that failed, it must not read that form's POST.
        if order.scheduled_start is not None:
            return cls(formdata=None, data={
                "day": order.scheduled_start.date().isoformat(),
                "start_time": order.scheduled_start.strftime("%H:%M"),
                "place_kind": "remote" if order.remote_link and not order.place else "own_premises",
                "place": order.place,
                "remote_link": order.remote_link,
                "facilitator": order.facilitator,
            })
        address = ", ".join(part for part in (order.address, order.municipality) if part)
        data = {"place_kind": order.place_kind, "place": address}
        if order.slot is not None:
            # The slot the orderer took: its time and facilitator are what was offered.
            data.update(day=order.slot.starts_at.date().isoformat(), start_time=order.slot.starts_at.strftime("%H:%M"),
                        facilitator=order.slot.facilitator)
        return cls(formdata=None, data=data)

    def validate_day(self, field):
        if not (field.data or "").strip():
            raise StopValidation(_("Anna työpajan päivä."))
        if field.date < self.today:
            raise StopValidation(_("Päivä on jo mennyt. Valitse tämä päivä tai tuleva päivä."))

    def validate_start_time(self, field):
        if parse_clock(field.data) is None:
            raise StopValidation(_("Anna alkamisaika muodossa tt:mm, esimerkiksi 13:00."))

    def validate_place(self, field):
        _required_text(field, PLACE_MAX_LENGTH, _("Kirjoita osoite, jossa työpaja pidetään."),
                       required=self.place_kind.data == "own_premises")

    def validate_remote_link(self, field):
        remote = self.place_kind.data == "remote"
        _required_text(field, REMOTE_LINK_MAX_LENGTH, _("Anna etäyhteyden linkki."), required=remote)
        if remote:
            optional_normalised(check_meeting_link)(self, field)

    def validate_facilitator(self, field):
        _required_text(field, FACILITATOR_MAX_LENGTH, _("Kirjoita työpajan ohjaajan nimi."))

    def validate_override_reason(self, field):
        _required_text(field, CANCEL_REASON_MAX_LENGTH, "", required=False, multiline=True)

    @property
    def start(self) -> datetime:
        """The start as Helsinki wall-clock time, naive, as the order stores it."""
        return datetime.combine(self.day.date, parse_clock(self.start_time.data))

    def venue(self) -> tuple[str, str]:
        """(place, remote link): only the one the chosen kind of place needs."""
        if self.place_kind.data == "remote":
            return "", self.remote_link.data
        return self.place.data, ""


class StaffCancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Peruutuksen syy"),
        description=_l("Syy lähetetään tilaajalle sähköpostilla."),
        filters=[unix_newlines],
        render_kw={"rows": 3, "maxlength": CANCEL_REASON_MAX_LENGTH},
    )

    def validate_reason(self, field):
        _required_text(field, CANCEL_REASON_MAX_LENGTH, _("Kirjoita peruutuksen syy. Se lähetetään tilaajalle."),
                       multiline=True)


class FeedbackLinkForm(OnceForm):
    """The button that mails the survey link: a double click sends one mail, a reloaded page may send another."""


class NotesForm(FlaskForm):
    staff_notes = TextAreaField(
        _l("Ylläpidon muistiinpanot"),
        description=_l("Näkyvät vain ylläpidolle, eivät tilaajalle."),
        filters=[unix_newlines],
        validators=[text_limit(NOTES_MAX_LENGTH, multiline=True)],
        render_kw={"rows": 6},
    )


@dataclass
class WorkshopOrderFilter:
    """The order list's filters as the query string carries them: tila, teema, q, sivu."""

    status: str = ""
    theme: str = ""  # a theme's id, OWN_PROPOSAL, or "" for every order
    text: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: MultiDict) -> "WorkshopOrderFilter":
        """Tolerant: values that do not parse are ignored."""
        status = args.get("tila", "")
        theme = args.get("teema", "").strip()
        return cls(
            status=status if status in WORKSHOP_STATUSES else "",
            theme=theme if theme == OWN_PROPOSAL or database_id(theme) is not None else "",
            text=" ".join(args.get("q", "").split())[:200],
            page=list_page(args.get("sivu")),
        )

    @property
    def is_empty(self) -> bool:
        return not (self.status or self.theme or self.text)

    def to_args(self, **changes) -> dict[str, str]:
        values = {
            "tila": self.status,
            "teema": self.theme,
            "q": self.text,
            "sivu": str(self.page) if self.page > 1 else "",
        }
        values.update({key: str(value) for key, value in changes.items()})
        return {key: value for key, value in values.items() if value}


WEEKDAY_LABELS = ((0, _l("maanantai")), (1, _l("tiistai")), (2, _l("keskiviikko")), (3, _l("torstai")),
                  (4, _l("perjantai")), (5, _l("lauantai")), (6, _l("sunnuntai")))
TOWNS_MAX_LENGTH = 300


class AvailabilityForm(FlaskForm):
    """A facilitator's free two-hour slots: which days, at what times, where they can go."""

    facilitator = StringField(_l("Ohjaaja"), validators=[single_line],
                              render_kw={"maxlength": FACILITATOR_MAX_LENGTH, "autocomplete": "off"})
    first_day = DateTextField(_l("Ensimmäinen päivä"), description=_l("Muodossa pp.kk.vvvv."),
                              render_kw={"type": "date"})
    last_day = DateTextField(_l("Viimeinen päivä"), description=_l("Enintään kolmen kuukauden päähän ensimmäisestä."),
                             render_kw={"type": "date"})
    weekdays = CheckboxListField(_l("Viikonpäivät"), choices=options(WEEKDAY_LABELS))
    start_times = StringField(
        _l("Alkamisajat"),
        description=_l("Yksi tai useampi, pilkulla erotettuina, esimerkiksi 9:00, 13:00. Jokainen aika on kahden tunnin mittainen."),
        render_kw={"maxlength": 100, "autocomplete": "off", "inputmode": "numeric"},
    )
    towns = StringField(_l("Paikkakunnat"), description=_l("Minne ohjaaja voi tulla, esimerkiksi Kuopio, Siilinjärvi. Jätä tyhjäksi, jos vain etänä."),
                        validators=[single_line], render_kw={"maxlength": TOWNS_MAX_LENGTH})
    remote = BooleanField(_l("Myös etäyhteydellä"), default=True)
    override_reason = TextAreaField(
        _l("Poikkeuksen syy (vapaaehtoinen)"),
        description=_l("Täytä vain, jos ajat ovat tarkoituksella arkipäivän klo 8–20 ulkopuolella tai päällekkäin muun kanssa."),
        filters=[unix_newlines], render_kw={"rows": 2, "maxlength": CANCEL_REASON_MAX_LENGTH},
    )

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or helsinki_time().date()
        if not self.is_submitted() and not self.weekdays.data:
            self.weekdays.data = ["0", "1", "2", "3", "4"]

    def validate_facilitator(self, field):
        _required_text(field, FACILITATOR_MAX_LENGTH, _("Kirjoita ohjaajan nimi."))

    def validate_first_day(self, field):
        if field.date is None:
            raise StopValidation(_("Anna ensimmäinen päivä."))
        if field.date < self.today:
            raise StopValidation(_("Päivä on jo mennyt. Valitse tämä päivä tai tuleva päivä."))

    def validate_last_day(self, field):
        if field.date is None:
            raise StopValidation(_("Anna viimeinen päivä."))
        first = self.first_day.date
        if first is not None and field.date < first:
            raise StopValidation(_("Viimeinen päivä ei voi olla ennen ensimmäistä."))
        if first is not None and (field.date - first).days > 92:
            raise StopValidation(_("Julkaise enintään kolme kuukautta kerrallaan."))

    def validate_weekdays(self, field):
        if not field.data:
            raise StopValidation(_("Valitse ainakin yksi viikonpäivä."))

    def validate_start_times(self, field):
        parts = [part.strip() for part in (field.data or "").split(",") if part.strip()]
        if not parts or any(parse_clock(part) is None for part in parts):
            raise StopValidation(_("Anna alkamisajat muodossa tt:mm pilkulla erotettuina, esimerkiksi 9:00, 13:00."))

    def validate_towns(self, field):
        _required_text(field, TOWNS_MAX_LENGTH, "", required=False)
        if not field.data and not self.remote.data:
            raise StopValidation(_("Kirjoita paikkakunnat tai valitse etäyhteys."))

    def validate_override_reason(self, field):
        _required_text(field, CANCEL_REASON_MAX_LENGTH, "", required=False, multiline=True)

    def start_clock_times(self) -> list[time]:
        return sorted({parse_clock(part) for part in self.start_times.data.split(",") if part.strip()})

    def weekday_numbers(self) -> set[int]:
        return {int(value) for value in self.weekdays.data}
