"""What the search page shows around its results: the chips of the chosen filters, the page links, the count."""
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import url_for
from flask_babel import gettext as _, ngettext

from app.directory.reads import FilterChoices, filter_choices, text_without_municipality
from app.models import Municipality
from app.search.engine import RELEVANCE, SORTS, SearchQuery, SearchResult


@dataclass
class Chip:
    """An active filter shown as a link that removes it."""

    kind: str
    label: str
    url: str


def search_url(args: list[tuple[str, str]], anchor: str = "") -> str:
    base = url_for("search.search")
    query = urlencode(args)
    return base + ("?" + query if query else "") + (("#" + anchor) if anchor else "")


def active_filters(query: SearchQuery, detected: list[Municipality], choices: FilterChoices) -> list[Chip]:
    """One chip per chosen need, activity and municipality, including those read from the text."""
    needs = choices.need_names
    activities = dict(choices.activities)
    municipalities = dict(choices.municipalities)
    chips = []
    for need_id in query.need_ids:
        if need_id in needs:
            rest = [i for i in query.need_ids if i != need_id]
            chips.append(Chip(_("Aihe"), needs[need_id], search_url(query.to_args(need_ids=rest, page=1))))
    for activity_id in query.activity_ids:
        if activity_id in activities:
            rest = [i for i in query.activity_ids if i != activity_id]
            chips.append(
                Chip(_("Toiminta"), activities[activity_id], search_url(query.to_args(activity_ids=rest, page=1)))
            )
    for municipality_id in query.municipality_ids:
        if municipality_id in municipalities:
            rest = [i for i in query.municipality_ids if i != municipality_id]
            chips.append(
                Chip(_("Alue"), municipalities[municipality_id], search_url(query.to_args(municipality_ids=rest, page=1)))
            )
    for municipality in detected:
        if municipality.id not in query.municipality_ids:
            text = text_without_municipality(query.text, municipality)
            chips.append(Chip(_("Alue hakusanasta"), municipality.label, search_url(query.to_args(text=text, page=1))))
    return chips


def page_numbers(page: int, page_count: int) -> list[int | None]:
    """Pages to link: the first, the last and two either side of the current; None is a gap."""
    shown = sorted({1, page_count, *range(max(1, page - 2), min(page_count, page + 2) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def result_count_text(total: int) -> str:
    if total == 0:
        return _("Yhtään järjestöä ei löytynyt")
    return ngettext("%(num)d järjestö löytyi", "%(num)d järjestöä löytyi", total)


def sort_choices(query: SearchQuery) -> list[tuple[str, str, bool]]:
    """The options of the order select: (`jarjestys` value, label, chosen).

    Relevance, the first option, is never marked chosen: like the other selects' first option it is the default.
    """
    labels = {
        "relevance": _("Osuvimmat ensin"),
        "name": _("Nimen mukaan (A–Ö)"),
        "checked": _("Viimeksi tarkistetut ensin"),
    }
    return [(parameter, labels[sort], sort == query.sort != RELEVANCE) for parameter, sort in SORTS.items()]


def search_page_context(result: SearchResult) -> dict:
    """Everything the search page and its htmx partial show."""
    query = result.query
    choices = filter_choices(result.version, result.query.language)
    return dict(
        query=query,
        result=result,
        choices=choices,
        count_text=result_count_text(result.total),
        chips=active_filters(query, result.detected_municipalities, choices),
        pages=page_numbers(result.page, result.page_count),
        sort_choices=sort_choices(query),
        # Where a tray button without JavaScript returns to: this very search.
        this_search_url=search_url(query.to_args()),
        search_url=search_url,
    )
