"""A unit's latest comments by an index of the commented responses only.

The dashboard's comments were found through ``ix_response_unit_submitted``, which walks every
response of the unit in the period to find the few with a comment: 62,000 rows and 200 ms for
the largest ward's quarter at 10,000,000 responses. This partial index holds only the responses
with a comment (about one in twelve), so the read is a few dozen rows whatever the total.

Revision ID: 0012_comment_index
Revises: 0011_report_cells
Create Date: 2026-12-04 20:15:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_comment_index"
down_revision = "0011_report_cells"
branch_labels = None
depends_on = None

COMMENTED = sa.text("comment IS NOT NULL AND comment <> ''")


def upgrade():
    op.create_index("ix_response_unit_commented", "response", ["unit_id", "submitted_at"],
                    postgresql_where=COMMENTED, sqlite_where=COMMENTED)


def downgrade():
    op.drop_index("ix_response_unit_commented", table_name="response")
