"""Helpers on spans: character spans of the raw text and token spans of phrase matches."""

from __future__ import annotations

from typing import Iterable

__all__ = ["PhraseSpan", "longest_first", "overlaps"]

PhraseSpan = tuple[int, int, str]
"""A phrase match: first token, end token (exclusive), matcher key."""


def overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    """True when ``[start, end)`` overlaps any of ``spans``."""
    return any(start < e and s < end for s, e in spans)


def longest_first(spans: list[PhraseSpan]) -> list[PhraseSpan]:
    """Non-overlapping spans, longest first, then earliest; returned in text order."""
    chosen: list[PhraseSpan] = []
    taken: set[int] = set()
    for span in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        if any(i in taken for i in range(span[0], span[1])):
            continue
        chosen.append(span)
        taken.update(range(span[0], span[1]))
    return sorted(chosen)
