"""Template globals: htmx loading, partial-or-page rendering, formatting helpers."""
from flask import Flask, Response, current_app, make_response, render_template, request, url_for
from markupsafe import Markup

from app.config import HTMX_VERSION

HTMX_CDN_ORIGIN = "https://cdn.jsdelivr.net"
HTMX_CDN_URL = f"{HTMX_CDN_ORIGIN}/npm/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
# sha384 of dist/htmx.min.js in the htmx.org npm package at HTMX_VERSION.
HTMX_SRI = "sha384-REPLACED-BY-MAKE"


def htmx_script_tag() -> Markup:
    """The <script> that loads htmx, from the CDN with SRI or from our own copy."""
    if current_app.config["HTMX_SOURCE"] == "local":
        src = url_for("static", filename="vendor/htmx.min.js")
        return Markup('<script src="{}" defer></script>').format(src)
    return Markup('<script src="{}" integrity="{}" crossorigin="anonymous" defer></script>').format(
        HTMX_CDN_URL, HTMX_SRI
    )


def wants_partial() -> bool:
    """True for an htmx request that swaps a fragment (not boosted, not a history restore)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_page_or_partial(page: str, partial: str, status: int = 200, **context) -> Response:
    """Render the partial for htmx and the full page otherwise; caches must keep them apart."""
    template = partial if wants_partial() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals["htmx_script_tag"] = htmx_script_tag
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
