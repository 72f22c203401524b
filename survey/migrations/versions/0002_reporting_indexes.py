"""Covering indexes for the dashboards and reports.

- ``ix_response_reporting_time``: every province-wide GROUP BY over a period reads only this index
  (period range first, then the grouping and filter columns, and ``id`` to reach the answers).
- ``ix_response_reporting_unit``: the same for one agency's roll-up (unit first).
- ``ix_response_excluded``: the result cache's marker counts excluded responses without a scan.
- ``ix_answer_covering``: the per-response pivot of answers reads the value from the index.

Revision ID: 0002_reporting
Revises: 0001
Create Date: 2026-11-23 14:18:55.118221
"""
from alembic import op

revision = "0002_reporting"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = ["instrument_id", "overall", "excluded", "channel", "sector_id", "procedure_id", "id"]


def upgrade():
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index("ix_answer_covering", ["response_id", "item_key", "value"], unique=False)
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.create_index("ix_response_excluded", ["excluded"], unique=False)
        batch_op.create_index("ix_response_reporting_time", ["submitted_at", "unit_id", *COLUMNS],
                              unique=False)
        batch_op.create_index("ix_response_reporting_unit", ["unit_id", "submitted_at", *COLUMNS],
                              unique=False)


def downgrade():
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_reporting_unit")
        batch_op.drop_index("ix_response_reporting_time")
        batch_op.drop_index("ix_response_excluded")
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index("ix_answer_covering")
