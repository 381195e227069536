"""A contact's "Toimintamme on päättynyt": the entry leaves the directory at once, staff decide on deletion.

The entry is hidden by moderation.hide, so the rules and the search index are those
of a staff hide; the revision and the audit event say the association ended its
activity, with the contact as actor and their message.  Until staff act on the
entry (show, hide, delete it), the same contacts can take the report back.
"""
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from app.config import DEFAULT_LANGUAGE
from app.directory import moderation
from app.extensions import db
from app.models import AuditEvent, Organisation
from app.platform.i18n import N_, in_language, with_values
from app.platform.staff_notices import notify_staff
from app.platform.tokens import link_url
from app.platform.validation import ValidationError, clean_text

ENDED_MESSAGE_MAX = 1000
ENDED_ACTION = "activity_ended"
ENDED_UNDONE_ACTION = "activity_ended_undone"
# Revision summaries, translated on display by app_text.
ENDED = N_("Yhdistys ilmoitti toimintansa päättyneen")
ENDED_WITH_MESSAGE = with_values(N_("Yhdistys ilmoitti toimintansa päättyneen: %(message)s"))
ENDED_UNDONE = N_("Yhdistys perui ilmoituksen toimintansa päättymisestä")
# What decides an entry's visibility: after any of these, the report is staff's to handle.
VISIBILITY_ACTIONS = (
    "approve", "reject", "hide", "unhide", "delete", "undelete", "merge", "restore_revision",
    ENDED_ACTION, ENDED_UNDONE_ACTION,
)


def report_ended(organisation: Organisation, email: str, message: str) -> None:
    """Hide the entry as the contact's report that the activity ended and tell staff; flush, no commit."""
    try:
        message = clean_text(message, ENDED_MESSAGE_MAX, multiline=True)
    except ValidationError as problem:
        raise moderation.ModerationError(problem.message) from None
    summary = _l(ENDED_WITH_MESSAGE, message=message) if message else _l(ENDED)
    moderation.hide(organisation, email, action=ENDED_ACTION, summary=summary, message=message)
    _notify(organisation, email, message, undone=False)


def undo_ended(organisation: Organisation, email: str) -> bool:
    """Show the entry again when its hide is still the contacts' own report; False when it was
    already taken back (a second click).  Flush, no commit."""
    latest = _latest_decision(organisation)
    if latest is not None and latest.action == ENDED_UNDONE_ACTION and organisation.is_published:
        return False
    if ended_report(organisation) is None:
        raise moderation.ModerationError(_(
            "Ylläpito on jo käsitellyt ilmoituksen, joten et voi perua sitä itse. Ota yhteyttä ylläpitoon."
        ))
    moderation.unhide(organisation, email, action=ENDED_UNDONE_ACTION, summary=_l(ENDED_UNDONE))
    _notify(organisation, email, "", undone=True)
    return True


def ended_report(organisation: Organisation) -> AuditEvent | None:
    """The contacts' report that keeps the entry hidden, or None when the entry is not hidden
    by one (never reported, taken back, or staff decided something since)."""
    if organisation.status != "hidden" or organisation.deleted_at is not None:
        return None
    latest = _latest_decision(organisation)
    return latest if latest is not None and latest.action == ENDED_ACTION else None


def _latest_decision(organisation: Organisation) -> AuditEvent | None:
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "organisation", AuditEvent.object_id == organisation.id,
               AuditEvent.action.in_(VISIBILITY_ACTIONS))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()


def _notify(organisation: Organisation, email: str, message: str, *, undone: bool) -> None:
    with in_language(DEFAULT_LANGUAGE):
        staff_page = link_url("admin.organisation", organisation_id=organisation.id)
    notify_staff(
        "activity_ended_staff", organisation_name=organisation.name, email=email, message=message,
        link=staff_page, undone=undone,
    )
