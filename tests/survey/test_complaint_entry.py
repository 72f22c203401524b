"""Cases staff take in by hand (at the desk, by letter, from the 1022 line), and the city's monthly page.

The citizen's own filing is tested in test_complaint_life.py; here a handler keys in a letter, the
deadline counts working days, the contact is sealed, a resend files nothing new, and a ward's handler
can file only for the ward. Then the public page shows the month's figures, late and open included.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from survey.casework import deadlines
from survey.extensions import db
from survey.models import AuditEntry, Complaint, Unit
from tests.casework import build_office, file_case
from tests.helpers import csrf_token


@pytest.fixture
def office(app):
    with app.app_context():
        return build_office(db.session)


def log_in(client, user_id: int) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True


def entry(client, **fields: str) -> dict[str, str]:
    page = client.get("/unit/complaints/new").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page)
    assert key, "the entry form carries a key, so a resend files nothing new"
    return {"csrf_token": csrf_token(client, "/unit/complaints/new"), "idempotency_key": key.group(1),
            "kind": "kien_nghi", "channel": "letter", "received_on": "2026-04-29",
            "text": "Đề nghị niêm yết rõ lệ phí chứng thực tại bộ phận một cửa.", **fields}


def test_a_letter_keyed_in_by_the_handler_gets_its_deadline_a_sealed_contact_and_one_case(app, client,
                                                                                          office, csrf):
    log_in(client, office.handler)
    data = entry(client, unit=str(office.ward), name="Nguyễn Văn Thư", phone="0912 345 678")
    first = client.post("/unit/complaints/new", data=data)
    assert first.status_code == 303
    assert client.post("/unit/complaints/new", data=data).status_code == 303  # the same letter again
    with app.app_context():
        [case] = db.session.scalars(select(Complaint)).all()
        assert (case.kind, case.channel, case.unit_id, case.status) == ("kien_nghi", "letter",
                                                                        office.ward, "received")
        # Counted from the next working day: 30/4 and 1/5 are holidays, 2–3/5 a weekend, so the ten
        # working days are 4–8/5 and 11–15/5.
        assert case.due_on == date(2026, 5, 15)
        assert case.due_on == deadlines.deadline(app.config, "kien_nghi", date(2026, 4, 29))
        stored = " ".join(str(v) for v in vars(case).values())
        assert "0912" not in stored, "the phone number is sealed, never stored in clear"
        assert "Nguyễn Văn Thư" not in stored
        actions = db.session.scalars(select(AuditEntry.user_id).where(
            AuditEntry.action == "complaint.receive", AuditEntry.object_id == str(case.id))).all()
        assert actions == [office.handler], "received by this handler, once"
        case_id = case.id
    page = client.get(f"/unit/complaints/{case_id}").get_data(as_text=True)
    contact = page[page.index('id="h-contact"'):][:900]
    assert "Nguyễn Văn Thư" in contact, contact
    assert re.sub(r"\D", "", contact).count("0912345678") == 1, "the handler of the case reads the phone"


def test_a_wards_handler_files_only_for_the_ward_and_a_bad_form_keeps_what_was_typed(app, client, office,
                                                                                     csrf):
    log_in(client, office.handler)
    refused = client.post("/unit/complaints/new", data=entry(client, unit=str(office.other)))
    assert refused.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 0
    empty = client.post("/unit/complaints/new", data=entry(client, unit=str(office.ward), text=""))
    assert empty.status_code == 400
    kept = client.post("/unit/complaints/new",
                       data=entry(client, unit=str(office.ward), received_on="not-a-day"))
    assert kept.status_code == 400
    assert "Đề nghị niêm yết rõ lệ phí" in kept.get_data(as_text=True), "nothing typed is lost"
    log_in(client, office.manager)  # a manager who is not a handler
    assert client.get("/unit/complaints/new").status_code == 403


def test_the_monthly_public_page_counts_on_time_late_open_and_overdue(app, client, office):
    received = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # Monday 2 March, 10:00 in Cần Thơ
    with app.app_context():
        on_time = file_case(db.session, office.ward, received_at=received)
        late = file_case(db.session, office.ward, received_at=received)
        file_case(db.session, office.ward, received_at=received)  # still open, overdue by now
        file_case(db.session, office.other, received_at=received)  # another unit's: not counted
        on_time.status, on_time.answered_at = "answered", received + timedelta(days=3)
        late.status, late.answered_at = "answered", received + timedelta(days=40)
        db.session.commit()
        parent = db.session.get(Unit, office.parent).code
    page = client.get(f"/cong-khai/phan-anh/{parent}?thang=2026-03").get_data(as_text=True)
    cells = [re.findall(r'<td class="num">([^<]*)</td>', row)
             for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S)]
    # received, on time, late, not yet answered, of which overdue: the total, the row of cases with no
    # sector, and the ward's row.
    assert cells.count(["3", "1", "1", "1", "1"]) == 3, cells
    assert "Phường Khác" not in page
    assert client.get(f"/cong-khai/phan-anh/{parent}?thang=2026-13").status_code in (400, 404)
