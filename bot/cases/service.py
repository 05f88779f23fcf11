"""The case service layer: the one door actions, Slack, the dashboard, the CLI and tests use.

Each public command is one unit of work (see :mod:`bot.cases.aggregate`); the commands live in small
modules and are re-exported here:

- :mod:`bot.cases.opening`: ``open_case`` (case, events, transcript, follow-up and photos in one transaction)
- :mod:`bot.cases.lifecycle`: ``change_status``, ``resolve_case``, ``assign_case``, ``set_priority``, ``add_note``
- :mod:`bot.cases.satisfaction`: ``record_satisfaction``
- :mod:`bot.cases.audit_trail`: ``record_event``, ``has_event``, ``verify_case_chain``
- :mod:`bot.cases.views`: ``get_case`` and the case query ``find_cases``
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from bot.cases import lifecycle, opening
from bot.cases.aggregate import CaseNotFound
from bot.cases.audit_trail import has_event, record_event, verify_case_chain
from bot.cases.case_query import CaseQuery
from bot.cases.drafts import CaseDraft, OpenedCase, TranscriptTurn
from bot.cases.lifecycle import add_note, assign_case, change_status, set_priority
from bot.cases.satisfaction import LOW_SATISFACTION, record_satisfaction
from bot.cases.store import Store
from bot.cases.views import find_cases, get_case
from bot.policy import load_followup_delays

__all__ = [
    "LOW_SATISFACTION",
    "CaseDraft",
    "CaseNotFound",
    "CaseQuery",
    "OpenedCase",
    "TranscriptTurn",
    "add_note",
    "assign_case",
    "change_status",
    "find_cases",
    "follow_up_delay",
    "get_case",
    "has_event",
    "open_case",
    "record_event",
    "record_satisfaction",
    "resolve_case",
    "set_priority",
    "verify_case_chain",
]


def follow_up_delay(store: Store, resolution_type: Optional[str]) -> dt.timedelta:
    """How long after resolution the satisfaction follow-up is due."""
    return load_followup_delays(store.settings.followup_delays_file).after(resolution_type)


def open_case(store: Store, draft: CaseDraft, actor: str = "bot") -> OpenedCase:
    """Log a new case (or return the one already logged with the same idempotency key), in one transaction."""
    return opening.open_case(store, draft, actor, lambda kind: follow_up_delay(store, kind))


def resolve_case(
    store: Store,
    reference: str,
    resolution_type: str,
    actor: str,
    note: str = "",
    root_cause: Optional[str] = None,
    root_cause_category: Optional[str] = None,
) -> dict[str, Any]:
    """Resolve a case with a resolution type and schedule the satisfaction follow-up."""
    return lifecycle.resolve_case(
        store,
        reference,
        resolution_type,
        actor,
        lambda kind: follow_up_delay(store, kind),
        note=note,
        root_cause=root_cause,
        root_cause_category=root_cause_category,
    )
