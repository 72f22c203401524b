"""Scheduled work (job_run: one row per job and due moment) and the record of outside indices.

Revision ID: 0007_jobs
Revises: 0006_desk_sessions
Create Date: 2026-12-02 18:36:50
"""
import sqlalchemy as sa
from alembic import op

import survey.models.types

revision = '0007_jobs'
down_revision = '0006_desk_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('due_key', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('started_at', survey.models.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', survey.models.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('next_attempt_at', survey.models.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('running', 'done', 'failed')", name=op.f('ck_job_run_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run')),
    sa.UniqueConstraint('job', 'due_key', name=op.f('uq_job_run_job_due_key'))
    )
    op.create_table('outside_index',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('index_code', sa.String(length=12), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('goal_rank', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('updated_at', survey.models.types.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("index_code IN ('SIPAS', 'PAR_INDEX', 'PAPI', 'PCI')", name=op.f('ck_outside_index_index_code')),
    sa.CheckConstraint('goal_rank IS NULL OR goal_rank >= 1', name=op.f('ck_outside_index_goal_rank')),
    sa.CheckConstraint('rank IS NULL OR rank >= 1', name=op.f('ck_outside_index_rank')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_outside_index_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outside_index')),
    sa.UniqueConstraint('index_code', 'year', name=op.f('uq_outside_index_index_code_year'))
    )


def downgrade():
    op.drop_table('outside_index')
    op.drop_table('job_run')
