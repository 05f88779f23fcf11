"""Supervisor review of conversations: the queue, the scorecard beside the transcript, review reports.

Supervisors only: agents get 403 on every page and every POST (``supervisor_required``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from bot.cases import service
from bot.reports.windows import parse_duration
from bot.reviews import queue as review_queue
from bot.reviews.conversation import load_conversation
from bot.reviews.listing import list_reviews, reviews_csv
from bot.reviews.reports import review_summary
from bot.reviews.sampling import REASON_LABELS
from bot.reviews.saving import reviews_of_case, save_review
from bot.reviews.scorecard import CRITERIA, STAGES, VALUE_LABELS, VALUES, ScorecardError, label_of
from bot.web.security import current_user, get_store, safe_next, supervisor_required

bp = Blueprint("reviews", __name__)

PERIODS = ("7d", "14d", "30d", "90d", "180d", "365d")
STATUS_FILTERS = ("open", "done", "all")
WHO_FILTERS = ("mine", "all")


def _me() -> str:
    user = current_user()
    assert user is not None  # supervisor_required
    return user.email


def _arg(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = request.args.get(name, default)
    return value if value in allowed else default


@bp.route("/reviews")
@supervisor_required
def queue() -> Any:
    """The review queue: mine or everyone's, open or done, with reasons, assignee and channel."""
    status, who = _arg("status", STATUS_FILTERS, "open"), _arg("who", WHO_FILTERS, "all")
    store = get_store()
    items = review_queue.list_queue(
        store, status=None if status == "all" else status, assigned_to=_me() if who == "mine" else None
    )
    return render_template(
        "review_queue.html",
        items=items,
        status=status,
        who=who,
        statuses=STATUS_FILTERS,
        whos=WHO_FILTERS,
        supervisors=review_queue.supervisors(store),
        reason_labels=REASON_LABELS,
    )


@bp.route("/reviews/fill", methods=["POST"])
@supervisor_required
def fill() -> Any:
    """Run the sampling rules now (the scheduler worker also runs them)."""
    report = review_queue.fill_queue(get_store())
    flash(f"Checked {report.checked} conversations: {report.added} queued, {report.updated} with new reasons.", "ok")
    return redirect(url_for("reviews.queue"))


@bp.route("/reviews/<int:item_id>/assign", methods=["POST"])
@supervisor_required
def assign(item_id: int) -> Any:
    """Give a queue item to another supervisor (or nobody)."""
    try:
        item = review_queue.assign(get_store(), item_id, request.form.get("assigned_to", ""))
    except review_queue.QueueError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{item['reference']} assigned to {item['assigned_to'] or 'nobody'}.", "ok")
    back = request.form.get("back", "")
    return redirect(safe_next(back) if back else url_for("reviews.queue"))


@bp.route("/reviews/case/<reference>")
@supervisor_required
def scorecard(reference: str) -> Any:
    """The scorecard of one conversation, pre-filled, beside the transcript with its stages."""
    store = get_store()
    try:
        conversation = load_conversation(store, reference)
    except service.CaseNotFound:
        abort(404, description=f"There is no case {reference}.")
    return render_template(
        "review_scorecard.html",
        conversation=conversation,
        prefill=conversation.prefill,
        item=review_queue.queue_item_of(store, conversation.reference),
        history=reviews_of_case(store, conversation.reference),
        audit=service.verify_case_chain(store, conversation.reference),
        criteria=CRITERIA,
        stages=STAGES,
        values=VALUES,
        value_labels=VALUE_LABELS,
        label_of=label_of,
        reason_labels=REASON_LABELS,
    )


@bp.route("/reviews/case/<reference>", methods=["POST"])
@supervisor_required
def save(reference: str) -> Any:
    """Save the scorecard: a review, a ``reviewed`` audit event and the queue item done, at once."""
    form = request.form
    scores = {c.id: form.get(c.id, "") for c in CRITERIA}
    try:
        review = save_review(
            get_store(),
            reference,
            reviewer=_me(),
            scores=scores,
            comments=form.get("comments", ""),
            coaching_note=form.get("coaching_note", ""),
            staff=form.get("staff", "").strip()[:200] or None,
        )
    except service.CaseNotFound:
        abort(404, description=f"There is no case {reference}.")
    except (ScorecardError, ValueError) as exc:
        flash(f"The review was not saved: {exc}", "error")
        return redirect(url_for("reviews.scorecard", reference=reference))
    changed = len(review["disagreements"])
    flash(f"Review saved ({changed} change(s) to the pre-filled scores) and recorded in the audit trail.", "ok")
    return redirect(url_for("reviews.scorecard", reference=review["reference"]) + "#history-h")


def _period() -> str:
    return _arg("since", PERIODS, "90d")


@bp.route("/reviews/report")
@supervisor_required
def report() -> Any:
    """Coverage, scores per stage by week, by channel and by staff member, findings, disagreements."""
    period = _period()
    summary = review_summary(get_store(), parse_duration(period))
    return render_template("review_report.html", summary=summary, period=period, periods=PERIODS, stages=STAGES)


@bp.route("/reviews/report.csv")
@supervisor_required
def report_csv() -> Any:
    """The reviews saved in the period, one CSV row each (no customer personal data)."""
    period = _period()
    content = reviews_csv(list_reviews(get_store(), parse_duration(period)))
    response = Response(content, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="reviews-{period}.csv"'
    return response
