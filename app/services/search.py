"""The one search used by the search page and the API.

A query is free text plus need, activity and municipality filters (OR within a
filter, AND across).  The text is analysed like the index (see analysis): each
word becomes a group of alternative tokens (its base forms and compound parts,
plus the tokens of needs whose name or synonym it is), a word naming a
municipality ("Kuopiossa") becomes a municipality filter, and the last word,
while still being typed, also matches as a prefix.  Groups are ANDed; when that
finds fewer than three, a group that matches nothing in the whole index is
corrected to its nearest indexed words (typos), and then the groups are ORed
with the organisations that matched every word ranked first.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field, replace

from sqlalchemy import Select, case, column, func, literal_column, or_, select, table, text
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import (
    Municipality,
    Need,
    Organisation,
    organisation_activity,
    organisation_municipality,
    organisation_need,
)
from app.services import analysis
from app.services.search_index import load_vocabulary, need_token

MAX_TEXT_LENGTH = 200
# AND across words falls back to OR when it finds fewer than this.
ENOUGH_RESULTS = 3
PREFIX_MIN_LENGTH = 3
# Column weights: a word in the name counts ten times a word in the description.
SQLITE_RANK = "bm25(search_fts, 10.0, 1.0)"
POSTGRESQL_WEIGHTS = "'{0.01, 0.02, 0.1, 1.0}'::float4[]"  # D, C, B (body), A (name)


@dataclass
class SearchQuery:
    text: str = ""
    need_ids: list[int] = field(default_factory=list)
    activity_ids: list[int] = field(default_factory=list)
    municipality_ids: list[int] = field(default_factory=list)
    page: int = 1
    page_size: int = 20

    @classmethod
    def from_args(cls, args: MultiDict, page_size: int = 20) -> SearchQuery:
        """Read `q`, `tarve`, `toiminta`, `kunta` and `sivu`; bad values are ignored, never an error."""
        pages = _ids(args.getlist("sivu"))
        return cls(
            text=(args.get("q") or "")[:MAX_TEXT_LENGTH],
            need_ids=_ids(args.getlist("tarve")),
            activity_ids=_ids(args.getlist("toiminta")),
            municipality_ids=_ids(args.getlist("kunta")),
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
        if changed.page > 1:
            args.append(("sivu", str(changed.page)))
        return args


@dataclass
class SearchResult:
    query: SearchQuery
    organisations: list[Organisation]
    total: int
    page: int
    page_count: int
    detected_municipalities: list[Municipality]
    text_terms_used: list[str]


def search(query: SearchQuery) -> SearchResult:
    """Published organisations matching the query, ranked (A–Z without text), one page of them."""
    taxonomy = load_taxonomy()
    typing = bool(query.text) and not query.text[-1].isspace()
    detected_ids, groups = taxonomy.parse(analysis.words(query.text), typing, PREFIX_MIN_LENGTH)
    municipality_ids = list(dict.fromkeys(query.municipality_ids + detected_ids))
    conditions = _filters(query.need_ids, query.activity_ids, municipality_ids)
    page_size = max(1, query.page_size)
    page = max(1, query.page)

    if not groups:
        listing = _listing(conditions)
        ids, total, page = _fetch_page(listing, listing, page=page, page_size=page_size)
    else:
        ids, total, page = _fetch_page(*_both(groups, conditions, "AND"), page=page, page_size=page_size)
        if total < ENOUGH_RESULTS:
            corrected = _correct_typos(groups, taxonomy)
            if corrected != groups:
                groups = corrected
                ids, total, page = _fetch_page(*_both(groups, conditions, "AND"), page=page, page_size=page_size)
        if total < ENOUGH_RESULTS and len(groups) > 1:
            matched_all = _all_ids(_ranked(groups, conditions, "AND"))
            ids, total, page = _fetch_page(
                *_both(groups, conditions, "OR", matched_all), page=page, page_size=page_size
            )

    detected = [m for m in db.session.scalars(select(Municipality).where(Municipality.id.in_(detected_ids)))]
    detected.sort(key=lambda m: detected_ids.index(m.id))
    return SearchResult(
        query=query,
        organisations=_load(ids),
        total=total,
        page=page,
        page_count=_page_count(total, page_size),
        detected_municipalities=detected,
        text_terms_used=[term for group in groups for term in group.describe()],
    )


def _ids(values: list[str]) -> list[int]:
    ids = []
    for value in values:
        value = value.strip()
        if value.isascii() and value.isdigit() and 0 < int(value) < 2**31 and int(value) not in ids:
            ids.append(int(value))
    return ids


def _filters(need_ids: list[int], activity_ids: list[int], municipality_ids: list[int]) -> list:
    # The published check is wrapped in a function so SQLite orders the A–Z list by the
    # sort_name index instead of reading every published row through the status index.
    conditions = [func.coalesce(Organisation.status, "") == "published"]
    # IN (subquery) lets the link tables' indexes drive the query; EXISTS ran once per organisation.
    if need_ids:
        conditions.append(Organisation.id.in_(_linked(organisation_need.c.need_id, need_ids)))
    if activity_ids:
        conditions.append(Organisation.id.in_(_linked(organisation_activity.c.activity_id, activity_ids)))
    if municipality_ids:
        linked = _linked(organisation_municipality.c.municipality_id, municipality_ids)
        conditions.append(or_(Organisation.nationwide.is_(True), Organisation.id.in_(linked)))
    return conditions


def _linked(link_column, ids: list[int]) -> Select:
    return select(link_column.table.c.organisation_id).where(link_column.in_(ids))


def _listing(conditions: list) -> Select:
    return select(Organisation.id).where(*conditions).order_by(Organisation.sort_name, Organisation.id)


def _ranked(
    groups: list[Group], conditions: list, operator: str, first: list[int] | None = None, *, ranked: bool = True
) -> Select:
    """Matching organisations, best first; `first` (those matching every word) before the rest.

    With `ranked=False` the matches are not scored, for counting them.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        expression = f" {operator} ".join(group.fts5() for group in groups)
        # bm25() only works in the query that holds the MATCH, so the matches are scored
        # first; MATERIALIZED keeps SQLite from re-running the MATCH for every organisation.
        scored = (
            select(
                literal_column("rowid").label("id"),
                literal_column(SQLITE_RANK if ranked else "0").label("score"),
            )
            .select_from(table("search_fts"))
            .where(text("search_fts MATCH :match").bindparams(match=expression))
            .cte("scored")
            .prefix_with("MATERIALIZED")
        )
        statement = select(Organisation.id).join(scored, scored.c.id == Organisation.id).where(*conditions)
        rank = scored.c.score
    else:
        joiner = " & " if operator == "AND" else " | "
        tsquery = func.to_tsquery(literal_column("'simple'"), joiner.join(group.tsquery() for group in groups))
        tsv = literal_column("search_document.tsv")
        statement = (
            select(Organisation.id)
            .select_from(table("search_document", column("organisation_id")))
            .join(Organisation, Organisation.id == literal_column("search_document.organisation_id"))
            .where(tsv.op("@@")(tsquery), *conditions)
        )
        rank = func.ts_rank(literal_column(POSTGRESQL_WEIGHTS), tsv, tsquery).desc()
    if not ranked:
        return statement
    order = [rank, Organisation.sort_name, Organisation.id]
    if first:
        order.insert(0, case((Organisation.id.in_(first), 0), else_=1))
    return statement.order_by(*order)


def _fetch_page(statement: Select, unranked: Select, *, page: int, page_size: int) -> tuple[list[int], int, int]:
    """The ids of one page, the total, and the page actually shown (clamped to the last page).

    The total is counted on `unranked`, the same matches without scoring or sorting.
    """
    total = db.session.scalar(select(func.count()).select_from(unranked.order_by(None).subquery()))
    page = min(page, _page_count(total, page_size))
    if total == 0:
        return [], 0, page
    ids = list(db.session.scalars(statement.limit(page_size).offset((page - 1) * page_size)))
    return ids, total, page


def _both(groups: list[Group], conditions: list, operator: str, first: list[int] | None = None) -> tuple:
    """The ranked statement and the unranked one to count with."""
    return _ranked(groups, conditions, operator, first), _ranked(groups, conditions, operator, ranked=False)


def _all_ids(statement: Select) -> list[int]:
    return list(db.session.scalars(statement.limit(ENOUGH_RESULTS)))


def _page_count(total: int, page_size: int) -> int:
    return max(1, math.ceil(total / page_size))


def _load(ids: list[int]) -> list[Organisation]:
    if not ids:
        return []
    organisations = db.session.scalars(
        select(Organisation)
        .where(Organisation.id.in_(ids))
        .options(
            selectinload(Organisation.municipalities),
            selectinload(Organisation.needs),
            selectinload(Organisation.activities),
        )
    )
    by_id = {organisation.id: organisation for organisation in organisations}
    return [by_id[i] for i in ids if i in by_id]


def _correct_typos(groups: list[Group], taxonomy: Taxonomy) -> list[Group]:
    """Groups that match nothing anywhere also get the nearest indexed words and need words."""
    vocabulary = load_vocabulary()
    corrected = []
    for group in groups:
        if vocabulary.matches(group.terms, group.prefix):
            corrected.append(group)
        else:
            nearest = vocabulary.nearest(group.word, taxonomy.need_words)
            corrected.append(replace(group, terms=group.terms + tuple(t for t in nearest if t not in group.terms)))
    return corrected


@dataclass(frozen=True)
class Group:
    """The alternatives for one query word; a document must match one of them."""

    word: str  # lower-cased, as typed
    terms: tuple[str, ...]
    prefix: str = ""

    def fts5(self) -> str:
        alternatives = [f'"{term}"' for term in self.terms] + ([f'"{self.prefix}"*'] if self.prefix else [])
        return "(" + " OR ".join(alternatives) + ")"

    def tsquery(self) -> str:
        alternatives = [f"'{term}'" for term in self.terms] + ([f"'{self.prefix}':*"] if self.prefix else [])
        return "(" + " | ".join(alternatives) + ")"

    def describe(self) -> list[str]:
        return list(self.terms) + ([self.prefix + "*"] if self.prefix else [])


@dataclass
class Taxonomy:
    """What query words can mean besides themselves: needs (by name or synonym) and municipalities."""

    need_words: dict[str, tuple[str, ...]]  # a one-word name or synonym's base form -> need tokens
    need_phrases: list[tuple[list[frozenset[str]], str]]  # base forms of each word of a longer one
    municipality_names: dict[str, int]

    def parse(self, words: list[str], typing: bool, prefix_min: int) -> tuple[list[int], list[Group]]:
        """Municipality ids named in the words, and a group for every other word."""
        detected: list[int] = []
        kept: list[tuple[int, str, frozenset[str]]] = []
        for position, word in enumerate(words):
            bases = analysis.base_forms(word)
            named = sorted({self.municipality_names[b] for b in bases if b in self.municipality_names})
            if named:
                detected += [i for i in named if i not in detected]
            else:
                kept.append((position, word, bases))
        expansions: dict[int, set[str]] = defaultdict(set)
        for index, (_position, _word, bases) in enumerate(kept):
            for base in bases:
                expansions[index].update(self.need_words.get(base, ()))
        for phrase, token in self.need_phrases:
            # A longer synonym counts when each of its words is somewhere in the query.
            found = [next((i for i, (_p, _w, bases) in enumerate(kept) if bases & part), None) for part in phrase]
            if None not in found:
                for index in found:
                    expansions[index].add(token)
        groups = []
        for index, (position, word, _bases) in enumerate(kept):
            terms = analysis.analyse_word(word) + tuple(sorted(expansions[index]))
            lowered = analysis.TOKEN.findall(word.lower())
            prefix = ""
            if typing and position == len(words) - 1 and len(lowered[-1]) >= prefix_min:
                prefix = lowered[-1]
            if terms or prefix:
                groups.append(Group(word="".join(lowered), terms=terms, prefix=prefix))
        return detected, groups


_taxonomies: dict[tuple, Taxonomy] = {}


def load_taxonomy() -> Taxonomy:
    """The query-time meaning of need and municipality names, rebuilt when those tables change."""
    needs = tuple(db.session.execute(select(Need.id, Need.name, Need.synonyms).order_by(Need.id)))
    municipalities = tuple(
        db.session.execute(select(Municipality.id, Municipality.name_fi, Municipality.name_sv).order_by(Municipality.id))
    )
    key = (needs, municipalities)
    if key not in _taxonomies:
        _taxonomies.clear()
        _taxonomies[key] = _build_taxonomy(needs, municipalities)
    return _taxonomies[key]


def _build_taxonomy(needs, municipalities) -> Taxonomy:
    need_words: dict[str, set[str]] = defaultdict(set)
    need_phrases = []
    for need_id, name, synonyms in needs:
        token = need_token(need_id)
        for phrase in [name, *synonyms.split(";")]:
            parts = [analysis.base_forms(word) for word in analysis.words(phrase) if analysis.analyse_word(word)]
            if len(parts) == 1:
                for base in parts[0]:
                    need_words[base].add(token)
            elif parts:
                need_phrases.append((parts, token))
    municipality_names = {}
    for municipality_id, name_fi, name_sv in municipalities:
        for name in (name_fi, name_sv):
            if name:
                municipality_names[name.lower()] = municipality_id
    return Taxonomy(
        need_words={word: tuple(sorted(tokens)) for word, tokens in need_words.items()},
        need_phrases=need_phrases,
        municipality_names=municipality_names,
    )
