"""The one search used by the search page and the API.

A query is free text plus need, activity and municipality filters (OR within a
filter, AND across).  The text is analysed like the index (see analysis): each
word becomes a group of alternative tokens (its base forms and compound parts,
plus the tokens of needs whose name or synonym it is), a word naming a
municipality ("Kuopiossa") becomes a municipality filter, and the last word,
while still being typed, also matches what it can still become.  Groups are
ANDed; when that finds fewer than three, a group that matches nothing in the
whole index is corrected to its nearest indexed words (typos), and then the
groups are ORed with the organisations that matched every word ranked first.

Relevance comes in tiers (see _tiered_segments): organisations that have the
needs and activities the words name come before those that only contain the
words, and when a municipality is chosen or named, those active in it come
before nationwide ones; within a tier, the better text match first.  A search
can also be listed by name or by when its details were last checked.

The filters are tokens in the same index (see search_index), so words and
filters are one full-text expression that the index counts and ranks without
reading the organisation table; only published organisations have a
document.  The SQL of both databases is app/search/statements.py; very common words
are ranked there in a bounded way (see match_segments).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import partial

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import LANGUAGES, Municipality, Organisation
from app.platform.validation import database_ids
from app.search import analysis
from app.search.cards import ResultCard, load_cards
from app.search.index import (
    ACCESSIBILITY_TOKENS,
    NATIONWIDE_TOKEN,
    NEED_TOKEN_PREFIX,
    activity_token,
    language_token,
    municipality_token,
    need_token,
)
from app.search.query import ACCESSIBILITY_PARAMETERS, Group, Taxonomy, load_taxonomy, words_as_filters
from app.search.statements import (
    ORDER_BY,
    Count,
    Match,
    Segment,
    count_matches,
    fetch,
    listing,
    match_segments,
    ordered,
    ranked,
    version_and_settings,
)
from app.search.vocabulary import load_vocabulary

MAX_TEXT_LENGTH = 200
# AND across words falls back to OR when it finds fewer than this.
ENOUGH_RESULTS = 3
PREFIX_MIN_LENGTH = 3
# A word being typed that can still become at most this many indexed words is spelled out.
MAX_PREFIX_TERMS = 20
_PUBLISHED_COUNT = select(func.count()).where(Organisation.__table__.c.status == "published")

# The orders a search can be listed in, by the value of the `jarjestys` parameter (page and API).
SORTS = {"osuvuus": "relevance", "nimi": "name", "tarkistettu": "checked"}
RELEVANCE = "relevance"


@dataclass
class SearchQuery:
    text: str = ""
    need_ids: list[int] = field(default_factory=list)
    activity_ids: list[int] = field(default_factory=list)
    municipality_ids: list[int] = field(default_factory=list)
    # Language codes (any of them) and accessibility features (all of them: step_free_access, ...).
    languages: list[str] = field(default_factory=list)
    accessible: list[str] = field(default_factory=list)
    page: int = 1
    page_size: int = 20
    # The language the cards name the taxonomy in (the words are understood in every language).
    language: str = "fi"
    sort: str = RELEVANCE  # a value of SORTS

    @classmethod
    def from_args(cls, args: MultiDict, page_size: int = 20, language: str = "fi") -> SearchQuery:
        """Read `q`, `tarve`, `toiminta`, `kunta`, `kieli`, `esteettomyys`, `jarjestys` and `sivu`; bad values are ignored."""
        pages = database_ids(args.getlist("sivu"))
        return cls(
            text=(args.get("q") or "")[:MAX_TEXT_LENGTH],
            need_ids=database_ids(args.getlist("tarve")),
            activity_ids=database_ids(args.getlist("toiminta")),
            municipality_ids=database_ids(args.getlist("kunta")),
            languages=[code for code in dict.fromkeys(args.getlist("kieli")) if code in LANGUAGES],
            accessible=[ACCESSIBILITY_PARAMETERS[name] for name in dict.fromkeys(args.getlist("esteettomyys"))
                        if name in ACCESSIBILITY_PARAMETERS],
            page=pages[0] if pages else 1,
            page_size=page_size,
            language=language,
            sort=SORTS.get(args.get("jarjestys", ""), RELEVANCE),
        )

    def to_args(self, **changes) -> list[tuple[str, str]]:
        """URL parameters of this query with some fields changed, e.g. `to_args(page=2)`."""
        changed = replace(self, **changes)
        args = [("q", changed.text)] if changed.text.strip() else []
        args += [("tarve", str(i)) for i in changed.need_ids]
        args += [("toiminta", str(i)) for i in changed.activity_ids]
        args += [("kunta", str(i)) for i in changed.municipality_ids]
        args += [("kieli", code) for code in changed.languages]
        args += [("esteettomyys", name) for name, feature in ACCESSIBILITY_PARAMETERS.items()
                 if feature in changed.accessible]
        if changed.sort != RELEVANCE:
            args.append(("jarjestys", sort_parameter(changed.sort)))
        if changed.page > 1:
            args.append(("sivu", str(changed.page)))
        return args


def sort_parameter(sort: str) -> str:
    """The `jarjestys` value of a sort."""
    return next(parameter for parameter, value in SORTS.items() if value == sort)


@dataclass
class SearchResult:
    query: SearchQuery
    organisations: list[ResultCard]
    total: int
    page: int
    page_count: int
    detected_municipalities: list[Municipality]
    # Languages and accessibility features asked for by words of the text ("ruotsiksi", "esteetön")
    detected_languages: list[str]
    detected_accessible: list[str]
    text_terms_used: list[str]
    # Words that found little as typed, each with the index terms the typo correction added ("vertaistkui" →
    # "vertaistuki"): the page says what else it searched for.
    corrections: list[tuple[str, list[str]]]
    version: str  # the directory version it was found in (search_index.VERSION_KEY)


def search(query: SearchQuery) -> SearchResult:
    """Published organisations matching the query, ranked (A–Z without text), one page of them as cards.

    The one search of the search page and the API.  Nothing is remembered between
    searches but the taxonomy and the vocabulary, per directory version.
    """
    plan = _plan(query)
    page_size = max(1, query.page_size)
    page_count = max(1, math.ceil(plan.total / page_size))
    page = min(max(1, query.page), page_count)
    ids = fetch(plan.segments, (page - 1) * page_size, page_size)
    return SearchResult(
        query=query,
        organisations=load_cards(ids, plan.taxonomy.labels(query.language)),
        total=plan.total,
        page=page,
        page_count=page_count,
        detected_municipalities=_detected_municipalities(plan.detected_ids),
        detected_languages=plan.detected_languages,
        detected_accessible=plan.detected_accessible,
        text_terms_used=[term for group in plan.groups for term in group.describe()],
        corrections=plan.corrections,
        version=plan.version,
    )


def matching_ids(query: SearchQuery) -> list[int]:
    """Every match of the query, in the order search() pages them (its page fields unused).

    For a caller that narrows the matches by what the index does not hold, such
    as the HSDS API's modified_after, and then pages them itself.
    """
    plan = _plan(query)
    return fetch(plan.segments, 0, plan.total)


@dataclass
class _Plan:
    version: str
    taxonomy: Taxonomy
    detected_ids: list[int]
    detected_languages: list[str]
    detected_accessible: list[str]
    groups: list[Group]
    segments: list[Segment]
    total: int
    corrections: list[tuple[str, list[str]]]


def _plan(query: SearchQuery) -> _Plan:
    version = version_and_settings()
    taxonomy = load_taxonomy(version)
    words = analysis.words(query.text)
    kept, detected_languages, detected_accessible = words_as_filters(words)
    # A last word that became a filter was finished: the one before it is not being typed.
    typing = bool(query.text) and not query.text[-1].isspace() and kept[-1:] == words[-1:]
    detected_ids, groups = taxonomy.parse(kept, typing, PREFIX_MIN_LENGTH)
    groups = [_spell_out_prefix(group, taxonomy, version) for group in groups]
    municipality_ids = list(dict.fromkeys(query.municipality_ids + detected_ids))
    filters = _filters(query.need_ids, query.activity_ids, municipality_ids)
    languages = list(dict.fromkeys(query.languages + detected_languages))
    if languages:
        filters += (tuple(language_token(code) for code in languages),)
    accessible = dict.fromkeys(query.accessible + detected_accessible)
    filters += tuple((ACCESSIBILITY_TOKENS[feature],) for feature in accessible)

    corrections: list[tuple[str, list[str]]] = []
    if not groups and not filters:
        # Counted along the status index; the A–Z page itself goes along the sort_name index.
        total = db.session.scalar(_PUBLISHED_COUNT)
        order = ORDER_BY["name" if query.sort == RELEVANCE else query.sort]
        segments = [Segment(Count.exactly(total), partial(listing, order=order))]
    else:
        match = Match(tuple(groups), "AND", filters)
        tiers = _tiers(groups, municipality_ids, taxonomy) if query.sort == RELEVANCE else []
        total = count_matches(match)
        if groups and total < ENOUGH_RESULTS:
            corrected = _correct_typos(groups, taxonomy, version)
            corrections = [(typed.word, [term for term in fixed.terms if term not in typed.terms])
                           for typed, fixed in zip(groups, corrected) if fixed.terms != typed.terms]
            if corrected != groups:
                groups = corrected
                match = replace(match, groups=tuple(groups))
                tiers = _tiers(groups, municipality_ids, taxonomy) if query.sort == RELEVANCE else []
                total = count_matches(match)
        first: list[int] = []
        if total < ENOUGH_RESULTS and len(match.word_groups()[0]) > 1:
            # Too few have every word: any word will do, those with every word first.
            if query.sort == RELEVANCE:
                first = ranked(match, [], ENOUGH_RESULTS, 0)
            match = replace(match, operator="OR")
            total = count_matches(match)
        if query.sort == RELEVANCE:
            segments = [Segment(Count.exactly(len(first)), lambda limit, offset: first[offset:offset + limit])]
            segments += _tiered_segments(match, Count.exactly(total - len(first)), first, tiers)
        else:
            whole = Count.exactly(total)
            segments = [Segment(whole, partial(ordered, match, [], count=whole, order=query.sort))]
    return _Plan(version, taxonomy, detected_ids, detected_languages, detected_accessible, groups, segments, total,
                 corrections)


def _tiers(groups: list[Group], municipality_ids: list[int], taxonomy: Taxonomy) -> list[tuple]:
    """What puts a match in a better tier, most important first, each as the index tokens filters are.

    First: having, for each word that names needs or activities, one of them
    ("diabeetikoille" names the need Diabetes, "vertaistukea" the activity
    Vertaistuki), over merely containing the word.  Then: being active in a
    chosen or named municipality, over only matching it as a nationwide body.
    """
    tiers = []
    activity_words = _activity_words(taxonomy)
    named = tuple(
        tokens for tokens in (
            tuple(t for t in group.terms if t.startswith(NEED_TOKEN_PREFIX))
            + tuple(token for base in analysis.base_forms(group.word) for token in activity_words.get(base, ()))
            for group in groups
        ) if tokens
    )
    if named:
        tiers.append(named)
    if municipality_ids:
        tiers.append((tuple(municipality_token(i) for i in municipality_ids),))
    return tiers


def _activity_words(taxonomy: Taxonomy) -> dict[str, tuple[str, ...]]:
    """The base form of each one-word activity name ("vertaistuki") -> its token."""
    words: dict[str, tuple[str, ...]] = {}
    for activity_id, (_place, name) in taxonomy.labels("fi").activities.items():
        name_words = analysis.words(name)
        if len(name_words) == 1:
            for base in analysis.base_forms(name_words[0]):
                words[base] = words.get(base, ()) + (activity_token(activity_id),)
    return words


def _tiered_segments(match: Match, count: Count, excluded: list[int], tiers: list[tuple]) -> list[Segment]:
    """The `count` matches (without `excluded`) in tiers: those meeting the first tier's condition first.

    Each tier is split again by the next, and each part is ranked by the text
    (see match_segments).  A part is split and ranked only when a page reaches into
    it, and counted only when a page must know how many it holds (see Count).
    """
    if count.at_most <= 0:
        return []
    if not tiers:
        return match_segments(match, count, excluded)
    condition, rest = tiers[0], tiers[1:]
    meeting = replace(match, filters=_narrowed(match.filters, condition))
    met = Count.of(meeting, excluded, at_most=count.at_most)
    failing = replace(match, refused=match.refused + (condition,))
    unmet = count.minus(met)
    return [
        Segment(met, partial(_read_tiers, meeting, met, excluded, rest)),
        Segment(unmet, partial(_read_tiers, failing, unmet, excluded, rest)),
    ]


def _narrowed(filters: tuple, condition: tuple) -> tuple:
    """The filters and a tier's condition, without the filters the condition implies.

    "In Kuopio" implies "in Kuopio or nationwide": leaving the wider filter out keeps
    PostgreSQL's estimate of how many match right (it multiplies the two), and with it
    the plan (reading a municipality's 5 000 of 100 000 A–Z along the name index).
    """
    kept = tuple(tokens for tokens in filters if not any(set(part) <= set(tokens) for part in condition))
    return kept + condition


def _read_tiers(match: Match, count: Count, excluded: list[int], tiers: list[tuple], limit: int, offset: int) -> list[int]:
    return fetch(_tiered_segments(match, count, excluded, tiers), offset, limit)


def _detected_municipalities(ids: list[int]) -> list[Municipality]:
    """The municipalities named in the query's text ("Kuopiossa"), in the order they were named."""
    if not ids:
        return []
    detected = list(db.session.scalars(select(Municipality).where(Municipality.id.in_(ids))))
    detected.sort(key=lambda m: ids.index(m.id))
    return detected


def _filters(need_ids: list[int], activity_ids: list[int], municipality_ids: list[int]) -> tuple:
    """Each filter as the index tokens of which a document must have one (OR within, AND across)."""
    filters = []
    if need_ids:
        filters.append(tuple(need_token(i) for i in need_ids))
    if activity_ids:
        filters.append(tuple(activity_token(i) for i in activity_ids))
    if municipality_ids:
        filters.append((*(municipality_token(i) for i in municipality_ids), NATIONWIDE_TOKEN))
    return tuple(filters)


def _spell_out_prefix(group: Group, taxonomy: Taxonomy, version: str) -> Group:
    """The word being typed as the indexed words it can still become, when there are few.

    A prefix makes the index merge every term that starts with it on each query,
    and most of those are compounds whose first part is already one of the
    group's terms ("kuntoutus" → kuntoutuskerho is indexed with kuntoutus too),
    so they add nothing.  The rest are listed as plain terms; with more than
    MAX_PREFIX_TERMS candidates the prefix stays.  A word it can become that
    names a need brings the need, as the whole word would ("mielenterv" finds
    the organisations marked Mielenterveys, not only those whose text says it).
    """
    if not group.prefix:
        return group
    candidates = load_vocabulary(version).starting_with(group.prefix, MAX_PREFIX_TERMS)
    if candidates is None or not (group.terms or candidates):
        return group
    known = set(group.terms)
    extra = tuple(t for t in candidates if t not in known and not known & set(analysis.analyse_word(t)))
    needs = tuple(dict.fromkeys(t for word in candidates for t in taxonomy.need_words.get(word, ()) if t not in known))
    return replace(group, terms=group.terms + extra + needs, prefix="")


def _correct_typos(groups: list[Group], taxonomy: Taxonomy, version: str) -> list[Group]:
    """Groups that match nothing anywhere, or only as a dotted guess, also get the nearest indexed words and need words."""
    vocabulary = load_vocabulary(version)
    corrected = []
    for group in groups:
        if vocabulary.matches(group.terms, group.prefix) and not analysis.read_as_dotted(group.word):
            corrected.append(group)
        else:
            nearest = vocabulary.nearest(group.word, taxonomy.need_words)
            corrected.append(replace(group, terms=group.terms + tuple(t for t in nearest if t not in group.terms)))
    return corrected
