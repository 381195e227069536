"""iCalendar (RFC 5545) files in Europe/Helsinki time: invitations for e-mail
(workshops, event sign-ups) and published calendars (the events feed); and
Finland's public holidays.

The `icalendar` library writes the file: escaping, folding at 75 octets, CRLF,
and a VTIMEZONE taken from the system's time zone database, so a change to
Finland's summer time rules needs no change here.
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
import icalendar
from flask_babel import format_date as babel_format_date

from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app

from app.models.base import utcnow

HELSINKI = ZoneInfo("Europe/Helsinki")
PRODID = "-//Hyvinvointitarjotin//Kalenteri//FI"
# The Content-Type of a mailed .ics: the iTIP method (REQUEST, CANCEL) is part of it.
CALENDAR_MIMETYPE = "text/calendar; method={method}; charset=UTF-8"
# The VTIMEZONE covers a year from the event: both observances, a few lines long.
TIMEZONE_SPAN = timedelta(days=366)
# The `holidays` package's names of the portal languages.
HOLIDAY_LANGUAGES = {"fi": "fi", "sv": "sv_FI", "en": "en_US"}


def uid_host() -> str:
    """The host part of calendar UIDs: the portal's own, so they are unique to it."""
    return urlsplit(current_app.config["BASE_URL"]).hostname or "localhost"


def organizer() -> tuple[str, str]:
    """The invitations' organiser as (name, address): the portal's sender."""
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])


def helsinki_time(utc: datetime | None = None) -> datetime:
    """Wall-clock time in Helsinki (naive) for a naive UTC time, by default now."""
    utc = utc or utcnow()
    return utc.replace(tzinfo=UTC).astimezone(HELSINKI).replace(tzinfo=None)


def format_date(value: date | str) -> str:
    """"ti 12.5.2026", the weekday in the language of the page or mail: "tis", "Tue" (ISO strings are accepted too)."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return babel_format_date(value, "EEE d.M.yyyy")


def public_holiday(day: date, language: str = "fi") -> str:
    """The Finnish public holiday on `day`, named in the portal `language`; "" on any other day.

    The `holidays` package keeps the calendar (Easter and midsummer move); it counts
    juhannusaatto and jouluaatto as well, days off in practice.
    """
    return _finnish_holidays(day.year, HOLIDAY_LANGUAGES.get(language, "fi")).get(day, "")


@lru_cache(maxsize=16)
def _finnish_holidays(year: int, language: str) -> holidays.HolidayBase:
    # Built once per year and language: building one costs about a millisecond, and callers
    # ask day after day (working days back from today, each date an orderer proposes).
    return holidays.Finland(years=year, language=language)


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

    `stamp` is the naive UTC time the invitation was made (DTSTAMP).  iTIP
    allows one UID per message, so an event of several sessions sends one
    invitation per session.
    """
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    return _calendar([event], stamp=stamp, method=method, cancelled=method == "CANCEL")


def published_calendar(events: list[CalendarEvent], *, stamp: datetime, name: str = "",
                       cancelled_uids: frozenset[str] = frozenset()) -> bytes:
    """A VCALENDAR of many VEVENTs to download or subscribe to (METHOD:PUBLISH).

    Events whose UID is in `cancelled_uids` are listed with STATUS:CANCELLED, so
    a subscribed calendar shows the cancellation instead of silently losing it.
    """
    return _calendar(events, stamp=stamp, method="PUBLISH", name=name, cancelled_uids=cancelled_uids)


def _calendar(events: list[CalendarEvent], *, stamp: datetime, method: str, name: str = "",
              cancelled: bool = False, cancelled_uids: frozenset[str] = frozenset()) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(_vevent(event, stamp, cancelled or event.uid in cancelled_uids))
    if events:
        first = min(event.start for event in events).date()
        last = max(event.start for event in events).date()
        calendar.add_missing_timezones(first_date=first, last_date=last + TIMEZONE_SPAN)
    return calendar.to_ical()


def _vevent(event: CalendarEvent, stamp: datetime, cancelled: bool) -> icalendar.Event:
    start = event.start.replace(tzinfo=HELSINKI)
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", stamp.replace(tzinfo=UTC))
    vevent.add("dtstart", start)
    vevent.add("dtend", start + event.duration)
    vevent.add("summary", event.summary)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
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
    return vevent


def _address(email: str, name: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{email}")
    # A parameter value cannot hold a line break; the library quotes the rest.
    name = " ".join(name.split())
    if name:
        address.params["CN"] = name
    return address
