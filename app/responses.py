"""Smaller and fewer responses: gzip for text, conditional GET for pages that rarely change.

Both are `after_request` hooks on the app.  Flask runs the app's hooks in the
reverse order of registration, and `register_response_hooks` is called before
the other setup steps, so gzip runs last, on the finished body.
"""
import gzip
import hashlib

from flask import Flask, Response, current_app, g, request, session

COMPRESSIBLE_TYPES = frozenset({
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
    "image/svg+xml", "text/csv", "text/plain", "application/xml", "text/xml",
})
# Below this the gzip header and the CPU cost more than they save.
MIN_COMPRESS_BYTES = 500
# Level 6 compresses an HTML page within a few per cent of level 9 at half the CPU.
GZIP_LEVEL = 6

# Pages and answers that browsers and API clients revalidate with If-None-Match.
CONDITIONAL_ENDPOINTS = frozenset({"public.organisation"})
CONDITIONAL_BLUEPRINTS = frozenset({"api"})


def accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


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

    Weak, because the gzip hook may change the bytes but not the meaning.  The
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


def compress(response: Response) -> Response:
    """gzip a text response of MIN_COMPRESS_BYTES or more when the client accepts it."""
    if response.mimetype not in COMPRESSIBLE_TYPES:
        return response
    response.vary.add("Accept-Encoding")
    if (
        response.status_code < 200
        or response.status_code in (204, 206, 304)
        or response.is_streamed
        or response.direct_passthrough
        or "Content-Encoding" in response.headers
        or "no-transform" in response.headers.get("Cache-Control", "")
        or not accepts_gzip()
    ):
        return response
    body = response.get_data()
    if len(body) < MIN_COMPRESS_BYTES:
        return response
    packed = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    if len(packed) >= len(body):
        return response
    response.set_data(packed)
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:
        # The bytes changed; the meaning did not (what nginx does too).
        response.set_etag(etag, weak=True)
    return response


def register_response_hooks(app: Flask) -> None:
    app.after_request(compress)
    app.after_request(add_etag)
