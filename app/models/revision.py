"""Every change to an organisation writes one revision with a full snapshot."""
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.organisation import Organisation


SUMMARY_LENGTH = 300


class Revision(Base):
    __tablename__ = "revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    snapshot: Mapped[dict] = mapped_column(JSON)
    summary: Mapped[str] = mapped_column(String(SUMMARY_LENGTH), default="")

    organisation: Mapped[Organisation] = relationship()
