"""The public forms: the list's filter (GET), signing up, and the private page's change and cancel."""
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TelField, TextAreaField
from wtforms.validators import StopValidation, ValidationError as FieldError

from app.events.signups import SignupDetails
from app.platform.i18n import current_language
from app.platform.form_fields import EmailAddressField, text_limit, unix_newlines
from app.platform.submissions import OnceForm
from app.platform.validation import ValidationError, clean_text, normalise_phone


class _SignupFields(FlaskForm):
    """The sign-up's fields in the order the page shows them, which is the error summary's order too
    (WTForms orders fields by when they were declared, subclasses' last)."""

    name = StringField(_l("Nimi"), render_kw={"autocomplete": "name", "maxlength": 120})
    organisation_name = StringField(
        _l("Järjestö tai yhteisö"),
        description=_l("Valitse ehdotuksista tai kirjoita nimi."),
        render_kw={"autocomplete": "organization", "maxlength": 200, "list": "tapahtuma-jarjestot"},
    )
    email = EmailAddressField(_l("Sähköpostiosoite"),
                              description=_l("Vahvistus ja muutoslinkki lähetetään tähän osoitteeseen."))
    phone = TelField(_l("Puhelinnumero (vapaaehtoinen)"), description=_l("Esimerkiksi 040 123 4567."),
                     render_kw={"autocomplete": "tel", "maxlength": 30})
    dietary_needs = TextAreaField(_l("Erityisruokavalio (vapaaehtoinen)"), filters=[unix_newlines],
                                  validators=[text_limit(500, multiline=True)], render_kw={"rows": 2, "maxlength": 500})
    accessibility_needs = TextAreaField(
        _l("Saavutettavuus- tai muut tarpeet (vapaaehtoinen)"),
        description=_l("Esimerkiksi pyörätuoli, induktiosilmukka, tulkkaus tai avustaja."),
        filters=[unix_newlines], validators=[text_limit(1000, multiline=True)], render_kw={"rows": 2, "maxlength": 1000},
    )
    consent = BooleanField(_l("Hyväksyn, että tietojani käsitellään tietosuojaselosteen mukaisesti."))

    def validate_name(self, field):
        _required(field, 120, _("Kirjoita nimesi."))

    def validate_organisation_name(self, field):
        _required(field, 200, _("Kirjoita järjestön tai yhteisön nimi."))

    def validate_phone(self, field):
        if (field.data or "").strip():
            try:
                field.data = normalise_phone(field.data)
            except ValidationError as problem:
                raise FieldError(problem.message) from None
        else:
            field.data = ""

    def details(self, email: str = "") -> SignupDetails:
        return SignupDetails(
            name=self.name.data, organisation_name=self.organisation_name.data, email=email, phone=self.phone.data,
            dietary_needs=clean_text(self.dietary_needs.data, 500, multiline=True),
            accessibility_needs=clean_text(self.accessibility_needs.data, 1000, multiline=True),
            language=current_language(),
        )


class SignupForm(OnceForm, _SignupFields):
    """Signing up: every field, the consent required, and a one-time submission key."""

    def validate_consent(self, field):
        if not field.data:
            raise FieldError(_("Hyväksy tietojen käsittely, jotta voimme ottaa ilmoittautumisen vastaan."))


class SignupChangeForm(_SignupFields):
    """What a person may change on their own sign-up: not the address the private link went to, nor the consent."""

    email = None
    consent = None


class CancelSignupForm(FlaskForm):
    """The private page's "Peru ilmoittautuminen": only the CSRF token."""


def _required(field, max_length: int, message: str) -> None:
    try:
        field.data = clean_text(field.data, max_length, required=True)
    except ValidationError as problem:
        raise StopValidation(message if not (field.data or "").strip() else problem.message) from None
