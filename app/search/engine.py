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
PUBLISHED = func.coalesce(Organisation.status, "") == "published"
_PUBLISHED_COUNT = select(func.count()).where(Organisation.__table__.c.status == "published")


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

    @classmethod
    def from_args(cls, args: MultiDict, page_size: int = 20) -> SearchQuery:
        """Read `q`, `tarve`, `toiminta`, `kunta`, `kieli`, `esteettomyys` and `sivu`; bad values are ignored."""
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
        if changed.page > 1:
            args.append(("sivu", str(changed.page)))
        return args


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
        organisations=load_cards(ids, plan.taxonomy.labels),
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
    version = directory_version()
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
        segments = [Segment(total, _listing)]
    else:
        match = Match(tuple(groups), "AND", filters)
        total = _count(match)
        if groups and total < ENOUGH_RESULTS:
            corrected = _correct_typos(groups, taxonomy, version)
            if corrected != groups:
                groups = corrected
                match = replace(match, groups=tuple(groups))
                total = _count(match)
        first: list[int] = []
        if total < ENOUGH_RESULTS and len(groups) > 1:
            # Too few have every word: any word will do, those with every word first.
            first = _ranked(match, [], ENOUGH_RESULTS, 0)
            match = replace(match, operator="OR")
            total = _count(match)
        segments = _segments(match, total, first)
    return _Plan(version, taxonomy, detected_ids, detected_languages, detected_accessible, groups, segments, total)


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
    without one (False); None leaves the name alone.
    """

    groups: tuple[Group, ...]
    operator: str
    filters: tuple[tuple[str, ...], ...]
    in_name: bool | None = None

    def fts5(self) -> str:
        parts = [f" {self.operator} ".join(group.fts5() for group in self.groups)] if self.groups else []
        parts += ["(" + " OR ".join(f'"{token}"' for token in tokens) + ")" for tokens in self.filters]
        expression = "(" + ") AND (".join(parts) + ")"
        if self.in_name is None:
            return expression
        if self.in_name and len(self.groups) == 1:
            # One word in the name implies the match: the cheapest form (no second pass over the body).
            return "(" + ") AND (".join([f"{{name_terms}}: {self.groups[0].fts5()}", *parts[1:]]) + ")"
        alternatives = " OR ".join(group.fts5() for group in self.groups)
        return f"{expression} {'AND' if self.in_name else 'NOT'} {{name_terms}}: ({alternatives})"

    def tsquery(self) -> str:
        joiner = " & " if self.operator == "AND" else " | "
        parts = [joiner.join(group.tsquery() for group in self.groups)] if self.groups else []
        parts += ["(" + " | ".join(f"'{token}'" for token in tokens) + ")" for tokens in self.filters]
        expression = "(" + ") & (".join(parts) + ")"
        if self.in_name is None:
            return expression
        alternatives = " | ".join(group.tsquery(weight="A") for group in self.groups)
        return f"{expression} & {'' if self.in_name else '!'}({alternatives})"


@dataclass
class Segment:
    """A run of the result list: how many it holds and how to read `limit` of them from `offset`."""

    count: int
    read: Callable[[int, int], list[int]]


def _segments(match: Match, total: int, first: list[int]) -> list[Segment]:
    """The result list in order: `first`, then the ranked matches, then (for very many) the rest A–Z.

    Scoring every match costs about a microsecond each, too much for a word found in
    tens of thousands of documents.  Up to RANK_LIMIT matches are all scored.  Beyond
    that, the matches with a word in the name come first, scored while there are at
    most RANK_LIMIT of them, and the matches only in the description follow A–Z.
    """
    segments = [Segment(len(first), lambda limit, offset: first[offset:offset + limit])]
    rest = total - len(first)
    if not match.groups:
        return segments + [Segment(rest, partial(_alphabetical, match, first, count=rest))]
    if total <= RANK_LIMIT:
        return segments + [Segment(rest, partial(_ranked, match, first))]
    named, unnamed = replace(match, in_name=True), replace(match, in_name=False)
    in_name = _count(named, first)
    if in_name <= RANK_LIMIT:
        read_named = partial(_ranked, named, first)
    else:
        read_named = partial(_alphabetical, named, first, count=in_name)
    return segments + [
        Segment(in_name, read_named),
        Segment(rest - in_name, partial(_alphabetical, unnamed, first, count=rest - in_name)),
    ]


def _fetch(segments: list[Segment], offset: int, limit: int) -> list[int]:
    ids: list[int] = []
    for segment in segments:
        if offset >= segment.count:
            offset -= segment.count
            continue
        ids += segment.read(limit - len(ids), offset)
        offset = 0
        if len(ids) >= limit:
            break
    return ids


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
    """Run an index query: `:match` is bound to the expression, `{excluded}` leaves out `excluded` ids."""
    if excluded:
        params["excluded"] = excluded
    params["match"] = match.fts5() if _sqlite() else match.tsquery()
    return list(db.session.execute(_statement(sql, column if excluded else None), params).scalars())


def _count(match: Match, excluded: list[int] | None = None) -> int:
    if _sqlite():
        sql = "SELECT count(*) FROM search_fts WHERE search_fts MATCH :match{excluded}"
        return _query(sql, match, excluded or [], "rowid")[0]
    sql = f"SELECT count(*) FROM search_document d WHERE d.tsv @@ {TSQUERY}{{excluded}}"
    return _query(sql, match, excluded or [], "d.organisation_id")[0]


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
        sql = f"""SELECT o.id FROM search_document d JOIN organisation o ON o.id = d.organisation_id
            WHERE d.tsv @@ {TSQUERY}{{excluded}}
            ORDER BY ts_rank({POSTGRESQL_WEIGHTS}, d.tsv, {TSQUERY}) DESC, o.sort_name, o.id
            LIMIT :limit OFFSET :offset"""
    return _query(sql, match, excluded, "rowid" if _sqlite() else "o.id", limit=limit, offset=offset)


def _alphabetical(match: Match, excluded: list[int], limit: int, offset: int, *, count: int) -> list[int]:
    """A–Z: `count` matches sorted, or when there are many, read along the sort_name index.

    Along the index, SQLite looks at every organisation until the page is full, which
    is cheap when most of them match and costs a millisecond when a few hundred of ten
    thousand do; sorting the matches costs about a microsecond each.
    """
    if _sqlite() and count <= SORT_MATCHES_UP_TO:
        sql = """SELECT o.id FROM search_fts JOIN organisation o ON o.id = search_fts.rowid
            WHERE search_fts MATCH :match{excluded} ORDER BY o.sort_name, o.id LIMIT :limit OFFSET :offset"""
    elif _sqlite():
        sql = """SELECT o.id FROM organisation o INDEXED BY ix_organisation_sort_name
            WHERE o.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :match){excluded}
            ORDER BY o.sort_name, o.id LIMIT :limit OFFSET :offset"""
    else:
        sql = f"""SELECT o.id FROM organisation o JOIN search_document d ON d.organisation_id = o.id
            WHERE d.tsv @@ {TSQUERY}{{excluded}} ORDER BY o.sort_name, o.id LIMIT :limit OFFSET :offset"""
    return _query(sql, match, excluded, "o.id", limit=limit, offset=offset)


def _listing(limit: int, offset: int) -> list[int]:
    statement = select(Organisation.id).where(PUBLISHED).order_by(Organisation.sort_name, Organisation.id)
    return list(db.session.scalars(statement.limit(limit).offset(offset)))


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
