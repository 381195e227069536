"""Helpers of the event tests: an event a given number of days ahead, the sign-up form, links from mail."""
import re
from datetime import datetime, time, timedelta

import icalendar
from sqlalchemy import select

from app.events.events import EventDetails, create_event
from app.extensions import db
from app.models import Event, Municipality
from app.platform.calendar import helsinki_time

MANAGE_PATH = re.compile(r"/tapahtumat/ilmoittautuminen/[A-Za-z0-9_\-]+")


def make_event(*, days_ahead: int = 20, capacity: int = 10, remote: bool = False, town: str = "Iisalmi",
               deadline_days_before: int = 3, several: bool = True, sessions: int = 1,
               title: str = "Aluetilaisuus Iisalmessa", kind: str = "aluetilaisuus") -> Event:
    day = helsinki_time().date() + timedelta(days=days_ahead)
    municipality = None if remote else db.session.scalar(select(Municipality).where(Municipality.name_fi == town))
    event = create_event(EventDetails(
        title=title, description="Ajankohtaista järjestöille.", kind=kind, audience="Järjestöjen väki",
        remote=remote, place_name="" if remote else "Kulttuurikeskus", address="" if remote else "Kirkkokatu 9",
        municipality_id=municipality.id if municipality else None, accessibility="Esteetön sisäänkäynti.",
        remote_link="https://meet.example/salainen" if remote else "", capacity=capacity,
        signup_deadline=datetime.combine(day - timedelta(days=deadline_days_before), time(16)),
        several_per_organisation=several,
        sessions=[(datetime.combine(day + timedelta(days=n), time(13)), datetime.combine(day + timedelta(days=n), time(15, 30)))
                  for n in range(sessions)],
    ))
    db.session.commit()
    return event


def signup_form(email: str = "aino@example.fi", **fields) -> dict:
    data = {
        "name": "Aino Virtanen", "organisation_name": "Iisalmen Omaishoitajat ry", "email": email,
        "phone": "040 123 4567", "dietary_needs": "Laktoositon", "accessibility_needs": "",
        "consent": "y", "submission_key": f"{email.split('@')[0]:_<43}"[:43],
    }
    data.update(fields)
    return data


def manage_path(text: str) -> str:
    return MANAGE_PATH.search(text).group(0)


def calendars_of(message) -> list[tuple[icalendar.Calendar, str]]:
    """Every text/calendar attachment of a received message, parsed, with its iTIP method."""
    return [
        (icalendar.Calendar.from_ical(part.get_payload(decode=True)), part.get_param("method"))
        for part in message.walk() if part.get_content_type() == "text/calendar"
    ]
