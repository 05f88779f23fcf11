"""The evidence pack as data: a cover, and seven sections each saying which criterion it evidences."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Optional

from bot.cases.store import Store
from bot.evidence import sections
from bot.evidence.complaint_log import complaint_log, customer_names
from bot.evidence.criteria import SECTIONS, criteria_index
from bot.reports.windows import Window, window

PACK_VERSION = 1


def pack_window(store: Store, since: dt.timedelta, until: Optional[dt.datetime] = None) -> Window:
    """The period a pack covers: ``since`` long, ending at ``until`` (default: now)."""
    if since <= dt.timedelta(0):
        raise ValueError("the period of an evidence pack must be at least a day")
    if until is not None and until.tzinfo is None:
        raise ValueError("give the end of the period with its time zone (e.g. 2026-11-30T00:00:00+00:00)")
    return window(store.clock(), since, until)


def build_pack(
    store: Store,
    since: dt.timedelta,
    until: Optional[dt.datetime] = None,
    redacted: bool = True,
    actor: str = "cli",
) -> dict[str, Any]:
    """Everything an assessor needs for the period, JSON-ready: cover (period, who, when, redacted, index) and sections.

    ``redacted`` (the default) leaves out customers' names, e-mail addresses, phone numbers and descriptions.
    """
    win = pack_window(store, since, until)
    names = customer_names(store, win) if redacted else []
    data: dict[str, dict[str, Any]] = {
        "complaint_log": complaint_log(store, win, redacted),
        "themes": sections.themes(store, win),
        "corrective_actions": sections.corrective_actions(store, win, redacted, names),
        "service_levels": sections.service_levels(store, win),
        "satisfaction": sections.satisfaction(store, win, redacted),
        "process_reviews": sections.process_reviews(store, win),
        "process_map": sections.process_map(store, win),
    }
    return {
        "version": PACK_VERSION,
        "cover": {
            "title": "Complaint handling evidence pack",
            "period": win.as_dict(),
            "days": round(win.days, 1),
            "generated_at": store.clock().isoformat(),
            "generated_by": actor,
            "redacted": redacted,
            "index": criteria_index(),
        },
        "sections": [
            {
                "number": n,
                "key": spec.key,
                "title": spec.title,
                "criterion": spec.criterion,
                "criteria": list(spec.criteria),
                "data": data[spec.key],
            }
            for n, spec in enumerate(SECTIONS, start=1)
        ],
    }


def pack_json(pack: dict[str, Any]) -> bytes:
    """The pack as the JSON bytes handed out (and hashed)."""
    return (json.dumps(pack, indent=2, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def section(pack: dict[str, Any], key: str) -> dict[str, Any]:
    """The data of one section of a pack by its key (``themes``, ``satisfaction``...)."""
    for item in pack["sections"]:
        if item["key"] == key:
            data: dict[str, Any] = item["data"]
            return data
    raise KeyError(f"the pack has no section {key!r}")


def pack_period(pack: dict[str, Any]) -> Window:
    """The period of a built pack."""
    period = pack["cover"]["period"]
    return Window(dt.datetime.fromisoformat(period["from"]), dt.datetime.fromisoformat(period["to"]))
