"""The search index: analysed Finnish tokens of each organisation.

`search_document` holds the tokens as plain text on every database.  The
database-specific full-text structure is kept in step with it by triggers
(an FTS5 table on SQLite, `app.search.schema`; the `search_match` table of
GIN-indexed tsvectors on PostgreSQL, migration 0012_search_match), so Python
writes the index in exactly one way.
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
    # The organisation's sort_name, copied to PostgreSQL's search_match, which ranks and
    # lists a page A–Z without joining every match to `organisation`.
    sort_name: Mapped[str] = mapped_column(
        String(200).with_variant(String(200, collation="C"), "postgresql"), default="", server_default=""
    )


class SearchMeta(Base):
    """Small key/value facts about the index, such as which analyser built it."""

    __tablename__ = "search_meta"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
