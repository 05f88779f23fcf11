"""Sending due follow-ups: one claim, deliver, record pass over the database-backed queue.

The scheduler (``integrations/scheduler.py``, job ``followups``) runs :func:`run_due` every few
seconds; several workers may run it at once (claims keep each follow-up to one of them).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from typing import Any, Optional

from bot.cases.store import Store
from bot.followups.delivery import Deliverer, DeliveryError
from bot.followups.queue import claim_due, is_resolved, mark_delivered, postpone, record_failure, renew_claim


def worker_name() -> str:
    """host:pid, to see in the database who holds a claim."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class DueReport:
    """What one pass over the due follow-ups did."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    postponed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dict(self.__dict__)


def run_due(store: Store, deliverer: Deliverer, worker: Optional[str] = None, limit: int = 50) -> DueReport:
    """One pass: claim what is due, deliver it, record the outcome."""
    worker = worker or worker_name()
    report = DueReport()
    items = claim_due(store, worker, limit)
    report.claimed = len(items)
    for item in items:
        if not renew_claim(store, item):
            continue  # our claim expired while we were busy; another worker has it now
        if not is_resolved(store, item):
            postpone(store, item)
            report.postponed += 1
            continue
        try:
            via = deliverer.deliver(item)
        except DeliveryError as exc:
            status = record_failure(store, item, str(exc), exc.retryable)
            report.errors.append(f"{item.key}: {exc}")
            if status == "failed":
                report.failed += 1
            else:
                report.retrying += 1
            continue
        mark_delivered(store, item.key, via, actor="scheduler")
        report.sent += 1
    return report
