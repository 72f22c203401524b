"""Desk sessions (the dossier a desk has just served), partial kiosk responses, the service step.

Revision ID: 0006_desk_sessions
Revises: 0005_kiosk_outbox
Create Date: 2026-12-02 18:45:00
"""
import sqlalchemy as sa
from alembic import op

from survey.models.types import UtcDateTime

revision = "0006_desk_sessions"
down_revision = "0005_kiosk_outbox"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "desk_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("service_point_id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("dossier_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["procedure_id"], ["procedure.id"],
                                name=op.f("fk_desk_session_procedure_id_procedure")),
        sa.ForeignKeyConstraint(["service_point_id"], ["service_point.id"],
                                name=op.f("fk_desk_session_service_point_id_service_point")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_session")),
        sa.UniqueConstraint("key", name=op.f("uq_desk_session_key")),
        sa.UniqueConstraint("service_point_id", "dossier_hash",
                            name=op.f("uq_desk_session_service_point_id_dossier_hash")),
    )
    op.create_index("ix_desk_session_live", "desk_session", ["service_point_id", "expires_at"])
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("partial", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("service_step", sa.String(length=10), nullable=True))
        batch_op.create_check_constraint(
            "service_step", "service_step IS NULL OR service_step IN ('chosen', 'skipped')"
        )


def downgrade():
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_response_service_step"), type_="check")
        batch_op.drop_column("service_step")
        batch_op.drop_column("partial")
    op.drop_index("ix_desk_session_live", table_name="desk_session")
    op.drop_table("desk_session")
