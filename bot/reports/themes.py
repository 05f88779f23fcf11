"""Recurring complaint themes and spike detection, over complaints only (``kind == 'complaint'``).

Cancellations, returns, call-backs and enquiries are requests, not faults: they never make a theme or a spike.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import case, func, select

from bot.cases.models import Case
from bot.cases.store import Store
from bot.reports.windows import window

DIMENSIONS = ("product_line", "defect_category", "component", "batch")
COMPLAINT = "complaint"


@dataclass(frozen=True)
class SpikeRule:
    """When a repeated fault counts as a spike.

    A group (same product line or batch, same defect category) is flagged when it has at least
    ``min_cases`` cases within ``window`` and that count is at least ``ratio`` times what its rate
    over the ``baseline`` period before the window would predict.
    """

    window: dt.timedelta = dt.timedelta(days=14)
    baseline: dt.timedelta = dt.timedelta(days=90)
    min_cases: int = 3
    ratio: float = 3.0


def _trend(current: int, previous: int) -> str:
    if current > previous:
        return "up"
    if current < previous:
        return "down"
    return "flat"


def _blank(value: Any) -> bool:
    return value is None or value == ""


def themes(
    store: Store,
    since: dt.timedelta,
    until: Optional[dt.datetime] = None,
    rule: SpikeRule = SpikeRule(),
) -> dict[str, Any]:
    """Counts by product line, defect category, component and batch, with trend and spikes.

    Each dimension is counted in the database (``GROUP BY`` over the current and previous window),
    so only one row per distinct value reaches Python.
    """
    win = window(store.clock(), since, until)
    prev = win.previous()
    current, previous, total, previous_total = _count_dimensions(store, win.start, prev.start, win.end)
    spike_list = spikes(store, until=win.end, rule=rule)
    spiking = {(s["dimension"], s["value"]) for s in spike_list} | {
        ("defect_category", s["defect_category"]) for s in spike_list
    }
    by = {dim: _entries(dim, current[dim], previous[dim], spiking) for dim in DIMENSIONS}
    return {
        "window": win.as_dict(),
        "previous_window": prev.as_dict(),
        "case_kinds": [COMPLAINT],
        "total": total,
        "previous_total": previous_total,
        "by": by,
        "spikes": spike_list,
    }


_Counts = dict[str, Counter[str]]


def _count_dimensions(
    store: Store, start: dt.datetime, previous_start: dt.datetime, end: dt.datetime
) -> tuple[_Counts, _Counts, int, int]:
    """Per dimension, the cases in the window (from ``start``) and in the previous one (from ``previous_start``).

    Blank components and batches are left out; a blank product line or defect category counts as "unknown".
    Also the two windows' totals.
    """
    in_current = case((Case.created_at >= start, 1), else_=0)
    current: _Counts = {d: Counter() for d in DIMENSIONS}
    previous: _Counts = {d: Counter() for d in DIMENSIONS}
    total = previous_total = 0
    with store.unit_of_work() as uow:
        for dim in DIMENSIONS:
            column = getattr(Case, dim)
            stmt = (
                select(column, func.sum(in_current), func.count())
                .where(Case.kind == COMPLAINT, Case.created_at >= previous_start, Case.created_at < end)
                .group_by(column)
            )
            for value, in_window, count in uow.session.execute(stmt):
                in_window = int(in_window or 0)
                if dim == DIMENSIONS[0]:
                    total += in_window
                    previous_total += int(count) - in_window
                if _blank(value):
                    if dim in ("component", "batch"):
                        continue
                    value = "unknown"
                current[dim][value] += in_window
                previous[dim][value] += int(count) - in_window
    return current, previous, total, previous_total


def _entries(
    dim: str, current: Counter[str], previous: Counter[str], spiking: set[tuple[str, Any]]
) -> list[dict[str, Any]]:
    """One dimension's values seen in either window, most cases first, with change, trend and spike flag."""
    keys = {k for k, n in current.items() if n} | {k for k, n in previous.items() if n}
    entries: list[dict[str, Any]] = [
        {
            "value": key,
            "count": current[key],
            "previous": previous[key],
            "change": current[key] - previous[key],
            "trend": _trend(current[key], previous[key]),
            "spike": (dim, key) in spiking,
        }
        for key in keys
    ]
    entries.sort(key=lambda e: (-int(e["count"]), -int(e["previous"]), str(e["value"])))
    return entries


def _spike_cases(session: Any, in_group: Any, defect: str, start: dt.datetime, end: dt.datetime) -> list[Any]:
    """The complaints of one spiking group in the spike window, oldest first (reference, created_at)."""
    return list(
        session.execute(
            select(Case.reference, Case.created_at)
            .where(
                Case.kind == COMPLAINT,
                in_group,
                Case.defect_category == defect,
                Case.created_at >= start,
                Case.created_at < end,
            )
            .order_by(Case.created_at, Case.id)
        )
    )


def spikes(store: Store, until: Optional[dt.datetime] = None, rule: SpikeRule = SpikeRule()) -> list[dict[str, Any]]:
    """Repeated faults (line or batch + defect) well above their baseline rate in the spike window.

    Groups are counted in the database; the case references are read only for the groups that spike.
    """
    end = until or store.clock()
    start = end - rule.window
    base_start = start - rule.baseline
    in_recent = case((Case.created_at >= start, 1), else_=0)
    found = []
    scale = rule.window / rule.baseline
    with store.unit_of_work() as uow:
        for dim in ("product_line", "batch"):
            column = getattr(Case, dim)
            stmt = (
                select(column, Case.defect_category, func.sum(in_recent), func.count())
                .where(
                    Case.kind == COMPLAINT,
                    Case.created_at >= base_start,
                    Case.created_at < end,
                    column.is_not(None),
                    column != "",
                    Case.defect_category != "other",
                )
                .group_by(column, Case.defect_category)
            )
            for value, defect, recent_count, count in uow.session.execute(stmt):
                recent = int(recent_count or 0)
                baseline = int(count) - recent
                expected = baseline * scale
                if recent == 0 or recent < rule.min_cases or recent < rule.ratio * expected:
                    continue
                group = _spike_cases(uow.session, column == value, defect, start, end)
                found.append(
                    {
                        "dimension": dim,
                        "value": value,
                        "defect_category": defect,
                        "count": len(group),
                        "baseline_count": baseline,
                        "expected": round(expected, 2),
                        "window_days": rule.window.days,
                        "first_at": group[0].created_at.isoformat(),
                        "last_at": group[-1].created_at.isoformat(),
                        "references": [r.reference for r in group],
                    }
                )
    found.sort(key=lambda s: (-s["count"], s["dimension"], s["value"], s["defect_category"]))
    return found
