"""Saving a review: the Review row, a ``reviewed`` audit event on the case and the queue item done, at once.

The audit event carries the scores, the pre-filled values the reviewer changed, the staff member reviewed
(and coached) and SHA-256 digests of the comments and coaching note, not their text: the text is kept on
the review row, where an erasure can scrub it, and stays out of the case's audit trail (which goes into a
customer's subject access copy, while a coaching note is about a member of staff). The digest proves the
text on the row is what the reviewer saved.
"""

from __future__ import annotations

import hashlib
from typing import Any, Mapping, Optional

from sqlalchemy import select
from sqlalchemy.orm import noload

from bot.cases.aggregate import load_for_update
from bot.cases.store import Store
from bot.reviews.conversation import conversation_of
from bot.reviews.models import Review
from bot.reviews.queue import DONE, item_for_case
from bot.reviews.scorecard import check_scores, disagreements, stage_scores

REVIEWED_EVENT = "reviewed"
MAX_TEXT = 5000


def text_digest(text: str) -> str:
    """SHA-256 of a comment as saved (hex)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _clean(text: Optional[str]) -> str:
    value = (text or "").replace("\r\n", "\n").strip()
    if len(value) > MAX_TEXT:
        raise ValueError(f"keep comments and coaching notes under {MAX_TEXT} characters")
    return value


def save_review(
    store: Store,
    reference: str,
    reviewer: str,
    scores: Mapping[str, Any],
    comments: str = "",
    coaching_note: str = "",
    staff: Optional[str] = None,
) -> dict[str, Any]:
    """Save a scorecard for case ``reference`` in one unit of work; returns the review as JSON.

    The pre-fill is computed again from the stored conversation, so what is recorded as the pre-fill is what
    the rules say, not what a form sent. ``staff`` defaults to the member of staff who took the conversation
    over. A case can be reviewed again: each save is a new review and a new event.
    """
    checked = check_scores(scores)
    comments, coaching_note = _clean(comments), _clean(coaching_note)
    reviewer = reviewer.strip()
    if not reviewer:
        raise ValueError("a review needs its reviewer")
    with store.unit_of_work() as uow:
        case = load_for_update(uow, reference)
        now = store.clock()
        conversation = conversation_of(store, uow, case)
        prefilled = conversation.prefill
        differences = disagreements(prefilled, checked)
        staff = (staff or "").strip() or conversation.staff
        item = item_for_case(uow.session, case.id)
        review = Review(
            case_id=case.id,
            queue_id=item.id if item is not None else None,
            reviewer=reviewer,
            staff=staff,
            prefill=prefilled,
            scores=checked,
            disagreements=differences,
            comments=comments,
            coaching_note=coaching_note,
            created_at=now,
        )
        uow.session.add(review)
        uow.session.flush()
        uow.cases.append_event(case, REVIEWED_EVENT, reviewer, now, _event_data(review))
        if item is not None:
            item.status = DONE
            item.reviewed_at = now
        result = review_json(review, case.reference)
        uow.commit()
        return result


def _event_data(review: Review) -> dict[str, Any]:
    """What the ``reviewed`` audit event records: scores, the pre-fill where it differs, staff, text digests."""
    differences = list(review.disagreements or [])
    return {
        "review_id": int(review.id),
        "queue_id": review.queue_id,
        "scores": dict(review.scores),
        "stage_scores": stage_scores([review.scores]),
        "prefill": {d["criterion"]: d["prefill"] for d in differences},
        "disagreements": [d["criterion"] for d in differences],
        "staff": review.staff,
        "coached": review.staff if review.coaching_note else None,
        "comments_sha256": text_digest(review.comments),
        "coaching_note_sha256": text_digest(review.coaching_note),
    }


def reviews_of_case(store: Store, reference: str) -> list[dict[str, Any]]:
    """Every review of one case, newest first (the review history on the scorecard page)."""
    with store.unit_of_work() as uow:
        case = uow.cases.get(reference)
        if case is None:
            return []
        rows = uow.session.execute(
            select(Review)
            .where(Review.case_id == case.id)
            .options(noload(Review.case))
            .order_by(Review.created_at.desc(), Review.id.desc())
        )
        return [review_json(r, case.reference) for r in rows.scalars()]


def review_json(review: Review, reference: str) -> dict[str, Any]:
    """One review as JSON: scores, stage scores, disagreements, comments (no customer personal data)."""
    return {
        "id": int(review.id),
        "reference": reference,
        "reviewer": review.reviewer,
        "staff": review.staff,
        "scores": dict(review.scores or {}),
        "stage_scores": stage_scores([review.scores or {}]),
        "prefill": dict(review.prefill or {}),
        "disagreements": list(review.disagreements or []),
        "comments": review.comments or "",
        "coaching_note": review.coaching_note or "",
        "created_at": review.created_at.isoformat() if review.created_at else None,
    }
