"""Forms of the feedback after an event: the participant's survey and staff's attendance list."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from app.models import EventSignup
from app.platform.i18n import app_text
from app.platform.form_fields import CheckboxListField, options, text_limit, unix_newlines
from app.platform.surveys import OPEN_ANSWER_MAX, statement_field


class EventFeedbackForm(FlaskForm):
    """The event's own statements on the four-point scale (fields s1, s2, …) and one open question.

    Build it with `for_statements`: the statements differ per event.
    """

    open_answer = TextAreaField(
        _l("Mitä muuta haluat sanoa?"), description=_l("Vapaaehtoinen. Älä kirjoita nimiä."),
        filters=[unix_newlines], validators=[text_limit(OPEN_ANSWER_MAX, multiline=True)],
        render_kw={"rows": 4, "maxlength": OPEN_ANSWER_MAX},
    )
    statements: tuple[str, ...] = ()

    @classmethod
    def for_statements(cls, statements: list[str], **kwargs) -> "EventFeedbackForm":
        fields = {f"s{number}": statement_field(app_text(text)) for number, text in enumerate(statements, 1)}
        form_class = type("EventFeedbackForm", (cls,), {**fields, "statements": tuple(statements)})
        return form_class(**kwargs)

    def statement_fields(self):
        return [self[f"s{number}"] for number in range(1, len(self.statements) + 1)]

    def answers(self) -> dict[str, int]:
        """{statement: point}, as the feedback service stores them."""
        return {text: int(field.data) for text, field in zip(self.statements, self.statement_fields())}


class AttendanceForm(FlaskForm):
    """Who came, as one checkbox per sign-up with a place; one POST saves them all."""

    came = CheckboxListField(_l("Osallistuivat"))

    def __init__(self, *args, signups: list[EventSignup] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.came.choices = options((signup.id, f"{signup.name} ({signup.organisation_name})") for signup in signups)
        if self.came.data is None or not self.is_submitted():
            marked = any(signup.attended is not None for signup in signups)
            # Before anyone is marked, everyone is ticked: staff untick the few who did not come.
            self.came.data = [str(signup.id) for signup in signups if signup.attended or not marked]
