"""The levels of government a target applies to (optional; empty: every level).

Revision ID: 0008_target_levels
Revises: 0007_jobs
Create Date: 2026-12-02 19:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_target_levels"
down_revision = "0007_jobs"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.add_column(sa.Column("levels", sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.drop_column("levels")
