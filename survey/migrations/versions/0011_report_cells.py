"""Reporting cells: additive monthly sums of the responses, kept with every write.

The indexes that only served the reports' scans of ``response`` and ``answer`` (0002) go: the
figures now read the cells, and every insert paid for those indexes.

The cells are filled from the responses already stored, by the same recomputation as
``flask reporting rebuild``. That fill reads today's models; should a later migration change
``response``, ``answer`` or ``instrument``, run it before that one's changes or leave the fill
to ``flask reporting rebuild``.

Revision ID: 0011_report_cells
Revises: 0010_sector_departments
Create Date: 2026-12-03 12:40:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "0011_report_cells"
down_revision = "0010_sector_departments"
branch_labels = None
depends_on = None


def _dimensions(*, procedure: bool) -> list[sa.Column]:
    columns = [
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("instrument_id", sa.Integer(), nullable=False),
        sa.Column("service_point_id", sa.Integer(), nullable=True),
    ]
    if procedure:
        columns.append(sa.Column("procedure_id", sa.Integer(), nullable=True))
    columns.append(sa.Column("sector_id", sa.Integer(), nullable=True))
    return columns


def upgrade():
    op.create_table(
        "cell_count",
        sa.Column("key", sa.String(length=160), nullable=False),
        *_dimensions(procedure=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("respondent_type", sa.String(length=20), nullable=True),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("s", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_cell_count")),
    )
    op.create_index("ix_cell_count_month_unit", "cell_count", ["month", "unit_id"])
    op.create_table(
        "cell_items",
        sa.Column("key", sa.String(length=120), nullable=False),
        *_dimensions(procedure=False),
        sa.Column("with_procedure", sa.Boolean(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("s", sa.Integer(), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.Column("stats", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_cell_items")),
    )
    op.create_index("ix_cell_items_month_unit", "cell_items", ["month", "unit_id"])
    op.create_table(
        "cell_problem",
        sa.Column("key", sa.String(length=160), nullable=False),
        *_dimensions(procedure=False),
        sa.Column("with_procedure", sa.Boolean(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_cell_problem")),
    )
    op.create_index("ix_cell_problem_month_unit", "cell_problem", ["month", "unit_id"])

    op.drop_index("ix_answer_covering", table_name="answer")
    for name in ("ix_response_reporting_time", "ix_response_reporting_unit", "ix_response_excluded"):
        op.drop_index(name, table_name="response")

    from survey.reporting import rebuild

    session = Session(bind=op.get_bind())
    rebuild.rebuild(session)
    session.flush()


def downgrade():
    columns = ["instrument_id", "overall", "excluded", "channel", "sector_id", "procedure_id", "id"]
    op.create_index("ix_response_reporting_time", "response", ["submitted_at", "unit_id", *columns])
    op.create_index("ix_response_reporting_unit", "response", ["unit_id", "submitted_at", *columns])
    op.create_index("ix_response_excluded", "response", ["excluded"])
    op.create_index("ix_answer_covering", "answer", ["response_id", "item_key", "value"])
    for table in ("cell_problem", "cell_items", "cell_count"):
        op.drop_index(f"ix_{table}_month_unit", table_name=table)
        op.drop_table(table)
