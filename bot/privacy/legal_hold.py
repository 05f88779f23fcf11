"""Legal hold: a case kept as it is (no erasure, no retention anonymisation) while a claim is pending."""

from __future__ import annotations

from typing import Any

from bot.cases.service import CaseNotFound
from bot.cases.store import Store


def set_hold(store: Store, reference: str, reason: str, actor: str) -> dict[str, Any]:
    """Put a case under legal hold (audit event ``legal_hold_set``); setting it again updates the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a legal hold needs a reason (--reason)")
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference, for_update=True)
        if case is None:
            raise CaseNotFound(reference)
        now = store.clock()
        case.legal_hold = True
        case.legal_hold_reason = reason[:2000]
        case.legal_hold_at = now
        uow.cases.append_event(case, "legal_hold_set", actor, now, {"reason": reason[:2000]})
        result = {"reference": case.reference, "legal_hold": True, "reason": case.legal_hold_reason}
        uow.commit()
        return result


def release_hold(store: Store, reference: str, actor: str) -> dict[str, Any]:
    """Lift a legal hold (audit event ``legal_hold_released``); an error if the case is not held."""
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference, for_update=True)
        if case is None:
            raise CaseNotFound(reference)
        if not case.legal_hold:
            raise ValueError(f"case {case.reference} is not under legal hold")
        now = store.clock()
        previous = case.legal_hold_reason or ""
        case.legal_hold = False
        case.legal_hold_reason = None
        case.legal_hold_at = None
        uow.cases.append_event(case, "legal_hold_released", actor, now, {"reason_was": previous})
        result = {"reference": case.reference, "legal_hold": False}
        uow.commit()
        return result
