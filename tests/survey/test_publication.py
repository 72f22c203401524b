"""The reporting calendar and frozen reports: the drafting job on a frozen clock, publishing
(with its confirmation) freezing the figures, the XLSX and its SHA-256, late answers changing
the live figures but not the published report, and the next report showing them as an addition."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from sqlalchemy import select

from survey.administration import audit
from survey.extensions import db
from survey.models import JobRun, ReportingDuty, ReportIssue
from survey.models.publication import FrozenReport
from survey.operations import jobs
from survey.periods import LOCAL, parse_period
from survey.reporting import calendar, documents, publication, reports
from survey.reporting.groups import Settings
from tests import factories
from tests.helpers import many, target

JULY = datetime(2026, 7, 2, 3, 0, tzinfo=UTC)
OCTOBER = datetime(2026, 10, 2, 3, 0, tzinfo=UTC)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL)


def settings() -> Settings:
    return Settings.from_config(current_app.config)


def duty(code: str) -> ReportingDuty:
    return db.session.scalars(select(ReportingDuty).where(ReportingDuty.code == code)).one()


def city() -> factories.Unit:
    root = factories.make_unit(db.session, code="PUB-CITY", name="Thành phố Thử", level="city")
    ward = factories.make_unit(db.session, code="PUB-W1", name="Phường Một", parent=root)
    target(db.session, threshold=0.8)
    many(db.session, ward, 40, 5)  # 12 May 2026: 2026-Q2
    return ward


def drafted(code: str, label: str) -> ReportIssue | None:
    return publication.find(db.session, duty(code), label)


def published_q2() -> ReportIssue:
    """The city's 2026-Q2 quarterly report, drafted in July and published as 5/BC-SNV."""
    publication.draft_due(db.session, now=JULY)
    issue = drafted("quy", "2026-Q2")
    assert issue is not None
    publication.publish(db.session, None, issue, number="5/BC-SNV", settings=settings(),
                        now=datetime.now(UTC))
    return issue


def test_the_seeded_calendar_follows_the_plans_rhythm(app_context):
    year = duty("nam")
    assert calendar.due_date(year, parse_period("2026")) == date(2026, 12, 15)
    assert calendar.draft_day(year, parse_period("2026")) == date(2026, 12, 5)
    assert calendar.due_date(duty("tong-ket-nam"), parse_period("2026")) == date(2027, 2, 26)
    assert calendar.draft_day(duty("tong-ket-nam"), parse_period("2026")) == date(2027, 1, 1)
    quarter = duty("quy")
    assert calendar.due_date(quarter, parse_period("2026-Q4")) == date(2027, 1, 5)
    assert calendar.draft_day(quarter, parse_period("2026-Q3")) == date(2026, 10, 1)
    assert calendar.due_date(duty("6-thang"), parse_period("2026-H1")) == date(2026, 6, 15)


def drafts_job(now: datetime) -> list[JobRun]:
    done = [jobs.run(db.session, current_app.config, job, key, now)
            for job, key in jobs.due(db.session, now) if job.name == "report_drafts"]
    db.session.flush()
    return done


def test_the_drafting_job_runs_once_when_the_quarter_ends(app_context):
    first = drafts_job(local(2026, 9, 30, 23, 0))  # the job's moment is 00:20 on 30 September
    assert [r.status for r in first] == ["done"]
    assert drafted("quy", "2026-Q3") is None, "the quarter is not over"
    assert drafts_job(local(2026, 9, 30, 23, 50)) == [], "not due again the same day"
    second = drafts_job(local(2026, 10, 1, 0, 30))
    assert [r.status for r in second] == ["done"]
    issue = drafted("quy", "2026-Q3")
    assert issue is not None
    assert issue.status == "draft"
    assert issue.drafted_at == local(2026, 10, 1, 0, 20)
    assert drafts_job(local(2026, 10, 1, 8, 0)) == []
    third = drafts_job(local(2026, 10, 2, 0, 30))
    assert third[0].counts is not None
    assert drafted("quy", "2026-Q3") is issue
    same = select(ReportIssue).where(ReportIssue.period_label == "2026-Q3")
    assert db.session.scalars(same).all() == [issue]
    assert publication.draft_due(db.session, now=local(2026, 10, 3, 1, 0)) == {"drafted": 0}


def test_publishing_freezes_the_report_and_its_xlsx(app_context):
    ward = city()
    publication.draft_due(db.session, now=JULY)
    issue = drafted("quy", "2026-Q2")
    assert issue is not None
    head = audit.head(db.session)
    publication.publish(db.session, None, issue, number="5/BC-SNV", settings=settings(),
                        now=datetime.now(UTC))
    assert issue.status == "published"
    assert issue.audit_head == head
    assert audit.verify(db.session, [issue.audit_head]).ok
    root = issue.figures["groups"][0]
    assert root["by"]["unit_code"] == "PUB-CITY"
    assert root["satisfaction"]["n"] == 45
    assert any("chốt" in line for line in issue.method_note)
    xlsx = publication.file_of(issue, "xlsx")
    assert xlsx is not None
    assert xlsx.sha256 == publication.sha256(xlsx.content)
    assert xlsx.content[:2] == b"PK"
    with pytest.raises(publication.NotPublishable):
        publication.publish(db.session, None, issue, number="6/BC-SNV", settings=settings(),
                            now=datetime.now(UTC))
    issue.figures = {"groups": []}
    with pytest.raises(FrozenReport):
        db.session.flush()
    db.session.rollback()
    del ward


def test_late_answers_change_the_live_figures_not_the_published_report(app_context):
    ward = city()
    issue = published_q2()
    kept = publication.file_of(issue, "xlsx")
    frozen = (dict(issue.figures), kept.sha256, len(kept.content))
    many(db.session, ward, 0, 5)  # an offline kiosk's May answers arrive after the cut-off
    live = reports.build(db.session, parse_period("2026-Q2"), settings())
    assert live.groups[0].counts.n == 50, "the live figures include the late answers"
    db.session.expire_all()
    issue = db.session.get(ReportIssue, issue.id)
    still = publication.file_of(issue, "xlsx")
    assert (issue.figures, still.sha256, still.size) == frozen
    shown = documents.of_issue(db.session, issue, settings(), datetime.now(UTC))
    assert shown.rows[0].satisfaction.n == 45, "the published report still shows its own figures"

    publication.draft_due(db.session, now=OCTOBER)
    following = drafted("quy", "2026-Q3")
    publication.publish(db.session, None, following, number="9/BC-SNV", settings=settings(),
                        now=datetime.now(UTC) + timedelta(seconds=1))
    [line] = following.figures["supplement"]
    assert (line["period"], line["number"]) == ("2026-Q2", "5/BC-SNV")
    assert (line["responses"], line["answers"], line["satisfied"]) == (5, 5, 0)
    assert line["published_rate"] == pytest.approx(40 / 45)
    assert line["revised_rate"] == pytest.approx(40 / 50)


def test_an_administrator_publishes_after_confirming(client: FlaskClient, login, app: Flask):
    with app.app_context():
        city()
        publication.draft_due(db.session, now=JULY)
        issue_id = drafted("quy", "2026-Q2").id
        db.session.commit()
    login(role="admin")
    page = client.get(f"/admin/reports/{issue_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "DỰ THẢO, chưa ban hành." in text
    assert "Ban hành báo cáo" in text
    refused = client.post(f"/admin/reports/{issue_id}/publish", data={"number": "3/BC-SNV"})
    assert refused.status_code == 400
    assert "Cần đánh dấu ô xác nhận" in refused.get_data(as_text=True)
    done = client.post(f"/admin/reports/{issue_id}/publish", data={"number": "3/BC-SNV", "confirm": "y"})
    assert done.status_code == 303
    again = client.post(f"/admin/reports/{issue_id}/publish", data={"number": "4/BC-SNV", "confirm": "y"})
    assert again.status_code == 409
    shown = client.get(f"/admin/reports/{issue_id}").get_data(as_text=True)
    assert "Đã ban hành, số 3/BC-SNV" in shown
    xlsx = client.get(f"/admin/reports/{issue_id}/file.xlsx")
    assert xlsx.status_code == 200
    assert publication.sha256(xlsx.data) == xlsx.headers["X-Content-SHA256"]
    assert xlsx.headers["X-Content-SHA256"] in shown
    assert client.get(f"/admin/reports/{issue_id}/file.pdf").status_code == 404, "not printed yet"
    assert client.get("/admin/reports/999999").status_code == 404
    calendar_page = client.get("/admin/reports/calendar?nam=2026").get_data(as_text=True)
    assert "Đã ban hành, số 3/BC-SNV" in calendar_page
    assert "Báo cáo kết quả khảo sát năm" in calendar_page
    assert client.get("/admin/reports/calendar?nam=abc").status_code == 200


def test_a_unit_role_cannot_see_the_calendar(client: FlaskClient, login):
    login(role="unit_manager", unit=None)
    assert client.get("/admin/reports/calendar").status_code == 403


def test_the_print_view_has_the_agency_a_number_line_the_date_and_an_open_period_warning(
        client: FlaskClient, login, app: Flask):
    with app.app_context():
        city()
        db.session.commit()
    login(role="admin")
    this_year = datetime.now(LOCAL).year
    text = client.get(f"/unit/report/print?unit=PUB-CITY&period={this_year}").get_data(as_text=True)
    today = datetime.now(LOCAL).date()
    assert f"ngày {today.day} tháng {today.month} năm {today.year}" in text
    assert "SỞ NỘI VỤ" in text
    assert "Số: ........" in text
    assert "Kỳ báo cáo chưa kết thúc." in text
    assert "Lập ngày" not in text
    past = client.get("/unit/report/print?unit=PUB-W1&period=2026-Q2").get_data(as_text=True)
    assert "Kỳ báo cáo chưa kết thúc." not in past
    assert "PHƯỜNG MỘT" in past, "a ward's report is issued by the ward"


def test_late_answers_show_on_the_live_report_page_and_not_on_the_published_one(client: FlaskClient, login,
                                                                               app: Flask):
    with app.app_context():
        ward = city()
        issue = published_q2()
        many(db.session, ward, 0, 5)
        issue_id = issue.id
        db.session.commit()
    login(role="admin")
    live = client.get("/unit/report.json?unit=PUB-CITY&period=2026-Q2").get_json()
    assert live["groups"][0]["satisfaction"]["n"] == 50
    frozen = client.get(f"/admin/reports/{issue_id}/print").get_data(as_text=True)
    assert "88,9 %" in frozen, "40 of 45, as published"
    assert "80,0 %" not in frozen


def test_an_administrator_changes_a_due_date_and_bad_values_are_refused(client: FlaskClient, login,
                                                                         app: Flask):
    with app.app_context():
        duty_id = duty("nam").id
    login(role="admin")
    form = {"name": "Báo cáo năm gửi Bộ Nội vụ", "due_months_after": "0", "due_day": "10",
            "lead_days": "7", "recipient": "Bộ Nội vụ", "active": "y"}
    assert client.post(f"/admin/reports/duties/{duty_id}", data=form).status_code == 303
    with app.app_context():
        changed = duty("nam")
        assert changed.name == "Báo cáo năm gửi Bộ Nội vụ"
        assert calendar.due_date(changed, parse_period("2026")) == date(2026, 12, 10)
        assert calendar.draft_day(changed, parse_period("2026")) == date(2026, 12, 3)
    for bad in ({"due_day": "32"}, {"due_day": "mười"}, {"lead_days": "-1"}, {"name": ""}):
        response = client.post(f"/admin/reports/duties/{duty_id}", data={**form, **bad})
        assert response.status_code == 400, bad
    assert client.get(f"/admin/reports/duties/{duty_id}").status_code == 200
    assert client.get("/admin/reports/duties/99999").status_code == 404


def test_a_pdf_that_cannot_be_printed_is_recorded_and_tried_three_times(app_context):
    city()
    issue = published_q2()
    tries = [publication.render_pending(db.session, chromium="/nonexistent/chromium",
                                        html_of=lambda i: "<p>Báo cáo</p>") for _n in range(4)]
    assert [len(t) for t in tries] == [1, 1, 1, 0]
    assert not tries[0][0].ok
    assert issue.pdf_attempts == publication.PDF_ATTEMPTS
    assert "/nonexistent/chromium" in (issue.pdf_error or "")
    assert publication.file_of(issue, "pdf") is None


def test_an_issued_file_cannot_be_deleted_or_replaced(app_context):
    city()
    issue = published_q2()
    kept = publication.file_of(issue, "xlsx")
    kept.content = b"something else"
    with pytest.raises(FrozenReport):
        db.session.flush()
    db.session.rollback()


def test_publishing_counts_a_back_dated_answer_given_after_the_draft_was_read(app_context):
    ward = city()
    publication.draft_due(db.session, now=JULY)
    issue = drafted("quy", "2026-Q2")
    assert reports.build(db.session, parse_period("2026-Q2"), settings()).groups[0].counts.n == 45
    many(db.session, ward, 1, 0)  # dated 12 May like the others
    publication.publish(db.session, None, issue, number="5/BC-SNV", settings=settings(),
                        now=datetime.now(UTC))
    assert issue.figures["groups"][0]["satisfaction"]["n"] == 46
