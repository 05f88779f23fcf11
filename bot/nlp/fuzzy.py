"""One-edit spelling correction against a closed vocabulary."""

from __future__ import annotations

from typing import Iterable, Optional


class FuzzyIndex:
    """One-edit spelling correction against a closed vocabulary (symmetric delete index)."""

    def __init__(self, words: Iterable[str]) -> None:
        self._words: set[str] = set(words)
        self._deletes: dict[str, set[str]] = {}
        for word in self._words:
            for variant in self._variants(word):
                self._deletes.setdefault(variant, set()).add(word)

    @staticmethod
    def _variants(word: str) -> set[str]:
        return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}

    def known(self, word: str) -> bool:
        """True if ``word`` is in the vocabulary."""
        return word in self._words

    def correct(self, word: str) -> Optional[str]:
        """The single vocabulary word within one edit (insert, delete, substitute, swap) of ``word``, or None."""
        candidates: set[str] = set()
        for variant in self._variants(word):
            candidates.update(self._deletes.get(variant, ()))
        candidates = {c for c in candidates if c[0] == word[0] and _within_one_edit(word, c)}
        return candidates.pop() if len(candidates) == 1 else None


def _within_one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))
