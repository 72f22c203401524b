"""``flask jobs run-due`` on a frozen clock: each job once per due moment, failures retried up to
the cap and recorded, the work of a failed attempt undone, and the "Tác vụ định kỳ" page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from survey.admin.jobs import COUNT_LABELS
from survey.administration import audit
from survey.extensions import db
from survey.models import AuditEntry, JobRun, OutboxMessage
from survey.operations import jobs
from survey.operations.schedule import Schedule
from tests.casework import build_office, file_case
from tests.factories import make_user
from tests.helpers import login_as

NOW = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)  # 08:30 on 2 December in Cần Thơ


def run_all(now: datetime) -> list[JobRun]:
    done = [jobs.run(db.session, current_app.config, job, key, now)
            for job, key in jobs.due(db.session, now)]
    db.session.commit()
    return done


def names(now: datetime) -> set[str]:
    return {job.name for job, _key in jobs.due(db.session, now)}


def test_the_due_key_is_the_latest_moment_at_or_before_now():
    daily = Schedule("daily", hour=7)
    assert daily.due_key(NOW) == "2026-12-02"  # 08:30 local, after 07:00
    assert daily.due_key(NOW - timedelta(hours=2)) == "2026-12-01"  # 06:30 local
    assert Schedule("hourly", minute=5).due_key(NOW) == "2026-12-02T08"
    monthly = Schedule("monthly", hour=4)
    assert monthly.due_key(NOW) == "2026-12"
    assert monthly.due_key(datetime(2026, 11, 30, 20, 0, tzinfo=UTC)) == "2026-11"  # 03:00 on 1 Dec
    assert monthly.next_moment(NOW).isoformat() == "2027-01-01T04:00:00+07:00"


def test_each_job_runs_once_when_due_and_not_again(app_context):
    make_user(db.session, role="admin")
    first = run_all(NOW)
    assert {r.job for r in first} == {j.name for j in jobs.JOBS}
    assert all(r.status == "done" and r.attempts == 1 for r in first), [(r.job, r.error) for r in first]
    assert names(NOW) == set()
    assert names(NOW + timedelta(minutes=20)) == set()
    assert run_all(NOW + timedelta(minutes=20)) == []
    assert names(NOW + timedelta(hours=1)) == {"complaints_check"}
    assert names(NOW + timedelta(days=1)) == {j.name for j in jobs.JOBS} - {"alert_evaluation"}
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == len(jobs.JOBS)
    # the digest went to the outbox, once, and nothing was sent
    digests = db.session.scalars(select(OutboxMessage).where(OutboxMessage.event == "complaint.digest")).all()
    assert [m.status for m in digests] == ["pending"]
    verified = next(r for r in first if r.job == "audit_verify")
    assert verified.counts == {"entries": db.session.scalar(select(func.count()).select_from(AuditEntry))}
    # what the jobs page shows of each result is named in Vietnamese, never by its key
    unnamed = {key for r in first for key in r.counts or {}} - set(COUNT_LABELS)
    assert unnamed == set()


def flaky(fail_times: int):
    calls = []

    def work(session, config, moment):
        calls.append(moment)
        audit.record(session, actor=None, action="test.partial", object_type="test")
        if len(calls) <= fail_times:
            raise RuntimeError("SMTP down")
        return {"entries": len(calls)}

    return calls, work


@pytest.fixture
def only(monkeypatch):
    def install(work):
        job = jobs.Job("flaky", "Thử", Schedule("daily", hour=2), work)
        monkeypatch.setattr(jobs, "JOBS", (job,))
        return job
    return install


def partial_entries() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "test.partial")) or 0


def test_a_failure_is_recorded_undone_and_retried_after_a_back_off(app_context, only):
    calls, work = flaky(1)
    only(work)
    [row] = run_all(NOW)
    assert (row.status, row.attempts, row.error) == ("failed", 1, "RuntimeError: SMTP down")
    assert row.next_attempt_at == NOW + jobs.RETRY_AFTER
    assert partial_entries() == 0, "the failed attempt's writes are rolled back"
    assert names(NOW + timedelta(minutes=5)) == set(), "not before the back-off"
    [again] = run_all(NOW + jobs.RETRY_AFTER)
    assert (again.id, again.status, again.attempts, again.error) == (row.id, "done", 2, None)
    assert again.counts == {"entries": 2}
    assert partial_entries() == 1
    assert len(calls) == 2
    assert calls[0] == calls[1], "a retry does the same due moment's work"
    assert names(NOW + timedelta(hours=3)) == set()


def test_a_job_failing_every_time_stops_at_the_cap(app_context, only):
    calls, work = flaky(99)
    only(work)
    now = NOW
    for _attempt in range(jobs.MAX_ATTEMPTS):
        [row] = run_all(now)
        now = row.next_attempt_at
    assert (row.status, row.attempts) == ("failed", jobs.MAX_ATTEMPTS)
    assert names(now + timedelta(hours=5)) == set()
    assert len(calls) == jobs.MAX_ATTEMPTS
    assert names(NOW + timedelta(days=1)) == {"flaky"}, "the next day's moment runs afresh"


def test_the_command_runs_due_jobs_once_and_lists_them(app, runner):
    first = runner.invoke(args=["jobs", "run-due", "--now", "2026-12-02T01:30"])
    assert first.exit_code == 0, first.output
    assert "integrity_scan 2026-12-02: done (attempt 1)" in first.output
    assert "complaints_digest 2026-12-02: done" in first.output
    second = runner.invoke(args=["jobs", "run-due", "--now", "2026-12-02T01:40"])
    assert (second.exit_code, second.output) == (0, "")
    listed = runner.invoke(args=["jobs", "list", "--now", "2026-12-02T01:40"]).output
    assert ("complaints_check   hourly   last: 2026-12-02T08 done (attempt 1); "
            "next due 2026-12-02T09:05") in listed


def test_the_page_shows_each_job_in_vietnamese_with_a_failure_explained(app, client, only):
    _calls, work = flaky(99)
    with app.app_context():
        only(work)
        run_all(datetime.now(UTC))
    login_as(app, client, "admin")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "Tác vụ định kỳ" in page
    assert "Lỗi, sẽ tự thử lại lúc" in page
    assert "Chi tiết kỹ thuật được ghi trong nhật ký của máy chủ" in page
    for english in ("RuntimeError", "SMTP", "failed", "done", "hourly", "daily"):
        assert english not in page
    assert "\\u" not in page


def test_the_page_lists_every_job_never_run_for_an_administrator(app, client):
    login_as(app, client, "admin")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert page.count("Chưa chạy lần nào") == len(jobs.JOBS)
    for text in ("Rà soát phiếu đáng ngờ", "Hằng ngày lúc 01:00", "Ngày 1 hằng tháng lúc 04:00",
                 "Mỗi giờ, vào phút 05"):
        assert text in page


def test_reminders_and_the_digest_reach_the_outbox_through_the_jobs_once(app, app_context):
    office = build_office(db.session)
    case = file_case(db.session, office.ward, received_at=datetime(2026, 6, 1, 2, tzinfo=UTC))
    assert case.due_on == date(2026, 6, 15)
    morning = datetime(2026, 6, 11, 1, 30, tzinfo=UTC)  # 08:30 on 11 June, two working days left
    run_all(morning)
    run_all(morning + timedelta(hours=1))  # the next hour's check finds the reminder already written
    reminders = db.session.scalars(select(OutboxMessage).where(OutboxMessage.event == "complaint.reminder"))
    assert [(m.payload["to"], m.status) for m in reminders] == [([office.handler_email], "pending")]
    [digest] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.event == "complaint.digest"))
    assert office.admin_email in digest.payload["to"]
    assert "10/06/2026" in digest.payload["subject"] + digest.payload["body"]


def test_one_failing_job_neither_stops_nor_undoes_the_others_and_the_command_exits_1(
        app, runner, monkeypatch):
    _calls, work = flaky(99)
    fine = jobs.Job("fine", "Ổn", Schedule("hourly"), lambda session, config, moment: {"entries": 1})
    monkeypatch.setattr(jobs, "JOBS", (jobs.Job("flaky", "Thử", Schedule("hourly"), work), fine))
    result = runner.invoke(args=["jobs", "run-due", "--now", "2026-12-02T01:30"])
    assert result.exit_code == 1
    assert "flaky 2026-12-02T08: failed (attempt 1) RuntimeError: SMTP down" in result.output
    assert "fine 2026-12-02T08: done (attempt 1) entries: 1" in result.output
    with app.app_context():
        assert {r.job: r.status for r in db.session.scalars(select(JobRun))} == {"flaky": "failed",
                                                                                "fine": "done"}
