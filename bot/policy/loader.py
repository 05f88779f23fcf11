"""The one way policy files are read: YAML, checked by their pydantic models, cached until they change.

=============================  ============================  =====================
file                           loaded by                     error
=============================  ============================  =====================
``data/policy/resolution.yml`` :func:`load_policy`           :class:`PolicyError`
``data/policy/sla.yml``        :func:`load_sla_rules`        :class:`SlaRulesError`
``data/policy/followups.yml``  :func:`load_followup_delays`  :class:`FollowUpDelaysError`
``data/policy/returns.yml``    :func:`load_returns_policy`   :class:`ReturnsPolicyError`
=============================  ============================  =====================

Errors name the file and the field (``.../resolution.yml: labels: no label for resolution type 'exchange'``).
A loaded file is kept until its modification time or size changes, so callers may load on every use.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Generic, Type, TypeVar

import yaml

from bot.policy.engine import ResolutionPolicy
from bot.policy.errors import FollowUpDelaysError, PolicyError, PolicyFileError, ReturnsPolicyError, SlaRulesError
from bot.policy.followups import FollowUpDelays, FollowUpFile
from bot.policy.returns import ReturnsPolicy
from bot.policy.rules import ResolutionRules
from bot.policy.schema import validate
from bot.policy.sla import SlaFile, SlaRules

T = TypeVar("T")


def policy_from_mapping(raw: Any) -> ResolutionPolicy:
    """Build a policy from already-parsed YAML, checking every rule; raises :class:`PolicyError`."""
    return ResolutionPolicy(validate(ResolutionRules, raw, PolicyError, "the policy file"))


def sla_rules_from_mapping(raw: Any) -> SlaRules:
    """Build SLA rules from already-parsed YAML (None counts as empty); raises :class:`SlaRulesError`."""
    return validate(SlaFile, raw or {}, SlaRulesError, "the SLA rules file").rules()


def followup_delays_from_mapping(raw: Any) -> FollowUpDelays:
    """Build follow-up delays from already-parsed YAML (None: all defaults); raises :class:`FollowUpDelaysError`."""
    return validate(FollowUpFile, raw or {}, FollowUpDelaysError, "the follow-up delays file").delays()


def returns_policy_from_mapping(raw: Any) -> ReturnsPolicy:
    """Build the returns policy from already-parsed YAML (None: the legal minimum and defaults)."""
    return validate(ReturnsPolicy, raw or {}, ReturnsPolicyError, "the returns policy file")


@dataclass(frozen=True)
class PolicyFile(Generic[T]):
    """One kind of policy file: what to call it in messages, its error type and how to build its value."""

    name: str
    error: Type[PolicyFileError]
    build: Callable[[Any], T]


RESOLUTION = PolicyFile("resolution policy file", PolicyError, policy_from_mapping)
SLA = PolicyFile("SLA rules file", SlaRulesError, sla_rules_from_mapping)
FOLLOW_UPS = PolicyFile("follow-up delays file", FollowUpDelaysError, followup_delays_from_mapping)
RETURNS = PolicyFile("returns policy file", ReturnsPolicyError, returns_policy_from_mapping)

_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[tuple[int, int], Any]] = {}


def load_policy(path: Path) -> ResolutionPolicy:
    """Read and check a resolution policy YAML file; raises :class:`PolicyError` naming any problem."""
    return load(RESOLUTION, path)


def load_sla_rules(path: Path) -> SlaRules:
    """Read and check SLA rules from a YAML file; raises :class:`SlaRulesError` naming any problem."""
    return load(SLA, path)


def load_followup_delays(path: Path) -> FollowUpDelays:
    """Read and check follow-up delays from a YAML file; raises :class:`FollowUpDelaysError` naming any problem."""
    return load(FOLLOW_UPS, path)


def load_returns_policy(path: Path | str) -> ReturnsPolicy:
    """Read and check the returns policy YAML file; raises :class:`ReturnsPolicyError` naming any problem."""
    return load(RETURNS, path)


def load(kind: PolicyFile[T], path: Path | str) -> T:
    """Read, check and build one policy file, or return the value built when it last changed."""
    path = Path(path)
    key = (kind.name, os.fspath(path))
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        with _lock:
            cached = _cache.get(key)
        if cached is not None and cached[0] == stamp:
            value: T = cached[1]
            return value
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise kind.error(f"{kind.name} not found: {path}") from exc
    except OSError as exc:
        raise kind.error(f"cannot read {kind.name} {path}: {exc}") from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise kind.error(f"{path}: not valid YAML: {exc}") from exc
    try:
        value = kind.build(raw)
    except PolicyFileError as exc:
        raise kind.error(f"{path}: {exc}") from exc
    with _lock:
        _cache[key] = (stamp, value)
    return value
