"""Vocabulary for rule-based understanding of complaints: defect cues, components, colours, sizes.

The words themselves are data, in ``data/lexicon/*.yml`` (read and checked by :mod:`bot.nlp.lexicon`); this module
exposes them under their historical names and types, so importers need not know where they come from.

Phrases are written in plain English; every phrase and every message is normalised the same way before matching
(lower case, lemma, British spelling, plural stripped), so "the heel came off" also matches "heels coming off".
A phrase may contain groups written ``(a|b|)``: each alternative is expanded (:func:`expand`), an empty one means
"optional".
"""

from __future__ import annotations

from typing import Optional

from bot.nlp.lexicon import expand, load_lexicon
from bot.vocabulary import COMPONENTS, DEFECT_CATEGORIES

__all__ = [
    "COMPONENTS",
    "DEFECT_CATEGORIES",
    "DEFECT_CUES",
    "WEAK_DEFECT_CUES",
    "NEUTRAL_PHRASES",
    "PROBLEM_WORDS",
    "COMPONENT_SYNONYMS",
    "COMPONENT_CATEGORY",
    "SURFACE_WORDS",
    "FAILURE_PHRASES",
    "COMPONENT_FAILURE_OVERRIDES",
    "GENERAL_COLOURS",
    "COLOUR_SYNONYMS",
    "COLOUR_GROUPS",
    "COLOUR_MODIFIERS",
    "GENERIC_PRODUCT_WORDS",
    "WORD_ALIASES",
    "PROTECTED_WORDS",
    "NEGATIONS",
    "LETTER_SIZES",
    "SIZE_WORDS",
    "SIZE_SYSTEMS",
    "expand",
]

_LEXICON = load_lexicon()

# defects.yml: strong cues weigh 2 plus 0.5 per extra word (capped at 4), weak cues weigh 1.
DEFECT_CUES: dict[str, tuple[str, ...]] = _LEXICON.defect_cues
WEAK_DEFECT_CUES: dict[str, tuple[str, ...]] = _LEXICON.weak_defect_cues
NEUTRAL_PHRASES: tuple[str, ...] = _LEXICON.neutral_phrases
PROBLEM_WORDS: tuple[str, ...] = _LEXICON.problem_words

# components.yml
COMPONENT_SYNONYMS: dict[str, tuple[str, ...]] = _LEXICON.component_synonyms
COMPONENT_CATEGORY: dict[str, str] = _LEXICON.component_category
SURFACE_WORDS: tuple[str, ...] = _LEXICON.surface_words
FAILURE_PHRASES: dict[str, tuple[str, ...]] = _LEXICON.failure_phrases
# (component or "surface", failure kind) -> category when it differs from COMPONENT_CATEGORY (None: no defect).
COMPONENT_FAILURE_OVERRIDES: dict[tuple[str, str], Optional[str]] = _LEXICON.component_failure_overrides

# colours.yml
GENERAL_COLOURS: tuple[str, ...] = _LEXICON.general_colours
COLOUR_SYNONYMS: dict[str, str] = _LEXICON.colour_synonyms
COLOUR_GROUPS: tuple[frozenset[str], ...] = _LEXICON.colour_groups
COLOUR_MODIFIERS: tuple[str, ...] = _LEXICON.colour_modifiers

# products.yml
GENERIC_PRODUCT_WORDS: frozenset[str] = _LEXICON.generic_product_words

# words.yml
WORD_ALIASES: dict[str, str] = _LEXICON.word_aliases
PROTECTED_WORDS: frozenset[str] = _LEXICON.protected_words
NEGATIONS: frozenset[str] = _LEXICON.negations

# sizes.yml
LETTER_SIZES: dict[str, str] = _LEXICON.letter_sizes
SIZE_WORDS: dict[str, int] = _LEXICON.size_words
SIZE_SYSTEMS: dict[str, tuple[float, float]] = _LEXICON.size_systems
