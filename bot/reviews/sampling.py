"""Which complaint conversations a supervisor reviews, and why (pure rules; filling the queue is queue.py).

Every safety case, every low satisfaction rating or reopened case, every conversation a member of staff
took over, and a random share of the rest. The random pick is a hash of the case reference and a seed,
so running the rules again never changes it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Optional

SAFETY, LOW_RATING, REOPENED, TAKEOVER, SAMPLE = "safety", "low_rating", "reopened", "takeover", "sample"
REASONS = (SAFETY, LOW_RATING, REOPENED, TAKEOVER, SAMPLE)
REASON_LABELS = {
    SAFETY: "safety issue",
    LOW_RATING: "low rating",
    REOPENED: "reopened",
    TAKEOVER: "staff takeover",
    SAMPLE: "random sample",
}
_SCALE = float(2**64)


@dataclass(frozen=True)
class SamplingRules:
    """The settings of the rules: ``REVIEW_LOW_RATING``, ``REVIEW_SAMPLE_SHARE``, ``REVIEW_SAMPLE_SEED``."""

    low_rating: int = 2
    sample_share: float = 0.1
    seed: str = ""

    def __post_init__(self) -> None:
        if not 0.0 <= self.sample_share <= 1.0:
            raise ValueError("the review sample share is a fraction from 0 to 1")


@dataclass(frozen=True)
class ConversationFacts:
    """What the rules look at in one complaint conversation."""

    reference: str
    safety_issue: bool = False
    satisfaction_score: Optional[int] = None
    reopened: bool = False
    takeover: bool = False


def sample_point(reference: str, seed: str) -> float:
    """A number in [0, 1) fixed by the reference and the seed (SHA-256, so spread evenly)."""
    digest = hashlib.sha256(f"{seed}\x00{reference.strip().upper()}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def sampled(reference: str, rules: SamplingRules) -> bool:
    """True when the conversation falls in the random share."""
    return sample_point(reference, rules.seed) < rules.sample_share


def reasons_for(facts: ConversationFacts, rules: SamplingRules) -> list[str]:
    """Every rule that picks this conversation, in :data:`REASONS` order (empty: not picked)."""
    reasons = []
    if facts.safety_issue:
        reasons.append(SAFETY)
    if facts.satisfaction_score is not None and facts.satisfaction_score <= rules.low_rating:
        reasons.append(LOW_RATING)
    if facts.reopened:
        reasons.append(REOPENED)
    if facts.takeover:
        reasons.append(TAKEOVER)
    if sampled(facts.reference, rules):
        reasons.append(SAMPLE)
    return reasons


def merged_reasons(current: list[str], new: list[str]) -> list[str]:
    """The reasons already recorded plus any new ones, in :data:`REASONS` order (unknown ones kept at the end)."""
    union = set(current) | set(new)
    return [r for r in REASONS if r in union] + sorted(union - set(REASONS))
