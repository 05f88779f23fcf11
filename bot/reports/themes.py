"""Recurring complaint themes and spike detection."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import select

from bot.cases.models import Case
from bot.cases.store import Store
from bot.reports.windows import Window, window

DIMENSIONS = ("product_line", "defect_category", "component", "batch")


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


def _rows(case_rows: list[Any], win: Window) -> list[tuple[Any, bool]]:
    """(row, in current window) for rows of the current or previous window."""
    return [(row, row.created_at >= win.start) for row in case_rows]


def themes(
    store: Store,
    since: dt.timedelta,
    until: Optional[dt.datetime] = None,
    rule: SpikeRule = SpikeRule(),
) -> dict[str, Any]:
    """Counts by product line, defect category, component and batch, with trend and spikes."""
    win = window(store.clock(), since, until)
    prev = win.previous()
    with store.unit_of_work() as uow:
        stmt = select(
            Case.reference, Case.product_line, Case.defect_category, Case.component, Case.batch, Case.created_at
        ).where(Case.created_at >= prev.start, Case.created_at < win.end)
        rows = list(uow.session.execute(stmt))
    current: dict[str, Counter[str]] = {d: Counter() for d in DIMENSIONS}
    previous: dict[str, Counter[str]] = {d: Counter() for d in DIMENSIONS}
    for row, in_current in _rows(rows, win):
        for dim in DIMENSIONS:
            value = getattr(row, dim)
            if value in (None, ""):
                if dim in ("component", "batch"):
                    continue
                value = "unknown"
            (current if in_current else previous)[dim][value] += 1
    spike_list = spikes(store, until=win.end, rule=rule)
    spiking = {(s["dimension"], s["value"]) for s in spike_list} | {
        ("defect_category", s["defect_category"]) for s in spike_list
    }
    by: dict[str, list[dict[str, Any]]] = {}
    for dim in DIMENSIONS:
        keys = set(current[dim]) | set(previous[dim])
        entries: list[dict[str, Any]] = [
            {
                "value": key,
                "count": current[dim][key],
                "previous": previous[dim][key],
                "change": current[dim][key] - previous[dim][key],
                "trend": _trend(current[dim][key], previous[dim][key]),
                "spike": (dim, key) in spiking,
            }
            for key in keys
        ]
        entries.sort(key=lambda e: (-int(e["count"]), -int(e["previous"]), str(e["value"])))
        by[dim] = entries
    total = sum(1 for _row, in_current in _rows(rows, win) if in_current)
    return {
        "window": win.as_dict(),
        "previous_window": prev.as_dict(),
        "total": total,
        "previous_total": len(rows) - total,
        "by": by,
        "spikes": spike_list,
    }


def spikes(store: Store, until: Optional[dt.datetime] = None, rule: SpikeRule = SpikeRule()) -> list[dict[str, Any]]:
    """Repeated faults (line or batch + defect) well above their baseline rate in the spike window."""
    end = until or store.clock()
    start = end - rule.window
    base_start = start - rule.baseline
    with store.unit_of_work() as uow:
        stmt = (
            select(Case.reference, Case.product_line, Case.batch, Case.defect_category, Case.created_at)
            .where(Case.created_at >= base_start, Case.created_at < end)
            .order_by(Case.created_at)
        )
        rows = list(uow.session.execute(stmt))
    recent: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    baseline: Counter[tuple[str, str, str]] = Counter()
    for row in rows:
        for dim in ("product_line", "batch"):
            value = getattr(row, dim)
            if not value or row.defect_category == "other":
                continue
            key = (dim, value, row.defect_category)
            if row.created_at >= start:
                recent[key].append(row)
            else:
                baseline[key] += 1
    found = []
    scale = rule.window / rule.baseline
    for (dim, value, defect), group in recent.items():
        expected = baseline[(dim, value, defect)] * scale
        if len(group) >= rule.min_cases and len(group) >= rule.ratio * expected:
            found.append(
                {
                    "dimension": dim,
                    "value": value,
                    "defect_category": defect,
                    "count": len(group),
                    "baseline_count": baseline[(dim, value, defect)],
                    "expected": round(expected, 2),
                    "window_days": rule.window.days,
                    "first_at": group[0].created_at.isoformat(),
                    "last_at": group[-1].created_at.isoformat(),
                    "references": [r.reference for r in group],
                }
            )
    found.sort(key=lambda s: (-s["count"], s["dimension"], s["value"]))
    return found
