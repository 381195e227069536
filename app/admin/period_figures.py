"""Figures of what happened in a period, for staff: contact requests per month and per
organisation, how long organisations took to handle them, and workshop orders.

A period is whole months, from the first date's month to the last date's month;
app/admin/statistics.py chooses it (the last 12 months or a year).  The
directory's own figures (organisations, needs, admin-only figures) are in
app/admin/figures.py.
"""
from collections import defaultdict
from datetime import date, datetime
from statistics import median
from typing import NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, extract, func, select

from app.admin.figures import Count
from app.extensions import db
from app.models import ContactRequest, Organisation, sort_key
from app.models.workshop import WORKSHOP_STATUSES, WorkshopOrder, WorkshopTheme


class MonthCount(NamedTuple):
    month: date  # the first day of the month
    sent: int
    handled: int  # of those sent that month, how many are marked handled


class OrganisationRequests(NamedTuple):
    name: str
    sent: int
    handled: int


def months_between(first: date, last: date) -> list[date]:
    """The first days of every month from `first`'s month to `last`'s month, inclusive."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def _period(first: date, last: date, column=ContactRequest.created_at):
    """Whole months from `first`'s month to `last`'s month."""
    start = datetime(first.year, first.month, 1)
    end = datetime.combine(_next_month(last), datetime.min.time())
    return and_(column >= start, column < end)


def statistics_years(today: date) -> list[int]:
    """The years with contact requests or workshop orders, newest first; this year always."""
    firsts = [
        db.session.scalar(select(func.min(ContactRequest.created_at))),
        db.session.scalar(select(func.min(WorkshopOrder.created_at))),
    ]
    first_year = min([moment.year for moment in firsts if moment is not None] + [today.year])
    return list(range(today.year, first_year - 1, -1))


def contact_requests_per_month(first: date, last: date) -> list[MonthCount]:
    """Contact requests sent in each month from `first` to `last` (both months included, zeros too)."""
    year = extract("year", ContactRequest.created_at)
    month = extract("month", ContactRequest.created_at)
    statement = (
        select(year, month, func.count(ContactRequest.id), func.count(ContactRequest.handled_at))
        .where(_period(first, last))
        .group_by(year, month)
    )
    counts = {(int(y), int(m)): (sent, handled) for y, m, sent, handled in db.session.execute(statement)}
    return [
        MonthCount(day, *counts.get((day.year, day.month), (0, 0))) for day in months_between(first, last)
    ]


def contact_requests_per_organisation(first: date, last: date) -> list[OrganisationRequests]:
    """Contact requests per receiving organisation in the period, most first.

    The organisation's current name is used; a deleted organisation keeps the
    name it had when the request was sent.
    """
    statement = (
        select(
            ContactRequest.organisation_id,
            ContactRequest.organisation_name,
            Organisation.name,
            func.count(ContactRequest.id),
            func.count(ContactRequest.handled_at),
        )
        .outerjoin(Organisation, Organisation.id == ContactRequest.organisation_id)
        .where(_period(first, last))
        .group_by(ContactRequest.organisation_id, ContactRequest.organisation_name, Organisation.name)
    )
    totals: dict[tuple, list] = defaultdict(lambda: ["", 0, 0])
    for organisation_id, stored_name, current_name, sent, handled in db.session.execute(statement):
        key = ("id", organisation_id) if organisation_id is not None else ("name", stored_name)
        total = totals[key]
        total[0] = current_name or stored_name
        total[1] += sent
        total[2] += handled
    rows = [OrganisationRequests(name, sent, handled) for name, sent, handled in totals.values()]
    return sorted(rows, key=lambda row: (-row.sent, sort_key(row.name)))


class HandlingTime(NamedTuple):
    name: str
    handled: int
    median_days: float


def handling_times_per_organisation(first: date, last: date) -> list[HandlingTime]:
    """How long each organisation took to mark requests of the period handled: count and median in days.

    The median is taken in Python, the same on SQLite and PostgreSQL; slowest first.
    """
    statement = (
        select(
            ContactRequest.organisation_id,
            func.coalesce(Organisation.name, ContactRequest.organisation_name),
            ContactRequest.created_at,
            ContactRequest.handled_at,
        )
        .outerjoin(Organisation, Organisation.id == ContactRequest.organisation_id)
        .where(_period(first, last), ContactRequest.handled_at.is_not(None))
    )
    durations: dict[tuple, list] = defaultdict(lambda: ["", []])
    for organisation_id, name, created_at, handled_at in db.session.execute(statement):
        entry = durations[("id", organisation_id) if organisation_id is not None else ("name", name)]
        entry[0] = name
        entry[1].append((handled_at - created_at).total_seconds() / 86400)
    rows = [HandlingTime(name, len(days), round(median(days), 1)) for name, days in durations.values()]
    return sorted(rows, key=lambda row: (-row.median_days, sort_key(row.name)))


WORKSHOP_STATUS_LABELS = {
    "new": _l("Uusi"),
    "confirmed": _l("Vahvistettu"),
    "held": _l("Pidetty"),
    "cancelled": _l("Peruttu"),
}


def workshop_orders_by_status(first: date | None = None, last: date | None = None) -> list[Count]:
    """Workshop orders (made in the months from `first` to `last`, or ever) in each status, in
    the order an order moves through them."""
    statement = select(WorkshopOrder.status, func.count()).group_by(WorkshopOrder.status)
    if first is not None:
        statement = statement.where(_period(first, last, WorkshopOrder.created_at))
    counts = dict(db.session.execute(statement).all())
    return [Count(str(WORKSHOP_STATUS_LABELS[status]), counts.get(status, 0)) for status in WORKSHOP_STATUSES]


def workshop_orders_by_theme(first: date | None = None, last: date | None = None) -> list[Count]:
    """Workshop orders (made in the months from `first` to `last`, or ever) per theme (every
    theme, in its own order), then orders with an own proposal."""
    statement = select(WorkshopOrder.theme_id, func.count()).group_by(WorkshopOrder.theme_id)
    if first is not None:
        statement = statement.where(_period(first, last, WorkshopOrder.created_at))
    counts = dict(db.session.execute(statement).all())
    themes = db.session.scalars(select(WorkshopTheme).order_by(WorkshopTheme.position, WorkshopTheme.name))
    rows = [Count(theme.label, counts.get(theme.id, 0)) for theme in themes]
    rows.append(Count(_("Oma aihe"), counts.get(None, 0)))
    return rows
