"""``POST /api/v1/responses`` and ``PUT /api/v1/volumes/{unit_code}/{period}`` over HTTP:
idempotency, one count per dossier across the API and a receipt QR, other units refused, the
form's validation, volumes replaced and audited."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from survey.administration import api_tokens as tokens
from survey.collection.signing import dossier_hash
from survey.extensions import db
from survey.models import Answer, AuditEntry, DossierVolume, Response
from tests.factories import make_procedure, make_service_point, make_unit

DOSSIER = "000.00.28.H10-251123-0042"


@pytest.fixture
def desk(app):
    """A desk, a procedure and the unit's token."""
    with app.app_context():
        point = make_service_point(db.session)
        procedure = make_procedure(db.session, "land")
        _token, secret = tokens.issue_token(db.session, point.unit, label="một cửa")
        db.session.commit()
        return {"secret": secret, "point": point.code, "unit": point.unit.code,
                "procedure": procedure.code, "procedure_id": procedure.id,
                "sector_id": procedure.sector_id}


def auth(desk) -> dict[str, str]:
    return {"Authorization": f"Bearer {desk['secret']}"}


def post(client, desk, **changes):
    body = {"idempotency_key": uuid.uuid4().hex, "instrument": "sipas-short",
            "service_point_code": desk["point"], "procedure_code": desk["procedure"],
            "ratings": {"overall": 4, "staff.courteous": 5}} | changes
    return client.post("/api/v1/responses", json={k: v for k, v in body.items() if v is not None},
                       headers=auth(desk))


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Response)) or 0


def test_the_same_key_twice_stores_one_response_201_then_200(app, client, desk):
    key = uuid.uuid4().hex
    first = post(client, desk, idempotency_key=key, dossier_code=DOSSIER, respondent_type="citizen",
                 submitted_at="2026-05-12T09:30:00+07:00")
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["status"] == "recorded"
    assert first.get_json()["counted"] is True
    again = post(client, desk, idempotency_key=key, dossier_code=DOSSIER, ratings={"overall": 1})
    assert again.status_code == 200
    assert again.get_json()["status"] == "duplicate"
    assert again.get_json()["counted"] is False
    with app.app_context():
        stored = db.session.scalars(select(Response)).one()
        assert (stored.channel, stored.overall, stored.respondent_type) == ("api", 4, "citizen")
        assert (stored.procedure_id, stored.sector_id) == (desk["procedure_id"], desk["sector_id"])
        assert stored.dossier_hash == dossier_hash(DOSSIER)
        assert stored.submitted_at.isoformat().startswith("2026-05-12T02:30")
        answers = dict(db.session.execute(select(Answer.item_key, Answer.value)).all())
        assert answers == {"overall": 4, "staff.courteous": 5}


def test_a_dossier_answered_by_the_api_opens_the_answered_page_on_its_receipt_qr(app, client, desk):
    link = client.post("/api/v1/dossier-links", headers=auth(desk), json={
        "dossier_code": DOSSIER, "procedure_code": desk["procedure"],
        "service_point_code": desk["point"]}).get_json()["url"]
    assert post(client, desk, dossier_code=DOSSIER).status_code == 201
    path = link.split("localhost", 1)[1]
    page = client.get(path)
    assert "Hồ sơ này đã được đánh giá rồi" in page.get_data(as_text=True)
    client.post(path, data={"idempotency_key": uuid.uuid4().hex, "q_overall": "1"})
    with app.app_context():
        assert count() == 1
        assert db.session.scalars(select(Response.channel)).one() == "api"


def test_a_dossier_answered_on_its_receipt_qr_is_not_counted_again_by_the_api(app, client, desk):
    link = client.post("/api/v1/dossier-links", headers=auth(desk), json={
        "dossier_code": DOSSIER, "procedure_code": desk["procedure"],
        "service_point_code": desk["point"]}).get_json()["url"]
    answered = client.post(link.split("localhost", 1)[1],
                           data={"idempotency_key": uuid.uuid4().hex, "q_overall": "2"})
    assert answered.status_code == 303
    late = post(client, desk, dossier_code=DOSSIER)
    assert late.status_code == 200
    assert late.get_json()["status"] == "dossier_used"
    assert late.get_json()["counted"] is False
    other = post(client, desk, dossier_code=DOSSIER + "-B")  # another dossier counts
    assert other.status_code == 201
    with app.app_context():
        assert count() == 2
        assert sorted(db.session.scalars(select(Response.channel))) == ["api", "link"]


def test_another_units_service_point_and_bad_tokens_are_refused(app, client, desk):
    with app.app_context():
        foreign = make_service_point(db.session).code
        db.session.commit()
    refused = post(client, desk, service_point_code=foreign)
    assert refused.status_code == 422
    assert refused.get_json()["error"] == "unknown_service_point"
    assert post(client, desk, service_point_code="NO-SUCH-DESK").status_code == 422
    body = {"idempotency_key": uuid.uuid4().hex, "instrument": "sipas-short",
            "service_point_code": desk["point"], "ratings": {"overall": 4}}
    assert client.post("/api/v1/responses", json=body).status_code == 401
    assert client.post("/api/v1/responses", json=body,
                       headers={"Authorization": "Bearer forged"}).status_code == 401
    with app.app_context():
        assert count() == 0


@pytest.mark.parametrize(("changes", "error", "field"), [
    ({"ratings": {"overall": 6}}, "invalid_submission", None),
    ({"ratings": {"overall": 0}}, "invalid_submission", None),
    ({"ratings": {"overall": True}}, "invalid_submission", None),
    ({"ratings": {"overall": "4"}}, "invalid_submission", None),
    ({"ratings": {"no.such_item": 4}}, "invalid_submission", None),
    ({"ratings": {}}, "empty_submission", None),
    ({"ratings": {}, "comment": "   "}, "empty_submission", None),
    ({"problems": ["no_such_problem"]}, "invalid_submission", None),
    ({"respondent_type": "robot"}, "invalid_submission", None),
    ({"idempotency_key": "short"}, "invalid_submission", None),
    ({"ratings": [4]}, "invalid_fields", "ratings"),
    ({"submitted_at": "yesterday"}, "invalid_fields", "submitted_at"),
    ({"submitted_at": "0001-01-01T00:00:00+14:00"}, "invalid_fields", "submitted_at"),
    ({"submitted_at": "2026-05-12T09:30:00"}, "invalid_submission", None),
    ({"instrument": "no-such"}, "unknown_instrument", None),
    ({"instrument": "sipas-short@999"}, "unknown_instrument", None),
    ({"procedure_code": "0.000000"}, "unknown_procedure", None),
    ({"channel": "kiosk"}, "invalid_fields", "channel"),
    ({"service_point_code": ""}, "invalid_fields", "service_point_code"),
])
def test_the_forms_rules_refuse_a_bad_submission_with_422(app, client, desk, changes, error, field):
    response = post(client, desk, **changes)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"] == error
    if field:
        assert field in response.get_json()["fields"]
    with app.app_context():
        assert count() == 0


def test_an_older_published_version_can_be_named(app, client, desk):
    response = post(client, desk, instrument="sipas-short@1", ratings={"overall": 3})
    assert response.status_code == 201
    assert response.get_json()["instrument"] == "sipas-short@1"


def put(client, desk, period="2026-Q2", unit=None, secret=None, **body):
    return client.put(f"/api/v1/volumes/{unit or desk['unit']}/{period}", json=body,
                      headers={"Authorization": f"Bearer {secret or desk['secret']}"})


def test_a_volume_put_twice_is_replaced_and_each_call_audited(app, client, desk):
    first = put(client, desk, dossiers=1240, dossiers_unsatisfied=6)
    assert first.status_code == 201, first.get_json()
    assert first.get_json() == {"unit_code": desk["unit"], "period": "2026-Q2", "dossiers": 1240,
                                "dossiers_unsatisfied": 6, "created": True}
    second = put(client, desk, dossiers=1300)
    assert second.status_code == 200
    assert second.get_json()["created"] is False
    assert put(client, desk, dossiers=1300).status_code == 200  # the same PUT again: no change
    with app.app_context():
        volume = db.session.scalars(select(DossierVolume)).one()
        assert (volume.period, volume.dossiers, volume.dossiers_unsatisfied) == ("2026-Q2", 1300, None)
        entries = db.session.scalars(
            select(AuditEntry).filter_by(action="volumes.put").order_by(AuditEntry.id)).all()
        assert [e.object_id for e in entries] == [f"{desk['unit']}/2026-Q2"] * 3
        assert entries[0].before is None
        assert entries[1].before == {"dossiers": 1240, "dossiers_unsatisfied": 6}
        assert entries[1].after["dossiers"] == 1300
        assert entries[1].after["api_token"] == "một cửa"


def test_a_volume_for_another_unit_or_without_a_token_is_refused(app, client, desk):
    with app.app_context():
        other = make_unit(db.session).code
        db.session.commit()
    refused = put(client, desk, unit=other, dossiers=10)
    assert refused.status_code == 404
    assert refused.get_json()["error"] == "unknown_unit"
    assert put(client, desk, secret="forged", dossiers=10).status_code == 401
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DossierVolume)) == 0


@pytest.mark.parametrize(("period", "body", "field"), [
    ("2026-Q5", {"dossiers": 10}, "period"),
    ("26-Q1", {"dossiers": 10}, "period"),
    ("2026-Q1", {"dossiers": -1}, "dossiers"),
    ("2026-Q1", {"dossiers": 1.5}, "dossiers"),
    ("2026-Q1", {"dossiers": True}, "dossiers"),
    ("2026-Q1", {}, "dossiers"),
    ("2026-Q1", {"dossiers": 2**31}, "dossiers"),
    ("2026-Q1", {"dossiers": 5, "dossiers_unsatisfied": 6}, "dossiers_unsatisfied"),
    ("2026-Q1", {"dossiers": 5, "extra": 1}, "extra"),
])
def test_a_bad_volume_is_refused_with_422_naming_the_field(app, client, desk, period, body, field):
    response = put(client, desk, period=period, **body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["fields"]
    if field == "period":
        assert "2026-Q3" in response.get_json()["message"]
        assert period in response.get_json()["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DossierVolume)) == 0


def test_both_operations_are_in_the_openapi_document_with_examples(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    record = paths["/responses"]["post"]
    volume = paths["/volumes/{unit_code}/{period}"]["put"]
    assert {"200", "201", "401", "422"} <= set(record["responses"])
    assert {"200", "201", "401", "404", "422"} <= set(volume["responses"])
    assert record["requestBody"]["content"]["application/json"]["example"]["ratings"]["overall"] == 4
    assert volume["requestBody"]["content"]["application/json"]["example"]["dossiers"] == 1240


def test_the_audit_page_tells_a_replaced_volume_in_words(app, client, desk, login):
    put(client, desk, dossiers=1240, dossiers_unsatisfied=6)
    put(client, desk, dossiers=1300)
    login(role="admin")
    page = client.get("/admin/audit?object_type=dossier_volume").get_data(as_text=True)
    assert "Nhận số hồ sơ từ phần mềm một cửa" in page
    assert "volumes.put" not in page
    assert "dossiers_unsatisfied" not in page
    assert "<dt>Số hồ sơ</dt><dd>1240 → 1300</dd>" in page, "what was replaced, in words"
    assert "<dt>Khóa API</dt><dd>một cửa</dd>" in page  # the token's label


def test_a_token_reaches_the_units_below_its_own(app, client):
    with app.app_context():
        city = make_unit(db.session, level="city")
        ward = make_unit(db.session, parent=city)
        _token, secret = tokens.issue_token(db.session, city, label="thành phố")
        _token, ward_secret = tokens.issue_token(db.session, ward, label="phường")
        db.session.commit()
        codes = {"city": city.code, "ward": ward.code}
    desk = {"secret": secret, "unit": codes["ward"]}
    assert put(client, desk, dossiers=10).status_code == 201
    assert put(client, desk, unit=codes["city"], secret=ward_secret, dossiers=10).status_code == 404
