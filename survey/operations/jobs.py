"""The scheduled jobs and their runner: each job once per due key, failures retried, all recorded.

``flask jobs run-due`` (a systemd timer or cron every few minutes) asks :func:`due` which jobs
fall due and calls :func:`run` on each, committing after each one. A job is a thin call to the
service that owns the work; it returns counts for the admin page and the log. A job that raises
is rolled back to its savepoint, recorded as failed with the error, and tried again on a later
call after a back-off, at most ``MAX_ATTEMPTS`` times in all for one due key. A key that is
no longer the latest is left: when a new moment falls due, that one is run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.administration import audit
from survey.casework import contacts, routine
from survey.collection import integrity, partitions, retention
from survey.extensions import AnySession
from survey.models import JobRun
from survey.operations import alerts
from survey.operations.schedule import Schedule
from survey.periods import LOCAL
from survey.reporting import publication, rebuild

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=10)  # doubled after each failure
Counts = dict[str, int]


class JobFailed(RuntimeError):
    """A job found something wrong that is not a crash (the audit chain broken)."""


@dataclass(frozen=True)
class Job:
    name: str
    label: object  # lazy Vietnamese label
    schedule: Schedule
    work: Callable[[AnySession, Mapping[str, Any], datetime], Counts]


def _scan(session: AnySession, config: Mapping[str, Any], moment: datetime) -> Counts:
    rules = integrity.Rules.from_config(config)
    return integrity.scan(session, rules, since=moment - timedelta(days=2))


def _check(session: AnySession, config: Mapping[str, Any], moment: datetime) -> Counts:
    done = routine.check(session, today=moment.astimezone(LOCAL).date())
    return {"escalated": done.escalated, "reminded": done.reminded, "closed": done.closed}


def _digest(session: AnySession, config: Mapping[str, Any], moment: datetime) -> Counts:
    found = routine.digest(session, day=moment.astimezone(LOCAL).date() - timedelta(days=1))
    return {"received": len(found.received), "open": found.open_count, "overdue": len(found.overdue)}


def _purge(session: AnySession, config: Mapping[str, Any], moment: datetime) -> Counts:
    days = int(config["CONTACT_RETENTION_DAYS"])
    return {"contacts_deleted": contacts.purge(session, retention_days=days, now=moment)}


def _responses(session: AnySession, config: Mapping[str, Any], moment: datetime) -> Counts:
    months = config["RESPONSE_RETENTION_MONTHS"]
    if not months:
        return {"responses_deleted": 0}
    done = retention.purge(session, retention.cut(moment.astimezone(LOCAL).date(), int(months)))
    return {"responses_deleted": done.responses}


def _verify(session: AnySession, config: Mapping[str, Any], moment: datetime) -> Counts:
    result = audit.verify(session)
    if not result.ok:
        raise JobFailed(f"audit chain broken: {'; '.join(result.problems[:5])}")
    return {"entries": result.entries}


def _cells(session: AnySession, config: Mapping[str, Any], moment: datetime) -> Counts:
    differences = rebuild.verify(session)
    if differences:
        shown = "; ".join(f"{d.table} {d.key}" for d in differences[:5])
        raise JobFailed(f"{len(differences)} reporting cells differ from the responses ({shown}): "
                        "run flask reporting rebuild")
    return {"cells_checked": 1}


def _partitions(session: AnySession, config: Mapping[str, Any], moment: datetime) -> Counts:
    created = partitions.ensure(session, on=moment.astimezone(LOCAL).date())
    return {"months_created": len(created),
            "rows_moved": sum(count for done in created for count in done.moved.values())}


def _alerts(session: AnySession, config: Mapping[str, Any], moment: datetime) -> Counts:
    return alerts.evaluate(session, today=moment.astimezone(LOCAL).date())


def _drafts(session: AnySession, config: Mapping[str, Any], moment: datetime) -> Counts:
    return publication.draft_due(session, now=moment)


JOBS = (
    Job("complaints_check", _l("Hạn xử lý phản ánh: nhắc việc, chuyển cấp trên, đóng hồ sơ"),
        Schedule("hourly", minute=5), _check),
    Job("report_drafts", _l("Lập dự thảo báo cáo khi đến kỳ (lịch báo cáo)"),
        Schedule("daily", hour=0, minute=20), _drafts),
    Job("response_partitions", _l("Tạo trước phân vùng theo tháng cho phiếu trả lời (PostgreSQL)"),
        Schedule("daily", hour=0, minute=40), _partitions),
    Job("integrity_scan", _l("Rà soát phiếu đáng ngờ"), Schedule("daily", hour=1), _scan),
    Job("contact_purge", _l("Xóa thông tin liên hệ hết thời hạn lưu"), Schedule("daily", hour=2), _purge),
    Job("response_purge", _l("Xóa phiếu trả lời hết thời hạn lưu"), Schedule("daily", hour=2, minute=30),
        _responses),
    Job("audit_verify", _l("Kiểm tra tính toàn vẹn của nhật ký thao tác"), Schedule("daily", hour=3),
        _verify),
    Job("cells_verify", _l("Đối chiếu số liệu tổng hợp với từng phiếu"),
        Schedule("daily", hour=3, minute=30), _cells),
    Job("alert_evaluation", _l("Phát hiện đơn vị có mức hài lòng giảm"), Schedule("monthly", hour=4),
        _alerts),
    Job("complaints_digest", _l("Thư tổng hợp phản ánh hằng ngày gửi Sở Nội vụ"),
        Schedule("daily", hour=7), _digest),
)
BY_NAME = {job.name: job for job in JOBS}


def latest(session: AnySession, job: Job) -> JobRun | None:
    return session.scalars(select(JobRun).where(JobRun.job == job.name)
                           .order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(1)).first()


def due(session: AnySession, now: datetime) -> list[tuple[Job, str]]:
    """The jobs to run now with their due keys: never run for the key, or failed and due a retry."""
    out = []
    for job in JOBS:
        key = job.schedule.due_key(now)
        row = session.scalars(select(JobRun).where(JobRun.job == job.name, JobRun.due_key == key)).first()
        if row is None or (row.status == "failed" and row.attempts < MAX_ATTEMPTS
                           and (row.next_attempt_at is None or row.next_attempt_at <= now)):
            out.append((job, key))
    return out


def run(session: AnySession, config: Mapping[str, Any], job: Job, key: str, now: datetime) -> JobRun:
    """Run one job for one due key inside a savepoint and record the outcome; flush, never commit."""
    row = session.scalars(select(JobRun).where(JobRun.job == job.name, JobRun.due_key == key)).first()
    if row is None:
        row = JobRun(job=job.name, due_key=key, attempts=0)
        session.add(row)
    row.status, row.started_at, row.finished_at, row.attempts = "running", now, None, row.attempts + 1
    session.flush()
    try:
        with session.begin_nested():
            counts = job.work(session, config, job.schedule.last_moment(now))
    except Exception as error:  # any failure is recorded and retried
        log.exception("job %s (%s) failed, attempt %s of %s", job.name, key, row.attempts, MAX_ATTEMPTS)
        row.status, row.error, row.counts = "failed", f"{type(error).__name__}: {error}"[:2000], None
        row.next_attempt_at = now + RETRY_AFTER * 2 ** (row.attempts - 1)
    else:
        log.info("job %s (%s) done: %s", job.name, key, counts)
        row.status, row.error, row.counts, row.next_attempt_at = "done", None, dict(counts), None
    row.finished_at = now
    session.flush()
    return row
