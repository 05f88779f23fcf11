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

from bot.cases.aggregate import CaseNotFound, follow_up_delay
from bot.cases.audit_trail import has_event, record_event, verify_case_chain
from bot.cases.case_query import CaseQuery
from bot.cases.drafts import CaseDraft, OpenedCase, TranscriptTurn
from bot.cases.lifecycle import add_note, assign_case, change_status, resolve_case, set_priority
from bot.cases.opening import open_case
from bot.cases.satisfaction import LOW_SATISFACTION, record_satisfaction
from bot.cases.views import find_cases, get_case

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
