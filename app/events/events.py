"""Events as staff make them and the public finds them: create, edit, copy, cancel, list, message.

Times are Europe/Helsinki wall-clock times, naive.  Nothing here commits.
"""
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.directory.reads import alphabetical
from app.events.calendar_files import removed_session_attachments, signup_attachments
from app.events.display import SIGNUP_STATUS_LABELS
from app.events.feedback import DEFAULT_STATEMENTS
from app.events.signups import (
    ACTIVE,
    QUEUE_ORDER,
    SignupError,
    confirmed_count,
    mail_context,
    manage_token,
    promote_waiting,
    session_bounds,
)
from app.extensions import db
from app.models import Event, EventSession, EventSignup, Municipality, utcnow
from app.platform.calendar import helsinki_time
from app.platform.i18n import in_language
from app.platform.outbox import queue_mail, queued_since
from app.platform.submissions import REPEAT_WINDOW
from app.platform.csv_export import csv_text
from app.platform.tokens import link_url
from app.platform.validation import format_phone_fi


@dataclass
class EventDetails:
    """What staff typed, already validated by the event form."""

    title: str
    description: str
    kind: str
    audience: str
    remote: bool
    place_name: str
    address: str
    municipality_id: int | None
    accessibility: str
    remote_link: str
    capacity: int
    signup_deadline: datetime | None  # None only in a copy, whose times are set anew
    several_per_organisation: bool
    sessions: list[tuple[datetime, datetime]] = field(default_factory=list)
    feedback_statements: list[str] = field(default_factory=lambda: list(DEFAULT_STATEMENTS))


DETAIL_FIELDS = (
    "title", "description", "kind", "audience", "remote", "place_name", "address", "municipality_id",
    "accessibility", "remote_link", "capacity", "signup_deadline", "several_per_organisation", "feedback_statements",
)
# What makes the calendar entries people already have out of date.
CALENDAR_FIELDS = ("title", "remote", "place_name", "address", "municipality_id", "remote_link")


def create_event(details: EventDetails, *, now: datetime | None = None) -> Event:
    now = now or utcnow()
    event = Event(status="published", created_at=now)
    _apply(event, details, now)
    db.session.add(event)
    db.session.flush()
    return event


def update_event(event: Event, details: EventDetails, *, now: datetime | None = None) -> int:
    """Save staff's changes; when time or place changed, those with a place get the updated invitation.

    Returns how many were told.  A larger capacity gives places to the waiting list.
    """
    now = now or utcnow()
    if event.status != "published":
        raise SignupError(_("Peruttua tapahtumaa ei voi muokata."))
    taken = confirmed_count(event)
    if details.capacity < taken:
        raise SignupError(_("Paikkoja on jo varattu %(count)d. Paikkamäärä ei voi olla sitä pienempi.", count=taken),
                          "capacity")
    before = _calendar_state(event)
    removed = _apply(event, details, now)
    db.session.flush()
    told = 0
    if _calendar_state(event) != before:
        event.ics_sequence += 1
        for signup in _signups(event, ("confirmed",)):
            _tell(signup, "event_changed", now, invitation="REQUEST", removed_sessions=removed)
            told += 1
    promote_waiting(event, now=now)
    return told


def _calendar_state(event: Event) -> tuple:
    return tuple(getattr(event, name) for name in CALENDAR_FIELDS) + tuple(
        (s.starts_at, s.ends_at) for s in event.sessions
    )


def _apply(event: Event, details: EventDetails, now: datetime) -> list[EventSession]:
    """Set the details; returns the sessions taken off (their calendar entries are to be cancelled)."""
    for name in DETAIL_FIELDS:
        setattr(event, name, getattr(details, name))
    if details.remote:
        event.place_name = event.address = ""
        event.municipality_id = None
    else:
        event.remote_link = ""
    wanted = sorted(details.sessions)
    removed: list[EventSession] = []
    if [(s.starts_at, s.ends_at) for s in event.sessions] != wanted:
        # A session's row id is in its calendar UID: a moved session keeps its row, so the
        # updated invitation replaces the entry people have instead of adding a second one.
        kept, removed = event.sessions[:len(wanted)], event.sessions[len(wanted):]
        for row, (start, end) in zip(kept, wanted):
            row.starts_at, row.ends_at = start, end
        event.sessions = kept + [EventSession(starts_at=start, ends_at=end) for start, end in wanted[len(kept):]]
    event.updated_at = now
    return removed


def event_details(event: Event) -> EventDetails:
    values = {name: getattr(event, name) for name in DETAIL_FIELDS}
    values["feedback_statements"] = list(event.feedback_statements)
    return EventDetails(**values, sessions=[(s.starts_at, s.ends_at) for s in event.sessions])


def copy_details(event: Event) -> EventDetails:
    """An event as the starting point of the next one: everything but the times."""
    details = event_details(event)
    details.signup_deadline, details.sessions = None, []
    return details


def cancel_event(event: Event, reason: str, *, now: datetime | None = None) -> int:
    """Cancel the event; everyone signed up is told, those with a place with a calendar cancellation."""
    now = now or utcnow()
    if event.status == "cancelled":
        raise SignupError(_("Tapahtuma on jo peruttu."))
    event.status, event.cancel_reason, event.updated_at = "cancelled", reason, now
    event.ics_sequence += 1
    db.session.flush()
    told = 0
    for signup in _signups(event, ACTIVE):
        _tell(signup, "event_cancelled", now, invitation="CANCEL" if signup.status == "confirmed" else "")
        told += 1
    return told


def message_participants(event: Event, subject: str, message: str, *, include_waiting: bool,
                         now: datetime | None = None) -> int | None:
    """Staff's own message to everyone with a place (and the waiting list when asked); returns how many.

    None, and nothing queued, when the same message went to the event's participants
    within REPEAT_WINDOW: Back restores a sent form under a new one-time key.
    """
    now = now or utcnow()
    digest = hashlib.sha256(f"{subject}\n{message}".encode()).hexdigest()[:32]
    topic = f"event-message:{event.id}:{digest}"
    if queued_since(None, topic, now - REPEAT_WINDOW):
        return None
    statuses = ACTIVE if include_waiting else ("confirmed",)
    signups = _signups(event, statuses)
    for signup in signups:
        with in_language(signup.language):
            queue_mail(signup.email, "event_message", topic=topic, signup=signup, event=event, subject=subject,
                       message=message, manage_url=link_url("events.manage", token=manage_token(signup)),
                       **mail_context(signup))
    return len(signups)


def _signups(event: Event, statuses) -> list[EventSignup]:
    return list(db.session.scalars(
        select(EventSignup).where(
            EventSignup.event_id == event.id, EventSignup.status.in_(statuses), EventSignup.email.is_not(None)
        ).order_by(EventSignup.id)
    ))


def _tell(signup: EventSignup, template: str, now: datetime, *, invitation: str,
          removed_sessions: Sequence[EventSession] = ()) -> None:
    with in_language(signup.language):
        attachments = signup_attachments(signup, stamp=now, method=invitation) if invitation else []
        attachments += removed_session_attachments(signup, removed_sessions, stamp=now)
        queue_mail(signup.email, template, attachments=attachments, signup=signup, event=signup.event,
                   manage_url=link_url("events.manage", token=manage_token(signup)),
                   events_url=link_url("events.index"), **mail_context(signup))


# ---- reads ---------------------------------------------------------------

def list_events(*, past: bool, kind: str = "", municipality_id: int | None = None,
                now: datetime | None = None) -> list[Event]:
    """Upcoming events soonest first, or past events latest first; cancelled ones included and marked."""
    local_now = helsinki_time(now)
    bounds = session_bounds()
    query = (
        select(Event).join(bounds, bounds.c.event_id == Event.id)
        .options(selectinload(Event.sessions), selectinload(Event.municipality))
    )
    if past:
        query = query.where(bounds.c.ends_at < local_now).order_by(bounds.c.starts_at.desc(), Event.id.desc())
    else:
        query = query.where(bounds.c.ends_at >= local_now).order_by(bounds.c.starts_at, Event.id)
    if kind:
        query = query.where(Event.kind == kind)
    if municipality_id is not None:
        query = query.where(Event.municipality_id == municipality_id)
    return list(db.session.scalars(query))


def event_municipalities() -> list[Municipality]:
    """The municipalities that have had an event, for the list's filter."""
    return alphabetical(db.session.scalars(select(Municipality).where(Municipality.id.in_(select(Event.municipality_id)))))


@dataclass
class ParticipantSummary:
    confirmed: list[EventSignup]
    waiting: list[EventSignup]
    cancelled: int
    by_organisation: list[tuple[str, int]]
    by_municipality: list[tuple[str, int]]


def participant_municipality(signup: EventSignup) -> str:
    """Where the participant's organisation is: its post office in the directory, when linked."""
    organisation = signup.organisation
    return organisation.post_office if organisation is not None and organisation.post_office else _("Ei tiedossa")


def participant_summary(event: Event) -> ParticipantSummary:
    """Who is coming, who waits, and the counts of those with a place per organisation and municipality."""
    signups = list(db.session.scalars(
        select(EventSignup).where(EventSignup.event_id == event.id)
        .options(selectinload(EventSignup.organisation)).order_by(*QUEUE_ORDER)
    ))
    confirmed = sorted((s for s in signups if s.status == "confirmed"), key=lambda s: (s.name.lower(), s.id))
    return ParticipantSummary(
        confirmed=confirmed,
        waiting=[s for s in signups if s.status == "waiting"],
        cancelled=sum(1 for s in signups if s.status == "cancelled"),
        by_organisation=_counted(s.organisation_name for s in confirmed),
        by_municipality=_counted(participant_municipality(s) for s in confirmed),
    )


def _counted(values) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0].lower()))


def staff_event_list(*, now: datetime | None = None) -> tuple[list[Event], list[Event]]:
    return list_events(past=False, now=now), list_events(past=True, now=now)


def signup_counts() -> dict[int, dict[str, int]]:
    """{event id: {status: count}} for the staff list."""
    counts: dict[int, dict[str, int]] = {}
    rows = db.session.execute(
        select(EventSignup.event_id, EventSignup.status, func.count()).group_by(EventSignup.event_id, EventSignup.status)
    )
    for event_id, status, count in rows:
        counts.setdefault(event_id, {})[status] = count
    return counts


def participants_csv(event: Event) -> str:
    """Everyone with a place, then the waiting list: the columns of the participants table."""
    summary = participant_summary(event)
    header = [_("Tila"), _("Nimi"), _("Järjestö"), _("Kunta"), _("Sähköposti"), _("Puhelin"),
              _("Erityisruokavalio"), _("Saavutettavuustarpeet"), _("Ilmoittautunut")]
    rows = [
        [str(SIGNUP_STATUS_LABELS[s.status]), s.name, s.organisation_name, participant_municipality(s), s.email or "",
         format_phone_fi(s.phone) if s.phone else "", s.dietary_needs, s.accessibility_needs, helsinki_time(s.created_at).isoformat(sep=" ", timespec="minutes")]
        for s in [*summary.confirmed, *summary.waiting]
    ]
    return csv_text(header, rows)
