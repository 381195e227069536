"""The search parameters of /api/v1/organisations, read strictly.

The search page forgives a stale or mistyped filter (its links are ours); the
API names it in a 400 instead, so a program never gets unfiltered results it
did not ask for.  Taxonomy filters take an id, a name in any case or its slug
(`kunta=Kuopio`, `kunta=kuopio`, `toiminta=ohjaus-ja-neuvontapalvelut`);
`kunta` also takes the official three-digit municipality code (`kunta=297`).
"""
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.api.parameters import InvalidParameters, name_faults, page_number, search_text, slug
from app.extensions import db
from app.models import LANGUAGES, Activity, Municipality, Need
from app.search.engine import MAX_TEXT_LENGTH, RELEVANCE, SORTS, SearchQuery
from app.search.query import ACCESSIBILITY_PARAMETERS

PARAMETERS = {"q", "tarve", "toiminta", "kunta", "kieli", "esteettomyys", "jarjestys", "sivu"}
# Filters that take several values (OR within one, AND across); the rest take one.
REPEATABLE = frozenset({"tarve", "toiminta", "kunta", "kieli", "esteettomyys"})


def _names(row) -> list[str]:
    if isinstance(row, Municipality):
        return [name for name in (row.name_fi, row.name_sv) if name]
    return [row.name]


def _resolve(args: MultiDict, parameter: str, model) -> tuple[list[int], list[tuple[str, str]]]:
    values = args.getlist(parameter)
    if not values:
        return [], []
    rows = list(db.session.scalars(select(model)))
    by_key: dict[str, int] = {}
    for row in rows:
        by_key[str(row.id)] = row.id
        for name in _names(row):
            by_key[name.casefold()] = row.id
            by_key[slug(name)] = row.id
    if model is Municipality:
        # Checked last so a three-digit code wins over an id of the same digits.
        by_key.update({row.code: row.id for row in rows})
    ids, faults = [], []
    # The value itself is not echoed back: an answer never reflects what was sent.
    for number, value in enumerate(values, start=1):
        found = by_key.get(value.strip().casefold())
        if found is None:
            faults.append((parameter, f"value {number} names nothing in /taxonomy (an id, a name or a slug)"))
        elif found not in ids:
            ids.append(found)
    return ids, faults


def _choices(args: MultiDict, parameter: str, allowed) -> tuple[list[str], list[tuple[str, str]]]:
    values = list(dict.fromkeys(args.getlist(parameter)))
    faults = [(parameter, f"value {number} is none of: {', '.join(allowed)}")
              for number, value in enumerate(values, start=1) if value not in allowed]
    return values, faults


def search_query(args: MultiDict, page_size: int) -> SearchQuery:
    """The SearchQuery the parameters ask for; InvalidParameters names every one not understood."""
    name_problems = name_faults(args, PARAMETERS, REPEATABLE)
    need_ids, need_faults = _resolve(args, "tarve", Need)
    activity_ids, activity_faults = _resolve(args, "toiminta", Activity)
    municipality_ids, municipality_faults = _resolve(args, "kunta", Municipality)
    languages, language_faults = _choices(args, "kieli", LANGUAGES)
    accessible, accessible_faults = _choices(args, "esteettomyys", ACCESSIBILITY_PARAMETERS)
    sorts, sort_faults = _choices(args, "jarjestys", SORTS)
    faults = (name_problems + need_faults + activity_faults + municipality_faults + language_faults
              + accessible_faults + sort_faults)
    if faults:
        raise InvalidParameters(faults)
    return SearchQuery(
        text=search_text(args, "q", MAX_TEXT_LENGTH),
        need_ids=need_ids,
        activity_ids=activity_ids,
        municipality_ids=municipality_ids,
        languages=languages,
        accessible=[ACCESSIBILITY_PARAMETERS[name] for name in accessible],
        page=page_number(args, "sivu"),
        page_size=page_size,
        sort=SORTS[sorts[0]] if sorts else RELEVANCE,
    )
