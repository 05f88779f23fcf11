"""The rules that pick conversations for a supervisor's review."""

from __future__ import annotations

import pytest

from bot.reviews.sampling import (
    LOW_RATING,
    REOPENED,
    SAFETY,
    SAMPLE,
    TAKEOVER,
    ConversationFacts,
    SamplingRules,
    merged_reasons,
    reasons_for,
    sample_point,
    sampled,
)

NO_SAMPLE = SamplingRules(sample_share=0.0)
REFERENCES = [f"CS-2026-{n:06d}" for n in range(1, 1001)]


def test_an_ordinary_conversation_is_not_picked_without_the_random_share() -> None:
    assert reasons_for(ConversationFacts("CS-2026-000001", satisfaction_score=4), NO_SAMPLE) == []


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (ConversationFacts("CS-2026-000001", safety_issue=True), SAFETY),
        (ConversationFacts("CS-2026-000001", satisfaction_score=1), LOW_RATING),
        (ConversationFacts("CS-2026-000001", satisfaction_score=2), LOW_RATING),
        (ConversationFacts("CS-2026-000001", reopened=True), REOPENED),
        (ConversationFacts("CS-2026-000001", takeover=True), TAKEOVER),
    ],
)
def test_each_rule_picks_its_conversations(facts: ConversationFacts, reason: str) -> None:
    assert reasons_for(facts, NO_SAMPLE) == [reason]


def test_low_rating_threshold_is_a_setting() -> None:
    three = ConversationFacts("CS-2026-000001", satisfaction_score=3)
    assert reasons_for(three, NO_SAMPLE) == []
    assert reasons_for(three, SamplingRules(low_rating=3, sample_share=0.0)) == [LOW_RATING]


def test_every_reason_that_applies_is_recorded_in_order() -> None:
    facts = ConversationFacts("CS-2026-000001", True, 1, True, True)
    assert reasons_for(facts, SamplingRules(sample_share=1.0)) == [SAFETY, LOW_RATING, REOPENED, TAKEOVER, SAMPLE]


def test_random_share_is_deterministic_per_reference_and_seed() -> None:
    rules = SamplingRules(sample_share=0.1, seed="s1")
    first = [sampled(r, rules) for r in REFERENCES]
    assert first == [sampled(r, rules) for r in REFERENCES]  # re-running never changes the pick
    assert sampled("cs-2026-000007", rules) == sampled("CS-2026-000007", rules)
    other_seed = [sampled(r, SamplingRules(sample_share=0.1, seed="s2")) for r in REFERENCES]
    assert first != other_seed


@pytest.mark.parametrize("share", [0.05, 0.1, 0.3])
def test_random_share_is_roughly_respected_over_1000_references(share: float) -> None:
    picked = sum(sampled(r, SamplingRules(sample_share=share, seed="seed")) for r in REFERENCES)
    assert abs(picked - 1000 * share) < 1000 * 0.035  # about 3.5 standard deviations at 10 %


def test_a_larger_share_keeps_every_conversation_a_smaller_one_picked() -> None:
    small = {r for r in REFERENCES if sampled(r, SamplingRules(sample_share=0.1))}
    large = {r for r in REFERENCES if sampled(r, SamplingRules(sample_share=0.2))}
    assert small < large


def test_share_bounds() -> None:
    assert all(0.0 <= sample_point(r, "") < 1.0 for r in REFERENCES[:50])
    assert not any(sampled(r, SamplingRules(sample_share=0.0)) for r in REFERENCES)
    assert all(sampled(r, SamplingRules(sample_share=1.0)) for r in REFERENCES)
    with pytest.raises(ValueError):
        SamplingRules(sample_share=1.5)


def test_merged_reasons_keep_the_old_and_add_the_new_in_order() -> None:
    assert merged_reasons([SAMPLE], [LOW_RATING, SAMPLE]) == [LOW_RATING, SAMPLE]
    assert merged_reasons([TAKEOVER, "legacy"], []) == [TAKEOVER, "legacy"]
