"""The reporting cells equal a recomputation from the responses, whatever was written.

The cells are changed in the same transaction as each write (survey/collection/cells.py); these
tests drive the real write paths (a new answer, answers added later, an exclusion and its
reversal, a CSV import, a deletion of old months by retention) in random order and dates, then
compare every cell with ``survey.reporting.rebuild.recompute``, which computes them another way.
The suite runs on SQLite and on PostgreSQL (`.ci/run`), so both databases' upserts are exercised.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from survey.administration.units import UnitTree
from survey.collection import cells, instruments, integrity, retention
from survey.collection.responses import Context, Submission, add_answers, record_response
from survey.extensions import db
from survey.models import CountCell, ItemCell, Response, ServicePoint, Unit
from survey.operations import jobs
from survey.periods import parse_period
from survey.reporting import rebuild
from survey.reporting.groups import Settings, unit_group
from tests import factories
from tests.helpers import committed_app, scratch_database_url

START = datetime(2026, 3, 31, 16, 0, tzinfo=UTC)  # 23:00 local on 31 March: months meet at once
INSTRUMENTS = ("sipas-short", "sipas-full", "health-short")
PROBLEMS = ("wait_long", "unclear", "fees")


def _known_problems(instrument) -> list[str]:
    return [p["code"] for p in instrument.definition.get("problems", [])]


answers_op = st.tuples(
    st.just("answer"), st.integers(0, 1), st.sampled_from(INSTRUMENTS),
    st.integers(0, 150 * 24 * 60),  # minutes after START: about five months, any hour
    st.dictionaries(st.integers(0, 20), st.integers(1, 5), max_size=8),
    st.integers(0, 3), st.sampled_from(("kiosk", "qr", "paper", "api")), st.booleans(),
    st.sampled_from((None, "citizen", "organisation")),
)
operations = st.lists(st.one_of(
    answers_op, answers_op,
    st.tuples(st.just("exclude"), st.integers(0, 1000)),
    st.tuples(st.just("include"), st.integers(0, 1000)),
    st.tuples(st.just("purge"), st.integers(0, 5)),  # the months before April … September 2026
    st.tuples(st.just("more"), st.integers(0, 1000), st.dictionaries(st.integers(0, 20),
                                                                     st.integers(1, 5), max_size=6)),
), min_size=1, max_size=30)


def _answer(session, places, op) -> None:
    _kind, which, key, minutes, picks, problems, channel, named, respondent = op
    unit, point, procedure = places[which]
    instrument = instruments.current(session, key)
    assert instrument is not None
    items = instrument.item_keys
    ratings = {items[i % len(items)]: v for i, v in picks.items()}
    codes = _known_problems(instrument)
    record_response(
        session,
        Context.of(instrument, unit, channel, service_point=point,
                   procedure=procedure if named else None),
        Submission(idempotency_key=uuid.uuid4().hex, ratings=ratings,
                   problems=codes[:problems], respondent_type=respondent,
                   submitted_at=START + timedelta(minutes=minutes)),
    )


def _more(session, op) -> None:
    _kind, pick, picks = op
    responses = session.scalars(select(Response).order_by(Response.id)).all()
    if not responses:
        return
    response = responses[pick % len(responses)]
    items = response.instrument.item_keys
    unit = session.get(Unit, response.unit_id)
    point = session.get(ServicePoint, response.service_point_id)
    context = Context.of(response.instrument, unit, response.channel, service_point=point)
    add_answers(session, context, Submission(
        idempotency_key=response.idempotency_key,
        ratings={items[i % len(items)]: v for i, v in picks.items()}))


def _exclude(session, op) -> None:
    kind, pick = op
    ids = session.scalars(select(Response.id).where(Response.excluded.is_(kind == "include"))
                          .order_by(Response.id)).all()
    if ids:
        integrity.mark_excluded(session, [ids[pick % len(ids)]], excluded=kind == "exclude")


@pytest.fixture
def places(app_context):
    session = db.session
    out = []
    for code in ("CELL-A", "CELL-B"):
        unit = factories.make_unit(session, code=code)
        point = factories.make_service_point(session, unit)
        out.append((unit, point, factories.make_procedure(session)))
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_cells_equal_a_recomputation_after_any_mix_of_writes(places, ops) -> None:
    session = db.session
    for op in ops:
        if op[0] == "answer":
            _answer(session, places, op)
        elif op[0] == "more":
            _more(session, op)
        elif op[0] == "purge":
            retention.purge(session, date(2026, 4 + op[1], 1))
        else:
            _exclude(session, op)
    session.flush()
    assert rebuild.verify(session) == []


def test_a_figure_reads_the_cells_and_a_wrong_cell_is_found_and_rebuilt(places) -> None:
    session = db.session
    unit, point, _procedure = places[0]
    for value in (5, 5, 4, 2):
        factories.make_response(session, unit=unit, ratings={"overall": value}, service_point=point,
                                submitted_at=datetime(2026, 5, 12, 3, tzinfo=UTC))
    q2 = parse_period("2026-Q2")
    assert unit_group(session, UnitTree(session), unit, q2, Settings()).counts.s == 3
    session.execute(update(ItemCell).where(ItemCell.unit_id == unit.id)
                    .values(s=ItemCell.s + 1))
    cells.written()  # as every write to the cells tells the request's reads
    # The page shows what the cells say, and verify finds the cell that is wrong.
    assert unit_group(session, UnitTree(session), unit, q2, Settings()).counts.s == 4
    wrong = rebuild.verify(session)
    assert [(d.table, d.stored, d.recomputed) for d in wrong] == [
        ("cell_items", [4, 4, 4, 0], [4, 4, 3, 0])]
    rebuild.rebuild(session)
    assert rebuild.verify(session) == []
    assert unit_group(session, UnitTree(session), unit, q2, Settings()).counts.s == 3


def test_a_response_with_no_component_answer_is_counted_but_adds_no_item_statistics(places) -> None:
    session = db.session
    unit, point, _procedure = places[0]
    factories.make_response(session, unit=unit, ratings={"overall": 5}, service_point=point)
    cell = session.scalars(select(ItemCell).where(ItemCell.unit_id == unit.id)).one()
    assert (cell.responses, cell.n, cell.s, cell.respondents, cell.stats) == (1, 1, 1, 0, b"")
    assert session.scalar(select(func.sum(CountCell.responses))
                          .where(CountCell.unit_id == unit.id)) == 1


def test_the_commands_verify_and_rebuild(tmp_path_factory) -> None:
    with committed_app(scratch_database_url(tmp_path_factory, "cells_cli")) as app:
        with app.app_context():
            unit = factories.make_unit(db.session, code="CELL-CLI")
            for value in (5, 3):
                factories.make_response(db.session, unit=unit, ratings={"overall": value})
            db.session.commit()
        runner = app.test_cli_runner()
        assert runner.invoke(args=["reporting", "verify"]).exit_code == 0
        with app.app_context():
            db.session.execute(update(CountCell).values(responses=CountCell.responses + 7))
            db.session.commit()
        failed = runner.invoke(args=["reporting", "verify"])
        assert failed.exit_code == 1
        assert "cell_count" in failed.output
        assert "flask reporting rebuild" in failed.output
        rebuilt = runner.invoke(args=["reporting", "rebuild"])
        assert rebuilt.exit_code == 0, rebuilt.output
        assert runner.invoke(args=["reporting", "verify"]).exit_code == 0


def _write_many(app: Flask, unit_id: int, point_id: int, count: int, errors: list[BaseException]) -> None:
    try:
        with app.app_context():
            instrument = instruments.current(db.session, "sipas-short")
            unit = db.session.get(Unit, unit_id)
            point = db.session.get(ServicePoint, point_id)
            for i in range(count):
                record_response(db.session, Context.of(instrument, unit, "kiosk", service_point=point),
                                Submission(idempotency_key=uuid.uuid4().hex,
                                           ratings={"overall": 5 - i % 3, "access.place": 4,
                                                    "staff.courteous": 1 + i % 5}))
                db.session.commit()
            db.session.remove()
    except BaseException as error:
        errors.append(error)


def test_concurrent_writers_never_lose_a_cell_update(tmp_path_factory) -> None:
    """Four writers answer at the same desk at once, so every commit changes the same cells."""
    with committed_app(scratch_database_url(tmp_path_factory, "cells_race")) as app:
        with app.app_context():
            point = factories.make_service_point(db.session)
            ids = (point.unit_id, point.id)
            db.session.commit()
        errors: list[BaseException] = []
        threads = [threading.Thread(target=_write_many, args=(app, *ids, 40, errors)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with app.app_context():
            assert db.session.scalar(select(func.sum(CountCell.responses))) == 160
            assert db.session.scalar(select(func.sum(ItemCell.respondents))) == 160
            assert rebuild.verify(db.session) == []


def test_the_nightly_job_fails_on_a_wrong_cell_and_passes_on_exact_ones(places) -> None:
    session = db.session
    unit, point, _procedure = places[0]
    factories.make_response(session, unit=unit, ratings={"overall": 5, "access.place": 4},
                            service_point=point)
    job = jobs.BY_NAME["cells_verify"]
    now = datetime.now(UTC)
    assert job.work(session, {}, now) == {"cells_checked": 1}
    session.execute(update(ItemCell).where(ItemCell.unit_id == unit.id)
                    .values(respondents=ItemCell.respondents + 1))
    with pytest.raises(jobs.JobFailed, match="1 reporting cells differ"):
        job.work(session, {}, now)
