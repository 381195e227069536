"""The visitor's tray as the session holds it, and what every page shows of it."""
from dataclasses import dataclass

from flask import has_request_context, session, url_for

from app.contact import tray

SESSION_KEY = "tray"
# What "Tyhjennä tarjotin" took away, kept for its undo while the tray stays as it left it.
CLEARED_KEY = "tray_cleared"


def tray_ids() -> list[int]:
    return tray.clean_ids(session.get(SESSION_KEY))


def save_tray(ids: list[int], *, cleared: list[int] | None = None) -> None:
    """Keep the tray; `cleared` is what an emptying took away, any other change forgets it."""
    session[SESSION_KEY] = ids
    if cleared:
        session[CLEARED_KEY] = cleared
    else:
        session.pop(CLEARED_KEY, None)
    # The tray survives closing the browser: the cookie lasts PERMANENT_SESSION_LIFETIME (30 days).
    session.permanent = True


def cleared_ids() -> list[int]:
    """What the last emptying took away, while the tray is still empty."""
    return tray.clean_ids(session.get(CLEARED_KEY)) if not tray_ids() else []


@dataclass(frozen=True)
class TrayActions:
    """Where a tray button posts; made once per page, not once per button."""

    add: str
    remove: str


def tray_actions() -> TrayActions:
    return TrayActions(url_for("contact.tray_add"), url_for("contact.tray_remove"))


def tray_template_context() -> dict:
    """Every page shows the tray counter and whether each organisation is on the tray.

    Mail rendered by a CLI command has no request and so no tray.
    """
    if not has_request_context():
        return {"tray_ids": []}
    return {
        "tray_ids": tray_ids(),
        "tray_actions": tray_actions(),
    }
