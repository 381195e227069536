"""Security headers on every response.

The Content-Security-Policy forbids inline scripts and styles; htmx is
configured through a meta tag and our own script file only.
"""
import re
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

from app.platform.templating import HTMX_CDN_ORIGIN


# One leading slash, then printable ASCII without spaces or backslashes: browsers drop
# tab, CR and LF from a URL and read "\\" as "/", so "/\t/evil.example" would be
# "//evil.example", another host.  The site's own links are percent-encoded by url_for.
LOCAL_PATH = re.compile(r"/(?!/)[!-\[\]-~]*")


def local_path(target: str | None, default: str) -> str:
    """`target` when it is a path on this site, else `default`: for every redirect to a place the request names."""
    return target if target and LOCAL_PATH.fullmatch(target) else default


def on_this_site(address: str | None) -> bool:
    """True when an absolute address (a Referer, an Origin) is on this site's host."""
    return bool(address) and urlsplit(address).netloc == request.host


def referring_page() -> str | None:
    """The path and query of this site's page the request came from (its Referer), else None.

    Sent whole for this site's own pages (Referrer-Policy: same-origin): the page a
    form was on, to open it afresh or in another language.
    """
    if not on_this_site(request.referrer):
        return None
    parts = urlsplit(request.referrer)
    return local_path(parts.path + (f"?{parts.query}" if parts.query else ""), "") or None


def content_security_policy() -> str:
    script_src = "'self'"
    if current_app.config["HTMX_SOURCE"] == "cdn":
        script_src += " " + HTMX_CDN_ORIGIN
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script_src}",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    # no-referrer would break Flask-WTF's referrer check on https.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault(
        # Only features every current browser knows: an unknown one is logged as an error.
        "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
    )
    if request.is_secure or current_app.config["BASE_URL"].startswith("https://"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def register_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
