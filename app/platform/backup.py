"""A consistent copy of a live SQLite database, checked before it is trusted.

SQLite's online backup API copies the pages while the app keeps serving: the
copy is of one moment, even with writers active (WAL lets them go on).  The
copy is written next to the target and renamed into place only after
`PRAGMA integrity_check` has passed, so PATH never holds a half-written or
damaged backup.  PostgreSQL has its own tool for this, pg_dump.
"""
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine


class BackupNotSupported(RuntimeError):
    """The database is not SQLite: back it up with that database's own tools."""


class BackupFailed(RuntimeError):
    """The copy did not pass the integrity check; nothing was written to the target."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size_bytes: int
    integrity: str  # "ok", as PRAGMA integrity_check reports it


def backup_sqlite(engine: Engine, target: Path) -> BackupReport:
    """Copy the engine's SQLite database to `target` and check the copy."""
    if engine.dialect.name != "sqlite":
        raise BackupNotSupported(
            f"the database is {engine.dialect.name}, not SQLite: back it up with pg_dump, e.g. "
            "pg_dump --format=custom --file=hyvinvointitarjotin.dump \"$DATABASE_URL\""
        )
    source_path = engine.url.database
    if source_path and target.resolve() == Path(source_path).resolve():
        raise BackupFailed("the backup would overwrite the database itself")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    raw = engine.raw_connection()
    try:
        destination = sqlite3.connect(partial)
        try:
            # pages=-1: all pages in one step, so the copy is of a single moment.
            raw.driver_connection.backup(destination, pages=-1)
            # A self-contained file: no -wal or -shm beside the backup.
            destination.execute("PRAGMA journal_mode=DELETE")
            integrity = "; ".join(row[0] for row in destination.execute("PRAGMA integrity_check"))
        finally:
            destination.close()
    finally:
        raw.close()
    if integrity != "ok":
        partial.unlink(missing_ok=True)
        raise BackupFailed(f"integrity_check of the copy: {integrity}")
    os.replace(partial, target)
    return BackupReport(path=target, size_bytes=target.stat().st_size, integrity=integrity)
