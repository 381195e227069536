"""Feedback after an event: attendance, the link mailed the day after, the answers and their summaries.

Staff mark who came; `send_feedback_requests` (run from cron) mails each of
them, once, a link of their own.  The link's random token exists only in the
mail; the sign-up keeps its SHA-256, and answering spends it with a
conditional UPDATE that exactly one request can win, so a link gives one
answer.  Opening the link (GET, as mail scanners do) changes nothing.  The
answers are stored without the sign-up, keyed by the statement as it was
asked.  The scale and the summaries are the workshops' (app/platform/surveys.py).
Nothing here commits.
"""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.events.display import format_moment, template_labels
from app.events.signups import SignupError, claim, has_ended, mail_due, session_bounds
from app.extensions import db
from app.models import Event, EventFeedbackResponse, EventSignup, utcnow
from app.platform.calendar import format_date, helsinki_time
from app.platform.i18n import N_, app_text, in_language
from app.platform.outbox import queue_mail
from app.platform.surveys import OPEN_ANSWER_MAX, Answered, FeedbackSummary, check_answers, summarise, summary_csv
from app.platform.tokens import hash_token, link_url

# The statements a new event's form offers; staff may change them per event. An event stores
# them as written (its answers are kept under them); these read in the page's language (app_text).
DEFAULT_STATEMENTS = (
    N_("Tapahtuma vastasi odotuksiani"),
    N_("Sain tietoa, jota voin käyttää työssäni tai toiminnassani"),
    N_("Tapasin muita toimijoita ja sain uusia yhteyksiä"),
    N_("Järjestelyt toimivat hyvin"),
    N_("Osallistuisin vastaavaan tapahtumaan uudelleen"),
)
MAX_STATEMENTS = 8
STATEMENT_MAX_LENGTH = 200
# Counted from the end of the event's last session; the link is mailed only while it can be answered.
FEEDBACK_OPEN_FOR = timedelta(days=30)


class AlreadyAnswered(Exception):
    """The link has been used: its answer is stored."""


class FeedbackClosed(Exception):
    """The answering time has ended."""


def feedback_closes_at(event: Event) -> datetime:
    """When answering ends (Helsinki, naive)."""
    return event.ends_at + FEEDBACK_OPEN_FOR


def attendance_can_be_marked(event: Event, now: datetime | None = None) -> bool:
    return event.status == "published" and event.starts_at <= helsinki_time(now)


def mark_attendance(event: Event, came: set[int], *, now: datetime | None = None) -> tuple[int, int]:
    """Mark each sign-up with a place as came (its id in `came`) or not; returns (came, did not)."""
    if not attendance_can_be_marked(event, now):
        raise SignupError(_("Osallistuneet voi merkitä, kun tapahtuma on alkanut."))
    signups = list(db.session.scalars(
        select(EventSignup).where(EventSignup.event_id == event.id, EventSignup.status == "confirmed")
    ))
    for signup in signups:
        signup.attended = signup.id in came
    db.session.flush()
    attended = sum(1 for signup in signups if signup.attended)
    return attended, len(signups) - attended


def send_feedback_requests(*, now: datetime | None = None) -> int:
    """Mail the feedback link to everyone marked as came, from the day after the event, once each.

    Returns how many were queued.  Events whose answering time has ended are
    left alone, so attendance marked very late mails nobody.
    """
    now = now or utcnow()
    local_now = helsinki_time(now)
    today_start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    bounds = session_bounds()
    due = mail_due(bounds, EventSignup.feedback_sent_at, EventSignup.attended.is_(True),
                   bounds.c.ends_at < today_start, bounds.c.ends_at > local_now - FEEDBACK_OPEN_FOR)
    sent = 0
    for signup in due:
        token = secrets.token_urlsafe(32)
        if claim(signup, EventSignup.feedback_sent_at, feedback_sent_at=now, feedback_token_hash=hash_token(token)):
            with in_language(signup.language):
                queue_mail(signup.email, "event_feedback", signup=signup, event=signup.event,
                           feedback_url=link_url("events.feedback", token=token),
                           closes_at=format_moment(feedback_closes_at(signup.event)), **template_labels())
            sent += 1
    return sent


def signup_for_feedback_token(token: str) -> EventSignup | None:
    return db.session.scalar(select(EventSignup).where(EventSignup.feedback_token_hash == hash_token(token)))


def feedback_is_open(event: Event, now: datetime | None = None) -> bool:
    return has_ended(event, now) and helsinki_time(now) < feedback_closes_at(event)


def record_answer(signup: EventSignup, answers: dict[str, int], open_answer: str = "",
                  *, now: datetime | None = None) -> EventFeedbackResponse:
    """Spend the sign-up's link and store its answers, every statement on the 1–4 scale; flush, no commit."""
    now = now or utcnow()
    event = signup.event
    check_answers(answers, event.feedback_statements)
    if not feedback_is_open(event, now):
        raise FeedbackClosed()
    if not claim(signup, EventSignup.feedback_answered_at, feedback_answered_at=now):
        raise AlreadyAnswered()
    response = EventFeedbackResponse(
        event_id=event.id,
        answers={statement: answers[statement] for statement in event.feedback_statements},
        open_answer=open_answer.strip()[:OPEN_ANSWER_MAX],
        created_at=now,
    )
    db.session.add(response)
    db.session.flush()
    return response


# ---- what staff read -----------------------------------------------------

@dataclass
class FeedbackProgress:
    """How far one event's feedback has come."""

    attended: int
    sent: int
    answered: int


def feedback_progress(event: Event) -> FeedbackProgress:
    signups = select(EventSignup).where(EventSignup.event_id == event.id, EventSignup.status == "confirmed").subquery()
    attended, sent, answered = db.session.execute(
        select(
            func.count().filter(signups.c.attended.is_(True)),
            func.count(signups.c.feedback_sent_at),
            func.count(signups.c.feedback_answered_at),
        )
    ).one()
    return FeedbackProgress(attended, sent, answered)


def feedback_summary(event: Event | None = None, kind: str = "") -> FeedbackSummary:
    """One event's answers under its own statements, or every event's (of one kind) under the default set.

    In a summary over several events, a statement of an event's own gets a row
    of its own after the default set.
    """
    query = (
        select(EventFeedbackResponse, Event)
        .join(Event, Event.id == EventFeedbackResponse.event_id)
        .options(selectinload(Event.sessions))
        .order_by(EventFeedbackResponse.created_at, EventFeedbackResponse.id)
    )
    if event is not None:
        query = query.where(Event.id == event.id)
    if kind:
        query = query.where(Event.kind == kind)
    statements = event.feedback_statements if event is not None else DEFAULT_STATEMENTS
    responses = (
        Answered(response.answers, response.open_answer, f"{answered.title}, {format_date(answered.starts_at.date())}",
                 response.created_at)
        for response, answered in db.session.execute(query)
    )
    return summarise([(statement, app_text(statement)) for statement in statements], responses)


def feedback_csv(event: Event | None = None, kind: str = "") -> str:
    return summary_csv(feedback_summary(event, kind))
