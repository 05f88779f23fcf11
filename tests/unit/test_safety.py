"""The one safety detector (bot/nlp/safety.py): negation-aware, shared by priority, extractor and dialogue."""

from __future__ import annotations

import pytest

from bot.cases.priority import assess_severity
from bot.nlp.safety import assess_safety, injury_mentioned


@pytest.mark.parametrize(
    "text",
    [
        "The zip on my messenger bag broke, luckily no one got hurt",
        "the heel came off but nobody was injured",
        "no one was hurt thankfully, but the strap snapped",
        "the buckle is not dangerous, just ugly",
        "I could have been hurt if I had been wearing them",
    ],
)
def test_negated_or_hypothetical_harm_is_not_a_safety_issue(text: str) -> None:
    assert not injury_mentioned(text)
    assert not assess_safety(text, "hardware", "zip").safety_issue
    severity = assess_severity(text, "hardware", "zip")
    assert severity.priority != "urgent" and not severity.safety_issue


@pytest.mark.parametrize(
    "text, category, component",
    [
        ("my heel snapped and I twisted my ankle", "heel_detachment", "heel"),
        ("I fell down the stairs when the sole came away", "sole_separation", "sole"),
        ("the dye gave my son a rash", "odour_or_stain", None),
        (
            "The block heel snapped clean off my ankle boot while I was walking down the stairs",
            "heel_detachment",
            "heel",
        ),
        ("The steel toe cap is cracked on my safety boots", "upper_damage", "toe"),
        ("honestly these are dangerous, the sole is like ice", "other", "sole"),
    ],
)
def test_harm_or_a_load_bearing_failure_in_use_is_urgent(text: str, category: str, component: str | None) -> None:
    finding = assess_safety(text, category, component)
    assert finding.safety_issue and finding.reasons
    assert assess_severity(text, category, component).priority == "urgent"


def test_the_extractor_uses_the_same_detector() -> None:
    from bot.nlp.extraction import Extractor

    extractor = Extractor([], [], learned=False)
    assert not extractor.extract("The zip on my messenger bag broke, luckily no one got hurt").injury
    assert extractor.extract("the heel broke and I sprained my ankle").injury


def test_an_injury_the_customer_reports_is_urgent_whatever_the_text() -> None:
    assert assess_severity("the heel is wobbly", "heel_detachment", "heel", injury_reported=True).priority == "urgent"
