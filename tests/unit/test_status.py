import pytest

from bot.cases.status import TRANSITIONS, CaseStatus, IllegalTransition, check_transition


@pytest.mark.parametrize(
    "current,target",
    [
        ("new", "triaged"),
        ("new", "resolved"),
        ("triaged", "in_progress"),
        ("in_progress", "awaiting_customer"),
        ("awaiting_customer", "in_progress"),
        ("in_progress", "resolved"),
        ("resolved", "closed"),
        ("resolved", "reopened"),
        ("closed", "reopened"),
        ("reopened", "in_progress"),
    ],
)
def test_legal_transitions(current: str, target: str) -> None:
    assert check_transition("CS-2026-000001", current, target) == CaseStatus(target)


@pytest.mark.parametrize(
    "current,target",
    [
        ("closed", "resolved"),
        ("closed", "new"),
        ("resolved", "in_progress"),
        ("new", "reopened"),
        ("triaged", "new"),
        ("resolved", "resolved"),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message(current: str, target: str) -> None:
    with pytest.raises(IllegalTransition) as info:
        check_transition("CS-2026-000007", current, target)
    message = str(info.value)
    assert "CS-2026-000007" in message and current in message and target in message
    assert "allowed next" in message


def test_unknown_status_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown case status 'done'.*awaiting_customer"):
        check_transition("CS-2026-000001", "new", "done")


def test_no_status_is_a_dead_end_except_by_design() -> None:
    for status, targets in TRANSITIONS.items():
        assert targets, f"{status} has no way out"
        assert status not in targets
