"""Query parameters of the read-only APIs: what is not understood is refused, never ignored.

A program that sends `kunta=Kuopioo` or `knuta=297` has a bug it should hear
about, so each such parameter is named in a 400 answer in the form of RFC 9457
(application/problem+json) with one `invalid_params` entry per fault.
"""
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import Blueprint, Response, jsonify
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.platform.validation import MAX_DATABASE_ID, whole_number


@dataclass
class InvalidParameters(Exception):
    """One or more parameters the API does not understand: (name, reason) each."""

    faults: list[tuple[str, str]]


def problem_response(faults: list[tuple[str, str]]) -> Response:
    response = jsonify({
        "type": "about:blank",
        "title": _("Virheellinen pyyntö"),
        "status": 400,
        "detail": "; ".join(f"{name}: {reason}" for name, reason in faults),
        "invalid_params": [{"name": name, "reason": reason} for name, reason in faults],
    })
    response.status_code = 400
    response.mimetype = "application/problem+json"
    return response


def answer_invalid_parameters(blueprint: Blueprint) -> None:
    blueprint.register_error_handler(InvalidParameters, lambda error: problem_response(error.faults))


def refuse_unknown(args: MultiDict, known: set[str]) -> None:
    unknown = sorted(name for name in args if name not in known)
    if unknown:
        raise InvalidParameters([(name, "unknown parameter") for name in unknown])


def page_number(args: MultiDict, name: str, default: int = 1, maximum: int = MAX_DATABASE_ID) -> int:
    """A whole number from 1 to `maximum` (the last value of a repeated parameter counts)."""
    values = args.getlist(name)
    if not values:
        return default
    number = whole_number(values[-1])
    if number is None or not 1 <= number <= maximum:
        raise InvalidParameters([(name, f"a whole number from 1 to {maximum}")])
    return number


def boolean(args: MultiDict, name: str) -> bool:
    value = args.get(name, "false").lower()
    if value not in ("true", "false"):
        raise InvalidParameters([(name, "true or false")])
    return value == "true"


def timestamp(args: MultiDict, name: str) -> datetime | None:
    """An ISO 8601 date or date-time as naive UTC (how the database keeps times), or None."""
    value = args.get(name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidParameters([(name, "an ISO 8601 date or date-time, e.g. 2026-01-31T12:00:00Z")]) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def slug(name: str) -> str:
    """"Ohjaus- ja neuvontapalvelut" → "ohjaus-ja-neuvontapalvelut"; ä, ö and å lose their dots.

    Four lines of the standard library; the slug libraries bring transliteration
    tables that Finnish names do not need.
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")
