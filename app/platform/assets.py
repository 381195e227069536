"""Static files under content-hashed names, cached by browsers for a year.

`asset("css/site.css")` in a template gives `/static/css/site.3f2a9c1b.css`,
the first eight hex digits of the file's SHA-256.  A changed file gets a new
name, so its old copies may be cached forever (`immutable`).  The same static
route still serves the plain names (`/static/css/site.css`), revalidated on
every use, for anything that cannot know the hash.

Files are read once, kept in memory, and read again when
their size or modification time changes, so a deploy or an edit in development
is picked up without a restart.
"""
import hashlib
import mimetypes
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, current_app, request, url_for
from werkzeug.security import safe_join

DIGEST_LENGTH = 8
HASHED_NAME = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{8})(?P<suffix>\.[A-Za-z0-9]+)$")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@dataclass(frozen=True)
class Asset:
    digest: str
    body: bytes
    mimetype: str
    stamp: tuple[int, int]  # (mtime_ns, size) of the file the body was read from

    def hashed_name(self, path: str) -> str:
        stem, suffix = os.path.splitext(path)
        return f"{stem}.{self.digest}{suffix}"


def _mimetype(path: str) -> str:
    guessed, _encoding = mimetypes.guess_type(path)
    if guessed == "application/javascript":
        guessed = "text/javascript"  # RFC 9239
    return guessed or "application/octet-stream"


def _read(path: Path, stamp: tuple[int, int]) -> Asset:
    body = path.read_bytes()
    return Asset(hashlib.sha256(body).hexdigest()[:DIGEST_LENGTH], body, _mimetype(path.name), stamp)


class AssetTable:
    """The files of one static folder, by path relative to it."""

    def __init__(self, folder: str):
        self.folder = folder
        self._assets: dict[str, Asset] = {}
        self._lock = threading.Lock()

    def get(self, path: str) -> Asset | None:
        full = safe_join(self.folder, path)
        if full is None:
            return None
        try:
            status = os.stat(full)
        except OSError:
            return None
        if not os.path.isfile(full):
            return None
        stamp = (status.st_mtime_ns, status.st_size)
        cached = self._assets.get(path)
        if cached is not None and cached.stamp == stamp:
            return cached
        fresh = _read(Path(full), stamp)
        with self._lock:
            self._assets[path] = fresh
        return fresh


def _table() -> AssetTable:
    return current_app.extensions["asset_table"]


def asset(path: str) -> str:
    """The URL of a static file under its content-hashed name."""
    found = _table().get(path)
    if found is None:
        # A missing file is a bug in a template; the plain URL makes it a visible 404.
        return url_for("static", filename=path)
    return url_for("static", filename=found.hashed_name(path))


def _respond(found: Asset, cache_control: str) -> Response:
    response = Response(found.body, mimetype=found.mimetype)
    response.headers["Cache-Control"] = cache_control
    response.set_etag(found.digest)
    return response.make_conditional(request)


def serve_static(filename: str) -> Response:
    """The static route: hashed names are immutable, plain names are revalidated."""
    table = _table()
    hashed = HASHED_NAME.match(filename)
    if hashed:
        found = table.get(hashed["stem"] + hashed["suffix"])
        if found is not None:
            if found.digest != hashed["digest"]:
                # An old or forged hash: a cache must not keep a different file under it.
                abort(404)
            return _respond(found, IMMUTABLE)
    found = table.get(filename)
    if found is None:
        abort(404)
    return _respond(found, REVALIDATE)


# Own code, not flask-static-digest or whitenoise: the first needs a build step
# (`flask digest compile`) whose output a running app reads once, so an edited
# stylesheet is served stale until the next compile and restart, and it leaves
# the cache headers to us; the second hashes names only inside Django. See the
# README ("Static files").
def register_assets(app: Flask) -> None:
    app.extensions["asset_table"] = AssetTable(app.static_folder)
    app.view_functions["static"] = serve_static
    app.jinja_env.globals["asset"] = asset
