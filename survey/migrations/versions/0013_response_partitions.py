"""A response's three tables by month on PostgreSQL; its unique keys in ``response_key``.

On a partitioned table every primary key and unique constraint must include the partition key,
so what is unique about a response for all time moves to a table of its own, ``response_key``
(the idempotency key, primary key; the dossier HMAC, unique), filled from the responses. The
two columns stay in ``response``, no longer unique there; a partial index keeps the look-ups by
dossier.

``response``, ``answer`` and ``response_problem`` are made anew and the rows copied into them:
``response``'s primary key becomes (id, submitted_at); ``answer`` and ``response_problem``
carry their response's ``submitted_at`` and name it by (response_id, submitted_at), without a
foreign key (PostgreSQL checks one to a partitioned table by a query per row: see
:mod:`survey.models.responses`). On
PostgreSQL the three are ``PARTITION BY RANGE (submitted_at)``, with a partition per local
month that has responses, for this month and the three ahead, and a default partition for any
other date; ``flask responses partitions`` (nightly) adds the months after. On SQLite they
are plain tables of the same columns and keys.

The copy reads every response and answer once and builds their indexes again, with writes
stopped: 30 s at 1,000,000 responses and 5,500,000 answers on PostgreSQL (2 cores), so some
minutes at 10,000,000.

Revision ID: 0013_response_partitions
Revises: 0012_comment_index
Create Date: 2026-12-06 23:00:00
"""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0013_response_partitions"
down_revision = "0012_comment_index"
branch_labels = None
depends_on = None

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
AHEAD = 3
TABLES = ("response", "answer", "response_problem")
VALUES = {"answer": ["item_key", "value"], "response_problem": ["code"]}
COMMENTED = sa.text("comment IS NOT NULL AND comment <> ''")
WITH_DOSSIER = sa.text("dossier_hash IS NOT NULL")
RESPONSE_FKS = (("unit_id", "unit"), ("service_point_id", "service_point"), ("procedure_id", "procedure"),
                ("sector_id", "sector"), ("instrument_id", "instrument"), ("kiosk_id", "kiosk"))


def _columns(table: str, *, by_month: bool) -> list[sa.Column]:
    """A table's columns: ``answer`` and ``response_problem`` with ``submitted_at`` when ``by_month``."""
    moment = sa.DateTime(timezone=True)
    if table == "response":
        return [
            sa.Column("id", sa.String(length=36), nullable=False),
            sa.Column("submitted_at", moment, nullable=False),
            sa.Column("unit_id", sa.Integer(), nullable=False),
            sa.Column("service_point_id", sa.Integer(), nullable=True),
            sa.Column("procedure_id", sa.Integer(), nullable=True),
            sa.Column("sector_id", sa.Integer(), nullable=True),
            sa.Column("channel", sa.String(length=10), nullable=False),
            sa.Column("respondent_type", sa.String(length=20), nullable=True),
            sa.Column("instrument_id", sa.Integer(), nullable=False),
            sa.Column("kiosk_id", sa.Integer(), nullable=True),
            sa.Column("overall", sa.SmallInteger(), nullable=True),
            sa.Column("comment", sa.Text(), nullable=True),
            sa.Column("idempotency_key", sa.String(length=64), nullable=False),
            sa.Column("dossier_hash", sa.String(length=64), nullable=True),
            sa.Column("flag", sa.String(length=40), nullable=True),
            sa.Column("excluded", sa.Boolean(), nullable=False),
            sa.Column("partial", sa.Boolean(), server_default="0", nullable=False),
            sa.Column("service_step", sa.String(length=10), nullable=True),
            sa.Column("recorded_at", moment, nullable=False),
        ]
    columns = [sa.Column("response_id", sa.String(length=36), nullable=False)]
    if table == "answer":
        columns += [sa.Column("item_key", sa.String(length=60), nullable=False),
                    sa.Column("value", sa.SmallInteger(), nullable=False)]
    else:
        columns.append(sa.Column("code", sa.String(length=40), nullable=False))
    if by_month:
        columns.append(sa.Column("submitted_at", moment, nullable=False))
    return columns


def _checks(table: str) -> list[sa.CheckConstraint]:
    if table == "answer":
        return [sa.CheckConstraint("value BETWEEN 1 AND 5", name=op.f("ck_answer_value"))]
    if table == "response_problem":
        return []
    return [
        sa.CheckConstraint("channel IN ('kiosk', 'qr', 'link', 'paper', 'api')", name=op.f("ck_response_channel")),
        sa.CheckConstraint("respondent_type IS NULL OR respondent_type IN ('citizen', 'organisation')",
                           name=op.f("ck_response_respondent_type")),
        sa.CheckConstraint("overall IS NULL OR overall BETWEEN 1 AND 5", name=op.f("ck_response_overall")),
        sa.CheckConstraint("service_step IS NULL OR service_step IN ('chosen', 'skipped')",
                           name=op.f("ck_response_service_step")),
    ]


def _keys(table: str, *, by_month: bool) -> tuple[list[str], list[tuple[str, list[str], str, list[str]]]]:
    """The primary key's columns and the foreign keys (name, columns, referred table, its columns):
    by month, with ``submitted_at`` and no key from a child to ``response``."""
    month = ["submitted_at"] if by_month else []
    if table == "response":
        return ["id", *month], [(f"fk_response_{column}_{other}", [column], other, ["id"])
                                for column, other in RESPONSE_FKS]
    to_response = [] if by_month else [(f"fk_{table}_response_id_response", ["response_id"], "response", ["id"])]
    return ["response_id", *month, VALUES[table][0]], to_response


def _uniques(table: str, *, by_month: bool) -> list[str]:
    """The columns unique on their own: none on a table by month (``response_key`` holds them)."""
    return [] if by_month or table != "response" else ["dossier_hash", "idempotency_key"]


def _create(table: str, *, by_month: bool, postgresql: bool) -> None:
    """The table; on PostgreSQL without its keys, which :func:`_add_keys` builds after the copy."""
    constraints: list[sa.Constraint] = list(_checks(table))
    if not postgresql:
        primary, foreign = _keys(table, by_month=by_month)
        constraints.append(sa.PrimaryKeyConstraint(*primary, name=op.f(f"pk_{table}")))
        constraints += [sa.ForeignKeyConstraint(columns, [f"{other}.{c}" for c in referred], name=op.f(name))
                        for name, columns, other, referred in foreign]
        constraints += [sa.UniqueConstraint(c, name=op.f(f"uq_{table}_{c}"))
                        for c in _uniques(table, by_month=by_month)]
    options = {"postgresql_partition_by": "RANGE (submitted_at)"} if by_month and postgresql else {}
    op.create_table(table, *_columns(table, by_month=by_month), *constraints, **options)


def _add_keys(table: str, *, by_month: bool) -> None:
    primary, foreign = _keys(table, by_month=by_month)
    op.create_primary_key(f"pk_{table}", table, primary)
    for name, columns, other, referred in foreign:
        op.create_foreign_key(name, table, other, columns, referred)
    for column in _uniques(table, by_month=by_month):
        op.create_unique_constraint(f"uq_{table}_{column}", table, [column])


def _response_indexes(*, by_month: bool) -> None:
    op.create_index(op.f("ix_response_submitted_at"), "response", ["submitted_at"])
    op.create_index("ix_response_unit_submitted", "response", ["unit_id", "submitted_at"])
    op.create_index("ix_response_unit_commented", "response", ["unit_id", "submitted_at"],
                    postgresql_where=COMMENTED, sqlite_where=COMMENTED)
    if by_month:
        op.create_index("ix_response_dossier_hash", "response", ["dossier_hash"],
                        postgresql_where=WITH_DOSSIER, sqlite_where=WITH_DOSSIER)


def _set_aside(postgresql: bool, *, by_month: bool) -> None:
    """Rename the three tables ``<name>_old``, freeing every name of theirs for the new ones."""
    indexes = ["ix_response_submitted_at", "ix_response_unit_submitted", "ix_response_unit_commented"]
    for name in indexes + (["ix_response_dossier_hash"] if by_month else []):
        op.drop_index(name, table_name="response")
    if postgresql:  # constraint names that are index names, unique in the schema
        for table in ("answer", "response_problem") if not by_month else ():
            op.drop_constraint(f"fk_{table}_response_id_response", table, type_="foreignkey")
        for table in TABLES:
            op.drop_constraint(f"pk_{table}", table, type_="primary")
        if not by_month:
            for column in ("dossier_hash", "idempotency_key"):
                op.drop_constraint(f"uq_response_{column}", "response", type_="unique")
    for table in TABLES:  # SQLite points the foreign keys to response at response_old
        op.rename_table(table, f"{table}_old")


def _copy(*, to_months: bool) -> None:
    """Every row from the ``_old`` tables, which are then dropped."""
    columns = ", ".join(c.name for c in _columns("response", by_month=to_months))
    op.execute(f"INSERT INTO response ({columns}) SELECT {columns} FROM response_old")
    for table, values in VALUES.items():
        names = ", ".join(values)
        old = ", ".join(f"c.{value}" for value in values)
        if to_months:
            op.execute(f"INSERT INTO {table} (response_id, submitted_at, {names})"
                       f" SELECT c.response_id, r.submitted_at, {old} FROM {table}_old c"
                       " JOIN response_old r ON r.id = c.response_id")
        else:
            op.execute(f"INSERT INTO {table} (response_id, {names}) SELECT response_id, {names}"
                       f" FROM {table}_old")
    for table in reversed(TABLES):
        op.drop_table(f"{table}_old")


def _month_partitions() -> None:
    """A default partition of each table, and one per local month that has responses or is this
    one or among the ``AHEAD`` after it (as ``flask responses partitions`` makes them)."""
    found = op.get_bind().execute(sa.text(
        "SELECT DISTINCT date_trunc('month', submitted_at AT TIME ZONE 'Asia/Ho_Chi_Minh') FROM response_old"))
    now = datetime.now(LOCAL).date()
    index = now.year * 12 + now.month - 1
    months = {moment.date() for (moment,) in found}
    months |= {date((index + n) // 12, (index + n) % 12 + 1, 1) for n in range(AHEAD + 1)}
    for table in TABLES:
        op.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
    for month in sorted(months):
        upper = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        bounds = [datetime.combine(day, time(), LOCAL).isoformat() for day in (month, upper)]
        for table in TABLES:
            op.execute(f"CREATE TABLE {table}_{month:%Y_%m} PARTITION OF {table}"
                       f" FOR VALUES FROM ('{bounds[0]}') TO ('{bounds[1]}')")


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "response_key",
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("response_id", sa.String(length=36), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dossier_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("idempotency_key", name=op.f("pk_response_key")),
        sa.UniqueConstraint("dossier_hash", name=op.f("uq_response_key_dossier_hash")),
    )
    op.execute("INSERT INTO response_key (idempotency_key, response_id, submitted_at, dossier_hash)"
               " SELECT idempotency_key, id, submitted_at, dossier_hash FROM response")
    _set_aside(postgresql, by_month=False)
    for table in TABLES:
        _create(table, by_month=True, postgresql=postgresql)
    if postgresql:
        _month_partitions()
    _copy(to_months=True)
    if postgresql:
        for table in TABLES:
            _add_keys(table, by_month=True)
    _response_indexes(by_month=True)


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    _set_aside(postgresql, by_month=True)
    for table in TABLES:
        _create(table, by_month=False, postgresql=postgresql)
    _copy(to_months=False)
    if postgresql:
        for table in TABLES:
            _add_keys(table, by_month=False)
    _response_indexes(by_month=False)
    op.drop_table("response_key")
