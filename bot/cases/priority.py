"""Case priority from severity: possible safety issues are urgent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

_INJURY = re.compile(
    r"\b(injur\w*|(?:got|was|been|i|she|he) hurt|hurt (?:my|her|his|their) (?:ankle|knee|back|wrist|leg|hip|head)|"
    r"(?:i|she|he|they|we|nearly|almost) fell|fell (?:over|down)|had a fall|"
    r"falling over|tripped|tripping|(?:i|she|he) slipped|slipped (?:over|on)|sprain\w*|"
    r"twist\w* (?:my|her|his|their) ankle|broke (?:my|her|his) \w+|bleed\w*|blood|cut (?:my|her|his) \w+|"
    r"a&e|hospital|bruis\w*|burns?|burned|burnt|rash|allergic reaction|dangerous|unsafe)\b",
    re.IGNORECASE,
)
_WHILE_MOVING = re.compile(
    r"\b(while|when|whilst|as) (?:i was |she was |he was |they were |we were )?"
    r"(walk\w*|running|run|climb\w*|going down|going up|on the stairs|stepping|hiking|driving|at work)\b",
    re.IGNORECASE,
)
_SUDDEN_FAILURE = re.compile(
    r"\b(snapp?ed|came (?:clean )?off|fell off|broke off|gave way|collapsed|detached|sheared|split in (?:two|half))\b",
    re.IGNORECASE,
)
_SAFETY_FOOTWEAR = re.compile(r"\b(steel[- ]?toe\w*|toe ?cap|safety (?:boot|shoe)s?|composite toe)\b", re.IGNORECASE)
_SAFETY_FOOTWEAR_FAULT = re.compile(
    r"\b(crack\w*|dent\w*|crush\w*|split\w*|broke\w*|broken|expos\w*|poking|loose)\b", re.IGNORECASE
)

HIGH_CATEGORIES = frozenset({"heel_detachment", "sole_separation"})
LOW_CATEGORIES = frozenset({"colour_mismatch", "odour_or_stain"})


@dataclass(frozen=True)
class Severity:
    """The assessed priority and whether the case is a possible safety issue."""

    priority: str
    safety_issue: bool
    reasons: tuple[str, ...]


def assess_severity(
    description: str,
    defect_category: Optional[str] = None,
    component: Optional[str] = None,
    injury_reported: Optional[bool] = None,
) -> Severity:
    """Decide a case's priority from what the customer told us."""
    text = description or ""
    reasons: list[str] = []
    if injury_reported:
        reasons.append("the customer reported an injury")
    if _INJURY.search(text):
        reasons.append("the description mentions harm or danger")
    load_bearing = defect_category in HIGH_CATEGORIES or (component or "") in {"heel", "sole"}
    if load_bearing and _SUDDEN_FAILURE.search(text) and _WHILE_MOVING.search(text):
        reasons.append("a heel or sole failed while being worn")
    if _SAFETY_FOOTWEAR.search(text) and _SAFETY_FOOTWEAR_FAULT.search(text):
        reasons.append("a protective (steel or composite) toe is defective")
    if reasons:
        return Severity("urgent", True, tuple(reasons))
    if defect_category in HIGH_CATEGORIES:
        return Severity("high", False, ("a load-bearing part has failed",))
    if defect_category in LOW_CATEGORIES:
        return Severity("low", False, ("cosmetic or delivery issue",))
    return Severity("normal", False, ())


def is_possible_safety_issue(
    description: str, defect_category: Optional[str] = None, component: Optional[str] = None
) -> bool:
    """True when the text alone suggests someone could be, or was, hurt."""
    return assess_severity(description, defect_category, component).safety_issue
