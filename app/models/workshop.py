"""Two-hour tailored workshops: themes, orders, their history and feedback."""
from datetime import datetime, timedelta

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.config import DEFAULT_LANGUAGE
from app.models.base import Base, Translated, utcnow
from app.models.organisation import Organisation
from app.models.taxonomy import split_list

WORKSHOP_STATUSES = ("new", "confirmed", "held", "cancelled")
AUDIENCES = ("volunteers", "board", "employees", "other")
TIMES_OF_DAY = ("aamupäivä", "iltapäivä", "ilta")
PLACE_KINDS = ("own_premises", "remote")
WORKSHOP_LENGTH = timedelta(hours=2)
# `changed_by` of the steps the orderer took through the status link.
ORDERER = "orderer"


class WorkshopTheme(Translated, Base):
    """A ready-made theme from the centre's materials; staff edit and order them."""

    __tablename__ = "workshop_theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # ';'-separated, shown as a list ("Selkeä kuvaus toiminnasta; …").
    typical_goals: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    name_sv: Mapped[str] = mapped_column(String(120), default="")
    description_sv: Mapped[str] = mapped_column(Text, default="")
    typical_goals_sv: Mapped[str] = mapped_column(Text, default="")
    name_en: Mapped[str] = mapped_column(String(120), default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    typical_goals_en: Mapped[str] = mapped_column(Text, default="")

    @property
    def goal_list(self) -> list[str]:
        """The typical goals in the visitor's language (Finnish when there are none in it)."""
        return split_list(self.translated("typical_goals"))

    def __repr__(self) -> str:
        return f"<WorkshopTheme {self.id} {self.name!r}>"


class WorkshopOrder(Base):
    """One association's order, from the public form through staff handling.

    `scheduled_start` is Europe/Helsinki wall-clock time, stored naive: a
    workshop at 13.00 stays at 13.00 whatever the UTC offset of that day.
    """

    __tablename__ = "workshop_order"
    __table_args__ = (UniqueConstraint("reference_year", "reference_number", name="uq_workshop_order_year_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)  # TP-2026-0042
    reference_year: Mapped[int] = mapped_column(Integer)
    reference_number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="new", index=True)  # WORKSHOP_STATUSES

    organisation_name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    contact_person: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(20))
    audience: Mapped[list[str]] = mapped_column(JSON, default=list)  # AUDIENCES
    participants: Mapped[int] = mapped_column(Integer)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("workshop_theme.id", ondelete="SET NULL"), index=True)
    own_proposal: Mapped[str] = mapped_column(Text, default="")
    goal: Mapped[str] = mapped_column(Text)
    # [{"date": "2026-05-12", "time_of_day": "aamupäivä"}], two or three
    preferred_times: Mapped[list[dict]] = mapped_column(JSON, default=list)
    place_kind: Mapped[str] = mapped_column(String(16))  # PLACE_KINDS
    address: Mapped[str] = mapped_column(String(200), default="")
    municipality: Mapped[str] = mapped_column(String(100), default="")
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    other_info: Mapped[str] = mapped_column(Text, default="")
    # The portal language of the order: the staff's later mail to the orderer is in it.
    language: Mapped[str] = mapped_column(String(2), default=DEFAULT_LANGUAGE, server_default=DEFAULT_LANGUAGE)
    consent_at: Mapped[datetime] = mapped_column(DateTime)
    # SHA-256 of the private status link's token; the token itself is only in the e-mail.
    status_token_hash: Mapped[str] = mapped_column(String(64), unique=True)

    staff_notes: Mapped[str] = mapped_column(Text, default="")
    scheduled_start: Mapped[datetime | None] = mapped_column(DateTime)  # Europe/Helsinki wall-clock time, naive
    place: Mapped[str] = mapped_column(String(300), default="")
    remote_link: Mapped[str] = mapped_column(String(500), default="")
    facilitator: Mapped[str] = mapped_column(String(120), default="")
    # iCalendar SEQUENCE of the invitation last sent; each reschedule or cancellation raises it.
    ics_sequence: Mapped[int] = mapped_column(Integer, default=0)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    cancelled_by: Mapped[str] = mapped_column(String(8), default="")  # "orderer" or "staff", or "" while not cancelled
    # When the reminder two days before went out (once).
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    theme: Mapped[WorkshopTheme | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    slot: Mapped["WorkshopSlot | None"] = relationship(back_populates="order", uselist=False)
    history: Mapped[list["WorkshopStatusChange"]] = relationship(
        back_populates="order", order_by="WorkshopStatusChange.id", cascade="all, delete-orphan"
    )
    survey: Mapped["FeedbackSurvey | None"] = relationship(back_populates="order", cascade="all, delete-orphan")

    @property
    def theme_title(self) -> str:
        return self.theme.label if self.theme else self.own_proposal

    def __repr__(self) -> str:
        return f"<WorkshopOrder {self.reference} {self.status}>"


class WorkshopSlot(Base):
    """Two hours a facilitator has published as free for a workshop; an order holds it.

    `starts_at` is Europe/Helsinki wall-clock time, naive.  `order_id` is set
    when an order takes the slot (one order per slot) and cleared when that
    order is cancelled, so the time is free again.
    """

    __tablename__ = "workshop_slot"
    __table_args__ = (UniqueConstraint("facilitator", "starts_at", name="uq_workshop_slot_facilitator_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    facilitator: Mapped[str] = mapped_column(String(120))
    # Where the facilitator can go, as staff wrote it ("Kuopio, Siilinjärvi"); "" with remote only.
    towns: Mapped[str] = mapped_column(String(300), default="")
    remote: Mapped[bool] = mapped_column(Boolean, default=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("workshop_order.id", ondelete="SET NULL"), unique=True)
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    order: Mapped[WorkshopOrder | None] = relationship(back_populates="slot")

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + WORKSHOP_LENGTH


class WorkshopStatusChange(Base):
    """One step in an order's history: who moved it from what to what, and why."""

    __tablename__ = "workshop_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("workshop_order.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(10), default="")  # "" when the order was created
    to_status: Mapped[str] = mapped_column(String(10))
    changed_by: Mapped[str] = mapped_column(String(254))  # a staff member's e-mail, or "orderer"
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # A confirmation or a move records the agreed time (and the time it replaced) as
    # times, so each reader sees them in their own language; `note` holds what was typed.
    starts_at: Mapped[datetime | None] = mapped_column(DateTime)
    previous_start: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[WorkshopOrder] = relationship(back_populates="history")


class FeedbackSurvey(Base):
    """The anonymous survey of one held workshop, open for 30 days.

    `nonce` and the app's secret key derive the public link, so staff can show
    it again; only its SHA-256 is used to find the survey.
    """

    __tablename__ = "feedback_survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("workshop_order.id", ondelete="CASCADE"), unique=True)
    nonce: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    opens_at: Mapped[datetime] = mapped_column(DateTime)
    closes_at: Mapped[datetime] = mapped_column(DateTime)

    order: Mapped[WorkshopOrder] = relationship(back_populates="survey")
    responses: Mapped[list["FeedbackResponse"]] = relationship(
        back_populates="survey", order_by="FeedbackResponse.id", cascade="all, delete-orphan"
    )


class FeedbackResponse(Base):
    """One participant's answers: {statement key: 1..4} and an optional open answer."""

    __tablename__ = "feedback_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("feedback_survey.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict[str, int]] = mapped_column(JSON)
    open_answer: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    survey: Mapped[FeedbackSurvey] = relationship(back_populates="responses")
