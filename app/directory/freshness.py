"""Is an entry still current?  "Stale" means not confirmed for a year, or never;
stale published entries get a reminder with an edit link at most once a month."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select

from app.directory.edit_requests import mail_edit_links, stamp_organisations
from app.extensions import db
from app.models import Organisation, utcnow

STALE_AFTER = timedelta(days=365)
REMINDER_INTERVAL = timedelta(days=30)


def stale_condition(now: datetime) -> ColumnElement[bool]:
    return or_(Organisation.confirmed_at.is_(None), Organisation.confirmed_at < now - STALE_AFTER)


def stale_organisations(*, now: datetime | None = None, limit: int | None = None) -> list[Organisation]:
    """Published entries not confirmed for a year, the longest unconfirmed first."""
    query = (
        select(Organisation)
        .where(Organisation.status == "published", Organisation.deleted_at.is_(None), stale_condition(now or utcnow()))
        # Never confirmed sorts first on both databases.
        .order_by(Organisation.confirmed_at.is_not(None), Organisation.confirmed_at, Organisation.sort_name)
        .limit(limit)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class ReminderReport:
    organisations: int
    messages: int
    without_contacts: int


def send_reminders(*, now: datetime | None = None) -> ReminderReport:
    """Queue one reminder per contact of each stale published entry not reminded in 30 days; flush, no commit."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Organisation).where(
            Organisation.status == "published",
            Organisation.deleted_at.is_(None),
            stale_condition(now),
            or_(Organisation.last_reminder_at.is_(None), Organisation.last_reminder_at <= now - REMINDER_INTERVAL),
        ).order_by(Organisation.id)
    ).all()
    reminded: list[int] = []
    messages = without_contacts = 0
    for organisation in due:
        sent = mail_edit_links(organisation, "staff_reminder", now=now, confirmed_at=organisation.confirmed_at)
        if sent:
            reminded.append(organisation.id)
            messages += sent
        else:
            without_contacts += 1
    stamp_organisations(reminded, last_reminder_at=now)
    db.session.flush()
    return ReminderReport(organisations=len(reminded), messages=messages, without_contacts=without_contacts)
