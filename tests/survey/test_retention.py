"""Deleting responses past their keeping time (survey.collection.retention): whole local months go,
with their answers, keys and cells; the cells still equal a recomputation and every later figure
is unchanged; the deletion is audited. On SQLite and on PostgreSQL, where the old months'
partitions are dropped whole."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select

from survey.administration import audit
from survey.collection import instruments, integrity, partitions, retention
from survey.collection.responses import Context, Submission, record_response
from survey.extensions import db
from survey.models import Answer, AuditEntry, CountCell, ItemCell, Response, ResponseKey, ResponseProblem
from survey.operations import jobs
from survey.reporting import queries, rebuild
from survey.reporting.queries import Scope
from tests import factories
from tests.helpers import committed_app, postgres_database_url

# Local (UTC+7) February begins at 17:00 UTC on 31 January: the first answer below is February's.
ANSWERED = (datetime(2025, 1, 31, 17, 30, tzinfo=UTC), datetime(2025, 1, 10, 2, tzinfo=UTC),
            datetime(2025, 1, 31, 16, 59, tzinfo=UTC), datetime(2024, 12, 3, 8, tzinfo=UTC),
            datetime(2025, 2, 14, 3, tzinfo=UTC), datetime(2025, 3, 9, 4, tzinfo=UTC))


@pytest.fixture(params=["sqlite", "postgresql"], scope="module")
def backend(request, tmp_path_factory) -> Iterator[Flask]:
    url = (f"sqlite:///{tmp_path_factory.mktemp('retention') / 'r.sqlite3'}" if request.param == "sqlite"
           else postgres_database_url("retention"))
    with committed_app(url) as app:
        yield app


def _answered(context: Context, at: datetime, n: int) -> str:
    problems = [p["code"] for p in context.instrument.definition["problems"][: n % 3]]
    ratings = {item: (n + k) % 5 + 1 for k, item in enumerate(context.instrument.item_keys)}
    key = uuid.uuid4().hex
    assert record_response(db.session, context, Submission(
        idempotency_key=key, ratings=ratings, problems=problems, submitted_at=at)) == "recorded"
    return key


def test_a_purge_deletes_whole_old_months_and_leaves_every_later_figure_exact(backend: Flask) -> None:
    with backend.app_context():
        session = db.session
        unit = factories.make_unit(session)
        point = factories.make_service_point(session, unit)
        instrument = instruments.current(session, "sipas-full")
        assert instrument is not None
        context = Context.of(instrument, unit, "paper", service_point=point,
                             procedure=factories.make_procedure(session))
        keys = [_answered(context, at, n) for n, at in enumerate(ANSWERED)]
        partitions.ensure(session, since=date(2024, 12, 1))  # PostgreSQL: each month its own
        old = session.scalar(select(Response.id).filter_by(idempotency_key=keys[1]))
        integrity.mark_excluded(session, [old], excluded=True)  # an excluded one goes too
        later = Scope(unit_ids=[unit.id], start=date(2025, 2, 1), end=date(2025, 3, 31))
        counts = queries.overall_counts(session, later, ("unit",))
        sums = queries.item_sums(session, later, ("unit",))
        session.commit()

        done = retention.purge(session, date(2025, 2, 1))
        session.commit()

        assert done.responses == 3  # 10 and 31 January (16:59 UTC is 23:59 local), 3 December
        kept = set(session.scalars(select(Response.idempotency_key)))
        assert kept == {keys[0], keys[4], keys[5]}
        instant = datetime(2025, 1, 31, 17, tzinfo=UTC)
        for model in (Answer, ResponseProblem, ResponseKey, Response):
            assert session.scalar(select(func.count()).select_from(model)
                                  .where(model.submitted_at < instant)) == 0, model.__name__
        assert session.scalar(select(func.count()).select_from(Answer)) > 0
        if partitions.partitioned(session):  # the old months' partitions are dropped whole
            for months in partitions.months(session).values():
                assert min(months) == date(2025, 2, 1)
        for table in (CountCell, ItemCell):
            assert session.scalar(select(func.min(table.month))) == date(2025, 2, 1)
        assert rebuild.verify(session) == []
        assert queries.overall_counts(session, later, ("unit",)) == counts
        after = queries.item_sums(session, later, ("unit",))[(unit.id,)]
        assert after.respondents == sums[(unit.id,)].respondents
        assert (after.yy == sums[(unit.id,)].yy).all()
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "responses.purge")).one()
        assert entry.before == {"responses": 3, "before": "2025-02-01"}
        assert audit.verify(session).ok

        assert retention.purge(session, date(2025, 2, 1)).responses == 0  # again: nothing, no entry
        assert session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "responses.purge")) == 1
        session.commit()


def test_the_cut_keeps_whole_months() -> None:
    assert retention.cut(date(2026, 12, 7), 60) == date(2021, 12, 1)
    assert retention.cut(date(2026, 1, 31), 1) == date(2025, 12, 1)
    assert retention.cut(date(2026, 3, 1), 14) == date(2025, 1, 1)
    with pytest.raises(retention.RetentionError):
        retention.cut(date(2026, 3, 1), 0)


def test_a_cut_inside_a_month_is_refused(app_context) -> None:
    with pytest.raises(retention.RetentionError, match="whole months"):
        retention.purge(db.session, date(2025, 2, 15))


def test_the_command_and_the_nightly_job(app: Flask, runner) -> None:
    with app.app_context():
        unit = factories.make_unit(db.session)
        instrument = instruments.current(db.session, "sipas-short")
        assert instrument is not None
        context = Context.of(instrument, unit, "paper")
        for at in (datetime(2019, 5, 1, 3, tzinfo=UTC), datetime(2020, 6, 1, 3, tzinfo=UTC)):
            _answered(context, at, 1)
        db.session.commit()
    result = runner.invoke(args=["responses", "purge"])
    assert "every response is kept" in result.output
    result = runner.invoke(args=["responses", "purge", "--before", "2020-01"])
    assert result.exit_code == 0, result.output
    assert "1 answered before 2020-01 deleted" in result.output
    with app.app_context():
        config = {**app.config, "RESPONSE_RETENTION_MONTHS": 12}
        run = jobs.run(db.session, config, jobs.BY_NAME["response_purge"], "2026-12-07",
                       datetime(2026, 12, 7, 19, 30, tzinfo=UTC))
        assert run.counts["responses_deleted"] >= 1
        first = db.session.scalar(select(func.min(Response.submitted_at)))
        assert first is None or first >= datetime(2025, 11, 30, 17, tzinfo=UTC)
        db.session.rollback()
