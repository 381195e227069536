"""search_match: PostgreSQL's tsvectors in a narrow table of their own, kept in step by a trigger

Revision ID: 0012_search_match
Revises: 0011_pgperf_name_index
Create Date: 2026-12-06 02:00:00

PostgreSQL counts the matches of a search by visiting the table row of each (a
GIN index holds no visibility).  With the tsvectors stored beside the token
texts a row took about 1.4 kB, five to a page: 37 000 matches at 100 000
organisations meant 16 000 pages, more than the default shared buffers keep,
31-60 ms a count.  The tsvectors and the A–Z key alone take about 0.9 kB a row
(12 000 pages, which stay in shared buffers): 14-44 ms.  The table is written by
a trigger on search_document, as SQLite's FTS5 table is, so Python still writes
the index in one way.  The A–Z index moves along with the key's readers; SQLite
never read search_document's.
"""
from alembic import op


revision = '0012_search_match'
down_revision = '0011_pgperf_name_index'
branch_labels = None
depends_on = None

# 'simple' only lower-cases: the Finnish analysis has been done in Python.  A word in
# the name weighs A (ranking), and the name's tokens have their own tsvector and index
# ("has a query word in its name", see app/search/statements.py).  `{row}` is "NEW." in
# the trigger and "" in a generated column.
_TSV = ("setweight(to_tsvector('simple', coalesce({row}name_terms, '')), 'A') || "
        "setweight(to_tsvector('simple', coalesce({row}body_terms, '')), 'B')")
_NAME_TSV = "to_tsvector('simple', coalesce({row}name_terms, ''))"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        op.drop_index('ix_search_document_sort_name', table_name='search_document')
        return
    op.execute("""CREATE TABLE search_match (
        organisation_id integer PRIMARY KEY
            REFERENCES search_document (organisation_id) ON DELETE CASCADE,
        tsv tsvector NOT NULL,
        name_tsv tsvector NOT NULL,
        sort_name varchar(200) COLLATE "C" NOT NULL
    )""")
    op.execute(f"""CREATE FUNCTION search_match_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_match (organisation_id, tsv, name_tsv, sort_name)
        VALUES (NEW.organisation_id, {_TSV.format(row="NEW.")}, {_NAME_TSV.format(row="NEW.")}, NEW.sort_name)
        ON CONFLICT (organisation_id) DO UPDATE
            SET tsv = EXCLUDED.tsv, name_tsv = EXCLUDED.name_tsv, sort_name = EXCLUDED.sort_name;
        RETURN NULL;
    END $$""")
    op.execute("CREATE TRIGGER search_document_match AFTER INSERT OR UPDATE ON search_document "
               "FOR EACH ROW EXECUTE FUNCTION search_match_write()")
    op.execute("INSERT INTO search_match SELECT organisation_id, tsv, name_tsv, sort_name FROM search_document")
    op.execute("CREATE INDEX ix_search_match_tsv ON search_match USING gin (tsv)")
    op.execute("CREATE INDEX ix_search_match_name_tsv ON search_match USING gin (name_tsv)")
    op.execute("CREATE INDEX ix_search_match_sort_name ON search_match (sort_name, organisation_id)")
    op.execute("DROP INDEX ix_search_document_name_tsv")
    op.execute("DROP INDEX ix_search_document_tsv")
    op.execute("ALTER TABLE search_document DROP COLUMN name_tsv, DROP COLUMN tsv")
    op.drop_index('ix_search_document_sort_name', table_name='search_document')
    op.execute("ANALYZE search_match")


def downgrade():
    op.create_index('ix_search_document_sort_name', 'search_document', ['sort_name', 'organisation_id'])
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE search_document ADD COLUMN tsv tsvector "
               f"GENERATED ALWAYS AS ({_TSV.format(row='')}) STORED")
    op.execute(f"ALTER TABLE search_document ADD COLUMN name_tsv tsvector "
               f"GENERATED ALWAYS AS ({_NAME_TSV.format(row='')}) STORED")
    op.execute("CREATE INDEX ix_search_document_tsv ON search_document USING gin (tsv)")
    op.execute("CREATE INDEX ix_search_document_name_tsv ON search_document USING gin (name_tsv)")
    op.execute("DROP TRIGGER search_document_match ON search_document")
    op.execute("DROP FUNCTION search_match_write()")
    op.execute("DROP TABLE search_match")
