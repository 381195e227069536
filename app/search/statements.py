"""The SQL of a search: one match asked of the full-text index, counted and read in parts.

app/search/engine.py plans a search (the words, the filters, the tiers of
relevance) and asks this module for the ids: a Match is what a document must
contain, written as an FTS5 expression on SQLite and as a tsquery on PostgreSQL;
a Count is how many match, counted only as far as a page needs; Segments are the
runs of the result list, each read by a ranked or an ordered query.  Every
difference between the two databases is in this module.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache, partial

from sqlalchemy import TextClause, bindparam, text

from app.extensions import db
from app.search.index import VERSION_KEY, directory_version
from app.search.query import Group

# Column weights: a word in the name counts ten times a word in the description.
SQLITE_RANK = "bm25(search_fts, 10.0, 1.0)"
POSTGRESQL_WEIGHTS = "'{0.01, 0.02, 0.1, 1.0}'::float4[]"  # D, C, B (body), A (name)
TSQUERY = "to_tsquery('simple', :match)"
# Up to this many matches are all scored; more are split (see match_segments).
RANK_LIMIT = 5000
# Up to this many matches listed A–Z are sorted rather than read along the name index.
SORT_MATCHES_UP_TO = 300
# The published check is wrapped in a function so SQLite orders the A–Z list by the
# sort_name index instead of reading every published row through the status index.
_PUBLISHED_SQL = "coalesce(o.status, '') = 'published'"
# The SQL order of the listings that are not by relevance: A–Z, or the most recently checked first.
ORDER_BY = {
    "name": "o.sort_name, o.id",
    "checked": "o.confirmed_at IS NULL, o.confirmed_at DESC, o.sort_name, o.id",
}


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

    PostgreSQL counts by visiting every matched row in search_match (a GIN index holds
    no visibility; 14-44 ms for a word in a third of 100 000 documents), where FTS5
    counts from its index.  A page rarely needs a part's exact size: its first rows
    are read without it (fewer than asked means that is all of them, see fetch),
    and whether a part is too big to score (RANK_LIMIT) needs at most RANK_LIMIT + 1
    of it counted (exceeds).  Only a page starting further in counts the parts
    before it.  `counter(cap)` returns the count, or any number >= cap when the
    count is at least `cap` (cap None: the count); `at_most` is an upper bound known
    without counting, `at_least` a lower bound a capped count has found.
    """

    def __init__(self, counter: Callable[[int | None], int], at_most: int) -> None:
        self._counter = counter
        self._value: int | None = None
        self.at_least = 0
        self.at_most = at_most

    @classmethod
    def exactly(cls, value: int) -> Count:
        count = cls(lambda _cap: value, value)
        count.settle(value)
        return count

    @classmethod
    def of(cls, match: Match, excluded: list[int], at_most: int) -> Count:
        return cls(partial(count_matches, match, excluded), at_most)

    @property
    def known(self) -> bool:
        return self._value is not None

    def settle(self, value: int) -> None:
        self._value = self.at_least = self.at_most = value

    def value(self) -> int:
        if self._value is None:
            self.settle(self._counter(None))
        return self._value

    def exceeds(self, limit: int) -> bool:
        """Whether there are more than `limit`, counting at most limit + 1 when the bounds do not tell."""
        if self.at_least > limit or self.at_most <= limit:
            return self.at_least > limit
        counted = self._counter(limit + 1)
        if counted <= limit:
            self.settle(counted)
        else:
            self.at_least = limit + 1
        return counted > limit

    def minus(self, part: Count) -> Count:
        """What is left of this count without `part` (of it)."""
        return Count(lambda _cap: self.value() - part.value(), self.at_most)


@dataclass
class Segment:
    """A run of the result list: how many it holds and how to read `limit` of them from `offset`."""

    count: Count
    read: Callable[[int, int], list[int]]


def match_segments(match: Match, count: Count, excluded: list[int]) -> list[Segment]:
    """The `count` matches (without `excluded`) in order: ranked, then (for very many) the rest A–Z.

    Scoring every match costs about a microsecond each, too much for a word found in
    tens of thousands of documents.  Up to RANK_LIMIT matches are all scored.  Beyond
    that, the matches with a word in the name come first, scored while there are at
    most RANK_LIMIT of them, and the matches only in the description follow A–Z.
    """
    if not match.groups:
        return [Segment(count, partial(ordered, match, excluded, count=count))]
    if not count.exceeds(RANK_LIMIT):
        return [Segment(count, partial(ranked, match, excluded))]
    named, unnamed = replace(match, in_name=True), replace(match, in_name=False)
    in_name = Count.of(named, excluded, at_most=count.at_most)
    if in_name.exceeds(RANK_LIMIT):
        read_named = partial(ordered, named, excluded, count=in_name)
    else:
        read_named = partial(ranked, named, excluded)
    not_in_name = count.minus(in_name)
    return [
        Segment(in_name, read_named),
        Segment(not_in_name, partial(ordered, unnamed, excluded, count=not_in_name)),
    ]


def fetch(segments: list[Segment], offset: int, limit: int) -> list[int]:
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
        if not segment.count.exceeds(offset):
            # The page starts past this segment: it holds at most `offset`, so it is counted only that far.
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


def version_and_settings() -> str:
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
    becomes the match's condition (see tsquery_condition) and `:rank` the whole
    match as one tsquery, for ts_rank.
    """
    if excluded:
        params["excluded"] = excluded
    if _sqlite():
        params["match"] = match.fts5()
    else:
        where, where_params = tsquery_condition(match)
        sql = sql.replace("{where}", where)
        params.update(where_params)
        if ":rank" in sql:
            params["rank"] = match.tsquery()
    return list(db.session.execute(_statement(sql, column if excluded else None), params).scalars())


def tsquery_condition(match: Match) -> tuple[str, dict[str, str]]:
    """The WHERE of an index query on PostgreSQL, and its parameters.

    The tsvectors are search_match's (migration 0012_search_match), a narrow table
    kept in step with search_document by a trigger, so that counting visits few pages.
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


def count_matches(match: Match, excluded: list[int] | None = None, cap: int | None = None) -> int:
    """How many match (without `excluded`); with `cap`, no more than `cap` are counted."""
    if _sqlite():
        source, column = "search_fts WHERE search_fts MATCH :match{excluded}", "rowid"
    else:
        source, column = "search_match d WHERE {where}{excluded}", "d.organisation_id"
    if cap is None:
        return _query(f"SELECT count(*) FROM {source}", match, excluded or [], column)[0]
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {source} LIMIT :cap) capped"
    return _query(sql, match, excluded or [], column, cap=cap)[0]


def ranked(match: Match, excluded: list[int], limit: int, offset: int) -> list[int]:
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
        # search_match's own sort_name: joining every match to organisation cost 5-20 times the scoring.
        sql = f"""SELECT d.organisation_id FROM search_match d WHERE {{where}}{{excluded}}
            ORDER BY ts_rank({POSTGRESQL_WEIGHTS}, d.tsv, to_tsquery('simple', :rank)) DESC, d.sort_name, d.organisation_id
            LIMIT :limit OFFSET :offset"""
    return _query(sql, match, excluded, "rowid" if _sqlite() else "d.organisation_id", limit=limit, offset=offset)


def ordered(
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
        # From search_match alone: the matches sorted, or many read along its sort_name index.
        sql = """SELECT d.organisation_id FROM search_match d WHERE {where}{excluded}
            ORDER BY d.sort_name, d.organisation_id LIMIT :limit OFFSET :offset"""
        return _query(sql, match, excluded, "d.organisation_id", limit=limit, offset=offset)
    else:
        sql = f"""SELECT o.id FROM organisation o JOIN search_match d ON d.organisation_id = o.id
            WHERE {{where}}{{excluded}} ORDER BY {order_by} LIMIT :limit OFFSET :offset"""
    return _query(sql, match, excluded, "o.id", limit=limit, offset=offset)


@cache
def _listing_statement(order_by: str) -> TextClause:
    """Every published organisation in an ORDER_BY order, built once per order."""
    return text(f"""SELECT o.id FROM organisation o WHERE {_PUBLISHED_SQL}
        ORDER BY {order_by} LIMIT :limit OFFSET :offset""")


def listing(limit: int, offset: int, *, order: str) -> list[int]:
    return list(db.session.scalars(_listing_statement(order), {"limit": limit, "offset": offset}))
