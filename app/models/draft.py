"""Drafts of the stepped organisation form (app/directory/drafts.py)."""
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class OrganisationDraft(Base):
    """What one person has typed into the organisation form, step by step, before sending it.

    Keyed by the person's address (not the browser session), so a draft outlives an
    expired session or a spent link; `organisation_id` is None for a new organisation.
    `values` holds the raw form input of the steps posted so far (field name → list of
    strings, as a browser sends them), so invalid input comes back as it was typed.
    Personal data: purged after DRAFT_RETENTION and erased with the person.
    """

    __tablename__ = "organisation_draft"
    # PostgreSQL and SQLite both treat NULLs as distinct, so this guards only edits;
    # a new organisation's draft is found by address and, in the rare race of two
    # first saves at once, the newest of them is the one used.
    __table_args__ = (UniqueConstraint("email", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[str] = mapped_column(String(16))  # a FormStep slug: where the person continues
    values: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<OrganisationDraft {self.email} {self.organisation_id or 'new'} {self.step}>"
