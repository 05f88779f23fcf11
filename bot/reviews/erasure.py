"""What an erasure of a customer's personal data does to the reviews of their conversations.

Called by :mod:`bot.privacy.erasure` inside its unit of work: the supervisors' comments and coaching notes
are scrubbed with the erasure's own scrubber. The ``reviewed`` audit events hold only digests of that text,
so the case's hash chain still verifies.
"""

from __future__ import annotations

from typing import Callable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session, noload

from bot.reviews.models import Review


def scrub_reviews(session: Session, case_id: int, scrub: Callable[[str], Optional[str]]) -> int:
    """Apply ``scrub`` to the comments and coaching notes of every review of the case; how many reviews."""
    reviews = session.execute(select(Review).where(Review.case_id == case_id).options(noload(Review.case))).scalars()
    count = 0
    for review in reviews:
        review.comments = scrub(review.comments or "") or ""
        review.coaching_note = scrub(review.coaching_note or "") or ""
        count += 1
    return count
