"""CSRF on every staff form: each POST route of the admin blueprint, posted by a logged-in
administrator without a token, is refused with 400 and changes nothing. The routes come from
``app.url_map``, so a new form is covered without editing this file."""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import func, select

from survey import models
from survey.extensions import db
from survey.models import Kiosk, QrCode, Target
from tests.helpers import build_world, csrf_token, login_as
from tests.role_matrix import MATRIX

TABLES = (
    models.ApiToken,
    models.AuditEntry,
    models.Instrument,
    models.JobRun,
    models.OutsideIndex,
    Kiosk,
    models.Procedure,
    QrCode,
    models.Response,
    models.SectorGroup,
    models.ServicePoint,
    Target,
    models.Unit,
    models.User,
)


def snapshot() -> dict[str, object]:
    counts = {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in TABLES}
    counts["revoked_kiosks"] = db.session.scalar(
        select(func.count()).select_from(Kiosk).where(Kiosk.revoked_at.is_not(None))
    )
    counts["revoked_qr"] = db.session.scalar(
        select(func.count()).select_from(QrCode).where(QrCode.revoked_at.is_not(None))
    )
    counts["unconfirmed"] = db.session.scalar(
        select(func.count()).select_from(Target).where(Target.needs_confirmation.is_(True))
    )
    return counts


def post_routes(app) -> list[str]:
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.") and "POST" in (rule.methods or ())
    )


@pytest.mark.usefixtures("csrf")
def test_every_admin_form_refuses_a_post_without_a_csrf_token_and_changes_nothing(app, client):
    with app.app_context():
        world = build_world()
    login_as(app, client, "admin")
    with app.app_context():
        before = snapshot()
    refused = []
    for endpoint in post_routes(app):
        arguments = MATRIX[endpoint][1]
        with app.test_request_context():
            path = url_for(endpoint, **(arguments(world) if callable(arguments) else arguments))
        response = client.post(path, data={"label": "x", "code": "NEW", "name": "x", "unit": world.a})
        refused.append((path, response.status_code))
    assert all(status == 400 for _path, status in refused), [r for r in refused if r[1] != 400]
    with app.app_context():
        assert snapshot() == before


@pytest.mark.usefixtures("csrf")
def test_the_same_form_with_its_token_is_accepted(app, client):
    with app.app_context():
        world = build_world()
    login_as(app, client, "admin")
    token = csrf_token(client, "/admin/kiosks")
    response = client.post(
        "/admin/kiosks",
        data={
            "csrf_token": token,
            "service_point": world.point_a,
            "label": "Quầy có token",
            "instrument": "sipas-short",
        },
    )
    assert response.status_code == 200
    assert "enrolment-code" in response.get_data(as_text=True)
