"""Service-level rules (data/policy/sla.yml): how long each case priority may wait, as pydantic models.

:class:`SlaFile` checks the file; :class:`SlaRules` is what the case core uses to set due times.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

from pydantic import root_validator, validator

from bot.policy.errors import SlaRulesError
from bot.policy.schema import RuleError, StrictModel, number
from bot.vocabulary import PRIORITIES


@dataclass(frozen=True)
class SlaTarget:
    """How long a priority may wait for a first response and for resolution."""

    first_response: dt.timedelta
    resolution: dt.timedelta


@dataclass(frozen=True)
class SlaRules:
    """All SLA targets plus the warning lead time."""

    targets: Mapping[str, SlaTarget]
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


class SlaRule(StrictModel):
    """The hours one priority may wait: first response, then resolution (never shorter)."""

    first_response_hours: float
    resolution_hours: float

    @validator("first_response_hours", "resolution_hours", pre=True)
    def _number(cls, value: Any) -> float:
        return number(value)

    @root_validator(skip_on_failure=True)
    def _positive_and_ordered(cls, values: dict[str, Any]) -> dict[str, Any]:
        first, resolution = values["first_response_hours"], values["resolution_hours"]
        if first <= 0 or resolution <= 0 or first > resolution:
            raise RuleError("hours must be positive and first response <= resolution")
        return values


class SlaPriorities(StrictModel):
    """One rule for each case priority."""

    _what = "priority"
    _missing = {"*": "no SLA rule for priority {name!r}"}

    urgent: SlaRule
    high: SlaRule
    normal: SlaRule
    low: SlaRule


assert tuple(SlaPriorities.__fields__) == PRIORITIES, "SlaPriorities must list every case priority"


class SlaFile(StrictModel):
    """The whole SLA rules file."""

    priorities: SlaPriorities
    warn_before_minutes: float = 60

    @validator("warn_before_minutes", pre=True)
    def _minutes(cls, value: Any) -> float:
        return number(value)

    def rules(self) -> SlaRules:
        """The checked file as the rules the case core uses."""
        targets = {
            name: SlaTarget(dt.timedelta(hours=rule.first_response_hours), dt.timedelta(hours=rule.resolution_hours))
            for name in PRIORITIES
            for rule in (getattr(self.priorities, name),)
        }
        return SlaRules(targets=MappingProxyType(targets), warn_before=dt.timedelta(minutes=self.warn_before_minutes))
