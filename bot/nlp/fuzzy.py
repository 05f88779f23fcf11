"""One-edit spelling correction against a closed vocabulary.

The index is symspellpy's symmetric-delete ``SymSpell`` (Damerau optimal-string-alignment distance: one insertion,
deletion, substitution or swap of neighbours) built from the domain vocabulary alone; symspellpy's bundled English
frequency dictionary is not loaded. On top of the library's lookup we keep the rules that made our own corrector
precise (benchmarks/spelling_dates.py, benchmarks/RESULTS.md "Spelling correction and relative dates"):

- at most one edit (two edits turned "decent" into "defect" and "fully" into "faulty" on real messages);
- the correction starts with the same letter as the word;
- exactly one vocabulary word is that close, otherwise no correction (a guess between two is worse than none);
- words shorter than ``min_length`` letters, and ``protected`` words, are never corrected.
"""

from __future__ import annotations

from typing import Iterable, Optional

from symspellpy import SymSpell, Verbosity

__all__ = ["FuzzyIndex"]

MAX_EDITS = 1


class FuzzyIndex:
    """One-edit spelling correction against a closed vocabulary (symspellpy's symmetric delete index)."""

    BACKEND = "symspellpy, one edit, same first letter, unique"

    def __init__(self, words: Iterable[str], *, min_length: int = 5, protected: Iterable[str] = ()) -> None:
        """Index ``words``; queries shorter than ``min_length`` or in ``protected`` are never corrected."""
        self._words: set[str] = {w for w in words if w}
        self._min_length = min_length
        self._protected: frozenset[str] = frozenset(p.lower() for p in protected)
        longest = max((len(w) for w in self._words), default=0)
        # A prefix as long as the longest word: every delete is indexed, so lookups are exact, not prefix-pruned.
        self._index = SymSpell(max_dictionary_edit_distance=MAX_EDITS, prefix_length=max(longest, MAX_EDITS + 1))
        for word in sorted(self._words):
            self._index.create_dictionary_entry(word, 1)

    def known(self, word: str) -> bool:
        """True if ``word`` is in the vocabulary."""
        return word in self._words

    def correct(self, word: str) -> Optional[str]:
        """The single vocabulary word within one edit (insert, delete, substitute, swap) of ``word``, or None.

        A vocabulary word is returned unchanged; short, protected and unknown-beyond-one-edit words give None.
        """
        if word in self._words:
            return word
        if not word or len(word) < self._min_length or word.lower() in self._protected:
            return None
        found = self._index.lookup(word, Verbosity.ALL, max_edit_distance=MAX_EDITS)
        candidates = {s.term for s in found if s.term[0] == word[0]}
        return candidates.pop() if len(candidates) == 1 else None
