"""Template globals: htmx loading, a page or its htmx partial, formatting helpers."""
import re
from datetime import date, datetime

from flask import Flask, Response, current_app, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from jinja2 import pass_context
from markupsafe import Markup
from wtforms import Form

from app.config import HTMX_VERSION
from app.platform.assets import asset
from app.platform.calendar import helsinki_time
from app.platform.i18n import app_text
from app.platform.surveys import format_mean
from app.platform.tokens import link_url
from app.platform.validation import format_phone_fi

HTMX_CDN_ORIGIN = "https://cdn.jsdelivr.net"
HTMX_CDN_URL = f"{HTMX_CDN_ORIGIN}/npm/htmx.org@{HTMX_VERSION}/dist/htmx.min.js"
# sha384 of dist/htmx.min.js in the htmx.org npm package at HTMX_VERSION.
HTMX_SRI = "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg"


def htmx_script_tag() -> Markup:
    """The <script> that loads htmx, from the CDN with SRI or from our own copy."""
    if current_app.config["HTMX_SOURCE"] == "local":
        src = asset("vendor/htmx.min.js")
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


def render_page(template: str, partial_template: str, **context) -> Response:
    """`template`, or for an htmx request `partial_template` (which the page includes) alone.

    The same address answers both, so caches are told to keep them apart.
    """
    response = make_response(render_template(partial_template if wants_partial() else template, **context))
    response.vary.add("HX-Request")
    return response


@pass_context
def form_refused(context) -> bool:
    """True when a form on the page came back with errors: base.html then starts the title with
    "Virhe:", the first thing a screen reader says of the page, on every form alike."""
    return any(isinstance(value, Form) and value.errors for value in context.get_all().values())


ORG_TYPE_LABELS = {
    "liitto": _l("Liitto"),
    "yhdistys": _l("Yhdistys"),
    "ryhma": _l("Kerho tai ryhmä"),
    "muu": _l("Muu"),
}
LANGUAGE_LABELS = {
    "fi": _l("suomi"),
    "sv": _l("ruotsi"),
    "en": _l("englanti"),
    "selkokieli": _l("selkokieli"),
    "viittomakieli": _l("viittomakieli"),
    "muu": _l("muu"),
}
TRISTATE_LABELS = {"yes": _l("Kyllä"), "no": _l("Ei"), "unknown": _l("Ei tiedossa")}
ACCESSIBILITY_LABELS = {
    "step_free_access": _l("Esteetön sisäänkäynti"),
    "accessible_toilet": _l("Esteetön WC"),
    "induction_loop": _l("Induktiosilmukka"),
}
CHANNEL_LABELS = {"puhelin": _l("puhelimella"), "tekstiviesti": _l("tekstiviestillä"), "sahkoposti": _l("sähköpostilla")}


def date_fi(value: date | datetime | None) -> str:
    """Finnish date without leading zeros: 5.3.2025."""
    if value is None:
        return ""
    return f"{value.day}.{value.month}.{value.year}"


def moment_fi(utc: datetime) -> str:
    """A stored moment (naive UTC, as utcnow() writes it) in Helsinki time: 6.12.2026 21.25."""
    local = helsinki_time(utc)
    return f"{date_fi(local)} {local.hour:02d}.{local.minute:02d}"


def excerpt(text: str, limit: int = 220) -> str:
    """The first one or two sentences of a description, cut at a word when too long."""
    text = " ".join(text.split())
    sentences = re.split(r"(?<=[.!?])\s+", text)
    short = sentences[0]
    if len(sentences) > 1 and len(short) + 1 + len(sentences[1]) <= limit:
        short += " " + sentences[1]
    if len(short) <= limit:
        return short
    return short[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals["htmx_script_tag"] = htmx_script_tag
    app.jinja_env.globals["form_refused"] = form_refused
    app.jinja_env.filters["date_fi"] = date_fi
    app.jinja_env.filters["moment_fi"] = moment_fi
    app.jinja_env.filters["phone_fi"] = format_phone_fi
    app.jinja_env.filters["excerpt"] = excerpt
    app.jinja_env.filters["mean_fi"] = format_mean
    app.jinja_env.filters["app_text"] = app_text
    # Mail has no request to take the language from: its links are built in the mail's language.
    app.jinja_env.globals["link_url"] = link_url
    app.jinja_env.globals["ORG_TYPE_LABELS"] = ORG_TYPE_LABELS
    app.jinja_env.globals["LANGUAGE_LABELS"] = LANGUAGE_LABELS
    app.jinja_env.globals["TRISTATE_LABELS"] = TRISTATE_LABELS
    app.jinja_env.globals["ACCESSIBILITY_LABELS"] = ACCESSIBILITY_LABELS
    app.jinja_env.globals["CHANNEL_LABELS"] = CHANNEL_LABELS
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
