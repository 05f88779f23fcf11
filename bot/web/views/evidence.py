"""Supervisors download the evidence pack (PDF) of a period; each download is logged with their e-mail."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, request

from bot.evidence import hand_out
from bot.reports.windows import parse_duration
from bot.web.security import current_user, get_store, supervisor_required

bp = Blueprint("evidence", __name__)

PERIODS = ("30d", "90d", "365d")


@bp.route("/reports/evidence-pack", methods=["POST"])
@supervisor_required
def download() -> Any:
    """The redacted evidence pack of the last 30, 90 or 365 days as a PDF attachment (logged in the export chain)."""
    period = request.form.get("since", "")
    if period not in PERIODS:
        abort(400, description=f"Choose a period: {', '.join(PERIODS)}.")
    user = current_user()
    assert user is not None  # supervisor_required
    pack = hand_out(get_store(), parse_duration(period), fmt="pdf", redacted=True, actor=user.email)
    response = Response(pack.content, mimetype=pack.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{pack.filename}"'
    response.headers["X-Content-SHA256"] = pack.sha256
    return response
