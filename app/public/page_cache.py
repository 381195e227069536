"""Public pages rendered once for every visitor, with each visitor's own parts filled in.

A search page is the same HTML for everyone who asks the same thing while the
directory is unchanged, but for two things: the CSRF token (in the layout and
in every tray button) and the tray counter in the header.  Those are holes:
the shared copy is rendered with a marker in their place, and each response
gets the visitor's own values.  The key holds everything the page follows
from: the IndexState (one version of the directory and its taxonomy), the
query, which tray buttons say "remove", and the date; so a shared copy never
shows what the database no longer says.  Rendering was most of a search's cost.

A page with flash messages waiting (after a tray button without JavaScript)
is rendered for the visitor alone, because the messages are theirs.
"""
import secrets
from collections.abc import Callable
from typing import AnyStr

from flask import current_app, render_template, session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.public.tray_session import tray_counter
from app.services.lru import LruCache

# A page is kept as UTF-8 (some 20–35 KB); a process keeps this many.
PAGE_CACHE_SIZE = 1024
# The key names one version of the directory; this bounds how long a page can
# outlive a change made around the ORM (as the search's own result cache does).
PAGE_CACHE_SECONDS = 30.0
# A marker per process: no stored text can guess it, so only a hole is replaced.
_MARKER = secrets.token_hex(16)
HOLES: dict[str, Callable[[], str]] = {
    "csrf_token": generate_csrf,
    "tray_counter": tray_counter,
}


def hole(name: str) -> Markup:
    """What stands in a shared page (or a fragment of one) for the visitor's own `name`."""
    return Markup(f"{name}-{_MARKER}")


def fill_holes(html: AnyStr, values: dict[str, str]) -> AnyStr:
    """`html` (text or UTF-8) with the hole of each name in `values` filled, escaped unless Markup."""
    for name, value in values.items():
        marker, filled = hole(name), str(escape(value))
        if isinstance(html, bytes):
            html = html.replace(marker.encode(), filled.encode())
        else:
            html = html.replace(marker, filled)
    return html


_HOLE_MARKERS = {name: (lambda n=name: hole(n)) for name in HOLES}


def render_shared(template: str, key: tuple, make_context: Callable[[], dict]) -> bytes:
    """`template` rendered with `make_context()`, shared by every visitor whose page has the same `key`.

    The key must hold everything the context shows (the caller's duty); the
    context is only made when the page is rendered, and the holes are filled
    for this visitor whether the page was shared or not.
    """
    # Each app has its own: the layout also shows the app's settings (where htmx comes from).
    pages = current_app.extensions.setdefault("shared_pages", LruCache(PAGE_CACHE_SIZE, max_age=PAGE_CACHE_SECONDS))
    key = (template, *key)
    shared = "_flashes" not in session
    html = pages.get(key) if shared else None
    if html is None:
        html = render_template(template, **make_context(), **_HOLE_MARKERS).encode()
        if shared:
            pages.put(key, html)
    return fill_holes(html, {name: fill() for name, fill in HOLES.items()})
