"""Was the process followed? Listen - Understand - Resolve - Confirm per conversation, and the process map."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from html import escape
from typing import Any, Optional, Sequence

from sqlalchemy import select

from bot.cases.models import Case, CaseEvent, TranscriptLine
from bot.cases.store import Store
from bot.reports.windows import hours, median, rounded, window

STAGES = ("Listen", "Understand", "Resolve", "Confirm")

# Wording ids (data/wording/messages.yml) the checks look for. The stage of every other line is the one its
# message was given where the wording lives, stored with the line: nothing here reads the words.
READ_BACK_IDS = frozenset({"read_back.intro"})
HANDOFF_IDS = frozenset({"handoff.with_case", "handoff.without_case", "store.deferred_handoff"})
# What the assistant says when it has logged (or, with the database down, kept) a case: the end of its flow.
DEFERRED_IDS = frozenset({"store.deferred_case", "store.deferred_handoff"})
CLOSING_IDS = DEFERRED_IDS | {
    "confirm.case_logged",
    "handoff.with_case",
    "callback.logged",
    "cancel_order.logged",
    "orders.investigation_logged",
    "returns.logged",
}
LATE_ID = "confirm.case_logged_late"  # the reference of a case kept while the database was down, given later
HANDED_OVER = "handed over before the read-back"


@dataclass(frozen=True)
class AnnotatedTurn:
    """A transcript turn with the stage of the response that said it (None for customer and staff turns).

    ``in_flow`` marks the turns of the flow judged: from the end of any earlier case's flow to the message
    that logged this case (what follows, e.g. the satisfaction follow-up, is shown but not judged).
    """

    speaker: str
    text: str
    stage: Optional[str]
    at: Optional[str] = None
    message_id: Optional[str] = None
    actor: Optional[str] = None
    in_flow: bool = True


def _field(turn: Any, name: str) -> Any:
    return turn.get(name) if isinstance(turn, dict) else getattr(turn, name, None)


def _annotated(turn: Any) -> AnnotatedTurn:
    """One turn (a dict of the case JSON, a stored line or a transcript turn) with its stored stage."""
    speaker = str(_field(turn, "speaker"))
    at = _field(turn, "at") if _field(turn, "at") is not None else _field(turn, "said_at")
    stage = _field(turn, "stage") if speaker == "bot" else None
    stage = str(stage).capitalize() if stage and str(stage).capitalize() in STAGES else None
    return AnnotatedTurn(
        speaker,
        str(_field(turn, "text") or ""),
        stage,
        at.isoformat() if isinstance(at, dt.datetime) else at,
        (_field(turn, "message_id") or None) if speaker == "bot" else None,
        _field(turn, "actor"),
    )


def _closing(turns: Sequence[AnnotatedTurn], closings: list[int], reference: Optional[str]) -> Optional[int]:
    """Where the flow of case ``reference`` ended (the last flow when no reference is given)."""
    if not reference:
        return closings[-1] if closings else None
    mine = [i for i in closings if reference in turns[i].text]
    if mine:
        return mine[0]
    # Kept while the database was down, then announced: the flow ended with "your reference will follow".
    late = [i for i, t in enumerate(turns) if t.message_id == LATE_ID and reference in t.text]
    kept = [i for i in closings if late and i < late[0] and turns[i].message_id in DEFERRED_IDS]
    return kept[-1] if kept else (closings[-1] if closings else None)  # not found: the last flow


def _flow_bounds(turns: Sequence[AnnotatedTurn], reference: Optional[str]) -> tuple[int, int]:
    """``[start, end)`` of the flow to judge: from the end of an earlier case's flow to the end of this one's."""
    closings = [i for i, t in enumerate(turns) if t.message_id in CLOSING_IDS]
    close = _closing(turns, closings, reference)
    end = len(turns) if close is None else close + 1  # not stored as logged: the flow so far
    earlier = [i for i in closings if i < end - 1 or close is None]
    return (earlier[-1] + 1 if earlier else 0), end


def _first(turns: Sequence[AnnotatedTurn], test: Any) -> Optional[int]:
    return next((i for i, t in enumerate(turns) if t.speaker == "bot" and test(t)), None)


def _problems(flow: Sequence[AnnotatedTurn], seen: list[str]) -> tuple[list[str], list[str], bool]:
    """(missing stages, problems, read back before the offer) of one flow."""
    read_back = _first(flow, lambda t: t.message_id in READ_BACK_IDS)
    offer = _first(flow, lambda t: t.stage == "Resolve")
    understood = _first(flow, lambda t: t.stage == "Understand")
    handoff = _first(flow, lambda t: t.message_id in HANDOFF_IDS)
    handed_over_early = handoff is not None and (read_back is None or handoff < read_back)
    ends_in_handoff = bool(flow) and flow[-1].message_id in HANDOFF_IDS
    # A flow handed to a person after the read-back is theirs to resolve and confirm.
    required = STAGES[:2] if ends_in_handoff and not handed_over_early else STAGES
    missing = [s for s in required if s not in seen]
    problems = [f"skipped {s}" for s in missing]
    if handed_over_early:
        problems.append(HANDED_OVER)
    elif read_back is None and not ends_in_handoff:
        problems.append("no read-back of the facts")
    if offer is not None and read_back is not None and read_back > offer:
        problems.append("no read-back of the facts before the offer")
    if offer is not None and understood is not None and offer < understood:
        problems.append("options offered before the facts were understood")
    return missing, problems, read_back is not None and (offer is None or read_back < offer)


def annotate(turns: Sequence[Any], reference: Optional[str] = None) -> dict[str, Any]:
    """Each turn with the stage stored with it, and whether the flow of the case followed the process.

    ``turns`` are objects or dicts with ``speaker``, ``text`` and, for bot lines, ``stage`` and ``message_id``
    (the response that said it). The flow judged ends with the message that logged case ``reference`` (without
    one, the last such message); lines after it (the follow-up, later questions) are not judged. A flow is
    followed when all four stages appear, the facts were read back (``read_back.intro``) before the offer,
    nothing was offered before the facts were asked for, and the customer was not handed to a person before
    the read-back. Returns ``turns, stages, missing, read_back, problems, followed``.
    """
    annotated = [_annotated(turn) for turn in turns]
    start, end = _flow_bounds(annotated, reference)
    annotated = [AnnotatedTurn(**{**t.__dict__, "in_flow": start <= i < end}) for i, t in enumerate(annotated)]
    flow = annotated[start:end]
    seen = list(dict.fromkeys(t.stage for t in flow if t.stage))
    missing, problems, read_back = _problems(flow, seen)
    return {
        "turns": [t.__dict__ for t in annotated],
        "stages": seen,
        "missing": missing,
        "read_back": read_back,
        "problems": problems,
        "followed": not problems,
    }


def compliance(store: Store, since: dt.timedelta, until: Optional[dt.datetime] = None) -> dict[str, Any]:
    """Per ISO week, the share of complaint conversations (with a transcript) that followed the whole flow.

    Listen - Understand - Resolve - Confirm is how a complaint is handled: requests of other kinds (a call-back,
    a cancellation) are left out.
    """
    win = window(store.clock(), since, until)
    with store.unit_of_work() as uow:
        cases = list(
            uow.session.execute(
                select(Case.id, Case.reference, Case.created_at)
                .where(Case.kind == "complaint", Case.created_at >= win.start, Case.created_at < win.end)
                .order_by(Case.created_at)
            )
        )
        lines: dict[int, list[TranscriptLine]] = defaultdict(list)
        if cases:
            ids = [c.id for c in cases]
            for chunk in range(0, len(ids), 500):
                stmt = (
                    select(TranscriptLine)
                    .where(TranscriptLine.case_id.in_(ids[chunk : chunk + 500]))
                    .order_by(TranscriptLine.case_id, TranscriptLine.seq)
                )
                for line in uow.session.execute(stmt).scalars():
                    lines[line.case_id].append(line)
    weeks: dict[str, dict[str, Any]] = {}
    flagged = []
    for case in cases:
        if not lines.get(case.id):
            continue
        result = annotate(lines[case.id], case.reference)
        year, week, _ = case.created_at.isocalendar()
        key = f"{year}-W{week:02d}"
        bucket = weeks.setdefault(key, {"week": key, "conversations": 0, "followed": 0})
        bucket["conversations"] += 1
        if result["followed"]:
            bucket["followed"] += 1
        else:
            flagged.append({"reference": case.reference, "week": key, "problems": result["problems"]})
    for bucket in weeks.values():
        bucket["share"] = rounded(bucket["followed"] / bucket["conversations"], 3)
    return {
        "window": win.as_dict(),
        "case_kinds": ["complaint"],
        "weeks": sorted(weeks.values(), key=lambda b: b["week"]),
        "flagged": flagged,
    }


def process_map(
    store: Store, since: Optional[dt.timedelta] = None, until: Optional[dt.datetime] = None
) -> dict[str, Any]:
    """Paths between statuses from the audit trail: counts and median hours per step.

    Every case starts in ``new`` when its ``case_created`` event is written; each ``status_changed``
    event is one step from the status the case was in, timed from when it entered that status.
    """
    with store.unit_of_work() as uow:
        stmt = (
            select(CaseEvent.case_id, CaseEvent.kind, CaseEvent.data, CaseEvent.created_at)
            .where(CaseEvent.kind.in_(["case_created", "status_changed"]))
            .order_by(CaseEvent.case_id, CaseEvent.seq)
        )
        if since is not None:
            win = window(store.clock(), since, until)
            case_ids = select(Case.id).where(Case.created_at >= win.start, Case.created_at < win.end)
            stmt = stmt.where(CaseEvent.case_id.in_(case_ids))
        events = list(uow.session.execute(stmt))
    durations: dict[tuple[str, str], list[float]] = defaultdict(list)
    entered: dict[int, tuple[str, dt.datetime]] = {}
    starts = 0
    for ev in events:
        if ev.kind == "case_created":
            entered[ev.case_id] = ("new", ev.created_at)
            starts += 1
            continue
        data = ev.data or {}
        source = str(data.get("from") or (entered.get(ev.case_id, ("new", ev.created_at))[0]))
        target = str(data.get("to"))
        since_at = entered.get(ev.case_id, (source, ev.created_at))[1]
        durations[(source, target)].append(hours(ev.created_at - since_at))
        entered[ev.case_id] = (target, ev.created_at)
    edges = [
        {"from": s, "to": t, "count": len(v), "median_hours": rounded(median(v))}
        for (s, t), v in sorted(durations.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    final: dict[str, int] = defaultdict(int)
    for status, _at in entered.values():
        final[status] += 1
    return {"cases": starts, "edges": edges, "current": dict(sorted(final.items()))}


_LAYOUT = {
    "new": (20, 150),
    "triaged": (200, 60),
    "in_progress": (380, 60),
    "awaiting_customer": (380, 240),
    "resolved": (560, 150),
    "closed": (740, 60),
    "reopened": (740, 240),
}
_BOX_W, _BOX_H = 140, 44


def process_map_svg(pmap: dict[str, Any]) -> str:
    """Render a process map as a standalone SVG: a box per status, an arrow per step with count and median."""
    statuses = list(_LAYOUT)
    for edge in pmap["edges"]:
        for name in (edge["from"], edge["to"]):
            if name not in statuses:
                statuses.append(name)
    positions = dict(_LAYOUT)
    for index, name in enumerate(s for s in statuses if s not in _LAYOUT):
        positions[name] = (20 + index * 180, 330)
    max_count = max((e["count"] for e in pmap["edges"]), default=1)
    parts = _svg_head(pmap["edges"])
    for edge in pmap["edges"]:
        parts += _svg_arrow(edge, positions[edge["from"]], positions[edge["to"]], max_count)
    current = pmap.get("current", {})
    for name in statuses:
        parts += _svg_box(name, positions[name], int(current.get(name, 0)))
    parts.append("</svg>")
    return "\n".join(parts)


def _svg_head(edges: list[dict[str, Any]]) -> list[str]:
    """The opening ``<svg>`` with its title, a text description of every step, and the arrow head."""
    width, height = 920, 400
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-labelledby="pm-title pm-desc" font-family="sans-serif" font-size="12">',
        '<title id="pm-title">Process map of case statuses</title>',
        '<desc id="pm-desc">'
        + escape(
            "; ".join(f"{e['from']} to {e['to']}: {e['count']} cases, median {e['median_hours']} hours" for e in edges)
            or "no status changes yet"
        )
        + "</desc>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#1f3b57"/></marker></defs>',
    ]


def _svg_arrow(edge: dict[str, Any], source: tuple[int, int], target: tuple[int, int], max_count: int) -> list[str]:
    """One step: a curved arrow between two boxes (thicker for more cases) labelled with count and median."""
    x1, y1 = source
    x2, y2 = target
    sx, sy = x1 + _BOX_W / 2, y1 + _BOX_H / 2
    tx, ty = x2 + _BOX_W / 2, y2 + _BOX_H / 2
    # Stop the arrow at the target box's edge, and bend it so opposite arrows do not overlap.
    dx, dy = tx - sx, ty - sy
    scale = min(
        (_BOX_W / 2) / abs(dx) if dx else float("inf"),
        (_BOX_H / 2) / abs(dy) if dy else float("inf"),
    )
    ex, ey = tx - dx * scale, ty - dy * scale
    bx, by = sx + dx * scale, sy + dy * scale
    mx, my = (bx + ex) / 2 - dy * 0.12, (by + ey) / 2 + dx * 0.12
    stroke = 1 + 4 * edge["count"] / max_count
    label = f"{edge['count']} · {edge['median_hours'] if edge['median_hours'] is not None else '-'} h"
    return [
        f'<path d="M {bx:.1f} {by:.1f} Q {mx:.1f} {my:.1f} {ex:.1f} {ey:.1f}" fill="none" stroke="#1f3b57" '
        f'stroke-width="{stroke:.1f}" marker-end="url(#arrow)" opacity="0.75"/>',
        f'<text x="{mx:.1f}" y="{my - 4:.1f}" text-anchor="middle" fill="#111" stroke="#fff" '
        f'stroke-width="3" paint-order="stroke">{escape(label)}</text>',
    ]


def _svg_box(name: str, position: tuple[int, int], now: int) -> list[str]:
    """A status's box with its name and how many cases are in it now."""
    x, y = position
    return [
        f'<rect x="{x}" y="{y}" width="{_BOX_W}" height="{_BOX_H}" rx="8" fill="#eef3f8" stroke="#1f3b57"/>',
        f'<text x="{x + _BOX_W / 2}" y="{y + 19}" text-anchor="middle" font-weight="bold" fill="#111">'
        f"{escape(name.replace('_', ' '))}</text>",
        f'<text x="{x + _BOX_W / 2}" y="{y + 35}" text-anchor="middle" fill="#333">{now} now</text>',
    ]
