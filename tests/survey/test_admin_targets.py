"""Targets as data: load the seed, see the source document, confirm an ambiguous operator, edit."""

from __future__ import annotations

from sqlalchemy import select

from survey.extensions import db
from survey.models import Target
from tests.helpers import login_as


def test_the_seed_loads_once_and_targets_needing_confirmation_are_flagged(app, client, runner):
    first = runner.invoke(args=["targets", "load"]).output
    assert "added" in first
    assert "0 added" in runner.invoke(args=["targets", "load"]).output
    login_as(app, client, "admin")
    page = client.get("/admin/targets").get_data(as_text=True)
    with app.app_context():
        flagged = db.session.scalars(select(Target).filter_by(needs_confirmation=True)).all()
    assert flagged, "the seed has rows whose operator the text left ambiguous"
    assert "Cần xác nhận phép so sánh" in page
    assert flagged[0].source_document in page


def test_an_admin_confirms_a_flagged_target_and_sees_its_source(app, client, runner):
    runner.invoke(args=["targets", "load"])
    with app.app_context():
        target = db.session.scalars(select(Target).filter_by(needs_confirmation=True)).first()
        target_id, document = target.id, target.source_document
    login_as(app, client, "admin")
    assert document in client.get(f"/admin/targets/{target_id}").get_data(as_text=True)
    assert client.post(f"/admin/targets/{target_id}/confirm").status_code == 303
    with app.app_context():
        assert db.session.get(Target, target_id).needs_confirmation is False


def test_an_admin_creates_a_target_and_a_bad_threshold_is_refused(app, client):
    login_as(app, client, "admin")
    data = {
        "code": "NEW-2027",
        "jurisdiction": "can_tho",
        "source_document": "Kế hoạch 1/KH-UBND",
        "period_start": "2027-01-01",
        "period_end": "2027-12-31",
        "object": "agency_service",
        "sector_group": "",
        "operator": ">=",
        "threshold": "0.92",
        "population": "",
        "note": "",
    }
    assert client.post("/admin/targets/new", data={**data, "threshold": "92"}).status_code == 400
    assert client.post("/admin/targets/new", data={**data, "period_end": "2026-01-01"}).status_code == 400
    assert client.post("/admin/targets/new", data=data).status_code == 303
    with app.app_context():
        target = db.session.scalar(select(Target).filter_by(code="NEW-2027"))
        assert (target.operator, target.threshold) == (">=", 0.92)


def test_a_target_may_name_its_levels_and_is_then_judged_only_there(app, client):
    from survey.administration.units import UnitTree
    from survey.periods import parse_period
    from survey.reporting.groups import Settings, unit_group
    from tests import factories
    from tests.helpers import many

    login_as(app, client, "admin")
    data = {"code": "WARDS-ONLY", "jurisdiction": "can_tho", "source_document": "Kế hoạch 2/KH-UBND",
            "period_start": "2026-01-01", "period_end": "2026-12-31", "object": "agency_service",
            "sector_group": "", "levels": "commune", "operator": ">=", "threshold": "0.9",
            "population": "", "note": ""}
    assert client.post("/admin/targets/new", data=data).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Target.levels).filter_by(code="WARDS-ONLY")) == "commune"
        ward = factories.make_unit(db.session)
        dept = factories.make_unit(db.session, level="department")
        many(db.session, ward, 30, 0)
        many(db.session, dept, 30, 0)
        tree, q2 = UnitTree(db.session), parse_period("2026-Q2")
        checks = {u.level: [c.target.code for c in unit_group(db.session, tree, u, q2,
                                                              Settings()).checks]
                  for u in (ward, dept)}
    assert checks == {"commune": ["WARDS-ONLY"], "department": []}
    assert "Áp dụng cho cấp" in client.get("/admin/targets/new").get_data(as_text=True)
