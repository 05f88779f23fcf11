"""supervisor review: the stage of every bot message, review queue, scorecards, evidence-pack log

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 03:00:00

Every bot line of a stored transcript carries the Listen / Understand / Resolve / Confirm ``stage`` and the
wording ``message_id`` of the response that produced it (set where the wording lives, data/wording/messages.yml),
so process evidence no longer depends on patterns over the text. Existing lines are filled in by
``complaints transcripts backfill``.

``review_queue`` holds the conversations picked for a supervisor's review (one entry per case, with the rules
that picked it); ``reviews`` holds each saved scorecard (the pre-filled scores, the reviewer's scores, comments
and coaching note). ``evidence_exports`` is the hash-chained log of evidence packs handed out.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transcript_lines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("message_id", sa.String(length=80), nullable=True))
    op.create_table(
        "review_queue",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False, server_default="open"),
        sa.Column("assigned_to", sa.String(length=320), nullable=True),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("case_id", name="uq_review_queue_case"),
    )
    op.create_index("ix_review_queue_status", "review_queue", ["status"])
    op.create_index("ix_review_queue_assigned_to", "review_queue", ["assigned_to"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("queue_id", sa.Integer(), sa.ForeignKey("review_queue.id"), nullable=True),
        sa.Column("reviewer", sa.String(length=320), nullable=False),
        sa.Column("staff", sa.String(length=200), nullable=True),
        sa.Column("prefill", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("disagreements", sa.JSON(), nullable=False),
        sa.Column("comments", sa.Text(), nullable=False, server_default=""),
        sa.Column("coaching_note", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_reviews_case_id", "reviews", ["case_id"])
    op.create_index("ix_reviews_created_at", "reviews", ["created_at"])
    op.create_table(
        "evidence_exports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.DateTime(), nullable=False),
        sa.Column("period_end", sa.DateTime(), nullable=False),
        sa.Column("redacted", sa.Boolean(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("evidence_exports")
    op.drop_index("ix_reviews_created_at", table_name="reviews")
    op.drop_index("ix_reviews_case_id", table_name="reviews")
    op.drop_table("reviews")
    op.drop_index("ix_review_queue_assigned_to", table_name="review_queue")
    op.drop_index("ix_review_queue_status", table_name="review_queue")
    op.drop_table("review_queue")
    with op.batch_alter_table("transcript_lines", schema=None) as batch_op:
        batch_op.drop_column("message_id")
        batch_op.drop_column("stage")
