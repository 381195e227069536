"""Forms of the staff pages. CSRF comes with FlaskForm on every POST."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, TextAreaField

from app.directory.edit_requests import MESSAGE_MAX_LENGTH
from app.directory.moderation import PAUSE_NOTE_MAX_LENGTH, REASON_MAX_LENGTH
from app.platform.form_fields import DateTextField, EmailAddressField, single_line, text_limit, unix_newlines
from app.platform.submissions import OnceForm
from app.platform.validation import database_ids


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Perustelu"),
        description=_l("Perustelu lähetetään järjestön yhteyshenkilöille sähköpostilla."),
        filters=[unix_newlines],
        validators=[text_limit(REASON_MAX_LENGTH, required=True)],
        render_kw={"rows": 4},
    )


class PauseForm(FlaskForm):
    until = DateTextField(
        _l("Tauolla asti"),
        description=_l("Päivä, jolloin toiminta jatkuu (pp.kk.vvvv). Tyhjä päättää tauon."),
        render_kw={"type": "date"},
    )
    note = TextAreaField(
        _l("Tiedote tauosta"),
        description=_l("Näkyy järjestön julkisella sivulla. Enintään 300 merkkiä."),
        filters=[unix_newlines],
        validators=[text_limit(PAUSE_NOTE_MAX_LENGTH)],
        render_kw={"rows": 2},
    )


class EditRequestForm(OnceForm):
    """Mails every contact of the chosen organisations: a second press must not mail them again."""

    message = TextAreaField(
        _l("Viesti"),
        description=_l("Sama viesti menee jokaiselle yhteyshenkilölle. Jokainen saa oman muokkauslinkkinsä."),
        filters=[unix_newlines],
        validators=[text_limit(MESSAGE_MAX_LENGTH, required=True)],
        render_kw={"rows": 6},
    )
    # The chosen organisations as comma-separated ids, fixed when the page was opened.
    organisation_ids = HiddenField(validators=[single_line])

    @property
    def ids(self) -> list[int]:
        return database_ids((self.organisation_ids.data or "").split(","))


class ErasureForm(FlaskForm):
    """The address whose data is erased; `confirmed` is set by the confirm step's button."""

    # No "did you mean": the address to erase may well be the mistyped one.
    email = EmailAddressField(
        _l("Sähköpostiosoite"),
        description=_l("Henkilön osoite, jota pyyntö koskee. Ensin näytetään, mitä poistetaan."),
        suggest=False,
        render_kw={"autocomplete": "off", "required": True},
    )
    confirmed = HiddenField()


class ProfileForm(FlaskForm):
    """What a staff member chooses for themselves."""

    receives_notices = BooleanField(
        _l("Lähetä minulle ilmoitukset sähköpostilla"),
        description=_l("Uudet ja korjatut järjestöt sekä työpajatilaukset. Ilmoitukset menevät jokaiselle "
                       "ylläpitäjälle, joka ei ole ottanut niitä pois."),
    )
