"""Root-cause investigations, 5 Whys, corrective actions and their verification (supervisors)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from flask import Blueprint, flash, redirect, render_template, request, url_for

from bot.reports import investigations as inv
from bot.vocabulary import DEFECT_CATEGORIES, ROOT_CAUSE_CATEGORIES
from bot.web.security import current_user, get_store, supervisor_required

bp = Blueprint("investigations", __name__)


def _actor() -> str:
    user = current_user()
    return user.email if user is not None else "dashboard"


def _date(name: str) -> Optional[dt.date]:
    value = request.form.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{name.replace('_', ' ')} must be a date like 2026-11-30") from exc


def _whys() -> list[str]:
    return [request.form.get(f"why{i}", "")[:1000] for i in range(1, 6)]


@bp.route("/investigations")
@supervisor_required
def index() -> Any:
    """Investigations with their actions; the form to open one is pre-filled from a theme link."""
    return render_template(
        "investigations.html",
        investigations=inv.list_investigations(get_store()),
        prefill=request.args,
        defects=DEFECT_CATEGORIES,
        causes=ROOT_CAUSE_CATEGORIES,
    )


@bp.route("/investigations", methods=["POST"])
@supervisor_required
def open_one() -> Any:
    """Open an investigation of a theme."""
    form = request.form
    try:
        result = inv.open_investigation(
            get_store(),
            product_line=form.get("line", "").strip()[:120] or None,
            defect_category=form.get("defect") or None,
            component=form.get("component", "").strip()[:40] or None,
            batch=form.get("batch", "").strip()[:64] or None,
            cause_category=form.get("cause_category") or None,
            five_whys=_whys(),
            root_cause=form.get("root_cause", "").strip()[:2000] or None,
            title=form.get("title", "").strip()[:200] or None,
            actor=_actor(),
        )
    except ValueError as exc:
        flash(str(exc), "error")
        return redirect(url_for("investigations.index"))
    flash(f"Investigation {result['id']} opened; recorded on {result['cases']} case(s) of the theme.", "ok")
    return redirect(url_for("investigations.index") + f"#inv-{result['id']}")


@bp.route("/investigations/<int:investigation_id>/root-cause", methods=["POST"])
@supervisor_required
def root_cause(investigation_id: int) -> Any:
    """Record the 5 Whys and cause category."""
    try:
        inv.record_root_cause(
            get_store(),
            investigation_id,
            cause_category=request.form.get("cause_category", ""),
            five_whys=_whys(),
            root_cause=request.form.get("root_cause", "").strip()[:2000] or None,
            actor=_actor(),
        )
        flash("Root cause recorded.", "ok")
    except (ValueError, inv.InvestigationNotFound) as exc:
        flash(str(exc), "error")
    return redirect(url_for("investigations.index") + f"#inv-{investigation_id}")


@bp.route("/investigations/<int:investigation_id>/actions", methods=["POST"])
@supervisor_required
def add_action(investigation_id: int) -> Any:
    """Add a corrective action with owner and due date."""
    try:
        inv.add_corrective_action(
            get_store(),
            investigation_id,
            request.form.get("description", ""),
            request.form.get("owner", ""),
            due_date=_date("due_date"),
            action_date=_date("action_date"),
            actor=_actor(),
        )
        flash("Corrective action added.", "ok")
    except (ValueError, inv.InvestigationNotFound) as exc:
        flash(str(exc), "error")
    return redirect(url_for("investigations.index") + f"#inv-{investigation_id}")


@bp.route("/actions/<int:action_id>/verify", methods=["POST"])
@supervisor_required
def verify(action_id: int) -> Any:
    """Compare the complaint rate before and after the action."""
    investigation_id = request.form.get("investigation_id", "")
    try:
        days = int(request.form.get("window_days", "30") or 30)
        inv.verify_action(get_store(), action_id, window_days=max(1, min(days, 365)), actor=_actor())
        flash("Verification updated.", "ok")
    except (ValueError, inv.InvestigationNotFound) as exc:
        flash(str(exc), "error")
    anchor = f"#inv-{investigation_id}" if investigation_id.isdigit() else ""
    return redirect(url_for("investigations.index") + anchor)
