"""1022 tickets imported from a CSV file (command and page) or sent through the API: each keeps
its own ticket id, and importing twice stores once."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from survey.administration import api_tokens
from survey.extensions import db
from survey.models import Complaint, ComplaintContact, Unit
from tests.casework import build_office
from tests.helpers import csrf_token, login_as

HEADER = "ticket_id,received_at,unit_code,kind,text,phone,email,publish_consent\n"


@pytest.fixture
def office(app):
    with app.app_context():
        return build_office(db.session)


def tickets(app, office) -> str:
    with app.app_context():
        code = db.session.get_one(Unit, office.ward).code
    return (HEADER
            + f"1022-001,2026-06-01 09:15,{code},phan_anh,Chờ lâu ở quầy.,0912 345 678,,1\n"
            + f"1022-002,2026-06-02T10:00:00+07:00,{code},kien_nghi,Đề nghị thêm quầy.,,a@b.vn,\n")


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Complaint)) or 0


def test_the_import_command_run_twice_stores_each_ticket_once(app, runner, office, tmp_path):
    path = tmp_path / "1022.csv"
    path.write_text(tickets(app, office), encoding="utf-8")
    first = runner.invoke(args=["complaints", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "2 stored, 0 already there" in first.output
    second = runner.invoke(args=["complaints", "import", str(path)])
    assert "0 stored, 2 already there" in second.output
    with app.app_context():
        assert count() == 2
        stored = db.session.scalar(select(Complaint).filter_by(external_id="1022-001"))
        assert stored is not None
        assert stored.source == "1022"
        assert stored.channel == "hotline"
        assert stored.publish_consent
        assert stored.received_at.isoformat() == "2026-06-01T02:15:00+00:00"
        assert stored.contact is not None
        assert stored.contact.has_phone


def test_a_file_with_bad_rows_names_each_and_stores_nothing(app, runner, office, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "1022-009,hôm qua,NO-SUCH,khac,,12,,\n", encoding="utf-8")
    result = runner.invoke(args=["complaints", "import", str(path)])
    assert result.exit_code == 2
    for column in ("received_at", "unit_code", "kind", "text", "phone"):
        assert f"dòng 2, cột {column}" in result.output
    with app.app_context():
        assert count() == 0


def test_the_import_page_for_so_noi_vu(app, client, office, csrf):
    login_as(app, client, "admin")
    token = csrf_token(client, "/admin/complaints/import")
    body = tickets(app, office).encode()
    for _ in range(2):
        page = client.post("/admin/complaints/import", data={
            "csrf_token": token, "file": (io.BytesIO(body), "1022.csv")})
        assert page.status_code == 303
    with app.app_context():
        assert count() == 2


def api(client, secret: str, body: object):
    return client.post("/api/v1/complaints", json=body, headers={"Authorization": f"Bearer {secret}"})


def test_the_api_stores_a_ticket_once_and_says_so(app, client, office):
    with app.app_context():
        ward = db.session.get_one(Unit, office.ward)
        _token, secret = api_tokens.issue_token(db.session, ward.parent, label="1022")
        code, other = ward.code, db.session.get_one(Unit, office.other).code
        db.session.commit()
    ticket = {"ticket_id": "1022-777", "received_at": "2026-06-03 08:00", "unit_code": code,
              "text": "Cán bộ không có mặt.", "phone": "0987654321", "publish_consent": True}
    first, second = api(client, secret, ticket), api(client, secret, ticket)
    assert first.status_code == 201
    assert second.status_code == 200
    assert first.json["ref"] == second.json["ref"]
    assert first.json["created"] is True
    assert second.json["created"] is False
    assert first.json["url"].endswith(f"/phan-anh/{first.json['ref']}")
    refused = api(client, secret, {**ticket, "ticket_id": "1022-778", "unit_code": other})
    assert refused.status_code == 422
    assert "unit_code" in refused.json["fields"]
    assert api(client, secret, {**ticket, "phone": 123}).status_code == 422
    assert api(client, "wrong", ticket).status_code == 401
    with app.app_context():
        assert count() == 1
        assert db.session.scalar(select(func.count()).select_from(ComplaintContact)) == 1
