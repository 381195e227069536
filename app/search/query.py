"""What the words of a query mean: groups of alternative tokens, and the taxonomy behind them.

A query word becomes a Group (its base forms and compound parts, plus the tokens
of needs whose name or synonym it is, in Finnish, Swedish or English, and of
activities whose Swedish or English name it is; see search_languages); a word
naming a municipality in Finnish or Swedish becomes a municipality filter.  The
need, activity and municipality names come from the database and are turned into
lookup tables once per process and directory version (see
search_index.VERSION_KEY), and at least every TAXONOMY_SECONDS.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from cachetools import LRUCache
from sqlalchemy import select

from app.extensions import db
from app.models import Activity, Municipality, Need, sort_key
from app.models.base import TEXT_LANGUAGES
from app.models.taxonomy import split_list
from app.search import analysis, languages
from app.search.index import activity_token, built_once, need_token, per_directory_version

# Every write the app makes renews the directory version, which each search reads; a
# need, activity or municipality written straight into the database shows within this.
TAXONOMY_SECONDS = 5
# A Swedish or English word being typed matches the taxonomy words it can still become from this length.
FOREIGN_PREFIX_MIN = 4

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
    # A longer name or synonym as the base forms (or language-keyed stems) of each of its words, and its
    # token, under each form of its first word: a query looks only at the phrases its words begin
    need_phrases: dict[str, list[tuple[list[frozenset[str]], str]]]
    # A one-word Swedish or English name or synonym's keyed stem -> need and activity tokens
    foreign_words: dict[str, tuple[str, ...]]
    # The same words as written (lower-cased), sorted, for the word being typed
    foreign_forms: list[tuple[str, tuple[str, ...]]]
    municipality_names: dict[str, int]
    # The names that show an organisation's needs, activities and municipalities (result cards), by language
    labels_by_language: dict[str, TaxonomyLabels]

    def labels(self, language: str) -> TaxonomyLabels:
        return self.labels_by_language.get(language) or self.labels_by_language["fi"]

    def parse(self, words: list[str], typing: bool, prefix_min: int) -> tuple[list[int], list[Group]]:
        """Municipality ids named in the words, and a group for every other word."""
        if not words:
            return [], []
        detected: list[int] = []
        kept: list[tuple[int, str, frozenset[str]]] = []
        for position, word in enumerate(words):
            if languages.is_stop_word(word):
                continue
            bases = analysis.base_forms(word)
            named = sorted({self.municipality_names[b] for b in bases if b in self.municipality_names})
            if named:
                detected += [i for i in named if i not in detected]
            else:
                # A hyphenated word's pieces name needs too: "mt-kuntoutujat" → mt → Mielenterveys.
                kept.append((position, word, bases | analysis.piece_forms(word) | languages.keys(word)))
        expansions: dict[int, set[str]] = defaultdict(set)
        for index, (position, word, bases) in enumerate(kept):
            for base in bases:
                expansions[index].update(self.need_words.get(base, ()))
                expansions[index].update(self.foreign_words.get(base, ()))
            being_typed = typing and position == len(words) - 1
            if being_typed and len(word) >= FOREIGN_PREFIX_MIN and not languages.is_general_word(word):
                expansions[index].update(self._foreign_starting_with(word.lower()))
        for index, tokens in self._compounds_written_apart(kept).items():
            expansions[index].update(tokens)
        every_base = frozenset().union(*(bases for _p, _w, bases in kept))
        candidates = [entry for base in every_base for entry in self.need_phrases.get(base, ())]
        for phrase, token in candidates:
            # A longer synonym counts when each of its words is somewhere in the query.
            # The first word is in it already: the phrase was filed under one of its forms.
            if any(part.isdisjoint(every_base) for part in phrase[1:]):
                continue
            found = [next((i for i, (_p, _w, bases) in enumerate(kept) if bases & part), None) for part in phrase]
            if None not in found:
                for index in found:
                    expansions[index].add(token)
        general = {i for i, (_p, word, _b) in enumerate(kept) if languages.is_general_word(word) and not expansions[i]}
        if len(general) < len(kept):
            # "diabetes support": the general word alone would narrow to texts that hold it.
            kept = [entry if i not in general else None for i, entry in enumerate(kept)]
        groups = []
        shared: tuple[str, ...] = ()
        for index, entry in enumerate(kept):
            if entry is None:
                continue
            position, word, _bases = entry
            terms = shared + analysis.query_tokens(word) + tuple(sorted(expansions[index]))
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

    def _compounds_written_apart(self, kept: list[tuple[int, str, frozenset[str]]]) -> dict[int, set[str]]:
        """The tokens of two neighbouring words read as one compound that names a need, for both words.

        "omais hoitajille" and "mielenterveys kuntoutujat" are omaishoitaja and
        mielenterveyskuntoutuja written apart: each word alone names no need, or another one.
        Both words get the need and the joined word's own tokens, so the two find what the
        joined word finds.
        """
        found: dict[int, set[str]] = defaultdict(set)
        for index, ((position, word, _b), (next_position, next_word, _n)) in enumerate(zip(kept, kept[1:])):
            if next_position != position + 1 or word.endswith("-"):
                continue
            joined = word.lower() + next_word.lower()
            tokens = {token for base in analysis.base_forms(joined) for token in self.need_words.get(base, ())}
            if tokens:
                tokens.update(analysis.query_tokens(joined))
                found[index] |= tokens
                found[index + 1] |= tokens
        return found

    def _foreign_starting_with(self, prefix: str) -> set[str]:
        tokens: set[str] = set()
        for form, form_tokens in self.foreign_forms[bisect_left(self.foreign_forms, (prefix,)):]:
            if not form.startswith(prefix):
                break
            tokens.update(form_tokens)
        return tokens


@per_directory_version(ttl=TAXONOMY_SECONDS)
def load_taxonomy(version: str) -> Taxonomy:
    """The query-time meaning of need, activity and municipality names, and the names cards show."""
    needs = db.session.execute(
        select(Need.id, Need.name, Need.synonyms, *_translated(Need, "name", "synonyms")).order_by(Need.id)
    ).all()
    municipalities = db.session.execute(
        select(Municipality.id, Municipality.name_fi, Municipality.name_sv).order_by(Municipality.id)
    ).all()
    activities = db.session.execute(
        select(Activity.id, Activity.name, *_translated(Activity, "name")).order_by(Activity.position, Activity.name)
    ).all()
    return _build_taxonomy(analysis.analyser_name(), tuple(needs), tuple(activities), tuple(municipalities))


def _translated(model, *attributes: str) -> list:
    """The model's columns of `attributes` in every language besides Finnish (name_sv, name_en, …)."""
    return [getattr(model, f"{attribute}_{language}") for language in languages.LANGUAGES for attribute in attributes]


def _in_language(rows, language: str) -> list[tuple[int, str]]:
    """(id, name in `language`, or the Finnish name) of rows whose columns are id, Finnish name, …, name_sv, …, name_en."""
    return [(row.id, getattr(row, f"name_{language}", None) or row[1]) for row in rows]


def _listed(pairs: list[tuple[int, str]], alphabetical: bool) -> dict[int, tuple[int, str]]:
    """(id, name) pairs as id -> (place, name), in their order or A–Z."""
    if alphabetical:
        pairs = sorted(pairs, key=lambda pair: sort_key(pair[1]))
    return {label_id: (place, name) for place, (label_id, name) in enumerate(pairs)}


# Keyed by the rows read: when the time to live of load_taxonomy runs out with nothing
# changed, the same rows give back the same taxonomy instead of analysing every name
# and synonym again (some 50 ms, every 5 s in each worker).
@built_once(LRUCache(maxsize=4))
def _build_taxonomy(analyser: str, needs: tuple, activities: tuple, municipalities: tuple) -> Taxonomy:
    """The taxonomy of these rows as `analyser` (its name: part of the key) reads their words."""
    labels = {
        language: TaxonomyLabels(
            needs=_listed(_in_language(needs, language), alphabetical=True),
            activities=_listed(_in_language(activities, language), alphabetical=False),
            municipalities=_listed(_in_language(municipalities, language), alphabetical=True),
        )
        for language in TEXT_LANGUAGES
    }
    need_words: dict[str, set[str]] = defaultdict(set)
    need_phrases: dict[str, list[tuple[list[frozenset[str]], str]]] = defaultdict(list)
    foreign_words: dict[str, set[str]] = defaultdict(set)
    foreign_forms: dict[str, set[str]] = defaultdict(set)
    for need in needs:
        token = need_token(need.id)
        for phrase in [need.name, *need.synonyms.split(";")]:
            parts = [analysis.base_forms(word) for word in analysis.words(phrase) if analysis.analyse_word(word)]
            if len(parts) == 1:
                for base in parts[0]:
                    need_words[base].add(token)
            elif parts:
                for base in parts[0]:
                    need_phrases[base].append((parts, token))
    for language in languages.LANGUAGES:
        foreign = [
            (need_token(n.id), [getattr(n, f"name_{language}"), *split_list(getattr(n, f"synonyms_{language}"))])
            for n in needs
        ]
        foreign += [(activity_token(a.id), [getattr(a, f"name_{language}")]) for a in activities]
        for token, phrases in foreign:
            for phrase in filter(None, phrases):
                phrase_words = [w for w in analysis.words(phrase) if len(w) > 1 and not languages.is_stop_word(w)]
                if len(phrase_words) == 1:
                    foreign_words[languages.key(phrase_words[0], language)].add(token)
                    foreign_forms[phrase_words[0].lower()].add(token)
                elif phrase_words:
                    parts = [frozenset({languages.key(w, language)}) for w in phrase_words]
                    need_phrases[languages.key(phrase_words[0], language)].append((parts, token))
    municipality_names = {}
    for municipality_id, name_fi, name_sv in municipalities:
        for name in (name_fi, name_sv):
            if name:
                municipality_names[name.lower()] = municipality_id
    return Taxonomy(
        need_words={word: tuple(sorted(tokens)) for word, tokens in need_words.items()},
        need_phrases=dict(need_phrases),
        foreign_words={word: tuple(sorted(tokens)) for word, tokens in foreign_words.items()},
        foreign_forms=sorted((form, tuple(sorted(tokens))) for form, tokens in foreign_forms.items()),
        municipality_names=municipality_names,
        labels_by_language=labels,
    )


# --- Words with a meaning of their own --------------------------------------------------
# Two short word tables, kept here so a word's meaning is changed in one place.  A query
# word is matched on its base forms (so "ruotsiksi" and "pyörätuolilla" count), and the
# listed words are analysed the same way, by the analyser this process uses.

# The search page's and the API's names of the accessibility filters; a filter asks for "yes".
ACCESSIBILITY_PARAMETERS = {
    "esteeton-kulku": "step_free_access",
    "esteeton-wc": "accessible_toilet",
    "induktiosilmukka": "induction_loop",
}
# The languages the search page offers as filters (Finnish is every organisation's).
LANGUAGE_FILTERS = ("sv", "en", "selkokieli", "viittomakieli")

# A word that asks for an accessibility feature or a language becomes that filter, as a
# municipality's name becomes the municipality filter: "induktiosilmukka" finds the
# organisations that have a loop, not those whose description happens to say so.
FILTER_WORDS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(["induktiosilmukka", "kuulosilmukka", "induktionsslinga", "hörslinga"],
                    ("accessible", "induction_loop")),
    **dict.fromkeys(["esteetön", "esteettömyys", "pyörätuoli", "pyörätuolilla", "rollaattori", "tillgänglig",
                     "rullstol", "wheelchair", "accessible"], ("accessible", "step_free_access")),
    **dict.fromkeys(["invawc", "invavessa", "inva-wc"], ("accessible", "accessible_toilet")),
    **dict.fromkeys(["viittomakieli", "viittomakielellä", "viittomakielinen", "teckenspråk"],
                    ("language", "viittomakieli")),
    **dict.fromkeys(["selkokieli", "selkokielellä", "selkokielinen", "selkosuomi", "lättläst"],
                    ("language", "selkokieli")),
    **dict.fromkeys(["ruotsi", "ruotsiksi", "ruotsinkielinen", "svenska", "swedish"], ("language", "sv")),
    **dict.fromkeys(["englanti", "englanniksi", "englanninkielinen", "engelska", "english"], ("language", "en")),
}

# Words after which the search page shows the urgent-help numbers above the results:
# crisis, suicide, violence, poisoning.  A query word counts when one of its base forms
# or compound parts is one of these, or, for the longer ones, ends with one
# ("perheväkivalta", "erokriisi").
URGENT_WORDS = (
    "kriisi", "hätä", "itsemurha", "itsetuho", "itsetuhoinen", "itsetuhoisuus", "viiltely",
    "väkivalta", "pahoinpitely", "raiskaus", "kaltoinkohtelu", "turvakoti",
    "myrkytys", "myrkky", "myrkyllinen", "myrkyttyä", "yliannostus",
    "kris", "självmord", "självskada", "självskadebeteende", "våld", "förgiftning",
    "crisis", "suicide", "suicidal", "selfharm", "violence", "poisoning", "overdose",
)
# Said in several words: each phrase's words in a row, as base forms ("haluan kuolla" → haluta, kuolla).
URGENT_PHRASES = (
    ("haluta", "kuolla"), ("tappaa", "itse"), ("vill", "dö"), ("ta", "livet", "av"),
    ("want", "to", "die"), ("kill", "myself"), ("self", "harm"),
)
# Shorter listed words match only whole: "hätä" must not match every word ending in it.  Longer
# ones also start or end a compound: "självmordstankar", "perheväkivalta".
URGENT_PART_MIN_LENGTH = 6


@cache
def _filter_bases(analyser: str) -> dict[str, tuple[str, str]]:
    """FILTER_WORDS by the base forms of each listed word (per analyser, which tests switch)."""
    table = {}
    for word, meaning in FILTER_WORDS.items():
        for form in {word, *analysis.base_forms(word)}:
            table[form] = meaning
    return table


@cache
def _urgent_bases(analyser: str) -> frozenset[str]:
    return frozenset(form for word in URGENT_WORDS for form in {word, *analysis.base_forms(word)})


def word_filter(word: str) -> tuple[str, str] | None:
    """("language", code) or ("accessible", feature) when the word asks for one, else None."""
    table = _filter_bases(analysis.analyser_name())
    lowered = word.lower()
    if lowered in table:
        return table[lowered]
    return next((table[base] for base in sorted(analysis.base_forms(word)) if base in table), None)


def words_as_filters(words: list[str]) -> tuple[list[str], list[str], list[str]]:
    """The words that remain text, then the language codes and accessibility features the others ask for."""
    kept, languages, accessible = [], [], []
    for word in words:
        meaning = word_filter(word)
        if meaning is None:
            kept.append(word)
        else:
            kind, value = meaning
            found = languages if kind == "language" else accessible
            if value not in found:
                found.append(value)
    return kept, languages, accessible


def concerns_urgent_help(text: str) -> bool:
    """True when a word of the text is about crisis, suicide, violence or poisoning."""
    urgent = _urgent_bases(analysis.analyser_name())
    said: list[set[str]] = []  # each word's forms, in order, for the phrases
    for word in analysis.words(text):
        forms = {word.lower(), *analysis.base_forms(word), *analysis.analyse_word(word)}
        said.append(forms)
        if forms & urgent:
            return True
        if any(form.startswith(listed) or form.endswith(listed)
               for form in forms for listed in urgent if len(listed) >= URGENT_PART_MIN_LENGTH):
            return True
    return any(
        all(phrase[offset] in said[start + offset] for offset in range(len(phrase)))
        for phrase in URGENT_PHRASES for start in range(len(said) - len(phrase) + 1)
    )
