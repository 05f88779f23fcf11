"""What the resolution policy hands back: the product it decided on, the options offered and why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from bot.vocabulary import RESOLUTION_TYPES

PRODUCT_KINDS = ("footwear", "leather_goods")


@dataclass(frozen=True)
class Option:
    """One resolution offered to the customer: its type, a button label and a customer-readable reason."""

    type: str
    label: str
    reason: str

    def __post_init__(self) -> None:
        if self.type not in RESOLUTION_TYPES:
            raise ValueError(f"unknown resolution type {self.type!r}; use one of: {', '.join(RESOLUTION_TYPES)}")

    def as_dict(self) -> dict[str, str]:
        """Return a JSON-friendly copy."""
        return {"type": self.type, "label": self.label, "reason": self.reason}


@dataclass(frozen=True)
class Proposal:
    """The options the policy allows for one complaint, and why.

    ``tier`` names the rule that applied (e.g. ``short_term_right_to_reject``); ``age_days`` is the number of
    days since delivery (None when unknown or not delivered); ``escalate`` means a person must confirm.
    """

    options: tuple[Option, ...]
    tier: str
    age_days: Optional[int]
    escalate: bool
    explanation: str

    @property
    def allowed_types(self) -> tuple[str, ...]:
        """The resolution types offered, in the order shown."""
        return tuple(option.type for option in self.options)

    def option(self, type: str) -> Optional[Option]:
        """Return the offered option of resolution ``type``, or None if it is not offered."""
        for option in self.options:
            if option.type == type:
                return option
        return None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly copy (for slots, the dashboard and logs)."""
        return {
            "options": [option.as_dict() for option in self.options],
            "allowed_types": list(self.allowed_types),
            "tier": self.tier,
            "age_days": self.age_days,
            "escalate": self.escalate,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Product:
    """What the policy knows about the product: its kind and the noun used in customer text."""

    kind: str
    noun: str
    plural: bool
