"""case photos (web chat evidence)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 18:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("metadata_stripped", sa.Boolean(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conversation_id", "filename", name="uq_case_photos_conversation_file"),
    )
    with op.batch_alter_table("case_photos", schema=None) as batch_op:
        batch_op.create_index("ix_case_photos_case_id", ["case_id"])
        batch_op.create_index("ix_case_photos_conversation_id", ["conversation_id"])


def downgrade() -> None:
    with op.batch_alter_table("case_photos", schema=None) as batch_op:
        batch_op.drop_index("ix_case_photos_conversation_id")
        batch_op.drop_index("ix_case_photos_case_id")
    op.drop_table("case_photos")
