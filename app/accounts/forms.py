"""Forms of the account pages. CSRF comes with FlaskForm on every POST."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

from app.platform.form_fields import EmailAddressField
from app.platform.submissions import OnceForm


class LinkRequestForm(OnceForm):
    """One e-mail field: joining and signing in are the same link."""

    email = EmailAddressField(
        _l("Sähköpostiosoite"),
        description=_l("Lähetämme tähän osoitteeseen kirjautumislinkin. Salasanaa ei tarvita."),
        render_kw={"required": True},
    )


class ContinueForm(FlaskForm):
    """The deliberate second step that spends a link (scanners only GET it)."""


class SignOutForm(FlaskForm):
    """Signing out is a POST, so no link or prefetch can do it."""


class ConfirmCurrentForm(FlaskForm):
    """"Tiedot ovat ajan tasalla": a POST of its own, nothing but the CSRF token."""
