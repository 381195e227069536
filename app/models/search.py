"""The search index: analysed Finnish tokens of each organisation.

`search_document` holds the tokens as plain text on every database.  The
database-specific full-text structure is built from it by DDL in
`app.search.schema` (an FTS5 table kept in step by triggers on SQLite,
a generated, GIN-indexed tsvector column on PostgreSQL), so Python writes the
index in exactly one way.
"""
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class SearchDocument(Base):
    __tablename__ = "search_document"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    name_terms: Mapped[str] = mapped_column(Text, default="")
    body_terms: Mapped[str] = mapped_column(Text, default="")


class SearchMeta(Base):
    """Small key/value facts about the index, such as which analyser built it."""

    __tablename__ = "search_meta"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
