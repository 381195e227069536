"""Fictional demo events with sign-ups, so `make run` shows upcoming and past events, and the
past ones with attendance and feedback.

Sign-ups, attendance and answers are added as rows, not through the
services: the demo must not queue mail to its invented addresses.
"""
import secrets
from datetime import datetime, time, timedelta

from sqlalchemy import exists, select

from app.events.events import EventDetails, create_event
from app.events.signups import new_manage_link
from app.extensions import db
from app.models import Event, EventFeedbackResponse, EventSignup, Municipality, Organisation, utcnow
from app.platform.calendar import helsinki_time
from app.platform.tokens import hash_token

# (title, kind, days from today, start, end, town or None for remote, capacity, sign-ups, waiting)
DEMO_EVENTS = (
    ("Pienmarkkinat Kuopiossa", "pienmarkkinat", 21, time(10), time(14), "Kuopio", 40, 6, 0),
    ("Aluetilaisuus Iisalmessa", "aluetilaisuus", 10, time(13), time(15, 30), "Iisalmi", 3, 3, 2),
    ("Vammais- ja vanhusneuvostojen foorumi", "foorumi", 30, time(9), time(11), None, 60, 4, 0),
    ("Aluetilaisuus Varkaudessa", "aluetilaisuus", -14, time(13), time(15, 30), "Varkaus", 25, 5, 0),
    ("Koulutus: vapaaehtoisten perehdytys", "koulutus", -45, time(17), time(19), "Suonenjoki", 20, 4, 0),
    ("Pienmarkkinat Iisalmessa", "pienmarkkinat", -110, time(10), time(14), "Iisalmi", 40, 8, 0),
    ("Vanhusneuvostojen foorumi", "foorumi", -200, time(9), time(11), None, 60, 6, 0),
)
# Past events: everyone with a place came but the last one, and these answered the survey
# (one point per statement, in turn); the first of them also wrote an open answer.
DEMO_ANSWERS = ((4, 4, 3, 4, 4), (3, 4, 4, 3, 4), (4, 3, 2, 4, 3), (2, 3, 3, 3, 2), (4, 4, 4, 4, 4))
DEMO_OPEN_ANSWER = "Hyviä keskusteluja ja uusia yhteyksiä. Lisää aikaa verkostoitumiselle ensi kerralla!"
DEMO_NAMES = ("Aino Virtanen", "Eero Korhonen", "Helmi Mäkinen", "Ilmari Nieminen", "Kaisa Hämäläinen",
              "Lauri Laine", "Minna Heikkinen", "Olli Koskinen")


def seed_demo_events(*, now: datetime | None = None) -> int:
    """Add the demo events when there are none; returns how many were added."""
    if db.session.scalar(select(exists().where(Event.id.is_not(None)))):
        return 0
    now = now or utcnow()
    today = helsinki_time(now).date()
    organisations = list(db.session.scalars(
        select(Organisation).where(Organisation.status == "published").order_by(Organisation.id).limit(8)
    ))
    for title, kind, days, start, end, town, capacity, confirmed, waiting in DEMO_EVENTS:
        day = today + timedelta(days=days)
        municipality = db.session.scalar(select(Municipality).where(Municipality.name_fi == town)) if town else None
        event = create_event(EventDetails(
            title=title, kind=kind,
            description="Tervetuloa kuulemaan ajankohtaisista asioista ja tapaamaan muita järjestötoimijoita. "
                        "Tarjolla kahvia.\n\nTämä on esimerkkitapahtuma.",
            audience="Sote-järjestöjen työntekijät ja vapaaehtoiset",
            remote=municipality is None, place_name="Järjestötalo" if municipality else "",
            address="Kauppakatu 1" if municipality else "", municipality_id=municipality.id if municipality else None,
            accessibility="Kulku ilman portaita, esteetön wc, induktiosilmukka." if municipality else "",
            remote_link="" if municipality else "https://meet.example.fi/foorumi",
            capacity=capacity, signup_deadline=datetime.combine(day - timedelta(days=3), time(16)),
            several_per_organisation=kind != "aluetilaisuus",
            sessions=[(datetime.combine(day, start), datetime.combine(day, end))],
        ), now=now)
        for number in range(confirmed + waiting):
            organisation = organisations[number % len(organisations)] if organisations else None
            name = DEMO_NAMES[number % len(DEMO_NAMES)]
            signup = EventSignup(
                event_id=event.id, status="confirmed" if number < confirmed else "waiting", name=name,
                organisation_name=organisation.name if organisation else "Esimerkkiyhdistys ry",
                organisation_id=organisation.id if organisation else None,
                email=f"{name.split()[0].lower()}.{number}.{event.id}@example.fi", consent_at=now,
                created_at=now,
                dietary_needs="Gluteeniton" if number == 1 else "",
            )
            new_manage_link(signup)
            db.session.add(signup)
        if days < 0:
            db.session.flush()
            _attendance_and_feedback(event, now)
    db.session.flush()
    return len(DEMO_EVENTS)


def _attendance_and_feedback(event: Event, now: datetime) -> None:
    """All but the last with a place came and got the survey; some answered."""
    came = [signup for signup in event.signups if signup.status == "confirmed"][:-1]
    for signup in event.signups:
        signup.attended = signup in came
    for signup, points in zip(came, DEMO_ANSWERS[: max(len(came) - 1, 1)]):
        signup.feedback_sent_at = signup.feedback_answered_at = now
        signup.feedback_token_hash = hash_token(secrets.token_urlsafe(32))
        db.session.add(EventFeedbackResponse(
            event_id=event.id, answers=dict(zip(event.feedback_statements, points)),
            open_answer=DEMO_OPEN_ANSWER if signup is came[0] else "", created_at=now,
        ))
