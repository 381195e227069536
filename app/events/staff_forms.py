"""The staff's event form (create, edit, copy), cancelling an event and the message to participants."""
from datetime import datetime

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import StopValidation, ValidationError as FieldError
from wtforms.widgets import NumberInput

from app.events.display import KIND_LABELS, clock
from app.events.events import EventDetails
from app.events.feedback import MAX_STATEMENTS, STATEMENT_MAX_LENGTH
from app.platform.calendar import helsinki_time
from app.platform.submissions import OnceForm
from app.platform.form_fields import (
    DateTextField,
    RadioField,
    SelectField,
    optional_normalised,
    options,
    parse_clock,
    text_limit,
    unix_newlines,
)
from app.platform.validation import check_meeting_link, clean_text, whole_number

MAX_SESSIONS = 4
MAX_CAPACITY = 2000
PLACE_CHOICES = (("paikka", _l("Paikan päällä")), ("eta", _l("Etäyhteydellä")))


def _required_text(field, max_length: int, message: str, *, multiline: bool = False) -> None:
    if not (field.data or "").strip():
        raise StopValidation(message)
    text_limit(max_length, multiline=multiline)(None, field)


class EventForm(OnceForm):
    title = StringField(_l("Nimi"), render_kw={"maxlength": 200})
    kind = RadioField(_l("Tapahtuman laji"), choices=options(KIND_LABELS.items()), validate_choice=False)
    description = TextAreaField(_l("Kuvaus"), filters=[unix_newlines], render_kw={"rows": 6, "maxlength": 5000})
    audience = StringField(_l("Kenelle"), description=_l("Esimerkiksi: sote-järjestöjen työntekijät ja vapaaehtoiset."),
                           render_kw={"maxlength": 300})
    place_kind = RadioField(_l("Missä"), choices=options(PLACE_CHOICES), validate_choice=False)
    place_name = StringField(_l("Paikan nimi"), description=_l("Täytä, kun tapahtuma on paikan päällä."),
                             render_kw={"maxlength": 200})
    address = StringField(_l("Katuosoite"), render_kw={"maxlength": 200})
    municipality = SelectField(_l("Kunta"))
    accessibility = TextAreaField(
        _l("Esteettömyys"), description=_l("Esimerkiksi: kulku ilman portaita, esteetön wc, induktiosilmukka."),
        filters=[unix_newlines], render_kw={"rows": 3, "maxlength": 1000},
    )
    remote_link = StringField(
        _l("Etäyhteyden linkki"), description=_l("Lähetetään vain ilmoittautuneille, ei näy julkisesti."),
        render_kw={"maxlength": 500, "inputmode": "url"},
    )
    capacity = StringField(_l("Paikkoja"), widget=NumberInput(min=1, max=MAX_CAPACITY), render_kw={"inputmode": "numeric"})
    deadline_date = DateTextField(_l("Ilmoittautuminen päättyy: päivä"), render_kw={"type": "date"})
    deadline_time = StringField(_l("Ilmoittautuminen päättyy: kellonaika"), description=_l("Esimerkiksi 16.00."),
                                render_kw={"inputmode": "numeric", "maxlength": 5})
    several_per_organisation = BooleanField(_l("Samasta järjestöstä voi tulla useampi henkilö"))
    feedback_statements = TextAreaField(
        _l("Palautekyselyn väittämät"),
        description=_l("Yksi väittämä riville, enintään %(count)d. Osallistuneet vastaavat niihin asteikolla "
                       "täysin eri mieltä – täysin samaa mieltä tapahtumaa seuraavana päivänä.", count=MAX_STATEMENTS),
        filters=[unix_newlines], render_kw={"rows": 6, "maxlength": MAX_STATEMENTS * (STATEMENT_MAX_LENGTH + 1)},
    )

    def __init__(self, *args, municipalities=(), new_event: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        # A new event is published at once, so its times must be ahead; an existing one may be
        # edited after it was held (a correction, a note for the participants).
        self.new_event = new_event
        if not new_event:
            del self.submission_key  # an edit sent twice changes nothing the second time
        self.municipality.choices = options([("", _l("Valitse kunta"))] + [(m.id, m.label) for m in municipalities])

    def session_rows(self):
        return [(self[f"date_{n}"], self[f"start_{n}"], self[f"end_{n}"]) for n in range(1, MAX_SESSIONS + 1)]

    def validate_title(self, field):
        _required_text(field, 200, _("Kirjoita tapahtuman nimi."))

    def validate_description(self, field):
        _required_text(field, 5000, _("Kirjoita kuvaus."), multiline=True)

    def validate_audience(self, field):
        text_limit(300)(self, field)

    def validate_accessibility(self, field):
        text_limit(1000, multiline=True)(self, field)

    def validate_place_name(self, field):
        if self.place_kind.data == "paikka":
            _required_text(field, 200, _("Kirjoita paikan nimi."))
        text_limit(200)(self, field)

    def validate_address(self, field):
        if self.place_kind.data == "paikka":
            _required_text(field, 200, _("Kirjoita katuosoite."))
        text_limit(200)(self, field)

    def validate_municipality(self, field):
        if self.place_kind.data == "paikka" and not field.data:
            raise FieldError(_("Valitse kunta."))

    def validate_remote_link(self, field):
        link = (field.data or "").strip()
        if self.place_kind.data == "eta" and not link:
            raise FieldError(_("Anna etäyhteyden linkki."))
        optional_normalised(check_meeting_link)(self, field)
        text_limit(500)(self, field)

    def validate_feedback_statements(self, field):
        statements = self.statement_list()
        if not statements:
            raise FieldError(_("Kirjoita vähintään yksi väittämä."))
        if len(statements) > MAX_STATEMENTS:
            raise FieldError(_("Väittämiä voi olla enintään %(count)d.", count=MAX_STATEMENTS))
        if any(len(statement) > STATEMENT_MAX_LENGTH for statement in statements):
            raise FieldError(_("Väittämä voi olla enintään %(count)d merkkiä pitkä.", count=STATEMENT_MAX_LENGTH))
        if len(set(statements)) != len(statements):
            raise FieldError(_("Sama väittämä on kahdesti."))

    def statement_list(self) -> list[str]:
        """One statement a line, blank lines left out."""
        return [clean_text(line, len(line)) for line in (self.feedback_statements.data or "").split("\n")
                if line.strip()]

    def validate_capacity(self, field):
        number = whole_number(field.data)
        if number is None or not 1 <= number <= MAX_CAPACITY:
            raise FieldError(_("Anna paikkamäärä numerona väliltä 1–%(max)d.", max=MAX_CAPACITY))

    def validate_deadline_date(self, field):
        if not (field.data or "").strip():
            raise FieldError(_("Anna päivä, jolloin ilmoittautuminen päättyy."))

    def validate_deadline_time(self, field):
        if parse_clock(field.data) is None:
            raise FieldError(_("Anna kellonaika muodossa 16.00."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self._validate_sessions() and valid

    def _validate_sessions(self) -> bool:
        valid, filled = True, 0
        sessions: list[tuple[int, tuple[datetime, datetime]]] = []  # (row number, its times) of the rows read
        for number, (date_field, start_field, end_field) in enumerate(self.session_rows(), start=1):
            if not any((f.data or "").strip() for f in (date_field, start_field, end_field)):
                continue
            filled += 1
            if date_field.date is None:
                if not date_field.errors:
                    date_field.errors.append(_("Anna päivä muodossa pp.kk.vvvv."))
                valid = False
            start, end = parse_clock(start_field.data), parse_clock(end_field.data)
            if start is None:
                start_field.errors.append(_("Anna alkamisaika muodossa 9.30."))
                valid = False
            if end is None:
                end_field.errors.append(_("Anna päättymisaika muodossa 12.00."))
                valid = False
            elif start is not None and end <= start:
                end_field.errors.append(_("Päättymisajan pitää olla alkamisajan jälkeen."))
                valid = False
            elif start is not None and date_field.date is not None:
                session = (datetime.combine(date_field.date, start), datetime.combine(date_field.date, end))
                earlier = next((row for row, (other_start, other_end) in sessions
                                if other_start < session[1] and session[0] < other_end), None)
                if earlier is not None:
                    date_field.errors.append(_("Tämä aika on päällekkäin %(n)d. päivän kanssa.", n=earlier))
                    valid = False
                sessions.append((number, session))
        if filled == 0:
            self.date_1.errors.append(_("Anna vähintään yksi päivä ja kellonajat."))
            valid = False
        if valid and self.deadline_date.date is not None and parse_clock(self.deadline_time.data) is not None:
            first = min(start for start, _end in self.sessions())
            if self.deadline > first:
                self.deadline_date.errors.append(_("Ilmoittautumisen pitää päättyä ennen tapahtuman alkua."))
                valid = False
        if valid and self.new_event:
            valid = self._validate_ahead(helsinki_time())
        return valid

    def _validate_ahead(self, now: datetime) -> bool:
        valid = True
        for date_field, start_field, _end_field in self.session_rows():
            if (date_field.data or "").strip() and datetime.combine(date_field.date, parse_clock(start_field.data)) <= now:
                date_field.errors.append(_("Tämä aika on jo mennyt. Uuden tapahtuman ajat ovat tulevaisuudessa."))
                valid = False
        deadline_given = self.deadline_date.date is not None and parse_clock(self.deadline_time.data) is not None
        if valid and deadline_given and self.deadline <= now:
            self.deadline_date.errors.append(_("Tämä aika on jo mennyt. Ilmoittautumisen pitää päättyä tulevaisuudessa."))
            valid = False
        return valid

    def sessions(self) -> list[tuple[datetime, datetime]]:
        return [
            (datetime.combine(d.date, parse_clock(s.data)), datetime.combine(d.date, parse_clock(e.data)))
            for d, s, e in self.session_rows() if (d.data or "").strip()
        ]

    @property
    def deadline(self) -> datetime:
        return datetime.combine(self.deadline_date.date, parse_clock(self.deadline_time.data))

    def details(self) -> EventDetails:
        remote = self.place_kind.data == "eta"
        return EventDetails(
            title=clean_text(self.title.data, 200), description=clean_text(self.description.data, 5000, multiline=True),
            kind=self.kind.data, audience=clean_text(self.audience.data, 300), remote=remote,
            place_name=clean_text(self.place_name.data, 200), address=clean_text(self.address.data, 200),
            municipality_id=None if remote else whole_number(self.municipality.data),
            accessibility=clean_text(self.accessibility.data, 1000, multiline=True),
            remote_link=(self.remote_link.data or "").strip() if remote else "",
            capacity=whole_number(self.capacity.data), signup_deadline=self.deadline,
            several_per_organisation=bool(self.several_per_organisation.data), sessions=self.sessions(),
            feedback_statements=self.statement_list(),
        )

    def fill_from(self, details: EventDetails) -> None:
        """Show an existing event (or the one being copied) in the form."""
        for name in ("title", "description", "kind", "audience", "place_name", "address", "accessibility",
                     "remote_link", "several_per_organisation"):
            self[name].data = getattr(details, name)
        self.place_kind.data = "eta" if details.remote else "paikka"
        self.feedback_statements.data = "\n".join(details.feedback_statements)
        self.municipality.data = str(details.municipality_id or "")
        self.capacity.data = str(details.capacity)
        if details.signup_deadline is not None:
            self.deadline_date.data = details.signup_deadline.date().isoformat()
            self.deadline_time.data = clock(details.signup_deadline)
        for (date_field, start_field, end_field), (start, end) in zip(self.session_rows(), details.sessions):
            date_field.data = start.date().isoformat()
            start_field.data, end_field.data = clock(start), clock(end)


for _number in range(1, MAX_SESSIONS + 1):
    setattr(EventForm, f"date_{_number}", DateTextField(_l("%(n)d. päivä", n=_number), render_kw={"type": "date"}))
    setattr(EventForm, f"start_{_number}", StringField(_l("%(n)d. alkaa klo", n=_number),
                                                       render_kw={"inputmode": "numeric", "maxlength": 5}))
    setattr(EventForm, f"end_{_number}", StringField(_l("%(n)d. päättyy klo", n=_number),
                                                     render_kw={"inputmode": "numeric", "maxlength": 5}))


class CancelEventForm(FlaskForm):
    reason = TextAreaField(_l("Peruutuksen syy"), description=_l("Lähetetään kaikille ilmoittautuneille."),
                           filters=[unix_newlines], render_kw={"rows": 3, "maxlength": 1000})

    def validate_reason(self, field):
        _required_text(field, 1000, _("Kirjoita peruutuksen syy."), multiline=True)


class MessageForm(OnceForm):
    subject = StringField(_l("Otsikko"), render_kw={"maxlength": 150})
    message = TextAreaField(_l("Viesti"), filters=[unix_newlines], render_kw={"rows": 6, "maxlength": 5000})
    include_waiting = BooleanField(_l("Lähetä myös varasijalla oleville"))

    def validate_subject(self, field):
        _required_text(field, 150, _("Kirjoita otsikko."))

    def validate_message(self, field):
        _required_text(field, 5000, _("Kirjoita viesti."), multiline=True)
