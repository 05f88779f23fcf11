"""Shared text resources for the recognisers: the blank spaCy pipeline, token normalisation, the lexicon's phrases.

Every vocabulary phrase and every message is normalised the same way (lower case, alias, lemma or plural stripping,
British spelling; one-edit typo correction against the domain vocabulary for messages), and the phrase matchers
compare the normalised forms (the token NORM attribute).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping, Optional

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from bot.nlp import vocab
from bot.nlp.fuzzy import FuzzyIndex

__all__ = [
    "AddPhrases",
    "Normaliser",
    "Resources",
    "StaticVocabulary",
    "base_form",
    "norm_doc",
    "norm_word",
    "phrase_norms",
    "resources",
    "static_vocabulary",
]

AddPhrases = Callable[[str, Iterable[tuple[str, ...]]], None]
"""Registers normalised phrases under a key of the shared phrase matcher."""


@dataclass(frozen=True)
class Resources:
    """The blank English pipeline, its lemma table and every known English word form (read-only, shared)."""

    nlp: Language
    lemmas: Mapping[Any, str]
    known_words: frozenset[str]


@lru_cache(maxsize=1)
def resources() -> Resources:
    """The cached blank English pipeline plus its lemma lookup table (from spacy-lookups-data, when installed)."""
    nlp = spacy.blank("en")
    lemmas: Mapping[Any, str] = {}
    known: set[str] = set(nlp.Defaults.stop_words)
    try:
        from spacy.lookups import load_lookups

        table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        lemmas = table
        known.update(str(v).lower() for v in table.values())
    except (ValueError, KeyError, ImportError, OSError):  # pragma: no cover - lookups data not installed
        pass
    return Resources(nlp=nlp, lemmas=lemmas, known_words=frozenset(known))


def strip_plural(word: str) -> str:
    """Drop an English plural ending ("heels" -> "heel", "buckles" -> "buckle"); short words are kept."""
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is", "'s")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    return word[:-1]


def norm_word(word: str, res: Resources) -> str:
    """Normalise one lower-case word: alias, lemma (or plural stripping), then alias again."""
    w = vocab.WORD_ALIASES.get(word, word)
    if w in vocab.PROTECTED_WORDS:
        return w
    lemma = res.lemmas.get(w) if res.lemmas else None
    w = str(lemma).lower() if lemma else strip_plural(w)
    return vocab.WORD_ALIASES.get(w, w)


def phrase_norms(text: str, res: Resources, memo: Optional[dict[str, tuple[str, ...]]] = None) -> tuple[str, ...]:
    """Normalised token sequence of a vocabulary phrase.

    The tokenizer treats each whitespace-separated chunk on its own, so chunks can be memoised in ``memo``.
    """
    if memo is None:
        doc = res.nlp.make_doc(text.replace("\u2019", "'"))
        return tuple(norm_word(base_form(tok.lower_, tok.norm_), res) for tok in doc if not tok.is_space)
    norms: list[str] = []
    for chunk in text.split():
        found = memo.get(chunk)
        if found is None:
            found = memo[chunk] = phrase_norms(chunk, res)
        norms.extend(found)
    return tuple(norms)


def base_form(lower: str, norm: str) -> str:
    """Prefer the tokenizer's own norm for contractions ("n't" -> "not", "wo" -> "will")."""
    return norm if norm != lower and norm.isalpha() else lower


@dataclass(frozen=True)
class StaticVocabulary:
    """The lexicon's phrases, normalised, as (matcher key, phrases) pairs; and every word they use."""

    phrases: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]
    words: frozenset[str]


@lru_cache(maxsize=1)
def static_vocabulary() -> StaticVocabulary:
    """Every fixed vocabulary phrase, normalised once, grouped by matcher key; plus every word they use."""
    res = resources()
    groups: dict[str, set[tuple[str, ...]]] = {}
    words: set[str] = set()

    def add(key: str, phrases: Iterable[str]) -> None:
        bucket = groups.setdefault(key, set())
        for phrase in phrases:
            for variant in vocab.expand(phrase):
                words.update(w for w in re.findall(r"[a-z]+", variant.lower()))
                norms = phrase_norms(variant, res)
                if norms:
                    bucket.add(norms)

    for category, cues in vocab.DEFECT_CUES.items():
        add(f"CUE|{category}|strong", cues)
    for category, cues in vocab.WEAK_DEFECT_CUES.items():
        add(f"CUE|{category}|weak", cues)
    add("NEUTRAL", vocab.NEUTRAL_PHRASES)
    for kind, phrases in vocab.FAILURE_PHRASES.items():
        add(f"FAIL|{kind}", phrases)
    for component, synonyms in vocab.COMPONENT_SYNONYMS.items():
        add(f"COMP|{component}", synonyms)
    add("SURF|SURF", vocab.SURFACE_WORDS)
    add("PROBLEM", vocab.PROBLEM_WORDS)
    for alias, target in vocab.WORD_ALIASES.items():  # known variants are good targets for typo correction too
        words.update(w for w in (alias, target) if w.isalpha() and len(w) >= 5)
    grouped = tuple((key, tuple(sorted(found))) for key, found in sorted(groups.items()))
    return StaticVocabulary(grouped, frozenset(words))


def norm_doc(vocab_: Any, norms: tuple[str, ...]) -> Doc:
    """A pattern doc whose tokens' NORM is the given normalised words (lexeme NORM is the lower-case form)."""
    doc = Doc(vocab_, words=list(norms))
    for tok, norm in zip(doc, norms, strict=True):
        if tok.norm_ != norm:
            tok.norm_ = norm
    return doc


class Normaliser:
    """Sets each token's NORM to its normalised form, correcting one-edit typos against the domain words."""

    def __init__(self, res: Resources, domain_words: Iterable[str]) -> None:
        """``domain_words``: the words typos are corrected to (only alphabetic words of 5+ letters are used)."""
        self._res = res
        self._fuzzy = FuzzyIndex(w for w in domain_words if len(w) >= 5 and w.isalpha())

    def __call__(self, doc: Doc) -> set[int]:
        """Set each token's NORM to its normalised form; return indices of typo-corrected tokens."""
        corrected: set[int] = set()
        res = self._res
        for tok in doc:
            if tok.is_space:
                continue
            lower = tok.lower_
            base = base_form(lower, tok.norm_)
            if (
                5 <= len(lower) <= 24
                and lower.isalpha()
                and lower not in vocab.WORD_ALIASES
                and lower not in res.known_words
                and lower not in res.lemmas
                and not self._fuzzy.known(lower)
            ):
                fixed = self._fuzzy.correct(lower)
                if fixed is not None:
                    base = fixed
                    corrected.add(tok.i)
            tok.norm_ = norm_word(base, res)
        return corrected
