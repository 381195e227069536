"""Public pages rendered once for every visitor, with each request's own parts filled in.

A page is kept as HTML with holes: a marker stands where something differs by
request, and each response gets its own values by a string replace.  Two kinds:

- the visitor's own parts, filled in every response: the CSRF token (in the
  layout and in every tray button) and the tray counter in the header;
- the parts a page's caller names (`fill_holes`), such as the words of a search
  in the search form; and choices (`chosen`), the ` selected` or ` checked` of
  an option, which a response turns on for what it chose (`KeptPage.with_chosen`).

The key of a kept page holds everything the page follows from apart from its
holes (the caller's duty), usually the IndexState, which names one version of
the directory and its taxonomy, so a kept page never shows what the database
no longer says.  Rendering was most of a search's cost.

A page with flash messages waiting (after a tray button without JavaScript)
is rendered for the visitor alone, because the messages are theirs.
"""
import re
import secrets
from collections.abc import Callable
from typing import AnyStr, NamedTuple

from flask import current_app, render_template, session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.public.tray_session import tray_counter
from app.services.lru import LruCache
from app.services.search_query import KEPT_UNDER_STATE_SECONDS

# A page or a search's results are kept as UTF-8 (some 2–25 KB); a process keeps this many.
PAGE_CACHE_SIZE = 4096
# A marker per process: no stored text can guess it, so only a hole is replaced.
_MARKER = secrets.token_hex(16)
_CHOICE_MARKER = f"chosen-{_MARKER}:"
_ANY_CHOICE = re.compile(re.escape(_CHOICE_MARKER).encode() + rb"[^;]*;")
VISITOR_HOLES: dict[str, Callable[[], str]] = {
    "csrf_token": generate_csrf,
    "tray_counter": tray_counter,
}


def hole(name: str) -> Markup:
    """What stands in a kept page (or a fragment of one) for the request's own `name`."""
    return Markup(f"{name}-{_MARKER}")


def chosen(field: str, value: object, attribute: str) -> Markup:
    """What stands in an option's tag for ` selected` (or ` checked`) when `value` of `field` is chosen."""
    return Markup(f"{_CHOICE_MARKER}{field}={value}:{attribute};")


def fill_holes(html: AnyStr, values: dict[str, object]) -> AnyStr:
    """`html` (text or UTF-8) with the hole of each name in `values` filled.

    A value is escaped unless it is Markup, or bytes (HTML kept as UTF-8).
    """
    for name, value in values.items():
        marker = hole(name)
        if isinstance(value, bytes):
            html = html.replace(marker.encode(), value)
            continue
        filled = str(escape(value))
        if isinstance(html, bytes):
            html = html.replace(marker.encode(), filled.encode())
        else:
            html = html.replace(marker, filled)
    return html


class KeptPage(NamedTuple):
    """A kept page: its HTML with the holes in it, and where each `chosen` mark stood (taken out)."""

    html: bytes
    marks: dict[str, int]

    @classmethod
    def of(cls, html: bytes) -> "KeptPage":
        marks, parts, length, end = {}, [], 0, 0
        for found in _ANY_CHOICE.finditer(html):
            part = html[end:found.start()]
            parts.append(part)
            length += len(part)
            marks[found.group().decode()] = length
            end = found.end()
        parts.append(html[end:])
        return cls(b"".join(parts), marks)

    def with_chosen(self, choices: list[Markup]) -> bytes:
        """The HTML with the options of `choices` (made by `chosen`) marked, the rest not."""
        html = self.html
        # From the end, so that each insertion leaves the earlier offsets true.
        for offset, choice in sorted(((self.marks[c], c) for c in set(choices) if c in self.marks), reverse=True):
            attribute = choice.rsplit(":", 1)[1].rstrip(";")
            html = html[:offset] + f" {attribute}".encode() + html[offset:]
        return html


def fill_visitor_holes(html: bytes) -> bytes:
    """`html` with this visitor's CSRF token and tray counter filled in."""
    return fill_holes(html, {name: fill() for name, fill in VISITOR_HOLES.items()})


_VISITOR_HOLE_MARKERS = {name: (lambda n=name: hole(n)) for name in VISITOR_HOLES}


def render_kept(template: str, key: tuple, make_context: Callable[[], dict]) -> KeptPage:
    """`template` rendered with `make_context()` once for every request whose page has the same `key`.

    The key must hold everything the context shows (the caller's duty); the
    context is only made when the page is rendered.  The holes are left for
    the caller: its own with `fill_holes` and `KeptPage.with_chosen`, then the
    visitor's with `fill_visitor_holes`.
    """
    # Each app has its own: the layout also shows the app's settings (where htmx comes from).
    pages = current_app.extensions.setdefault("kept_pages", LruCache(PAGE_CACHE_SIZE, max_age=KEPT_UNDER_STATE_SECONDS))
    key = (template, *key)
    shared = "_flashes" not in session
    page = pages.get(key) if shared else None
    if page is None:
        context = make_context()
        html = render_template(template, hole=hole, chosen=chosen, **context, **_VISITOR_HOLE_MARKERS)
        page = KeptPage.of(html.encode())
        if shared:
            pages.put(key, page)
    return page
