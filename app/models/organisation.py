"""An organisation and what belongs to it: phones, contacts, keywords, links."""
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.config import DEFAULT_LANGUAGE
from app.models.base import Base, PublicIdMixin, Translated, utcnow
from app.models.taxonomy import Activity, Municipality, Need, Sector

ORG_TYPES = ("liitto", "yhdistys", "ryhma", "muu")
STATUSES = ("pending", "published", "hidden", "rejected")
LANGUAGES = ("fi", "sv", "en", "selkokieli", "viittomakieli", "muu")
TRISTATE = ("yes", "no", "unknown")

organisation_municipality = Table(
    "organisation_municipality",
    Base.metadata,
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Column("municipality_id", ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True, index=True),
)
organisation_need = Table(
    "organisation_need",
    Base.metadata,
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Column("need_id", ForeignKey("need.id", ondelete="CASCADE"), primary_key=True, index=True),
)
organisation_activity = Table(
    "organisation_activity",
    Base.metadata,
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Column("activity_id", ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True, index=True),
)


def sort_key(name: str) -> str:
    """A key that sorts names in Finnish alphabetical order on any database.

    Byte order of case-folded UTF-8 puts ä before å; Finnish wants z < å < ä < ö,
    so those three are mapped to the ASCII characters right after "z".
    """
    folded = name.strip().strip("\"'«»”“").casefold()
    return folded.translate(str.maketrans({"å": "{", "ä": "|", "ö": "}", "w": "v"}))


class Organisation(Translated, PublicIdMixin, Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Finnish alphabetical order, compared byte-wise ("C") so both databases agree.
    sort_name: Mapped[str] = mapped_column(
        String(200).with_variant(String(200, collation="C"), "postgresql"), index=True
    )
    org_type: Mapped[str] = mapped_column(String(16), default="yhdistys")
    business_id: Mapped[str | None] = mapped_column(String(9))
    # Indexed: an organisation page lists the members of a federation.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    description: Mapped[str] = mapped_column(String(600), default="")
    # Optional: the page shows the visitor's language when given, else the Finnish text.
    description_sv: Mapped[str] = mapped_column(String(600), default="")
    description_en: Mapped[str] = mapped_column(String(600), default="")
    nationwide: Mapped[bool] = mapped_column(Boolean, default=False)
    street_address: Mapped[str] = mapped_column(String(200), default="")
    postal_code: Mapped[str] = mapped_column(String(5), default="")
    post_office: Mapped[str] = mapped_column(String(80), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    meeting_times: Mapped[str] = mapped_column(String(500), default="")
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Not one of `languages` (those it works in): the portal language its mail is written in.
    language: Mapped[str] = mapped_column(String(2), default=DEFAULT_LANGUAGE, server_default=DEFAULT_LANGUAGE)
    step_free_access: Mapped[str] = mapped_column(String(8), default="unknown")
    accessible_toilet: Mapped[str] = mapped_column(String(8), default="unknown")
    induction_loop: Mapped[str] = mapped_column(String(8), default="unknown")
    accessibility_notes: Mapped[str] = mapped_column(String(600), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    paused_until: Mapped[date | None] = mapped_column(Date)
    paused_note: Mapped[str] = mapped_column(String(300), default="")
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Staff administration: a deleted organisation is hidden at once and purged
    # after ORGANISATION_PURGE_DAYS; the two dates pace edit requests and reminders.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    last_edit_request_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_reminder_at: Mapped[datetime | None] = mapped_column(DateTime)

    # Admin-only figures: never shown on a public page or in the public API.
    member_count: Mapped[int | None] = mapped_column(Integer)
    employee_count: Mapped[int | None] = mapped_column(Integer)
    volunteer_count: Mapped[int | None] = mapped_column(Integer)
    volunteer_hours_per_year: Mapped[int | None] = mapped_column(Integer)
    volunteering_supported: Mapped[str] = mapped_column(String(8), default="unknown")
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sector.id", ondelete="SET NULL"))
    education_background: Mapped[str] = mapped_column(String(300), default="")

    __mapper_args__ = {"version_id_col": version}

    parent: Mapped["Organisation | None"] = relationship(remote_side=[id])
    sector: Mapped[Sector | None] = relationship()
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=organisation_municipality, order_by=Municipality.name_fi
    )
    needs: Mapped[list[Need]] = relationship(secondary=organisation_need, order_by=Need.name)
    activities: Mapped[list[Activity]] = relationship(
        secondary=organisation_activity, order_by=Activity.position
    )
    phones: Mapped[list["OrganisationPhone"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="OrganisationPhone.position"
    )
    contacts: Mapped[list["OrganisationContact"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="OrganisationContact.email"
    )
    keywords: Mapped[list["OrganisationKeyword"]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="OrganisationKeyword.keyword"
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.name and not self.sort_name:
            self.sort_name = sort_key(self.name)

    @property
    def keyword_list(self) -> list[str]:
        return [k.keyword for k in self.keywords]

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def shown_status(self) -> str:
        """The status staff read: a deleted entry is stored hidden until the purge, but is called deleted."""
        return "deleted" if self.deleted_at is not None else self.status

    @property
    def can_be_confirmed(self) -> bool:
        """Whether "Tiedot ovat ajan tasalla" applies: staff turned a rejected entry down, so
        confirming it as it is helps no one; only a correction goes back to them."""
        return self.status != "rejected"

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name}>"


class OrganisationPhone(PublicIdMixin, Base):
    __tablename__ = "organisation_phone"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(20))  # E.164, e.g. +358401234567
    role: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    organisation: Mapped[Organisation] = relationship(back_populates="phones")


class OrganisationContact(Base):
    """A person who may edit the entry: address, name, role, optional phone. Never published."""

    __tablename__ = "organisation_contact"
    __table_args__ = (UniqueConstraint("organisation_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254), index=True)
    # Empty for contacts stored before names were asked for.
    name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    role: Mapped[str] = mapped_column(String(120), default="", server_default="")  # "puheenjohtaja", "sihteeri"
    phone: Mapped[str] = mapped_column(String(20), default="", server_default="")  # E.164 or empty
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="contacts")


class OrganisationKeyword(Base):
    __tablename__ = "organisation_keyword"
    __table_args__ = (UniqueConstraint("organisation_id", "keyword"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    keyword: Mapped[str] = mapped_column(String(80))

    organisation: Mapped[Organisation] = relationship(back_populates="keywords")
