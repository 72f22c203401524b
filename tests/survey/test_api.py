"""``POST /api/v1/dossier-links``: token per unit, JSON errors, and a link that counts once per dossier."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from survey.administration import api_tokens as tokens
from survey.collection.signing import dossier_hash, load_payload
from survey.extensions import db
from survey.models import ApiToken, Response
from survey.security import hash_secret
from tests.factories import make_procedure, make_service_point, make_unit

URL = "/api/v1/dossier-links"


@pytest.fixture
def desk(app):
    """A unit with a desk and a procedure, and a token for it: (secret, desk code, procedure code)."""
    with app.app_context():
        point = make_service_point(db.session)
        procedure = make_procedure(db.session)
        _token, secret = tokens.issue_token(db.session, point.unit, label="một cửa")
        db.session.commit()
        return secret, point.code, procedure.code


def body(desk, **changes):
    _secret, point, procedure = desk
    values = {
        "dossier_code": "000.00.28.H10-251123-0001",
        "procedure_code": procedure,
        "service_point_code": point,
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_is_stored_only_as_a_hash(app, desk):
    secret = desk[0]
    with app.app_context():
        stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert secret not in stored
    assert hash_secret(secret) in stored


def test_a_valid_request_returns_a_signed_link_with_the_dossier_hash_and_a_qr_svg(app, client, desk):
    response = client.post(URL, json=body(desk), headers=auth(desk[0]))
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["qr_svg"].startswith("<svg")
    token = data["url"].rsplit("/s/", 1)[1]
    with app.test_request_context():
        payload = load_payload(token)
        assert payload.dossier_hash == dossier_hash("000.00.28.H10-251123-0001")
    assert payload.channel == "link"
    assert payload.service_point == desk[1]
    assert payload.procedure == desk[2]
    assert "000.00.28" not in data["url"]  # the dossier code itself never travels in the link


@pytest.mark.parametrize(
    "header", [None, "Bearer ", "Bearer hl_forged-token", "Basic abc", "Bearer " + "x" * 500]
)
def test_missing_or_bad_tokens_get_a_json_401(client, desk, header):
    headers = {"Authorization": header} if header else {}
    response = client.post(URL, json=body(desk), headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


def test_a_revoked_token_is_refused(app, client, desk):
    with app.app_context():
        token = db.session.scalar(select(ApiToken).filter_by(token_hash=hash_secret(desk[0])))
        tokens.revoke_token(db.session, token)
        db.session.commit()
    assert client.post(URL, json=body(desk), headers=auth(desk[0])).status_code == 401


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"dossier_code": None}, "dossier_code"),
        ({"dossier_code": ""}, "dossier_code"),
        ({"procedure_code": 12}, "procedure_code"),
        ({"service_point_code": "x" * 41}, "service_point_code"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_fields_get_a_json_422_naming_the_field(client, desk, changes, field):
    response = client.post(URL, json=body(desk, **changes), headers=auth(desk[0]))
    assert response.status_code == 422
    assert field in response.get_json()["fields"]


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]", b"null", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_gets_a_json_400(client, desk, payload):
    response = client.post(URL, data=payload, content_type="application/json", headers=auth(desk[0]))
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_json"


def test_unknown_codes_and_another_units_desk_get_a_json_422(app, client, desk):
    with app.app_context():
        elsewhere = make_service_point(db.session, make_unit(db.session)).code
        db.session.commit()
    for changes, error in [
        ({"procedure_code": "0.000000"}, "unknown_procedure"),
        ({"service_point_code": "NOPE"}, "unknown_service_point"),
        ({"service_point_code": elsewhere}, "unknown_service_point"),
    ]:
        response = client.post(URL, json=body(desk, **changes), headers=auth(desk[0]))
        assert response.status_code == 422
        assert response.get_json()["error"] == error


def test_the_link_counts_once_per_dossier_and_a_second_answer_is_thanked(app, client, desk):
    url = client.post(URL, json=body(desk), headers=auth(desk[0])).get_json()["url"]
    again = client.post(URL, json=body(desk), headers=auth(desk[0])).get_json()["url"]
    path = url.split("localhost", 1)[1]
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Response))
    first = client.post(path, data={"idempotency_key": uuid.uuid4().hex, "q_overall": "4"})
    second = client.post(
        again.split("localhost", 1)[1], data={"idempotency_key": uuid.uuid4().hex, "q_overall": "1"}
    )
    assert first.status_code == 303
    assert "result=recorded" in first.headers["Location"]
    assert second.status_code == 200  # the dossier's thank-you page, not the form (public/phone.py)
    assert "Hồ sơ này đã được đánh giá rồi" in second.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalars(select(Response).order_by(Response.submitted_at.desc())).first()
        assert db.session.scalar(select(func.count()).select_from(Response)) == before + 1
        assert stored.channel == "link"
        assert stored.overall == 4


def test_the_openapi_document_is_served_and_describes_the_operation(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    operation = document["paths"]["/dossier-links"]["post"]
    assert operation["security"] == [{"bearer": []}]
    assert {"201", "400", "401", "422", "429"} <= set(operation["responses"])


def test_the_api_needs_no_csrf_token_but_admin_forms_do(app, client, desk, csrf):
    assert client.post(URL, json=body(desk), headers=auth(desk[0])).status_code == 201
    assert client.post("/admin/tokens", data={"label": "x"}).status_code == 400
