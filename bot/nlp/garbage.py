"""Noise detection: a message with no word in it ("65", "?", "😀😀", "asdfgh") gets no confident intent.

A message is noise when none of its alphabetic tokens is an English word (spaCy's lemma table, from
spacy-lookups-data), a word of the assistant's own vocabulary, or a known text-speak form
(``data/lexicon/text_speak.yml``), and it holds no code-like token (letters and digits mixed, such as an order
number or a case reference) and no e-mail address. Such a message goes to the fallback: inside the complaint form
the form still reads it (a bare "65" can answer "which size?"), outside it the assistant asks what was meant.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from bot.patterns import EMAIL

__all__ = ["is_noise", "known_words"]

_TEXT_SPEAK = Path(__file__).resolve().parents[2] / "data" / "lexicon" / "text_speak.yml"
_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?|\d+|\S", re.UNICODE)
_CODE = re.compile(r"\b(?=[A-Za-z/-]*\d)(?=[\d/-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9/-]{2,}\b")


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """English word forms, the assistant's vocabulary and text-speak (lower case)."""
    words: set[str] = set()
    try:
        from spacy.lookups import load_lookups

        table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        words.update(str(value).lower() for value in table.values())
    except (ValueError, KeyError, ImportError, OSError):  # pragma: no cover - lookups data not installed
        pass
    try:
        import spacy

        words.update(spacy.blank("en").Defaults.stop_words)
    except ImportError:  # pragma: no cover
        pass
    from bot.nlp import vocab

    for phrases in list(vocab.DEFECT_CUES.values()) + list(vocab.COMPONENT_SYNONYMS.values()):
        for phrase in phrases:
            for expanded in vocab.expand(phrase):
                words.update(w for w in re.findall(r"[a-z]+", expanded.lower()))
    data = yaml.safe_load(_TEXT_SPEAK.read_text(encoding="utf-8")) or {}
    words.update(str(w).lower() for w in data.get("words", []))
    return frozenset(words)


@lru_cache(maxsize=1)
def _word_forms() -> object:
    """SpaCy's English lemma table: every inflected form it knows is a key (looked up by string)."""
    try:
        from spacy.lookups import load_lookups

        return load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
    except (ValueError, KeyError, ImportError, OSError):  # pragma: no cover - lookups data not installed
        return {}


def _known(token: str) -> bool:
    return token in known_words() or token in _word_forms()  # type: ignore[operator]


def is_noise(text: str) -> bool:
    """True when the message carries no word the assistant could understand (see module docs)."""
    text = (text or "").strip()
    if not text:
        return True
    if _CODE.search(text) or EMAIL.search(text):
        return False
    for token in _TOKEN.findall(text.lower()):
        if token.replace("'", "").isalpha() and (_known(token) or _known(token.replace("'", ""))):
            return False
        if "'" in token and _known(token.split("'")[0]):
            return False
    return True
