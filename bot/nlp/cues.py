"""Lexical cue features of a message, for the intent classifier.

The Rasa pipeline's count vectors see words and character n-grams; they do not know that "the
heel" names a part of a shoe, "three weeks ago" is a date or "ORD-10001" is an order code. These
cues come from the same spaCy rules the assistant uses to read complaints (:mod:`bot.nlp.rules`
with no catalogue, so the model does not depend on the database), plus the message's shape: how
long it is, how it starts, whether it asks something. They help most where wording alone is thin:
a short answer to the assistant's question ("the left one, heel") versus a complaint told in full.

:func:`cue_vector` is pure and fast; ``integrations/rasa_nlu/cue_featurizer.py`` feeds it to DIET.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.patterns import find_phone

if TYPE_CHECKING:
    from bot.nlp.rules import RuleExtractor

_TODAY = dt.date(2026, 1, 15)  # dates are only detected, never stored: any fixed day will do
_WORD = re.compile(r"[a-z0-9']+")
_ORDER_LIKE = re.compile(r"\b(?=[a-z0-9/-]*\d)(?=[a-z0-9/-]*[a-z])[a-z0-9]+(?:[/-][a-z0-9]+)+\b|\b\d{5,}\b", re.I)

_LENGTHS = ((1, 1), (2, 2), (3, 3), (4, 5), (6, 8), (9, 14), (15, 25), (26, 10**6))
_OPENERS: dict[str, frozenset[str]] = {
    "open_it": frozenset({"it", "its", "it's", "twas"}),
    "open_article": frozenset({"the", "a", "an", "both", "one", "left", "right"}),
    "open_possessive": frozenset({"my", "mine", "our"}),
    "open_they": frozenset({"they", "they're", "theyre", "them", "these", "those", "this", "that"}),
    "open_subject_i": frozenset({"i", "i've", "ive", "im", "i'm", "we", "we've", "weve"}),
    "open_question": frozenset(
        {"what", "where", "when", "how", "why", "who", "which", "can", "could", "would", "will", "is", "are", "do"}
        | {"does"}
    ),
    "open_yes_no": frozenset({"yes", "yeah", "yep", "yup", "no", "nope", "nah", "ok", "okay", "sure"}),
    "open_greeting": frozenset({"hi", "hello", "hey", "hiya", "morning", "evening", "afternoon", "dear"}),
    "open_filler": frozenset({"just", "only", "erm", "um", "uh", "well", "so", "oh", "ah", "actually", "sorry"}),
}
_NEGATIONS = frozenset({"not", "no", "never", "nothing", "don't", "dont", "didn't", "didnt", "isn't", "isnt", "won't"})

CUE_NAMES: tuple[str, ...] = (
    *(f"tokens_{low}_{high}" if high < 10**6 else f"tokens_{low}_plus" for low, high in _LENGTHS),
    *_OPENERS,
    "question_mark",
    "exclamation",
    "negation",
    "defect",
    "several_defects",
    "component",
    "date",
    "order_like",
    "size",
    "email",
    "phone",
    "case_reference",
    "injury",
    "facts_only",
    "defect_without_component",
)


@lru_cache(maxsize=1)
def _extractor() -> RuleExtractor:
    from bot.nlp.rules import RuleExtractor

    return RuleExtractor([], [])


def cue_vector(text: str) -> list[float]:
    """One 0/1 value per name in :data:`CUE_NAMES` for ``text``."""
    lowered = (text or "").lower().replace("\u2019", "'")
    words = _WORD.findall(lowered)
    found = _extractor().extract(text or "", _TODAY)
    phone = find_phone(text or "")
    # a phone number ("call me on 07700 900123") is not an order code: its digits are left out of that cue
    without_phone = (text or "").replace(phone, " ") if phone else (text or "")
    values: dict[str, bool] = {}
    count = len(words)
    for (low, high), name in zip(_LENGTHS, CUE_NAMES[: len(_LENGTHS)], strict=True):
        values[name] = low <= count <= high
    first = words[0] if words else ""
    for name, openers in _OPENERS.items():
        values[name] = first in openers
    facts = {
        "defect": bool(found.defect_categories),
        "component": bool(found.components),
        "date": bool(found.dates),
        "order_like": bool(found.order_number or _ORDER_LIKE.search(without_phone)),
        "size": bool(found.size),
        "email": bool(found.email),
        "phone": phone is not None,
        "case_reference": bool(found.case_reference),
    }
    values.update(facts)
    values["question_mark"] = "?" in lowered
    values["exclamation"] = "!" in lowered
    values["negation"] = any(w in _NEGATIONS for w in words)
    values["several_defects"] = len(found.defect_categories) > 1
    values["injury"] = found.injury
    # a fragment that only carries facts: "ORD-10001", "size 9, black", "march"
    values["facts_only"] = any(facts.values()) and not facts["defect"] and count <= 6
    values["defect_without_component"] = facts["defect"] and not facts["component"]
    return [1.0 if values[name] else 0.0 for name in CUE_NAMES]
