"""Rule-based understanding of complaint text, built from the catalogue at run time (no training needed).

``bot.nlp.extraction`` imports spaCy, which is slow to import; the names below are loaded on first use so that
``bot.nlp.dates`` and ``bot.nlp.vocab`` stay cheap to import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.nlp.dates import DateMention, find_dates, resolve_date
    from bot.nlp.extraction import CatalogueEntry, Extraction, Extractor, analyse_lines, normalise_size

__all__ = [
    "CatalogueEntry",
    "DateMention",
    "Extraction",
    "Extractor",
    "analyse_lines",
    "find_dates",
    "normalise_size",
    "resolve_date",
]

_HOMES = {
    "CatalogueEntry": "bot.nlp.extraction",
    "Extraction": "bot.nlp.extraction",
    "Extractor": "bot.nlp.extraction",
    "analyse_lines": "bot.nlp.extraction",
    "normalise_size": "bot.nlp.extraction",
    "DateMention": "bot.nlp.dates",
    "find_dates": "bot.nlp.dates",
    "resolve_date": "bot.nlp.dates",
}


def __getattr__(name: str) -> Any:
    """Import public names lazily (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
