"""What the search page shows around its results: the chips of the chosen filters, the page links, the count."""
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import current_app, url_for
from flask_babel import gettext as _, ngettext
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from app.directory.reads import FilterChoices, filter_choices
from app.models import Municipality
from app.platform.templating import ACCESSIBILITY_LABELS, LANGUAGE_LABELS
from app.search.engine import RELEVANCE, SORTS, SearchQuery, SearchResult
from app.search import analysis
from app.search.index import NEED_TOKEN_PREFIX
from app.search.panel import filter_panel, ticked
from app.search.vocabulary import OPAQUE_TOKEN
from app.search.query import ACCESSIBILITY_PARAMETERS, concerns_urgent_help, word_filter


@dataclass
class Chip:
    """An active filter shown as a link that removes it."""

    kind: str
    label: str
    url: str


# The results' heading: where the page's links that change the results land.
RESULTS = "tulokset-otsikko"


def search_url(args: list[tuple[str, str]], anchor: str = "") -> str:
    base = url_for("search.search")
    query = urlencode(args)
    return base + ("?" + query if query else "") + (("#" + anchor) if anchor else "")


def active_filters(result: SearchResult, choices: FilterChoices) -> list[Chip]:
    """One chip per chosen filter, and one per filter read from the text (which removes its word)."""
    query = result.query
    needs = choices.need_names
    activities = dict(choices.activities)
    municipalities = dict(choices.municipalities)

    # A chip's link loads the page at the results, as the page links do: removing a filter
    # leaves the visitor at the new count and the chips left, not at the top of the page.
    def without(field: str, value) -> str:
        return search_url(query.to_args(**{field: [v for v in getattr(query, field) if v != value]}, page=1), RESULTS)

    def without_words(text: str) -> str:
        return search_url(query.to_args(text=text, page=1), RESULTS)

    chips = [Chip(_("Aihe"), needs[i], without("need_ids", i)) for i in query.need_ids if i in needs]
    chips += [Chip(_("Toiminta"), activities[i], without("activity_ids", i))
              for i in query.activity_ids if i in activities]
    chips += [Chip(_("Alue"), municipalities[i], without("municipality_ids", i))
              for i in query.municipality_ids if i in municipalities]
    chips += [Chip(_("Kieli"), str(LANGUAGE_LABELS[code]), without("languages", code)) for code in query.languages]
    chips += [Chip(_("Esteettömyys"), str(ACCESSIBILITY_LABELS[feature]), without("accessible", feature))
              for feature in query.accessible]
    for municipality in result.detected_municipalities:
        if municipality.id not in query.municipality_ids:
            text = text_without_municipality(query.text, municipality)
            chips.append(Chip(_("Alue hakusanasta"), municipality.label, without_words(text)))
    for code in result.detected_languages:
        if code not in query.languages:
            text = text_without_word_filter(query.text, ("language", code))
            chips.append(Chip(_("Kieli hakusanasta"), str(LANGUAGE_LABELS[code]), without_words(text)))
    for feature in result.detected_accessible:
        if feature not in query.accessible:
            text = text_without_word_filter(query.text, ("accessible", feature))
            chips.append(Chip(_("Esteettömyys hakusanasta"), str(ACCESSIBILITY_LABELS[feature]), without_words(text)))
    return chips


# Swedish and English words that put a place or a language after them ("i Kuopio", "på svenska",
# "in English"): the chip that removes the word removes them with it. Finnish says it with endings.
LEADING_PREPOSITIONS = frozenset({"i", "på", "in", "at"})


def text_without(text: str, removed) -> str:
    """The search text without the words `removed(word)` picks, each with a preposition right before it."""
    kept: list[str] = []
    for piece in text.split():
        if not removed(piece):
            kept.append(piece)
        elif kept and kept[-1].casefold() in LEADING_PREPOSITIONS:
            kept.pop()
    return " ".join(kept)


def text_without_municipality(text: str, municipality: Municipality) -> str:
    """The text without the words that named this municipality, by any of its names and in any form
    the search understands ("Kuopiossa", "Idensalmi")."""
    names = {name.casefold() for name in municipality.names}
    return text_without(
        text, lambda piece: not names.isdisjoint(token.casefold() for token in analysis.analyse_text(piece))
    )


def text_without_word_filter(text: str, meaning: tuple[str, str]) -> str:
    """The text without the words that asked for this filter ("ruotsiksi" for ("language", "sv"))."""
    return text_without(text, lambda piece: any(word_filter(word) == meaning for word in analysis.words(piece)))


def chosen_filter_count(query: SearchQuery) -> int:
    """How many filters the form has chosen (what the collapsed filter panel says)."""
    chosen = (query.need_ids, query.activity_ids, query.municipality_ids, query.languages, query.accessible)
    return sum(map(len, chosen))


def chosen_filter_text(count: int) -> str:
    if count == 0:
        return _("(ei valintoja)")
    return ngettext("(%(num)d valinta)", "(%(num)d valintaa)", count)


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


def correction_text(result: SearchResult, choices: FilterChoices) -> str:
    """"Haettiin myös samankaltaisilla sanoilla: vertaistkui → vertaistuki", or "" when nothing was corrected.

    A correction to a need is named as the need is in the page's language; other
    index tokens (activities, places) have no word a person typed and are left out.
    """
    need_names = choices.need_names
    parts = []
    for typed, terms in result.corrections:
        words = [need_names.get(int(term.removeprefix(NEED_TOKEN_PREFIX)), "") if term.startswith(NEED_TOKEN_PREFIX)
                 else "" if OPAQUE_TOKEN.fullmatch(term) else term for term in terms]
        words = list(dict.fromkeys(word.lower() for word in words if word))
        if words:
            parts.append(f"{typed} → {', '.join(words)}")
    return _("Haettiin myös samankaltaisilla sanoilla: %(words)s", words="; ".join(parts)) if parts else ""


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
    args = query.to_args()
    return dict(
        query=query,
        result=result,
        choices=choices,
        # The need groups that hold a chosen need open themselves.
        open_need_groups={group for group, needs in choices.need_groups
                          if any(need_id in query.need_ids for need_id, _name in needs)},
        count_text=result_count_text(result.total),
        correction_text=correction_text(result, choices),
        show_text=ngettext("Näytä %(num)d tulos", "Näytä %(num)d tulosta", result.total),
        chips=active_filters(result, choices),
        chosen_text=chosen_filter_text(chosen_filter_count(query)),
        pages=page_numbers(result.page, result.page_count),
        sort_choices=sort_choices(query),
        # A page of results rather than the front page: the introduction gives way to them.
        searched=bool(args),
        # Where a tray button without JavaScript returns to: this very search.
        this_search_url=search_url(args),
        # Appended to each organisation's link, so its "Takaisin hakuun" returns to this search.
        organisation_link_query=("?" + urlencode([("haku", urlencode(args))])) if args else "",
        urgent_help=concerns_urgent_help(query.text),
        panel=filter_panel(choices, query.language),
        ticked=ticked,
        chosen_accessibility=[name for name, feature in ACCESSIBILITY_PARAMETERS.items()
                              if feature in query.accessible],
        search_url=search_url,
    )


def search_to_return_to(haku: str | None, referrer: str | None, host: str) -> list[tuple[str, str]]:
    """The parameters of the search an organisation page was opened from ([] for a new search).

    `haku` is the search's query string, carried by the result links; without it the
    Referer counts when it is this site's search page.  Either is read back through
    SearchQuery, so only search parameters survive and the link stays on this site.
    """
    if haku is None and referrer:
        parts = urlsplit(referrer)
        if parts.netloc == host and _is_search_page(host, parts.path):
            haku = parts.query
    if not haku:
        return []
    return SearchQuery.from_args(MultiDict(parse_qsl(haku))).to_args()


def _is_search_page(host: str, path: str) -> bool:
    try:
        endpoint, _values = current_app.url_map.bind(host).match(path, method="GET")
    except HTTPException:
        return False
    return endpoint == "search.search"
