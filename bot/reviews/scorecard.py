"""The review scorecard: criteria by Listen / Understand / Resolve / Confirm stage, values, stage scores.

Pure functions only: pre-filling from a conversation is :mod:`bot.reviews.prefill`, saving is
:mod:`bot.reviews.saving`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

STAGES = ("Listen", "Understand", "Resolve", "Confirm")
MET, NOT_MET, NOT_APPLICABLE = "met", "not_met", "na"
VALUES = (MET, NOT_MET, NOT_APPLICABLE)
VALUE_LABELS = {MET: "met", NOT_MET: "not met", NOT_APPLICABLE: "n.a."}


@dataclass(frozen=True)
class Criterion:
    """One line of the scorecard."""

    id: str
    stage: str
    label: str


CRITERIA: tuple[Criterion, ...] = (
    Criterion("listen.acknowledged", "Listen", "Acknowledged the problem"),
    Criterion("listen.empathised", "Listen", "Empathised"),
    Criterion("listen.apologised", "Listen", "Apologised"),
    Criterion("listen.ownership", "Listen", "Took ownership"),
    Criterion("understand.facts_complete", "Understand", "Facts complete"),
    Criterion("understand.read_back", "Understand", "Read the facts back"),
    Criterion("understand.corrections_taken", "Understand", "Corrections taken"),
    Criterion("resolve.offer_matches_policy", "Resolve", "Offer matches the policy and the customer's rights"),
    Criterion("resolve.reason_given", "Resolve", "Reason given for the offer"),
    Criterion("confirm.accepted", "Confirm", "Customer accepted the resolution"),
    Criterion("confirm.reference", "Confirm", "Case reference given"),
    Criterion("confirm.next_steps", "Confirm", "Next steps explained"),
    Criterion("confirm.follow_up", "Confirm", "Follow-up arranged"),
)
CRITERIA_BY_ID: dict[str, Criterion] = {c.id: c for c in CRITERIA}


class ScorecardError(ValueError):
    """Scores that do not fit the scorecard."""


def label_of(criterion_id: str) -> str:
    """The label of a criterion id (the id itself for one no longer on the scorecard)."""
    criterion = CRITERIA_BY_ID.get(criterion_id)
    return criterion.label if criterion is not None else criterion_id


def check_scores(scores: Mapping[str, Any]) -> dict[str, str]:
    """Every criterion with a valid value; raises :class:`ScorecardError` naming an unknown id or value."""
    unknown = sorted(set(scores) - set(CRITERIA_BY_ID))
    if unknown:
        raise ScorecardError(f"unknown criteria: {', '.join(unknown)}")
    checked: dict[str, str] = {}
    for criterion in CRITERIA:
        value = scores.get(criterion.id)
        if value not in VALUES:
            raise ScorecardError(f"{criterion.id}: give one of {', '.join(VALUES)}, not {value!r}")
        checked[criterion.id] = str(value)
    return checked


def disagreements(prefill: Mapping[str, str], scores: Mapping[str, str]) -> list[dict[str, str]]:
    """Where the reviewer's value differs from the pre-fill: criterion, pre-filled value, reviewer's value."""
    return [
        {"criterion": c.id, "prefill": str(prefill.get(c.id)), "reviewer": str(scores.get(c.id))}
        for c in CRITERIA
        if c.id in prefill and prefill.get(c.id) != scores.get(c.id)
    ]


def stage_counts(scorecards: Iterable[Mapping[str, str]]) -> dict[str, tuple[int, int]]:
    """Per stage, (met, not met) summed over ``scorecards``."""
    counts = {stage: [0, 0] for stage in STAGES}
    for scores in scorecards:
        for criterion in CRITERIA:
            value = scores.get(criterion.id)
            if value == MET:
                counts[criterion.stage][0] += 1
            elif value == NOT_MET:
                counts[criterion.stage][1] += 1
    return {stage: (met, not_met) for stage, (met, not_met) in counts.items()}


def stage_scores(scorecards: Iterable[Mapping[str, str]], digits: int = 3) -> dict[str, Optional[float]]:
    """Per stage, met / (met + not met) over its criteria in ``scorecards``; None where nothing was scored."""
    return {
        stage: (round(met / (met + not_met), digits) if met + not_met else None)
        for stage, (met, not_met) in stage_counts(scorecards).items()
    }
