"""The kiosk's dossier step over HTTP: a code keyed in goes with the answer as its HMAC, never in
clear; a dossier already answered is told kindly at the step, and an answer that still carries
it is recorded without it; a malformed code gets a clear message, never a 500; a receipt's QR
link gives its dossier and procedure; a desk session's dossier wins over a code keyed in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.administration import api_tokens as tokens
from survey.collection import kiosks
from survey.collection.signing import SurveyPayload, dossier_hash, sign_payload
from survey.extensions import db
from survey.models import Response, ServicePoint, Unit
from tests.factories import make_procedure, make_response, make_service_point
from tests.helpers import csrf_token, kiosk_form

DOSSIER = "000.00.28.H10-251123-0042"


@pytest.fixture
def point(app, client):
    """An enrolled kiosk (in ``client``) at its service point; returns the point's codes."""
    with app.app_context():
        place = make_service_point(db.session)
        _kiosk, code = kiosks.create_kiosk(db.session, None, place, label="Quầy 1")
        db.session.commit()
        info = {"unit": place.unit.code, "point": place.code, "unit_id": place.unit_id}
    data = {"code": code}
    if app.config["WTF_CSRF_ENABLED"]:
        data["csrf_token"] = csrf_token(client, "/kiosk/enrol")
    assert client.post("/kiosk/enrol", data=data).status_code == 302
    return info


def check(client, code: str):
    return client.post("/kiosk/dossier", data={"code": code}, headers={"Accept": "application/json"})


def answer(client, **fields):
    data = kiosk_form(client) | {"q_overall": "4"} | fields
    return client.post("/kiosk", data=data, headers={"Accept": "application/json"})


def stored() -> Response:
    return db.session.scalars(select(Response)).one()


def test_a_code_keyed_in_is_accepted_and_the_answer_carries_its_hmac_never_the_code(app, client, point):
    assert check(client, DOSSIER).get_json() == {"status": "ok"}
    assert answer(client, dossier=" 000.00.28.h10-251123-0042 ").get_json() == {"status": "recorded"}
    with app.app_context():
        response = stored()
        assert response.dossier_hash == dossier_hash(DOSSIER)
        row = {c.name: getattr(response, c.name) for c in Response.__table__.columns}
    assert not any(isinstance(v, str) and "251123" in v for v in row.values()), row


def test_a_used_code_is_told_kindly_and_an_answer_carrying_it_is_still_recorded(app, client, point):
    with app.app_context():
        # Answered first on the phone, from the receipt's QR code.
        make_response(db.session, unit=db.session.get_one(Unit, point["unit_id"]), ratings={"overall": 5},
                      dossier_hash=dossier_hash(DOSSIER))
        db.session.commit()
    told = check(client, DOSSIER.lower())
    assert told.status_code == 409
    assert told.get_json()["status"] == "used"
    assert "đã được đánh giá rồi, cảm ơn" in told.get_json()["message"]
    # Keyed in offline, the code was not checked at its step: the answers are not lost.
    sent = answer(client, dossier=DOSSIER, q_staff__courteous="2")
    assert sent.get_json() == {"status": "recorded", "dossier": "used"}
    with app.app_context():
        rows = db.session.scalars(select(Response).order_by(Response.submitted_at)).all()
        assert len(rows) == 2
        assert [r.dossier_hash for r in rows].count(dossier_hash(DOSSIER)) == 1  # counted once
        assert rows[1].dossier_hash is None
        assert rows[1].overall == 4


@pytest.mark.parametrize("code", ["", "   ", "ab", "mã hồ sơ", "12345<script>", "A" * 61, "x" * 5000,
                                  "https://example.org/s/not-a-token", "\x00\x01", "Đ10-2511"])
def test_a_malformed_code_gets_a_clear_message_and_no_500(app, client, point, code):
    told = check(client, code)
    assert told.status_code == 400
    assert told.get_json()["status"] == "invalid"
    assert "Mã hồ sơ chưa đúng" in told.get_json()["message"]
    # Sent with an answer anyway (an offline tablet): recorded, without a dossier.
    assert answer(client, dossier=code).get_json() == {"status": "recorded"}
    with app.app_context():
        assert stored().dossier_hash is None


def test_the_message_speaks_the_kiosks_language(app, client, point):
    client.get("/kiosk?lang=km")
    assert "លេខកូដឯកសារមិនត្រឹមត្រូវទេ" in check(client, "??").get_json()["message"]


def test_a_receipts_qr_link_gives_its_dossier_and_procedure(app, client, point):
    with app.app_context():
        procedure = make_procedure(db.session, "land")
        db.session.commit()
        ids = (procedure.id, procedure.sector_id)
        token = sign_payload(SurveyPayload(instrument="sipas-full", unit=point["unit"],
                                           service_point=point["point"], procedure=procedure.code,
                                           dossier_hash=dossier_hash(DOSSIER), channel="link"))
        poster = sign_payload(SurveyPayload(instrument="sipas-full", unit=point["unit"]))
    link = f"https://hailong.example.vn/s/{token}?lang=vi"
    assert check(client, link).get_json() == {"status": "ok"}
    assert answer(client, dossier=link).get_json() == {"status": "recorded"}
    with app.app_context():
        response = stored()
        assert response.dossier_hash == dossier_hash(DOSSIER)
        assert (response.procedure_id, response.sector_id) == ids
    # A poster's QR link names no dossier: it is not a receipt.
    assert check(client, f"http://x/s/{poster}").status_code == 400


def test_a_desk_sessions_dossier_wins_over_a_code_keyed_in(app, client, point):
    with app.app_context():
        procedure = make_procedure(db.session, "land")
        _token, secret = tokens.issue_token(db.session, db.session.get_one(Unit, point["unit_id"]),
                                            label="một cửa")
        db.session.commit()
        code = procedure.code
        assert db.session.scalar(select(ServicePoint).filter_by(code=point["point"]))
    opened = client.post(f"/api/v1/desks/{point['point']}/sessions", json={
        "dossier_code": DOSSIER, "procedure_code": code}, headers={"Authorization": f"Bearer {secret}"})
    assert opened.status_code == 201
    key = client.get("/kiosk/session").get_json()["session"]["key"]
    assert answer(client, desk_session=key, dossier="OTHER-0001").get_json() == {"status": "recorded"}
    with app.app_context():
        assert stored().dossier_hash == dossier_hash(DOSSIER)


def test_an_unenrolled_device_cannot_check_a_code(client):
    assert check(client, DOSSIER).status_code == 403


@pytest.mark.usefixtures("csrf")
def test_the_check_needs_the_kiosks_csrf_token(app, client, point):
    assert check(client, DOSSIER).status_code == 400
    token = csrf_token(client, "/kiosk")
    ok = client.post("/kiosk/dossier", data={"code": DOSSIER, "csrf_token": token},
                     headers={"Accept": "application/json"})
    assert ok.get_json() == {"status": "ok"}
