"""Staff commands on a case: status, resolution, assignment, priority and notes.

Each command is one unit of work: load the case locked, change it through the aggregate (every change an
audit event), serialise it and commit.
"""

from __future__ import annotations

from typing import Any, Optional

from bot.cases.aggregate import follow_up_delay, load_for_update, schedule_follow_up, transition
from bot.cases.case_json import case_to_dict
from bot.cases.status import CaseStatus, check_transition
from bot.cases.store import Store
from bot.vocabulary import PRIORITIES, RESOLUTION_TYPES, check_choice


def change_status(store: Store, reference: str, target: str, actor: str, note: str = "") -> dict[str, Any]:
    """Move a case to ``target`` status if the state machine allows it."""
    with store.unit_of_work() as uow:
        case = load_for_update(uow, reference)
        now = store.clock()
        transition(uow, case, target, actor, now, note)
        result = case_to_dict(case, now)
        uow.commit()
        return result


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
    check_choice("resolution type", resolution_type, RESOLUTION_TYPES)
    with store.unit_of_work() as uow:
        case = load_for_update(uow, reference)
        now = store.clock()
        check_transition(case.reference, case.status, CaseStatus.RESOLVED.value)
        case.resolution_type = resolution_type
        if note:
            case.resolution_reason = note
        if root_cause:
            case.root_cause = root_cause
        if root_cause_category:
            case.root_cause_category = root_cause_category
        transition(uow, case, CaseStatus.RESOLVED.value, actor, now, note)
        resolved = {
            "type": resolution_type,
            "note": note,
            "root_cause": root_cause,
            "root_cause_category": root_cause_category,
        }
        uow.cases.append_event(case, "resolved", actor, now, resolved)
        schedule_follow_up(uow, case, now, follow_up_delay(store, resolution_type), actor, now)
        result = case_to_dict(case, now)
        uow.commit()
        return result


def assign_case(store: Store, reference: str, assignee: str, actor: str) -> dict[str, Any]:
    """Give a case to a member of staff (triages a new case)."""
    with store.unit_of_work() as uow:
        case = load_for_update(uow, reference)
        now = store.clock()
        previous = case.assignee
        case.assignee = assignee
        uow.cases.append_event(case, "assigned", actor, now, {"from": previous, "to": assignee})
        if case.status in (CaseStatus.NEW.value, CaseStatus.REOPENED.value):
            transition(uow, case, CaseStatus.TRIAGED.value, actor, now)
        result = case_to_dict(case, now)
        uow.commit()
        return result


def set_priority(store: Store, reference: str, priority: str, actor: str, reason: str = "") -> dict[str, Any]:
    """Change a case's priority; SLA due times are recomputed from when the case was logged."""
    check_choice("priority", priority, PRIORITIES)
    with store.unit_of_work() as uow:
        case = load_for_update(uow, reference)
        now = store.clock()
        previous = case.priority
        case.priority = priority
        case.first_response_due, case.resolution_due = store.sla_rules.due_times(priority, case.created_at)
        change = {"from": previous, "to": priority, "reason": reason}
        uow.cases.append_event(case, "priority_changed", actor, now, change)
        result = case_to_dict(case, now)
        uow.commit()
        return result


def add_note(store: Store, reference: str, text: str, actor: str) -> dict[str, Any]:
    """Attach a staff note to a case."""
    text = text.strip()
    if not text:
        raise ValueError("a note needs some text")
    with store.unit_of_work() as uow:
        case = load_for_update(uow, reference)
        now = store.clock()
        if case.first_responded_at is None:
            case.first_responded_at = now
        uow.cases.append_event(case, "note_added", actor, now, {"text": text})
        result = case_to_dict(case, now)
        uow.commit()
        return result
