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
document.  Very common words are ranked in a bounded way (see _segments).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache, partial

from sqlalchemy import TextClause, bindparam, func, select, text
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
    VERSION_KEY,
    activity_token,
    directory_version,
    language_token,
    load_vocabulary,
    municipality_token,
    need_token,
)
from app.search.query import ACCESSIBILITY_PARAMETERS, Group, Taxonomy, load_taxonomy, words_as_filters

MAX_TEXT_LENGTH = 200
# AND across words falls back to OR when it finds fewer than this.
ENOUGH_RESULTS = 3
PREFIX_MIN_LENGTH = 3
# A word being typed that can still become at most this many indexed words is spelled out.
MAX_PREFIX_TERMS = 20
# Column weights: a word in the name counts ten times a word in the description.
SQLITE_RANK = "bm25(search_fts, 10.0, 1.0)"
POSTGRESQL_WEIGHTS = "'{0.01, 0.02, 0.1, 1.0}'::float4[]"  # D, C, B (body), A (name)
TSQUERY = "to_tsquery('simple', :match)"
# Up to this many matches are all scored; more are split (see _segments).
RANK_LIMIT = 5000
# Up to this many matches listed A–Z are sorted rather than read along the name index.
SORT_MATCHES_UP_TO = 300
# The published check is wrapped in a function so SQLite orders the A–Z list by the
# sort_name index instead of reading every published row through the status index.
_PUBLISHED_SQL = "coalesce(o.status, '') = 'published'"
_PUBLISHED_COUNT = select(func.count()).where(Organisation.__table__.c.status == "published")

# The orders a search can be listed in, by the value of the `jarjestys` parameter (page and API).
SORTS = {"osuvuus": "relevance", "nimi": "name", "tarkistettu": "checked"}
RELEVANCE = "relevance"
# The SQL order of the listings that are not by relevance: A–Z, or the most recently checked first.
ORDER_BY = {
    "name": "o.sort_name, o.id",
    "checked": "o.confirmed_at IS NULL, o.confirmed_at DESC, o.sort_name, o.id",
}


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
    ids = _fetch(plan.segments, (page - 1) * page_size, page_size)
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
        version=plan.version,
    )


def matching_ids(query: SearchQuery) -> list[int]:
    """Every match of the query, in the order search() pages them (its page fields unused).

    For a caller that narrows the matches by what the index does not hold, such
    as the HSDS API's modified_after, and then pages them itself.
    """
    plan = _plan(query)
    return _fetch(plan.segments, 0, plan.total)


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


def _plan(query: SearchQuery) -> _Plan:
    version = _version_and_settings()
    taxonomy = load_taxonomy(version)
    words = analysis.words(query.text)
    kept, detected_languages, detected_accessible = words_as_filters(words)
    # A last word that became a filter was finished: the one before it is not being typed.
    typing = bool(query.text) and not query.text[-1].isspace() and kept[-1:] == words[-1:]
    detected_ids, groups = taxonomy.parse(kept, typing, PREFIX_MIN_LENGTH)
    groups = [_spell_out_prefix(group, version) for group in groups]
    municipality_ids = list(dict.fromkeys(query.municipality_ids + detected_ids))
    filters = _filters(query.need_ids, query.activity_ids, municipality_ids)
    languages = list(dict.fromkeys(query.languages + detected_languages))
    if languages:
        filters += (tuple(language_token(code) for code in languages),)
    accessible = dict.fromkeys(query.accessible + detected_accessible)
    filters += tuple((ACCESSIBILITY_TOKENS[feature],) for feature in accessible)

    if not groups and not filters:
        # Counted along the status index; the A–Z page itself goes along the sort_name index.
        total = db.session.scalar(_PUBLISHED_COUNT)
        order = ORDER_BY["name" if query.sort == RELEVANCE else query.sort]
        segments = [Segment(Count.exactly(total), partial(_listing, order=order))]
    else:
        match = Match(tuple(groups), "AND", filters)
        tiers = _tiers(groups, municipality_ids, taxonomy) if query.sort == RELEVANCE else []
        total = _count(match)
        if groups and total < ENOUGH_RESULTS:
            corrected = _correct_typos(groups, taxonomy, version)
            if corrected != groups:
                groups = corrected
                match = replace(match, groups=tuple(groups))
                tiers = _tiers(groups, municipality_ids, taxonomy) if query.sort == RELEVANCE else []
                total = _count(match)
        first: list[int] = []
        if total < ENOUGH_RESULTS and len(match.word_groups()[0]) > 1:
            # Too few have every word: any word will do, those with every word first.
            if query.sort == RELEVANCE:
                first = _ranked(match, [], ENOUGH_RESULTS, 0)
            match = replace(match, operator="OR")
            total = _count(match)
        if query.sort == RELEVANCE:
            segments = [Segment(Count.exactly(len(first)), lambda limit, offset: first[offset:offset + limit])]
            segments += _tiered_segments(match, Count.exactly(total - len(first)), first, tiers)
        else:
            segments = [Segment(Count.exactly(total), partial(_ordered, match, [], count=Count.exactly(total),
                                                              order=query.sort))]
    return _Plan(version, taxonomy, detected_ids, detected_languages, detected_accessible, groups, segments, total)


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
    (see _segments).  A part is split and ranked only when a page reaches into
    it, and counted only when a page must know how many it holds (see Count).
    """
    if count.at_most <= 0:
        return []
    if not tiers:
        return _segments(match, count, excluded)
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
    return _fetch(_tiered_segments(match, count, excluded, tiers), offset, limit)


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


@dataclass(frozen=True)
class Match:
    """What a document must contain: the words (groups joined by `operator`) and a token of every filter.

    `in_name` narrows it to documents with a word in the name (True) or
    without one (False); None leaves the name alone.  A document must not
    meet any of the `refused` conditions (each a token of every one of its
    token tuples, as filters).
    """

    groups: tuple[Group, ...]
    operator: str
    filters: tuple[tuple[str, ...], ...]
    in_name: bool | None = None
    refused: tuple[tuple[tuple[str, ...], ...], ...] = ()

    def word_groups(self) -> tuple[list[Group], list[Group]]:
        """The groups a document must match, and the padding groups that only rank.

        Padding words ("tukea", "apua") never narrow what the other words find; a
        query of padding words alone needs them.  "R AND (P OR R)" matches exactly
        what R matches, and bm25 and ts_rank still count P's hits.
        """
        required = [group for group in self.groups if not group.padding]
        if not required:
            return list(self.groups), []
        return required, [group for group in self.groups if group.padding]

    def fts5(self) -> str:
        required, padding = self.word_groups()
        words = f" {self.operator} ".join(group.fts5() for group in required)
        if padding:
            words = f"({words}) AND ({' OR '.join(group.fts5() for group in padding)} OR ({words}))"
        parts = [words] if required else []
        parts += _fts5_tokens(self.filters)
        expression = "(" + ") AND (".join(parts) + ")"
        if self.in_name and len(required) == 1 and not padding:
            # One word in the name implies the match: the cheapest form (no second pass over the body).
            expression = "(" + ") AND (".join([f"{{name_terms}}: {required[0].fts5()}", *parts[1:]]) + ")"
        elif self.in_name is not None:
            alternatives = " OR ".join(group.fts5() for group in required)
            expression = f"{expression} {'AND' if self.in_name else 'NOT'} {{name_terms}}: ({alternatives})"
        for condition in self.refused:
            expression = f"({expression}) NOT ({' AND '.join(_fts5_tokens(condition))})"
        return expression

    def tsquery(self, name_apart: bool = False) -> str:
        """The whole match as one tsquery; a word in the name is a word weighted A.

        With `name_apart` and `in_name` True, the name test is left to name_tsquery()
        and its own index, and what is left is returned ("" when nothing is): one
        required word in the name implies that word, as in fts5().
        """
        required, padding = self.word_groups()
        words = (" & " if self.operator == "AND" else " | ").join(group.tsquery() for group in required)
        if padding:
            words = f"({words}) & ({' | '.join(group.tsquery() for group in padding)} | ({words}))"
        name_apart = name_apart and bool(self.in_name)
        implied = name_apart and len(required) == 1 and not padding
        parts = [f"({words})"] if required and not implied else []
        parts += [f"({tokens})" for tokens in _tsquery_tokens(self.filters)]
        if self.in_name is not None and not name_apart:
            alternatives = " | ".join(group.tsquery(weight="A") for group in required)
            parts.append(f"{'' if self.in_name else '!'}({alternatives})")
        parts += [f"!({' & '.join(_tsquery_tokens(condition))})" for condition in self.refused]
        return " & ".join(parts)

    def name_tsquery(self) -> str:
        """A required word in the name, as a tsquery on the name's tokens alone (for `in_name` True)."""
        required, _padding = self.word_groups()
        return " | ".join(group.tsquery() for group in required)


def _fts5_tokens(filters: tuple[tuple[str, ...], ...]) -> list[str]:
    """Each tuple of tokens as an FTS5 alternative."""
    return ["(" + " OR ".join(f'"{token}"' for token in tokens) + ")" for tokens in filters]


def _tsquery_tokens(filters: tuple[tuple[str, ...], ...]) -> list[str]:
    """Each tuple of tokens as a tsquery alternative."""
    return ["(" + " | ".join(f"'{token}'" for token in tokens) + ")" for tokens in filters]


class Count:
    """How many matches a part of the result list holds, counted only as far as a page needs.

    PostgreSQL counts by visiting every matched row in the table (a GIN index holds
    no visibility; 15-20 ms for a word in a third of 100 000 documents), where FTS5
    counts from its index.  A page rarely needs a part's exact size: its first rows
    are read without it (fewer than asked means that is all of them, see _fetch),
    and whether a part is too big to score (RANK_LIMIT) needs at most RANK_LIMIT + 1
    of it counted (exceeds).  Only a page starting further in counts the parts
    before it.  `counter(cap)` returns the count, or any number >= cap when the
    count is at least `cap` (cap None: the count); `at_most` is an upper bound known
    without counting.
    """

    def __init__(self, counter: Callable[[int | None], int], at_most: int) -> None:
        self._counter = counter
        self._value: int | None = None
        self.at_most = at_most

    @classmethod
    def exactly(cls, value: int) -> Count:
        count = cls(lambda _cap: value, value)
        count.settle(value)
        return count

    @classmethod
    def of(cls, match: Match, excluded: list[int], at_most: int) -> Count:
        return cls(partial(_count, match, excluded), at_most)

    @property
    def known(self) -> bool:
        return self._value is not None

    def settle(self, value: int) -> None:
        self._value = self.at_most = value

    def value(self) -> int:
        if self._value is None:
            self.settle(self._counter(None))
        return self._value

    def exceeds(self, limit: int) -> bool:
        """Whether there are more than `limit`, counting at most limit + 1."""
        if self._value is None and self.at_most > limit:
            counted = self._counter(limit + 1)
            if counted <= limit:
                self.settle(counted)
            return counted > limit
        return self.at_most > limit

    def minus(self, part: Count) -> Count:
        """What is left of this count without `part` (of it)."""
        return Count(lambda _cap: self.value() - part.value(), self.at_most)


@dataclass
class Segment:
    """A run of the result list: how many it holds and how to read `limit` of them from `offset`."""

    count: Count
    read: Callable[[int, int], list[int]]


def _segments(match: Match, count: Count, excluded: list[int]) -> list[Segment]:
    """The `count` matches (without `excluded`) in order: ranked, then (for very many) the rest A–Z.

    Scoring every match costs about a microsecond each, too much for a word found in
    tens of thousands of documents.  Up to RANK_LIMIT matches are all scored.  Beyond
    that, the matches with a word in the name come first, scored while there are at
    most RANK_LIMIT of them, and the matches only in the description follow A–Z.
    """
    if not match.groups:
        return [Segment(count, partial(_ordered, match, excluded, count=count))]
    if not count.exceeds(RANK_LIMIT):
        return [Segment(count, partial(_ranked, match, excluded))]
    named, unnamed = replace(match, in_name=True), replace(match, in_name=False)
    in_name = Count.of(named, excluded, at_most=count.at_most)
    if in_name.exceeds(RANK_LIMIT):
        read_named = partial(_ordered, named, excluded, count=in_name)
    else:
        read_named = partial(_ranked, named, excluded)
    not_in_name = count.minus(in_name)
    return [
        Segment(in_name, read_named),
        Segment(not_in_name, partial(_ordered, unnamed, excluded, count=not_in_name)),
    ]


def _fetch(segments: list[Segment], offset: int, limit: int) -> list[int]:
    """`limit` ids from `offset` on: a segment not yet counted is read from its start before it is counted."""
    ids: list[int] = []
    for segment in segments:
        wanted = limit - len(ids)
        if offset == 0 and not segment.count.known:
            found = segment.read(wanted, 0)
            ids += found
            if len(found) >= wanted:
                break
            segment.count.settle(len(found))
            continue
        if offset >= segment.count.value():
            offset -= segment.count.value()
            continue
        ids += segment.read(wanted, offset)
        offset = 0
        if len(ids) >= limit:
            break
    return ids


# For the rest of the search's transaction, set in the statement that reads the
# directory version (each statement is a round trip, which on a busy machine can cost
# a scheduler slice: PostgreSQL, unlike SQLite, runs in a process of its own):
# - PostgreSQL costs `tsv @@ query` as one cheap operator, so for a word in a third of the
#   documents it read the whole table testing every row (18-25 ms at 10 000) instead of
#   the GIN index (2 ms): a table scan is chosen only when nothing else can answer;
# - no parallel workers: from about 10 000 matched rows a count was planned with two
#   workers started for each search (one took 44 ms at 100 000 on a busy machine); on
#   a web server the other requests need those cores.
_VERSION_AND_SETTINGS = text(
    "SELECT (SELECT value FROM search_meta WHERE key = :key), set_config('enable_seqscan', 'off', true), "
    "set_config('max_parallel_workers_per_gather', '0', true)"
).bindparams(key=VERSION_KEY)


def _version_and_settings() -> str:
    """The directory version (see search_index.directory_version); on PostgreSQL also the search's settings."""
    if _sqlite():
        return directory_version()
    return db.session.execute(_VERSION_AND_SETTINGS).scalar() or ""


def _sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


@cache
def _statement(sql: str, excluded_column: str | None) -> TextClause:
    """The statement of an index query, built once per form (parsing its text cost more than a short query)."""
    if excluded_column is None:
        return text(sql.replace("{excluded}", ""))
    statement = text(sql.replace("{excluded}", f" AND {excluded_column} NOT IN :excluded"))
    return statement.bindparams(bindparam("excluded", expanding=True))


def _query(sql: str, match: Match, excluded: list[int], column: str, **params) -> list:
    """Run an index query: `{excluded}` leaves out `excluded` ids.

    On SQLite `:match` is bound to the FTS5 expression.  On PostgreSQL `{where}`
    becomes the match's condition (see _tsquery_condition) and `:rank` the whole
    match as one tsquery, for ts_rank.
    """
    if excluded:
        params["excluded"] = excluded
    if _sqlite():
        params["match"] = match.fts5()
    else:
        where, where_params = _tsquery_condition(match)
        sql = sql.replace("{where}", where)
        params.update(where_params)
        if ":rank" in sql:
            params["rank"] = match.tsquery()
    return list(db.session.execute(_statement(sql, column if excluded else None), params).scalars())


def _tsquery_condition(match: Match) -> tuple[str, dict[str, str]]:
    """The WHERE of an index query on PostgreSQL, and its parameters.

    "A word in the name" is asked of the name's own tokens and GIN index
    (`name_tsv`, migration 0011_pgperf_name_index), which answer exactly; as
    `'word':A` on the tsv index, every document with the word anywhere was
    rechecked row by row.
    """
    if not match.in_name:
        return f"d.tsv @@ {TSQUERY}", {"match": match.tsquery()}
    where = "d.name_tsv @@ to_tsquery('simple', :name)"
    params = {"name": match.name_tsquery()}
    rest = match.tsquery(name_apart=True)
    if rest:
        where += f" AND d.tsv @@ {TSQUERY}"
        params["match"] = rest
    return where, params


def _count(match: Match, excluded: list[int] | None = None, cap: int | None = None) -> int:
    """How many match (without `excluded`); with `cap`, no more than `cap` are counted."""
    if _sqlite():
        source, column = "search_fts WHERE search_fts MATCH :match{excluded}", "rowid"
    else:
        source, column = "search_document d WHERE {where}{excluded}", "d.organisation_id"
    if cap is None:
        return _query(f"SELECT count(*) FROM {source}", match, excluded or [], column)[0]
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {source} LIMIT :cap) capped"
    return _query(sql, match, excluded or [], column, cap=cap)[0]


def _ranked(match: Match, excluded: list[int], limit: int, offset: int) -> list[int]:
    """Best first (name over description), ties A–Z."""
    if _sqlite():
        # bm25() only works in the query that holds the MATCH, so the matches are scored
        # first; MATERIALIZED keeps SQLite from re-running the MATCH for every organisation.
        # Only the scores up to the last one of the page are joined for the A–Z tie-break.
        sql = f"""WITH scored AS MATERIALIZED (
                SELECT rowid AS id, {SQLITE_RANK} AS score FROM search_fts WHERE search_fts MATCH :match{{excluded}}),
            cutoff AS (SELECT score FROM scored ORDER BY score LIMIT 1 OFFSET :limit + :offset - 1)
            SELECT o.id FROM scored JOIN organisation o ON o.id = scored.id
            WHERE scored.score <= coalesce((SELECT score FROM cutoff), scored.score)
            ORDER BY scored.score, o.sort_name, o.id LIMIT :limit OFFSET :offset"""
    else:
        # The document's own sort_name: joining every match to organisation cost 5-20 times the scoring.
        sql = f"""SELECT d.organisation_id FROM search_document d WHERE {{where}}{{excluded}}
            ORDER BY ts_rank({POSTGRESQL_WEIGHTS}, d.tsv, to_tsquery('simple', :rank)) DESC, d.sort_name, d.organisation_id
            LIMIT :limit OFFSET :offset"""
    return _query(sql, match, excluded, "rowid" if _sqlite() else "d.organisation_id", limit=limit, offset=offset)


def _ordered(
    match: Match, excluded: list[int], limit: int, offset: int, *, count: Count, order: str = "name"
) -> list[int]:
    """A–Z (or by `order`): `count` matches sorted, or when there are many A–Z, read along the sort_name index.

    Along the index, SQLite looks at every organisation until the page is full, which
    is cheap when most of them match and costs a millisecond when a few hundred of ten
    thousand do; sorting the matches costs about a microsecond each.
    """
    order_by = ORDER_BY[order]
    if _sqlite() and (order != "name" or not count.exceeds(SORT_MATCHES_UP_TO)):
        sql = f"""SELECT o.id FROM search_fts JOIN organisation o ON o.id = search_fts.rowid
            WHERE search_fts MATCH :match{{excluded}} ORDER BY {order_by} LIMIT :limit OFFSET :offset"""
    elif _sqlite():
        sql = f"""SELECT o.id FROM organisation o INDEXED BY ix_organisation_sort_name
            WHERE o.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :match){{excluded}}
            ORDER BY {order_by} LIMIT :limit OFFSET :offset"""
    elif order == "name":
        # From the document alone: the matches sorted, or many read along its sort_name index.
        sql = f"""SELECT d.organisation_id FROM search_document d WHERE {{where}}{{excluded}}
            ORDER BY d.sort_name, d.organisation_id LIMIT :limit OFFSET :offset"""
        return _query(sql, match, excluded, "d.organisation_id", limit=limit, offset=offset)
    else:
        sql = f"""SELECT o.id FROM organisation o JOIN search_document d ON d.organisation_id = o.id
            WHERE {{where}}{{excluded}} ORDER BY {order_by} LIMIT :limit OFFSET :offset"""
    return _query(sql, match, excluded, "o.id", limit=limit, offset=offset)


@cache
def _listing_statement(order_by: str) -> TextClause:
    """Every published organisation in an ORDER_BY order, built once per order."""
    return text(f"""SELECT o.id FROM organisation o WHERE {_PUBLISHED_SQL}
        ORDER BY {order_by} LIMIT :limit OFFSET :offset""")


def _listing(limit: int, offset: int, *, order: str) -> list[int]:
    return list(db.session.scalars(_listing_statement(order), {"limit": limit, "offset": offset}))


def _spell_out_prefix(group: Group, version: str) -> Group:
    """The word being typed as the indexed words it can still become, when there are few.

    A prefix makes the index merge every term that starts with it on each query,
    and most of those are compounds whose first part is already one of the
    group's terms ("kuntoutus" → kuntoutuskerho is indexed with kuntoutus too),
    so they add nothing.  The rest are listed as plain terms; with more than
    MAX_PREFIX_TERMS candidates the prefix stays.
    """
    if not group.prefix:
        return group
    candidates = load_vocabulary(version).starting_with(group.prefix, MAX_PREFIX_TERMS)
    if candidates is None or not (group.terms or candidates):
        return group
    known = set(group.terms)
    extra = tuple(t for t in candidates if t not in known and not known & set(analysis.analyse_word(t)))
    return replace(group, terms=group.terms + extra, prefix="")


def _correct_typos(groups: list[Group], taxonomy: Taxonomy, version: str) -> list[Group]:
    """Groups that match nothing anywhere also get the nearest indexed words and need words."""
    vocabulary = load_vocabulary(version)
    corrected = []
    for group in groups:
        if vocabulary.matches(group.terms, group.prefix):
            corrected.append(group)
        else:
            nearest = vocabulary.nearest(group.word, taxonomy.need_words)
            corrected.append(replace(group, terms=group.terms + tuple(t for t in nearest if t not in group.terms)))
    return corrected
