"""The search page, put together from parts kept per process.

- The results (chips, cards, page links) are the same HTML for everyone who asks
  the same thing of one version of the directory: kept per IndexState, query,
  which cards say "remove from tray", and date.  An htmx search gets these
  alone, with the result count out of band.
- The page around them (layout and search form) is the same for every search
  of one version of the taxonomy: kept per IndexState with holes for what this
  search asked (title, words, chosen need, municipality and activities) and
  for its count and results.  Only the first chosen need and municipality show
  in their selects; further ones (from chips or shared links) travel as hidden
  inputs.

So a search that was not asked before renders only its results, and one that
was renders nothing (page_cache fills the holes).
"""
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from app.models import Municipality
from app.public.page_cache import chosen, fill_holes, fill_visitor_holes, render_kept
from app.public.result_list import result_cards
from app.public.services import FilterChoices, filter_choices, text_without_municipality
from app.services.search import Found, SearchQuery, detected_municipalities
from app.services.search_query import IndexState


@dataclass
class Chip:
    """An active filter shown as a link that removes it."""

    kind: str
    label: str
    url: str


def search_url(args: list[tuple[str, str]], anchor: str = "") -> str:
    base = url_for("public.search")
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
            chips.append(Chip(_("Alue hakusanasta"), municipality.name_fi, search_url(query.to_args(text=text, page=1))))
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


def search_page(query: SearchQuery, found: Found, state: IndexState, on_tray: tuple[int, ...], today: date,
                partial: bool) -> bytes:
    """The whole search page, or for htmx (`partial`) the results and the count, as UTF-8."""
    results = render_kept(
        "public/_results.html",
        # Everything the results show follows from these: the same key is the same HTML.
        (state, query.cache_key, on_tray, today),
        lambda: results_context(query, found, state, on_tray, today),
    )
    if partial:
        page = render_kept("public/_search_partial.html", (), dict).html
    else:
        shell = render_kept("public/search.html", (state,), lambda: {"choices": filter_choices(state)})
        page = shell.with_chosen([
            *(chosen("tarve", i, "selected") for i in query.need_ids[:1]),
            *(chosen("kunta", i, "selected") for i in query.municipality_ids[:1]),
            *(chosen("toiminta", i, "checked") for i in query.activity_ids),
        ])
        page = fill_holes(page, {
            "title": _("Haku: %(text)s", text=query.text) if query.text else _("Haku"),
            "q": query.text,
            "extra_filters": hidden_filters(query),
        })
    page = fill_holes(page, {"count_text": result_count_text(found.total), "results": results.html})
    return fill_visitor_holes(page)


def hidden_filters(query: SearchQuery) -> Markup:
    """The chosen needs and municipalities after the first, which their selects cannot show."""
    extra = [("tarve", i) for i in query.need_ids[1:]] + [("kunta", i) for i in query.municipality_ids[1:]]
    return Markup("").join(Markup('<input type="hidden" name="{}" value="{}">').format(*pair) for pair in extra)


def results_context(query: SearchQuery, found: Found, state: IndexState, on_tray: tuple[int, ...],
                    today: date) -> dict:
    """What the results show, made only when they are rendered (not for a kept copy)."""
    # Where a tray button without JavaScript returns to: this very search.
    this_search_url = search_url(query.to_args())
    return dict(
        query=query,
        found=found,
        result_cards=result_cards(found.ids, state, on_tray, today, this_search_url),
        chips=active_filters(query, detected_municipalities(found), filter_choices(state)),
        pages=page_numbers(found.page, found.page_count),
        search_url=search_url,
    )
