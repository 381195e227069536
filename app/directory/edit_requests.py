"""Edit requests: staff write a message once, every contact gets their own 7-day link.

Each link is an `edit_request` token bound to one organisation; using it signs
the contact in and takes them straight to that organisation's form.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from app.extensions import db
from app.models import AuditEvent, Organisation, Revision, StaffUser, utcnow
from app.platform.audit import record_audit
from app.platform.i18n import in_language
from app.platform.outbox import queue_mail
from app.platform.submissions import REPEAT_WINDOW
from app.platform.tokens import TOKEN_LIFETIMES, issue_link_token, link_url

EDIT_LINK_DAYS = TOKEN_LIFETIMES["edit_request"].days
MESSAGE_MAX_LENGTH = 2000


def stamp_organisations(ids: list[int], **values) -> None:
    """Set `values` on these organisations without moving their version."""
    # A bulk UPDATE, not the ORM: the optimistic-locking version must not move,
    # or a contact editing the entry right now would get a false conflict.
    if ids:
        db.session.execute(
            update(Organisation)
            .where(Organisation.id.in_(ids))
            .values(**values)
            .execution_options(synchronize_session="fetch")
        )


def mail_edit_links(organisation: Organisation, template: str, *, now: datetime | None = None, **context) -> int:
    """Queue `template` to every contact in the organisation's language, each with an own edit link; the number queued."""
    with in_language(organisation.language):
        sign_in_url = link_url("accounts.request_link")
        for contact in organisation.contacts:
            token = issue_link_token(contact.email, "edit_request", organisation.id, now=now)
            queue_mail(
                contact.email,
                template,
                organisation_name=organisation.name,
                link=link_url("accounts.open_edit_link", token=token),
                sign_in_url=sign_in_url,
                days=EDIT_LINK_DAYS,
                **context,
            )
    return len(organisation.contacts)


@dataclass(frozen=True)
class EditRequestResult:
    organisation_id: int
    name: str
    sent: int  # messages queued; 0 means the organisation has no contacts
    answered: bool = False  # a contact has saved or confirmed the details since


def send_edit_requests(
    organisations: list[Organisation], message: str, actor: str, *, now: datetime | None = None
) -> AuditEvent:
    """Queue the request to every contact of every organisation; flush, no commit.

    Returns the audit event, whose detail holds the per-organisation results.
    """
    now = now or utcnow()
    results = [
        EditRequestResult(
            organisation.id,
            organisation.name,
            mail_edit_links(organisation, "staff_edit_request", now=now, message=message),
        )
        for organisation in organisations
    ]
    stamp_organisations([result.organisation_id for result in results if result.sent], last_edit_request_at=now)
    return record_audit(
        actor,
        "edit_request",
        "organisation",
        organisations[0].id if len(organisations) == 1 else None,
        message=message,
        results=[{"id": r.organisation_id, "name": r.name, "sent": r.sent} for r in results],
    )


def same_edit_request_sent(organisations: list[Organisation], message: str, *,
                           now: datetime | None = None) -> AuditEvent | None:
    """The same message to exactly these organisations within REPEAT_WINDOW (Back restores
    a sent form under a new one-time key), or None."""
    ids = sorted(organisation.id for organisation in organisations)
    recent = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "edit_request", AuditEvent.created_at >= (now or utcnow()) - REPEAT_WINDOW,
    ).order_by(AuditEvent.id.desc()))
    return next((event for event in recent if event.detail.get("message") == message
                 and sorted(r["id"] for r in event.detail.get("results", [])) == ids), None)


def results_of(event: AuditEvent) -> list[EditRequestResult]:
    """Each organisation's result, and whether it has answered since the request."""
    items = event.detail.get("results", [])
    answered = answered_since([item["id"] for item in items], event.created_at)
    return [
        EditRequestResult(item["id"], item["name"], item["sent"], item["id"] in answered) for item in items
    ]


def answered_since(organisation_ids: list[int], since: datetime) -> set[int]:
    """The organisations a contact (not staff) has saved or confirmed since `since`."""
    if not organisation_ids:
        return set()
    staff = select(StaffUser.email)
    return set(db.session.scalars(
        select(Revision.organisation_id).distinct().where(
            Revision.organisation_id.in_(organisation_ids),
            Revision.created_at >= since,
            Revision.author.not_in(staff),
        )
    ))
