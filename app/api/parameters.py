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


def name_faults(args: MultiDict, known: set[str], repeatable: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """The parameters not understood by name: unknown ones, and ones that take one value given more than once."""
    faults = [(name, "unknown parameter") for name in sorted(args) if name not in known]
    faults += [(name, "given more than once; it takes one value") for name in sorted(args)
               if name in known and name not in repeatable and len(args.getlist(name)) > 1]
    return faults


def refuse_unknown(args: MultiDict, known: set[str], repeatable: frozenset[str] = frozenset()) -> None:
    """Raise InvalidParameters for every name_faults() fault."""
    faults = name_faults(args, known, repeatable)
    if faults:
        raise InvalidParameters(faults)


def page_number(args: MultiDict, name: str, default: int = 1, maximum: int = MAX_DATABASE_ID) -> int:
    """A whole number from 1 to `maximum`."""
    value = args.get(name)
    if value is None:
        return default
    number = whole_number(value)
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
        try:
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:  # 0001-01-01T00:00+14:00 is before the first moment a datetime holds
            raise InvalidParameters([(name, "a date-time from year 1 to 9999 in UTC")]) from None
    return moment


def search_text(args: MultiDict, name: str, maximum: int) -> str:
    """Search words of at most `maximum` characters (as the search page's box takes)."""
    value = args.get(name) or ""
    if len(value) > maximum:
        raise InvalidParameters([(name, f"at most {maximum} characters")])
    return value


def slug(name: str) -> str:
    """"Ohjaus- ja neuvontapalvelut" → "ohjaus-ja-neuvontapalvelut"; ä, ö and å lose their dots.

    Four lines of the standard library; the slug libraries bring transliteration
    tables that Finnish names do not need.
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")
