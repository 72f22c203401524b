"""Migrations match the models and go down and up again cleanly."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from survey.extensions import db
from tests.helpers import make_app, reset_database, scratch_database_url


@pytest.fixture(scope="module")
def scratch_app(tmp_path_factory):
    """A database of its own: these tests drop and recreate the schema."""
    return make_app(scratch_database_url(tmp_path_factory, "migrations"))


def test_migrations_at_head_match_the_models(scratch_app):
    reset_database(scratch_app)
    with scratch_app.app_context(), db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
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
