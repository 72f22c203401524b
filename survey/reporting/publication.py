"""Reports issued from the reporting calendar: drafted when due, published (frozen) by an
administrator, their PDF and XLSX kept with their SHA-256.

- :func:`draft_due` (the ``report_drafts`` job of ``flask jobs run-due``) makes a draft for each
  duty whose draft day has come; the unique (duty, period) pair makes it run once.
- A draft's figures are live (:func:`live_figures`). :func:`publish` freezes them: the report's
  JSON, the method note, the cut-off (the moment of publishing: the figures hold every answer
  stored up to then), the audit chain's head at that moment, and the XLSX; the row's frozen
  fields and its files are guarded against any later change (:mod:`survey.models.publication`).
- Answers of an earlier published period stored after its cut-off (an offline kiosk back
  online, paper forms keyed in late) never change that report: :func:`late_additions` puts them
  on the duty's next report as "số liệu bổ sung sau ngày chốt".
- **Why the PDF is printed by the job, not on publishing:** Chromium takes seconds and a few
  hundred MB; a web request must not wait for it, nor a request worker start a browser.
  Publishing leaves the PDF pending and the next ``flask jobs run-due`` (every few minutes)
  renders the frozen figures to HTML and has Chromium print it in a subprocess
  (:mod:`survey.reporting.pdf`), through :func:`render_pending`; a failure is recorded on the
  issue and retried, at most ``PDF_ATTEMPTS`` times. The PDF is printed from the frozen figures,
  so it shows exactly what was published, whenever it is printed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select

from survey.administration import audit
from survey.extensions import AnySession
from survey.models import ReportFile, ReportingDuty, ReportIssue, Response, User
from survey.periods import LOCAL, Period, bounds, parse_period
from survey.reporting import cache, calendar, reports, workbook
from survey.reporting.groups import Settings
from survey.reporting.pdf import PdfFailed, html_to_pdf

PDF_ATTEMPTS = 3
CUTOFF_NOTE = ("Số liệu chốt lúc %(cutoff)s: gồm mọi phiếu đã nhận đến thời điểm đó. Phiếu của kỳ này "
               "nhận sau thời điểm chốt không làm thay đổi báo cáo đã ban hành; chúng được trình bày "
               "là “số liệu bổ sung sau ngày chốt” trong báo cáo kỳ sau.")

DRAFT_NOTE = ("Dự thảo: số liệu tính đến %(cutoff)s và còn thay đổi khi có phiếu mới; số liệu được chốt "
              "khi báo cáo được ban hành.")


class NotPublishable(ValueError):
    """Publishing refused: already published, no number, or a number used this year."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def period_of(issue: ReportIssue) -> Period:
    return parse_period(issue.period_label)


def draft_due(session: AnySession, *, now: datetime) -> dict[str, int]:
    """A draft for every active duty's period whose draft day has come and has none yet."""
    today = now.astimezone(LOCAL).date()
    drafted = 0
    for duty in calendar.duties(session, active_only=True):
        for period in calendar.to_draft(duty, today):
            if find(session, duty, period.label) is None:
                issue = ReportIssue(duty_id=duty.id, period_label=period.label, status="draft",
                                    drafted_at=now, pdf_attempts=0)
                session.add(issue)
                session.flush()
                audit.record(session, actor=None, action="report.draft", object_type="report_issue",
                             object_id=issue.id, after={"duty": duty.code, "period": period.label})
                drafted += 1
    return {"drafted": drafted}


def find(session: AnySession, duty: ReportingDuty, label: str) -> ReportIssue | None:
    return session.scalars(select(ReportIssue).where(ReportIssue.duty_id == duty.id,
                                                     ReportIssue.period_label == label)).first()


def _root_rate(figures: dict[str, Any] | None) -> tuple[int, int]:
    """(satisfied, answers) of ``overall`` for the whole city in published figures."""
    groups = (figures or {}).get("groups") or []
    found = groups[0].get("satisfaction") if groups else None
    if not found:
        return 0, 0
    return round(found["estimate"] * found["n"]), int(found["n"])


def late_additions(session: AnySession, issue: ReportIssue, until: datetime) -> list[dict[str, Any]]:
    """For each earlier published period of the duty, the answers stored after the duty's last
    cut-off (up to ``until``): the line "số liệu bổ sung sau ngày chốt" of ``issue``."""
    start = period_of(issue).start
    earlier = [e for e in session.scalars(select(ReportIssue).where(
        ReportIssue.duty_id == issue.duty_id, ReportIssue.status == "published",
        ReportIssue.id != issue.id)) if period_of(e).start < start and e.cutoff_at is not None]
    if not earlier:
        return []
    since = max(e.cutoff_at for e in earlier if e.cutoff_at is not None)
    lines = []
    for old in sorted(earlier, key=lambda e: period_of(e).start):
        lower, upper = bounds(period_of(old))
        responses, answers, satisfied = session.execute(
            select(func.count(), func.count(Response.overall),
                   func.coalesce(func.sum(case((Response.overall >= 4, 1), else_=0)), 0))
            .where(Response.excluded.is_(False), Response.submitted_at >= lower,
                   Response.submitted_at < upper,
                   and_(Response.recorded_at > since, Response.recorded_at <= until))).one()
        if not responses:
            continue
        s_pub, n_pub = _root_rate(old.figures)
        total_n, total_s = n_pub + answers, s_pub + int(satisfied)
        lines.append({"period": old.period_label, "number": old.number,
                      "cutoff": old.cutoff_at.isoformat() if old.cutoff_at else None,
                      "responses": responses, "answers": answers, "satisfied": int(satisfied),
                      "published_rate": s_pub / n_pub if n_pub else None,
                      "revised_rate": total_s / total_n if total_n else None})
    return lines


def live_figures(session: AnySession, issue: ReportIssue, settings: Settings,
                 now: datetime) -> tuple[reports.Report, dict[str, Any]]:
    """The report as it stands now, and its figures as they would be frozen."""
    built = reports.build(session, period_of(issue), settings)
    figures = reports.as_json_object(built)
    figures["item_labels"] = dict(built.item_labels)
    figures["supplement"] = late_additions(session, issue, now)
    return built, figures


def method_note(cutoff: datetime, *, draft: bool = False) -> list[str]:
    """The report's method note, with the cut-off line (a draft's: the figures' moment)."""
    moment = cutoff.astimezone(LOCAL).strftime("%H:%M ngày %d/%m/%Y")
    return [*reports.METHOD_NOTE, (DRAFT_NOTE if draft else CUTOFF_NOTE) % {"cutoff": moment}]


def suggest_number(session: AnySession, year: int, suffix: str) -> str:
    used = [i.number for i in session.scalars(select(ReportIssue).where(ReportIssue.status == "published"))
            if i.published_at is not None and i.published_at.astimezone(LOCAL).year == year]
    return f"{len(used) + 1}/{suffix}"


def publish(session: AnySession, actor: User | None, issue: ReportIssue, *, number: str,
            settings: Settings, now: datetime) -> ReportIssue:
    """Freeze the draft as of ``now``: figures, method note, cut-off, audit head, XLSX; audited.
    The PDF is left for :func:`render_pending`. Flush, never commit."""
    number = " ".join(number.split())
    if issue.status == "published":
        raise NotPublishable("already published")
    if not number or len(number) > 40:
        raise NotPublishable("number")
    year = now.astimezone(LOCAL).year
    for other in session.scalars(select(ReportIssue).where(ReportIssue.status == "published",
                                                           ReportIssue.number == number)):
        if other.published_at is not None and other.published_at.astimezone(LOCAL).year == year:
            raise NotPublishable("number used")
    cache.forget()  # read the cells as they are now, not as this request first saw them
    built, figures = live_figures(session, issue, settings, now)
    built.generated = now.astimezone(LOCAL)
    xlsx = workbook.as_xlsx(built)
    issue.audit_head = audit.head(session)
    issue.status, issue.number, issue.published_at = "published", number, now
    issue.published_by = getattr(actor, "id", None)
    issue.cutoff_at, issue.figures, issue.method_note = now, figures, method_note(now)
    session.add(ReportFile(issue_id=issue.id, kind="xlsx", sha256=sha256(xlsx), size=len(xlsx),
                           content=xlsx, created_at=now))
    session.flush()
    audit.record(session, actor=actor, action="report.publish", object_type="report_issue",
                 object_id=issue.id, after={"number": number, "period": issue.period_label,
                                            "cutoff": now, "audit_head": issue.audit_head,
                                            "xlsx_sha256": sha256(xlsx)})
    return issue


def file_of(issue: ReportIssue, kind: str) -> ReportFile | None:
    return next((f for f in issue.files if f.kind == kind), None)


@dataclass(frozen=True)
class Rendered:
    issue: ReportIssue
    ok: bool
    detail: str


def render_pending(session: AnySession, *, chromium: str,
                   html_of: Callable[[ReportIssue], str]) -> list[Rendered]:
    """Print the PDF of every published report that has none yet (and has attempts left).
    ``html_of`` gives the issue's frozen print page; flush, never commit."""
    done = []
    pending = session.scalars(select(ReportIssue).where(ReportIssue.status == "published",
                                                        ReportIssue.pdf_attempts < PDF_ATTEMPTS)
                              .order_by(ReportIssue.id))
    for issue in list(pending):
        if file_of(issue, "pdf") is not None:
            continue
        issue.pdf_attempts += 1
        try:
            data = html_to_pdf(html_of(issue), chromium=chromium)
        except PdfFailed as error:
            issue.pdf_error = str(error)[:2000]
            done.append(Rendered(issue, False, issue.pdf_error))
            continue
        issue.pdf_error = None
        session.add(ReportFile(issue_id=issue.id, kind="pdf", sha256=sha256(data), size=len(data),
                               content=data))
        session.flush()
        session.refresh(issue, ["files"])
        audit.record(session, actor=None, action="report.pdf", object_type="report_issue",
                     object_id=issue.id, after={"number": issue.number, "pdf_sha256": sha256(data)})
        done.append(Rendered(issue, True, sha256(data)))
    session.flush()
    return done
