"""The reporting calendar (reporting_duty, seeded from the plans' rhythm), issued reports
(report_issue, report_file) and when each response was stored (response.recorded_at).

Revision ID: 0009_report_calendar
Revises: 0008_target_levels
Create Date: 2026-12-03 06:50:00
"""
import sqlalchemy as sa
from alembic import op

import survey.models.types

revision = "0009_report_calendar"
down_revision = "0008_target_levels"
branch_labels = None
depends_on = None

# The plans: a report each quarter (due the 5th of the next month), a 6-month and an annual
# report due the 15th of the period's last month (drafted ten days before: 05/6, 05/12, data to
# that day), and the year's full figures due 26/02 of the next year.
DUTIES = [
    ("quy", "Báo cáo kết quả khảo sát quý", "quarter", 1, 5, 10, "Ủy ban nhân dân thành phố"),
    ("6-thang", "Báo cáo kết quả khảo sát 6 tháng", "half", 0, 15, 10, "Ủy ban nhân dân thành phố"),
    ("nam", "Báo cáo kết quả khảo sát năm", "year", 0, 15, 10, "Bộ Nội vụ"),
    ("tong-ket-nam", "Báo cáo tổng kết năm (số liệu đủ 12 tháng)", "year", 2, 26, 10,
     "Ủy ban nhân dân thành phố"),
]


def upgrade():
    duty = op.create_table("reporting_duty",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("code", sa.String(length=40), nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("cadence", sa.String(length=10), nullable=False),
    sa.Column("due_months_after", sa.Integer(), nullable=False),
    sa.Column("due_day", sa.Integer(), nullable=False),
    sa.Column("lead_days", sa.Integer(), nullable=False),
    sa.Column("recipient", sa.String(length=200), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.CheckConstraint("cadence IN ('quarter', 'half', 'year')", name=op.f("ck_reporting_duty_cadence")),
    sa.CheckConstraint("due_day BETWEEN 1 AND 31", name=op.f("ck_reporting_duty_due_day")),
    sa.CheckConstraint("due_months_after BETWEEN 0 AND 12", name=op.f("ck_reporting_duty_due_months_after")),
    sa.CheckConstraint("lead_days BETWEEN 0 AND 60", name=op.f("ck_reporting_duty_lead_days")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_duty")),
    sa.UniqueConstraint("code", name=op.f("uq_reporting_duty_code"))
    )
    op.create_table("report_issue",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("duty_id", sa.Integer(), nullable=False),
    sa.Column("period_label", sa.String(length=10), nullable=False),
    sa.Column("status", sa.String(length=10), nullable=False),
    sa.Column("drafted_at", survey.models.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column("number", sa.String(length=40), nullable=True),
    sa.Column("published_at", survey.models.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column("published_by", sa.Integer(), nullable=True),
    sa.Column("cutoff_at", survey.models.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column("audit_head", sa.String(length=64), nullable=True),
    sa.Column("figures", sa.JSON(), nullable=True),
    sa.Column("method_note", sa.JSON(), nullable=True),
    sa.Column("pdf_error", sa.Text(), nullable=True),
    sa.Column("pdf_attempts", sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'published')", name=op.f("ck_report_issue_status")),
    sa.ForeignKeyConstraint(["duty_id"], ["reporting_duty.id"], name=op.f("fk_report_issue_duty_id_reporting_duty")),
    sa.ForeignKeyConstraint(["published_by"], ["user_account.id"], name=op.f("fk_report_issue_published_by_user_account")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_report_issue")),
    sa.UniqueConstraint("duty_id", "period_label", name=op.f("uq_report_issue_duty_id_period_label"))
    )
    op.create_table("report_file",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("issue_id", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(length=4), nullable=False),
    sa.Column("sha256", sa.String(length=64), nullable=False),
    sa.Column("size", sa.Integer(), nullable=False),
    sa.Column("content", sa.LargeBinary(), nullable=False),
    sa.Column("created_at", survey.models.types.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('pdf', 'xlsx')", name=op.f("ck_report_file_kind")),
    sa.ForeignKeyConstraint(["issue_id"], ["report_issue.id"], name=op.f("fk_report_file_issue_id_report_issue")),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_report_file")),
    sa.UniqueConstraint("issue_id", "kind", name=op.f("uq_report_file_issue_id_kind"))
    )
    op.bulk_insert(duty, [
        {"code": code, "name": name, "cadence": cadence, "due_months_after": after, "due_day": day,
         "lead_days": lead, "recipient": recipient, "active": True}
        for code, name, cadence, after, day, lead, recipient in DUTIES])
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_at", survey.models.types.UtcDateTime(timezone=True),
                                      nullable=True))
    op.execute("UPDATE response SET recorded_at = submitted_at")
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.alter_column("recorded_at", existing_type=survey.models.types.UtcDateTime(timezone=True),
                              nullable=False)


def downgrade():
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_column("recorded_at")
    op.drop_table("report_file")
    op.drop_table("report_issue")
    op.drop_table("reporting_duty")
