"""Taxonomy tables: municipalities, needs, activities and sectors.

They are seeded from app/data/*.csv and later edited by staff.  Every text is
Finnish in its own column, with Swedish and English beside it (`_sv`, `_en`);
`label` and `translated()` give the visitor's language, falling back to Finnish.
"""
from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, PublicIdMixin, Translated


def split_list(text: str) -> list[str]:
    """The items of a ';'-separated list (synonyms, goals), trimmed, empty ones left out."""
    return [item.strip() for item in (text or "").split(";") if item.strip()]


class Municipality(Translated, PublicIdMixin, Base):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(3), unique=True)
    name_fi: Mapped[str] = mapped_column(String(80), unique=True)
    name_sv: Mapped[str | None] = mapped_column(String(80))
    # No name_en: English uses the Finnish name (Kuopio, Iisalmi), the fallback of label.

    @property
    def name(self) -> str:
        return self.name_fi

    @property
    def names(self) -> tuple[str, ...]:
        """Every name it is known by, Finnish first."""
        return tuple(name for name in (self.name_fi, self.name_sv) if name)

    def __repr__(self) -> str:
        return f"<Municipality {self.code} {self.name_fi}>"


class Need(Translated, PublicIdMixin, Base):
    """A need or diagnosis a person searches by ("Diabetes", "Yksinäisyys")."""

    __tablename__ = "need"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    group: Mapped[str] = mapped_column(String(120), index=True)
    # Everyday words people type for this need, separated by semicolons.
    synonyms: Mapped[str] = mapped_column(Text, default="")
    name_sv: Mapped[str] = mapped_column(String(120), default="")
    group_sv: Mapped[str] = mapped_column(String(120), default="")
    synonyms_sv: Mapped[str] = mapped_column(Text, default="")
    name_en: Mapped[str] = mapped_column(String(120), default="")
    group_en: Mapped[str] = mapped_column(String(120), default="")
    synonyms_en: Mapped[str] = mapped_column(Text, default="")

    @property
    def synonym_list(self) -> list[str]:
        return split_list(self.synonyms)

    def __repr__(self) -> str:
        return f"<Need {self.name}>"


class Activity(Translated, PublicIdMixin, Base):
    """A kind of activity ("Vertaistuki", "Liikunta")."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_sv: Mapped[str] = mapped_column(String(120), default="")
    description_sv: Mapped[str] = mapped_column(Text, default="")
    name_en: Mapped[str] = mapped_column(String(120), default="")
    description_en: Mapped[str] = mapped_column(Text, default="")

    def __repr__(self) -> str:
        return f"<Activity {self.name}>"


class Sector(Translated, Base):
    """Toimiala: the field an organisation works in, used for statistics."""

    __tablename__ = "sector"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name_sv: Mapped[str] = mapped_column(String(120), default="")
    name_en: Mapped[str] = mapped_column(String(120), default="")

    def __repr__(self) -> str:
        return f"<Sector {self.name}>"
