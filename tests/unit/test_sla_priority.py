import datetime as dt
from pathlib import Path

import pytest

from bot.cases.priority import assess_severity
from bot.cases.sla import is_breached
from bot.policy import SlaRulesError, load_sla_rules
from bot.settings import PROJECT_ROOT

RULES = load_sla_rules(PROJECT_ROOT / "data" / "policy" / "sla.yml")
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    "priority,first_hours,resolution_hours",
    [("urgent", 1, 24), ("high", 4, 72), ("normal", 24, 120), ("low", 48, 240)],
)
def test_due_times_follow_the_rules_file(priority: str, first_hours: int, resolution_hours: int) -> None:
    first, resolution = RULES.due_times(priority, T0)
    assert first == T0 + dt.timedelta(hours=first_hours)
    assert resolution == T0 + dt.timedelta(hours=resolution_hours)


def test_rules_are_configurable(tmp_path: Path) -> None:
    path = tmp_path / "sla.yml"
    path.write_text(
        "priorities:\n"
        + "".join(
            f"  {p}: {{first_response_hours: 2, resolution_hours: 10}}\n" for p in ("urgent", "high", "normal", "low")
        )
    )
    rules = load_sla_rules(path)
    assert rules.due_times("low", T0) == (T0 + dt.timedelta(hours=2), T0 + dt.timedelta(hours=10))


@pytest.mark.parametrize(
    "text",
    [
        "priorities:\n  urgent: {first_response_hours: 1, resolution_hours: 2}\n",
        "priorities:\n"
        + "".join(
            f"  {p}: {{first_response_hours: x, resolution_hours: 2}}\n" for p in ("urgent", "high", "normal", "low")
        ),
        "priorities:\n"
        + "".join(
            f"  {p}: {{first_response_hours: 5, resolution_hours: 2}}\n" for p in ("urgent", "high", "normal", "low")
        ),
    ],
)
def test_bad_rules_files_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(text)
    with pytest.raises(SlaRulesError):
        load_sla_rules(path)


def test_unknown_priority_is_a_clear_error() -> None:
    with pytest.raises(SlaRulesError, match="no SLA rule for priority 'asap'"):
        RULES.due_times("asap", T0)


def test_breach() -> None:
    due = T0
    assert not is_breached(due, None, T0 - dt.timedelta(minutes=1))
    assert is_breached(due, None, T0 + dt.timedelta(minutes=1))
    assert not is_breached(due, T0 - dt.timedelta(hours=1), T0 + dt.timedelta(days=3))
    assert is_breached(due, T0 + dt.timedelta(hours=1), T0 + dt.timedelta(days=3))
    assert not is_breached(None, None, T0)


@pytest.mark.parametrize(
    "text,category,component",
    [
        ("The heel snapped off while I was walking down the stairs", "heel_detachment", "heel"),
        ("the sole came off when I was walking to work and I nearly fell", "sole_separation", "sole"),
        ("I tripped and sprained my ankle because the sole was loose", "sole_separation", "sole"),
        ("The steel toe cap is cracked on my safety boots", "upper_damage", "toe"),
        ("my daughter cut her foot on a nail poking through the insole, there was blood", "lining_insole", "insole"),
        ("The dye gave me a rash on my feet", "odour_or_stain", None),
    ],
)
def test_possible_safety_issues_are_urgent(text: str, category: str, component: str | None) -> None:
    severity = assess_severity(text, category, component)
    assert severity.priority == "urgent"
    assert severity.safety_issue
    assert severity.reasons


def test_injury_answer_makes_a_case_urgent() -> None:
    assert assess_severity("the heel is wobbly", "heel_detachment", "heel", injury_reported=True).priority == "urgent"


@pytest.mark.parametrize(
    "text,category,priority",
    [
        ("The heel has come loose, it wobbles", "heel_detachment", "high"),
        ("the sole is starting to peel at the toe", "sole_separation", "high"),
        ("stitching is coming undone on the side", "stitching", "normal"),
        ("the colour is darker than the photo", "colour_mismatch", "low"),
        ("my parcel is a week late", "late_delivery", "normal"),
        ("The box was crushed in the post", "damaged_in_transit", "normal"),
    ],
)
def test_non_safety_priorities(text: str, category: str, priority: str) -> None:
    severity = assess_severity(text, category)
    assert severity.priority == priority
    assert not severity.safety_issue
