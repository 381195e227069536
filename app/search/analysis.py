"""Finnish text analysis for the search index and for queries.

Every word becomes its base forms (all of Voikko's readings) plus the base
forms of its compound parts, so "mielenterveysyhdistyksen" is indexed as
mielenterveysyhdistys, mieli, terveys and yhdistys.  A word Voikko does not know
is tried with its a's and o's dotted ("syovan" is read as "syövän"), for text typed
without ä and ö.  The same functions run at write time and at query time, so the
two always agree.

Without libvoikko the app keeps working with the fallback in search_fallback:
simplemma lemmas and Snowball stems, with a suffix table and a compound splitter
of its own; pure Python, a little weaker.  `analyser_name()` says which one is
active, and the index records it so `flask search reindex --if-stale` can rebuild
an index written by the other one.
"""
import logging
import re
import threading
import unicodedata
from functools import lru_cache

from app.search import fallback

logger = logging.getLogger(__name__)

VOIKKO = "voikko"
FALLBACK = "simplemma+snowball"

# A word: letters and digits, possibly joined by hyphens or apostrophes ("MS-tauti",
# "AVH:n" is split at the colon, which drops the case ending with it).  A trailing
# hyphen is kept ("päihde- ja mielenterveyskuntoutujat": the word shares its end with
# a later one, see search_query) and left out when the word is analysed.
WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*-?")
# The index tokens: exactly what FTS5's unicode61 tokenizer and PostgreSQL's
# default parser both keep as one token, so the two databases see the same terms.
TOKEN = re.compile(r"[^\W_]+")
# One segment of Voikko's WORDBASES: "+surface(base)", "+surface(+suffix)" or "+surface".
SEGMENT = re.compile(r"\+([^+()]*)(?:\(([^)]*)\))?")

# Words that say nothing about what an organisation does.
STOP_WORDS = frozenset(
    """
    ja tai sekä eli että kun jos kuin mutta vaan vai myös sekä-että ei en et emme ette eivät
    minä sinä hän me te he se ne tämä tuo nämä nuo joka jotka mikä mitkä kuka ketkä
    oma omat itse olla on ovat oli ole ollut
    ry rf ry:n klo mm esim jne yms ym tms noin kanssa kautta varten mukaan
    """.split()
)
# Words that say nothing about the need ("apu", "tukea", "neuvontaa"): a query word whose
# base form is one of these only ranks, it never narrows what the other words find.
PADDING_WORDS = frozenset(
    "apu tuki tukea neuvonta ohjaus palvelu ryhmä toiminta yhdistys järjestö"
    " sairastaa sairastava sairastua sairastunut kärsiä kärsivä".split()
)
# Heads of compounds too general to stand for the compound in a query: "muistisairaus" finds what
# says muisti (or the whole word), not everything that says sairaus; "näkövamma" not every vamma.
# The index keeps them, so the word typed on its own ("sairaus") still finds them all.
GENERIC_PARTS = frozenset(
    """
    sairaus sairas tauti potilas kuntoutuja ongelma häiriö oire vamma vammainen terveys terve hyvinvointi
    yhdistys liitto seura kerho ryhmä toiminta keskus palvelu tuki apu työ valta hoito
    """.split()
)
# Voikko word classes that carry no topic: conjunctions, pronouns, negation verb, interjections.
STOP_CLASSES = frozenset({"sidesana", "asemosana", "kieltosana", "huudahdussana"})
# Letters with dots, and what they are typed as without them (a foreign keyboard, a phone
# without the Finnish layout); a word Voikko does not know is tried with its a's and o's dotted.
DOTS = "äöå"
_WITHOUT_DOTS = str.maketrans(DOTS + DOTS.upper(), "aoaAOA")
DOTTABLE = {"a": "ä", "o": "ö", "A": "Ä", "O": "Ö"}
DOTTABLE_MAX = 6

_lock = threading.Lock()
_analyser = None
_name: str | None = None
_fallback_forced = False


def analyser_name() -> str:
    """"voikko" or "simplemma+snowball": the analyser this process uses."""
    _ensure_analyser()
    return _name


def words(text: str) -> list[str]:
    """The words of a text, as typed (NFC-normalised)."""
    return WORD.findall(unicodedata.normalize("NFC", text or ""))


def analyse_text(text: str) -> list[str]:
    """Index tokens of a text: every word's base forms and compound parts, deduplicated in order."""
    tokens: dict[str, None] = {}
    for word in words(text):
        tokens.update(dict.fromkeys(analyse_word(word)))
    return list(tokens)


def analyse_word(word: str) -> tuple[str, ...]:
    """Index tokens of one word; empty for stop words."""
    return _analyse_word(_normalised(word))


def query_tokens(word: str) -> tuple[str, ...]:
    """The tokens a query word matches: its index tokens less the compound parts in GENERIC_PARTS."""
    own = base_forms(word)
    return tuple(token for token in analyse_word(word) if token not in GENERIC_PARTS or token in own)


def base_forms(word: str) -> frozenset[str]:
    """The lower-cased base forms of one word (whole word only, no compound parts).

    Used to recognise need synonyms and municipality names in a query.
    """
    return _base_forms(_normalised(word))


def piece_forms(word: str) -> frozenset[str]:
    """The base forms of the pieces of a hyphenated word ("mt-kuntoutujat" → mt, kuntoutuja); empty otherwise."""
    pieces = TOKEN.findall(_normalised(word))
    return frozenset().union(*map(_base_forms, pieces)) if len(pieces) > 1 else frozenset()


def is_padding(word: str) -> bool:
    """True for a word that says nothing about the need ("apua", "tukea", "ryhmät")."""
    return not base_forms(word).isdisjoint(PADDING_WORDS)


@lru_cache(maxsize=10_000)
def read_as_dotted(word: str) -> bool:
    """True when Voikko knows the word only as a dotted spelling ("syovan" as "syövän").

    Such a reading may be a guess ("sokeritati" is a typo of sokeritauti, and also
    sokeri + täti), so the search corrects typos in it as in an unknown word.
    """
    _ensure_analyser()
    if _name != VOIKKO:
        return bool(_fallback_dotted(_normalised(word).lower()))
    readings, as_written = _voikko_readings(_normalised(word))
    return bool(readings) and not as_written


def uncertain_stem(word: str) -> str:
    """A stem to match as a prefix when the analyser does not know the word; "" when it does.

    Voikko's unknown words are names and abbreviations, matched as they are, so only
    the fallback guesses.
    """
    _ensure_analyser()
    if _name != FALLBACK or read_as_dotted(word):
        return ""
    return fallback.uncertain_stem(_normalised(word).lower())


def reset(*, force_fallback: bool = False) -> None:
    """Forget the analyser and the caches; the next use loads one again.

    `force_fallback=True` loads the fallback even where Voikko is installed, so tests and
    the recall benchmark can run both analysers on one machine.
    """
    global _analyser, _name, _fallback_forced
    with _lock:
        _analyser = None
        _name = None
        _fallback_forced = force_fallback
    _analyse_word.cache_clear()
    _base_forms.cache_clear()
    read_as_dotted.cache_clear()
    _fallback_dotted.cache_clear()


def _ensure_analyser() -> None:
    global _analyser, _name
    if _name is not None:
        return
    with _lock:
        if _name is not None:
            return
        try:
            if _fallback_forced:
                raise ImportError("the fallback was asked for")
            import libvoikko

            _analyser = libvoikko.Voikko("fi")
            _name = VOIKKO
        except (ImportError, OSError) as error:
            _analyser = None
            _name = FALLBACK
            logger.warning(
                "libvoikko is not available (%s); Finnish search uses the fallback analyser "
                "(simplemma, Snowball and a compound splitter), which finds a little less. "
                "Install libvoikko1 and voikko-fi (make voikko) and run `flask search reindex --if-stale`.",
                error,
            )


def _voikko_analyses(word: str) -> list[dict]:
    # A Voikko handle must not be used by two threads at once.
    with _lock:
        return _analyser.analyze(word)


def _voikko_readings(word: str) -> tuple[list[dict], bool]:
    """Voikko's analyses of a word, and whether they are of the word as written.

    A word Voikko does not know may be Finnish typed without ä and ö (a foreign
    keyboard, a phone without the Finnish layout): "syovan" is read as "syövän"
    when that, or another way of dotting its a's and o's, is a word.
    """
    analyses = _voikko_analyses(word)
    if analyses:
        return analyses, True
    for dotted in dotted_spellings(word):
        analyses += _voikko_analyses(dotted)
    return analyses, False


def undotted(text: str) -> str:
    """`text` as typed without dots: "syöpä" → "syopa"."""
    return text.translate(_WITHOUT_DOTS)


def has_dots(text: str) -> bool:
    return text != undotted(text)


def dotted_spellings(word: str) -> list[str]:
    """The other ways of writing `word` with ä for a and ö for o, for a word that has neither ä nor ö.

    At most DOTTABLE_MAX letters are tried (2^6 - 1 spellings); a longer word is rarely typed without them.
    """
    if has_dots(word):
        return []
    places = [i for i, letter in enumerate(word) if letter in DOTTABLE]
    if not places or len(places) > DOTTABLE_MAX:
        return []
    spellings = []
    for mask in range(1, 2 ** len(places)):
        letters = list(word)
        for bit, place in enumerate(places):
            if mask >> bit & 1:
                letters[place] = DOTTABLE[letters[place]]
        spellings.append("".join(letters))
    return spellings


@lru_cache(maxsize=50_000)
def _analyse_word(word: str) -> tuple[str, ...]:
    _ensure_analyser()
    lowered = word.lower()
    if lowered in STOP_WORDS:
        return ()
    if _name == VOIKKO:
        analyses, as_written = _voikko_readings(word)
        if analyses and all(a.get("CLASS") in STOP_CLASSES for a in analyses):
            return ()
        candidates: list[str] = []
        for analysis in analyses:
            candidates.append(analysis.get("BASEFORM", ""))
            parts = _compound_parts(analysis.get("WORDBASES", ""))
            if len(parts) > 1:
                for part, derived in parts:
                    # A derived part is a surface form ("terveyden" in terveydenhuolto): use its base form.
                    candidates.extend(sorted(_base_forms(part)) if derived else _split_base(part))
        if not analyses and ("-" in word or "'" in word or "’" in word):
            # An unknown hyphenated word: analyse its pieces ("Kuopio-seura").
            for piece in TOKEN.findall(word):
                candidates.extend(_analyse_word(piece))
        # An unknown word stays a token of its own, also when it was read as a dotted spelling.
        candidates.append(lowered if not as_written else "")
    else:
        candidates = _fallback_tokens(lowered)
    return _tokens(candidates)


@lru_cache(maxsize=50_000)
def _base_forms(word: str) -> frozenset[str]:
    _ensure_analyser()
    if _name == VOIKKO:
        forms = [a.get("BASEFORM", "") for a in _voikko_readings(word)[0]] or [word]
    else:
        # A word read only through its dotted spellings has their base forms too, as Voikko's
        # readings do: "Siilinjarvella" names Siilinjärvi.
        lowered = word.lower()
        forms = [*fallback.base_forms(lowered)]
        forms += [form for spelling in _fallback_dotted(lowered) for form in fallback.base_forms(spelling)]
    return frozenset(joined for joined in map(_joined, forms) if joined)


def _fallback_tokens(lowered: str) -> list[str]:
    """Base forms and compound parts; a hyphenated word's pieces are analysed one by one.

    A word typed without ä and ö that only its dotted spellings make readable gets their
    tokens too, as _voikko_readings does with Voikko ("syovan" → syöpä).
    """
    pieces = TOKEN.findall(lowered)
    candidates = list(fallback.base_forms(lowered))
    for piece in pieces if len(pieces) > 1 else [lowered]:
        candidates += [*fallback.base_forms(piece), *fallback.compound_parts(piece)]
    for spelling in _fallback_dotted(lowered):
        candidates += [*fallback.base_forms(spelling), *fallback.compound_parts(spelling)]
    return candidates


@lru_cache(maxsize=10_000)
def _fallback_dotted(lowered: str) -> tuple[str, ...]:
    """The dotted spellings the fallback reads of a word it does not read as written."""
    if fallback.knows(lowered):
        return ()
    return tuple(spelling for spelling in dotted_spellings(lowered) if fallback.knows(spelling))


def _normalised(word: str) -> str:
    return unicodedata.normalize("NFC", word).rstrip("-")


def compound_parts(wordbases: str) -> list[str]:
    """Base forms of the parts of a compound, from Voikko's WORDBASES.

    "+mielen(mieli)+terve(terve)+ys(+ys)+yhdist(yhdistää)+ys(+ys)" gives
    mieli, terveys, yhdistys: a segment whose base starts with "+" is a
    derivational suffix that makes a new word with the part before it, so that
    part becomes the joined surface.  A base with "=" ("Siilin=järvi") names its
    own parts; a segment without a base ("+vertais") stands for itself.
    """
    return [base for part, derived in _compound_parts(wordbases) for base in ([part] if derived else _split_base(part))]


def _compound_parts(wordbases: str) -> list[tuple[str, bool]]:
    """(base or derived surface, is derived) of each part of a compound."""
    segments = SEGMENT.findall(wordbases)
    parts: list[list] = []  # [surface, base, derived] of each part
    for index, (surface, base) in enumerate(segments):
        derivation_follows = index + 1 < len(segments) and segments[index + 1][1].startswith("+")
        if base.startswith("+") and parts:
            derived = parts[-1][0] + surface
            parts[-1] = [derived, derived, True]
        elif not base and derivation_follows and parts:
            # A piece inside a derivation: "+valta(valta)+kunna(kunta)+lli+nen(+nen)".
            parts[-1][0] += surface
        else:
            parts.append([surface, base.lstrip("+") or surface, False])
    return [(base, derived) for _surface, base, derived in parts]


def _split_base(base: str) -> list[str]:
    if "=" in base:
        return [base.replace("=", ""), *base.split("=")]
    return [base]


def _joined(form: str) -> str:
    return "".join(TOKEN.findall(form.lower()))


def _tokens(candidates: list[str]) -> tuple[str, ...]:
    """Lower-cased tokens the databases keep whole; hyphenated forms give the joined form and pieces."""
    tokens: dict[str, None] = {}
    for candidate in candidates:
        lowered = candidate.lower()
        pieces = TOKEN.findall(lowered)
        if len(pieces) > 1:
            pieces = ["".join(pieces), *pieces]
        for piece in pieces:
            if len(piece) > 1 and piece not in STOP_WORDS:
                tokens[piece] = None
    return tuple(tokens)
