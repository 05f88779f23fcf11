"""The one policy loader (bot/policy/loader.py): every file in data/policy/ checked, cached until it changes."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import yaml

from bot.patterns import negates_choice
from bot.policy import (
    FollowUpDelaysError,
    PolicyError,
    PolicyFileError,
    ResolutionPolicy,
    SlaRulesError,
    load_followup_delays,
    load_policy,
    load_sla_rules,
    policy_from_mapping,
)
from bot.settings import PROJECT_ROOT

POLICY_DIR = PROJECT_ROOT / "data" / "policy"
SLA_RULES = "".join(
    f"  {p}: {{first_response_hours: 2, resolution_hours: 10}}\n" for p in ("urgent", "high", "normal", "low")
)


def _write(path: Path, text: str, mtime_ns: int) -> Path:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def test_the_project_policy_files_load() -> None:
    assert isinstance(load_policy(POLICY_DIR / "resolution.yml"), ResolutionPolicy)
    assert load_sla_rules(POLICY_DIR / "sla.yml").warn_before == dt.timedelta(minutes=60)
    delays = load_followup_delays(POLICY_DIR / "followups.yml")
    assert delays.after("repair") == dt.timedelta(days=10)
    assert delays.after(None) == dt.timedelta(days=5)


def test_every_policy_error_is_a_value_error() -> None:
    for error in (PolicyError, SlaRulesError, FollowUpDelaysError):
        assert issubclass(error, PolicyFileError)
        assert issubclass(error, ValueError)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("priorities:\n" + SLA_RULES.replace("first_response_hours: 2", "first_response_hours: soon", 1),
         r"priorities\.urgent\.first_response_hours must be a number, got 'soon'"),
        ("priorities:\n" + SLA_RULES + "  critical: {first_response_hours: 1, resolution_hours: 2}\n",
         r"priorities: unknown priority 'critical'"),
        ("priorities:\n" + SLA_RULES.split("\n", 1)[1], r"priorities: no SLA rule for priority 'urgent'"),
        ("priorities:\n" + SLA_RULES + "warn_before_minuts: 30\n", r"unknown key 'warn_before_minuts'"),
        ("priorities: [1, 2\n", r"not valid YAML"),
    ],
)  # fmt: skip
def test_sla_errors_name_the_file_and_the_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "sla.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SlaRulesError, match=message) as caught:
        load_sla_rules(path)
    assert str(path) in str(caught.value)


def test_missing_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(SlaRulesError, match="SLA rules file not found"):
        load_sla_rules(tmp_path / "nope.yml")
    with pytest.raises(FollowUpDelaysError, match="follow-up delays file not found"):
        load_followup_delays(tmp_path / "nope.yml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("by_resolution: {cash: 2}\n", r"by_resolution: unknown resolution type 'cash'"),
        ("by_resolution: {refund: later}\n", r"by_resolution\.refund must be a number, got 'later'"),
        ("default_days: -1\n", r"default_days must be a number that is not negative"),
        ("defualt_days: 4\n", r"unknown key 'defualt_days'"),
    ],
)
def test_follow_up_delay_errors_name_the_file_and_the_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "followups.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FollowUpDelaysError, match=message) as caught:
        load_followup_delays(path)
    assert str(path) in str(caught.value)


def test_an_empty_follow_up_file_means_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "followups.yml"
    path.write_text("", encoding="utf-8")
    delays = load_followup_delays(path)
    assert delays.after("refund") == delays.after(None) == dt.timedelta(days=5)


def test_a_loaded_file_is_kept_until_it_changes(tmp_path: Path) -> None:
    path = _write(tmp_path / "sla.yml", "priorities:\n" + SLA_RULES, 1_000_000_000_000_000_000)
    first = load_sla_rules(path)
    assert load_sla_rules(path) is first
    _write(
        path,
        "priorities:\n" + SLA_RULES.replace("resolution_hours: 10", "resolution_hours: 12"),
        1_000_000_001_000_000_000,
    )
    changed = load_sla_rules(path)
    assert changed is not first
    assert changed.target("low").resolution == dt.timedelta(hours=12)


def test_a_broken_edit_is_refused_and_not_cached(tmp_path: Path) -> None:
    path = _write(tmp_path / "followups.yml", "default_days: 4\n", 1_000_000_000_000_000_000)
    assert load_followup_delays(path).after(None) == dt.timedelta(days=4)
    _write(path, "default_days: four\n", 1_000_000_001_000_000_000)
    with pytest.raises(FollowUpDelaysError):
        load_followup_delays(path)
    _write(path, "default_days: 6\n", 1_000_000_002_000_000_000)
    assert load_followup_delays(path).after(None) == dt.timedelta(days=6)


def test_the_resolution_file_refuses_unknown_top_level_keys() -> None:
    raw = yaml.safe_load((POLICY_DIR / "resolution.yml").read_text(encoding="utf-8"))
    raw["lables"] = {}
    with pytest.raises(PolicyError, match=r"the policy file: unknown key 'lables'"):
        policy_from_mapping(raw)


@pytest.mark.parametrize(
    ("clause", "negated"),
    [
        ("i don't want a ", True),
        ("rather than a ", True),
        ("no ", True),
        ("no new ", True),
        ("i would like a ", False),
        ("nothing wrong with a ", False),  # "nothing" is a choice of its own, not a negator here
        ("no thanks ", True),
        ("no thanks, please do a ", False),
    ],
)
def test_choice_negation_reads_the_end_of_the_clause(clause: str, negated: bool) -> None:
    assert negates_choice(clause.split(",")[-1]) is negated
