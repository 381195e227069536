"""What the words of a query mean: groups of alternative tokens, and the taxonomy behind them.

A query word becomes a Group (its base forms and compound parts, plus the tokens
of needs whose name or synonym it is); a word naming a municipality becomes a
municipality filter.  The need and municipality names come from the database
and are turned into lookup tables once per process and directory version (see
search_index.VERSION_KEY), and at least every TAXONOMY_SECONDS.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import Activity, Municipality, Need, sort_key
from app.search import analysis
from app.search.index import need_token, per_directory_version

# Every write the app makes renews the directory version, which each search reads; a
# need, activity or municipality written straight into the database shows within this.
TAXONOMY_SECONDS = 5

@dataclass(frozen=True)
class Group:
    """The alternatives for one query word; a document must match one of them."""

    word: str  # lower-cased, as typed
    terms: tuple[str, ...]
    prefix: str = ""
    # A word that says nothing about the need ("tukea"): it ranks but never narrows (see Match).
    padding: bool = False

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
                # A hyphenated word's pieces name needs too: "mt-kuntoutujat" → mt → Mielenterveys.
                kept.append((position, word, bases | analysis.piece_forms(word)))
        expansions: dict[int, set[str]] = defaultdict(set)
        for index, (_position, _word, bases) in enumerate(kept):
            for base in bases:
                expansions[index].update(self.need_words.get(base, ()))
        every_base = frozenset().union(*(bases for _p, _w, bases in kept))
        for phrase, token in self.need_phrases:
            # A longer synonym counts when each of its words is somewhere in the query.
            if any(part.isdisjoint(every_base) for part in phrase):
                continue
            found = [next((i for i, (_p, _w, bases) in enumerate(kept) if bases & part), None) for part in phrase]
            if None not in found:
                for index in found:
                    expansions[index].add(token)
        groups = []
        shared: tuple[str, ...] = ()
        for index, (position, word, _bases) in enumerate(kept):
            terms = shared + analysis.analyse_word(word) + tuple(sorted(expansions[index]))
            lowered = analysis.TOKEN.findall(word.lower())
            prefix = analysis.uncertain_stem(word)
            if typing and position == len(words) - 1 and len(lowered[-1]) >= prefix_min:
                prefix = min(filter(None, [prefix, lowered[-1]]), key=len)
            if word.endswith("-") and index + 1 < len(kept) and not prefix:
                # "päihde- ja mielenterveyskuntoutujat": the first word shares the last one's
                # end, so the two are one group (either kind of kuntoutuja).
                shared = tuple(dict.fromkeys(terms))
                continue
            shared = ()
            if terms or prefix:
                groups.append(Group(word="".join(lowered), terms=tuple(dict.fromkeys(terms)), prefix=prefix,
                                    padding=analysis.is_padding(word)))
        return detected, groups


@per_directory_version(ttl=TAXONOMY_SECONDS)
def load_taxonomy(version: str) -> Taxonomy:
    """The query-time meaning of need and municipality names, and the names cards show."""
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
    return _build_taxonomy(needs, municipalities, labels)


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
