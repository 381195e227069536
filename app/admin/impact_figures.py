"""The figures the centre reports to its funder: events and workshops held, who took part, and
what they thought — per quarter of one calendar year.

An event counts when it has ended and was not cancelled; its participants are
those staff marked as came, or, when nobody has been marked for it, those with
a place.  A workshop counts when it is marked held; its participants are the
number the orderer gave.  Event participants are placed in their
organisation's municipality (its post office in the directory), as on the
event's own participants list; workshop participants in their organisation's,
else in the municipality given on the order.  Everything is counted in Python
from the year's rows: a year has at most a few hundred events and workshops.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.events.events import participant_municipality
from app.events.signups import session_bounds
from app.extensions import db
from app.models import (
    Event,
    EventFeedbackResponse,
    EventSession,
    EventSignup,
    FeedbackResponse,
    FeedbackSurvey,
    WorkshopOrder,
    sort_key,
)
from app.platform.calendar import helsinki_time
from app.platform.surveys import overall_mean

QUARTERS = (1, 2, 3, 4)


def quarter_of(moment: datetime) -> int:
    return (moment.month - 1) // 3 + 1


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1), datetime(year + 1, 1, 1)


@dataclass
class HeldEvent:
    event: Event
    starts_at: datetime
    participants: list[EventSignup] = field(default_factory=list)


def held_events(year: int, *, now: datetime | None = None) -> list[HeldEvent]:
    """The year's events that have ended and were not cancelled, each with who took part."""
    first, after = _year_bounds(year)
    bounds = session_bounds()
    rows = db.session.execute(
        select(Event, bounds.c.starts_at).join(bounds, bounds.c.event_id == Event.id)
        .where(Event.status == "published", bounds.c.starts_at >= first, bounds.c.starts_at < after,
               bounds.c.ends_at < helsinki_time(now))
        .order_by(bounds.c.starts_at, Event.id)
    ).all()
    held = {event.id: HeldEvent(event, starts_at) for event, starts_at in rows}
    signups = db.session.scalars(
        select(EventSignup).where(EventSignup.event_id.in_(held), EventSignup.status == "confirmed")
        .options(selectinload(EventSignup.organisation)).order_by(EventSignup.id)
    )
    by_event: dict[int, list[EventSignup]] = defaultdict(list)
    for signup in signups:
        by_event[signup.event_id].append(signup)
    for event_id, confirmed in by_event.items():
        marked = any(signup.attended is not None for signup in confirmed)
        held[event_id].participants = [s for s in confirmed if s.attended] if marked else confirmed
    return list(held.values())


def held_workshops(year: int) -> list[WorkshopOrder]:
    first, after = _year_bounds(year)
    return list(db.session.scalars(
        select(WorkshopOrder)
        .where(WorkshopOrder.status == "held", WorkshopOrder.scheduled_start >= first,
               WorkshopOrder.scheduled_start < after)
        .options(selectinload(WorkshopOrder.organisation)).order_by(WorkshopOrder.scheduled_start)
    ))


@dataclass
class QuarterRow:
    quarter: int
    events: int
    event_participants: int
    workshops: int
    workshop_participants: int


def held_per_quarter(year: int, *, now: datetime | None = None) -> list[QuarterRow]:
    """Events and workshops held in each quarter, and how many took part in them."""
    rows = {quarter: QuarterRow(quarter, 0, 0, 0, 0) for quarter in QUARTERS}
    for held in held_events(year, now=now):
        row = rows[quarter_of(held.starts_at)]
        row.events += 1
        row.event_participants += len(held.participants)
    for order in held_workshops(year):
        row = rows[quarter_of(order.scheduled_start)]
        row.workshops += 1
        row.workshop_participants += order.participants
    return list(rows.values())


def _workshop_municipality(order: WorkshopOrder) -> str:
    if order.organisation is not None and order.organisation.post_office:
        return order.organisation.post_office
    return order.municipality or _("Ei tiedossa")


def participants_by(grouping: str, year: int, *, now: datetime | None = None) -> list[tuple[str, int, int]]:
    """(organisation or municipality, event participants, workshop participants), most first.

    `grouping` is "organisation" or "municipality".
    """
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for held in held_events(year, now=now):
        for signup in held.participants:
            key = signup.organisation_name if grouping == "organisation" else participant_municipality(signup)
            counts[key][0] += 1
    for order in held_workshops(year):
        key = order.organisation_name if grouping == "organisation" else _workshop_municipality(order)
        counts[key][1] += order.participants
    rows = [(name, events, workshops) for name, (events, workshops) in counts.items()]
    return sorted(rows, key=lambda row: (-(row[1] + row[2]), sort_key(row[0])))


@dataclass
class FeedbackRow:
    label: str
    responses: int
    mean: float | None
    agree_share: float | None  # of all answers, the share of 3 and 4 (per cent)


def _feedback_row(label: str, answer_sets: list[dict[str, int]]) -> FeedbackRow:
    responses, mean = overall_mean(answer_sets)
    points = [point for answers in answer_sets for point in answers.values()]
    agree = round(100 * sum(1 for point in points if point >= 3) / len(points)) if points else None
    return FeedbackRow(label, responses, mean, agree)


def _workshop_answers(year: int) -> list[tuple[datetime, dict[str, int]]]:
    first, after = _year_bounds(year)
    return list(db.session.execute(
        select(WorkshopOrder.scheduled_start, FeedbackResponse.answers)
        .join(FeedbackSurvey, FeedbackSurvey.id == FeedbackResponse.survey_id)
        .join(WorkshopOrder, WorkshopOrder.id == FeedbackSurvey.order_id)
        .where(WorkshopOrder.scheduled_start >= first, WorkshopOrder.scheduled_start < after)
    ).all())


def _event_answers(year: int) -> list[tuple[datetime, str, dict[str, int]]]:
    first, after = _year_bounds(year)
    bounds = session_bounds()
    return list(db.session.execute(
        select(bounds.c.starts_at, Event.kind, EventFeedbackResponse.answers)
        .join(Event, Event.id == EventFeedbackResponse.event_id)
        .join(bounds, bounds.c.event_id == Event.id)
        .where(bounds.c.starts_at >= first, bounds.c.starts_at < after)
    ).all())


def feedback_per_quarter(year: int) -> list[tuple[int, FeedbackRow, FeedbackRow]]:
    """(quarter, workshops' feedback, events' feedback): by when the workshop or event took place."""
    workshops: dict[int, list] = defaultdict(list)
    events: dict[int, list] = defaultdict(list)
    for starts_at, answers in _workshop_answers(year):
        workshops[quarter_of(starts_at)].append(answers)
    for starts_at, _kind, answers in _event_answers(year):
        events[quarter_of(starts_at)].append(answers)
    return [
        (quarter, _feedback_row(_("Työpajat"), workshops[quarter]), _feedback_row(_("Tapahtumat"), events[quarter]))
        for quarter in QUARTERS
    ]


def feedback_side_by_side(year: int, kind_labels: dict) -> list[FeedbackRow]:
    """The year's feedback of workshops, of all events, and of each kind of event, as comparable figures."""
    event_answers = _event_answers(year)
    rows = [
        _feedback_row(_("Työpajat"), [answers for _start, answers in _workshop_answers(year)]),
        _feedback_row(_("Tapahtumat yhteensä"), [answers for _start, _kind, answers in event_answers]),
    ]
    for kind, label in kind_labels.items():
        rows.append(_feedback_row(str(label), [answers for _start, k, answers in event_answers if k == kind]))
    return rows


def report_years(today_year: int) -> list[int]:
    """The years with an event or a workshop, and this year; newest first."""
    firsts = [
        db.session.scalar(select(func.min(EventSession.starts_at))),
        db.session.scalar(select(func.min(WorkshopOrder.scheduled_start))),
    ]
    first_year = min([moment.year for moment in firsts if moment is not None] + [today_year])
    return list(range(today_year, first_year - 1, -1))
