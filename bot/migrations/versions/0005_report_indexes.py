"""report indexes: covering indexes for the theme, SLA and repeat-complaint reports

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 20:30:00

The reports count cases logged in a time window in the database (``GROUP BY``). Indexes that lead
with ``created_at`` and hold every column a report reads let SQLite and PostgreSQL answer from the
index alone (covering / index-only scans) instead of visiting each case row. Open cases past a due
time are found through ``(status, resolution_due)``. ``benchmarks/reports_at_size.py`` reads
:data:`INDEXES` to time the reports with and without them.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# (name, table, columns): keep in step with the Index declarations at the end of bot/cases/models.py.
INDEXES = (
    ("ix_cases_created_themes", "cases", ("created_at", "product_line", "defect_category", "component", "batch")),
    (
        "ix_cases_created_sla",
        "cases",
        ("created_at", "priority", "first_response_due", "first_responded_at", "resolution_due", "resolved_at"),
    ),
    ("ix_cases_created_customer_product", "cases", ("created_at", "customer_id", "product_id")),
    ("ix_cases_status_resolution_due", "cases", ("status", "resolution_due")),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, list(columns))


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
