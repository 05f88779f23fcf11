"""The case status state machine."""

from __future__ import annotations

from enum import Enum


class CaseStatus(str, Enum):
    """Where a case is in its life."""

    NEW = "new"
    TRIAGED = "triaged"
    IN_PROGRESS = "in_progress"
    AWAITING_CUSTOMER = "awaiting_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


_WORKING = {CaseStatus.TRIAGED, CaseStatus.IN_PROGRESS, CaseStatus.AWAITING_CUSTOMER}

TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.NEW: frozenset(_WORKING | {CaseStatus.RESOLVED, CaseStatus.CLOSED}),
    CaseStatus.TRIAGED: frozenset(
        {CaseStatus.IN_PROGRESS, CaseStatus.AWAITING_CUSTOMER, CaseStatus.RESOLVED, CaseStatus.CLOSED}
    ),
    CaseStatus.IN_PROGRESS: frozenset({CaseStatus.AWAITING_CUSTOMER, CaseStatus.RESOLVED, CaseStatus.CLOSED}),
    CaseStatus.AWAITING_CUSTOMER: frozenset({CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.CLOSED}),
    CaseStatus.RESOLVED: frozenset({CaseStatus.CLOSED, CaseStatus.REOPENED}),
    CaseStatus.CLOSED: frozenset({CaseStatus.REOPENED}),
    CaseStatus.REOPENED: frozenset(_WORKING | {CaseStatus.RESOLVED, CaseStatus.CLOSED}),
}

OPEN_STATUSES = frozenset(
    {CaseStatus.NEW, CaseStatus.TRIAGED, CaseStatus.IN_PROGRESS, CaseStatus.AWAITING_CUSTOMER, CaseStatus.REOPENED}
)


class IllegalTransition(ValueError):
    """Raised when a case is asked to move to a status it cannot reach from where it is."""

    def __init__(self, reference: str, current: str, target: str) -> None:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[CaseStatus(current)])) or "none"
        super().__init__(f"case {reference} is {current}; it cannot become {target} (allowed next: {allowed})")
        self.reference = reference
        self.current = current
        self.target = target


def parse_status(value: str) -> CaseStatus:
    """Turn a string into a :class:`CaseStatus`, with a clear error for unknown names."""
    try:
        return CaseStatus(value)
    except ValueError as exc:
        names = ", ".join(s.value for s in CaseStatus)
        raise ValueError(f"unknown case status {value!r}; use one of: {names}") from exc


def check_transition(reference: str, current: str, target: str) -> CaseStatus:
    """Return the target status if the move is legal, else raise :class:`IllegalTransition`."""
    source = parse_status(current)
    destination = parse_status(target)
    if destination not in TRANSITIONS[source]:
        raise IllegalTransition(reference, source.value, destination.value)
    return destination
