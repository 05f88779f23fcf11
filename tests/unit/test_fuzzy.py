"""One-edit spelling correction against the domain vocabulary (bot.nlp.fuzzy.FuzzyIndex)."""

from __future__ import annotations

import time

import pytest

from bot.nlp.fuzzy import FuzzyIndex

VOCABULARY = [
    "stitches",
    "stitching",
    "refund",
    "sneakers",
    "leather",
    "harrogate",
    "yellow",
    "because",
    "defect",
    "faulty",
    "later",
    "laces",
    "cross",
    "email",
    "phone",
    "sandal",
    "sandals",
]


@pytest.fixture(scope="module")
def index() -> FuzzyIndex:
    return FuzzyIndex(VOCABULARY)


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("stiches", "stitches"),  # deletion
        ("refulnd", "refund"),  # insertion
        ("sneakets", "sneakers"),  # substitution
        ("laether", "leather"),  # swap of neighbours
        ("harrogates", "harrogate"),
        ("yellowy", "yellow"),
        ("becuase", "because"),
        ("stitchng", "stitching"),
    ],
)
def test_corrects_one_edit(index: FuzzyIndex, typo: str, expected: str) -> None:
    assert index.correct(typo) == expected


def test_known_words(index: FuzzyIndex) -> None:
    assert index.known("refund")
    assert not index.known("refulnd")
    assert index.correct("refund") == "refund"


@pytest.mark.parametrize(
    "word",
    [
        "decent",  # two edits from "defect": never corrected
        "fully",  # two edits from "faulty"
        "gmail",  # one edit from "email" but a different first letter
        "iphone",  # one edit from "phone" but a different first letter
        "zebra",  # nothing near
    ],
)
def test_unknown_words_are_left_alone(index: FuzzyIndex, word: str) -> None:
    assert index.correct(word) is None


def test_ambiguous_words_are_left_alone() -> None:
    """Two vocabulary words one edit away: no guess."""
    tie = FuzzyIndex(["heeled", "heeler"])
    assert tie.correct("heelex") is None


def test_short_words_are_not_corrected() -> None:
    index = FuzzyIndex(["soles", "sole", "heel"])
    assert index.correct("sol") is None  # shorter than five letters
    assert index.correct("hela") is None
    assert index.correct("soels") == "soles"
    assert FuzzyIndex(["sole"], min_length=4).correct("sold") == "sole"


def test_protected_words_are_not_corrected() -> None:
    index = FuzzyIndex(["cross", "clarks"], protected=["crocs", "Clark"])
    assert index.correct("crocs") is None  # the brand, not a typo of "cross"
    assert index.correct("clark") is None
    assert index.correct("crosss") == "cross"


def test_empty_vocabulary() -> None:
    index = FuzzyIndex([])
    assert not index.known("heel")
    assert index.correct("stiches") is None


def test_fast_enough_for_the_extractor() -> None:
    words = [f"{a}{b}{c}stitch" for a in "abcdefghij" for b in "klmnopqrst" for c in "uvwxyz"]
    start = time.perf_counter()
    index = FuzzyIndex(words)
    built = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(200):
        index.correct("akustich")
    per_call = (time.perf_counter() - start) / 200
    assert built < 2.0
    assert per_call < 0.005
