"""Staff never learn who answered (SPEC §6): no page or export for a unit role shows the time of
day of an answer or a figure of fewer than ``min_n`` answers, or lets one be had by subtraction;
comments are read only with a per-person permission, by day, from the next day on."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from survey.extensions import db
from survey.models import Unit
from survey.reporting import privacy
from survey.reporting.groups import Group
from survey.reporting.queries import OverallCounts
from tests import factories
from tests.helpers import answer

# 09:47:13 local on 12 May 2026 (02:47 UTC): a time that must never be shown to a unit role.
AT = datetime(2026, 5, 12, 2, 47, 13, tzinfo=UTC)
APRIL = datetime(2026, 4, 14, 2, 47, 13, tzinfo=UTC)
TIMES = ("09:47", "02:47", "9:47")
SMALL = "14,3 %"  # Phường Nhỏ: 1 satisfied of 7, the one small cell's rate
ITEMS = ("overall", "access.place", "procedure.as_posted", "staff.courteous", "result.as_promised",
         "feedback.easy")


@pytest.fixture
def district(app: Flask) -> dict[str, object]:
    """A department with a big ward (40 answers in May) and a small one (7 in April)."""
    with app.app_context():
        session = db.session
        dept = factories.make_unit(session, code="DEPT-P", name="Sở Riêng Tư", level="department")
        big = factories.make_unit(session, code="WARD-BIG", name="Phường Lớn", parent=dept)
        small = factories.make_unit(session, code="WARD-SMALL", name="Phường Nhỏ", parent=dept)
        rare = factories.make_procedure(session, "land", name="Thủ tục hiếm")
        for n in range(40):
            ok = n % 10 != 0  # 36 of 40 satisfied
            answer(session, big, dict.fromkeys(ITEMS, 5 if ok else 2), when=AT + timedelta(minutes=n % 3),
                   channel="kiosk" if n < 37 else "qr", procedure=rare if n >= 37 else None,
                   comment="Cán bộ nói khó hiểu." if n == 5 else None)
        for n in range(7):
            answer(session, small, dict.fromkeys(ITEMS, 5 if n == 0 else 2), when=APRIL,
                   comment="Chờ lâu quá." if n == 1 else None)
        db.session.commit()
        return {"dept": dept.id, "big": big.id, "small": small.id}


def log_in(app: Flask, client, role: str, unit_id: int | None, **permissions: bool) -> None:
    with app.app_context():
        unit = db.session.get(Unit, unit_id) if unit_id else None
        user = factories.make_user(db.session, role=role, unit=unit, **permissions)
        db.session.commit()
        user_id = user.id
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)


def unit_role_documents(client) -> dict[str, str]:
    """Every page and export a unit role can open about the district, as text."""
    out = {}
    for code in ("DEPT-P", "WARD-BIG", "WARD-SMALL"):
        for period in ("2026-Q2", "2026-04", "2026-05", "2026"):
            for path in (f"/unit/?unit={code}&period={period}",
                         f"/unit/?unit={code}&period={period}&trend=quarter",
                         f"/unit/report.csv?unit={code}&period={period}",
                         f"/unit/report.json?unit={code}&period={period}",
                         f"/unit/report/print?unit={code}&period={period}",
                         f"/unit/responses.csv?unit={code}&period={period}"):
                out[path] = client.get(path).get_data(as_text=True)
            xlsx = client.get(f"/unit/report.xlsx?unit={code}&period={period}").data
            book = load_workbook(io.BytesIO(xlsx))
            # "Lập lúc" is when the workbook was made, not when anyone answered (its seconds
            # once read "…:59:47", which holds a respondent's "9:47")
            out[f"xlsx {code} {period}"] = "\n".join(
                "\t".join("" if c is None else str(c) for c in row) for sheet in book
                for row in sheet.values if row[0] != "Lập lúc")
    for path in ("/admin/", "/admin/points", "/admin/kiosks", "/admin/qrcodes", "/admin/paper", "/results"):
        out[path] = client.get(path).get_data(as_text=True)
    return out


def test_no_page_or_export_for_a_unit_role_shows_a_time_of_day_or_a_small_cell(app, client, district):
    log_in(app, client, "unit_manager", district["dept"], reads_comments=True)
    documents = unit_role_documents(client)
    assert "Cán bộ nói khó hiểu." in documents["/unit/?unit=DEPT-P&period=2026-Q2"], "comments are read"
    for name, body in documents.items():
        for time_of_day in TIMES:
            assert time_of_day not in body, f"{name} shows the time {time_of_day}"
        assert SMALL not in body, f"{name} shows a cell below min_n"
        assert "0.142857" not in body, f"{name} shows a cell below min_n"
    for name, body in documents.items():
        if name.startswith("/unit/responses.csv"):
            rows = list(csv.DictReader(io.StringIO(body)))
            assert all(r["submitted_at"].endswith("T00:00:00+07:00") for r in rows), name
        if name.startswith("/unit/report.json"):
            for group in json.loads(body)["groups"]:
                if group["satisfaction"] and (group["satisfaction"]["n"] or 0) < 30:
                    assert group["satisfaction"]["estimate"] is None, name


def test_a_small_unit_cannot_be_had_by_subtracting_its_neighbour_from_the_total(app, client, district):
    log_in(app, client, "unit_viewer", district["dept"])
    rows = {r["unit_code"]: r for r in csv.DictReader(io.StringIO(
        client.get("/unit/report.csv?unit=DEPT-P&period=2026-Q2").get_data(as_text=True)))}
    assert rows["DEPT-P"]["satisfaction"] != "", "the department's own total (47 answers) is shown"
    assert rows["WARD-SMALL"]["satisfaction"] == "", "7 answers: hidden"
    assert rows["WARD-BIG"]["satisfaction"] == "", "hidden too, or total − big = small"
    assert rows["WARD-SMALL"]["answers"] == "7", "counts stay"


def test_breakdown_rows_below_min_n_are_folded_and_the_trend_protected(app, client, district):
    log_in(app, client, "unit_viewer", district["big"])
    page = client.get("/unit/?unit=WARD-BIG&period=2026-Q2").get_data(as_text=True)
    channels = page[page.index('id="h-channel"'):]
    channels = channels[:channels.index("</section>")]
    assert "Mã QR trên điện thoại" not in channels, "3 answers by QR are not a row of their own"
    assert "Máy đánh giá tại quầy" not in channels, "nor is the kiosk row, or total − kiosk = QR"
    assert "Các nhóm khác, gộp lại" in channels
    assert "Thủ tục hiếm" not in page


def test_administrators_see_small_cells(app, client, district):
    log_in(app, client, "admin", None)
    page = client.get("/unit/?unit=WARD-SMALL&period=2026-Q2").get_data(as_text=True)
    assert SMALL in page
    rows = list(csv.DictReader(io.StringIO(client.get(
        "/unit/responses.csv?unit=WARD-SMALL&period=2026-Q2").get_data(as_text=True))))
    assert rows[0]["submitted_at"] == "2026-04-14T09:47:13+07:00"


def test_comments_need_the_per_person_permission(app, client, district):
    log_in(app, client, "unit_manager", district["dept"])  # a manager, but not granted comments
    page = client.get("/unit/?unit=DEPT-P&period=2026-Q2").get_data(as_text=True)
    assert "Cán bộ nói khó hiểu." not in page
    assert "Chờ lâu quá." not in page
    assert "chưa được cấp quyền đọc ý kiến" in page
    export = client.get("/unit/responses.csv?unit=DEPT-P&period=2026-Q2").get_data(as_text=True)
    assert "comment" not in export.splitlines()[0]
    assert "Chờ lâu" not in export


def test_a_comment_reaches_the_dashboard_on_the_next_day_only(app, client, district):
    with app.app_context():
        big = db.session.get_one(Unit, district["big"])
        answer(db.session, big, {"overall": 1}, when=datetime.now(UTC), comment="Vừa viết xong.")
        answer(db.session, big, {"overall": 4}, when=datetime.now(UTC) - timedelta(days=1, hours=1),
               comment="Viết hôm qua.")
        db.session.commit()
    log_in(app, client, "unit_viewer", district["big"], reads_comments=True)
    page = client.get(f"/unit/?unit=WARD-BIG&period={datetime.now(UTC).year}").get_data(as_text=True)
    assert "Vừa viết xong." not in page
    year = datetime.now(UTC).year
    export = client.get(f"/unit/responses.csv?unit=WARD-BIG&period={year}").get_data(as_text=True)
    assert "Vừa viết xong." not in export, "nor in the export, until tomorrow"
    assert "Viết hôm qua." in export or (datetime.now(UTC) - timedelta(days=1, hours=1)).year != year


def test_comments_of_one_day_are_not_in_the_order_they_were_written(app, client, district):
    with app.app_context():
        big = db.session.get_one(Unit, district["big"])
        texts = [f"Ý kiến số {n}" for n in range(12)]
        for n, text in enumerate(texts):
            answer(db.session, big, {"overall": 3}, when=AT + timedelta(minutes=10 + n), comment=text)
        db.session.commit()
    log_in(app, client, "unit_viewer", district["big"], reads_comments=True)
    page = client.get("/unit/?unit=WARD-BIG&period=2026-05").get_data(as_text=True)
    shown = re.findall(r"Ý kiến số (\d+)", page)
    assert sorted(shown, key=int) == [str(n) for n in range(12)]
    assert shown not in ([str(n) for n in range(12)], [str(n) for n in range(11, -1, -1)])


def group(n: int, s: int | None = None) -> Group:
    g = Group(f"g{n}", f"g{n}")
    g.counts = OverallCounts(n, n, s if s is not None else n)
    return g


@given(st.lists(st.integers(min_value=0, max_value=80), min_size=1, max_size=8),
       st.integers(min_value=0, max_value=40))
def test_fold_leaves_nothing_to_subtract_below_min_n(sizes, outside):
    parts = [group(n) for n in sizes]
    hidden = privacy.fold(parts, sum(sizes) + outside, 30)
    assert all(i in hidden for i, n in enumerate(sizes) if n < 30)
    remainder = outside + sum(sizes[i] for i in hidden)
    assert remainder == 0 or remainder >= 30 or len(hidden) == len(sizes)


def test_a_complaint_handler_never_reads_comments(app, client, district):
    """Who sees a citizen's contact must not find their comment and ratings by its text."""
    from survey.administration import users
    from survey.models import User

    log_in(app, client, "unit_manager", district["dept"], reads_comments=True, handles_complaints=True)
    page = client.get("/unit/?unit=DEPT-P&period=2026-Q2").get_data(as_text=True)
    assert "Cán bộ nói khó hiểu." not in page
    export = client.get("/unit/responses.csv?unit=DEPT-P&period=2026-Q2").get_data(as_text=True)
    assert "comment" not in export.splitlines()[0]
    with app.app_context():
        dept = db.session.get_one(Unit, district["dept"])
        with pytest.raises(users.UserError, match="vừa đọc ý kiến"):
            users.create_user(db.session, None, email="both@example.vn", name="Cả hai", password="x" * 12,
                              role="unit_manager", unit=dept, reads_comments=True, handles_complaints=True)
        reader = users.create_user(db.session, None, email="reader@example.vn", name="Đọc", password="x" * 12,
                                   role="unit_viewer", unit=dept, reads_comments=True)
        with pytest.raises(users.UserError):
            users.update_user(db.session, None, reader, name="Đọc", role="unit_viewer", unit=dept,
                              active=True, handles_complaints=True)
        assert db.session.get_one(User, reader.id).handles_complaints is False


def test_ratings_beside_comments_are_for_administrators_only(app, client, district):
    log_in(app, client, "unit_viewer", district["dept"], reads_comments=True)
    page = client.get("/unit/?unit=DEPT-P&period=2026-Q2").get_data(as_text=True)
    assert "Cán bộ nói khó hiểu." in page
    assert "đánh giá chung" not in page
