"""Forms of the account pages. CSRF comes with FlaskForm on every POST."""
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField, TextAreaField
from wtforms.validators import StopValidation

from app.directory.ending import ENDED_MESSAGE_MAX
from app.platform.form_fields import EmailAddressField, text_limit
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


class ClaimForm(OnceForm):
    """"Tämä on meidän": an optional word to the contacts who decide."""

    message = TextAreaField(
        _l("Viesti järjestön yhteyshenkilöille"),
        description=_l("Vapaaehtoinen. Kerro esimerkiksi, kuka olet ja mikä tehtäväsi järjestössä on. "
                       "Enintään 1000 merkkiä."),
        validators=[text_limit(1000, multiline=True)], render_kw={"rows": 4, "data-laskuri": "1000"},
    )

    def __init__(self, *args, to_staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if to_staff:
            # An organisation without contacts: staff decide, and read the message.
            self.message.label.text = _l("Viesti ylläpidolle")


class ClaimAnswerForm(FlaskForm):
    """A contact's answer to a claim, behind the mailed link: one of two buttons."""

    approve = SubmitField(_l("Hyväksy"))
    decline = SubmitField(_l("Hylkää"))


class EndActivityForm(OnceForm):
    """"Toimintamme on päättynyt": an optional word to staff, and a checkbox so that it is not done by accident."""

    message = TextAreaField(
        _l("Mitä tapahtui? (vapaaehtoinen)"),
        description=_l("Esimerkiksi milloin toiminta päättyi tai jatkaako joku muu sitä. Viesti menee vain "
                       "ylläpidolle. Enintään %(max)s merkkiä.", max=ENDED_MESSAGE_MAX),
        validators=[text_limit(ENDED_MESSAGE_MAX, multiline=True)],
        render_kw={"rows": 4, "data-laskuri": str(ENDED_MESSAGE_MAX)},
    )
    confirm = BooleanField(_l("Järjestön toiminta on päättynyt, ja sen tiedot voi poistaa palvelusta."))

    def validate_confirm(self, field):
        if not field.data:
            raise StopValidation(_("Vahvista, että toiminta on päättynyt, niin tiedot piilotetaan."))
