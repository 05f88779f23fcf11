"""PDF sections 4-7 of the evidence pack: SLA, satisfaction, process compliance and reviews, the process map."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm

from bot.evidence.charts import bar_chart, line_chart, process_map_drawing
from bot.evidence.pdf_parts import Look, fmt, pct

STAGES = ("Listen", "Understand", "Resolve", "Confirm")


def _times_row(label: str, part: dict[str, Any]) -> list[Any]:
    return [label, part["met"], part["breached"], pct(part["rate"]), part["median_hours"], part["p90_hours"]]


def service_levels(data: dict[str, Any], look: Look, redacted: bool) -> list[Any]:
    """Met and breached due times, median and 90th percentile hours, per priority; open cases past a due time."""
    kinds = ", ".join(f"{n} {k}" for k, n in data["by_kind"].items())
    header = ["", "Met", "Breached", "Compliance", "Median hours", "90th percentile hours"]
    story: list[Any] = [
        look.text(f"All kinds of case logged in the period: {data['cases']} ({kinds or 'none'})."),
        look.table(
            header,
            [_times_row("First response", data["first_response"]), _times_row("Resolution", data["resolution"])],
        ),
        look.subheading("By priority"),
    ]
    rows = [
        [p, v["cases"], pct(v["first_response"]["rate"]), pct(v["resolution"]["rate"]), v["resolution"]["breached"]]
        for p, v in data["by_priority"].items()
    ]
    story.append(
        look.table(
            ["Priority", "Cases", "First response on time", "Resolved on time", "Resolution breached"],
            rows or [["none", 0, "-", "-", 0]],
        )
    )
    priorities = list(data["by_priority"])
    story.append(
        bar_chart(
            "Resolved within the SLA, percent of decided cases, by priority",
            priorities,
            [round((data["by_priority"][p]["resolution"]["rate"] or 0) * 100) for p in priorities],
            look.width,
            top=100,
        )
    )
    story.append(look.subheading(f"Open cases past a due time now: {data['breached_open']}"))
    if data["breached_open_cases"]:
        rows = [[c["reference"], c["priority"], c["status"], c["resolution_due"]] for c in data["breached_open_cases"]]
        story.append(look.table(["Reference", "Priority", "Status", "Resolution due"], rows))
    return story


def satisfaction(data: dict[str, Any], look: Look, redacted: bool) -> list[Any]:
    """Answers, average score, low scores, reopenings, the distribution chart and repeat complaints."""
    story: list[Any] = [
        look.facts(
            [
                ("Satisfaction answers", data["answers"]),
                ("Average score (1-5)", data["average"]),
                ("Low scores (1-2)", pct(data["low_share"])),
                ("Cases reopened after the follow-up", data["reopened_cases"]),
            ]
        ),
        look.gap(),
        bar_chart(
            "Satisfaction scores (answers per score)",
            [f"score {s}" for s in data["distribution"]],
            list(data["distribution"].values()),
            look.width,
        ),
        look.subheading("Customers with more than one complaint"),
    ]
    rows = [[c["customer"], c["cases"]] for c in data["repeat_customers"]]
    story.append(look.table(["Customer", "Complaints"], rows or [["none", 0]], [70 * mm, 30 * mm]))
    if redacted and rows:
        story.append(look.text("Customers are numbered, not named: personal data redacted."))
    story.append(look.subheading("Products with more than one complaint"))
    rows = [[p["product"], p["sku"], p["line"], p["cases"]] for p in data["repeat_products"]]
    story.append(look.table(["Product", "SKU", "Line", "Complaints"], rows or [["none", "", "", 0]]))
    return story


def process_reviews(data: dict[str, Any], look: Look, redacted: bool) -> list[Any]:
    """Share of complaint conversations that followed the whole flow per week; the supervisors' reviews."""
    comp = data["compliance"]
    weeks = comp["weeks"]
    story: list[Any] = [
        look.subheading("Was the process followed?"),
        look.text(
            f"{comp['followed']} of {comp['conversations']} complaint conversations ({pct(comp['share'])}) went "
            "through Listen, Understand (with a read-back), Resolve and Confirm; "
            f"{comp['flagged']} were flagged."
        ),
        look.table(
            ["Week", "Conversations", "Followed", "Share"],
            [[w["week"], w["conversations"], w["followed"], pct(w["share"])] for w in weeks] or [["none", 0, 0, "-"]],
        ),
        look.gap(),
        line_chart(
            "Conversations following the whole flow, percent per week",
            [w["week"] for w in weeks],
            {"followed": [round((w["share"] or 0) * 100) for w in weeks]},
            look.width,
        ),
    ]
    if comp["flagged_cases"]:
        rows = [[f["reference"], f["week"], ", ".join(f["problems"])] for f in comp["flagged_cases"]]
        story.append(
            look.table(["Reference", "Week", "What was missing"], rows, [30 * mm, 22 * mm, look.width - 52 * mm])
        )
    return story + _reviews(data["reviews"], look)


def _reviews(rev: dict[str, Any], look: Look) -> list[Any]:
    """Coverage, scores per stage (overall, per week, by channel and staff), findings, disagreements."""
    story: list[Any] = [look.subheading("Supervisor reviews")]
    if not rev.get("available"):
        return story + [look.text("Supervisor reviews are not recorded in this installation yet.")]
    story += [
        look.facts(
            [
                ("Conversations eligible for review", rev["eligible"]),
                ("Queued for review", rev["queued"]),
                ("Reviewed", rev["reviewed"]),
                ("Coverage", pct(rev["coverage"])),
                ("Reviewer disagreed with the pre-filled score", rev["disagreements"]),
            ]
        ),
        look.gap(2),
        look.table(["Stage", *STAGES], [["Average score", *(pct(rev["stages"].get(s)) for s in STAGES)]]),
    ]
    weeks = rev["weeks"]
    if weeks:
        story.append(
            look.table(
                ["Week", "Reviews", *STAGES],
                [[w["week"], w["reviews"], *(pct(w.get(s)) for s in STAGES)] for w in weeks],
            )
        )
        series = {s: [None if w.get(s) is None else round(w[s] * 100) for w in weeks] for s in STAGES}
        story.append(look.gap())
        story.append(
            line_chart("Review scores per stage, percent per week", [w["week"] for w in weeks], series, look.width)
        )
    for key, label in (("by_channel", "channel"), ("by_staff", "staff")):
        rows = [[r[label], r["reviews"], *(pct(r.get(s)) for s in STAGES)] for r in rev[key]]
        if rows:
            story += [
                look.subheading(f"Reviews by {label}"),
                look.table([label.capitalize(), "Reviews", *STAGES], rows),
            ]
    story.append(look.subheading("Most frequent findings"))
    rows = [[f["label"], f["criterion"], f["count"]] for f in rev["findings"]]
    story.append(
        look.table(
            ["Finding", "Criterion", "Reviews"], rows or [["none", "", 0]], [90 * mm, 50 * mm, look.width - 140 * mm]
        )
    )
    return story


def process_map(data: dict[str, Any], look: Look, redacted: bool) -> list[Any]:
    """The status map drawn from the audit trail, and each step's count and median hours."""
    rows = [[e["from"], e["to"], e["count"], fmt(e["median_hours"])] for e in data["edges"]]
    return [
        look.text(
            f"Paths between case statuses in the audit trail of the {data['cases']} cases logged in the period: "
            "the number of cases that took each step and the median hours it took."
        ),
        process_map_drawing(data, look.width),
        look.table(["From", "To", "Cases", "Median hours"], rows or [["no status changes", "", 0, "-"]]),
        look.subheading("Cases in each status now"),
        look.table(["Status", "Cases"], list(data["current"].items()) or [["none", 0]], [60 * mm, 30 * mm]),
    ]
