"""The case list and one case with its evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from flask import Blueprint, Response, abort, render_template, request

from bot.cases import service
from bot.cases.case_query import SATISFACTION_CHOICES, CaseQuery
from bot.cases.status import CaseStatus
from bot.cases.views import filter_choices, find_cases
from bot.exports.case_export import export_case
from bot.reports.investigations import list_investigations
from bot.reports.process import annotate
from bot.vocabulary import CASE_KINDS, DEFECT_CATEGORIES, PRIORITIES
from bot.web.security import current_user, get_store, login_required

bp = Blueprint("cases", __name__)


def _date(value: Optional[str]) -> Optional[dt.date]:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _day_start(day: Optional[dt.date], days_later: int = 0) -> Optional[dt.datetime]:
    """Midnight UTC at the start of ``day`` (plus ``days_later``), for a date filter."""
    if day is None:
        return None
    return dt.datetime.combine(day + dt.timedelta(days=days_later), dt.time(), dt.timezone.utc)


def _choice(value: Optional[str], allowed: Any) -> Optional[str]:
    return value if value in allowed else None


@bp.route("/")
@login_required
def index() -> Any:
    """Cases, newest first, with filters and a search box."""
    args = request.args
    breached = {"yes": True, "no": False}.get(args.get("sla", ""))
    status = _choice(args.get("status"), [s.value for s in CaseStatus])
    query = CaseQuery(
        status=[status] if status else None,
        kind=_choice(args.get("kind"), CASE_KINDS),
        priority=_choice(args.get("priority"), PRIORITIES),
        product_line=args.get("line") or None,
        defect_category=_choice(args.get("defect"), DEFECT_CATEGORIES),
        batch=args.get("batch") or None,
        channel=args.get("channel") or None,
        created_from=_day_start(_date(args.get("from"))),
        created_to=_day_start(_date(args.get("to")), days_later=1),  # the "to" day is included
        sla_breached=breached,
        satisfaction=_choice(args.get("satisfaction"), SATISFACTION_CHOICES),
        search=(args.get("q") or "")[:200] or None,
        limit=200,
    )
    store = get_store()
    return render_template(
        "cases.html",
        cases=find_cases(store, query),
        args=args,
        choices=filter_choices(store),
        statuses=[s.value for s in CaseStatus],
        kinds=CASE_KINDS,
        priorities=PRIORITIES,
        defects=DEFECT_CATEGORIES,
    )


@bp.route("/cases/<reference>")
@login_required
def show(reference: str) -> Any:
    """One case: facts, transcript, audit timeline with verification, follow-ups, root cause, actions."""
    store = get_store()
    try:
        case = service.get_case(store, reference)
    except service.CaseNotFound:
        abort(404, description=f"There is no case {reference}.")
    audit = service.verify_case_chain(store, case["reference"])
    process = annotate(case.get("transcript") or [], case["reference"])
    linked = {
        (e.get("data") or {}).get("investigation_id")
        for e in case["events"]
        if e["kind"] in ("investigation_opened", "corrective_action_added", "root_cause_recorded")
    }
    investigations = [inv for inv in list_investigations(store) if inv["id"] in linked]
    return render_template("case.html", case=case, audit=audit, process=process, investigations=investigations)


@bp.route("/cases/<reference>/export", methods=["POST"])
@login_required
def export(reference: str) -> Any:
    """Download a PDF or JSON export (recorded as an ``exported`` event on the case)."""
    fmt = request.form.get("format", "")
    if fmt not in ("pdf", "json"):
        abort(400, description="Choose PDF or JSON.")
    user = current_user()
    assert user is not None
    try:
        result = export_case(get_store(), reference, fmt, redacted=request.form.get("redact") == "1", actor=user.email)
    except service.CaseNotFound:
        abort(404, description=f"There is no case {reference}.")
    response = Response(result.content, mimetype=result.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    response.headers["X-Content-SHA256"] = result.sha256
    return response
