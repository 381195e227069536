"""`flask purge`: personal and stale data removed once its retention period is over."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select

from app.accounts.claims import purge_old_claims
from app.accounts.sessions import SESSION_LIMITS
from app.contact.requests import erase_personal_data
from app.contact.tray import purge_expired_shares
from app.directory.drafts import purge_old_drafts
from app.directory.error_reports import forget_reporter_addresses
from app.events.signups import anonymise_signups, ended_before
from app.extensions import db
from app.models import LoginToken, Organisation, OutboxMessage, UserSession, WorkshopOrder, utcnow
from app.platform.calendar import helsinki_time
from app.platform.erasure import anonymise_workshop_orders
from app.platform.ratelimit import purge_expired_counters
from app.platform.submissions import purge_old_submissions
from app.search.index import remove_from_index

SENT_MAIL_RETENTION = timedelta(days=90)
# Staff can retry a failed message from the dashboard this long; then it goes, body and all.
FAILED_MAIL_RETENTION = timedelta(days=30)
# An expired link is kept a while so opening it says "expired", not "unknown".
TOKEN_RETENTION = timedelta(days=30)


@dataclass(frozen=True)
class PurgeReport:
    organisations: int
    tokens: int
    sent_messages: int
    failed_messages: int
    workshop_orders: int
    event_signups: int
    sessions: int
    contact_requests: int
    error_report_addresses: int
    shared_trays: int
    rate_limit_counters: int
    submission_keys: int
    access_claims: int
    organisation_drafts: int


def purge_deleted_organisations(retention_days: int, *, now: datetime) -> int:
    """Remove organisations deleted more than `retention_days` ago, with their revisions."""
    ids = list(db.session.scalars(
        select(Organisation.id).where(Organisation.deleted_at < now - timedelta(days=retention_days))
    ))
    for organisation_id in ids:
        remove_from_index(organisation_id)
    if ids:
        # Revisions, links, phones, contacts and tokens go by ON DELETE CASCADE;
        # contact requests and workshop orders keep their rows (SET NULL).
        db.session.execute(delete(Organisation).where(Organisation.id.in_(ids)))
    return len(ids)


def purge_old_tokens(*, now: datetime) -> int:
    return db.session.execute(delete(LoginToken).where(LoginToken.expires_at < now - TOKEN_RETENTION)).rowcount


def purge_sent_mail(*, now: datetime) -> int:
    """Delivered messages (their bodies were already emptied on delivery) after 90 days."""
    return db.session.execute(
        delete(OutboxMessage).where(OutboxMessage.status == "sent", OutboxMessage.sent_at < now - SENT_MAIL_RETENTION)
    ).rowcount


def purge_failed_mail(*, now: datetime) -> int:
    """Messages that failed for good (their bodies hold what a requester wrote) after 30 days."""
    return db.session.execute(
        delete(OutboxMessage).where(OutboxMessage.status == "failed", OutboxMessage.created_at < now - FAILED_MAIL_RETENTION)
    ).rowcount


def anonymise_old_workshop_orders(retention_days: int, *, now: datetime) -> int:
    """The orderer's details of orders held or cancelled, unchanged for `retention_days`; the order stays."""
    return anonymise_workshop_orders(
        WorkshopOrder.status.in_(("held", "cancelled")),
        WorkshopOrder.updated_at < now - timedelta(days=retention_days),
    )


def anonymise_old_event_signups(retention_days: int, *, now: datetime) -> int:
    """The personal details of sign-ups to events that ended `retention_days` ago; the counts stay."""
    return anonymise_signups(ended_before(helsinki_time(now) - timedelta(days=retention_days)), now=now)


def purge_expired_sessions(*, now: datetime) -> int:
    expired = [
        (UserSession.role == role)
        & ((UserSession.last_seen_at < now - limits.idle) | (UserSession.created_at < now - limits.absolute))
        for role, limits in SESSION_LIMITS.items()
    ]
    return db.session.execute(delete(UserSession).where(or_(*expired))).rowcount


def purge_all(*, now: datetime | None = None) -> PurgeReport:
    """Everything past its retention period; flush, no commit. Periods come from the config."""
    now = now or utcnow()
    config = current_app.config
    report = PurgeReport(
        organisations=purge_deleted_organisations(
            int(config["ORGANISATION_PURGE_DAYS"]), now=now
        ),
        tokens=purge_old_tokens(now=now),
        sent_messages=purge_sent_mail(now=now),
        failed_messages=purge_failed_mail(now=now),
        workshop_orders=anonymise_old_workshop_orders(int(config["WORKSHOP_ORDER_RETENTION_DAYS"]), now=now),
        event_signups=anonymise_old_event_signups(int(config["EVENT_SIGNUP_RETENTION_DAYS"]), now=now),
        sessions=purge_expired_sessions(now=now),
        contact_requests=erase_personal_data(
            int(config["CONTACT_REQUEST_RETENTION_DAYS"]), now=now
        ),
        # A reply address is as personal as a contact request and kept as long.
        error_report_addresses=forget_reporter_addresses(
            int(config["CONTACT_REQUEST_RETENTION_DAYS"]), now=now
        ),
        shared_trays=purge_expired_shares(now=now),
        rate_limit_counters=purge_expired_counters(),
        submission_keys=purge_old_submissions(now=now),
        access_claims=purge_old_claims(now=now),
        organisation_drafts=purge_old_drafts(now=now),
    )
    db.session.flush()
    return report
