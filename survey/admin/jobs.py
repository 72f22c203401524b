"""The "Tác vụ định kỳ" page: each scheduled job, its last run, its state and when it runs next.

Read only: the jobs run from ``flask jobs run-due`` (a timer), never from a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import render_template
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from survey.admin import bp
from survey.auth import roles_required
from survey.extensions import db
from survey.models import JobRun
from survey.operations import jobs

COUNT_LABELS = {
    "escalated": _l("chuyển cấp trên"), "reminded": _l("nhắc hạn"), "closed": _l("đóng hồ sơ"),
    "burst": _l("gửi dồn dập"), "off_hours": _l("ngoài giờ làm việc"), "volume": _l("vượt số hồ sơ"),
    "contacts_deleted": _l("thông tin liên hệ đã xóa"), "entries": _l("mục nhật ký hợp lệ"),
    "units": _l("đơn vị đã xét"), "alerts": _l("cảnh báo mới"), "received": _l("phản ánh nhận"),
    "open": _l("đang mở"), "overdue": _l("quá hạn"), "drafted": _l("dự thảo báo cáo mới"),
    "months_created": _l("tháng mới tạo phân vùng"), "rows_moved": _l("dòng đã chuyển vào phân vùng"),
    "cells_checked": _l("lần đối chiếu số liệu tổng hợp"), "responses_deleted": _l("phiếu đã xóa"),
}
ERRORS = {
    "JobFailed": _l("Nhật ký thao tác có mục bị sửa hoặc bị mất. Cần kiểm tra ngay."),
    "OperationalError": _l("Không kết nối được cơ sở dữ liệu."),
}


@dataclass
class Line:
    job: jobs.Job
    run: JobRun | None
    schedule: str
    state: str
    good: bool | None
    results: str
    problem: str
    next_at: datetime


def schedule_text(job: jobs.Job) -> str:
    s = job.schedule
    if s.cadence == "hourly":
        return _("Mỗi giờ, vào phút %(m)02d", m=s.minute)
    if s.cadence == "daily":
        return _("Hằng ngày lúc %(h)02d:%(m)02d", h=s.hour, m=s.minute)
    return _("Ngày 1 hằng tháng lúc %(h)02d:%(m)02d", h=s.hour, m=s.minute)


def state_of(run: JobRun | None) -> tuple[str, bool | None]:
    if run is None:
        return _("Chưa chạy lần nào"), None
    if run.status == "done":
        return _("Đã xong"), True
    if run.status == "running":
        return _("Đang chạy"), None
    if run.attempts < jobs.MAX_ATTEMPTS:
        return _("Lỗi, sẽ tự thử lại lúc %(t)s (đã thử %(a)s/%(m)s lần)",
                 t=format_datetime(run.next_attempt_at, "HH:mm dd/MM/yyyy"), a=run.attempts,
                 m=jobs.MAX_ATTEMPTS), False
    return _("Lỗi, đã thử %(m)s lần và dừng: cần người kiểm tra", m=jobs.MAX_ATTEMPTS), False


def line(job: jobs.Job, now: datetime) -> Line:
    run = jobs.latest(db.session, job)
    state, good = state_of(run)
    counts = (run.counts or {}) if run else {}
    results = "; ".join(f"{COUNT_LABELS.get(k, k)}: {v}" for k, v in counts.items())
    problem = ""
    if run is not None and run.status == "failed":
        kind = (run.error or "").split(":", 1)[0]
        problem = str(ERRORS.get(kind, _l("Tác vụ gặp lỗi và chưa chạy xong. Chi tiết kỹ thuật được ghi "
                                          "trong nhật ký của máy chủ.")))
    retry = run is not None and run.status == "failed" and run.attempts < jobs.MAX_ATTEMPTS
    next_at = job.schedule.next_moment(now)
    if retry and run is not None and run.next_attempt_at is not None:
        next_at = run.next_attempt_at
    return Line(job, run, schedule_text(job), state, good, results, problem, next_at)


@bp.get("/jobs")
@roles_required("admin")
def jobs_page() -> str:
    now = datetime.now(UTC)
    return render_template("admin/jobs.html", lines=[line(job, now) for job in jobs.JOBS],
                           max_attempts=jobs.MAX_ATTEMPTS)
