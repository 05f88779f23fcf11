"""Commands on a case's audit trail: append an event, ask whether one exists, verify the hash chain."""

from __future__ import annotations

from typing import Any, Optional

from bot.cases.aggregate import CaseNotFound, load_for_update
from bot.cases.audit import verify_chain
from bot.cases.store import Store


def record_event(
    store: Store,
    reference: str,
    kind: str,
    actor: str,
    data: Optional[dict[str, Any]] = None,
    once: bool = False,
) -> bool:
    """Append any other event (escalation, message relayed, export made...).

    Returns False when ``once`` and the case already has an event of ``kind`` (checked in the same unit of
    work, so a replay cannot record it twice).
    """
    with store.unit_of_work() as uow:
        case = load_for_update(uow, reference)
        if once and uow.cases.has_event(case, kind):
            return False
        uow.cases.append_event(case, kind, actor, store.clock(), data or {})
        uow.commit()
        return True


def has_event(store: Store, reference: str, kind: str) -> bool:
    """True when the case already has an event of ``kind`` (to do once-only work such as a notice)."""
    with store.unit_of_work() as uow:
        return uow.cases.has_event(load_for_update(uow, reference), kind)


def verify_case_chain(store: Store, reference: str) -> dict[str, Any]:
    """Check the audit trail of one case; returns the report as a dict."""
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference)
        if case is None:
            raise CaseNotFound(reference)
        report = verify_chain(case.reference, uow.cases.events(case), case.head_hash, case.event_count)
        return report.as_dict()
