"""Forms of the account pages. CSRF comes with FlaskForm on every POST."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import ValidationError as FieldError

from app.platform.validation import ValidationError, normalise_email


class LinkRequestForm(FlaskForm):
    """One e-mail field: joining and signing in are the same link."""

    email = EmailField(
        _l("Sähköpostiosoite"),
        description=_l("Lähetämme tähän osoitteeseen kirjautumislinkin. Salasanaa ei tarvita."),
        render_kw={"autocomplete": "email", "spellcheck": "false", "maxlength": 254, "required": True},
    )

    def validate_email(self, field):
        try:
            field.data = normalise_email(field.data)
        except ValidationError as problem:
            raise FieldError(problem.message) from None


class ContinueForm(FlaskForm):
    """The deliberate second step that spends a link (scanners only GET it)."""


class SignOutForm(FlaskForm):
    """Signing out is a POST, so no link or prefetch can do it."""


class ConfirmCurrentForm(FlaskForm):
    """"Tiedot ovat ajan tasalla": a POST of its own, nothing but the CSRF token."""
