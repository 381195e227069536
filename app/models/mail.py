"""Outgoing mail: every message waits in the outbox until it is delivered."""
from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class OutboxMessage(Base):
    """One e-mail to one address, written in the transaction that causes it."""

    __tablename__ = "outbox_message"
    # The delivery worker asks for queued messages that are due, oldest first;
    # a repeat is looked for by what the message is about and its address.
    __table_args__ = (
        Index("ix_outbox_message_due", "status", "next_attempt_at"),
        Index("ix_outbox_message_topic", "topic", "to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str] = mapped_column(Text, default="")
    # [{"name": "kutsu.ics", "mimetype": "text/calendar", "content": "<base64>"}]
    attachments: Mapped[list[dict]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(8), default="queued")  # queued, sending, sent, failed (see platform.outbox)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    # Generated when queued, so a retry after an ambiguous failure is the same message.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # What the message is about ("shared-list:<code>"), where a repeat must be found once the
    # body is gone (it is emptied on delivery) and the address is kept nowhere else; mostly empty.
    topic: Mapped[str] = mapped_column(String(64), default="")

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.status} {self.subject!r}>"
