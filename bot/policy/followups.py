"""Follow-up delays (data/policy/followups.yml): days after resolution before asking the customer.

:class:`FollowUpFile` checks the file; :class:`FollowUpDelays` answers "how long for this resolution?".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Dict, Mapping, Optional

from pydantic import validator

from bot.policy.schema import StrictModel, check_keys, mapping, number
from bot.vocabulary import RESOLUTION_TYPES


@dataclass(frozen=True)
class FollowUpDelays:
    """The delay before the satisfaction follow-up, by resolution type, with a default for the rest."""

    default: dt.timedelta
    by_resolution: Mapping[str, dt.timedelta]

    def after(self, resolution_type: Optional[str]) -> dt.timedelta:
        """How long after a resolution of ``resolution_type`` (None: not known) the follow-up is due."""
        return self.by_resolution.get(resolution_type or "", self.default)


class FollowUpFile(StrictModel):
    """The whole follow-up delays file: ``default_days`` and ``by_resolution`` (type -> days)."""

    default_days: float = 5
    by_resolution: Dict[str, float] = {}

    @validator("default_days", pre=True)
    def _days(cls, value: Any) -> float:
        return number(value)

    @validator("by_resolution", pre=True)
    def _by_type(cls, value: Any) -> dict[str, float]:
        raw = mapping(value if value is not None else {})
        check_keys(raw, RESOLUTION_TYPES, (), "resolution type")
        return {str(key): number(days, (key,)) for key, days in raw.items()}

    def delays(self) -> FollowUpDelays:
        """The checked file as delays."""
        by_type = {key: dt.timedelta(days=days) for key, days in self.by_resolution.items()}
        return FollowUpDelays(default=dt.timedelta(days=self.default_days), by_resolution=MappingProxyType(by_type))
