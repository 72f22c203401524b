"""Drop ``ix_response_dossier_hash``: nothing looks a response up by its dossier any more.

A dossier is found in ``response_key`` (its unique ``dossier_hash``, migration 0013), where the
write path checks it; the partial index on ``response`` only cost every answer with a dossier an
index entry more.

Revision ID: 0015_drop_dossier_index
Revises: 0014_cell_fillfactor
Create Date: 2026-12-07 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0015_drop_dossier_index"
down_revision = "0014_cell_fillfactor"
branch_labels = None
depends_on = None

WITH_DOSSIER = sa.text("dossier_hash IS NOT NULL")


def upgrade():
    op.drop_index("ix_response_dossier_hash", table_name="response")


def downgrade():
    op.create_index("ix_response_dossier_hash", "response", ["dossier_hash"],
                    postgresql_where=WITH_DOSSIER, sqlite_where=WITH_DOSSIER)
