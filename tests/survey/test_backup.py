"""``flask --app wsgi backup``: a consistent SQLite copy that restores into a fresh instance."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Answer, Response
from tests import factories
from tests.helpers import make_app, reset_database

RATINGS = {"overall": 4, "access.place": 5, "procedure.as_posted": 3, "staff.courteous": 5,
           "result.as_promised": 4, "feedback.easy": 2}


@pytest.fixture
def live(tmp_path: Path) -> Flask:
    """A SQLite instance (always SQLite: the command is for SQLite) with a unit and an instrument."""
    app = make_app(f"sqlite:///{tmp_path / 'live.sqlite3'}")
    reset_database(app)
    with app.app_context():
        factories.load_instruments()
        factories.make_unit(db.session, code="LIVE")
        db.session.commit()
    return app


def add_responses(app: Flask, n: int) -> None:
    with app.app_context():
        unit = db.session.scalars(select(factories.Unit).filter_by(code="LIVE")).one()
        for _ in range(n):
            factories.make_response(db.session, unit=unit, ratings=RATINGS, instrument_key="sipas-short")
            db.session.commit()
        db.session.remove()


def contents(app: Flask) -> dict[str, tuple[int | None, int]]:
    """Every response id with its overall rating and number of answers."""
    with app.app_context():
        rows = db.session.execute(
            select(Response.id, Response.overall, func.count(Answer.item_key))
            .outerjoin(Response.answers).group_by(Response.id, Response.overall)
        )
        found = {row[0]: (row[1], row[2]) for row in rows}
        db.session.remove()
        db.engine.dispose()
    return found


def test_backup_restores_into_a_fresh_instance_with_every_response(live, tmp_path):
    add_responses(live, 25)
    output = tmp_path / "copies" / "survey.sqlite3"
    result = live.test_cli_runner().invoke(args=["backup", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert "25 responses" in result.output
    restored = make_app(f"sqlite:///{output}")
    assert contents(restored) == contents(live)
    assert len(contents(restored)) == 25


def test_backup_taken_during_submissions_is_one_consistent_snapshot(live, tmp_path):
    """While a writer commits responses, every response in the copy has all its answers."""
    add_responses(live, 5)
    stop = threading.Event()

    def writer() -> None:
        while not stop.is_set():
            add_responses(live, 1)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        outputs = [tmp_path / f"during-{i}.sqlite3" for i in range(3)]
        for output in outputs:
            result = live.test_cli_runner().invoke(args=["backup", "--output", str(output)])
            assert result.exit_code == 0, result.output
    finally:
        stop.set()
        thread.join()
    final = contents(live)
    for output in outputs:
        copy = contents(make_app(f"sqlite:///{output}"))
        assert len(copy) >= 5
        assert all(answers == len(RATINGS) for _overall, answers in copy.values())
        assert set(copy) <= set(final)


def test_postgresql_is_refused_with_the_pg_dump_route(tmp_path):
    app = make_app(f"postgresql+psycopg://backup@127.0.0.1:1/{uuid.uuid4().hex}")
    output = tmp_path / "never.sqlite3"
    result = app.test_cli_runner().invoke(args=["backup", "--output", str(output)])
    assert result.exit_code != 0
    assert "pg_dump" in result.output
    assert "pg_restore" in result.output
    assert not output.exists()
