"""Tables of the supervisor review (migration 0008): the review queue, scorecards and the evidence-pack log."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import relationship

from bot.cases.models import Base, Case, UTCDateTime
from bot.clock import utcnow


class ReviewQueueItem(Base):
    """A conversation picked for a supervisor's review, with the rules that picked it (one per case)."""

    __tablename__ = "review_queue"
    __table_args__ = (
        UniqueConstraint("case_id", name="uq_review_queue_case"),
        Index("ix_review_queue_status", "status"),
        Index("ix_review_queue_assigned_to", "assigned_to"),
    )

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False)
    # Why it was picked: ["safety", "low_rating", "reopened", "takeover", "sample"].
    reasons = Column(JSON, nullable=False, default=list)
    status = Column(String(20), nullable=False, default="open", server_default="open")  # open | done
    assigned_to = Column(String(320), nullable=True)
    queued_at = Column(UTCDateTime, nullable=False, default=utcnow)
    reviewed_at = Column(UTCDateTime, nullable=True)

    case = relationship(Case, lazy="joined")


class Review(Base):
    """One saved scorecard: the pre-filled scores, the reviewer's scores, and where they disagree."""

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_case_id", "case_id"),
        Index("ix_reviews_created_at", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("cases.id"), nullable=False)
    queue_id = Column(Integer, ForeignKey("review_queue.id"), nullable=True)
    reviewer = Column(String(320), nullable=False)
    # The member of staff whose part of the conversation was reviewed (a takeover), if any.
    staff = Column(String(200), nullable=True)
    prefill = Column(JSON, nullable=False, default=dict)
    scores = Column(JSON, nullable=False, default=dict)
    disagreements = Column(JSON, nullable=False, default=list)
    comments = Column(Text, nullable=False, default="", server_default="")
    coaching_note = Column(Text, nullable=False, default="", server_default="")
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    case = relationship(Case, lazy="joined")


class EvidenceExport(Base):
    """One evidence pack handed out: who, which period, its SHA-256; each row chained to the one before."""

    __tablename__ = "evidence_exports"

    id = Column(Integer, primary_key=True)
    actor = Column(String(320), nullable=False)
    format = Column(String(10), nullable=False)
    period_start = Column(UTCDateTime, nullable=False)
    period_end = Column(UTCDateTime, nullable=False)
    redacted = Column(Boolean, nullable=False)
    sha256 = Column(String(64), nullable=False)
    bytes = Column(Integer, nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    prev_hash = Column(String(64), nullable=False)
    hash = Column(String(64), nullable=False)
