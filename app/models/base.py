"""Declarative base with a naming convention so migrations name constraints stably."""
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.platform.i18n import current_language

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Naive UTC timestamp: both SQLite and PostgreSQL store it the same way."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def new_uuid() -> str:
    return str(uuid.uuid4())


class PublicIdMixin:
    """A UUID that names the record in the open data (HSDS) for good: set once, never reused."""

    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)


# The languages of the portal; Finnish is the one every text has.
TEXT_LANGUAGES = ("fi", "sv", "en")


@dataclass(frozen=True)
class LocalText:
    """A text in the visitor's language, or the Finnish one (`fallback`) when it has none."""

    text: str
    fallback: bool


class Translated:
    """Texts kept in Finnish in `<attribute>` with optional `<attribute>_sv` and `<attribute>_en`.

    Templates ask for `label` (the name) or `local_text(...)` and never branch on
    the language; an empty translation falls back to the Finnish text.
    """

    def local_text(self, attribute: str, language: str | None = None) -> LocalText:
        language = language or current_language()
        if language != "fi":
            translated = getattr(self, f"{attribute}_{language}", None)
            if translated:
                return LocalText(translated, False)
        return LocalText(getattr(self, attribute) or "", language != "fi")

    def translated(self, attribute: str, language: str | None = None) -> str:
        return self.local_text(attribute, language).text

    @property
    def label(self) -> str:
        """The name in the visitor's language."""
        return self.translated("name")
