"""Contact requests sent from an organisation page or from the tray, and shared tray lists."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.config import DEFAULT_LANGUAGE
from app.models.base import Base, utcnow
from app.models.organisation import Organisation

PREFERRED_CHANNELS = ("puhelin", "tekstiviesti", "sahkoposti")


class ContactRequest(Base):
    """One person's request to be contacted by one organisation.

    A request sent from the tray to five organisations is five rows sharing a
    `batch`.  The personal fields are erased after the retention period; the
    row itself stays so the monthly counts do not change.
    """

    __tablename__ = "contact_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch: Mapped[str] = mapped_column(String(32), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    organisation_name: Mapped[str] = mapped_column(String(200))
    requester_name: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    preferred_channel: Mapped[str] = mapped_column(String(16), default="puhelin")
    preferred_time: Mapped[str] = mapped_column(String(120), default="")
    message: Mapped[str] = mapped_column(String(500), default="")
    on_behalf_of_client: Mapped[bool] = mapped_column(Boolean, default=False)
    professional_name: Mapped[str] = mapped_column(String(120), default="")
    professional_org: Mapped[str] = mapped_column(String(200), default="")
    # The portal language the request was sent in; the organisation's mail names it.
    language: Mapped[str] = mapped_column(String(2), default=DEFAULT_LANGUAGE, server_default=DEFAULT_LANGUAGE)
    # The professional's own callback details, so the organisation can reach the referrer.
    professional_phone: Mapped[str] = mapped_column(String(20), default="")
    professional_email: Mapped[str] = mapped_column(String(254), default="")
    # The client's consent, stated by the professional: who recorded it and when.
    client_consent_by: Mapped[str] = mapped_column(String(120), default="")
    client_consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    consent_at: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    handled_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The one-time "Olemme olleet yhteydessä" link of the organisation's e-mail.
    handled_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("login_token.id", ondelete="SET NULL"), index=True
    )
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The one reminder to the organisation when the request stays unhandled.
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)

    organisation: Mapped[Organisation | None] = relationship()


class SharedTray(Base):
    """A read-only snapshot of a tray that a nurse gives to a client. No personal data."""

    __tablename__ = "shared_tray"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    organisation_ids: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


ERROR_REPORT_STATUSES = ("open", "done")


class ErrorReport(Base):
    """A visitor's note that an organisation's details are wrong: a task for staff."""

    __tablename__ = "error_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    organisation_name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(1000))
    # Optional, for a question back; erased with the report by the retention purge.
    email: Mapped[str] = mapped_column(String(254), default="")
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    done_by: Mapped[str] = mapped_column(String(254), default="")

    organisation: Mapped[Organisation | None] = relationship()
