"""One-time submission keys of the creating forms (app/platform/submissions.py)."""
from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class FormSubmission(Base):
    """A creating form that has been sent once, and the page its first answer pointed to.

    The key is the primary key, so two requests carrying the same key cannot both
    insert it: the second waits for the first and then fails, on both databases.
    """

    __tablename__ = "form_submission"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    result_url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
