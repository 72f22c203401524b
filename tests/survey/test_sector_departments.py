"""Sector departments (Sở Y tế, Sở GD&ĐT): one sector's answers in every unit of the city.

The role sees its sector's units and places across the city and nothing else (the role matrix,
tests/survey/test_roles.py, covers every other route); health and education are reported and
judged apart; the view renders as the role, with small cells hidden; an administrator creates
such an account from the user form.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey.administration import access
from survey.extensions import db
from survey.models import Procedure, Sector, SectorGroup, User
from survey.periods import parse_period
from survey.reporting import dashboards, sector_view
from survey.reporting.groups import Settings, unit_group
from tests.factories import make_service_point, make_unit, make_user
from tests.helpers import answer, login_as, target

Q2 = parse_period("2026-Q2")


@dataclass(frozen=True)
class City:
    city: int
    health_dept: int
    ward_one: int
    ward_two: int
    justice: int


def build_city(*, station_answers: int = 35) -> City:
    """A city with Sở Y tế (a hospital), a ward with a health station, a ward with a school, and
    Sở Tư pháp; health answers all satisfied, education answers half, desk answers none."""
    session = db.session
    city = make_unit(session, level="city", name="Thành phố Thử", valid_from=parse_period("2020").start)
    health_dept = make_unit(session, level="department", name="Sở Y tế Thử", parent=city)
    ward_one = make_unit(session, name="Phường Một", parent=city)
    ward_two = make_unit(session, name="Phường Hai", parent=city)
    justice = make_unit(session, level="department", name="Sở Tư pháp Thử", parent=city)
    hospital = make_service_point(session, health_dept, name="Bệnh viện Thử", kind="hospital")
    station = make_service_point(session, ward_one, name="Trạm Y tế Phường Một", kind="hospital")
    school = make_service_point(session, ward_two, name="Trường Tiểu học Hai", kind="school")
    desk_two = make_service_point(session, ward_two, name="Một cửa Phường Hai")
    desk_justice = make_service_point(session, justice, name="Quầy Tư pháp")
    for code, name in (("health", "Y tế"), ("education", "Giáo dục"), ("justice", "Tư pháp")):
        sector = Sector(code=code, name=name)
        session.add(sector)
        session.add(SectorGroup(code=code, name=name, sectors=[sector]))
    session.flush()
    justice_sector = session.scalar(select(Sector).filter_by(code="justice"))
    certify = Procedure(code="2.000815", name="Chứng thực", sector=justice_sector, unit=justice)
    session.add(certify)
    target(session, code="T-HE", object="public_health_education", threshold=0.9)
    target(session, code="T-ADM", object="agency_service", threshold=0.9)
    for _i in range(40):
        answer(session, health_dept, {"overall": 5}, instrument="health-short", service_point=hospital)
    for _i in range(station_answers):
        answer(session, ward_one, {"overall": 4}, instrument="health-short", service_point=station)
    for value in (5, 2) * 20:
        answer(session, ward_two, {"overall": value}, instrument="education-short",
               service_point=school)
    for _i in range(35):
        answer(session, ward_two, {"overall": 1}, service_point=desk_two)
        answer(session, justice, {"overall": 1}, service_point=desk_justice, procedure=certify)
    session.commit()
    return City(city.id, health_dept.id, ward_one.id, ward_two.id, justice.id)


def page(client: FlaskClient, query: str = "") -> tuple[int, str]:
    response = client.get(f"/unit/sector?period=2026-Q2{query}")
    return response.status_code, response.get_data(as_text=True)


def test_a_health_department_sees_its_hospitals_and_stations_across_the_city_and_nothing_else(
        app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        city = build_city()
    login_as(app, client, "sector_viewer", None, sector="health")
    status, html = page(client)
    assert status == 200
    for shown in ("Sở Y tế Thử", "Phường Một", "Bệnh viện Thử", "Trạm Y tế Phường Một",
                  "75 câu trả lời"):  # 40 at the hospital + 35 at the ward's station
        assert shown in html
    for hidden in ("Phường Hai", "Sở Tư pháp Thử", "Trường Tiểu học Hai", "Một cửa Phường Hai",
                   "Quầy Tư pháp"):
        assert hidden not in html
    # No other sector, no unit whole, no administration.
    assert page(client, "&sector=education")[0] == 404
    for path in (f"/unit/?unit={city.ward_one}", "/unit/", "/unit/report.csv", "/admin/",
                 "/admin/points", "/unit/responses.csv"):
        assert client.get(path).status_code in (403, 404), path


def test_the_access_rule_gives_a_sector_department_its_sector_and_no_unit(app_context: None) -> None:
    health = make_user(db.session, role="sector_viewer", sector="health")
    admin = make_user(db.session, role="admin")
    viewer = make_user(db.session, role="unit_viewer")
    assert access.visible_unit_ids(db.session, health) == frozenset()
    assert access.visible_sector(health) == "health"
    assert access.visible_sector(health, "education") is None
    assert access.visible_sector(admin, "education") == "education"
    assert access.visible_sector(admin) is None
    assert access.visible_sector(viewer, "health") is None
    assert not access.sees_small_cells(health)
    assert not access.may_read_comments(db.session, health, viewer.unit)


def test_health_and_education_are_judged_apart_against_the_plans_target(app_context: None) -> None:
    city = build_city()
    tree = access.tree(db.session)
    root = tree.units[city.city]
    group = unit_group(db.session, tree, root, Q2, Settings())
    parts = {c.part: c for c in group.checks if c.target.code == "T-HE"}
    assert set(parts) == {"health", "education"}
    assert (parts["health"].estimate.n, parts["health"].estimate.value) == (75, 1.0)
    assert (parts["education"].estimate.n, parts["education"].estimate.value) == (40, 0.5)
    assert parts["health"].verdict.status == "met"
    assert parts["education"].verdict.status == "not_met"
    # The province view's sector groups: each sector on its own answers, each judged.
    rows = {sg.code: (g.counts.n, [t.code for t, _e, _v in checks])
            for sg, g, checks in dashboards.sector_groups(db.session, tree, root, Q2, Settings())}
    assert rows["health"] == (75, ["T-HE"])
    assert rows["education"] == (40, ["T-HE"])


def test_the_sector_view_compares_the_sectors_units_on_their_sector_answers(app_context: None) -> None:
    city = build_city()
    tree = access.tree(db.session)
    view = sector_view.build(db.session, tree, tree.units[city.city], "education", Q2, Settings())
    assert [(g.label, g.counts.n) for g in view.units] == [("Phường Hai", 40)]
    assert view.target == 0.9
    assert view.whole.checks[0].part == "education"
    assert view.whole.checks[0].verdict.status == "not_met"
    assert [g.label for g in view.points] == ["Trường Tiểu học Hai"]


@pytest.mark.parametrize(("role", "shown"), [("sector_viewer", False), ("admin", True)])
def test_a_unit_with_few_sector_answers_is_hidden_below_administrator(
        app: Flask, client: FlaskClient, role: str, shown: bool) -> None:
    with app.app_context():
        build_city(station_answers=12)
    if role == "admin":
        login_as(app, client, "admin")
        status, html = page(client, "&sector=health")
    else:
        login_as(app, client, role, None, sector="health")
        status, html = page(client)
    assert status == 200
    assert ("ẩn: ít hơn 30 câu trả lời" in html) is not shown


def test_an_administrator_creates_a_sector_department_from_the_user_form(
        app: Flask, client: FlaskClient) -> None:
    login_as(app, client, "admin")
    made = client.post("/admin/users", data={
        "email": "xem@syt.example.gov.vn", "name": "Sở Y tế", "role": "sector_viewer",
        "sector": "health", "unit": "", "password": "mat-khau-dai-du"})
    assert made.status_code == 303
    refused = client.post("/admin/users", data={
        "email": "thieu@example.gov.vn", "name": "Thiếu ngành", "role": "sector_viewer",
        "sector": "", "unit": "", "password": "mat-khau-dai-du"})
    assert refused.status_code == 400
    form = client.get("/admin/users").get_data(as_text=True)
    assert "Sở chuyên ngành" in form
    assert "Y tế: bệnh viện, trạm y tế (Sở Y tế)" in form
    with app.app_context():
        made_user = db.session.scalar(select(User).filter_by(email="xem@syt.example.gov.vn"))
        assert (made_user.role, made_user.sector, made_user.unit_id) == ("sector_viewer", "health", None)
        assert db.session.scalar(select(User).filter_by(email="thieu@example.gov.vn")) is None


def test_a_target_naming_the_sector_is_the_departments_own_and_not_the_units_headline(
        app_context: None) -> None:
    city = build_city()
    target(db.session, code="T-SYT", object="agency_service", sector_group="health", threshold=0.95)
    tree = access.tree(db.session)
    root = tree.units[city.city]
    view = sector_view.build(db.session, tree, root, "health", Q2, Settings())
    assert sorted(c.target.code for c in view.whole.checks) == ["T-HE", "T-SYT"]
    assert {c.target.code for g in view.units for c in g.checks} == {"T-HE", "T-SYT"}
    own = unit_group(db.session, tree, root, Q2, Settings())
    assert own.headline is not None
    assert own.headline.target.code == "T-ADM"
    sector_check = next(c for c in own.checks if c.target.code == "T-SYT")
    assert (sector_check.estimate.n, sector_check.estimate.value) == (75, 1.0)


def test_sector_for_an_administrator_opens_on_health_and_refuses_an_unknown_sector(
        app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        build_city()
    login_as(app, client, "admin")
    status, html = page(client)
    assert status == 200
    assert "ngành y tế toàn thành phố" in html
    status, html = page(client, "&sector=education")
    assert status == 200
    assert "Trường Tiểu học Hai" in html
    assert "Bệnh viện Thử" not in html
    assert page(client, "&sector=justice")[0] == 404


def test_a_group_of_both_sectors_is_not_judged_on_the_target_set_for_each(app_context: None) -> None:
    city = build_city()
    db.session.add(SectorGroup(code="health+education", name="Y tế và giáo dục",
                               sectors=list(db.session.scalars(
                                   select(Sector).where(Sector.code.in_(["health", "education"]))))))
    db.session.flush()
    tree = access.tree(db.session)
    rows = {sg.code: (g.counts.n, checks) for sg, g, checks in dashboards.sector_groups(
        db.session, tree, tree.units[city.city], Q2, Settings())}
    assert rows["health+education"] == (115, [])
    assert len(rows["health"][1]) == 1
