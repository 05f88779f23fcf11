"""Change-of-mind returns (data/policy/returns.yml): the legal cancellation period and the shop's own policy.

Goods bought online can be sent back for any reason within 14 days of delivery (the Consumer Contracts
(Information, Cancellation and Additional Charges) Regulations 2013); after that the shop's own returns policy
may still allow it. A fault is not a change of mind: faults follow the resolution policy (Consumer Rights Act).
:class:`ReturnsPolicy` is both the checked file and the answer to "which rules apply today?".
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, Optional

from pydantic import root_validator, validator

from bot.policy.schema import RuleError, StrictModel, days

ReturnWindow = Literal["cancellation_period", "own_policy", "closed"]
RETURN_POSTAGE_PAYERS = ("customer", "shop")
# The Regulations give the customer at least 14 days and the shop at most 14 days to refund.
LEGAL_CANCELLATION_DAYS = 14
LEGAL_REFUND_DAYS = 14


class ReturnsPolicy(StrictModel):
    """The returns rules: legal cancellation period, refund timing, return postage and the shop's own policy.

    ``cancellation_days`` counts from the day after delivery (delivered on the 1st: until the end of the 15th);
    ``refund_within_days`` from getting the goods back or the customer's proof of posting, whichever is first;
    ``return_postage`` says who pays for a change-of-mind return (``customer`` unless the shop says otherwise);
    ``own_policy_days`` is the shop's own returns period from delivery, under ``own_policy_conditions``.
    """

    cancellation_days: int = LEGAL_CANCELLATION_DAYS
    refund_within_days: int = LEGAL_REFUND_DAYS
    return_postage: str = "customer"
    own_policy_days: int = 28
    own_policy_conditions: str = "unworn, in the original box"
    refund_method: str = "to the original payment method"

    @validator("cancellation_days", "refund_within_days", "own_policy_days", pre=True)
    def _days(cls, value: Any) -> int:
        return days(value)

    @validator("cancellation_days")
    def _at_least_the_law(cls, value: int) -> int:
        if value < LEGAL_CANCELLATION_DAYS:
            raise RuleError(f"must be at least {LEGAL_CANCELLATION_DAYS} (the legal minimum), got {value}")
        return value

    @validator("refund_within_days")
    def _no_later_than_the_law(cls, value: int) -> int:
        if value > LEGAL_REFUND_DAYS:
            raise RuleError(f"must be at most {LEGAL_REFUND_DAYS} (the legal maximum), got {value}")
        return value

    @validator("return_postage", pre=True)
    def _payer(cls, value: Any) -> str:
        if value not in RETURN_POSTAGE_PAYERS:
            raise RuleError(f"must be customer or shop, got {value!r}")
        return str(value)

    @validator("own_policy_conditions", "refund_method", pre=True)
    def _words(cls, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise RuleError(f"must be non-empty text, got {value!r}")
        return " ".join(value.split())

    @root_validator(skip_on_failure=True)
    def _own_policy_not_shorter(cls, values: dict[str, Any]) -> dict[str, Any]:
        if values["own_policy_days"] and values["own_policy_days"] < values["cancellation_days"]:
            raise RuleError("own_policy_days must be 0 (no own policy) or at least cancellation_days")
        return values

    def cancellation_ends(self, delivery_date: dt.date) -> dt.date:
        """The last day the customer may cancel goods delivered on ``delivery_date``."""
        return delivery_date + dt.timedelta(days=self.cancellation_days)

    def own_policy_ends(self, delivery_date: dt.date) -> Optional[dt.date]:
        """The last day of the shop's own returns period (None when the shop has none)."""
        return delivery_date + dt.timedelta(days=self.own_policy_days) if self.own_policy_days else None

    def window(self, delivery_date: Optional[dt.date], today: dt.date) -> ReturnWindow:
        """Which rules apply ``today`` to goods delivered on ``delivery_date``.

        Not delivered yet (None, or a date still to come): the cancellation period (it runs until
        ``cancellation_days`` after delivery). Day ``cancellation_days`` after delivery is its last day; then the
        shop's own policy up to ``own_policy_days``; then ``closed``.
        """
        if delivery_date is None or today <= self.cancellation_ends(delivery_date):
            return "cancellation_period"
        own_end = self.own_policy_ends(delivery_date)
        if own_end is not None and today <= own_end:
            return "own_policy"
        return "closed"
