"""Staff decisions about an organisation: approve, reject, hide, pause, delete.

Each one changes the status, keeps the search index in step, writes a revision
(the change feed shows it) and an audit event, and mails the contacts where
they need to know.
"""
from datetime import date, datetime

from flask_babel import gettext as _

from app.extensions import db
from app.models import Organisation, utcnow
from app.services.audit import record_audit
from app.services.outbox import queue_mail
from app.services.revisions import record_revision
from app.services.search_index import index_organisation, remove_from_index
from app.services.tokens import link_url
from app.services.validation import ValidationError, clean_text

REASON_MAX_LENGTH = 2000
PAUSE_NOTE_MAX_LENGTH = 300


class ModerationError(Exception):
    """The action does not fit the organisation's state; `message` says why, in Finnish."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ModerationError(message)


def _not_deleted(organisation: Organisation) -> None:
    _require(organisation.deleted_at is None, _("Järjestö on poistettu. Peru poisto ensin."))


def approve(organisation: Organisation, actor: str) -> None:
    """Publish a waiting organisation and tell its contacts; flush, no commit."""
    _not_deleted(organisation)
    _require(
        organisation.status in ("pending", "rejected"), _("Vain odottavan tai hylätyn järjestön voi hyväksyä.")
    )
    organisation.status = "published"
    db.session.flush()
    index_organisation(organisation)
    record_revision(organisation, actor, _("Hyväksytty ja julkaistu"))
    record_audit(actor, "approve", "organisation", organisation.id, name=organisation.name)
    public_url = link_url("public.organisation", organisation_id=organisation.id)
    for contact in organisation.contacts:
        queue_mail(
            contact.email,
            "staff_approved",
            organisation_name=organisation.name,
            public_url=public_url,
            sign_in_url=link_url("account.request_link"),
        )


def reject(organisation: Organisation, actor: str, reason: str) -> None:
    """Turn a waiting organisation down with a reason the contacts receive; flush, no commit."""
    _not_deleted(organisation)
    _require(organisation.status == "pending", _("Vain hyväksyntää odottavan järjestön voi hylätä."))
    try:
        reason = clean_text(reason, REASON_MAX_LENGTH, required=True, multiline=True)
    except ValidationError as problem:
        raise ModerationError(_("Perustelu: %(problem)s", problem=problem.message)) from None
    organisation.status = "rejected"
    db.session.flush()
    remove_from_index(organisation.id)
    record_revision(organisation, actor, _("Hylätty: %(reason)s", reason=reason)[:300])
    record_audit(actor, "reject", "organisation", organisation.id, name=organisation.name, reason=reason)
    for contact in organisation.contacts:
        queue_mail(
            contact.email,
            "staff_rejected",
            organisation_name=organisation.name,
            reason=reason,
            sign_in_url=link_url("account.request_link"),
        )


def hide(organisation: Organisation, actor: str) -> None:
    _not_deleted(organisation)
    _require(organisation.status == "published", _("Vain julkaistun järjestön voi piilottaa."))
    organisation.status = "hidden"
    db.session.flush()
    remove_from_index(organisation.id)
    record_revision(organisation, actor, _("Piilotettu"))
    record_audit(actor, "hide", "organisation", organisation.id, name=organisation.name)


def unhide(organisation: Organisation, actor: str) -> None:
    _not_deleted(organisation)
    _require(organisation.status == "hidden", _("Järjestö ei ole piilotettu."))
    organisation.status = "published"
    db.session.flush()
    index_organisation(organisation)
    record_revision(organisation, actor, _("Palautettu näkyviin"))
    record_audit(actor, "unhide", "organisation", organisation.id, name=organisation.name)


def pause(organisation: Organisation, actor: str, until: date | None, note: str, *, today: date | None = None) -> None:
    """Mark the activity paused until a date with a note shown publicly; no date ends the pause."""
    _not_deleted(organisation)
    if until is None:
        _require(organisation.paused_until is not None, _("Järjestön toiminta ei ole tauolla."))
        organisation.paused_until, organisation.paused_note = None, ""
        action, summary = "unpause", _("Tauko päättyi")
    else:
        _require(until >= (today or utcnow().date()), _("Tauon päättymispäivä ei voi olla menneisyydessä."))
        try:
            note = clean_text(note, PAUSE_NOTE_MAX_LENGTH)
        except ValidationError as problem:
            raise ModerationError(_("Tiedote: %(problem)s", problem=problem.message)) from None
        organisation.paused_until, organisation.paused_note = until, note
        action, summary = "pause", _("Toiminta tauolla %(date)s asti", date=f"{until.day}.{until.month}.{until.year}")
    db.session.flush()
    record_revision(organisation, actor, summary)
    record_audit(
        actor, action, "organisation", organisation.id, name=organisation.name,
        until=until.isoformat() if until else None, note=organisation.paused_note,
    )


def delete(organisation: Organisation, actor: str, *, now: datetime | None = None) -> None:
    """Soft delete: hidden at once, purged by `flask purge` after the retention period."""
    _not_deleted(organisation)
    organisation.deleted_at = now or utcnow()
    organisation.status = "hidden"
    db.session.flush()
    remove_from_index(organisation.id)
    record_revision(organisation, actor, _("Poistettu"))
    record_audit(actor, "delete", "organisation", organisation.id, name=organisation.name)


def undelete(organisation: Organisation, actor: str) -> None:
    """Take a deletion back before the purge; the entry stays hidden until staff show it."""
    _require(organisation.deleted_at is not None, _("Järjestöä ei ole poistettu."))
    organisation.deleted_at = None
    db.session.flush()
    record_revision(organisation, actor, _("Poisto peruttu"))
    record_audit(actor, "undelete", "organisation", organisation.id, name=organisation.name)
