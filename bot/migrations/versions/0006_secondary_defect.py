"""secondary defect: a second, different fault the customer named

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 17:30:00

A customer often names two faults in one story ("the sole is coming away and the stitching on the side has
come undone"). The case keeps the main one in ``defect_category`` (what the reports count) and the other in
``secondary_defect_category`` (nullable: most complaints name one fault).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secondary_defect_category", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("secondary_defect_category")
