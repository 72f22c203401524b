"""Verdicts on pages: honest "responses needed" and only the targets that apply (SPEC §4)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from survey.extensions import db
from survey.models import DossierVolume, Unit
from tests import factories
from tests.helpers import answer, many, target


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
            "để có 8 phần 10 khả năng kết luận") in page


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


def test_targets_about_services_apply_only_to_units_that_deliver_them(app) -> None:
    from survey.administration.units import UnitTree
    from survey.periods import parse_period
    from survey.reporting.groups import Settings, unit_group

    with app.app_context():
        session = db.session
        justice = factories.make_unit(session, name="Sở Tư pháp thử", level="department")
        hospital_unit = factories.make_unit(session, name="Sở Y tế thử", level="department")
        factories.make_service_point(session, hospital_unit, kind="hospital")
        land_ward = factories.make_unit(session, name="Phường có đất đai")
        factories.make_procedure(session, "land", unit=land_ward)
        target(session, code="T-ADM", threshold=0.9)
        target(session, code="T-HE", object="public_health_education", threshold=0.8)
        target(session, code="T-LAND", object="procedures", sector_group="land+construction",
               threshold=0.85)
        for unit in (justice, hospital_unit, land_ward):
            many(session, unit, 40, 2, procedure=factories.make_procedure(session, "justice"))
        tree, q2, settings = UnitTree(session), parse_period("2026-Q2"), Settings(0.95, 30)

        def codes(unit: Unit) -> set[str]:
            return {c.target.code for c in unit_group(session, tree, unit, q2, settings).checks}

        assert codes(justice) == {"T-ADM"}
        assert codes(hospital_unit) == {"T-ADM", "T-HE"}
        assert codes(land_ward) == {"T-ADM", "T-LAND"}
        # answers about a health service also show that the unit delivers one
        answer(session, justice, {"overall": 5}, instrument="health-short")
        assert codes(justice) == {"T-ADM", "T-HE"}
