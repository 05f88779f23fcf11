"""case kinds and order status: requests other than faults, and where an order is

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 01:00:00

Customers ask for more than fault repairs: cancel an order, return an item they changed their mind about,
call me back, a question for staff. ``cases.kind`` says which (``complaint``, ``cancellation``, ``return``,
``callback``, ``enquiry``; see bot/vocabulary.py CASE_KINDS); every existing case is a complaint (server
default). ``cases.callback_at`` keeps when the customer would like a call, in their words. The recurring-defect
reports count complaints only, so the themes covering index gains a copy led by ``kind``.

Orders gain the optional columns of the orders CSV: ``status`` (processing | dispatched | delivered |
cancelled), ``dispatch_date``, ``expected_delivery_date``, ``carrier`` and ``tracking_number`` (all nullable:
files without them still import).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

THEMES_BY_KIND = (
    "ix_cases_kind_created_themes",
    ("kind", "created_at", "product_line", "defect_category", "component", "batch"),
)


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=False, server_default="complaint"))
        batch_op.add_column(sa.Column("callback_at", sa.String(length=200), nullable=True))
    op.create_index("ix_cases_kind", "cases", ["kind"])
    op.create_index(THEMES_BY_KIND[0], "cases", list(THEMES_BY_KIND[1]))
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("dispatch_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("expected_delivery_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("carrier", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("tracking_number", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        for column in ("tracking_number", "carrier", "expected_delivery_date", "dispatch_date", "status"):
            batch_op.drop_column(column)
    op.drop_index(THEMES_BY_KIND[0], table_name="cases")
    op.drop_index("ix_cases_kind", table_name="cases")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("callback_at")
        batch_op.drop_column("kind")
