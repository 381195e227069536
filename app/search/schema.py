"""Database-specific full-text structures over `search_document`, as the first migration built them.

Called from the migration that creates the index, and nowhere else, so both
databases are built the same way in development, tests and production.  On
PostgreSQL the tsvectors have since moved to a narrow table of their own,
`search_match`, kept by a trigger (migration 0012_search_match).
"""
from sqlalchemy import text
from sqlalchemy.engine import Connection

SQLITE_DDL = [
    # External-content FTS5 table: the text lives in search_document, FTS5 keeps
    # only its inverted index.  The tokens are already analysed in Python, so
    # the tokenizer must only split on spaces and must not fold diacritics.
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        name_terms, body_terms,
        content='search_document', content_rowid='organisation_id',
        tokenize="unicode61 remove_diacritics 0",
        prefix='2 3 4'
    )""",
    """CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN
        INSERT INTO search_fts(rowid, name_terms, body_terms)
        VALUES (new.organisation_id, new.name_terms, new.body_terms);
    END""",
    """CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, name_terms, body_terms)
        VALUES ('delete', old.organisation_id, old.name_terms, old.body_terms);
    END""",
    """CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, name_terms, body_terms)
        VALUES ('delete', old.organisation_id, old.name_terms, old.body_terms);
        INSERT INTO search_fts(rowid, name_terms, body_terms)
        VALUES (new.organisation_id, new.name_terms, new.body_terms);
    END""",
    # The vocabulary of indexed terms, used for the typo fallback.
    "CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, 'row')",
]

POSTGRESQL_DDL = [
    # 'simple' only lower-cases: the Finnish analysis has been done in Python.
    """ALTER TABLE search_document ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', coalesce(name_terms, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(body_terms, '')), 'B')
    ) STORED""",
    "CREATE INDEX ix_search_document_tsv ON search_document USING gin (tsv)",
]

SQLITE_DROP = [
    "DROP TABLE IF EXISTS search_vocab",
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TRIGGER IF EXISTS search_document_ad",
    "DROP TRIGGER IF EXISTS search_document_au",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS ix_search_document_tsv",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS tsv",
]

# Tables outside the ORM models; Alembic's autogenerate must not try to drop them.
NON_MODEL_TABLES = {"search_fts", "search_vocab", "search_match"}
NON_MODEL_TABLE_PREFIXES = ("search_fts_",)


def create(connection: Connection) -> None:
    for statement in _ddl(connection, SQLITE_DDL, POSTGRESQL_DDL):
        connection.execute(text(statement))


def drop(connection: Connection) -> None:
    for statement in _ddl(connection, SQLITE_DROP, POSTGRESQL_DROP):
        connection.execute(text(statement))


def _ddl(connection: Connection, sqlite: list[str], postgresql: list[str]) -> list[str]:
    name = connection.dialect.name
    if name == "sqlite":
        return sqlite
    if name == "postgresql":
        return postgresql
    raise RuntimeError(f"unsupported database: {name}")
