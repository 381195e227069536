"""Smaller and fewer responses: compression (Flask-Compress), conditional GET for the read-only APIs.

Both are `after_request` hooks on the app.  Flask runs the app's hooks in the
reverse order of registration, and `register_response_hooks` is called before
any other setup step registers one (the languages step before it adds none), so
compression runs last, on the finished body.
"""
import hashlib

from flask import Flask, Response, request
from flask_compress import Compress

# The read-only APIs, which browsers and API clients revalidate with If-None-Match.
# No HTML page is among them: a page's forms carry a one-time submission key
# (app/platform/submissions.py), and a page revalidated from the browser's cache
# would send the key of an earlier, already used form, so a second request would
# be taken for a repeat of the first and silently dropped.
CONDITIONAL_BLUEPRINTS = frozenset({"api", "hsds"})


def add_etag(response: Response) -> Response:
    """A weak ETag from the content; If-None-Match that matches gets 304 and no body.

    Weak, because compression may change the bytes but not the meaning.  The
    answer is still built (the ETag is of the result): what is saved is the
    transfer, which on a slow mobile connection is most of the wait.
    """
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.is_streamed
        or response.direct_passthrough
        or "ETag" in response.headers
        or "no-store" in response.headers.get("Cache-Control", "")
        or (request.endpoint or "").split(".", 1)[0] not in CONDITIONAL_BLUEPRINTS
    ):
        return response
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32], weak=True)
    response.headers.setdefault("Cache-Control", "no-cache")
    return response.make_conditional(request)


def keep_pages_private(response: Response) -> Response:
    """Pages show the visitor's own tray and carry their form keys: only the browser may keep them."""
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "private, no-cache")
    return response


def register_response_hooks(app: Flask) -> None:
    # COMPRESS_REGISTER (the COMPRESS_RESPONSES setting) off: a reverse proxy compresses instead.
    Compress(app)
    app.after_request(add_etag)
    app.after_request(keep_pages_private)
