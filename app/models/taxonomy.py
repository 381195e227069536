"""Taxonomy tables: municipalities, needs, activities and sectors.

They are seeded from app/data/*.csv and later edited by staff.
"""
from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, PublicIdMixin


class Municipality(PublicIdMixin, Base):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(3), unique=True)
    name_fi: Mapped[str] = mapped_column(String(80), unique=True)
    name_sv: Mapped[str | None] = mapped_column(String(80))

    @property
    def name(self) -> str:
        return self.name_fi

    def __repr__(self) -> str:
        return f"<Municipality {self.code} {self.name_fi}>"


class Need(PublicIdMixin, Base):
    """A need or diagnosis a person searches by ("Diabetes", "Yksinäisyys")."""

    __tablename__ = "need"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    group: Mapped[str] = mapped_column(String(120), index=True)
    # Everyday words people type for this need, separated by semicolons.
    synonyms: Mapped[str] = mapped_column(Text, default="")

    @property
    def synonym_list(self) -> list[str]:
        return [s.strip() for s in self.synonyms.split(";") if s.strip()]

    def __repr__(self) -> str:
        return f"<Need {self.name}>"


class Activity(PublicIdMixin, Base):
    """A kind of activity ("Vertaistuki", "Liikunta")."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<Activity {self.name}>"


class Sector(Base):
    """Toimiala: the field an organisation works in, used for statistics."""

    __tablename__ = "sector"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<Sector {self.name}>"
