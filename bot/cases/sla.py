"""Service-level due times, computed from priority by rules in a data file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

PRIORITIES = ("urgent", "high", "normal", "low")


class SlaRulesError(ValueError):
    """The SLA rules file is missing a priority or holds a bad number."""


@dataclass(frozen=True)
class SlaTarget:
    """How long a priority may wait for a first response and for resolution."""

    first_response: dt.timedelta
    resolution: dt.timedelta


@dataclass(frozen=True)
class SlaRules:
    """All SLA targets plus the warning lead time."""

    targets: dict[str, SlaTarget]
    warn_before: dt.timedelta

    def due_times(self, priority: str, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """(first response due, resolution due) for a case logged at ``start``."""
        target = self.target(priority)
        return start + target.first_response, start + target.resolution

    def target(self, priority: str) -> SlaTarget:
        """The target for ``priority``; a clear error for unknown priorities."""
        try:
            return self.targets[priority]
        except KeyError as exc:
            raise SlaRulesError(f"no SLA rule for priority {priority!r}; known: {', '.join(self.targets)}") from exc

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> SlaRules:
        """Build rules from the parsed YAML mapping, checking every value."""
        targets: dict[str, SlaTarget] = {}
        priorities = raw.get("priorities") or {}
        for name in PRIORITIES:
            rule = priorities.get(name)
            if not isinstance(rule, dict):
                raise SlaRulesError(f"SLA rules have no entry for priority {name!r}")
            try:
                first = float(rule["first_response_hours"])
                resolution = float(rule["resolution_hours"])
            except (KeyError, TypeError, ValueError) as exc:
                raise SlaRulesError(
                    f"SLA rule for {name!r} needs numeric first_response_hours and resolution_hours"
                ) from exc
            if first <= 0 or resolution <= 0 or first > resolution:
                raise SlaRulesError(f"SLA rule for {name!r}: hours must be positive and first response <= resolution")
            targets[name] = SlaTarget(dt.timedelta(hours=first), dt.timedelta(hours=resolution))
        warn = float(raw.get("warn_before_minutes", 60))
        return cls(targets=targets, warn_before=dt.timedelta(minutes=warn))


@lru_cache(maxsize=8)
def load_sla_rules(path: Path) -> SlaRules:
    """Read SLA rules from a YAML file (cached per path)."""
    with open(path, encoding="utf-8") as handle:
        return SlaRules.from_mapping(yaml.safe_load(handle) or {})


def is_breached(due: Optional[dt.datetime], done: Optional[dt.datetime], now: dt.datetime) -> bool:
    """A due time is breached if the work was done after it, or is still not done and it has passed."""
    if due is None:
        return False
    if done is not None:
        return done > due
    return now > due
