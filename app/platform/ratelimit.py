"""A Flask-Limiter storage in the app's own database: `RATELIMIT_STORAGE_URI=database://`.

The limits of sign-in links, contact requests and workshop orders must hold
across gunicorn workers and hosts.  The `limits` library offers Redis,
Memcached and friends for that; this keeps the promise with no extra service,
using one atomic upsert per counted request on SQLite or PostgreSQL.  Each
call runs in a short transaction of its own, so a rolled-back request still
counts.
"""
import math
import secrets
import time
from collections.abc import Callable
from datetime import timedelta

from flask import Response, make_response, request, session
from flask_babel import format_timedelta
from flask_limiter import RequestLimit
from limits.storage import Storage
from sqlalchemy import delete, select, text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db, limiter
from app.models.ratelimit import RateLimitCounter
from app.platform.database import reading_only
from app.platform.submissions import earlier_answer
from app.platform.tokens import hash_token
from app.platform.validation import email_key

_INCREMENT = text(
    """
    INSERT INTO rate_limit_counter (key, count, expires_at) VALUES (:key, :amount, :expires_at)
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN rate_limit_counter.expires_at <= :now
                     THEN :amount ELSE rate_limit_counter.count + :amount END,
        expires_at = CASE WHEN rate_limit_counter.expires_at <= :now
                          THEN :expires_at ELSE rate_limit_counter.expires_at END
    RETURNING count
    """
)


def per_address(scope: str) -> Callable[[], str]:
    """A limit's key function: the form's e-mail address as the mail would go to it."""
    return lambda: f"{scope}:{email_key(request.form.get('email', ''))}"


def per_token(scope: str) -> Callable[[], str]:
    """A limit's key function: the hash of the link token in the URL (the raw token is never stored)."""
    return lambda: f"{scope}:{hash_token((request.view_args or {}).get('token', ''))}"


# Sign-in links: a mailbox gets at most LINKS_PER_ADDRESS, an address on the net may ask for LINKS_PER_IP.
LINKS_PER_IP = "10 per hour"
LINKS_PER_ADDRESS = "5 per hour"


def link_request_limits(scope: str):
    """The limits of a form that mails a sign-in link, counting only a request that was sent (303).

    An address refused for a typo sends nothing, so it must not use up the
    person's tries: five typos would otherwise lock them out for an hour.
    """

    def decorate(view):
        view = counted_submissions(LINKS_PER_ADDRESS, key_func=per_address(scope))(view)
        return counted_submissions(LINKS_PER_IP)(view)

    return decorate


# A health centre sends from one address: the address limit leaves room for many nurses,
# the session limit stops one browser (or bot keeping its cookie) from flooding.
SUBMISSIONS_PER_ADDRESS = "60 per hour"
SUBMISSIONS_PER_SESSION = "10 per 10 minutes"
SESSION_KEY = "limit_id"


def accepted(response) -> bool:
    """Only a submission that went through counts: those views answer it with 303 See Other."""
    return response.status_code == 303


def per_session(scope: str) -> Callable[[], str]:
    """A limit's key function: a random id kept in the visitor's session cookie."""

    def key() -> str:
        if SESSION_KEY not in session:
            session[SESSION_KEY] = secrets.token_urlsafe(12)
        return f"{scope}:{session[SESSION_KEY]}"

    return key


def wait_text(request_limit: RequestLimit | None) -> str:
    """How long until the limit lets the visitor send again, in the visitor's language."""
    seconds = request_limit.reset_at - time.time() if request_limit is not None else 60
    return format_timedelta(timedelta(minutes=max(1, math.ceil(seconds / 60))), granularity="minute", threshold=1)


def form_again_on_breach(rerender: Callable[[str], str]) -> Callable[[RequestLimit], Response]:
    """Flask-Limiter's `on_breach`: the form page again, `rerender(wait)`, answered 429."""

    def on_breach(request_limit: RequestLimit) -> Response:
        return make_response(rerender(wait_text(request_limit)), 429)

    return on_breach


def submission_limits(scope: str, rerender: Callable[[str], str] | None = None):
    """Per address and per session, counting only accepted submissions.

    `rerender(wait)` gives the form page again with what was typed and how long
    to wait, so a refused submission loses nothing; without it the 429 page shows.
    The count comes after the answer, so the view must not query after its commit:
    on SQLite that would begin a write transaction the count then waits for.
    """

    def decorate(view):
        view = counted_submissions(SUBMISSIONS_PER_SESSION, rerender=rerender, key_func=per_session(scope))(view)
        return counted_submissions(SUBMISSIONS_PER_ADDRESS, rerender=rerender)(view)

    return decorate


def counted_submissions(limit_value: str, *, rerender: Callable[[str], str] | None = None, key_func=None):
    """A limit on a form's POSTs that counts only accepted ones (303), and never a repeat of one.

    A repeat (a double click, Back and send: the one-time key already used) gets the
    first answer and does nothing, so it is exempt: the tenth sign-up of the hour
    clicked twice would otherwise be told "not sent" although it went through.
    `rerender(wait)` gives the form page again when the limit refuses (see
    form_again_on_breach); without it the 429 page shows.
    """
    return limiter.limit(
        limit_value, methods=["POST"], key_func=key_func, deduct_when=accepted, exempt_when=_is_repeat,
        on_breach=form_again_on_breach(rerender) if rerender is not None else None,
    )


def _is_repeat() -> bool:
    # Asked by each limit before the view: a primary-key read on POSTs only, so not kept on `g`
    # (an app context that outlives one request, as in tests, would carry the answer over).
    return earlier_answer() is not None


class DatabaseStorage(Storage):
    """Fixed-window counters in the `rate_limit_counter` table."""

    STORAGE_SCHEME = ["database"]

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with db.engine.begin() as connection:
            return connection.execute(
                _INCREMENT, {"key": key, "amount": amount, "expires_at": now + expiry, "now": now}
            ).scalar_one()

    def get(self, key: str) -> int:
        row = self._row(key)
        return row.count if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row.expires_at if row is not None else time.time()

    def check(self) -> bool:
        with db.engine.connect() as connection:
            connection.execute(select(1))
        return True

    def reset(self) -> int | None:
        with db.engine.begin() as connection:
            return connection.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        with db.engine.begin() as connection:
            connection.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key))

    def _row(self, key: str):
        # A reader's transaction even in a POST: the count is read again after the view
        # (for the response's limit headers), and a view that did not commit, such as a
        # refused form, still holds SQLite's write lock then.
        with reading_only(), db.engine.connect() as connection:
            return connection.execute(
                select(RateLimitCounter.count, RateLimitCounter.expires_at).where(RateLimitCounter.key == key)
            ).first()


def purge_expired_counters(now: float | None = None) -> int:
    """Windows that have ended; `flask purge` calls this.  Flush, no commit."""
    cutoff = now if now is not None else time.time()
    return db.session.execute(delete(RateLimitCounter).where(RateLimitCounter.expires_at < cutoff)).rowcount
