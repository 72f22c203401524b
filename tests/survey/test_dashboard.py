"""Agency dashboard, province view and public results, through HTTP."""

from __future__ import annotations

import io
import re

import pytest
from flask.testing import FlaskClient

from survey.extensions import db
from survey.models import DossierVolume, Unit
from tests import factories
from tests.helpers import answer, csrf_token, many, target


@pytest.fixture
def two_units(app):
    with app.app_context():
        a = factories.make_unit(db.session, code="WARD-A", name="Phường A")
        b = factories.make_unit(db.session, code="WARD-B", name="Phường B")
        target(db.session, threshold=0.9)
        many(db.session, a, 60, 0)
        many(db.session, b, 10, 2)
        answer(db.session, a, {"overall": 2}, comment="Bình luận của phường A", problems=("wait_long",))
        answer(db.session, b, {"overall": 1}, comment="Bí mật của phường B")
        db.session.commit()
        return a.id, b.id


def test_agency_sees_its_verdict_in_plain_words(client: FlaskClient, login, two_units) -> None:
    login(role="unit_viewer", unit=db.session.get_one(Unit, two_units[0]), reads_comments=True)
    page = client.get("/unit/?period=2026-Q2").get_data(as_text=True)
    assert "Phường A" in page
    assert "Đạt chỉ tiêu 90 % với độ tin cậy 95 %" in page
    assert "Bình luận của phường A" in page
    assert "Phải chờ lâu" in page


def test_too_few_answers_say_how_many_more_are_needed(client: FlaskClient, login, two_units) -> None:
    login(role="unit_manager", unit=db.session.get_one(Unit, two_units[1]))
    page = client.get("/unit/?period=2026-Q2").get_data(as_text=True)
    assert re.search(r"Chưa đủ dữ liệu: cần thêm khoảng \d+ phiếu", page)


@pytest.mark.parametrize("path", [
    "/unit/?unit=WARD-B&period=2026-Q2", "/unit/report.xlsx?unit=WARD-B&period=2026-Q2",
    "/unit/report.csv?unit=WARD-B&period=2026-Q2", "/unit/report.json?unit=WARD-B&period=2026-Q2",
    "/unit/report/print?unit=WARD-B&period=2026-Q2",
])
def test_staff_of_one_unit_cannot_see_another(client: FlaskClient, login, two_units, path: str) -> None:
    login(role="unit_manager", unit=db.session.get_one(Unit, two_units[0]))
    response = client.get(path)
    assert response.status_code in (403, 404)
    assert "Bí mật của phường B" not in response.get_data(as_text=True)


def test_staff_cannot_open_the_province_view(client: FlaskClient, login, two_units) -> None:
    login(role="unit_manager", unit=db.session.get_one(Unit, two_units[0]))
    assert client.get("/admin/province?period=2026-Q2").status_code == 403
    assert client.get("/admin/province/report.xlsx?period=2026-Q2").status_code == 403


def test_parent_unit_staff_see_a_child_unit(client: FlaskClient, login, app) -> None:
    with app.app_context():
        parent = factories.make_unit(db.session, code="DEPT", level="department")
        factories.make_unit(db.session, code="DEPT-CHILD", name="Phòng con", parent=parent)
        db.session.commit()
        login(role="unit_viewer", unit=parent)
    assert client.get("/unit/?unit=DEPT-CHILD").status_code == 200


def test_admin_may_view_any_unit_and_a_malformed_period_is_explained(
    client: FlaskClient, login, two_units
) -> None:
    login(role="admin")
    page = client.get("/unit/?unit=WARD-B&period=2026-Q2").get_data(as_text=True)
    assert "Bí mật của phường B" in page
    bad = client.get("/unit/?unit=WARD-B&period=2026-Q9")
    assert bad.status_code == 400
    assert "Kỳ “2026-Q9” không đúng" in bad.get_data(as_text=True)
    assert client.get("/unit/?unit=NO-SUCH").status_code == 404


def test_province_view_lists_units_sorted_on_the_server_with_a_funnel_plot(
    client: FlaskClient, login, two_units
) -> None:
    login(role="admin")
    page = client.get("/admin/province?period=2026-Q2&sort=estimate&order=desc").get_data(
        as_text=True)
    assert page.index("Phường A") < page.index("Phường B")
    ascending = client.get("/admin/province?period=2026-Q2&sort=estimate&order=asc").get_data(
        as_text=True)
    table = ascending[ascending.index('id="h-units"'):]
    assert table.index("Phường B") < table.index("Phường A")
    assert '<svg class="chart"' in page
    assert "<title" in page
    assert "<desc" in page
    assert "Biểu đồ phễu" in page
    assert "tính cả hồ sơ không đánh giá là hài lòng" in page
    assert 'style="' not in page


def test_volume_import_gives_the_weighted_figure_and_decision_766(
    client: FlaskClient, login, two_units, csrf
) -> None:
    login(role="admin")
    token = csrf_token(client, "/admin/province?period=2026-Q2")
    body = ("unit_code,period,dossiers,dossiers_unsatisfied\n"
            "WARD-A,2026-Q2,900,9\nWARD-B,2026-Q2,100,1\n")
    response = client.post("/admin/province/volumes?period=2026-Q2", data={
        "csrf_token": token, "file": (io.BytesIO(body.encode()), "volumes.csv")})
    assert response.status_code == 302
    assert db.session.query(DossierVolume).count() == 2
    page = client.get("/admin/province?period=2026-Q2").get_data(as_text=True)
    assert "phủ 100,0 % số hồ sơ" in page
    assert "99,0 %" in page  # (1000 - 10) / 1000


def test_public_results_hide_small_groups_and_every_comment(client: FlaskClient, two_units) -> None:
    page = client.get("/results?period=2026-Q2").get_data(as_text=True)
    assert "Phường A" in page
    assert "98,4 %" in page
    row_b = re.search(r"<tr><th scope=\"row\">Phường B", page)
    assert row_b is None
    assert "Bình luận" not in page
    assert "Bí mật" not in page
    half = client.get("/results?period=2026-H1")
    assert half.status_code == 400
    assert "Trang này xem theo quý hoặc theo tháng" in half.get_data(as_text=True)


def test_a_significant_fall_raises_an_alert(client: FlaskClient, login, app) -> None:
    from datetime import UTC, datetime

    with app.app_context():
        unit = factories.make_unit(db.session, code="WARD-FALL")
        for month in (1, 2, 3):
            many(db.session, unit, 39, 1, when=datetime(2026, month, 10, 3, tzinfo=UTC))
        for month in (4, 5, 6):
            many(db.session, unit, 24, 16, when=datetime(2026, month, 10, 3, tzinfo=UTC))
        db.session.commit()
        login(role="unit_manager", unit=unit)
    page = client.get("/unit/?period=2026-Q2").get_data(as_text=True)
    assert 'role="alert"' in page
    alert = page[page.index('role="alert"'):][:600]
    assert "tháng 4 năm 2026" in alert
    # Its size: 117/120 = 97,5 % before, 72/120 = 60,0 % from April, a fall of 37,5 points.
    assert "97,5 %" in alert
    assert "60,0 %" in alert
    assert "37,5 điểm phần trăm" in alert
    # The trend chart marks the same month.
    chart = page[page.index('id="h-trend"'):]
    assert 'class="fall"' in chart
    assert "Bắt đầu giảm: 2026-04" in chart
    steady = client.get("/unit/?period=2026-Q1").get_data(as_text=True)
    assert 'role="alert"' not in steady
    assert 'class="fall"' not in steady


# The demo's Sở Khoa học và Công nghệ, seeded flat at 97 %: 18 of 19 satisfied over seven months,
# a month without answers, then 1 of 4 over three months (here July 2025 to June 2026).
FLAT_THEN_FOUR = [((2025, 7), 2, 1), ((2025, 8), 3, 0), ((2025, 9), 2, 0), ((2025, 10), 2, 0),
                  ((2025, 11), 2, 0), ((2025, 12), 2, 0), ((2026, 1), 5, 0), ((2026, 3), 0, 1),
                  ((2026, 4), 1, 0), ((2026, 5), 0, 2)]


def _flat_then_four(app, code: str, more_unsatisfied: int = 0) -> int:
    from datetime import UTC, datetime

    with app.app_context():
        unit = factories.make_unit(db.session, code=code)
        for (year, month), satisfied, unsatisfied in FLAT_THEN_FOUR:
            many(db.session, unit, satisfied, unsatisfied,
                 when=datetime(year, month, 10, 3, tzinfo=UTC))
        many(db.session, unit, 0, more_unsatisfied, when=datetime(2026, 6, 10, 3, tzinfo=UTC))
        db.session.commit()
        return unit.id


def test_a_fall_on_four_answers_is_no_alert_and_the_page_says_it_is_too_early(
        client: FlaskClient, login, app) -> None:
    unit_id = _flat_then_four(app, "WARD-FOUR")
    login(role="admin")
    page = client.get("/unit/?unit=WARD-FOUR&period=2026-Q2").get_data(as_text=True)
    assert 'role="alert"' not in page
    assert 'class="fall"' not in page[page.index('id="h-trend"'):]
    note = page[page.index('class="pending-fall"'):][:700]
    assert "Chưa đủ câu trả lời để cảnh báo" in note
    assert "từ tháng 3 năm 2026" in note  # as a reader says it, not the label 2026-03
    assert "mới có 4 câu trả lời" in note
    assert "cần ít nhất 10 câu trả lời" in note
    # A unit role sees no figure of fewer than min_n answers, this one included.
    with app.app_context():
        login(role="unit_manager", unit=db.session.get_one(Unit, unit_id))
    protected = client.get("/unit/?unit=WARD-FOUR&period=2026-Q2").get_data(as_text=True)
    assert 'class="pending-fall"' not in protected
    assert 'role="alert"' not in protected


def test_the_same_fall_on_ten_answers_is_an_alert(client: FlaskClient, login, app) -> None:
    _flat_then_four(app, "WARD-TEN", more_unsatisfied=6)  # 1 of 10 from March
    login(role="admin")
    page = client.get("/unit/?unit=WARD-TEN&period=2026-Q2").get_data(as_text=True)
    alert = page[page.index('role="alert"'):][:600]
    assert "tháng 3 năm 2026" in alert
    assert "xuống 10,0 %" in alert
    assert 'class="pending-fall"' not in page


def test_a_unit_role_is_alerted_to_a_fall_on_fewer_than_min_n_answers_without_its_rates(
        client: FlaskClient, login, app) -> None:
    unit_id = _flat_then_four(app, "WARD-TEN", more_unsatisfied=6)  # 1 of 10 from March
    with app.app_context():
        login(role="unit_manager", unit=db.session.get_one(Unit, unit_id))
    page = client.get("/unit/?unit=WARD-TEN&period=2026-Q2").get_data(as_text=True)
    alert = page[page.index('role="alert"'):][:700]
    assert "giảm rõ từ tháng 3 năm 2026" in alert
    assert "ít hơn 30 câu trả lời" in alert
    assert "10,0 %" not in page  # 1 of 10: a figure of fewer than min_n answers
    assert "Bắt đầu giảm: 2026-03" in page[page.index('id="h-trend"'):]  # the chart marks it still


def test_chart_tooltips_use_the_vietnamese_decimal_comma(app) -> None:
    from survey.reporting.charts import Point, trend_chart

    with app.test_request_context("/?lang=vi"):
        points = [Point("2026-05", 0.811, 0.78, 0.84, 1234), Point("2026-06", 0.9, 0.87, 0.93, 40)]
        svg = str(trend_chart(points, title="t", desc="d"))
    assert "2026-05: 81,1 % (n = 1.234)" in svg
    assert "81.1" not in svg
