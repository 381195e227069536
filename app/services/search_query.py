"""What the words of a query mean: groups of alternative tokens, and the taxonomy behind them.

A query word becomes a Group (its base forms and compound parts, plus the tokens
of needs whose name or synonym it is); a word naming a municipality becomes a
municipality filter.  The need and municipality names come from the database
and are turned into lookup tables once per process: `index_state()` reads in
one cheap statement everything those tables (and the search page's filter
lists) depend on, and the tables are rebuilt only when it changes.

Every ORM change to a need, activity or municipality (staff edits, seeding,
imports) gives the taxonomy a new generation (see renew_generation_on_write), so
other processes notice a rename at their next query; the count and the largest
id of each table catch rows written without the ORM.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from itertools import chain

from sqlalchemy import func, select

from app.database import commit_count
from app.extensions import db
from app.models import Activity, Municipality, Need, SearchMeta, sort_key
from app.services import analysis
from app.services.search_index import GENERATION_KEY, need_token, renew_generation_on_write

TAXONOMY_GENERATION_KEY = "taxonomy_generation"
TAXONOMY_MODELS = (Need, Activity, Municipality)

@dataclass(frozen=True)
class Group:
    """The alternatives for one query word; a document must match one of them."""

    word: str  # lower-cased, as typed
    terms: tuple[str, ...]
    prefix: str = ""

    def fts5(self) -> str:
        alternatives = [f'"{term}"' for term in self.terms] + ([f'"{self.prefix}"*'] if self.prefix else [])
        return "(" + " OR ".join(alternatives) + ")"

    def tsquery(self, weight: str = "") -> str:
        """The alternatives as a tsquery; `weight` "A" matches them in the name only."""
        label = f":{weight}" if weight else ""
        alternatives = [f"'{term}'{label}" for term in self.terms]
        alternatives += [f"'{self.prefix}':*{weight}"] if self.prefix else []
        return "(" + " | ".join(alternatives) + ")"

    def describe(self) -> list[str]:
        return list(self.terms) + ([self.prefix + "*"] if self.prefix else [])


@dataclass(frozen=True)
class TaxonomyLabels:
    """The names that show an organisation's needs, activities and municipalities, by id.

    Each id maps to (its place in a list, its name): needs and municipalities
    are listed A–Z in Finnish, activities in their own order.
    """

    needs: dict[int, tuple[int, str]]
    activities: dict[int, tuple[int, str]]
    municipalities: dict[int, tuple[int, str]]

    @staticmethod
    def names(labels: dict[int, tuple[int, str]], ids: set[int]) -> tuple[str, ...]:
        """The names of `ids` in list order."""
        return tuple(name for _place, name in sorted(labels[i] for i in ids if i in labels))


@dataclass
class Taxonomy:
    """What query words can mean besides themselves: needs (by name or synonym) and municipalities."""

    need_words: dict[str, tuple[str, ...]]  # a one-word name or synonym's base form -> need tokens
    need_phrases: list[tuple[list[frozenset[str]], str]]  # base forms of each word of a longer one
    municipality_names: dict[str, int]
    # The names that show an organisation's needs, activities and municipalities (result cards)
    labels: TaxonomyLabels

    def parse(self, words: list[str], typing: bool, prefix_min: int) -> tuple[list[int], list[Group]]:
        """Municipality ids named in the words, and a group for every other word."""
        if not words:
            return [], []
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


# Whatever is kept under an IndexState is also forgotten after this long: the
# bound on how long it can outlive a change written around the ORM (by hand in
# the database, say), which renews no generation.  Every change the app makes does.
KEPT_UNDER_STATE_SECONDS = 300.0


@dataclass(frozen=True)
class IndexState:
    """What query-time caches depend on: the database, the directory's generation and the taxonomy's fingerprint.

    The generation changes with every write to the index or to an organisation
    (search_index.GENERATION_KEY), so a key holding this state names one
    version of everything a search can show.
    """

    database: str
    generation: str
    taxonomy: tuple

    @property
    def taxonomy_key(self) -> tuple:
        return (self.database, self.taxonomy)


def _size(model) -> list:
    return [
        select(func.count()).select_from(model).scalar_subquery(),
        select(func.max(model.id)).scalar_subquery(),
    ]


def _meta(key: str):
    return select(SearchMeta.value).where(SearchMeta.key == key).scalar_subquery()


_STATE = select(_meta(GENERATION_KEY), _meta(TAXONOMY_GENERATION_KEY), *chain.from_iterable(map(_size, TAXONOMY_MODELS)))


_last_state = threading.local()


def index_state() -> IndexState:
    """The current IndexState, in one statement of primary-key lookups and index counts.

    With SQLite the statement is skipped while nothing at all has been committed
    since this thread last read the state (`commit_count`); every search reads it.
    """
    # The engine, not the session: a search answered from kept parts opens no session at all.
    engine = db.engine
    commits = commit_count(engine)
    last = getattr(_last_state, "value", None)
    if commits is not None and last is not None and last[0] == commits:
        return last[1]
    generation, *taxonomy = db.session.execute(_STATE).one()
    state = IndexState(str(engine.url), generation or "", tuple(taxonomy))
    # Counted before the statement: a commit in between makes the next call read again.
    _last_state.value = (commits, state)
    return state


# Link collections (an organisation's needs) are not a change of the taxonomy.
renew_generation_on_write(TAXONOMY_MODELS, TAXONOMY_GENERATION_KEY, include_collections=False)


_taxonomies: dict[tuple, Taxonomy] = {}


def load_taxonomy(state: IndexState | None = None) -> Taxonomy:
    """The query-time meaning of need and municipality names, rebuilt when the taxonomy changes."""
    key = (state or index_state()).taxonomy_key
    taxonomy = _taxonomies.get(key)
    if taxonomy is None:
        needs = db.session.execute(select(Need.id, Need.name, Need.synonyms).order_by(Need.id)).all()
        municipalities = db.session.execute(
            select(Municipality.id, Municipality.name_fi, Municipality.name_sv).order_by(Municipality.id)
        ).all()
        activities = db.session.execute(select(Activity.id, Activity.name).order_by(Activity.position, Activity.name))
        labels = TaxonomyLabels(
            needs=_listed(sorted(((i, name) for i, name, _synonyms in needs), key=lambda pair: sort_key(pair[1]))),
            activities=_listed(activities.all()),
            municipalities=_listed(sorted(((i, name) for i, name, _sv in municipalities), key=lambda pair: sort_key(pair[1]))),
        )
        taxonomy = _build_taxonomy(needs, municipalities, labels)
        # One taxonomy per process; a dict swap is safe between threads.
        _taxonomies.clear()
        _taxonomies[key] = taxonomy
    return taxonomy


def _listed(pairs) -> dict[int, tuple[int, str]]:
    """(id, name) pairs in list order as id -> (place, name)."""
    return {label_id: (place, name) for place, (label_id, name) in enumerate(pairs)}


def _build_taxonomy(needs, municipalities, labels: TaxonomyLabels) -> Taxonomy:
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
        labels=labels,
    )
