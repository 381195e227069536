"""The index's vocabulary: is a word anywhere in the index, the words a word being typed can
become, and the nearest words to a typo.  Read from the database once per directory version.
"""
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz.distance import OSA
from sqlalchemy import select, text

from app.extensions import db
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
# A word typed without ä and ö is no typo of the dotted word: "syopa" is "syöpä" at no distance.
UNDOTTED = str.maketrans("äöå", "aoa")
DOTTED = re.compile("[äöå]")
MAX_CORRECTIONS = 5


class Vocabulary:
    """The indexed terms, for telling whether a word matches anything and for typo corrections."""

    def __init__(self, terms: Iterable[str]):
        self.terms = frozenset(terms)
        self._sorted = sorted(self.terms)
        # The terms with ä, ö or å under their undotted spelling, for a word typed without them.
        self._undotted = sorted((term.translate(UNDOTTED), term) for term in self._sorted if DOTTED.search(term))
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for term in self._sorted:
            if not OPAQUE_TOKEN.fullmatch(term):
                self._by_length[len(term)].append(term)

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
        found = []
        for term in self._sorted[bisect_left(self._sorted, prefix):]:
            if not term.startswith(prefix):
                break
            if len(found) == limit:
                return None
            found.append(term)
        if DOTTED.search(prefix):
            return found
        for undotted, term in self._undotted[bisect_left(self._undotted, (prefix,)):]:
            if not undotted.startswith(prefix):
                break
            if len(found) == limit:
                return None
            found.append(term)
        return found

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
        lengths = range(len(word) - limit, len(word) + limit + 1)
        candidates = [(term, (term,)) for n in lengths for term in self._by_length.get(n, ())]
        candidates += [(other, tokens) for other, tokens in sorted(extra.items()) if len(other) in lengths]
        for candidate, tokens in candidates:
            # Optimal string alignment: a swap of two neighbouring letters is one edit.
            distance = OSA.distance(
                word.translate(UNDOTTED), candidate.translate(UNDOTTED), score_cutoff=min(best, limit)
            )
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
