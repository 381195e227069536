"""Connection settings that make SQLite safe for several writers.

Every SQLite connection gets WAL, a busy timeout and foreign keys.  Write
transactions start with BEGIN IMMEDIATE, so a writer waits for the lock up
front instead of failing half-way when it upgrades a read lock.  A GET or HEAD
request never writes (links are scanner-safe), so it begins a plain deferred
transaction and readers do not queue behind writers; so does a POST view marked
`reads_only`.

A request's write transaction begins in its view, never before it.  Flask-Limiter's
decorator counts between the before-request hooks and the view body, on a
connection of its own (app/platform/ratelimit.py); had a hook left BEGIN IMMEDIATE open,
that count would wait for its own request's lock until the busy timeout.  So the
hooks that read the database (the session loader) read in a reader's transaction
and end it, and write in a short transaction of their own.
"""
from contextlib import contextmanager
from contextvars import ContextVar

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# How long a writer waits for SQLite's write lock before the request answers 503.
# Under a full load writers queue behind each other (bench/load.py at 128
# connections on 2 cores saw waits over 5 s); 10 s is still well inside
# gunicorn's 30 s timeout.
BUSY_TIMEOUT_MS = 10_000


def configure_sqlite(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if _reading.get() or (has_request_context() and (request.method in SAFE_METHODS or _view_reads_only())):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


_reading: ContextVar[bool] = ContextVar("reading_only", default=False)


@contextmanager
def reading_only():
    """Transactions begun inside begin as readers (no write lock), also outside a request.

    For reading what slow work needs (mail to send over SMTP) without holding
    SQLite's one write lock while the work waits.  Whoever writes in here gets
    SQLite's "database is locked" upgrade failures: don't.
    """
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reads_only(view):
    """Mark a POST view that reads the database but never writes it (the tray buttons keep
    their state in the session), so its transaction does not queue for the write lock."""
    view.reads_only = True
    return view


def _view_reads_only() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "reads_only", False)
