"""The centre's own events (Pienmarkkinat, regional meetings, forums, trainings) and their sign-ups."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.config import DEFAULT_LANGUAGE
from app.models.base import Base, utcnow
from app.models.organisation import Organisation
from app.models.taxonomy import Municipality

EVENT_KINDS = ("pienmarkkinat", "aluetilaisuus", "foorumi", "koulutus", "muu")
EVENT_STATUSES = ("published", "cancelled")
# confirmed: has a place; waiting: on the waiting list; cancelled: by the person or with the event.
SIGNUP_STATUSES = ("confirmed", "waiting", "cancelled")


class Event(Base):
    """One event with one or more sessions.

    Times (sessions, sign-up deadline) are Europe/Helsinki wall-clock times,
    stored naive, as workshop times are.  A remote event has no place; its
    link is sent only to those signed up and never shown on public pages.
    """

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), index=True)  # EVENT_KINDS
    audience: Mapped[str] = mapped_column(String(300), default="")
    remote: Mapped[bool] = mapped_column(Boolean, default=False)
    place_name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="SET NULL"), index=True
    )
    accessibility: Mapped[str] = mapped_column(Text, default="")
    remote_link: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int] = mapped_column(Integer)
    signup_deadline: Mapped[datetime] = mapped_column(DateTime)  # Helsinki, naive
    several_per_organisation: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(10), default="published", index=True)  # EVENT_STATUSES
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    # iCalendar SEQUENCE of the invitations last sent; a change of time or place or a cancellation raises it.
    ics_sequence: Mapped[int] = mapped_column(Integer, default=0)
    # The statements of the feedback survey sent after the event, in the order asked.
    feedback_statements: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    municipality: Mapped[Municipality | None] = relationship()
    sessions: Mapped[list["EventSession"]] = relationship(
        back_populates="event", order_by="EventSession.starts_at", cascade="all, delete-orphan"
    )
    signups: Mapped[list["EventSignup"]] = relationship(
        back_populates="event", order_by="EventSignup.id", cascade="all, delete-orphan"
    )

    @property
    def starts_at(self) -> datetime:
        return self.sessions[0].starts_at

    @property
    def ends_at(self) -> datetime:
        return self.sessions[-1].ends_at

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r}>"


class EventSession(Base):
    """One sitting of an event: a date with a start and an end (Helsinki, naive)."""

    __tablename__ = "event_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime)

    event: Mapped[Event] = relationship(back_populates="sessions")


class EventSignup(Base):
    """One person's sign-up; one row per person, so attendance can be marked on it.

    `email` is normalised and unique per event (NULL once anonymised).
    """

    __tablename__ = "event_signup"
    __table_args__ = (UniqueConstraint("event_id", "email", name="uq_event_signup_event_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)  # SIGNUP_STATUSES
    name: Mapped[str] = mapped_column(String(120))
    organisation_name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(20), default="")
    dietary_needs: Mapped[str] = mapped_column(Text, default="")
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    # The portal language of the sign-up: every later mail (reminder, change, cancellation) is in it.
    language: Mapped[str] = mapped_column(String(2), default=DEFAULT_LANGUAGE, server_default=DEFAULT_LANGUAGE)
    consent_at: Mapped[datetime] = mapped_column(DateTime)
    # The private change-or-cancel link: its token is derived from this nonce and the
    # secret key (tokens.derived_token), so every mail carries the same link; the
    # token's SHA-256 finds the row.
    manage_nonce: Mapped[str] = mapped_column(String(32))
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Marked by staff from the participants list: True came, False did not, None not marked.
    attended: Mapped[bool | None] = mapped_column(Boolean)
    # The feedback link mailed the day after: only its SHA-256 is kept; answering spends it.
    feedback_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    feedback_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    feedback_answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime)

    event: Mapped[Event] = relationship(back_populates="signups")
    organisation: Mapped[Organisation | None] = relationship()

    def __repr__(self) -> str:
        return f"<EventSignup {self.id} event={self.event_id} {self.status}>"


class EventFeedbackResponse(Base):
    """One participant's anonymous answers: {statement: 1..4} and an optional open answer.

    Keyed by the statement's text as it was asked, so answers stay readable
    when staff later change the statements; not linked to the sign-up.
    """

    __tablename__ = "event_feedback_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict[str, int]] = mapped_column(JSON)
    open_answer: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    event: Mapped[Event] = relationship()
