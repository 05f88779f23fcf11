"""Sections 2-7 of the evidence pack, built from the supervisor reports (bot.reports) and the review reports.

Each function returns the JSON-ready data of one section. Staff free text (investigation titles, 5 Whys, root
causes, corrective actions) is passed through :func:`bot.exports.redact.redact_text` in a redacted pack; customer
identities never appear in a redacted pack.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Optional, Sequence

from sqlalchemy import func, select

from bot import reports
from bot.cases.models import Case
from bot.cases.store import Store
from bot.exports.redact import redact_text
from bot.reports.windows import Window

log = logging.getLogger(__name__)

COMPLAINT = "complaint"
TOP_PAIRS = 15
BREACHED_LISTED = 50


def themes(store: Store, win: Window) -> dict[str, Any]:
    """Complaints by product line, batch and defect (with the window before), spikes, and line/batch x defect."""
    result = reports.themes(store, win.end - win.start, win.end)
    with store.unit_of_work() as uow:
        pairs = {
            name: _pairs(uow.session, getattr(Case, column), win)
            for name, column in (("line_defect", "product_line"), ("batch_defect", "batch"))
        }
    return {
        "case_kinds": result["case_kinds"],
        "total": result["total"],
        "previous_total": result["previous_total"],
        "previous_window": result["previous_window"],
        "by_product_line": result["by"]["product_line"],
        "by_batch": result["by"]["batch"],
        "by_defect": result["by"]["defect_category"],
        "by_component": result["by"]["component"],
        **pairs,
        "spikes": result["spikes"],
    }


def _pairs(session: Any, column: Any, win: Window) -> list[dict[str, Any]]:
    """The most frequent (line or batch, defect) pairs among the window's complaints: the recurring problems."""
    stmt = (
        select(column, Case.defect_category, func.count())
        .where(Case.kind == COMPLAINT, Case.created_at >= win.start, Case.created_at < win.end)
        .where(column.is_not(None), column != "")
        .group_by(column, Case.defect_category)
        .order_by(func.count().desc(), column, Case.defect_category)
        .limit(TOP_PAIRS)
    )
    return [{"value": value, "defect": defect, "count": int(n)} for value, defect, n in session.execute(stmt)]


def corrective_actions(store: Store, win: Window, redacted: bool, names: Sequence[str]) -> dict[str, Any]:
    """Investigations relevant to the window, their root causes and corrective actions with the measured follow-up.

    Relevant: opened before the window ended and either still open, opened in it, or with an action due, done or
    verified in it. The follow-up is the verification recorded with ``verify_action`` (recurrence before / after).
    """
    start, end = win.start.date(), win.end.date()
    chosen = []
    for inv in reports.list_investigations(store):
        opened = _day(inv["created_at"])
        if opened is None or opened > end:
            continue
        dates = [_day(a.get(k)) for a in inv["actions"] for k in ("due_date", "action_date", "verified_at")]
        if inv["status"] == "open" or opened >= start or any(d is not None and start <= d <= end for d in dates):
            chosen.append(_investigation(inv, redacted, names))
    actions = [a for inv in chosen for a in inv["actions"]]
    verified = [a for a in actions if a["follow_up"] is not None]
    return {
        "investigations": chosen,
        "actions": len(actions),
        "verified": len(verified),
        "effective": sum(1 for a in verified if a["follow_up"]["improved"]),
    }


def _day(value: Optional[str]) -> Optional[dt.date]:
    return dt.date.fromisoformat(value[:10]) if value else None


def _investigation(inv: dict[str, Any], redacted: bool, names: Sequence[str]) -> dict[str, Any]:
    def text(value: Optional[str]) -> Optional[str]:
        return redact_text(value, names) if (redacted and value) else value

    return {
        "id": inv["id"],
        "title": text(inv["title"]),
        "theme": {k: inv[k] for k in ("product_line", "batch", "defect_category", "component")},
        "status": inv["status"],
        "opened": inv["created_at"],
        "cause_category": inv["cause_category"],
        "five_whys": [text(w) for w in inv["five_whys"]],
        "root_cause": text(inv["root_cause"]),
        "actions": [
            {
                "id": a["id"],
                "description": text(a["description"]),
                "owner": a["owner"],
                "due_date": a["due_date"],
                "action_date": a["action_date"],
                "status": a["status"],
                "verified_at": a["verified_at"],
                "follow_up": _follow_up(a.get("verification")),
            }
            for a in inv["actions"]
        ],
    }


def _follow_up(verification: Optional[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """Recurrence before and after the action, as recorded by its verification (None when not verified yet)."""
    if not verification:
        return None
    before, after = verification["before"], verification["after"]
    return {
        "unit": verification["unit"],
        "window_days": verification["window_days"],
        "before": {k: before.get(k) for k in ("from", "to", "cases", "orders", "rate")},
        "after": {k: after.get(k) for k in ("from", "to", "cases", "orders", "rate")},
        "change_pct": verification["change_pct"],
        "improved": verification["improved"],
        "complete": verification["complete"],
    }


def service_levels(store: Store, win: Window) -> dict[str, Any]:
    """SLA compliance, time to first response and to resolution, per priority; open cases past a due time."""
    result = reports.sla(store, win.end - win.start, win.end)
    breached = result["breached_open"]
    return {
        "case_kinds": result["case_kinds"],
        "cases": result["cases"],
        "by_kind": result["by_kind"],
        "first_response": result["first_response"],
        "resolution": result["resolution"],
        "by_priority": result["by_priority"],
        "breached_open": len(breached),
        "breached_open_cases": [
            {k: c[k] for k in ("reference", "priority", "status", "resolution_due")} for c in breached[:BREACHED_LISTED]
        ],
    }


def satisfaction(store: Store, win: Window, redacted: bool) -> dict[str, Any]:
    """Satisfaction answers, reopened cases and repeat complaints (customers anonymised in a redacted pack)."""
    result = reports.satisfaction(store, win.end - win.start, win.end)
    repeat = result["repeat_complaints"]
    customers = [
        {"customer": f"customer {n}", "cases": c["cases"]}
        if redacted
        else {"customer": c["name"] or c["email"], "customer_email": c["email"], "cases": c["cases"]}
        for n, c in enumerate(repeat["customers"], start=1)
    ]
    return {
        "case_kinds": result["case_kinds"],
        "answers": result["answers"],
        "average": result["average"],
        "distribution": result["distribution"],
        "low_share": result["low_share"],
        "reopened": result["reopened"],
        "reopened_cases": result["reopened_cases"],
        "repeat_customers": customers,
        "repeat_products": [
            {"sku": p["sku"], "product": p["name"], "line": p["line"], "cases": p["cases"]} for p in repeat["products"]
        ],
    }


def process_reviews(store: Store, win: Window) -> dict[str, Any]:
    """Listen - Understand - Resolve - Confirm compliance per week, and the supervisors' reviews."""
    result = reports.compliance(store, win.end - win.start, win.end)
    weeks = result["weeks"]
    conversations = sum(w["conversations"] for w in weeks)
    followed = sum(w["followed"] for w in weeks)
    return {
        "compliance": {
            "case_kinds": result["case_kinds"],
            "conversations": conversations,
            "followed": followed,
            "share": round(followed / conversations, 3) if conversations else None,
            "weeks": weeks,
            "flagged": len(result["flagged"]),
            "flagged_cases": result["flagged"][:BREACHED_LISTED],
        },
        "reviews": review_figures(store, win),
    }


def review_figures(store: Store, win: Window) -> dict[str, Any]:
    """The supervisors' review summary for the window (``available: False`` until the review reports exist)."""
    try:
        from bot.reviews.reports import review_summary
    except ImportError:
        log.info("review reports are not available yet: the evidence pack leaves the review figures out")
        return {"available": False}
    return {"available": True, **review_summary(store, win.end - win.start, win.end)}


def process_map(store: Store, win: Window) -> dict[str, Any]:
    """Paths between case statuses in the audit trail of the window's cases, with the SVG drawing."""
    pmap = reports.process_map(store, win.end - win.start, win.end)
    return {**pmap, "svg": reports.process_map_svg(pmap)}
