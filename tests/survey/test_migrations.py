"""Migrations match the models and go down and up again cleanly, with the responses they hold."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, text

from survey.collection import exporting, instruments, partitions
from survey.collection.responses import Context, Submission, record_response
from survey.extensions import db
from survey.models import Answer, Response, ResponseKey
from survey.reporting import rebuild
from tests import factories
from tests.helpers import make_app, reset_database, scratch_database_url


@pytest.fixture(scope="module")
def scratch_app(tmp_path_factory):
    """A database of its own: these tests drop and recreate the schema."""
    return make_app(scratch_database_url(tmp_path_factory, "migrations"))


def test_migrations_at_head_match_the_models(scratch_app):
    reset_database(scratch_app)
    with scratch_app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=partitions.ALEMBIC)
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_upgrade_downgrade_upgrade_round_trip(scratch_app):
    reset_database(scratch_app)
    with scratch_app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        downgrade(revision="base")
        db.engine.dispose()
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()
        assert set(inspect(db.engine).get_table_names()) == tables
        assert "response" in tables
        assert "answer" in tables


def test_the_responses_go_down_to_0012_and_up_to_the_month_partitions_unchanged(scratch_app):
    """0013 copies every response, answer and problem into the new tables (by month on
    PostgreSQL) and their keys into ``response_key``; its downgrade copies them back."""
    reset_database(scratch_app)
    with scratch_app.app_context():
        factories.load_instruments()
        unit = factories.make_unit(db.session)
        instrument = instruments.current(db.session, "sipas-full")
        assert instrument is not None
        context = Context.of(instrument, unit, "paper", dossier_hash="d" * 64)
        problems = [p["code"] for p in instrument.definition["problems"][:1]]
        ratings = dict.fromkeys(instrument.item_keys, 2)
        keys = [uuid.uuid4().hex, uuid.uuid4().hex]
        for key, at, dossier in ((keys[0], datetime(2019, 3, 15, tzinfo=UTC), "d" * 64),
                                 (keys[1], datetime.now(UTC), None)):
            submission = Submission(idempotency_key=key, ratings=ratings, problems=problems, submitted_at=at)
            assert record_response(db.session, Context(**{**vars(context), "dossier_hash": dossier}),
                                   submission) == "recorded"
        db.session.commit()
        before = _exported()
        downgrade(revision="0012_comment_index")
        db.engine.dispose()
        assert "response_key" not in inspect(db.engine).get_table_names()
        with db.engine.connect() as connection:  # the models are 0013's: read as 0012 has it
            counts = [connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: S608 - fixed names
                      for table in ("response", "answer", "response_problem")]
        assert counts == [2, 2 * len(ratings), 2 * len(problems)]
        upgrade()
        db.engine.dispose()
        instruments.forget()
        assert _exported() == before
        assert set(db.session.scalars(select(ResponseKey.idempotency_key))) == set(keys)
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 2 * len(ratings)
        assert rebuild.verify(db.session) == []
        again = Submission(idempotency_key=keys[1], ratings=ratings)
        assert record_response(db.session, context, again) == "duplicate"
        other = Submission(idempotency_key=uuid.uuid4().hex, ratings=ratings)
        assert record_response(db.session, context, other) == "dossier_used"
        if db.engine.dialect.name == "postgresql":  # each in its month, and three months ahead
            this = datetime.now(partitions.LOCAL).date().replace(day=1)
            homes = db.session.scalars(select(text("tableoid::regclass::text")).select_from(Response))
            assert sorted(homes) == ["response_2019_03", f"response_{this:%Y_%m}"]
            assert len([m for m in partitions.months(db.session)["response"] if m > this]) == 3
        db.session.rollback()


def _exported() -> str:
    out = io.StringIO()
    exporting.write_csv(db.session, out, exporting.response_query(include_excluded=True), with_comments=True)
    db.session.rollback()
    return out.getvalue()
