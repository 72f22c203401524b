"""Comparisons of units count each answer once, and the yearly ranking (SPEC §4)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from flask.testing import FlaskClient

from survey.administration.units import UnitTree
from survey.extensions import db
from survey.periods import parse_period
from survey.reporting import dashboards, ranking
from survey.reporting.groups import Settings, disjoint_members, unit_group
from tests import factories
from tests.helpers import many, target

SETTINGS = Settings(0.95, 30)
MARCH_2025 = datetime(2025, 3, 3, 3, 0, tzinfo=UTC)
OCTOBER_2025 = datetime(2025, 10, 6, 3, 0, tzinfo=UTC)


@pytest.fixture
def merged(app):
    """2025: Phường Cũ closes on 30/6 and merges into Phường Mới, opened 1/7; Phường Khác runs on."""
    with app.app_context():
        city = factories.make_unit(db.session, code="CITY", name="Thành phố", level="city",
                                   valid_from=date(2008, 1, 1))
        new = factories.make_unit(db.session, code="NEW", name="Phường Mới", parent=city)
        factories.make_unit(db.session, code="OLD", name="Phường Cũ", parent=city,
                            valid_from=date(2008, 1, 1), valid_to=date(2025, 6, 30),
                            successor=new)
        other = factories.make_unit(db.session, code="OTHER", name="Phường Khác", parent=city,
                                    valid_from=date(2008, 1, 1))
        old = db.session.query(type(new)).filter_by(code="OLD").one()
        target(db.session, threshold=0.8, start=date(2025, 1, 1))
        many(db.session, old, 40, 20, when=MARCH_2025)
        many(db.session, new, 45, 5, when=OCTOBER_2025)
        many(db.session, other, 70, 10, when=OCTOBER_2025)
        db.session.commit()
        return city.id


def test_the_successor_is_compared_on_its_own_answers_when_its_predecessor_is_listed(
        app, merged) -> None:
    with app.app_context():
        tree = UnitTree(db.session)
        year = parse_period("2025")
        root = tree.by_code["CITY"]
        view = dashboards.province(db.session, tree, root, year, SETTINGS)
        by_code = {g.key: g for g in view.units}
        assert (by_code["OLD"].counts.n, by_code["NEW"].counts.n, by_code["OTHER"].counts.n) == (
            60, 50, 80)
        assert sum(g.counts.n for g in view.units) == view.province.counts.n == 190
        assert by_code["NEW"].apart == ["Phường Cũ"]
        # the unit's own dashboard still counts its whole history
        assert unit_group(db.session, tree, tree.by_code["NEW"], year, SETTINGS).counts.n == 110
        members = disjoint_members(tree, tree.open_during(year, ("commune",)))
        flat = [m for ids in members.values() for m in ids]
        assert len(flat) == len(set(flat))
        ranked = dashboards.yearly_ranking(db.session, tree, year, SETTINGS).rankings
        communes = next(t for t in ranked if t.level == "commune")
        assert sorted(r.group.counts.n for r in communes.ranked) == [50, 60, 80]


def test_after_the_merger_year_the_successor_stands_alone(app, merged) -> None:
    with app.app_context():
        tree = UnitTree(db.session)
        view = dashboards.province(db.session, tree, tree.by_code["CITY"], parse_period("2026"),
                                   SETTINGS)
        assert "OLD" not in {g.key for g in view.units}


def test_ranking_is_best_first_with_intervals_and_units_below_min_n_not_ranked(
        app, merged) -> None:
    with app.app_context():
        tree = UnitTree(db.session)
        tables = ranking.yearly(db.session, tree, parse_period("2025-Q4"), SETTINGS)
        assert [t.level for t in tables] == ["department", "commune"]
        assert tables[0].period.label == "2025"
        communes = tables[1]
        assert [r.group.key for r in communes.ranked] == ["NEW", "OTHER", "OLD"]
        for row in communes.ranked:
            assert row.rank_low <= row.rank <= row.rank_high
        strict = Settings(0.95, 55)
        table = ranking.yearly(db.session, tree, parse_period("2025"), strict)[1]
        assert [r.group.key for r in table.ranked] == ["OTHER", "OLD"]
        assert [r.group.key for r in table.rows if r.rank is None] == ["NEW"]


def test_the_ranking_page_shows_the_yearly_ranking_in_plain_words(
        client: FlaskClient, login, merged) -> None:
    login(role="admin")
    province = client.get("/admin/province?period=2025-Q4").get_data(as_text=True)
    assert 'href="/admin/province/ranking?period=2025"' in province
    assert "Hạng thật" not in province  # the province view of a quarter does not redraw the year's
    page = client.get("/admin/province/ranking?period=2025-Q4").get_data(as_text=True)
    assert page == client.get("/admin/province/ranking?period=2025").get_data(as_text=True)
    section = page[page.index('id="h-rank"'):]
    assert "Xếp hạng năm 2025" in section
    assert "Hai đơn vị có khoảng hạng chồng lên nhau" in section
    assert section.index("Phường Mới") < section.index("Phường Khác")
    assert "Không gồm phiếu của Phường Cũ (tính riêng)." in section
    assert re.search(r"Hạng thật: (từ hạng \d+ đến hạng \d+|đúng hạng \d+)", section)


def test_the_province_workbook_has_a_ranking_sheet(client: FlaskClient, login, merged) -> None:
    import io

    from openpyxl import load_workbook

    login(role="admin")
    book = load_workbook(io.BytesIO(client.get("/admin/province/report.xlsx?period=2025").data))
    sheet = book["Xếp hạng"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Cấp", "Hạng năm 2025", "Đồng hạng")
    ranked = [r for r in rows[1:] if r and r[0] == "Xã, phường"]
    assert [(r[1], r[5], r[7]) for r in ranked] == [(1, "NEW", 50), (2, "OTHER", 80), (3, "OLD", 60)]
    assert all(r[3] <= r[1] <= r[4] for r in ranked)
    assert "tính riêng" in ranked[0][11]


def test_the_province_table_shrinks_each_level_towards_its_own_mean(app, merged) -> None:
    from analysis import shrink

    with app.app_context():
        tree = UnitTree(db.session)
        dept = factories.make_unit(db.session, code="DEPT", name="Sở Thử", level="department",
                                   valid_from=date(2008, 1, 1))
        many(db.session, dept, 10, 30, when=OCTOBER_2025)
        db.session.commit()
        tree = UnitTree(db.session)
        view = dashboards.province(db.session, tree, tree.by_code["CITY"], parse_period("2025"),
                                   SETTINGS)
        want = shrink([40, 45, 70], [60, 50, 80]).value
        assert [view.shrunk[c] for c in ("OLD", "NEW", "OTHER")] == pytest.approx(list(want),
                                                                                 abs=1e-12)
        assert view.shrunk["DEPT"] == 10 / 40  # alone at its level: nothing to shrink towards


def _row(page: str, name: str, section: str = 'id="h-units"') -> str:
    start = page.index(f">{name}</", page.index(section))
    return page[page.rindex("<tr", 0, start):page.index("</tr>", start)]


def test_the_kept_table_rows_follow_new_answers_and_the_readers_language(
        app, client: FlaskClient, login, merged) -> None:
    login(role="admin")
    before = _row(client.get("/admin/province?period=2025").get_data(as_text=True), "Phường Khác")
    assert '<td class="num">80</td>' in before
    assert "87,5 %" in before
    assert "Chưa kết luận" in before
    with app.app_context():
        other = tree_unit(db.session, "OTHER")
        many(db.session, other, 0, 40, when=OCTOBER_2025)
        db.session.commit()
    after = _row(client.get("/admin/province?period=2025").get_data(as_text=True), "Phường Khác")
    assert '<td class="num">120</td>' in after
    assert "58,3 %" in after
    assert "Không đạt chỉ tiêu" in after
    ranked = client.get("/admin/province/ranking?period=2025").get_data(as_text=True)
    assert '<td class="num">120</td>' in _row(ranked, "Phường Khác", 'id="h-rank"')
    english = _row(client.get("/admin/province?period=2025&lang=en").get_data(as_text=True),
                   "Phường Khác")
    assert "not met with 95 % confidence" in english
    assert "Không đạt" not in english


def tree_unit(session, code: str):  # type: ignore[no-untyped-def]
    return UnitTree(session).by_code[code]
