"""Staff decisions about an organisation: approve, reject, hide, pause, delete.

Each one changes the status, keeps the search index in step, writes a revision
(the change feed shows it) and an audit event, and mails the contacts where
they need to know.
"""
from datetime import date, datetime

from flask_babel import LazyString, gettext as _, lazy_gettext as _l
from sqlalchemy import select

from app.directory.records import record_revision
from app.extensions import db
from app.models import AuditEvent, Organisation, utcnow
from app.platform.audit import record_audit
from app.platform.i18n import N_, in_language, with_values
from app.platform.outbox import queue_mail
from app.platform.templating import date_fi
from app.platform.tokens import link_url
from app.platform.validation import RefusedError, ValidationError, clean_text
from app.search.index import index_organisation, remove_from_index

REASON_MAX_LENGTH = 2000
PAUSE_NOTE_MAX_LENGTH = 300
# Revision summaries with values, translated on display by app_text.
REJECTED = with_values(N_("Hylätty: %(reason)s"))
PAUSED = with_values(N_("Toiminta tauolla %(date)s asti"))


class ModerationError(RefusedError):
    """The action does not fit the organisation's state; `message` says why, in Finnish."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ModerationError(message)


def _not_deleted(organisation: Organisation) -> None:
    _require(organisation.deleted_at is None, _("Järjestö on poistettu. Peru poisto ensin."))


def _set_status(organisation: Organisation, status: str) -> None:
    """Search finds published organisations only, so the index follows every change of status."""
    organisation.status = status
    db.session.flush()
    if status == "published":
        index_organisation(organisation)
    else:
        remove_from_index(organisation.id)


def _record(organisation: Organisation, actor: str, action: str, summary: LazyString, **detail) -> None:
    """The revision the change feed shows, and the audit event."""
    record_revision(organisation, actor, summary)
    record_audit(actor, action, "organisation", organisation.id, name=organisation.name, **detail)


def _mail_contacts(organisation: Organisation, template: str, **context) -> None:
    """The decision to every contact, in the organisation's language, with the link where they sign in."""
    with in_language(organisation.language):
        for contact in organisation.contacts:
            queue_mail(
                contact.email,
                template,
                organisation_name=organisation.name,
                sign_in_url=link_url("accounts.request_link"),
                **context,
            )


def approve(organisation: Organisation, actor: str) -> None:
    """Publish a waiting organisation and tell its contacts; flush, no commit."""
    _not_deleted(organisation)
    _require(
        organisation.status in ("pending", "rejected"), _("Vain odottavan tai hylätyn järjestön voi hyväksyä.")
    )
    _set_status(organisation, "published")
    _record(organisation, actor, "approve", _l("Hyväksytty ja julkaistu"))
    with in_language(organisation.language):
        public_url = link_url("directory.organisation", organisation_id=organisation.id)
    _mail_contacts(organisation, "staff_approved", public_url=public_url)


def reject(organisation: Organisation, actor: str, reason: str) -> None:
    """Turn a waiting organisation down with a reason the contacts receive; flush, no commit."""
    _not_deleted(organisation)
    _require(organisation.status == "pending", _("Vain hyväksyntää odottavan järjestön voi hylätä."))
    try:
        reason = clean_text(reason, REASON_MAX_LENGTH, required=True, multiline=True)
    except ValidationError as problem:
        raise ModerationError(_("Perustelu: %(problem)s", problem=problem.message)) from None
    _set_status(organisation, "rejected")
    _record(organisation, actor, "reject", _l(REJECTED, reason=reason), reason=reason)
    _mail_contacts(organisation, "staff_rejected", reason=reason)


def rejection_reasons(organisation_ids: list[int]) -> dict[int, str]:
    """The reason of each rejected organisation's latest rejection, for its contacts to read."""
    if not organisation_ids:
        return {}
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "reject", AuditEvent.object_type == "organisation",
               AuditEvent.object_id.in_(organisation_ids))
        .order_by(AuditEvent.id)
    )
    # Later rejections overwrite earlier ones.
    return {event.object_id: event.detail.get("reason", "") for event in events}


def hide(organisation: Organisation, actor: str, *, action: str = "hide", summary: LazyString | None = None,
         **detail) -> None:
    """Take a published entry out of search and its public page; a contact's "Toimintamme on
    päättynyt" (ending.py) is a hide too, recorded under its own action and summary."""
    _not_deleted(organisation)
    _require(organisation.status == "published", _("Vain julkaistun järjestön voi piilottaa."))
    _set_status(organisation, "hidden")
    _record(organisation, actor, action, summary or _l("Piilotettu"), **detail)


def unhide(organisation: Organisation, actor: str, *, action: str = "unhide",
           summary: LazyString | None = None) -> None:
    _not_deleted(organisation)
    _require(organisation.status == "hidden", _("Järjestö ei ole piilotettu."))
    _set_status(organisation, "published")
    _record(organisation, actor, action, summary or _l("Palautettu näkyviin"))


def pause(organisation: Organisation, actor: str, until: date | None, note: str, *, today: date | None = None) -> None:
    """Mark the activity paused until a date with a note shown publicly; no date ends the pause."""
    _not_deleted(organisation)
    if until is None:
        _require(organisation.paused_until is not None, _("Järjestön toiminta ei ole tauolla."))
        organisation.paused_until, organisation.paused_note = None, ""
        action, summary = "unpause", _l("Tauko päättyi")
    else:
        _require(until >= (today or utcnow().date()), _("Tauon päättymispäivä ei voi olla menneisyydessä."))
        try:
            note = clean_text(note, PAUSE_NOTE_MAX_LENGTH)
        except ValidationError as problem:
            raise ModerationError(_("Tiedote: %(problem)s", problem=problem.message)) from None
        organisation.paused_until, organisation.paused_note = until, note
        action, summary = "pause", _l(PAUSED, date=date_fi(until))
    db.session.flush()
    _record(
        organisation, actor, action, summary,
        until=until.isoformat() if until else None, note=organisation.paused_note,
    )


def delete(organisation: Organisation, actor: str, *, now: datetime | None = None) -> None:
    """Soft delete: hidden at once, purged by `flask purge` after the retention period."""
    _not_deleted(organisation)
    organisation.deleted_at = now or utcnow()
    _set_status(organisation, "hidden")
    _record(organisation, actor, "delete", _l("Poistettu"))


def undelete(organisation: Organisation, actor: str) -> None:
    """Take a deletion back before the purge; the entry stays hidden until staff show it."""
    _require(organisation.deleted_at is not None, _("Järjestöä ei ole poistettu."))
    organisation.deleted_at = None
    db.session.flush()
    _record(organisation, actor, "undelete", _l("Poisto peruttu"))
