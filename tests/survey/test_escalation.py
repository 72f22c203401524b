"""Overdue cases escalate to the unit above and to Sở Nội vụ (once); handlers are reminded before
a deadline (once); a case handed back is routed by Sở Nội vụ with a new deadline; the daily digest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from survey.casework import cases, routine
from survey.extensions import db
from survey.messaging import webhooks
from survey.models import AuditEntry, Complaint, OutboxMessage, Unit, User
from tests.casework import build_office, file_case


@pytest.fixture
def office(app):
    with app.app_context():
        return build_office(db.session)


def mails(about: Complaint | None = None, event: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.channel == "email")
    if about is not None:
        query = query.where(OutboxMessage.about == f"complaint:{about.id}")
    if event is not None:
        query = query.where(OutboxMessage.event == event)
    return list(db.session.scalars(query))


def test_an_overdue_case_escalates_to_the_parent_unit_and_to_so_noi_vu_once(app, app_context, office):
    webhooks.create_endpoint(db.session, None, label="IOC", url="http://127.0.0.1:9/", events=["*"])
    case = file_case(db.session, office.ward, received_at=datetime(2026, 6, 1, 2, tzinfo=UTC))
    assert case.due_on == date(2026, 6, 15)
    assert routine.check(db.session, today=date(2026, 6, 15)).escalated == 0, "due today is not late"
    done = routine.check(db.session, today=date(2026, 6, 17))
    assert done.escalated == 1
    assert case.escalated_at is not None
    [mail] = mails(case, "complaint.escalated")
    assert set(mail.payload["to"]) == {office.parent_email, office.admin_email}
    assert "Quá hạn" in mail.payload["subject"]
    assert "2 ngày làm việc" in mail.payload["body"]
    [hook] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.event == "complaint.escalated",
                                                            OutboxMessage.channel == "webhook"))
    assert '"days_overdue": 2' in hook.payload["body"]
    assert routine.check(db.session, today=date(2026, 6, 18)).escalated == 0, "escalated once"
    assert len(mails(case, "complaint.escalated")) == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "complaint.escalate"))
    assert entry is not None
    assert entry.after["parent_unit_id"] == office.parent


def test_an_answered_case_is_never_escalated(app_context, office):
    case = file_case(db.session, office.ward, received_at=datetime(2026, 6, 1, 2, tzinfo=UTC))
    cases.reply(db.session, db.session.get_one(User, office.handler), case, "Đã giải quyết.")
    assert routine.check(db.session, today=date(2026, 7, 1)).escalated == 0
    assert case.escalated_at is None


def test_handlers_are_reminded_before_the_deadline_once(app_context, office):
    case = file_case(db.session, office.ward, received_at=datetime(2026, 6, 1, 2, tzinfo=UTC))
    assert routine.check(db.session, today=date(2026, 6, 5)).reminded == 0  # 6 working days left
    assert routine.check(db.session, today=date(2026, 6, 11)).reminded == 1  # 2 left
    assert routine.check(db.session, today=date(2026, 6, 12)).reminded == 0
    [mail] = mails(case, "complaint.reminder")
    assert mail.payload["to"] == [db.session.get_one(User, office.handler).email]
    assert "Còn 2 ngày làm việc" in mail.payload["body"]


def test_an_answered_case_closes_itself_after_the_configured_days(app, app_context, office):
    case = file_case(db.session, office.ward)
    cases.reply(db.session, db.session.get_one(User, office.handler), case, "Đã giải quyết.")
    assert routine.check(db.session).closed == 0
    case.answered_at = datetime.now(UTC) - timedelta(days=app.config["COMPLAINT_AUTOCLOSE_DAYS"] + 1)
    assert routine.check(db.session).closed == 1
    assert case.status == "closed"
    assert case.closed_at is not None


def test_a_case_handed_back_is_routed_by_so_noi_vu_with_a_new_deadline(app_context, office):
    handler, admin = (db.session.get_one(User, i) for i in (office.handler, office.admin))
    case = file_case(db.session, office.ward, received_at=datetime(2026, 6, 1, 2, tzinfo=UTC))
    with pytest.raises(cases.CaseError):
        cases.transfer(db.session, handler, case, "  ")
    cases.transfer(db.session, handler, case, "Thuộc Phường Khác.")
    assert case.status == "transferred"
    assert [m.payload["to"] for m in mails(case, "complaint.status_changed")] == [[office.admin_email]]
    with pytest.raises(cases.CaseError, match="Sở Nội vụ"):
        cases.route(db.session, handler, case, db.session.get_one(Unit, office.other))
    cases.route(db.session, admin, case, db.session.get_one(Unit, office.other))
    assert case.status == "received"
    assert case.unit_id == office.other
    assert case.due_on > date(2026, 6, 15)
    other_handler = db.session.get_one(User, office.other_handler)
    assert any(m.payload["to"] == [other_handler.email] for m in mails(case, "complaint.created"))
    with pytest.raises(cases.CaseError):
        cases.reply(db.session, handler, case, "Không còn là việc của tôi.")
    cases.reply(db.session, other_handler, case, "Đã giải quyết.")
    assert case.status == "answered"


def test_wrong_moves_are_refused_with_a_message(app_context, office):
    handler, manager = (db.session.get_one(User, i) for i in (office.handler, office.manager))
    case = file_case(db.session, office.ward)
    with pytest.raises(cases.CaseError, match="cán bộ xử lý"):
        cases.start(db.session, manager, case)
    with pytest.raises(cases.CaseError):
        cases.close(db.session, handler, case)  # not answered yet
    with pytest.raises(cases.CaseError):
        cases.reply(db.session, handler, case, "")
    cases.reply(db.session, handler, case, "Xong.")
    with pytest.raises(cases.CaseError):
        cases.start(db.session, handler, case)


def test_a_unit_without_handlers_is_reported_to_so_noi_vu(app_context, office):
    case = file_case(db.session, office.parent + 0)  # the department has a handler
    assert mails(case)[0].payload["to"] == [db.session.get_one(User, office.parent_handler).email]
    lonely = file_case(db.session, db.session.get_one(User, office.manager).unit.id)
    db.session.get_one(User, office.handler).handles_complaints = False
    other = file_case(db.session, lonely.unit_id)
    [mail] = mails(other)
    assert mail.payload["to"] == [office.admin_email]
    assert "chưa có tài khoản nào được giao xử lý" in mail.payload["body"]


def test_the_daily_digest_summarises_yesterday_once(app_context, office):
    file_case(db.session, office.ward, received_at=datetime(2026, 6, 1, 2, tzinfo=UTC))
    found = routine.digest(db.session, day=date(2026, 6, 16))
    routine.digest(db.session, day=date(2026, 6, 16))
    assert found.open_count == 1
    assert len(found.overdue) == 1
    [mail] = mails(event="complaint.digest")
    assert mail.payload["to"] == [office.admin_email]
    assert "16/06/2026" in mail.payload["subject"]
    assert "Quá hạn hoặc đến hạn: 1 hồ sơ" in mail.payload["body"]


def test_the_check_command_escalates_and_says_so(app, runner, office):
    with app.app_context():
        file_case(db.session, office.ward, received_at=datetime(2026, 6, 1, 2, tzinfo=UTC))
        db.session.commit()
    result = runner.invoke(args=["complaints", "check", "--today", "2026-06-20"])
    assert result.exit_code == 0, result.output
    assert "1 escalated" in result.output
    again = runner.invoke(args=["complaints", "check", "--today", "2026-06-20"])
    assert "0 escalated" in again.output
