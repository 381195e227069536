"""Security headers on every response.

The Content-Security-Policy forbids inline scripts and styles; htmx is
configured through a meta tag and our own script file only.
"""
from flask import Flask, Response, current_app, request

from app.templating import HTMX_CDN_ORIGIN


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
