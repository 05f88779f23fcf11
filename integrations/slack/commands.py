"""Parsing and answering the ``/case`` and ``/cases`` slash commands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.cases.models import Case
from bot.cases.serialize import case_to_dict
from bot.cases.status import OPEN_STATUSES
from bot.cases.store import Store
from bot.patterns import CASE_REFERENCE

CASE_LISTS = ("open", "mine", "overdue", "breached")


class CommandError(ValueError):
    """A slash command the user typed wrongly; the message says how to use it."""


def slack_actor(user_id: str) -> str:
    """How a Slack user is written as a case actor and assignee."""
    return f"slack:{user_id}"


def parse_case_command(text: str) -> str:
    """The case reference in ``/case CS-2026-000123``."""
    match = CASE_REFERENCE.search(text or "")
    if match is None:
        raise CommandError("Usage: `/case CS-YYYY-NNNNNN`")
    return match.group(0).upper()


def parse_cases_command(text: str) -> str:
    """Which list ``/cases`` asks for (default ``open``)."""
    word = (text or "").strip().lower() or "open"
    if word not in CASE_LISTS:
        raise CommandError(f"Usage: `/cases {'|'.join(CASE_LISTS)}`")
    return word


@dataclass(frozen=True)
class CaseList:
    """A named list of cases for a user."""

    name: str
    cases: list[dict[str, Any]]


def list_cases(store: Store, which: str, user_id: str = "", limit: int = 20) -> CaseList:
    """Open cases; the user's own; overdue (resolution due passed); SLA breached (either due time)."""
    which = parse_cases_command(which)
    now = store.clock()
    open_values = [s.value for s in OPEN_STATUSES]
    stmt = select(Case).where(Case.status.in_(open_values))
    if which == "mine":
        stmt = stmt.where(Case.assignee == slack_actor(user_id))
    elif which == "overdue":
        stmt = stmt.where(Case.resolution_due.isnot(None), Case.resolution_due < now)
    stmt = stmt.order_by(Case.resolution_due.asc(), Case.id.asc())
    with store.unit_of_work() as uow:
        found = [case_to_dict(c, now, uow) for c in uow.session.execute(stmt).unique().scalars()]
    if which == "breached":
        found = [c for c in found if c["sla"]["breached"]]
    return CaseList(which, found[:limit])
