"""Public pages rendered once for every visitor, with each request's own parts filled in.

A kept page (or part of one) is HTML with holes: a per-process random marker
stands where something differs by request, such as the visitor's CSRF token and
tray counter, the words of a search, or another kept part (a search's results
inside the page around them).  It is kept as the pieces between its holes, and
each piece is also deflated once, on its own, the first time it is needed.  An answer
is then put together without rendering or compressing the kept pieces again:
gzip's header, the deflated pieces with each hole's value between them as a
stored (uncompressed) block, and gzip's trailer.  Compressing a whole search page
was about 0.2 ms, a third of an answer put together from kept parts.

The key of a kept part holds everything it shows apart from its holes (the
caller's duty), usually the IndexState, which names one version of the
directory and its taxonomy, so a kept part never shows what the database no
longer says.

A page with flash messages waiting (after a tray button without JavaScript)
is rendered for the visitor alone, because the messages are theirs.
"""
import re
import secrets
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from flask import Response, current_app, render_template, session
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.public.tray_session import tray_counter
from app.responses import GZIP_LEVEL, accepts_gzip
from app.services.lru import LruCache
from app.services.search_query import KEPT_UNDER_STATE_SECONDS

# How many of each template a process keeps, each kind apart, so that organisation
# pages (read at random) do not push out the parts of searches.  A kept part is
# 1–25 KB of UTF-8 and a fifth of that deflated.
KEPT_PER_TEMPLATE = {
    "public/_results.html": 4096,  # a search's results: the most repeated, and the dearest to make
    "public/_search_form.html": 2048,  # per first need, first municipality and activities chosen
    "public/organisation.html": 1024,
}
KEPT_OTHERWISE = 16  # the layouts around them
# A marker per process: no stored text can guess it, so only a hole is replaced.
_MARKER = secrets.token_hex(16)
_HOLE = re.compile(f"{_MARKER}:([a-z0-9_-]+);")
VISITOR_HOLES: dict[str, Callable[[], str]] = {
    "csrf_token": generate_csrf,
    "tray_counter": tray_counter,
}
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time, unknown OS
_LAST_EMPTY_BLOCK = b"\x03\x00"  # a final, empty block of fixed codes
_STORED_MAX = 0xFFFF


def hole(name: str) -> Markup:
    """What stands in a kept page (or a fragment of one) for the request's own `name`."""
    return Markup(f"{_MARKER}:{name};")


class Piece:
    """HTML as UTF-8, and as deflate blocks that end on a byte, so that any other blocks may follow.

    A kept piece is deflated when an answer first needs it so (pages answered
    plain, for their ETag, never are); two threads doing it at once get the same.
    """

    __slots__ = ("text", "_deflated")

    def __init__(self, text: bytes, deflated: bytes | None = None):
        self.text = text
        self._deflated = deflated

    @property
    def deflated(self) -> bytes:
        if self._deflated is None:
            compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
            self._deflated = compressor.compress(self.text) + compressor.flush(zlib.Z_SYNC_FLUSH)
        return self._deflated

    @classmethod
    def stored(cls, text: bytes) -> "Piece":
        """A request's own value: stored blocks, cheaper than compressing a few dozen bytes."""
        blocks = [
            b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk
            for chunk in (text[start:start + _STORED_MAX] for start in range(0, len(text), _STORED_MAX))
        ]
        return cls(text, b"".join(blocks))


@dataclass(frozen=True)
class Kept:
    """A kept page or part: its pieces, with the names of its holes between them."""

    parts: tuple[Piece | str, ...]

    @classmethod
    def of(cls, html: str) -> "Kept":
        # re.split with a group gives text, name, text, name, … text.
        split = _HOLE.split(html)
        return cls(tuple(
            Piece(part.encode()) if index % 2 == 0 else part
            for index, part in enumerate(split)
            if part
        ))

    def pieces(self, values: dict[str, "str | Kept"]) -> list[Piece]:
        """The pieces of this part with every hole filled from `values` (escaped unless Markup)."""
        pieces: list[Piece] = []
        for part in self.parts:
            if isinstance(part, Piece):
                pieces.append(part)
                continue
            value = values[part]
            if isinstance(value, Kept):
                pieces += value.pieces(values)
            elif value:
                pieces.append(Piece.stored(str(escape(value)).encode()))
        return pieces

    def filled(self, values: dict[str, "str | Kept"]) -> Markup:
        """The HTML with every hole filled from `values`, for a part drawn inside another template."""
        return Markup(b"".join(piece.text for piece in self.pieces(values)).decode())


class _WithVisitorHoles(dict):
    """The caller's values; the visitor's own are made when a hole asks for them."""

    def __missing__(self, name: str) -> str:
        value = self[name] = VISITOR_HOLES[name]()
        return value


def kept_response(page: Kept, values: dict[str, "str | Kept"], *, packed: bool = True) -> Response:
    """`page` with `values` and the visitor's own holes filled: gzip put together from kept pieces if accepted.

    Not `packed`, the answer is plain, for the after_request hooks to give it an
    ETag of its text and compress it (app/responses.py), as for any other page.
    """
    pieces = page.pieces(_WithVisitorHoles(values))
    if not packed or not accepts_gzip():
        response = Response(b"".join(piece.text for piece in pieces), mimetype="text/html")
    else:
        checksum = size = 0
        for piece in pieces:
            checksum = zlib.crc32(piece.text, checksum)
            size += len(piece.text)
        body = b"".join([_GZIP_HEADER, *(piece.deflated for piece in pieces), _LAST_EMPTY_BLOCK,
                         struct.pack("<II", checksum, size & 0xFFFFFFFF)])
        response = Response(body, mimetype="text/html")
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


_VISITOR_HOLE_MARKERS = {name: (lambda n=name: hole(n)) for name in VISITOR_HOLES}


def render_kept(template: str, key: tuple, make_context: Callable[[], dict]) -> Kept:
    """`template` rendered with `make_context()` once for every request whose page has the same `key`.

    The key must hold everything the context shows (the caller's duty); the
    context is only made when the page is rendered.  The holes are filled by
    `kept_response`.
    """
    # Each app has its own: the layout also shows the app's settings (where htmx comes from).
    kept = current_app.extensions.setdefault("kept_pages", {})
    if template not in kept:
        size = KEPT_PER_TEMPLATE.get(template, KEPT_OTHERWISE)
        kept[template] = LruCache(size, max_age=KEPT_UNDER_STATE_SECONDS)
    pages = kept[template]
    shared = "_flashes" not in session
    page = pages.get(key) if shared else None
    if page is None:
        page = Kept.of(render_template(template, hole=hole, **make_context(), **_VISITOR_HOLE_MARKERS))
        if shared:
            pages.put(key, page)
    return page
