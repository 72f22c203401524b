"""The month partitions of a response's tables on PostgreSQL (survey.collection.partitions).

They exist on PostgreSQL only, so this module runs on PostgreSQL whatever the suite runs on: on
the suite's server on PostgreSQL runs, on the machine's otherwise (``postgres_database_url``),
in a database of its own, migrated. Each test runs in a transaction that is rolled back, the
partitions it made with it (PostgreSQL's DDL is transactional).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.orm import scoped_session, sessionmaker

from survey.collection import exporting, instruments, partitions
from survey.collection.responses import Context, Submission, record_response
from survey.extensions import db
from survey.models import Answer, Response, ResponseKey, ResponseProblem
from survey.operations import jobs
from survey.reporting import rebuild
from tests import factories
from tests.helpers import committed_app, postgres_database_url

TODAY = date(2026, 12, 6)
OLD = datetime(2019, 3, 15, 9, 30, tzinfo=UTC)  # a paper answer of an old year: no partition yet


@pytest.fixture(scope="module")
def pg_app() -> Iterator[Flask]:
    with committed_app(postgres_database_url("partitions")) as app:
        yield app


@pytest.fixture
def pg(pg_app: Flask) -> Iterator[Flask]:
    """``db.session`` in a transaction of PostgreSQL's that is rolled back after the test."""
    with pg_app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
        try:
            yield pg_app
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()
            instruments.forget()


def place():  # type: ignore[no-untyped-def]
    session = db.session
    unit = factories.make_unit(session)
    point = factories.make_service_point(session, unit)
    instrument = instruments.current(session, "sipas-full")
    assert instrument is not None
    procedure = factories.make_procedure(session)
    return Context.of(instrument, unit, "paper", service_point=point, procedure=procedure)


def answer(context: Context, at: datetime, *, key: str | None = None, dossier: str | None = None) -> str:
    problems = [p["code"] for p in context.instrument.definition["problems"][:2]]
    ratings = {item: 2 if n % 3 == 0 else 5 for n, item in enumerate(context.instrument.item_keys)}
    return record_response(db.session, Context(**{**vars(context), "dossier_hash": dossier}),
                           Submission(idempotency_key=key or uuid.uuid4().hex, ratings=ratings,
                                      problems=problems, submitted_at=at))


def homes(model: type, response_id: str) -> set[str]:
    """The partitions the rows of one response are stored in."""
    column = Response.id if model is Response else model.response_id  # type: ignore[attr-defined]
    query = select(text("tableoid::regclass::text")).select_from(model).where(column == response_id)
    return set(db.session.scalars(query))


def months_from(first: date, count: int) -> set[date]:
    index = first.year * 12 + first.month - 1
    return {date((index + n) // 12, (index + n) % 12 + 1, 1) for n in range(count)}


def exported() -> str:
    out = io.StringIO()
    exporting.write_csv(db.session, out, exporting.response_query(include_excluded=True), with_comments=True)
    return out.getvalue()


def test_the_three_tables_are_partitioned_by_month_with_a_default(pg) -> None:
    assert partitions.partitioned(db.session)
    kinds = dict(db.session.execute(text(
        "SELECT relname, relkind FROM pg_class WHERE relname IN ('response', 'answer', 'response_problem',"
        " 'response_key', 'response_default', 'answer_default', 'response_problem_default')")).all())
    assert kinds == {"response": "p", "answer": "p", "response_problem": "p", "response_key": "r",
                     "response_default": "r", "answer_default": "r", "response_problem_default": "r"}
    have = partitions.months(db.session)
    assert have["response"] == have["answer"] == have["response_problem"]
    assert have["response"], "the migration makes this month's partition and the next ones"


def test_the_command_creates_the_months_ahead_once(pg) -> None:
    runner = pg.test_cli_runner()
    before = partitions.months(db.session)["response"]
    result = runner.invoke(args=["responses", "partitions", "--ahead", "8"])
    assert result.exit_code == 0, result.output
    after = partitions.months(db.session)["response"]
    current = datetime.now(partitions.LOCAL).date().replace(day=1)
    assert after == before | months_from(current, 9)  # this month and the 8 after it
    assert after == months_from(min(after), len(after))  # none left out
    assert f"Đã tạo phân vùng tháng {max(after):%m/%Y}" in result.output
    again = runner.invoke(args=["responses", "partitions", "--ahead", "8"])
    assert again.exit_code == 0
    assert again.output.startswith("0 tháng mới"), again.output
    assert partitions.months(db.session) == {name: after for name in partitions.NAMES}


def test_an_answer_of_a_month_without_a_partition_waits_in_the_default_and_moves_to_its_month(pg) -> None:
    context = place()
    key = uuid.uuid4().hex
    assert answer(context, OLD, key=key) == "recorded"
    response_id = db.session.scalar(select(ResponseKey.response_id).filter_by(idempotency_key=key))
    assert response_id is not None
    assert homes(Response, response_id) == {"response_default"}
    assert homes(Answer, response_id) == {"answer_default"}
    assert homes(ResponseProblem, response_id) == {"response_problem_default"}
    csv_before, answers = exported(), db.session.scalar(select(func.count()).select_from(Answer))

    created = partitions.ensure(db.session, on=TODAY)

    old = [done for done in created if done.month == date(2019, 3, 1)]
    assert len(old) == 1, created
    assert old[0].moved == {"response_problem": 2, "answer": len(context.instrument.item_keys), "response": 1}
    assert homes(Response, response_id) == {"response_2019_03"}
    assert homes(Answer, response_id) == {"answer_2019_03"}
    assert homes(ResponseProblem, response_id) == {"response_problem_2019_03"}
    assert date(2019, 4, 1) not in partitions.months(db.session)["response"]  # only months with rows
    assert db.session.scalar(text("SELECT count(*) FROM response_default")) == 0
    assert db.session.scalar(select(func.count()).select_from(Answer)) == answers
    assert exported() == csv_before
    assert rebuild.verify(db.session) == []
    assert partitions.ensure(db.session, on=TODAY) == []


def test_a_resend_and_a_dossier_answered_again_are_refused_across_partitions(pg) -> None:
    context = place()
    key, dossier = uuid.uuid4().hex, uuid.uuid4().hex
    assert answer(context, OLD, key=key, dossier=dossier) == "recorded"
    partitions.ensure(db.session, on=TODAY)
    now = datetime.now(UTC)
    assert answer(context, now, key=key) == "duplicate"
    assert answer(context, now, dossier=dossier) == "dossier_used"
    assert answer(context, datetime(2031, 1, 1, tzinfo=UTC), key=key) == "duplicate"  # the default
    assert db.session.scalar(select(func.count()).select_from(Response).where(
        Response.unit_id == context.unit_id)) == 1
    assert rebuild.verify(db.session) == []


def test_the_nightly_job_keeps_the_months_ahead(pg) -> None:
    job = jobs.BY_NAME["response_partitions"]
    moment = datetime(2027, 5, 20, 1, tzinfo=UTC)
    counts = job.work(db.session, pg.config, moment)
    assert max(partitions.months(db.session)["response"]) == date(2027, 8, 1)
    assert counts["months_created"] >= 4
    assert job.work(db.session, pg.config, moment) == {"months_created": 0, "rows_moved": 0}


def test_the_cell_tables_leave_room_in_each_page_for_their_updates(pg) -> None:
    """Migration 0014: an answer's update of its cells stays in the cell's page (heap-only)."""
    options = dict(db.session.execute(text(
        "SELECT relname, array_to_string(reloptions, ',') FROM pg_class "
        "WHERE relname IN ('cell_count', 'cell_items', 'cell_problem')")).all())
    assert options == dict.fromkeys(("cell_count", "cell_items", "cell_problem"), "fillfactor=80")
