"""Signed-in sessions: a random secret in the signed cookie, its SHA-256 in user_session.

This module is the bridge between Flask's cookie session and the table, so,
unlike the other services, it reads and writes `flask.session` and `g`.
Deleting a row signs that browser out at its next request.
"""
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import delete, update

from app.extensions import db
from app.models import UserSession, utcnow
from app.platform.database import reading_only
from app.platform.errors import render_error
from app.platform.languages import SESSION_KEY as LANGUAGE_KEY, is_language_free
from app.platform.validation import email_key


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    absolute: timedelta


SESSION_LIMITS = {
    "contact": SessionLimits(idle=timedelta(hours=2), absolute=timedelta(hours=12)),
    "staff": SessionLimits(idle=timedelta(hours=1), absolute=timedelta(hours=8)),
}
# last_seen_at is written at most this often: a GET should rarely write.
TOUCH_INTERVAL = timedelta(minutes=1)
COOKIE_KEY = "session_secret"
SESSION_ENDED_MESSAGE = _l(
    "Istuntosi oli päättynyt, joten lomaketta ei tallennettu. Kirjoittamasi tiedot ovat alla: kopioi ne, "
    "avaa lomake uudelleen ja kirjaudu sisään, niin voit lähettää sen uudestaan."
)


@dataclass(frozen=True)
class SignedInUser:
    email: str
    role: str


def _session_id(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def start_session(email: str, role: str, *, now: datetime | None = None) -> SignedInUser:
    """Sign in: drop the browser's old session, start a new row and cookie; flush, no commit."""
    if role not in SESSION_LIMITS:
        raise ValueError(f"unknown role {role!r}")
    now = now or utcnow()
    # A new cookie on every sign-in: nothing from before it (CSRF token included) carries
    # over but the language chosen.
    end_session()
    secret = secrets.token_urlsafe(32)
    email = email_key(email)
    db.session.add(UserSession(id=_session_id(secret), email=email, role=role, created_at=now, last_seen_at=now))
    db.session.flush()
    session[COOKIE_KEY] = secret
    g.user = SignedInUser(email, role)
    return g.user


def end_session() -> None:
    """Sign out this browser: its row is deleted and the cookie emptied but for the language; flush, no commit.

    At a shared computer the next person must find nothing of the visit: not the
    tray, not the CSRF token, not the marks of links asked for or forms sent.
    """
    secret = session.get(COOKIE_KEY)
    if secret:
        db.session.execute(delete(UserSession).where(UserSession.id == _session_id(secret)))
    language = session.get(LANGUAGE_KEY)
    session.clear()
    g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)
    if language:
        session[LANGUAGE_KEY] = language
    g.user = None


def current_user() -> SignedInUser | None:
    return g.get("user")


def is_expired(row: UserSession, now: datetime) -> bool:
    limits = SESSION_LIMITS[row.role]
    return now - row.last_seen_at > limits.idle or now - row.created_at > limits.absolute


def load_current_user() -> None:
    """Before each request: find the session row, expire or refresh it, set g.user.

    It reads in a reader's transaction and ends it, and writes (expiry, last_seen_at)
    in a short transaction of its own: the request's write transaction must begin in
    the view, after Flask-Limiter has counted on its own connection (app/platform/database.py).
    """
    g.user = None
    if is_language_free(request.endpoint):
        # Static files, the APIs and the health check serve no person: reading the
        # session would add "Vary: Cookie" and split shared caches by visitor.
        return
    secret = session.get(COOKIE_KEY)
    if not secret:
        return
    session_id = _session_id(secret)
    now = utcnow()
    with reading_only():
        row = db.session.get(UserSession, session_id)
        if row is not None:
            user = SignedInUser(row.email, row.role)
            expired = is_expired(row, now)
            touch = now - row.last_seen_at >= TOUCH_INTERVAL
        db.session.commit()
    if row is None:
        session.pop(COOKIE_KEY)
        return
    if expired or touch:
        if expired:
            db.session.execute(delete(UserSession).where(UserSession.id == session_id))
        else:
            db.session.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=now))
        db.session.commit()
    if expired:
        session.pop(COOKIE_KEY)
        # Who it was: a form they send now can be kept for them (sign_in_required's keep).
        g.expired_user = user
        return
    g.user = user


def sign_in_required(role: str, *, keep: Callable[[str], bool] | None = None):
    """View decorator: without a session of `role`, go to the sign-in page.

    `keep(email)` is called for a form sent just after its sender's session ended (the
    session's address is known): it keeps what was typed for them and says whether it did.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None or user.role != role:
                expired = g.get("expired_user")
                if keep is not None and request.method == "POST" and expired is not None and expired.role == role:
                    if keep(expired.email):
                        db.session.commit()
                        flash(_("Istuntosi päättyi, joten tietoja ei vielä tallennettu. Kirjoittamasi on tallessa "
                                "luonnoksena: kirjaudu uudelleen, niin jatkat siitä."))
                        return redirect(url_for("accounts.request_link"), code=303)
                return ended_session_answer(role) or redirect(url_for("accounts.request_link"), code=303)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def ended_session_answer(role: str):
    """A form sent just after its sender's `role` session ended: the stale-form page with
    what was typed and a link back to the form (a redirect to signing in dropped it), else None."""
    expired = g.get("expired_user")
    if request.method != "POST" or expired is None or expired.role != role:
        return None
    return render_error(400, str(SESSION_ENDED_MESSAGE), stale_form=True)


def register_session_hooks(app: Flask) -> None:
    app.before_request(load_current_user)
    app.context_processor(lambda: {"current_user": current_user()})
