"""Case priority from severity: possible safety issues are urgent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from bot.nlp.safety import assess_safety

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
    finding = assess_safety(description or "", defect_category, component, injury_reported)
    reasons = list(finding.reasons)
    if reasons:
        return Severity("urgent", True, tuple(reasons))
    if defect_category in HIGH_CATEGORIES:
        return Severity("high", False, ("a load-bearing part has failed",))
    if defect_category in LOW_CATEGORIES:
        return Severity("low", False, ("cosmetic or delivery issue",))
    return Severity("normal", False, ())
