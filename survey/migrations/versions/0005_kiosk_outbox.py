"""What each tablet reports of its outbox, and an administrator's discard of refused answers.

Revision ID: 0005_kiosk_outbox
Revises: 0004_qr_short_code
Create Date: 2026-12-02 10:00:00
"""
import sqlalchemy as sa
from alembic import op

from survey.models.types import UtcDateTime

revision = "0005_kiosk_outbox"
down_revision = "0004_qr_short_code"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("kiosk", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outbox_waiting", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("outbox_oldest_at", UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("outbox_discard_before", UtcDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("kiosk", schema=None) as batch_op:
        batch_op.drop_column("outbox_discard_before")
        batch_op.drop_column("outbox_oldest_at")
        batch_op.drop_column("outbox_waiting")
