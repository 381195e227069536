"""An access claim: someone asks to become a contact of an organisation already in the directory."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, utcnow
from app.models.organisation import Organisation

CLAIM_STATUSES = ("pending", "approved", "declined")


class AccessClaim(Base):
    """"Tämä on meidän": approved by a contact of the organisation through a mailed link, or by staff.

    `asked_contacts` is False when the organisation had no contact to ask, so
    only staff can decide.  `decided_by` is the contact's or staff member's address.
    """

    __tablename__ = "access_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    message: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(8), default="pending", index=True)
    asked_contacts: Mapped[bool] = mapped_column(default=False)
    # The language the requester used: the answer is mailed in it.
    language: Mapped[str] = mapped_column(String(2), default="fi")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by: Mapped[str] = mapped_column(String(254), default="")

    organisation: Mapped[Organisation] = relationship()

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"

    def __repr__(self) -> str:
        return f"<AccessClaim {self.id} {self.email} → {self.organisation_id} {self.status}>"
