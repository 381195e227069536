"""What the staff dashboard shows: the work waiting and the latest events."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.accounts.claims import pending_claims
from app.contact.followup import overdue_requests
from app.directory.error_reports import open_reports
from app.directory.freshness import stale_condition, stale_organisations
from app.directory.history import RevisionChanges, latest_changes
from app.extensions import db
from app.models import AccessClaim, ContactRequest, ErrorReport, Organisation, OutboxMessage, WorkshopOrder, utcnow
from app.search.analysis import FALLBACK, analyser_name

LIST_LENGTH = 10


@dataclass
class Dashboard:
    pending: list[Organisation]
    latest_changes: list[RevisionChanges]
    failed_mail: list[OutboxMessage]
    new_workshop_orders: list[WorkshopOrder]
    new_workshop_order_count: int
    stale: list[Organisation]
    stale_count: int
    contact_requests_this_month: int
    # Voikko is missing: search runs on the weaker fallback analyser.
    weak_search: bool
    overdue_requests: list[ContactRequest]
    open_error_reports: list[ErrorReport]
    # "Tämä on meidän" requests waiting for a contact's or staff's answer.
    pending_claims: list[AccessClaim]


def dashboard(*, now: datetime | None = None) -> Dashboard:
    now = now or utcnow()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return Dashboard(
        pending=list(db.session.scalars(
            select(Organisation)
            .where(Organisation.status == "pending", Organisation.deleted_at.is_(None))
            .order_by(Organisation.created_at, Organisation.id)
        )),
        latest_changes=latest_changes(LIST_LENGTH),
        failed_mail=list(db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.status == "failed").order_by(OutboxMessage.created_at.desc())
        )),
        new_workshop_orders=list(db.session.scalars(
            select(WorkshopOrder)
            .where(WorkshopOrder.status == "new")
            .order_by(WorkshopOrder.created_at)
            .limit(LIST_LENGTH)
        )),
        new_workshop_order_count=db.session.scalar(
            select(func.count()).select_from(WorkshopOrder).where(WorkshopOrder.status == "new")
        ),
        stale=stale_organisations(now=now, limit=LIST_LENGTH),
        stale_count=db.session.scalar(
            select(func.count()).select_from(Organisation).where(
                Organisation.status == "published", Organisation.deleted_at.is_(None), stale_condition(now)
            )
        ),
        contact_requests_this_month=db.session.scalar(
            select(func.count()).select_from(ContactRequest).where(ContactRequest.created_at >= month_start)
        ),
        weak_search=analyser_name() == FALLBACK,
        overdue_requests=overdue_requests(now=now, limit=LIST_LENGTH),
        open_error_reports=open_reports(),
        pending_claims=pending_claims(),
    )
