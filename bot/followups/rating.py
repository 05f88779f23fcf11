"""Answers given through the one-time rating link of an emailed follow-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from bot.cases import service
from bot.cases.store import Store
from bot.followups.delivery import check_rating_token


@dataclass(frozen=True)
class RatingRequest:
    """What the rating page shows for a valid link."""

    key: str
    reference: str
    product_name: Optional[str]
    already_answered: bool


def open_link(store: Store, token: str) -> Optional[RatingRequest]:
    """The follow-up behind a rating link, or None when the link is forged or unknown."""
    key = check_rating_token(store.settings.rating_secret, token)
    if key is None:
        return None
    with store.unit_of_work() as uow:
        follow_up = uow.followups.by_key(key)
        if follow_up is None:
            return None
        case = follow_up.case
        return RatingRequest(
            key=key,
            reference=case.reference,
            product_name=case.product.name if case.product is not None else None,
            already_answered=follow_up.status == "answered",
        )


def submit(
    store: Store, request: RatingRequest, solved: Optional[bool], score: Optional[int], comment: str
) -> dict[str, Any]:
    """Record the answer once; a "no" or a score of 2 or less reopens the case and alerts staff."""
    if request.already_answered:
        raise ValueError("this link has already been used")
    result = service.record_satisfaction(
        store,
        request.reference,
        score=score,
        solved=solved,
        comment=comment,
        actor="customer (email link)",
        followup_key=request.key,  # checked again inside the write: a double submit records once
        alert_staff=("scheduler", "customer not satisfied after resolution"),
    )
    if result.get("duplicate"):
        raise ValueError("this link has already been used")
    return result
