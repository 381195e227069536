"""iCalendar (RFC 5545) invitations for e-mail, in Europe/Helsinki time.

Written by hand: one event with its time zone is a few dozen lines, and the
rules that calendar programs are strict about (CRLF, folding at 75 octets,
escaping, a VTIMEZONE for the TZID) are kept in one place here.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

# Europe/Helsinki since 1983: EET in winter, EEST from the last Sunday of March
# 03:00 to the last Sunday of October 04:00 local time.
HELSINKI_VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Helsinki",
    "X-LIC-LOCATION:Europe/Helsinki",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0300",
    "TZNAME:EEST",
    "DTSTART:19700329T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0300",
    "TZOFFSETTO:+0200",
    "TZNAME:EET",
    "DTSTART:19701025T040000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)
PRODID = "-//Hyvinvointitarjotin//Tyopajat//FI"
MAX_LINE_OCTETS = 75


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
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        *HELSINKI_VTIMEZONE,
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"SEQUENCE:{event.sequence}",
        f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
        f"DTSTART;TZID=Europe/Helsinki:{event.start:%Y%m%dT%H%M%S}",
        f"DTEND;TZID=Europe/Helsinki:{event.start + event.duration:%Y%m%dT%H%M%S}",
        f"SUMMARY:{escape_text(event.summary)}",
        f"STATUS:{'CANCELLED' if method == 'CANCEL' else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    if event.organizer_email:
        lines.append(f"ORGANIZER{_common_name(event.organizer_name)}:mailto:{event.organizer_email}")
    if event.attendee_email:
        lines.append(
            f"ATTENDEE{_common_name(event.attendee_name)};ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:{event.attendee_email}"
        )
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines).encode("utf-8")


def escape_text(value: str) -> str:
    """TEXT value escaping of RFC 5545 §3.3.11: backslash, semicolon, comma, newline."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def _common_name(name: str) -> str:
    # A parameter value with : ; , must be quoted; a quote cannot appear at all.
    name = name.replace('"', "'").replace("\r", " ").replace("\n", " ").strip()
    return f';CN="{name}"' if name else ""


def fold(line: str) -> str:
    """Fold a content line into parts of at most 75 octets, never inside a UTF-8 character."""
    parts = []
    current, size = "", 0
    limit = MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            # Continuation lines start with a space, which counts towards their 75.
            current, size, limit = char, width, MAX_LINE_OCTETS - 1
        else:
            current += char
            size += width
    parts.append(current)
    return "\r\n ".join(parts)
