"""A short code per QR code, for the poster's typeable link ``/q/<code>``.

Existing QR codes are given a random code each (the same alphabet as enrolment codes: no 0/O,
1/I/L), then the column becomes NOT NULL and UNIQUE.

Revision ID: 0004_qr_short_code
Revises: 0003_complaints
Create Date: 2026-12-02 06:00:00
"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0004_qr_short_code"
down_revision = "0003_complaints"
branch_labels = None
depends_on = None

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def upgrade():
    with op.batch_alter_table("qr_code", schema=None) as batch_op:
        batch_op.add_column(sa.Column("short_code", sa.String(length=12), nullable=True))
    connection = op.get_bind()
    used = set()
    for (qr_id,) in connection.execute(sa.text("SELECT id FROM qr_code")).fetchall():
        code = ""
        while not code or code in used:
            code = "".join(secrets.choice(ALPHABET) for _ in range(7))
        used.add(code)
        connection.execute(sa.text("UPDATE qr_code SET short_code = :c WHERE id = :i"), {"c": code, "i": qr_id})
    with op.batch_alter_table("qr_code", schema=None) as batch_op:
        batch_op.alter_column("short_code", existing_type=sa.String(length=12), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_qr_code_short_code"), ["short_code"])


def downgrade():
    with op.batch_alter_table("qr_code", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_qr_code_short_code"), type_="unique")
        batch_op.drop_column("short_code")
