"""Sector departments: a staff role that sees one sector (health, education) across every unit.

Revision ID: 0010_sector_departments
Revises: 0009_report_calendar
Create Date: 2026-12-03 06:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_sector_departments"
down_revision = "0009_report_calendar"
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('admin', 'unit_manager', 'unit_viewer')"
OLD_UNIT = "role = 'admin' OR unit_id IS NOT NULL"


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sector", sa.String(length=20), nullable=True))
        batch_op.drop_constraint(batch_op.f("ck_user_account_role"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_user_account_unit_role_has_unit"), type_="check")
        batch_op.create_check_constraint(
            "role", "role IN ('admin', 'unit_manager', 'unit_viewer', 'sector_viewer')")
        batch_op.create_check_constraint(
            "unit_role_has_unit", "role IN ('admin', 'sector_viewer') OR unit_id IS NOT NULL")
        batch_op.create_check_constraint(
            "sector_role", "(role = 'sector_viewer' AND sector IS NOT NULL) OR "
                           "(role <> 'sector_viewer' AND sector IS NULL)")
        batch_op.create_check_constraint(
            "sector", "sector IS NULL OR sector IN ('health', 'education')")


def downgrade():
    # A sector department's account has no place in the older schema: refuse rather than drop it.
    accounts = op.get_bind().execute(
        sa.text("SELECT count(*) FROM user_account WHERE role = 'sector_viewer'")).scalar()
    if accounts:
        raise RuntimeError(f"{accounts} sector department accounts exist; remove them first")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_user_account_sector"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_user_account_sector_role"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_user_account_unit_role_has_unit"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_user_account_role"), type_="check")
        batch_op.create_check_constraint("role", OLD_ROLES)
        batch_op.create_check_constraint("unit_role_has_unit", OLD_UNIT)
        batch_op.drop_column("sector")
