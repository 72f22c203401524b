"""The index record: SIPAS, PAR INDEX, PAPI, PCI per year, entered through the form or imported
from a CSV (all or nothing, every bad line named in Vietnamese), audited, shown beside the city's
own satisfaction for the year, and for administrators only."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEntry, OutsideIndex
from tests.factories import make_unit
from tests.helpers import csrf_token, login_as, many

GOOD = {"index_code": "SIPAS", "year": "2025", "score": "82,5", "rank": "12", "goal": "top 15",
        "note": "Bộ Nội vụ công bố"}


def stored() -> list[tuple]:
    return [(r.index_code, r.year, r.score, r.rank, r.goal_rank, r.note)
            for r in db.session.scalars(select(OutsideIndex)
                                        .order_by(OutsideIndex.index_code, OutsideIndex.year))]


def audited() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "outside_index.save")) or 0


@pytest.mark.usefixtures("csrf")
def test_an_administrator_enters_an_index_and_sees_it_beside_the_citys_figure(app, client):
    with app.app_context():
        city = make_unit(db.session, level="city", name="Thành phố Cần Thơ")
        many(db.session, city, 27, 3, when=datetime(2025, 5, 12, 3, 0, tzinfo=UTC))
        db.session.commit()
    login_as(app, client, "admin")
    token = csrf_token(client, "/admin/indices")
    assert client.post("/admin/indices", data={**GOOD, "csrf_token": token}).status_code == 303
    with app.app_context():
        assert stored() == [("SIPAS", 2025, 82.5, 12, 15, "Bộ Nội vụ công bố")]
        assert audited() == 1
    page = client.get("/admin/indices").get_data(as_text=True)
    for text in ("Năm 2025", "SIPAS: Chỉ số hài lòng về sự phục vụ hành chính", "82,5", "hạng 12",
                 "trong nhóm 15 dẫn đầu", "Đạt", "tỷ lệ hài lòng 90,0 %, trên 30 phiếu trả lời",
                 "Hai loại số liệu đo những điều khác nhau"):
        assert text in page, text
    assert "\\u" not in page
    # the same index and year again replaces the figures, audited with the old ones
    client.post("/admin/indices", data={**GOOD, "rank": "18", "csrf_token": token})
    with app.app_context():
        assert [r[3] for r in stored()] == [18]
        assert audited() == 2
    assert "Chưa đạt" in client.get("/admin/indices").get_data(as_text=True)


@pytest.mark.usefixtures("csrf")
def test_the_form_refuses_a_bad_goal_and_a_post_without_a_token(app, client):
    login_as(app, client, "admin")
    token = csrf_token(client, "/admin/indices")
    bad = client.post("/admin/indices", data={**GOOD, "goal": "đứng đầu", "csrf_token": token})
    assert bad.status_code == 400
    assert "Mục tiêu viết như “top 15” hoặc “15”." in bad.get_data(as_text=True)
    assert client.post("/admin/indices", data=GOOD).status_code == 400
    with app.app_context():
        assert stored() == []


def upload(client, text: str):
    data = {"file": (io.BytesIO(text.encode("utf-8-sig")), "chi-so.csv")}
    return client.post("/admin/indices/import", data=data, content_type="multipart/form-data")


def test_a_good_csv_with_the_column_codes_is_imported_and_an_index_already_there_is_replaced(app, client):
    login_as(app, client, "admin")
    client.post("/admin/indices", data=GOOD)
    text = ("index,year,score,rank,goal,note\n"
            "SIPAS,2025,84.1,9,top 15,\n"
            "PAR INDEX,2025,\"85,3\",20,top 10,\n"
            "pci,2024,68.2,,30,VCCI\n"
            "PAPI,2025,,,,chưa công bố\n")
    assert upload(client, text).status_code == 303
    with app.app_context():
        assert stored() == [("PAPI", 2025, None, None, None, "chưa công bố"),
                            ("PAR_INDEX", 2025, 85.3, 20, 10, ""),
                            ("PCI", 2024, 68.2, None, 30, "VCCI"),
                            ("SIPAS", 2025, 84.1, 9, 15, "")]
        assert audited() == 5
    page = client.get("/admin/indices").get_data(as_text=True)
    assert page.index("Năm 2025") < page.index("Năm 2024")
    assert "Đã nhập 4 dòng chỉ số." in page


def test_a_csv_with_a_bad_line_stores_nothing_and_names_each_problem_in_vietnamese(app, client):
    login_as(app, client, "admin")
    text = ("Chỉ số,Năm,Điểm,Thứ hạng,Mục tiêu\r\n"
            "SIPAS,2025,82.5,12,top 15\r\n"
            "SIPAS,1999,abc,0,đứng đầu\r\n"
            "ICT INDEX,2025,70,3,\r\n"
            "SIPAS,2025,80,11,top 15\n")
    response = upload(client, text)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for text in ("dòng 3, cột Năm: năm phải là số từ 2000 đến 2100",
                 "dòng 3, cột Điểm: điểm phải là một số, ví dụ 82,5",
                 "dòng 3, cột Thứ hạng: thứ hạng phải là số nguyên từ 1 trở lên",
                 "dòng 3, cột Mục tiêu: mục tiêu viết như “top 15” hoặc “15”",
                 "dòng 4, cột Chỉ số: “ICT INDEX” không phải SIPAS, PAR INDEX, PAPI hay PCI",
                 "dòng 5, cột Chỉ số: chỉ số này của năm 2025 đã có ở dòng trên",
                 "Không dòng nào được ghi"):
        assert text in page, text
    assert "dòng 2" not in page
    with app.app_context():
        assert stored() == []
        assert audited() == 0
    missing = upload(client, "index,year,score\nSIPAS,2025,80\n").get_data(as_text=True)
    assert "dòng 1, cột Thứ hạng: thiếu cột này" in missing


@pytest.mark.parametrize("role", ["unit_manager", "unit_viewer"])
def test_only_administrators_reach_the_record(app, client, role):
    with app.app_context():
        unit_id = make_unit(db.session).id
        db.session.commit()
    login_as(app, client, role, unit_id)
    assert client.get("/admin/indices").status_code == 403
    assert client.post("/admin/indices", data=GOOD).status_code == 403
    assert upload(client, "index,year,score,rank,goal\nPCI,2025,70,5,\n").status_code == 403
    with app.app_context():
        assert stored() == []


def test_the_current_year_is_marked_unfinished(app, client):
    login_as(app, client, "admin")
    this_year = datetime.now(UTC).year
    client.post("/admin/indices", data={**GOOD, "year": str(this_year)})
    client.post("/admin/indices", data={**GOOD, "year": str(this_year - 1)})
    page = client.get("/admin/indices").get_data(as_text=True)
    assert page.count("Năm chưa kết thúc: số liệu tính đến hôm nay.") == 1
    assert page.index("Năm chưa kết thúc") < page.index(f"Năm {this_year - 1}")


def test_the_audit_log_reads_an_index_change_in_vietnamese(app, client):
    login_as(app, client, "admin")
    client.post("/admin/indices", data={**GOOD, "index_code": "PAR_INDEX"})
    page = client.get("/admin/audit").get_data(as_text=True)
    for text in ("Lưu chỉ số bên ngoài", "Chỉ số bên ngoài", "PAR INDEX: Chỉ số cải cách hành chính",
                 "Mục tiêu: trong nhóm dẫn đầu"):
        assert text in page, text
    text = re.sub(r"<[^>]*>", " ", page)  # what the reader sees (a filter's option values aside)
    for code in ("PAR_INDEX", "outside_index", "goal_rank"):
        assert code not in text, code
