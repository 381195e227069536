"""iCalendar (RFC 5545) invitations for e-mail, in Europe/Helsinki time.

The `icalendar` library writes the file: escaping, folding at 75 octets, CRLF,
and a VTIMEZONE taken from the system's time zone database, so a change to
Finland's summer time rules needs no change here.
"""
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

HELSINKI = ZoneInfo("Europe/Helsinki")
PRODID = "-//Hyvinvointitarjotin//Tyopajat//FI"
# The VTIMEZONE covers a year from the event: both observances, a few lines long.
TIMEZONE_SPAN = timedelta(days=366)


@dataclass
class CalendarEvent:
    """One event; `start` is Europe/Helsinki wall-clock time without tzinfo."""

    uid: str
    sequence: int
    start: datetime
    duration: timedelta
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    organizer_email: str = ""
    organizer_name: str = ""
    attendee_email: str = ""
    attendee_name: str = ""


def invitation(event: CalendarEvent, *, stamp: datetime, method: str = "REQUEST") -> bytes:
    """A VCALENDAR with one VEVENT: METHOD:REQUEST invites or updates, CANCEL cancels.

    `stamp` is the naive UTC time the invitation was made (DTSTAMP).
    """
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    start = event.start.replace(tzinfo=HELSINKI)
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", stamp.replace(tzinfo=UTC))
    vevent.add("dtstart", start)
    vevent.add("dtend", start + event.duration)
    vevent.add("summary", event.summary)
    vevent.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    if event.description:
        vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    if event.url:
        vevent.add("url", event.url)
    if event.organizer_email:
        vevent.add("organizer", _address(event.organizer_email, event.organizer_name))
    if event.attendee_email:
        attendee = _address(event.attendee_email, event.attendee_name)
        attendee.params.update(ROLE="REQ-PARTICIPANT", RSVP="FALSE")
        vevent.add("attendee", attendee)

    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(vevent)
    calendar.add_missing_timezones(first_date=start.date(), last_date=start.date() + TIMEZONE_SPAN)
    return calendar.to_ical()


def _address(email: str, name: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{email}")
    # A parameter value cannot hold a line break; the library quotes the rest.
    name = " ".join(name.split())
    if name:
        address.params["CN"] = name
    return address
