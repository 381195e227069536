"""The index's vocabulary: is a word anywhere in the index, the words a word being typed can
become, and the nearest words to a typo.  Read from the database once per directory version.
"""
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from operator import itemgetter

from rapidfuzz.distance import OSA
from sqlalchemy import select, text

from app.extensions import db
from app.search.analysis import has_dots, undotted
from app.search.index import per_directory_version


def vocabulary_terms() -> list[str]:
    """Every distinct indexed term (for the typo fallback); a full scan, so callers cache it."""
    if db.session.get_bind().dialect.name == "sqlite":
        return list(db.session.scalars(select(text("term")).select_from(text("search_vocab"))))
    return list(db.session.scalars(text("SELECT word FROM ts_stat('SELECT tsv FROM search_match')")))


# Need, activity and area tokens are not words: never offered as a typo correction.
OPAQUE_TOKEN = re.compile(r"q(?:need|act|mun)\d+|qkoko|qlang[a-z]+|qacc[a-z]+")
TYPO_MIN_LENGTH = 4
TYPO_LONG_WORD = 8
MAX_CORRECTIONS = 5


class Vocabulary:
    """The indexed terms, for telling whether a word matches anything and for typo corrections.

    A word typed without ä and ö is no typo of the dotted word ("syopa" is "syöpä" at no
    distance), and a prefix typed without them is one of the dotted terms' too.
    """

    def __init__(self, terms: Iterable[str]):
        self.terms = frozenset(terms)
        self._sorted = sorted(self.terms)
        # The terms with ä, ö or å under their spelling without dots, for a word typed so.
        self._undotted = sorted((undotted(term), term) for term in self._sorted if has_dots(term))
        # Typo candidates by length, as (spelling without dots, term): dots change no length.
        self._by_length: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for term in self._sorted:
            if not OPAQUE_TOKEN.fullmatch(term):
                self._by_length[len(term)].append((undotted(term), term))

    def matches(self, terms: Iterable[str], prefix: str = "") -> bool:
        if any(term in self.terms for term in terms):
            return True
        if prefix:
            position = bisect_left(self._sorted, prefix)
            return position < len(self._sorted) and self._sorted[position].startswith(prefix)
        return False

    def starting_with(self, prefix: str, limit: int) -> list[str] | None:
        """The terms that start with `prefix`, or None when there are more than `limit`.

        A prefix typed without ä and ö also gets the dotted terms it stands for ("paihd" → päihde).
        """
        found = self._run(self._sorted, prefix, prefix, str)
        if not has_dots(prefix):
            dotted = self._run(self._undotted, (prefix,), prefix, itemgetter(0))
            found = chain(found, (term for _undotted, term in dotted))
        first = list(islice(found, limit + 1))
        return first if len(first) <= limit else None

    @staticmethod
    def _run(items: list, start, prefix: str, key: Callable) -> Iterator:
        """The items of a sorted list from `start` on whose key starts with `prefix` (no copy of the list)."""
        for index in range(bisect_left(items, start), len(items)):
            if not key(items[index]).startswith(prefix):
                return
            yield items[index]

    def nearest(self, word: str, extra: dict[str, tuple[str, ...]]) -> list[str]:
        """Terms (and the tokens `extra` maps words to) nearest to `word`.

        One edit (a transposition counts as one) is allowed, two for words of
        eight letters or more; short words get no corrections, they would match
        too much.  A missing dot (a for ä, o for ö) is no edit.
        """
        if len(word) < TYPO_MIN_LENGTH:
            return []
        limit = 2 if len(word) >= TYPO_LONG_WORD else 1
        best = limit + 1
        found: dict[str, None] = {}
        typed = undotted(word)
        lengths = range(len(word) - limit, len(word) + limit + 1)
        candidates = [(spelling, (term,)) for n in lengths for spelling, term in self._by_length.get(n, ())]
        candidates += [(undotted(other), tokens) for other, tokens in sorted(extra.items()) if len(other) in lengths]
        for spelling, tokens in candidates:
            # Optimal string alignment: a swap of two neighbouring letters is one edit.
            distance = OSA.distance(typed, spelling, score_cutoff=min(best, limit))
            if distance > limit:
                continue
            if distance < best:
                best, found = distance, dict.fromkeys(tokens)
            elif distance == best:
                found.update(dict.fromkeys(tokens))
        return list(found)[:MAX_CORRECTIONS]


@per_directory_version()
def load_vocabulary(version: str) -> Vocabulary:
    """The vocabulary of the current index, read again when the directory's version changes.

    Only the app writes the index, and each of its writes renews the version.
    """
    return Vocabulary(vocabulary_terms())
