"""data protection: legal hold reason, anonymisation, redactable audit events

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 20:15:00

``case_events.content_digest`` is the SHA-256 of an event's canonical actor and data: events written
with it are chained over the digest (hash formula v2), so their personal data can be erased later
while every link stays verifiable. Existing rows keep ``content_digest`` NULL and the v1 formula.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legal_hold_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("legal_hold_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("redacted_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_column("redacted_at")
        batch_op.drop_column("content_digest")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")
        batch_op.drop_column("legal_hold_at")
        batch_op.drop_column("legal_hold_reason")
