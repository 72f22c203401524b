"""The dated unit tree: create, edit, close on a date, merge with a successor; history is kept;
the tree goes out and back in as CSV."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select

from survey.administration.units import UnitTree
from survey.extensions import db
from survey.models import Response, Unit
from tests.factories import make_response, make_service_point, make_unit
from tests.helpers import login_as


def test_an_admin_creates_a_unit_under_a_parent_and_edits_it(app, client):
    with app.app_context():
        city = make_unit(db.session, level="city", code="TEST-CITY")
        db.session.commit()
        city_id = city.id
    login_as(app, client, "admin")
    response = client.post(
        "/admin/units",
        data={
            "code": "TEST-WARD",
            "name": "Phường Mới",
            "level": "commune",
            "parent": city_id,
            "jurisdiction": "can_tho",
            "valid_from": "2026-01-01",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        ward = db.session.scalar(select(Unit).filter_by(code="TEST-WARD"))
        assert ward.parent_id == city_id
        ward_id = ward.id
    client.post(
        f"/admin/units/{ward_id}",
        data={
            "code": "TEST-WARD",
            "name": "Phường Mới Đổi Tên",
            "level": "commune",
            "parent": city_id,
            "jurisdiction": "can_tho",
            "valid_from": "2026-01-01",
        },
    )
    with app.app_context():
        assert db.session.get(Unit, ward_id).name == "Phường Mới Đổi Tên"


def test_a_unit_cannot_be_put_inside_itself(app, client):
    with app.app_context():
        parent = make_unit(db.session, level="city")
        child = make_unit(db.session, parent=parent)
        db.session.commit()
        parent_id, child_id, code = parent.id, child.id, parent.code
    login_as(app, client, "admin")
    response = client.post(
        f"/admin/units/{parent_id}",
        data={
            "code": code,
            "name": "x",
            "level": "city",
            "parent": child_id,
            "jurisdiction": "can_tho",
            "valid_from": "2025-07-01",
        },
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Unit, parent_id).parent_id is None


def test_merging_closes_the_old_units_and_keeps_their_responses_and_history(app, client):
    with app.app_context():
        old_a, old_b = make_unit(db.session, name="Xã Cũ A"), make_unit(db.session, name="Xã Cũ B")
        merged = make_unit(db.session, name="Xã Mới", valid_from=date(2026, 7, 1))
        point = make_service_point(db.session, old_a)
        key = make_response(db.session, unit=old_a, ratings={"overall": 5}, service_point=point)
        db.session.commit()
        ids = old_a.id, old_b.id, merged.id
    login_as(app, client, "admin")
    for old in ids[:2]:
        response = client.post(
            f"/admin/units/{old}/close", data={"valid_to": "2026-06-30", "successor": ids[2]}
        )
        assert response.status_code == 303
    with app.app_context():
        a, b, new = (db.session.get(Unit, i) for i in ids)
        assert (a.valid_to, b.valid_to) == (date(2026, 6, 30), date(2026, 6, 30))
        assert a.successor is new
        assert b.successor is new
        assert {a.id, b.id} <= set(UnitTree(db.session).rollup(new.id))
        assert a.is_open_on(date(2026, 6, 30))
        assert not a.is_open_on(date(2026, 7, 1))
        stored = db.session.scalar(select(Response).filter_by(idempotency_key=key))
        assert stored.unit_id == a.id  # the response keeps its original unit
        assert a.service_points[0].unit_id == a.id
    page = client.get(f"/admin/units/{ids[2]}").get_data(as_text=True)
    assert "Xã Cũ A" in page  # "merged from"
    assert "Xã Cũ B" in page


def test_a_unit_cannot_succeed_itself_or_close_before_it_opened(app, client):
    with app.app_context():
        unit = make_unit(db.session, valid_from=date(2026, 1, 1))
        db.session.commit()
        unit_id = unit.id
    login_as(app, client, "admin")
    assert (
        client.post(
            f"/admin/units/{unit_id}/close", data={"valid_to": "2026-06-30", "successor": unit_id}
        ).status_code
        == 400
    )
    assert client.post(f"/admin/units/{unit_id}/close", data={"valid_to": "2025-12-31"}).status_code == 400
    with app.app_context():
        assert db.session.get(Unit, unit_id).valid_to is None


def test_the_tree_exports_to_csv_and_imports_back_unchanged(app, client):
    with app.app_context():
        city = make_unit(db.session, level="city", code="RT-CITY")
        make_unit(
            db.session, code="RT-OLD", parent=city, valid_from=date(2020, 1, 1), valid_to=date(2025, 6, 30)
        )
        db.session.commit()
    login_as(app, client, "admin")
    exported = client.get("/admin/units/export.csv").get_data(as_text=True)
    assert "RT-OLD" in exported
    assert "2025-06-30" in exported
    response = client.post(
        "/admin/units/import",
        data={"file": (io.BytesIO(exported.encode()), "units.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    flashed = client.get("/admin/units").get_data(as_text=True)
    assert "0 đơn vị mới, 0 thay đổi" in flashed


def test_a_tree_import_with_a_bad_row_writes_nothing_and_names_row_and_column(app, client):
    csv_text = (
        "code,name,level,jurisdiction,parent_code,valid_from,valid_to,successor_code\n"
        "IMP-CITY,Thành phố,city,can_tho,,2025-07-01,,\n"
        "IMP-WARD,Phường,commune,can_tho,IMP-CITY,2025-07-01,,\n"
        "IMP-BAD,Phường lỗi,district,can_tho,NOWHERE,01/07/2025,,\n"
    )
    login_as(app, client, "admin")
    response = client.post(
        "/admin/units/import",
        data={"file": (io.BytesIO(csv_text.encode()), "u.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "dòng 4, cột parent_code" in page
    assert "dòng 4, cột level" in page
    assert "dòng 4, cột valid_from" in page
    with app.app_context():
        assert db.session.scalar(select(Unit).filter_by(code="IMP-CITY")) is None
    good = csv_text.rsplit("IMP-BAD", 1)[0]
    for _attempt in range(2):  # importing twice is the same as once
        client.post(
            "/admin/units/import",
            data={"file": (io.BytesIO(good.encode()), "u.csv")},
            content_type="multipart/form-data",
        )
    with app.app_context():
        city = db.session.scalar(select(Unit).filter_by(code="IMP-CITY"))
        assert len(UnitTree(db.session).rollup(city.id)) == 2
        assert db.session.query(Unit).filter(Unit.code.like("IMP-%")).count() == 2
