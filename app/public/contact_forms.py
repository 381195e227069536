"""The contact-request form, shared by the organisation page and the tray."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, RadioField, StringField, TelField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError as FieldError

from app.services.contact_requests import ContactDetails
from app.services.validation import ValidationError, clean_text, normalise_email, normalise_phone

MESSAGE_MAX = 500


def _clean(max_length: int, required: bool = False, multiline: bool = False):
    """A WTForms validator running the shared text cleaner (length, control characters)."""

    def validate(form, field):
        try:
            field.data = clean_text(field.data, max_length, required=required, multiline=multiline)
        except ValidationError as problem:
            raise FieldError(problem.message) from None

    return validate


class ContactRequestForm(FlaskForm):
    name = StringField(
        _l("Nimi"),
        validators=[_clean(120, required=True)],
        render_kw={"autocomplete": "name", "maxlength": 120},
    )
    phone = TelField(
        _l("Puhelinnumero"),
        description=_l("Anna puhelinnumero tai sähköpostiosoite, tai molemmat."),
        render_kw={"autocomplete": "tel", "maxlength": 30, "inputmode": "tel"},
    )
    email = EmailField(
        _l("Sähköpostiosoite"),
        description=_l("Jos annat sähköpostiosoitteen, saat kopion pyynnöstä."),
        render_kw={"autocomplete": "email", "maxlength": 254, "spellcheck": "false"},
    )
    preferred_channel = RadioField(
        _l("Miten haluat, että sinuun otetaan yhteyttä?"),
        choices=[
            SelectChoice("puhelin", _l("Puhelimella")),
            SelectChoice("tekstiviesti", _l("Tekstiviestillä")),
            SelectChoice("sahkoposti", _l("Sähköpostilla")),
        ],
        default="puhelin",
    )
    preferred_time = StringField(
        _l("Mihin aikaan sinulle sopii ottaa yhteyttä? (vapaaehtoinen)"),
        description=_l("Esimerkiksi ”arkisin klo 9–12”."),
        validators=[_clean(120)],
        render_kw={"maxlength": 120},
    )
    message = TextAreaField(
        _l("Lyhyt viesti (vapaaehtoinen)"),
        description=_l(
            "Kerro lyhyesti, millaista tukea toivot. Älä kirjoita terveystietoja tai henkilötunnusta: "
            "järjestö kysyy tarvittaessa lisää. Enintään 500 merkkiä."
        ),
        validators=[_clean(MESSAGE_MAX, multiline=True)],
        render_kw={"maxlength": MESSAGE_MAX, "rows": 4, "data-laskuri": MESSAGE_MAX},
    )
    on_behalf_of_client = BooleanField(_l("Täytän pyynnön asiakkaan puolesta"))
    professional_name = StringField(
        _l("Oma nimesi (ammattilainen)"),
        description=_l("Täytä, jos teet pyynnön asiakkaan puolesta."),
        validators=[_clean(120)],
        render_kw={"maxlength": 120},
    )
    professional_org = StringField(
        _l("Organisaatiosi"),
        description=_l("Esimerkiksi ”Kuopion terveysasema, sosiaalityö”."),
        validators=[_clean(200)],
        render_kw={"maxlength": 200},
    )
    consent = BooleanField(_l("Suostumus"))
    # Honeypot: hidden from people by CSS and from assistive technology; bots fill it.
    kotisivu = StringField(_l("Jätä tämä kenttä tyhjäksi"), render_kw={"autocomplete": "off", "tabindex": "-1"})

    def validate_phone(self, field):
        if field.data and field.data.strip():
            try:
                field.data = normalise_phone(field.data)
            except ValidationError as problem:
                raise FieldError(problem.message) from None
        else:
            field.data = ""

    def validate_email(self, field):
        if field.data and field.data.strip():
            try:
                field.data = normalise_email(field.data)
            except ValidationError as problem:
                raise FieldError(problem.message) from None
        else:
            field.data = ""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.phone.errors and not self.email.errors and not self.phone.data and not self.email.data:
            self.phone.errors.append(_l("Anna puhelinnumero tai sähköpostiosoite, jotta järjestö voi ottaa yhteyttä."))
            valid = False
        channel = self.preferred_channel.data
        if channel in ("puhelin", "tekstiviesti") and not self.phone.data and not self.phone.errors and self.email.data:
            self.preferred_channel.errors.append(_l("Valitsit yhteydenoton puhelimella: anna myös puhelinnumero."))
            valid = False
        if channel == "sahkoposti" and not self.email.data and not self.email.errors and self.phone.data:
            self.preferred_channel.errors.append(_l("Valitsit yhteydenoton sähköpostilla: anna myös sähköpostiosoite."))
            valid = False
        if self.on_behalf_of_client.data:
            if not self.professional_name.data and not self.professional_name.errors:
                self.professional_name.errors.append(_l("Kirjoita oma nimesi, kun teet pyynnön asiakkaan puolesta."))
                valid = False
            if not self.professional_org.data and not self.professional_org.errors:
                self.professional_org.errors.append(_l("Kirjoita organisaatiosi, kun teet pyynnön asiakkaan puolesta."))
                valid = False
        if not self.consent.data:
            self.consent.errors.append(_l("Pyyntöä ei voi lähettää ilman suostumustasi."))
            valid = False
        return valid

    @property
    def is_spam(self) -> bool:
        return bool(self.kotisivu.data)

    def details(self) -> ContactDetails:
        on_behalf = bool(self.on_behalf_of_client.data)
        return ContactDetails(
            name=self.name.data,
            phone=self.phone.data,
            email=self.email.data,
            preferred_channel=self.preferred_channel.data or "puhelin",
            preferred_time=self.preferred_time.data or "",
            message=self.message.data or "",
            on_behalf_of_client=on_behalf,
            professional_name=self.professional_name.data if on_behalf else "",
            professional_org=self.professional_org.data if on_behalf else "",
        )
