"""Codes (order numbers, SKUs) found in raw text, tolerant of case, "-", "/" and spaces."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional

_RUN = re.compile(r"[A-Za-z0-9]+")
_CODE_SEPARATOR = re.compile(r"\s?[-/\\_.]\s?|\s|\s?#\s?")


@dataclass(frozen=True)
class CodeMatch:
    """A code found in text: its span and canonical form."""

    start: int
    end: int
    code: str


class CodeIndex:
    """Find any of a fixed set of codes in text; match on letters and digits, with separators optional.

    A code is stored under its letters and digits in upper case ("ORD-10023" -> "ORD10023"). In text, a code may
    be split by "-", "/", a space, etc. only where the canonical code has a separator or changes between letters
    and digits, so "ord 10023" finds ORD-10023 but "773 4219" does not find 7734219. Matches always cover whole
    alphanumeric runs, so a code is never found inside a longer number or word.
    """

    def __init__(self, codes: Iterable[str]) -> None:
        self._codes: dict[str, tuple[str, frozenset[int]]] = {}
        self._max_parts = 1
        self._max_len = 0
        for code in codes:
            code = code.strip()
            key = "".join(_RUN.findall(code)).upper()
            if not key or key in self._codes:
                continue
            allowed = self._boundaries(code)
            self._codes[key] = (code, allowed)
            self._max_parts = max(self._max_parts, len(allowed) + 1)
            self._max_len = max(self._max_len, len(key))
        self._max_parts = min(self._max_parts, 12)

    @staticmethod
    def _boundaries(code: str) -> frozenset[int]:
        allowed: set[int] = set()
        offset = 0
        previous = ""
        for char in code:
            if char.isalnum():
                if previous and (previous.isalpha() != char.isalpha()):
                    allowed.add(offset)
                previous = char
                offset += 1
            elif offset:
                allowed.add(offset)
                previous = ""
        return frozenset(allowed)

    def __len__(self) -> int:
        return len(self._codes)

    def find(self, text: str) -> list[CodeMatch]:
        """Every code found in ``text``, longest at each position, in text order, never overlapping."""
        if not self._codes:
            return []
        runs = [(m.start(), m.end(), m.group().upper()) for m in _RUN.finditer(text)]
        found: list[CodeMatch] = []
        i = 0
        while i < len(runs):
            key = ""
            splits: list[int] = []
            best: Optional[tuple[int, str]] = None
            for j in range(i, min(i + self._max_parts, len(runs))):
                if j > i:
                    gap = text[runs[j - 1][1] : runs[j][0]]
                    if not _CODE_SEPARATOR.fullmatch(gap):
                        break
                    splits.append(len(key))
                key += runs[j][2]
                if len(key) > self._max_len:
                    break
                entry = self._codes.get(key)
                if entry is not None and all(s in entry[1] for s in splits):
                    best = (j, entry[0])
            if best is None:
                i += 1
                continue
            j, code = best
            found.append(CodeMatch(runs[i][0], runs[j][1], code))
            i = j + 1
        return found
