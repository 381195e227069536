"""The search page, put together from parts kept per process.

- The results (chips, cards, page links) are the same HTML for everyone who asks
  the same thing of one version of the directory: kept per IndexState, query,
  which cards say "remove from tray", and date.  An htmx search gets these
  alone, with the result count out of band.
- The search form is kept per IndexState and what was chosen in its selects and
  checkboxes (the first chosen need and municipality, the activities; further
  ones, from chips or shared links, travel as hidden inputs), with holes for the
  words and those hidden inputs.
- The page around them (layout) is the same for every search, with holes for
  the title, the form, the count and the results.

So a search that was not asked before renders only its results (and its form,
if nobody chose the same before), and one that was renders nothing: page_cache
puts the answer together from kept pieces, gzip and all.
"""
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from flask import Response, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from app.models import Municipality
from app.public.page_cache import Kept, kept_response, render_kept
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
                partial: bool) -> Response:
    """The whole search page, or for htmx (`partial`) the results and the count."""
    values: dict[str, str | Kept] = {
        "results": render_kept(
            "public/_results.html",
            # Everything the results show follows from these: the same key is the same HTML.
            (state, query.cache_key, on_tray, today),
            lambda: results_context(query, found, state, on_tray, today),
        ),
        "count_text": result_count_text(found.total),
    }
    if partial:
        return kept_response(render_kept("public/_search_partial.html", (), dict), values)
    # The selects show the first chosen need and municipality; the rest go as hidden inputs.
    chosen = {
        "chosen_needs": tuple(query.need_ids[:1]),
        "chosen_municipalities": tuple(query.municipality_ids[:1]),
        "chosen_activities": tuple(query.activity_ids),
    }
    values |= {
        "title": _("Haku: %(text)s", text=query.text) if query.text else _("Haku"),
        "search_form": render_kept(
            "public/_search_form.html", (state, *chosen.values()),
            lambda: {"choices": filter_choices(state), **chosen},
        ),
        "q": query.text,
        "extra_filters": hidden_filters(query),
    }
    return kept_response(render_kept("public/search.html", (), dict), values)


def hidden_filters(query: SearchQuery) -> Markup:
    """The chosen needs and municipalities after the first, which their selects cannot show."""
    extra = [("tarve", i) for i in query.need_ids[1:]] + [("kunta", i) for i in query.municipality_ids[1:]]
    return Markup("").join(Markup('<input type="hidden" name="{}" value="{}">').format(*pair) for pair in extra)


def results_context(query: SearchQuery, found: Found, state: IndexState, on_tray: tuple[int, ...],
                    today: date) -> dict:
    """What the results show, made only when they are rendered (not for a kept copy)."""
    return dict(
        query=query,
        found=found,
        result_cards=result_cards(found.ids, state, on_tray, today),
        # Where a tray button without JavaScript returns to: this very search.
        this_search_url=search_url(query.to_args()),
        chips=active_filters(query, detected_municipalities(found), filter_choices(state)),
        pages=page_numbers(found.page, found.page_count),
        search_url=search_url,
    )
