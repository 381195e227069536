"""Sign-in by e-mailed link: one-time tokens and server-side sessions."""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class LoginToken(Base):
    """A link sent by e-mail. Only the SHA-256 of the random token is stored."""

    __tablename__ = "login_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # a key of tokens.TOKEN_LIFETIMES
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set when a newer link to the same address replaced this one.
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_ip: Mapped[str | None] = mapped_column(String(45))

    def __repr__(self) -> str:
        return f"<LoginToken {self.id} {self.purpose} {self.email}>"


class UserSession(Base):
    """A signed-in browser. The cookie holds a secret; the row holds its SHA-256.

    Deleting the row signs that browser out.
    """

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[str] = mapped_column(String(8))  # a key of sessions.SESSION_LIMITS: contact, staff
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<UserSession {self.role} {self.email}>"
