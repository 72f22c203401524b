"""The public results page by month and by sector group, and the printable notice (SPEC §6:
public pages show only aggregates with n ≥ min_n)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from survey.extensions import db
from survey.models import SectorGroup
from tests import factories
from tests.helpers import many, target

JUNE = datetime(2026, 6, 10, 3, 0, tzinfo=UTC)


def _pct(value: float) -> str:
    """The page's Vietnamese percentage: one decimal, comma, a space before %."""
    return f"{value * 100:.1f}".replace(".", ",") + " %"


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.fixture
def wards(app) -> None:
    with app.app_context():
        session = db.session
        big = factories.make_unit(session, code="PUB-BIG", name="Phường Tháng Năm")
        small = factories.make_unit(session, code="PUB-SMALL", name="Phường Ít Phiếu")
        target(session, threshold=0.7)
        many(session, big, 40, 10)                 # May: 40 of 50
        many(session, big, 2, 18, when=JUNE)       # June: 2 of 20
        many(session, small, 9, 3)                 # 12 answers in May: below min_n
        session.commit()


def test_a_month_shows_that_month_only_with_the_reporting_figures(app, client: FlaskClient, wards) -> None:
    from survey.administration.access import tree
    from survey.periods import parse_period
    from survey.reporting.groups import Settings, units_groups

    page = client.get("/results?period=2026-05").get_data(as_text=True)
    low, high = wilson(40, 50)
    assert f"<strong>{_pct(0.8)}</strong>" in page
    assert f"({_pct(low)} – {_pct(high)})" in page
    assert "tháng 5 năm 2026" in page
    with app.app_context():
        the_tree = tree(db.session)
        groups = units_groups(db.session, the_tree, [the_tree.units[u.id] for u in the_tree.units.values()
                                                      if u.code == "PUB-BIG"],
                              parse_period("2026-05"), Settings.from_config(app.config), components=False)
    assert groups[0].counts.n == 50
    assert groups[0].satisfaction is not None
    assert f"<strong>{_pct(groups[0].satisfaction.value)}</strong>" in page
    quarter = client.get("/results?period=2026-Q2").get_data(as_text=True)
    assert f"<strong>{_pct(42 / 70)}</strong>" in quarter  # the quarter counts June too


def test_a_unit_below_min_n_is_listed_without_any_figure(client: FlaskClient, wards) -> None:
    page = client.get("/results?period=2026-05").get_data(as_text=True)
    hidden_line = page.split("Chưa đủ 30 câu trả lời để công bố:")[1].split("</p>")[0]
    assert "Phường Ít Phiếu" in hidden_line
    assert _pct(0.75) not in page  # 9 of 12
    assert '<th scope="row">Phường Ít Phiếu' not in page
    notice = client.get("/results/ban-in?period=2026-05&unit=PUB-SMALL").get_data(as_text=True)
    assert "Chưa công bố" in notice
    assert _pct(0.75) not in notice
    assert "Con số thật" not in notice


def test_the_picker_offers_months_and_quarters_and_bad_periods_get_the_400_page(
        client: FlaskClient, wards, monkeypatch) -> None:
    from datetime import date

    monkeypatch.setattr("survey.periods.today", lambda: date(2026, 12, 2))
    page = client.get("/results?period=2026-05").get_data(as_text=True)
    assert '<option value="2026-05" selected>tháng 5 năm 2026</option>' in page
    assert page.count("<option") == 11  # six months, four quarters and May, which is older
    assert "quý " in page
    assert "tháng " in page
    for label in ("2026", "2026-H1", "2026-Q5", "2026-13", "x"):
        response = client.get(f"/results?period={label}")
        assert response.status_code == 400, label
        assert "Trang này xem theo quý hoặc theo tháng" in response.get_data(as_text=True)
    assert client.get("/results/ban-in?period=2026-Q5&unit=PUB-BIG").status_code == 400
    assert client.get("/results/ban-in?period=2026-05&unit=NO-SUCH").status_code == 404


def test_sector_groups_are_published_only_with_enough_answers(app, client: FlaskClient) -> None:
    with app.app_context():
        session = db.session
        city = factories.make_unit(session, code="PUB-CITY", name="Thành phố Công Khai", level="city")
        ward = factories.make_unit(session, code="PUB-W", name="Phường Lĩnh Vực", parent=city)
        land = factories.make_procedure(session, "land", unit=ward)
        school = factories.make_procedure(session, "education", unit=ward)
        session.add_all([SectorGroup(code="land", name="Nhóm Đất Đai", sectors=[land.sector]),
                         SectorGroup(code="education", name="Nhóm Giáo Dục", sectors=[school.sector])])
        many(session, ward, 27, 3, procedure=land)     # 30 land answers: published
        many(session, ward, 5, 0, procedure=school)    # 5 school answers: not published
        session.commit()
    page = client.get("/results?period=2026-05").get_data(as_text=True)
    sectors = page.split("Theo nhóm lĩnh vực")[1]
    low, high = wilson(27, 30)
    assert '<th scope="row">Nhóm Đất Đai</th>' in sectors
    assert f"<strong>{_pct(0.9)}</strong> <span class=\"interval\">({_pct(low)} – {_pct(high)})" in sectors
    assert '<th scope="row">Nhóm Giáo Dục' not in sectors
    assert "Nhóm Giáo Dục" in sectors.split("Chưa đủ 30 câu trả lời để công bố:")[1]
    assert "100,0 %" not in sectors


def test_the_notice_prints_the_figure_the_verdict_and_the_vietnamese_date(
        client: FlaskClient, wards, monkeypatch) -> None:
    from datetime import date

    monkeypatch.setattr("survey.public.notice.today", lambda: date(2026, 12, 2))
    page = client.get("/results/ban-in?period=2026-05&unit=PUB-BIG").get_data(as_text=True)
    low, high = wilson(40, 50)
    assert "Phường Tháng Năm" in page
    assert f"<strong>{_pct(0.8)}</strong>" in page
    assert f"từ {_pct(low)} đến {_pct(high)}, với độ tin cậy 95 %" in page
    assert "Kỳ: tháng 5 năm 2026" in page
    assert "ngày 2 tháng 12 năm 2026" in page
    assert "(50 người trả lời)" in page
    verdict = "Chưa kết luận được so với chỉ tiêu 70 %" if low < 0.7 else "Đạt chỉ tiêu 70 %"
    assert verdict in page


def test_sector_groups_are_named_in_the_page_language(app, client: FlaskClient) -> None:
    """A Khmer page names a group by its sectors' words from the catalogue, never the stored
    Vietnamese; the Vietnamese page keeps the name as the administrator wrote it."""
    with app.app_context():
        session = db.session
        city = factories.make_unit(session, code="PUB-CITY", name="Thành phố Công Khai", level="city")
        ward = factories.make_unit(session, code="PUB-W", name="Phường Lĩnh Vực", parent=city)
        land = factories.make_procedure(session, "land", unit=ward)
        session.add(SectorGroup(code="land", name="Nhóm Đất Đai", sectors=[land.sector]))
        many(session, ward, 27, 3, procedure=land)
        session.commit()
    khmer = client.get("/results?period=2026-05&lang=km").get_data(as_text=True)
    assert '<th scope="row">ដីធ្លី</th>' in khmer
    assert "Nhóm Đất Đai" not in khmer
    vietnamese = client.get("/results?period=2026-05&lang=vi").get_data(as_text=True)
    assert '<th scope="row">Nhóm Đất Đai</th>' in vietnamese
