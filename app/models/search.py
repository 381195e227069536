"""The search index: analysed Finnish tokens of each organisation.

`search_document` holds the tokens as plain text on every database.  The
database-specific full-text structure is built from it by DDL in
`app.search.schema` (an FTS5 table kept in step by triggers on SQLite,
a generated, GIN-indexed tsvector column on PostgreSQL), so Python writes the
index in exactly one way.
"""
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class SearchDocument(Base):
    __tablename__ = "search_document"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    name_terms: Mapped[str] = mapped_column(Text, default="")
    body_terms: Mapped[str] = mapped_column(Text, default="")
    # The organisation's sort_name, so that PostgreSQL ranks and lists a page A–Z without
    # joining every match to `organisation` (the index is for A–Z pages of many matches).
    sort_name: Mapped[str] = mapped_column(
        String(200).with_variant(String(200, collation="C"), "postgresql"), default="", server_default=""
    )

    __table_args__ = (Index("ix_search_document_sort_name", "sort_name", "organisation_id"),)


class SearchMeta(Base):
    """Small key/value facts about the index, such as which analyser built it."""

    __tablename__ = "search_meta"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
