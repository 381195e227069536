"""Following up requests an organisation has not marked handled.

After three working days the organisation gets one reminder; after seven
days the request shows on the staff dashboard.  Working days skip weekends
and Finnish public holidays (platform.calendar.public_holiday).
"""
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.contact.requests import recipients
from app.extensions import db
from app.models import ContactRequest, Organisation, utcnow
from app.platform.calendar import public_holiday
from app.platform.i18n import in_language
from app.platform.outbox import queue_mail

REMIND_AFTER_WORKING_DAYS = 3
STAFF_AFTER_DAYS = 7


def working_days_before(day: date, count: int) -> date:
    """The date `count` Finnish working days before `day`."""
    while count:
        day -= timedelta(days=1)
        if day.weekday() < 5 and not public_holiday(day):
            count -= 1
    return day


def _unhandled():
    return select(ContactRequest).where(
        ContactRequest.handled_at.is_(None),
        ContactRequest.erased_at.is_(None),
        ContactRequest.organisation_id.is_not(None),
    )


def send_reminders(*, now: datetime | None = None) -> int:
    """One reminder per request unhandled for three working days; flush, no commit. Safe to run again."""
    now = now or utcnow()
    cutoff = datetime.combine(working_days_before(now.date(), REMIND_AFTER_WORKING_DAYS), now.time())
    due = db.session.scalars(
        _unhandled()
        .join(Organisation, Organisation.id == ContactRequest.organisation_id)
        .where(ContactRequest.reminded_at.is_(None), ContactRequest.created_at <= cutoff,
               Organisation.status == "published")
        .order_by(ContactRequest.id)
    ).all()
    for contact_request in due:
        with in_language(contact_request.organisation.language):
            for address in recipients(contact_request.organisation):
                queue_mail(address, "contact_request_reminder", contact_request=contact_request)
        contact_request.reminded_at = now
    db.session.flush()
    return len(due)


def overdue_requests(*, now: datetime | None = None, limit: int | None = None) -> list[ContactRequest]:
    """Requests still unhandled after seven days, oldest first: the dashboard's list."""
    now = now or utcnow()
    query = _unhandled().where(ContactRequest.created_at <= now - timedelta(days=STAFF_AFTER_DAYS))
    return list(db.session.scalars(query.order_by(ContactRequest.created_at, ContactRequest.id).limit(limit)))
