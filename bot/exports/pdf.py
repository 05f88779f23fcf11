"""A readable PDF of a case export (reportlab)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any, Optional

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from bot.exports.pdf_blocks import grid_table as _table
from bot.exports.pdf_blocks import paragraph as _p


def _fmt(value: Optional[Any]) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


@dataclass(frozen=True)
class _Look:
    """The styles and the usable page width every section is drawn with."""

    styles: StyleSheet1
    body: ParagraphStyle
    small: ParagraphStyle
    width: float

    @classmethod
    def default(cls) -> _Look:
        """Body text at 8.5 pt, small print at 7 pt, on A4 with 15 mm margins."""
        styles = getSampleStyleSheet()
        body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=8.5, leading=10.5)
        small = ParagraphStyle("small", parent=body, fontSize=7, leading=8.5)
        return cls(styles, body, small, A4[0] - 30 * mm)

    def heading(self, text: str) -> Paragraph:
        """A section heading."""
        return _p(text, self.styles["Heading2"])


def case_pdf(case: dict[str, Any]) -> bytes:
    """Render an exported case (see :func:`bot.exports.case_export.case_evidence`) as PDF bytes."""
    buffer = io.BytesIO()
    look = _Look.default()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Case {case['reference']}",
        author="Complaint assistant",
    )
    story: list[Any] = [
        _p(f"Case {case['reference']}", look.styles["Title"]),
        _p(
            f"Exported {case.get('exported_at')}" + (" - personal data redacted" if case.get("redacted") else ""),
            look.body,
        ),
        Spacer(1, 4 * mm),
        look.heading("Facts"),
        _facts(case, look),
    ]
    story += _audit_check(case, look)
    story += _transcript(case, look)
    story += _events(case, look)
    story += _follow_ups(case, look)
    doc.build(story)
    return buffer.getvalue()


def _facts(case: dict[str, Any], look: _Look) -> Table:
    """The case's fields, two columns: what and value."""
    product, customer = case.get("product") or {}, case.get("customer") or {}
    resolution = case.get("resolution") or {}
    facts = [
        ("Kind", case.get("kind") or "complaint"),
        ("Status", case.get("status")),
        ("Priority", case.get("priority")),
        ("Channel", case.get("channel")),
        ("Customer", f"{_fmt(customer.get('name'))} <{_fmt(customer.get('email'))}>"),
        ("Phone", customer.get("phone")),
        ("Call back", case.get("callback_at")),
        ("Order", case.get("order_number")),
        ("Product", f"{_fmt(product.get('name'))} ({_fmt(product.get('sku'))}, line {_fmt(product.get('line'))})"),
        ("Batch", case.get("batch")),
        ("Size / colour", f"{_fmt(case.get('size'))} / {_fmt(case.get('colour'))}"),
        ("Defect", f"{_fmt(case.get('defect_category'))} ({_fmt(case.get('component'))})"),
        ("Description", case.get("description")),
        ("Purchase date", case.get("purchase_date")),
        ("Resolution", f"{_fmt(resolution.get('type'))}: {_fmt(resolution.get('reason'))}"),
        ("Assignee", case.get("assignee")),
        ("SLA", case.get("sla")),
        ("Satisfaction", case.get("satisfaction")),
        ("Root cause", f"{_fmt(case.get('root_cause'))} ({_fmt(case.get('root_cause_category'))})"),
        ("Created / updated", f"{_fmt(case.get('created_at'))} / {_fmt(case.get('updated_at'))}"),
    ]
    rows = [[_p(k, look.body), _p(_fmt(v), look.body)] for k, v in facts]
    return _table(rows, [35 * mm, look.width - 35 * mm], False)


def _audit_check(case: dict[str, Any], look: _Look) -> list[Any]:
    """Whether the audit trail's hash chain verified, and what broke it if not."""
    audit = case.get("audit") or {}
    return [
        Spacer(1, 4 * mm),
        look.heading("Audit trail verification"),
        _p(
            f"{'VERIFIED' if audit.get('ok') else 'BROKEN'}: {audit.get('events', 0)} events checked"
            + ("" if audit.get("ok") else " - " + "; ".join(audit.get("problems") or [])),
            look.body,
        ),
        Spacer(1, 2 * mm),
    ]


def _transcript(case: dict[str, Any], look: _Look) -> list[Any]:
    """The conversation, turn by turn (or a line saying none was recorded)."""
    body, small = look.body, look.small
    section: list[Any] = [look.heading("Transcript")]
    transcript = case.get("transcript") or []
    if not transcript:
        return section + [_p("No transcript was recorded.", body)]
    rows = [[_p("When", body), _p("Who", body), _p("Stage", body), _p("What was said", body)]]
    rows += [
        [_p(_fmt(t.get("at")), small), _p(_who(t), body), _p(t.get("stage") or "", small), _p(t.get("text"), body)]
        for t in transcript
    ]
    return section + [_table(rows, [34 * mm, 22 * mm, 22 * mm, look.width - 78 * mm])]


def _who(turn: dict[str, Any]) -> str:
    """The speaker, with the member of staff's name for a takeover line."""
    speaker = str(turn.get("speaker") or "")
    return f"{speaker} ({turn['actor']})" if speaker == "staff" and turn.get("actor") else speaker


def _events(case: dict[str, Any], look: _Look) -> list[Any]:
    """The audit events with their data and hashes."""
    body, small = look.body, look.small
    rows = [[_p("#", body), _p("When", body), _p("Actor", body), _p("Event", body), _p("Details and hash", body)]]
    for event in case.get("events") or []:
        rows.append(
            [
                _p(event.get("seq"), body),
                _p(event.get("at"), small),
                _p(event.get("actor"), body),
                _p(event.get("kind"), body),
                _p(f"{_fmt(event.get('data'))}\nsha256 {event.get('hash')}", small),
            ]
        )
    widths = [8 * mm, 34 * mm, 24 * mm, 30 * mm, look.width - 96 * mm]
    return [Spacer(1, 4 * mm), look.heading("Audit events"), _table(rows, widths)]


def _follow_ups(case: dict[str, Any], look: _Look) -> list[Any]:
    """The follow-ups scheduled for the case, if any."""
    follow_ups = case.get("follow_ups") or []
    if not follow_ups:
        return []
    body, small = look.body, look.small
    rows = [[_p("Due", body), _p("Status", body), _p("Sent", body), _p("Answered", body)]]
    rows += [
        [
            _p(f.get("due_at"), small),
            _p(f.get("status"), body),
            _p(_fmt(f.get("sent_at")), small),
            _p(_fmt(f.get("answered_at")), small),
        ]
        for f in follow_ups
    ]
    return [Spacer(1, 4 * mm), look.heading("Follow-ups"), _table(rows, [look.width / 4] * 4)]
