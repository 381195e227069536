"""The visitor's tray as the session holds it, and what every page shows of it."""
from dataclasses import dataclass

from flask import current_app, has_request_context, session, url_for
from markupsafe import Markup

from app.services import tray

SESSION_KEY = "tray"


def tray_ids() -> list[int]:
    return tray.clean_ids(session.get(SESSION_KEY))


def save_tray(ids: list[int]) -> None:
    session[SESSION_KEY] = ids


@dataclass(frozen=True)
class TrayActions:
    """Where a tray button posts; made once per page, not once per button."""

    add: str
    remove: str


def tray_actions() -> TrayActions:
    return TrayActions(url_for("public.tray_add"), url_for("public.tray_remove"))


def tray_counter() -> Markup:
    """The count after the header's tray link, for this visitor (a hole of kept pages).

    Filled into every search page; it depends on the count alone, so each is rendered once.
    """
    count = len(tray_ids())
    counters = current_app.extensions.setdefault("tray_counters", {})
    if count not in counters:
        template = current_app.jinja_env.get_template("public/_tray_count.html")
        counters[count] = Markup(template.render(count=count))
    return counters[count]


def tray_template_context() -> dict:
    """Every page shows the tray counter and whether each organisation is on the tray.

    Mail rendered by a CLI command has no request and so no tray.
    """
    if not has_request_context():
        return {"tray_ids": []}
    return {
        "tray_ids": tray_ids(),
        "tray_actions": tray_actions(),
        "tray_counter": tray_counter,
    }
