"""Smaller and fewer responses: compression (Flask-Compress), conditional GET for pages that rarely change.

Both are `after_request` hooks on the app.  Flask runs the app's hooks in the
reverse order of registration, and `register_response_hooks` is called before
the other setup steps, so compression runs last, on the finished body.
"""
import hashlib

from flask import Flask, Response, current_app, g, request, session
from flask_compress import Compress

# Pages and answers that browsers and API clients revalidate with If-None-Match.
CONDITIONAL_ENDPOINTS = frozenset({"directory.organisation"})
CONDITIONAL_BLUEPRINTS = frozenset({"api", "hsds"})


def _stable_body(body: bytes) -> bytes:
    """The body with this request's signed CSRF token replaced by what it stands for.

    The signed token carries a timestamp, so it differs every second although it
    stands for the same session secret; a cached page with an older signed token
    of the same session is still accepted on POST (WTF_CSRF_TIME_LIMIT is None).
    """
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    signed = g.get(field)
    if not signed:
        return body
    secret = hashlib.sha256(str(session.get(field, "")).encode("utf-8")).hexdigest()
    return body.replace(signed.encode("ascii"), secret.encode("ascii"))


def _is_conditional_endpoint() -> bool:
    endpoint = request.endpoint or ""
    return endpoint in CONDITIONAL_ENDPOINTS or endpoint.split(".", 1)[0] in CONDITIONAL_BLUEPRINTS


def add_etag(response: Response) -> Response:
    """A weak ETag from the content; If-None-Match that matches gets 304 and no body.

    Weak, because compression may change the bytes but not the meaning.  The
    page is still rendered (the ETag is of the result): what is saved is the
    transfer, which on a slow mobile connection is most of the wait.
    """
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.is_streamed
        or response.direct_passthrough
        or "ETag" in response.headers
        or "no-store" in response.headers.get("Cache-Control", "")
        or not _is_conditional_endpoint()
    ):
        return response
    response.set_etag(hashlib.sha256(_stable_body(response.get_data())).hexdigest()[:32], weak=True)
    if "Cache-Control" not in response.headers:
        # The pages show the visitor's own tray, so only the browser may keep them.
        response.headers["Cache-Control"] = "no-cache" if response.is_json else "private, no-cache"
    return response.make_conditional(request)


def register_response_hooks(app: Flask) -> None:
    # COMPRESS_REGISTER (the COMPRESS_RESPONSES setting) off: a reverse proxy compresses instead.
    Compress(app)
    app.after_request(add_etag)
