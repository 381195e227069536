"""The contact-request form, shared by the organisation page and the tray."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TelField, TextAreaField

from app.contact.requests import ContactDetails
from app.platform.form_fields import EmailAddressField, RadioField, optional_normalised, options, text_limit
from app.platform.i18n import current_language
from app.platform.submissions import OnceForm
from app.platform.validation import clean_text, normalise_phone

MESSAGE_MAX = 500
PROFESSIONAL_SECTION = "section-ammattilainen"


def _phone_field(label, description, autocomplete: str) -> TelField:
    """An optional phone number, normalised; the requester's and the professional's differ only in words."""
    return TelField(
        label,
        validators=[optional_normalised(normalise_phone)],
        description=description,
        render_kw={"autocomplete": autocomplete, "maxlength": 30, "inputmode": "tel"},
    )


class ContactRequestForm(OnceForm):
    name = StringField(
        _l("Nimi"),
        validators=[text_limit(120, required=True)],
        render_kw={"autocomplete": "name", "maxlength": 120},
    )
    phone = _phone_field(_l("Puhelinnumero"), _l("Anna puhelinnumero tai sähköpostiosoite, tai molemmat."), "tel")
    email = EmailAddressField(
        _l("Sähköpostiosoite"),
        required=False,
        description=_l("Jos annat sähköpostiosoitteen, saat kopion pyynnöstä."),
    )
    preferred_channel = RadioField(
        _l("Miten haluat, että sinuun otetaan yhteyttä?"),
        choices=options([("puhelin", _l("Puhelimella")), ("tekstiviesti", _l("Tekstiviestillä")), ("sahkoposti", _l("Sähköpostilla"))]),
        default="puhelin",
    )
    preferred_time = StringField(
        _l("Mihin aikaan sinulle sopii ottaa yhteyttä? (vapaaehtoinen)"),
        description=_l("Esimerkiksi ”arkisin klo 9–12”."),
        validators=[text_limit(120)],
        render_kw={"maxlength": 120},
    )
    message = TextAreaField(
        _l("Lyhyt viesti (vapaaehtoinen)"),
        description=_l(
            "Kerro lyhyesti, millaista tukea toivot. Älä kirjoita terveystietoja tai henkilötunnusta: "
            "järjestö kysyy tarvittaessa lisää. Enintään 500 merkkiä."
        ),
        validators=[text_limit(MESSAGE_MAX, multiline=True)],
        render_kw={"maxlength": MESSAGE_MAX, "rows": 4, "data-laskuri": MESSAGE_MAX},
    )
    on_behalf_of_client = BooleanField(_l("Täytän pyynnön asiakkaan puolesta"))
    # The professional's own details: their autocomplete section keeps the browser from
    # filling them with, or into, the client's name and phone above (WCAG 1.3.5).
    professional_name = StringField(
        _l("Oma nimesi (ammattilainen)"),
        description=_l("Täytä, jos teet pyynnön asiakkaan puolesta."),
        validators=[text_limit(120)],
        render_kw={"autocomplete": f"{PROFESSIONAL_SECTION} name", "maxlength": 120},
    )
    professional_org = StringField(
        _l("Organisaatiosi"),
        description=_l("Esimerkiksi ”keskustan terveysasema, sosiaalityö”."),
        validators=[text_limit(200)],
        render_kw={"autocomplete": f"{PROFESSIONAL_SECTION} organization", "maxlength": 200},
    )
    professional_phone = _phone_field(
        _l("Puhelinnumerosi takaisinsoittoa varten"),
        _l("Anna oma puhelinnumerosi tai sähköpostiosoitteesi, tai molemmat: järjestö voi kysyä sinulta lisää."),
        f"{PROFESSIONAL_SECTION} work tel",
    )
    professional_email = EmailAddressField(
        _l("Sähköpostiosoitteesi"),
        required=False,
        description=_l("Saat tähän osoitteeseen tiedon, kun järjestö on ollut yhteydessä asiakkaaseen."),
        render_kw={"autocomplete": f"{PROFESSIONAL_SECTION} work email"},
    )
    client_consent = BooleanField(
        _l("Asiakas on antanut suostumuksensa siihen, että hänen tietonsa lähetetään järjestölle yhteydenottoa varten.")
    )
    consent = BooleanField(_l("Suostumus"))
    # Honeypot: hidden from people by CSS and from assistive technology; bots fill it.
    kotisivu = StringField(_l("Jätä tämä kenttä tyhjäksi"), render_kw={"autocomplete": "off", "tabindex": "-1"})

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        has_phone, has_email = bool(_given(self.phone.data)), bool(_given(self.email.data))
        if not self.phone.errors and not self.email.errors and not has_phone and not has_email:
            self.phone.errors.append(_l("Anna puhelinnumero tai sähköpostiosoite, jotta järjestö voi ottaa yhteyttä."))
            valid = False
        channel = self.preferred_channel.data
        if channel in ("puhelin", "tekstiviesti") and not has_phone and not self.phone.errors and has_email:
            self.preferred_channel.errors.append(
                _l("Valitsit yhteydenoton tekstiviestillä: anna myös puhelinnumero.") if channel == "tekstiviesti"
                else _l("Valitsit yhteydenoton puhelimella: anna myös puhelinnumero.")
            )
            valid = False
        if channel == "sahkoposti" and not has_email and not self.email.errors and has_phone:
            self.preferred_channel.errors.append(_l("Valitsit yhteydenoton sähköpostilla: anna myös sähköpostiosoite."))
            valid = False
        if not self.on_behalf_of_client.data and self._professional_given():
            # details() keeps the professional's fields only on behalf of a client: sent unticked,
            # they would be dropped unseen and the professional never told the request was handled.
            self.on_behalf_of_client.errors.append(_l(
                "Täytit ammattilaisen tiedot. Valitse ”Täytän pyynnön asiakkaan puolesta” tai tyhjennä ammattilaisen kentät."
            ))
            valid = False
        if self.on_behalf_of_client.data:
            if not _given(self.professional_name.data) and not self.professional_name.errors:
                self.professional_name.errors.append(_l("Kirjoita oma nimesi, kun teet pyynnön asiakkaan puolesta."))
                valid = False
            if not _given(self.professional_org.data) and not self.professional_org.errors:
                self.professional_org.errors.append(_l("Kirjoita organisaatiosi, kun teet pyynnön asiakkaan puolesta."))
                valid = False
            if (not _given(self.professional_phone.data) and not _given(self.professional_email.data)
                    and not self.professional_phone.errors and not self.professional_email.errors):
                self.professional_phone.errors.append(
                    _l("Anna oma puhelinnumerosi tai sähköpostiosoitteesi, kun teet pyynnön asiakkaan puolesta.")
                )
                valid = False
            if not self.client_consent.data:
                self.client_consent.errors.append(_l("Vahvista, että asiakas on antanut suostumuksensa."))
                valid = False
        if not self.consent.data:
            self.consent.errors.append(_l("Pyyntöä ei voi lähettää ilman suostumustasi."))
            valid = False
        return valid

    def _professional_given(self) -> bool:
        typed = (self.professional_name, self.professional_org, self.professional_phone, self.professional_email)
        return any(_given(field.data) for field in typed) or bool(self.client_consent.data)

    @property
    def is_spam(self) -> bool:
        return bool(self.kotisivu.data)

    def details(self) -> ContactDetails:
        """What was typed, cleaned and normalised; only after validate() passed."""
        on_behalf = bool(self.on_behalf_of_client.data)
        return ContactDetails(
            name=clean_text(self.name.data, 120),
            phone=_normalised(self.phone.data, normalise_phone),
            email=self.email.data,
            preferred_channel=self.preferred_channel.data or "puhelin",
            preferred_time=clean_text(self.preferred_time.data, 120),
            message=clean_text(self.message.data, MESSAGE_MAX, multiline=True),
            on_behalf_of_client=on_behalf,
            professional_name=clean_text(self.professional_name.data, 120) if on_behalf else "",
            professional_org=clean_text(self.professional_org.data, 200) if on_behalf else "",
            professional_phone=_normalised(self.professional_phone.data, normalise_phone) if on_behalf else "",
            professional_email=self.professional_email.data if on_behalf else "",
            client_consent=on_behalf and bool(self.client_consent.data),
            language=current_language(),
        )


def _given(value: str | None) -> str:
    return (value or "").strip()


def _normalised(value: str | None, normalise) -> str:
    return normalise(value) if _given(value) else ""


class MailListForm(OnceForm):
    """"Lähetä sähköpostilla" of a shared list: one address, kept only in the outbox message."""

    list_address = EmailAddressField(_l("Sähköpostiosoite, johon lista lähetetään"))

    def address(self) -> str:
        return self.list_address.data
