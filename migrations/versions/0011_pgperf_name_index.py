"""search_document.name_tsv: the name's tokens alone, with a GIN index (PostgreSQL; nothing on SQLite)

Revision ID: 0011_pgperf_name_index
Revises: 0011_contacts_names
Create Date: 2026-12-05 16:45:00

"Has a query word in its name" was `tsv @@ 'word':A`: a GIN index cannot tell
weights apart, so every document holding the word anywhere was rechecked row by
row (26 000 rows, 35-60 ms for one common word at 100 000 organisations).  The
name's own tsvector and index answer it exactly and are combined with the tsv
index by a BitmapAnd (3 000 named rows, 5-20 ms).  A stored column rather than
an expression index: read along the sort_name index, each row's name is tested
without analysing it again (an expression index made that 5 µs a row).
SQLite's FTS5 has its name column already.
"""
from alembic import op


revision = '0011_pgperf_name_index'
down_revision = '0011_contacts_names'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE search_document ADD COLUMN name_tsv tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', coalesce(name_terms, ''))) STORED"
    )
    op.execute("CREATE INDEX ix_search_document_name_tsv ON search_document USING gin (name_tsv)")
    op.execute("ANALYZE search_document")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_search_document_name_tsv")
    op.execute("ALTER TABLE search_document DROP COLUMN IF EXISTS name_tsv")
