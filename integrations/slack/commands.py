"""Parsing and answering the ``/case`` and ``/cases`` slash commands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.cases.case_query import CaseQuery
from bot.cases.status import OPEN_STATUSES
from bot.cases.store import Store
from bot.cases.views import find_cases
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
    query = CaseQuery(
        status=[s.value for s in OPEN_STATUSES],
        assignee=slack_actor(user_id) if which == "mine" else None,
        overdue=which == "overdue",
        sla_breached=True if which == "breached" else None,
        order="due",
        limit=limit,
    )
    return CaseList(which, find_cases(store, query))
