"""The Finnish analyser used without libvoikko: simplemma lemmas, Snowball stems, a suffix table
and a compound splitter.

Neither library splits compounds, and compound parts are where most of Voikko's recall
comes from ("sydänpotilaille" is found through sydän).  No maintained pure-Python
library splits Finnish compounds (finnsyll's segmenter, last released in 2017, guesses
boundaries from syllable structure; the others need Voikko, HFST or model downloads),
so the splitter is our own and small: it cuts a word where the first
part is a word of the LEXICON (as such, in the genitive as "mielen", or in the
compound form of a -nen word as "omais") and the rest is a word simplemma knows, a
lexicon word or another compound.  The lexicon is the shipped taxonomy (need names
and synonyms, activities, municipalities, sectors) plus COMPOUND_WORDS, the frequent
parts of this field's compounds.  It is fixed by the code and the shipped files, so a
word is split the same way when it is indexed and when it is searched; a change to
the lexicon or the rules changes documents, so it bumps search_index.INDEX_FORMAT.

The suffix table strips a case ending and keeps the base forms the lexicon knows
(simplemma does not know every word, and gives one lemma of several); when nothing
knows a word, `uncertain_stem` gives the query a stem to match as a prefix instead.
"""
import csv
from functools import cache, lru_cache
from pathlib import Path

import simplemma
import snowballstemmer

DATA = Path(__file__).resolve().parents[1] / "data"
# The taxonomy columns whose Finnish words make the lexicon (file patterns under app/data).
# Every shipped region's municipalities count, whichever region is chosen, so that
# indexing and searching split words the same way on every installation.
LEXICON_COLUMNS = {
    "needs.csv": ("name", "group", "synonyms"),
    "activities.csv": ("name",),
    "regions/*/municipalities.csv": ("name_fi",),
    "sectors.csv": ("name",),
}
# Frequent parts of compounds in this field that the taxonomy does not name on its own.
COMPOUND_WORDS = frozenset(
    """
    yhdistys liitto seura kerho ryhmä piiri keskus talo paikka kahvila verkosto osasto säätiö
    potilas kuntoutuja sairas sairaus tauti ongelma häiriö vamma vammainen omainen hoitaja hoito
    tuki apu neuvonta palvelu toiminta työ koti kurssi leiri ilta päivä retki jumppa valmennus
    kunto liikunta terveys mieli hyvinvointi elämä arki kokemus vertainen ihminen aikuinen
    asiantuntija kuntoutus ohjaus tieto kriisi
    """.split()
)
MIN_PART = 3
# Case endings of nouns and adjectives (singular and plural, possessive left out), and the ending
# of an adjective's adverb ("psyykkis|esti" → psyykkinen), longest first.
ENDINGS = tuple(
    sorted(
        """
        esti iksi ihin ineen issa issä ista istä illa illä ilta iltä ille iden jen ien iin ina inä ita itä
        ksi ssa ssä sta stä lla llä lta ltä lle seen tta ttä ja jä na nä ta tä in en n t a ä
        """.split(),
        key=len,
        reverse=True,
    )
)
# What may stand at the end of the base form where an ending was cut:
# "potilaa|lle" → potilas, "kehitysvammais|ille" → kehitysvammainen, "järve|llä" → järvi.
RESTORED_ENDINGS = ("", "a", "ä", "i", "e", "s", "nen")
# Consonant gradation, weak grade → strong: the base form may have the strong one ("avu|n" → apu,
# "taudi|n" → tauti, "kunna|n" → kunta).
GRADATION = (("v", "p"), ("d", "t"), ("mm", "mp"), ("nn", "nt"), ("ll", "lt"), ("rr", "rt"), ("ng", "nk"),
             ("k", "kk"), ("p", "pp"), ("t", "tt"))
# A stem shorter than this is too vague to match as a prefix.
PREFIX_MIN = 5

_stemmer = snowballstemmer.stemmer("finnish")


def lemma(word: str) -> str:
    return simplemma.lemmatize(word, lang="fi").lower()


def stem(word: str) -> str:
    return _stemmer.stemWord(word)


@lru_cache(maxsize=50_000)
def base_forms(word: str) -> tuple[str, ...]:
    """Whole-word base forms of a lower-cased word: its lemma, its stem and what the suffix
    table finds in the lexicon.

    The suffix table also runs for words simplemma knows, since it picks one lemma of
    several: "tukea" is the verb to simplemma, and tuki (support) through the table.
    """
    return tuple(dict.fromkeys([lemma(word), stem(word), *suffix_bases(word)]))


@lru_cache(maxsize=50_000)
def compound_parts(word: str) -> tuple[str, ...]:
    """Base forms of the parts of a lower-cased compound ("sydänpotilaille" → sydän, potilas); empty otherwise.

    The longest first part wins; a first part that is itself a compound adds its parts
    too ("mielenterveyskuntoutujat" → mielenterveys, mieli, terveys, kuntoutuja).
    """
    for cut in range(len(word) - MIN_PART, MIN_PART - 1, -1):
        head = _head_base(word[:cut])
        if head is None:
            continue
        tail = word[cut:]
        rest = _tail_bases(tail) or compound_parts(tail)
        if rest:
            return tuple(dict.fromkeys((head, *compound_parts(head), *rest)))
    return ()


def suffix_bases(word: str) -> list[str]:
    """Base forms of the lexicon that the word becomes when a case ending is cut."""
    found = []
    for ending in ENDINGS:
        if not word.endswith(ending) or len(word) - len(ending) < MIN_PART:
            continue
        cut = word[: len(word) - len(ending)]
        for graded in [cut, *_strong_grades(cut)]:
            candidates = [graded + restored for restored in RESTORED_ENDINGS]
            candidates += [graded[:-1] + restored for restored in ("i", "nen", "s", "us", "ys")]
            found += [candidate for candidate in candidates if candidate in lexicon()]
    return list(dict.fromkeys(found))


def _strong_grades(cut: str) -> list[str]:
    """The cut word with its last consonant (cluster) in the strong grade, for each way it can be."""
    found = []
    for weak, strong in GRADATION:
        at = cut.rfind(weak, 1)
        if at > 0 and len(cut) - at <= 3:
            found.append(cut[:at] + strong + cut[at + len(weak):])
    return found


def knows(word: str) -> bool:
    """True when simplemma, the suffix table or the compound splitter reads the lower-cased word."""
    return simplemma.is_known(word, lang="fi") or bool(suffix_bases(word)) or bool(compound_parts(word))


def uncertain_stem(word: str) -> str:
    """The stem to match as a prefix when nothing knows the lower-cased word; "" otherwise.

    A hyphenated word is left alone: its pieces are analysed one by one.
    """
    if not word.isalnum() or knows(word):
        return ""
    found = stem(word)
    return found if len(found) >= PREFIX_MIN and found != word else ""


def _head_base(piece: str) -> str | None:
    """The base form of a compound's first part, when the lexicon knows it.

    The part stands as such ("sydän"), in the compound form of a -nen word ("omais")
    or inflected, mostly in the genitive ("mielen", "terveyden"): then simplemma must
    know the form, since its guesses for unknown ones ("liikuntas" → liikunta) would
    cut words anywhere.
    """
    words = lexicon()
    if piece in words:
        return piece
    if piece.endswith("s") and piece[:-1] + "nen" in words:
        return piece[:-1] + "nen"
    if piece[:MIN_PART] in prefixes() and simplemma.is_known(piece, lang="fi"):
        found = lemma(piece)
        if found in words:
            return found
    return None


def _tail_bases(tail: str) -> tuple[str, ...]:
    """The base forms of a compound's last part, when it is a known word."""
    found = lemma(tail)
    if found in lexicon() or tail in lexicon() or (len(tail) > MIN_PART and simplemma.is_known(tail, lang="fi")):
        return tuple(dict.fromkeys([found, *suffix_bases(tail)]))
    return tuple(suffix_bases(tail))


@cache
def lexicon() -> frozenset[str]:
    """The words compounds are split into: the shipped taxonomy's words and COMPOUND_WORDS, as base forms."""
    words = set(COMPOUND_WORDS)
    for pattern, columns in LEXICON_COLUMNS.items():
        for path in sorted(DATA.glob(pattern)):
            with path.open(encoding="utf-8-sig", newline="") as handle:
                for row in csv.DictReader(handle):
                    for column in columns:
                        words.update(_word_forms(row.get(column) or ""))
    return frozenset(word for word in words if len(word) >= MIN_PART)


@cache
def prefixes() -> frozenset[str]:
    return frozenset(word[:MIN_PART] for word in lexicon())


def _word_forms(text: str) -> list[str]:
    # Imported here: search_analysis imports this module.
    from app.search.analysis import STOP_WORDS, TOKEN

    return [lemma(word) for word in TOKEN.findall(text.lower()) if word not in STOP_WORDS]
