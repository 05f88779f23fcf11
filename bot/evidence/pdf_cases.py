"""PDF sections 1-3 of the evidence pack: the complaint log, recurring themes, root causes and corrective actions."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether

from bot.evidence.charts import bar_chart
from bot.evidence.pdf_parts import Look, fmt, plural

CHART_BARS = 12
TABLE_ROWS = 25


def complaint_log(data: dict[str, Any], look: Look, redacted: bool) -> list[Any]:
    """Opened, resolved, closed and still open; cases by kind, status, channel, priority; the case list."""
    story: list[Any] = [
        look.facts(
            [
                ("Cases opened in the period", data["opened"]),
                ("Cases resolved in the period", data["resolved"]),
                ("Cases closed in the period", data["closed"]),
                ("Cases open at the end of the period", data["open_at_end"]),
            ]
        ),
        look.gap(),
    ]
    for dim, label in (("kind", "Kind"), ("status", "Status now"), ("channel", "Channel"), ("priority", "Priority")):
        counts = data["by"][dim]
        story += [
            look.subheading(f"Cases by {label.lower()}"),
            look.table([label, "Cases"], list(counts.items()) or [("none", 0)], [60 * mm, 30 * mm]),
        ]
    story.append(look.subheading(f"Case log ({data['cases_listed']} newest cases)"))
    header = ["Reference", "Date", "Kind", "Line", "Defect", "Status", "Resolution"]
    widths = [28 * mm, 20 * mm, 20 * mm, 27 * mm, 30 * mm, 25 * mm, look.width - 150 * mm]
    rows = [
        [c["reference"], c["date"], c["kind"], c["line"], c["defect"], c["status"], c["resolution"]]
        for c in data["cases"]
    ]
    story.append(look.table(header, rows or [["none"] + [""] * 6], widths))
    if data["cases_not_listed"]:
        story.append(look.text(f"{data['cases_not_listed']} older cases of the period are not listed."))
    if redacted:
        story.append(look.text("Personal data redacted: no names, e-mail addresses, phone numbers or descriptions."))
    else:
        story += _customers(data, look)
    return story


def _customers(data: dict[str, Any], look: Look) -> list[Any]:
    """The customer and the customer's words of each listed case (unredacted packs only)."""
    rows = [
        [c["reference"], c.get("customer_name"), c.get("customer_email"), c.get("description")] for c in data["cases"]
    ]
    widths = [28 * mm, 30 * mm, 45 * mm, look.width - 103 * mm]
    return [
        look.subheading("Customers and descriptions (unredacted)"),
        look.table(["Reference", "Customer", "E-mail", "Description"], rows, widths),
    ]


def _entries_table(look: Look, label: str, entries: list[dict[str, Any]]) -> list[Any]:
    """A dimension's values, most complaints first (the first TABLE_ROWS; the JSON has them all)."""
    rows = [[e["value"], e["count"], e["previous"], e["trend"], "spike" if e["spike"] else ""] for e in entries]
    story: list[Any] = [
        look.table(
            [label, "Complaints", "Period before", "Trend", "Spike"], rows[:TABLE_ROWS] or [["none", 0, 0, "", ""]]
        )
    ]
    if len(rows) > TABLE_ROWS:
        story.append(look.text(f"{len(rows) - TABLE_ROWS} more with fewer complaints are in the JSON pack."))
    return story


def themes(data: dict[str, Any], look: Look, redacted: bool) -> list[Any]:
    """Complaints by product line, batch and defect with charts; the recurring (line or batch, defect) problems."""
    story: list[Any] = [
        look.text(
            f"{data['total']} complaints (faults) in the period, {data['previous_total']} in the period before. "
            "Cancellations, returns, call-backs and enquiries are not defects and are not counted here."
        )
    ]
    for key, label in (("by_product_line", "Product line"), ("by_batch", "Batch")):
        entries = [e for e in data[key] if e["count"]][:CHART_BARS]
        chart = bar_chart("", [e["value"] for e in entries], [e["count"] for e in entries], look.width)
        story += [
            KeepTogether([look.subheading(f"Complaints by {label.lower()}"), chart]),
            *_entries_table(look, label, data[key]),
        ]
    story += [look.subheading("Complaints by defect"), *_entries_table(look, "Defect", data["by_defect"])]
    for key, label in (("line_defect", "Product line"), ("batch_defect", "Batch")):
        rows = [[p["value"], p["defect"], p["count"]] for p in data[key]]
        story += [
            look.subheading(f"Recurring problems: {label.lower()} and defect"),
            look.table([label, "Defect", "Complaints"], rows or [["none", "", 0]]),
        ]
    story += [look.subheading("Spikes and options")]
    if not data["spikes"]:
        story.append(look.text("No spikes: no line or batch had the same defect well above its usual rate."))
    for s in data["spikes"]:
        story.append(
            look.text(
                f"Spike: {s['dimension'].replace('_', ' ')} {s['value']} / {s['defect_category']}: {s['count']} "
                f"complaints in {s['window_days']} days (expected {s['expected']}). Options: open a root-cause "
                "investigation of the theme, hold or inspect the batch, check the supplier or the process step."
            )
        )
    return story


def corrective_actions(data: dict[str, Any], look: Look, redacted: bool) -> list[Any]:
    """Each investigation: theme, 5 Whys, root cause, and its actions with recurrence before and after."""
    story: list[Any] = [
        look.text(
            f"{plural(len(data['investigations']), 'investigation')}, {plural(data['actions'], 'corrective action')}, "
            f"{data['verified']} verified by measurement, {data['effective']} effective (fewer complaints after)."
        )
    ]
    if not data["investigations"]:
        story.append(look.text("No investigation was open or active in the period."))
    for inv in data["investigations"]:
        theme = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in inv["theme"].items() if v)
        story += [
            look.subheading(f"Investigation {inv['id']}: {inv['title']}"),
            look.facts(
                [
                    ("Theme", theme),
                    ("Status / opened", f"{inv['status']} / {fmt(inv['opened'])}"),
                    ("Cause category", inv["cause_category"]),
                    ("5 Whys", "\n".join(f"{n}. {w}" for n, w in enumerate(inv["five_whys"], start=1))),
                    ("Root cause", inv["root_cause"]),
                ]
            ),
            look.gap(2),
        ]
        story += _actions(inv["actions"], look)
    return story


def _actions(actions: list[dict[str, Any]], look: Look) -> list[Any]:
    """The actions of one investigation with their measured follow-up, and a before / after chart."""
    if not actions:
        return [look.text("No corrective action recorded yet.")]
    rows = []
    for a in actions:
        follow = a["follow_up"]
        if follow is None:
            measured = ["not verified yet", "", ""]
        else:
            change = "-" if follow["change_pct"] is None else f"{follow['change_pct']:+g}%"
            verdict = "improved" if follow["improved"] else "not improved"
            measured = [
                f"{follow['before']['rate']} ({plural(follow['before']['cases'], 'case')})",
                f"{follow['after']['rate']} ({plural(follow['after']['cases'], 'case')})",
                f"{change} {verdict} ({follow['unit']}, {follow['window_days']} days each side"
                + ("" if follow["complete"] else ", after window still running")
                + ")",
            ]
        rows.append([a["description"], a["owner"], a["due_date"], a["action_date"], a["status"], *measured])
    widths = [40 * mm, 20 * mm, 17 * mm, 17 * mm, 18 * mm, 22 * mm, 22 * mm, look.width - 156 * mm]
    story: list[Any] = [
        look.table(["Action", "Owner", "Due", "Done", "Status", "Before", "After", "Change"], rows, widths)
    ]
    verified = [a for a in actions if a["follow_up"] is not None]
    for a in verified:
        follow = a["follow_up"]
        story.append(
            bar_chart(
                f"Recurrence before and after action {a['id']} ({follow['unit']})",
                ["before", "after"],
                [follow["before"]["rate"], follow["after"]["rate"]],
                look.width * 0.6,
            )
        )
    return story
