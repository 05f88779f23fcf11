"""The one safety detector: whether a complaint suggests someone was, or could be, hurt.

Used for a case's priority (``bot.cases.priority``) and by the conversation (``bot.conversation.dialogue``) and the
extractor, so "luckily no one got hurt" is never urgent in one place and safe in another. Negated ("no one was
hurt", "not dangerous") and hypothetical ("could have been hurt" counts as a risk only through the failure itself)
mentions are not injuries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from bot.patterns import NEGATED_BEFORE

__all__ = ["SafetyFinding", "assess_safety", "injury_mentioned"]

INJURY = re.compile(
    r"\b(?:injur(?:y|ies|ed|ing|e)"
    r"|hurt\s+(?:myself|herself|himself|themselves|ourselves|(?:my|her|his|their|our)\s+(?:ankle|ankles|knee|knees|"
    r"back|wrist|leg|legs|hip|head|neck|shoulder|arm|hand|face|foot))"
    r"|(?:got|was|been|get|getting|were|am|is|are)\s+(?:badly\s+|quite\s+|really\s+|seriously\s+)?hurt"
    r"|(?:i|she|he|they|we|me|and|nearly|almost|then|had)\s+(?:nearly\s+|almost\s+)?(?:fell|fallen)\b"
    r"(?!\s+(?:off|apart|out|in\s+love|asleep|through|to\s+pieces|to\s+bits|away))"
    r"|fell\s+(?:over|down|flat|badly|hard|heavily|on\s+(?:my|her|his)\s+\w+|down\s+the\s+stairs)"
    r"|(?:had|took|suffered)\s+a\s+(?:nasty\s+|bad\s+|serious\s+|)(?:fall|tumble)"
    r"|fall(?:ing)?\s+over|tripp(?:ed|ing)|(?:i|she|he|they|we|nearly|almost)\s+slipped|slipped\s+(?:over|on)"
    r"|sprain(?:ed|ing|s)?|twist(?:ed|ing)\s+(?:my|her|his|their)\s+ankle"
    r"|(?:rolled|went\s+over\s+on)\s+(?:my|her|his|their)\s+ankle"
    r"|broke\s+(?:my|her|his|their)\s+(?:ankle|wrist|leg|arm|toe|foot|hip|nose|finger|elbow|knee)"
    r"|fractur\w*|bleed(?:ing|s)?|bled|blood"
    r"|cut\s+(?:my|her|his|their)\s+(?:foot|feet|toe|toes|heel|ankle|leg|hand|finger)"
    r"|bruis\w*|concussion|(?:went|go|going|taken|ended\s+up|admitted|rushed)\s+(?:to|in)\s+(?:the\s+)?(?:hospital|a\s*&\s*e)"
    r"|in\s+hospital|a\s*&\s*e\b|physio\w*|allergic\s+reaction|skin\s+reaction|dermatitis|chemical\s+burn|burn(?:ed|t)\s+my"
    r"|rash)\b",
    re.IGNORECASE,
)
_HYPOTHETICAL = re.compile(
    r"\b(?:could|might|would|may|will|can|could\s+easily|going\s+to|gonna)\s+(?:have\s+)?(?:been\s+|got\s+|get\s+|"
    r"be\s+|cause\s+(?:a\s+)?|lead\s+to\s+(?:a\s+)?|result\s+in\s+(?:a\s+)?)?(?:\w+\s+){0,1}$",
    re.IGNORECASE,
)
_DYE_BEFORE = re.compile(r"\b(?:dye|dyes|colour|color|ink|stain)\w*\s+(?:\w+\s+){0,2}$", re.IGNORECASE)

_DANGER = re.compile(r"\b(?:dangerous|unsafe|hazard(?:ous)?|safety\s+(?:risk|hazard|issue|concern))\b", re.IGNORECASE)
_WHILE_MOVING = re.compile(
    r"\b(while|when|whilst|as) (?:i was |she was |he was |they were |we were |i |she |he |we )?"
    r"(walk\w*|running|run|ran|climb\w*|going down|going up|on the stairs|down the stairs|up the stairs|stepping|"
    r"hiking|driving|at work|on a ladder|crossing)\b",
    re.IGNORECASE,
)
_SUDDEN_FAILURE = re.compile(
    r"\b(snapp?ed|came (?:clean |right |straight )?off|fell off|broke off|gave way|collapsed|detached|sheared|"
    r"split in (?:two|half))\b",
    re.IGNORECASE,
)
_SAFETY_FOOTWEAR = re.compile(r"\b(steel[- ]?toe\w*|toe ?cap|safety (?:boot|shoe)s?|composite toe)\b", re.IGNORECASE)
_SAFETY_FOOTWEAR_FAULT = re.compile(
    r"\b(crack\w*|dent\w*|crush\w*|split\w*|broke\w*|broken|expos\w*|poking|loose)\b", re.IGNORECASE
)
LOAD_BEARING_CATEGORIES = frozenset({"heel_detachment", "sole_separation"})


def _negated_before(text: str, start: int) -> bool:
    before = text[max(0, start - 40) : start]
    return bool(NEGATED_BEFORE.search(before))


def injury_mentioned(text: str) -> bool:
    """True when the text says someone was hurt (not when it says nobody was, or only that someone could be)."""
    for m in INJURY.finditer(text or ""):
        before = text[max(0, m.start() - 40) : m.start()]
        if NEGATED_BEFORE.search(before) or _HYPOTHETICAL.search(before):
            continue
        word = m.group().lower()
        if word.startswith(("bleed", "bled", "blood")) and _DYE_BEFORE.search(before):
            continue
        return True
    return False


@dataclass(frozen=True)
class SafetyFinding:
    """Whether a complaint is a possible safety issue, and why."""

    safety_issue: bool
    injury: bool
    reasons: tuple[str, ...]


def assess_safety(
    text: str,
    defect_category: Optional[str] = None,
    component: Optional[str] = None,
    injury_reported: Optional[bool] = None,
) -> SafetyFinding:
    """Every reason the complaint could be a safety issue (empty when there is none)."""
    text = text or ""
    reasons: list[str] = []
    injury = bool(injury_reported) or injury_mentioned(text)
    if injury_reported:
        reasons.append("the customer reported an injury")
    elif injury:
        reasons.append("the description mentions harm")
    if any(not _negated_before(text, m.start()) for m in _DANGER.finditer(text)):
        reasons.append("the customer calls it dangerous")
    load_bearing = defect_category in LOAD_BEARING_CATEGORIES or (component or "") in {"heel", "sole"}
    if load_bearing and _SUDDEN_FAILURE.search(text) and _WHILE_MOVING.search(text):
        reasons.append("a heel or sole failed while being worn")
    if _SAFETY_FOOTWEAR.search(text) and _SAFETY_FOOTWEAR_FAULT.search(text):
        reasons.append("a protective (steel or composite) toe is defective")
    return SafetyFinding(bool(reasons), injury, tuple(reasons))
