"""Verdicts on pages: honest "responses needed" and only the targets that apply (SPEC §4)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from survey.extensions import db
from survey.models import DossierVolume, Unit
from tests import factories
from tests.helpers import many, target


def _unit(satisfied: int, unsatisfied: int, threshold: float, **kw) -> int:
    unit = factories.make_unit(db.session, **kw)
    target(db.session, threshold=threshold)
    many(db.session, unit, satisfied, unsatisfied)
    db.session.commit()
    return unit.id


def test_a_rate_at_the_edge_of_its_target_says_too_close_never_a_huge_number(
        app, client: FlaskClient, login) -> None:
    with app.app_context():
        unit_id = _unit(113, 6, 0.95, name="Sở Tư pháp thử", level="department")
        login(role="unit_manager", unit=db.session.get_one(Unit, unit_id))
    page = client.get("/unit/?period=2026-Q2").get_data(as_text=True)
    assert "Chưa kết luận được so với chỉ tiêu 95 %: tỷ lệ quá sát chỉ tiêu để kết luận" in page
    assert "1.033" not in page
    assert not re.search(r"cần thêm khoảng [\d.]{5,} phiếu", page)


def test_a_plausible_number_comes_with_its_chance_and_the_80_percent_figure(
        app, client: FlaskClient, login) -> None:
    with app.app_context():
        unit_id = _unit(90, 10, 0.85)
        login(role="unit_manager", unit=db.session.get_one(Unit, unit_id))
    page = client.get("/unit/?period=2026-Q2").get_data(as_text=True)
    assert ("cần thêm khoảng 96 phiếu (khoảng một nửa khả năng có kết luận); khoảng 263 phiếu "
            "để có 8 phần 10 khả năng") in page


def test_the_dossiers_of_the_period_bound_the_number(app, client: FlaskClient, login) -> None:
    with app.app_context():
        unit_id = _unit(90, 10, 0.85)
        db.session.add(DossierVolume(unit_id=unit_id, period="2026-Q2", dossiers=150))
        db.session.commit()
        login(role="unit_manager", unit=db.session.get_one(Unit, unit_id))
    page = client.get("/unit/?period=2026-Q2").get_data(as_text=True)
    assert "tỷ lệ quá sát chỉ tiêu để kết luận" in page  # 100 + 96 answers > 150 dossiers
    assert "96 phiếu" not in page


def test_the_public_page_prints_no_planning_number(app, client: FlaskClient) -> None:
    with app.app_context():
        _unit(90, 10, 0.85, name="Phường Công Khai")
    page = client.get("/results?period=2026-Q2").get_data(as_text=True)
    assert "Phường Công Khai" in page
    assert "Chưa kết luận được so với chỉ tiêu 85 %" in page
    assert "cần thêm" not in page
    assert "quá sát" not in page
