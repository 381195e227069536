"""Rate-limit counters kept in the database, so every worker process sees the same counts."""
from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class RateLimitCounter(Base):
    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    # Unix time when the fixed window ends and the count starts again from zero.
    expires_at: Mapped[float] = mapped_column(Float, index=True)
