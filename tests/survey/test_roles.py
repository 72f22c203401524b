"""The role matrix: every admin and unit route × anonymous, admin, unit manager, unit viewer, the
manager of another unit and a sector department (Sở Y tế) → the expected status. The routes come
from ``app.url_map``: a new route without an entry here fails
``test_every_staff_route_has_a_matrix_entry``."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import Flask

from survey.administration import access
from survey.extensions import db
from survey.models import Kiosk, QrCode, ServicePoint, Unit
from tests.factories import make_user
from tests.helpers import build_world, login_as
from tests.role_matrix import ADMIN, MANAGERS, MATRIX, SECTOR, STAFF

# Statuses a permitted GET may give besides 200: an empty integrity batch is 404.
GET_OK = {"admin.integrity_batch": 404, "admin.report_file": 404}  # a draft has no files yet
DENIED = (403, 404)


def staff_rules(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) for every admin and unit route."""
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("admin.", "unit.")):
            rules += [(rule.endpoint, rule.rule, m) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return rules


def test_every_staff_route_has_a_matrix_entry(app):
    missing = {endpoint for endpoint, _rule, _method in staff_rules(app)} - set(MATRIX)
    assert not missing, f"add these routes to the role matrix: {sorted(missing)}"


def expected(role: str, access: str, scoped: bool) -> str:
    """ "ok", "login", "forbidden" or "hidden" for one role on one route."""
    if role == "anonymous":
        return "login"
    allowed = {
        ADMIN: {"admin"},
        STAFF: {"admin", "unit_manager", "unit_viewer", "other_manager"},
        MANAGERS: {"admin", "unit_manager", "other_manager"},
        SECTOR: {"admin", "sector_viewer"},
    }[access]
    if role not in allowed:
        return "hidden" if scoped and role == "other_manager" else "forbidden"
    return "hidden" if scoped and role == "other_manager" else "ok"


@pytest.mark.parametrize("role", ["anonymous", "unit_viewer", "other_manager", "unit_manager", "admin",
                                  "sector_viewer"])
def test_role_matrix(app, client, role):
    with app.app_context():
        world = build_world()
    if role == "other_manager":
        login_as(app, client, "unit_manager", world.b)
    elif role == "sector_viewer":  # a sector department reaches its sector's page, nothing else
        login_as(app, client, role, None, sector="health")
    elif role != "anonymous":
        login_as(app, client, role, world.a if role != "admin" else None)
    failures = []
    # GETs first, so that no POST changes what a later GET sees.
    for endpoint, _rule, method in sorted(staff_rules(app), key=lambda r: (r[2] != "GET", r[0])):
        access, arguments, scoped = MATRIX[endpoint]
        kwargs = arguments(world) if callable(arguments) else arguments
        with app.test_request_context():
            from flask import url_for

            path = url_for(endpoint, **kwargs)
        response = client.open(path, method=method, data={})
        access = access[method] if isinstance(access, dict) else access
        status, want = response.status_code, expected(role, access, scoped)
        to_login = status == 302 and "/login" in response.headers.get("Location", "")
        ok = {
            "login": to_login,
            "forbidden": status == 403,
            "hidden": status == 404,
            "ok": status == GET_OK.get(endpoint, 200)
            if method == "GET"
            else not (to_login or status in DENIED),
        }[want]
        if not ok:
            failures.append(f"{method} {path} as {role}: {status}, expected {want}")
    assert not failures, "\n".join(failures)


def test_a_unit_manager_sees_only_their_subtree_in_lists(app, client):
    with app.app_context():
        world = build_world()
        names = {
            "a": db.session.get(ServicePoint, world.point_a).name,
            "b": db.session.get(ServicePoint, world.point_b).name,
            "ka": "Quầy A",
            "kb": "Quầy B",
        }
    login_as(app, client, "unit_manager", world.a)
    points = client.get("/admin/points").get_data(as_text=True)
    kiosks = client.get("/admin/kiosks").get_data(as_text=True)
    assert names["a"] in points
    assert names["b"] not in points
    assert names["ka"] in kiosks
    assert names["kb"] not in kiosks


def test_a_manager_cannot_act_on_another_units_objects_by_changing_ids(app, client):
    """Ids of unit B's kiosk, QR code and desk, put in URLs or forms by A's manager: 404, nothing changes."""
    with app.app_context():
        world = build_world()
    login_as(app, client, "unit_manager", world.a)
    assert client.post(f"/admin/kiosks/{world.kiosk_b}/revoke").status_code == 404
    assert client.post(f"/admin/kiosks/{world.kiosk_b}/code").status_code == 404
    assert client.post(f"/admin/qr/{world.qr_b}/revoke").status_code == 404
    assert client.get(f"/admin/qr/{world.qr_b}/poster").status_code == 404
    assert (
        client.post(
            f"/admin/points/{world.point_b}",
            data={"unit": world.b, "code": "HIJACK", "name": "x", "kind": "one_stop"},
        ).status_code
        == 404
    )
    # a form naming B's desk or unit is refused too
    assert (
        client.post(
            "/admin/kiosks", data={"service_point": world.point_b, "label": "x", "instrument": "sipas-short"}
        ).status_code
        == 404
    )
    assert client.post("/admin/qr", data={"unit": world.b, "instrument": "sipas-full"}).status_code == 404
    assert (
        client.post(
            "/admin/points", data={"unit": world.b, "code": "NEW-B", "name": "x", "kind": "one_stop"}
        ).status_code
        == 404
    )
    # moving one's own desk into unit B is refused as well
    assert (
        client.post(
            f"/admin/points/{world.point_a}",
            data={"unit": world.b, "code": "MOVED", "name": "x", "kind": "one_stop"},
        ).status_code
        == 404
    )
    with app.app_context():
        kiosk_b = db.session.get(Kiosk, world.kiosk_b)
        assert kiosk_b.revoked_at is None
        assert kiosk_b.enrolment_code_hash is not None
        assert db.session.get(QrCode, world.qr_b).revoked_at is None
        assert db.session.get(ServicePoint, world.point_a).unit_id == world.a_child
        assert db.session.query(ServicePoint).filter_by(code="NEW-B").count() == 0
        assert db.session.query(Kiosk).filter_by(label="x").count() == 0


def test_a_viewer_can_read_but_not_change_their_units_objects(app, client):
    with app.app_context():
        world = build_world()
    login_as(app, client, "unit_viewer", world.a)
    assert client.get(f"/admin/qr/{world.qr_a}/poster").status_code == 200
    assert client.post(f"/admin/qr/{world.qr_a}/revoke").status_code == 403
    assert client.post(f"/admin/points/{world.point_a}", data={}).status_code == 403
    with app.app_context():
        assert db.session.get(QrCode, world.qr_a).revoked_at is None


def test_users_of_another_unit_are_not_reachable_by_a_manager(app, client):
    with app.app_context():
        world = build_world()
    login_as(app, client, "unit_manager", world.b)
    assert client.get(f"/admin/users/{world.user_a}").status_code == 403
    assert client.post(f"/admin/users/{world.user_a}", data={"role": "admin"}).status_code == 403


# Objects of A's child ward and of the ward merged into it: A's staff reach both (the merged ward's
# history is theirs now), B's manager reaches neither. (path, method, least role that may act)
def reach_cases(w) -> list[tuple[str, str, str]]:
    return [
        (f"/unit/?unit={code}", "GET", STAFF) for code in (w.code_child, w.code_old)
    ] + [
        (f"/unit/report.csv?unit={w.code_old}", "GET", STAFF),
        (f"/unit/report/print?unit={w.code_old}", "GET", STAFF),
        (f"/admin/points/{w.point_old}", "GET", STAFF),
        (f"/admin/qr/{w.qr_old}/poster", "GET", STAFF),
        (f"/admin/units/{w.a_old}/posters", "GET", STAFF),
        (f"/admin/kiosks/{w.kiosk_old}/code", "POST", MANAGERS),
        (f"/admin/qr/{w.qr_old}/revoke", "POST", MANAGERS),
    ]


@pytest.mark.parametrize("role", ["unit_viewer", "unit_manager", "child_manager", "other_manager", "admin"])
def test_a_units_staff_reach_its_child_ward_and_the_ward_merged_into_it(app, client, role):
    with app.app_context():
        world = build_world()
        codes = {u: db.session.get(Unit, i).code for u, i in (("child", world.a_child), ("old", world.a_old))}
    w = SimpleNamespace(**vars(world), code_child=codes["child"], code_old=codes["old"])
    unit = {"other_manager": world.b, "child_manager": world.a_child, "admin": None}.get(role, world.a)
    login_as(app, client, role.replace("child_", "unit_").replace("other_", "unit_"), unit)
    failures = []
    for path, method, least in reach_cases(w):
        status = client.open(path, method=method).status_code
        if role == "other_manager":
            want = {404}
        elif role == "unit_viewer" and least == MANAGERS:
            want = {403}
        else:
            want = {200} if method == "GET" else {200, 303}
        if status not in want:
            failures.append(f"{method} {path} as {role}: {status}, expected {sorted(want)}")
    assert not failures, "\n".join(failures)


def test_the_access_rule_and_the_dashboard_roll_up_agree_on_a_merged_ward(app_context):
    world = build_world()
    manager = make_user(db.session, role="unit_manager", unit=db.session.get(Unit, world.a_child))
    old, child = db.session.get(Unit, world.a_old), db.session.get(Unit, world.a_child)
    assert access.can_view(db.session, manager, old)
    assert access.can_manage(db.session, manager, old)
    assert set(access.tree(db.session).rollup(child.id)) == {child.id, old.id}
    assert not access.can_view(db.session, manager, db.session.get(Unit, world.b))
