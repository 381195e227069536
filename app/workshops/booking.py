"""Booking workshops: the facilitators' free slots, holding one for an order, and the clash rules.

Staff publish two-hour slots (a facilitator, days of the week, start times,
the towns they can go to or remote).  The order form offers the free slots of
the next three months; an order holds its slot until it is cancelled.  The
same rules guard every time staff put in the calendar — a published slot, a
confirmed or moved workshop: on a weekday between 8 and 20, and not over a
confirmed workshop, an event of the centre, or a slot another order holds;
a person may override a rule by writing why.  An orderer who proposes dates
instead has the same horizon, and weekdays that are no public holiday.
Nothing here commits.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.extensions import db
from app.models import Event, EventSession, WorkshopOrder, WorkshopSlot, utcnow
from app.models.workshop import WORKSHOP_LENGTH
from app.platform.calendar import public_holiday
from app.platform.i18n import current_language
from app.platform.validation import ValidationError
from app.workshops.display import format_date, format_workshop_time, helsinki_time

# How far ahead the order form offers slots, and takes proposed dates.
SLOT_HORIZON = timedelta(days=92)
# The earliest day an order may take or propose, from today: time to agree the details.
MIN_DAYS_AHEAD = 14
WORKDAY_STARTS, WORKDAY_ENDS = time(8), time(20)
SATURDAY = 5
MAX_SLOTS_PER_PUBLISH = 400


class BookingError(ValidationError):
    """A time the calendar's rules refuse; `message` is for the person, in their language."""


@dataclass(frozen=True)
class CalendarEntry:
    start: datetime
    end: datetime
    kind: str  # "workshop", "held", "event", "slot", "reserved"
    title: str
    order_id: int | None = None
    event_id: int | None = None


def outside_working_hours(start: datetime) -> bool:
    end = start + WORKSHOP_LENGTH
    return (start.weekday() >= SATURDAY or start.time() < WORKDAY_STARTS
            or end.date() != start.date() or end.time() > WORKDAY_ENDS)


def clashes(start: datetime, *, facilitator: str = "", order_id: int | None = None) -> list[str]:
    """What is already in the calendar during the two hours from `start`, as lines for a person.

    `order_id` is the order being scheduled (its own slot is no clash);
    `facilitator` also counts that facilitator's other slots.
    """
    end = start + WORKSHOP_LENGTH
    found = [
        _("Työpaja %(reference)s %(when)s", reference=order.reference, when=format_workshop_time(order.scheduled_start))
        for order in db.session.scalars(
            select(WorkshopOrder).where(
                WorkshopOrder.status == "confirmed", WorkshopOrder.id != (order_id or 0),
                WorkshopOrder.scheduled_start < end, WorkshopOrder.scheduled_start > start - WORKSHOP_LENGTH,
            ).order_by(WorkshopOrder.scheduled_start)
        )
    ]
    found += [
        _("Tapahtuma %(title)s %(when)s", title=title, when=format_workshop_time(starts_at))
        for title, starts_at in db.session.execute(
            select(Event.title, EventSession.starts_at).join(Event, Event.id == EventSession.event_id).where(
                Event.status == "published", EventSession.starts_at < end, EventSession.ends_at > start,
            ).order_by(EventSession.starts_at)
        )
    ]
    overlapping_slot = (WorkshopSlot.starts_at < end) & (WorkshopSlot.starts_at > start - WORKSHOP_LENGTH)
    held_by_others = WorkshopSlot.order_id.is_not(None) & (WorkshopSlot.order_id != (order_id or 0))
    same_facilitator = WorkshopSlot.facilitator == facilitator if facilitator else False
    for slot in db.session.scalars(
        select(WorkshopSlot).where(overlapping_slot, held_by_others | same_facilitator).order_by(WorkshopSlot.starts_at)
    ):
        if slot.order_id is not None and slot.order_id != order_id:
            # The order itself is listed above once confirmed; a new order holds its slot.
            if slot.order is not None and slot.order.status == "confirmed":
                continue
            found.append(_("Tilauksen %(reference)s varaama aika %(when)s",
                           reference=slot.order.reference if slot.order else "", when=format_workshop_time(slot.starts_at)))
        elif slot.order_id is None:
            found.append(_("Ohjaajan %(name)s vapaa aika %(when)s", name=slot.facilitator,
                           when=format_workshop_time(slot.starts_at)))
    return found


def check_time(start: datetime, override_reason: str = "", *, facilitator: str = "",
               order_id: int | None = None) -> list[str]:
    """The rules for one time; returns what was overridden (empty when nothing broke a rule).

    Raises BookingError naming every problem unless `override_reason` says why
    the time is wanted anyway.
    """
    problems = []
    if outside_working_hours(start):
        problems.append(_("Aika on arkipäivän klo 8–20 ulkopuolella."))
    problems += [_("Päällekkäin: %(what)s", what=line) for line in clashes(start, facilitator=facilitator,
                                                                             order_id=order_id)]
    if problems and not override_reason.strip():
        raise BookingError(" ".join(problems) + " " + _("Valitse toinen aika tai kirjoita poikkeuksen syy."))
    return problems


def last_day_offered(today: date) -> date:
    """The last day of SLOT_HORIZON: the order form offers free slots and takes proposed dates until then."""
    return today + SLOT_HORIZON - timedelta(days=1)


def check_preferred_date(value: date, today: date) -> None:
    """A date an orderer proposes: a weekday that is no public holiday, from MIN_DAYS_AHEAD days ahead
    to last_day_offered."""
    earliest, latest = today + timedelta(days=MIN_DAYS_AHEAD), last_day_offered(today)
    if value <= today:
        raise ValidationError(_("Päivä on jo mennyt. Valitse tuleva päivä."))
    if value < earliest:
        raise ValidationError(_("Valitse päivä, joka on vähintään %(days)d päivän päässä, aikaisintaan %(date)s.",
                                days=MIN_DAYS_AHEAD, date=format_date(earliest)))
    if value > latest:
        raise ValidationError(_("Valitse päivä, joka on enintään %(days)d päivän päässä, viimeistään %(date)s.",
                                days=(latest - today).days, date=format_date(latest)))
    if value.weekday() >= SATURDAY:
        raise ValidationError(_("Työpajat pidetään arkipäivisin. Valitse päivä maanantaista perjantaihin."))
    if holiday := public_holiday(value, current_language()):
        raise ValidationError(_("%(date)s on pyhäpäivä (%(holiday)s). Työpajat pidetään arkipäivisin: valitse "
                                "toinen päivä.", date=format_date(value), holiday=holiday))


# ---- slots -----------------------------------------------------------------

def slot_times(first_day: date, last_day: date, weekdays: set[int], start_times: list[time]) -> list[datetime]:
    """Every start the availability form describes, in order."""
    starts = []
    day = first_day
    while day <= last_day:
        if day.weekday() in weekdays:
            starts += [datetime.combine(day, start) for start in sorted(start_times)]
        day += timedelta(days=1)
    return starts


def publish_slots(facilitator: str, starts: list[datetime], towns: str, remote: bool, by: str,
                  override_reason: str = "") -> int:
    """Add the free slots; a start the facilitator already has is skipped.  Returns how many were added.

    All or nothing: one start that breaks a rule (without an override) refuses them all.
    """
    if not starts:
        raise BookingError(_("Valitse ainakin yksi viikonpäivä, joka osuu valitulle ajalle."))
    if len(starts) > MAX_SLOTS_PER_PUBLISH:
        raise BookingError(_("Enintään %(count)d aikaa kerralla. Valitse lyhyempi jakso.", count=MAX_SLOTS_PER_PUBLISH))
    existing = set(db.session.scalars(
        select(WorkshopSlot.starts_at).where(WorkshopSlot.facilitator == facilitator,
                                             WorkshopSlot.starts_at.in_(starts))
    ))
    new = [start for start in starts if start not in existing]
    if not new:
        raise BookingError(_("Ohjaajalla on jo nämä ajat, joten uusia aikoja ei julkaistu."))
    problems = _impossible(new)
    for start in new:
        try:
            check_time(start, override_reason, facilitator=facilitator)
        except BookingError as problem:
            problems.append(problem.message)
    if problems:
        raise BookingError(problems[0] if len(problems) == 1 else
                           _("%(count)d ajasta rikkoo sääntöjä, esimerkiksi: %(first)s",
                             count=len(problems), first=problems[0]))
    now = utcnow()
    db.session.add_all(WorkshopSlot(starts_at=start, facilitator=facilitator, towns=towns, remote=remote,
                                    created_by=by, created_at=now) for start in new)
    db.session.flush()
    return len(new)


def _impossible(starts: list[datetime]) -> list[str]:
    """What no override allows: a time already passed, and one facilitator's two times at once."""
    now = helsinki_time()
    problems = [_("Aika %(when)s on jo mennyt.", when=format_workshop_time(start)) for start in starts if start <= now]
    ordered = sorted(starts)
    problems += [_("Ohjaajan ajat %(first)s ja %(second)s menevät päällekkäin.", first=format_workshop_time(first),
                   second=format_workshop_time(second))
                 for first, second in zip(ordered, ordered[1:]) if second < first + WORKSHOP_LENGTH]
    return problems


def upcoming_slots(today: date | None = None) -> list[WorkshopSlot]:
    """Every slot from today on, free and held, for the staff's list."""
    today = today or helsinki_time().date()
    return list(db.session.scalars(
        select(WorkshopSlot).where(WorkshopSlot.starts_at >= datetime.combine(today, time()))
        .order_by(WorkshopSlot.starts_at, WorkshopSlot.facilitator)
    ))


def free_slots(earliest: date, today: date | None = None) -> list[WorkshopSlot]:
    """The slots an order may take: free, from `earliest` to the horizon, not over anything confirmed since."""
    today = today or helsinki_time().date()
    candidates = list(db.session.scalars(
        select(WorkshopSlot).where(
            WorkshopSlot.order_id.is_(None),
            WorkshopSlot.starts_at >= datetime.combine(earliest, time()),
            WorkshopSlot.starts_at < datetime.combine(last_day_offered(today) + timedelta(days=1), time()),
        ).order_by(WorkshopSlot.starts_at, WorkshopSlot.facilitator)
    ))
    if not candidates:
        return []
    busy = _busy_times(candidates[0].starts_at, candidates[-1].ends_at)
    return [slot for slot in candidates
            if not any(start < slot.ends_at and end > slot.starts_at for start, end in busy)]


def _busy_times(first: datetime, last: datetime) -> list[tuple[datetime, datetime]]:
    workshops = db.session.scalars(select(WorkshopOrder.scheduled_start).where(
        WorkshopOrder.status == "confirmed", WorkshopOrder.scheduled_start < last,
        WorkshopOrder.scheduled_start > first - WORKSHOP_LENGTH))
    sessions = db.session.execute(
        select(EventSession.starts_at, EventSession.ends_at).join(Event, Event.id == EventSession.event_id)
        .where(Event.status == "published", EventSession.starts_at < last, EventSession.ends_at > first))
    return [(start, start + WORKSHOP_LENGTH) for start in workshops] + [tuple(row) for row in sessions]


def slot_taken_message() -> str:
    """For an orderer whose chosen free slot another order took after their form was loaded."""
    return _("Valitsemasi aika ehti juuri varautua toiselle. Valitse toinen aika.")


def hold_slot(slot_id: int, order: WorkshopOrder) -> bool:
    """Take the slot for the order; False when another order took it first."""
    taken = db.session.execute(
        update(WorkshopSlot).where(WorkshopSlot.id == slot_id, WorkshopSlot.order_id.is_(None))
        .values(order_id=order.id).execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(order, ["slot"])
    return taken == 1


def release_slot(order: WorkshopOrder) -> None:
    """The order's slot is free again (the order was cancelled)."""
    db.session.execute(update(WorkshopSlot).where(WorkshopSlot.order_id == order.id).values(order_id=None)
                       .execution_options(synchronize_session=False))
    db.session.expire(order, ["slot"])


def follow_schedule(order: WorkshopOrder) -> None:
    """The order holds the facilitator's slot at its agreed time, if there is one, and no other.

    Staff may agree another time than the slot the order took: that slot is free again for
    the next order, and a free slot at the agreed time is no longer offered beside the workshop.
    """
    held = order.slot
    if held is not None and (held.starts_at, held.facilitator) != (order.scheduled_start, order.facilitator):
        release_slot(order)
        held = None
    if held is None:
        matching = db.session.scalar(select(WorkshopSlot.id).where(
            WorkshopSlot.starts_at == order.scheduled_start, WorkshopSlot.facilitator == order.facilitator,
            WorkshopSlot.order_id.is_(None)))
        if matching is not None:
            hold_slot(matching, order)


def delete_free_slot(slot_id: int) -> bool:
    """Withdraw a slot nobody holds; False when it is held or gone."""
    slot = db.session.get(WorkshopSlot, slot_id, with_for_update=True)
    if slot is None or slot.order_id is not None:
        return False
    db.session.delete(slot)
    db.session.flush()
    return True


def slot_label(slot: WorkshopSlot) -> str:
    """"ti 12.1.2027 klo 13.00–15.00 · Maija Ohjaaja · Kuopio, Siilinjärvi tai etänä"."""
    if slot.towns and slot.remote:
        where = _("%(towns)s tai etänä", towns=slot.towns)
    else:
        where = slot.towns or _("etänä")
    return " · ".join((format_workshop_time(slot.starts_at), slot.facilitator, where))


# ---- the staff calendar ------------------------------------------------------

def calendar_entries(first_day: date, last_day: date) -> dict[date, list[CalendarEntry]]:
    """Everything in the centre's calendar from `first_day` to `last_day`, by day, in time order."""
    first, last = datetime.combine(first_day, time()), datetime.combine(last_day + timedelta(days=1), time())
    entries = [
        CalendarEntry(order.scheduled_start, order.scheduled_start + WORKSHOP_LENGTH,
                      "held" if order.status == "held" else "workshop",
                      f"{order.reference} {order.organisation_name}", order_id=order.id)
        for order in db.session.scalars(select(WorkshopOrder).where(
            WorkshopOrder.status.in_(("confirmed", "held")),
            WorkshopOrder.scheduled_start >= first, WorkshopOrder.scheduled_start < last))
    ]
    entries += [
        CalendarEntry(session.starts_at, session.ends_at, "event", event.title, event_id=event.id)
        for session, event in db.session.execute(
            select(EventSession, Event).join(Event, Event.id == EventSession.event_id).where(
                Event.status == "published", EventSession.starts_at >= first, EventSession.starts_at < last))
    ]
    for slot in db.session.scalars(select(WorkshopSlot).where(WorkshopSlot.starts_at >= first,
                                                              WorkshopSlot.starts_at < last)):
        if slot.order is None:
            entries.append(CalendarEntry(slot.starts_at, slot.ends_at, "slot",
                                         _("Vapaa: %(name)s", name=slot.facilitator)))
        elif slot.order.status == "new":
            entries.append(CalendarEntry(slot.starts_at, slot.ends_at, "reserved",
                                         f"{slot.order.reference} {slot.order.organisation_name}",
                                         order_id=slot.order.id))
    by_day: dict[date, list[CalendarEntry]] = {}
    for entry in sorted(entries, key=lambda e: (e.start, e.kind, e.title)):
        by_day.setdefault(entry.start.date(), []).append(entry)
    return by_day
