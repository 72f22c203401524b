"""Room in each page of the reporting cells for their updates, on PostgreSQL.

Every answer adds to a few cells in place (``ON CONFLICT … DO UPDATE``). With full pages each
update's new row version went to another page, so over time a month's cells were spread across
the table: a city's quarter of count cells, 32,000 rows, lay on 3,500 pages instead of 600, and
the province view's channel comparison read all of them. With a fifth of each page left free,
an update stays in its page (a heap-only update) and the month's cells stay together. SQLite
updates rows in place and has no such setting.

Revision ID: 0014_cell_fillfactor
Revises: 0013_response_partitions
Create Date: 2026-12-06 23:20:00
"""
from alembic import op

revision = "0014_cell_fillfactor"
down_revision = "0013_response_partitions"
branch_labels = None
depends_on = None

TABLES = ("cell_count", "cell_items", "cell_problem")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} SET (fillfactor = 80)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} RESET (fillfactor)")
