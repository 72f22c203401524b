"""Charts a civil servant can read on screen and on paper: funnel dots carry a number listed in a
table under the plot, the trend spans its card with whole labels, and a month not over yet is drawn
hollow with a note, not as a full point."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask.testing import FlaskClient

from survey.extensions import db
from survey.models import Unit
from survey.reporting.charts import TREND_WIDTH, Point, trend_chart
from tests import factories
from tests.helpers import answer, many, target


def test_trend_points_sit_inside_the_frame_so_the_last_label_is_whole(app) -> None:
    with app.test_request_context("/?lang=vi"):
        points = [Point(f"2026-{m:02d}", 0.8, 0.75, 0.85, 50) for m in range(1, 13)]
        svg = str(trend_chart(points, title="t", desc="d"))
    assert f'viewBox="0 0 {TREND_WIDTH} 300"' in svg
    last = re.findall(r'<text class="tick" x="([\d.]+)" y="276" text-anchor="middle">2026-12<', svg)
    # "2026-12" is about 50 units wide at 13 px: centred at x it needs 25 units to its right.
    assert last
    assert float(last[0]) + 25 <= TREND_WIDTH


def test_a_period_not_over_is_hollow_dashed_and_captioned(app) -> None:
    with app.test_request_context("/?lang=vi"):
        points = [Point("2026-10", 0.8, 0.75, 0.85, 50), Point("2026-11", 0.82, 0.77, 0.86, 60),
                  Point("2026-12", 0.5, 0.1, 0.9, 1, partial=True)]
        svg = str(trend_chart(points, title="t", desc="d", partial_label="tháng chưa kết thúc"))
        whole = str(trend_chart(points[:2], title="t", desc="d", partial_label="tháng chưa kết thúc"))
    assert svg.count('class="dot partial"') == 1
    assert svg.count('class="dot"') == 2
    assert 'class="series partial"' in svg
    assert ">tháng chưa kết thúc</text>" in svg
    series = re.search(r'<polyline class="series" points="([^"]+)"', svg).group(1)
    assert len(series.split()) == 2  # the full line stops at the last finished month
    assert "chưa kết thúc" not in whole
    assert "partial" not in whole


def test_a_month_without_answers_breaks_the_band_and_the_line(app) -> None:
    """No band or line may bridge a month in which nobody answered: it would show a rate there."""
    with app.test_request_context("/?lang=vi"):
        points = [Point("2026-05", 0.8, 0.75, 0.85, 50), Point("2026-06", 0.82, 0.77, 0.86, 60),
                  Point("2026-07", None, None, None, 0),
                  Point("2026-08", 0.9, 0.85, 0.94, 55), Point("2026-09", 0.88, 0.83, 0.92, 58)]
        svg = str(trend_chart(points, title="t", desc="d"))
    bands = re.findall(r'<polygon class="band" points="([^"]+)"', svg)
    lines = re.findall(r'<polyline class="series" points="([^"]+)"', svg)
    assert len(bands) == 2
    assert len(lines) == 2
    gap = float(re.search(r'<text class="tick" x="([\d.]+)"[^>]*>2026-07<', svg).group(1))
    for shape in bands + lines:
        xs = [float(pair.split(",")[0]) for pair in shape.split()]
        assert not min(xs) < gap < max(xs), "a shape spans the month without answers"
    assert svg.count('class="dot"') == 4


def test_dashboard_marks_the_current_month_as_not_over(client: FlaskClient, login, app) -> None:
    with app.app_context():
        ward = factories.make_unit(db.session, code="WARD-NOW", name="Phường Hôm Nay")
        many(db.session, ward, 40, 5, when=datetime.now(UTC))
        db.session.commit()
        ward_id = ward.id
    login(role="unit_manager", unit=db.session.get_one(Unit, ward_id))
    page = client.get("/unit/").get_data(as_text=True)  # the current quarter, ending this quarter
    assert 'class="dot partial"' in page
    assert "tháng chưa kết thúc" in page
    assert "chưa kết thúc, số liệu còn thay đổi" in page
    past = client.get("/unit/?period=2026-Q2").get_data(as_text=True)
    assert "chưa kết thúc" not in past


def test_every_funnel_dot_carries_a_number_listed_under_the_plot(client: FlaskClient, login,
                                                                  app) -> None:
    with app.app_context():
        a = factories.make_unit(db.session, code="WARD-A", name="Phường An Hòa")
        b = factories.make_unit(db.session, code="WARD-B", name="Phường Bình Thủy")
        target(db.session, threshold=0.9)
        many(db.session, a, 60, 0)
        many(db.session, b, 10, 12)
        answer(db.session, b, {"overall": 1})
        db.session.commit()
    login(role="admin")
    page = client.get("/admin/province?period=2026-Q2").get_data(as_text=True)
    funnel = page[page.index('id="h-funnel"'):page.index('id="h-units"')]
    tags = re.findall(r'<text class="dot-tag"[^>]*>(\d+)</text>', funnel)
    assert sorted(tags) == ["1", "2"]  # visible text, not a hover title
    key = funnel[funnel.index('class="funnel-key"'):]
    rows = dict(re.findall(r'<td class="num"><strong>(\d+)</strong></td><th scope="row">([^<]+)</th>', key))
    assert set(rows.values()) == {"Phường An Hòa", "Phường Bình Thủy"}
    assert "thấp hơn giới hạn" in key
