"""The purchase date: the first past date tied to buying ("bought them on 3 March"), not to delivery or a failure."""

from __future__ import annotations

import datetime as dt
import re
from typing import Optional

from bot.nlp.dates import DateMention

__all__ = ["find_purchase_date"]

_PURCHASE_CUE = re.compile(
    r"\b(?:bought|buy|buying|purchas\w*|order(?:ed|s)?|got\s+(?:them|it|these|this|those)|paid|pre-?ordered|"
    r"(?:had|owned|have\s+had)\s+(?:them|it|these|those|the|my)\b(?:\s+\w+){0,3}?|gift(?:ed)?|present|birthday|christmas\s+present)\b",
    re.IGNORECASE,
)
_DELIVERY_CUE = re.compile(
    r"\b(?:arriv\w*|deliver\w*|received|came\s+(?:in|through)|turned\s+up|dispatch\w*|shipped|sent|was\s+due|"
    r"got\s+(?:my|the|our)\s+(?:order|parcel|delivery|package|boots|shoes|trainers)|"
    r"expected|tracking)\b",
    re.IGNORECASE,
)
_EVENT_CUE = re.compile(
    r"\b(?:broke|broken|snapped|came\s+(?:off|apart|away|loose|undone)|fell\s+(?:off|apart)|start(?:ed|ing)|noticed|"
    r"split|peel\w*|happened|wore|worn|wearing|first\s+wear|appeared|cracked|ripped|tore|gave\s+way|failed|"
    r"complain\w*|contacted|emailed|called|rang|wrote|returned|tripped|fell)\b",
    re.IGNORECASE,
)
_SENTENCE_BREAK = re.compile(r"[.!?;\n]")


def find_purchase_date(text: str, mentions: list[DateMention], today: dt.date) -> Optional[str]:
    """The first date tied to buying (nearest cue before it in its sentence, else just after it)."""
    for mention in mentions:
        if mention.date > today:
            continue
        sentence_start = max((m.end() for m in _SENTENCE_BREAK.finditer(text, 0, mention.start)), default=0)
        after_break = _SENTENCE_BREAK.search(text, mention.end)
        sentence_end = after_break.start() if after_break else len(text)
        before = text[max(sentence_start, mention.start - 80) : mention.start]
        after = text[mention.end : min(sentence_end, mention.end + 40)]
        kind = _nearest_cue(before, from_end=True) or _nearest_cue(after, from_end=False)
        if kind == "purchase":
            return mention.date.isoformat()
    return None


def _nearest_cue(window: str, from_end: bool) -> Optional[str]:
    """Kind of the cue nearest to the date: "purchase", "delivery", "event" or None."""
    best: Optional[tuple[int, str]] = None
    for kind, pattern in (("delivery", _DELIVERY_CUE), ("purchase", _PURCHASE_CUE), ("event", _EVENT_CUE)):
        for m in pattern.finditer(window):
            distance = len(window) - m.end() if from_end else m.start()
            if best is None or distance < best[0]:
                best = (distance, kind)
    return best[1] if best else None
