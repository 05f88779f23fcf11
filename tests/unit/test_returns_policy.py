"""Change-of-mind returns (data/policy/returns.yml): the legal cancellation period, the shop's own policy, the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.policy import PolicyFileError, ReturnsPolicy, ReturnsPolicyError, load_returns_policy
from bot.settings import PROJECT_ROOT, load_settings

RETURNS_FILE = PROJECT_ROOT / "data" / "policy" / "returns.yml"
DELIVERED = dt.date(2026, 11, 2)


def day(n: int) -> dt.date:
    """``n`` days after delivery."""
    return DELIVERED + dt.timedelta(days=n)


def test_the_project_returns_policy_loads_with_the_legal_terms() -> None:
    policy = load_returns_policy(RETURNS_FILE)
    assert policy.cancellation_days == 14 and policy.refund_within_days == 14
    assert policy.return_postage == "customer"
    assert policy.own_policy_days == 28 and "unworn" in policy.own_policy_conditions
    assert policy.refund_method
    assert load_settings({}).returns_policy_file == RETURNS_FILE
    assert issubclass(ReturnsPolicyError, PolicyFileError) and issubclass(ReturnsPolicyError, ValueError)


@pytest.mark.parametrize(
    ("days_after", "expected"),
    [
        (-3, "cancellation_period"),  # not delivered yet
        (0, "cancellation_period"),  # the day of delivery
        (1, "cancellation_period"),  # the period's first day is the day after delivery
        (14, "cancellation_period"),  # its last day
        (15, "own_policy"),
        (28, "own_policy"),  # the own policy's last day
        (29, "closed"),
        (400, "closed"),
    ],
)
def test_the_window_edges(days_after: int, expected: str) -> None:
    policy = load_returns_policy(RETURNS_FILE)
    assert policy.window(DELIVERED, day(days_after)) == expected


def test_not_delivered_means_the_cancellation_period_and_the_end_dates() -> None:
    policy = ReturnsPolicy()
    assert policy.window(None, day(100)) == "cancellation_period"
    assert policy.cancellation_ends(DELIVERED) == dt.date(2026, 11, 16)
    assert policy.own_policy_ends(DELIVERED) == dt.date(2026, 11, 30)


def test_a_shop_without_its_own_policy_closes_after_the_legal_period() -> None:
    policy = ReturnsPolicy(own_policy_days=0)
    assert policy.own_policy_ends(DELIVERED) is None
    assert policy.window(DELIVERED, day(14)) == "cancellation_period"
    assert policy.window(DELIVERED, day(15)) == "closed"
    longer = ReturnsPolicy(cancellation_days=30, own_policy_days=30)
    assert longer.window(DELIVERED, day(30)) == "cancellation_period" and longer.window(DELIVERED, day(31)) == "closed"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cancellation_days: 7\n", "cancellation_days must be at least 14 (the legal minimum), got 7"),
        ("refund_within_days: 30\n", "refund_within_days must be at most 14 (the legal maximum), got 30"),
        ("return_postage: nobody\n", "return_postage must be customer or shop, got 'nobody'"),
        ("own_policy_days: -1\n", "own_policy_days must not be negative, got -1"),
        ("own_policy_days: ten\n", "own_policy_days must be a whole number of days, got 'ten'"),
        ("own_policy_days: 10\n", "own_policy_days must be 0 (no own policy) or at least cancellation_days"),
        ("refund_method: ''\n", "refund_method must be non-empty text"),
        ("restocking_fee: 5\n", "unknown key 'restocking_fee'"),
        ("- 14\n", "must be a mapping"),
    ],
)
def test_errors_name_the_file_and_the_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "returns.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReturnsPolicyError) as refused:
        load_returns_policy(path)
    assert str(path) in str(refused.value) and message in str(refused.value)


def test_an_empty_file_means_the_legal_minimum_and_a_missing_one_is_named(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yml"
    empty.write_text("", encoding="utf-8")
    assert load_returns_policy(empty) == ReturnsPolicy()
    with pytest.raises(ReturnsPolicyError, match="returns policy file not found"):
        load_returns_policy(tmp_path / "missing.yml")
