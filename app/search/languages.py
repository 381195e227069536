"""Swedish and English query words: what they mean in the translated taxonomy.

The index is Finnish (see analysis).  A Swedish or English query word finds
organisations through the need and activity tokens of the index: the
taxonomy's Swedish and English names and synonyms are reduced to Snowball
stems ("minnessjukdomar" and "minnessjukdom" → minnessjukdom, "memories" →
memori), and so is each query word, in both languages.  A stem is keyed with
its language ("sv:minnessjukdom") so it never meets a Finnish base form.
Snowball is the well-kept stemmer for both languages; the full analysis that
Voikko gives Finnish is not needed for a few hundred taxonomy words.

The small words of the two languages ("i", "för", "och", "in", "for", "and")
are left out of a query, and a few general ones ("stöd", "support", "help")
only count when they are part of a taxonomy phrase ("peer support") or the
only word: otherwise "diabetes support" would ask for organisations whose
Finnish texts hold the word "support".  None of these words is a Finnish word.
"""
import threading
from functools import lru_cache

import snowballstemmer

# The taxonomy's languages besides Finnish, and the Snowball stemmer of each (a language
# without one matches its words as written, lower-cased).
LANGUAGES = ("sv", "en")
STEMMERS = {"sv": "swedish", "en": "english"}

STOP_WORDS = frozenset(
    """
    och eller för på av med till om ett den det de som är att från vid hos min mitt
    vår våra jag vi du ni han hon man när var hur vad kan vill behöver inom utan mot åt
    sig sin sina dess deras också samt där nära
    and or the an in at for of to with from by near my our your we you is are be who what
    where how can want about their his her its this that these those
    """.split()
)
GENERAL_WORDS = frozenset(
    """
    stöd hjälp tjänst tjänster grupp grupper människor personer
    support help service services group groups people
    """.split()
)

# A Snowball stemmer keeps its word in the object, so one thread at a time.
_lock = threading.Lock()
_stemmers = {language: snowballstemmer.stemmer(algorithm) for language, algorithm in STEMMERS.items()}


def is_stop_word(word: str) -> bool:
    return word.lower() in STOP_WORDS


def is_general_word(word: str) -> bool:
    return word.lower() in GENERAL_WORDS


@lru_cache(maxsize=20_000)
def keys(word: str) -> frozenset[str]:
    """The language-keyed stems of one word in every language: {"sv:<stem>", "en:<stem>"}."""
    return frozenset(key(word, language) for language in LANGUAGES)


def key(word: str, language: str) -> str:
    """The language-keyed stem of a word of a known language."""
    lowered = word.lower()
    if language not in _stemmers:
        return f"{language}:{lowered}"
    with _lock:
        return f"{language}:{_stemmers[language].stemWord(lowered)}"
