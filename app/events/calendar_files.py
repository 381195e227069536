"""Events as iCalendar: the public files (one event, the feed) and the invitations mailed to those signed up.

Each session is its own calendar event (UID event-<id>-<session id>@host), so
an event of two days shows as two entries and iTIP's one-UID-per-message
rule holds: a sign-up mail carries one invitation per session.
"""
from collections.abc import Sequence
from datetime import datetime
from flask_babel import gettext as _

from app.models import Event, EventSession, EventSignup
from app.platform.calendar import CALENDAR_MIMETYPE, CalendarEvent, invitation, organizer, published_calendar, uid_host
from app.platform.tokens import link_url

def session_uid(session: EventSession) -> str:
    return f"event-{session.event_id}-{session.id}@{uid_host()}"


def location(event: Event, *, with_link: bool) -> str:
    """The place as one line; a remote event's link only for those signed up."""
    if event.remote:
        return _("Etäyhteys: %(link)s", link=event.remote_link) if with_link else _("Etäyhteys")
    town = event.municipality.label if event.municipality else ""
    return ", ".join(part for part in (event.place_name, event.address, town) if part)


def _calendar_event(event: Event, session: EventSession, signup: EventSignup | None) -> CalendarEvent:
    organizer_name, organizer_email = organizer()
    page = link_url("events.event_page", event_id=event.id)
    description = "\n\n".join(part for part in (
        event.description,
        _("Etäyhteys: %(link)s", link=event.remote_link) if event.remote and signup else "",
        page,
    ) if part)
    return CalendarEvent(
        uid=session_uid(session),
        sequence=event.ics_sequence,
        start=session.starts_at,
        duration=session.ends_at - session.starts_at,
        summary=event.title,
        description=description,
        location=location(event, with_link=signup is not None),
        url=event.remote_link if event.remote and signup else page,
        organizer_email=organizer_email if signup else "",
        organizer_name=organizer_name if signup else "",
        attendee_email=(signup.email or "") if signup else "",
        attendee_name=signup.name if signup else "",
    )


def public_calendar(events: list[Event], *, stamp: datetime, name: str) -> bytes:
    """Every session of `events`, without remote links; cancelled ones marked cancelled."""
    entries = [_calendar_event(event, session, None) for event in events for session in event.sessions]
    cancelled = frozenset(session_uid(s) for event in events if event.status == "cancelled" for s in event.sessions)
    return published_calendar(entries, stamp=stamp, name=name, cancelled_uids=cancelled)


def signup_attachments(signup: EventSignup, *, stamp: datetime, method: str = "REQUEST") -> list[tuple[str, str, bytes]]:
    """One invitation (or cancellation) per session, as mail attachments."""
    return _attachments(signup, signup.event.sessions, stamp=stamp, method=method,
                        base="peruutus" if method == "CANCEL" else "tapahtuma")


def removed_session_attachments(signup: EventSignup, sessions: Sequence[EventSession], *,
                                stamp: datetime) -> list[tuple[str, str, bytes]]:
    """A cancellation of each session taken off the event, so that calendars drop its entry."""
    return _attachments(signup, sessions, stamp=stamp, method="CANCEL", base="peruttu-kerta")


def _attachments(signup: EventSignup, sessions: Sequence[EventSession], *, stamp: datetime, method: str,
                 base: str) -> list[tuple[str, str, bytes]]:
    files = []
    for number, session in enumerate(sessions, start=1):
        name = f"{base}.ics" if len(sessions) == 1 else f"{base}-{number}.ics"
        content = invitation(_calendar_event(signup.event, session, signup), stamp=stamp, method=method)
        files.append((name, CALENDAR_MIMETYPE.format(method=method), content))
    return files
