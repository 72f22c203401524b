"""Bad input on every public route: no 500, and nothing stored from a rejected request.

Hypothesis generates form posts (wrong types, huge values, unknown fields and ids, broken UTF-8 as
raw bytes, odd content types) to every public POST route, and odd paths and query strings to every
GET route of the URL map, as an anonymous visitor and as an administrator. Under TESTING the app
re-raises unexpected exceptions, so a would-be 500 fails the test with the smallest example.

The number of examples is ``SURVEY_FUZZ_EXAMPLES`` (default 120 per test); ``bench/fuzz_count.py``
runs these tests with more examples and prints the number of cases tried.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey.collection import kiosks
from survey.collection.signing import SurveyPayload, dossier_hash, sign_payload
from survey.extensions import db
from survey.models import Kiosk
from tests.factories import make_procedure, make_qr_code, make_service_point, make_user
from tests.fuzzing import (
    CASES,
    FUZZ,
    PLACEHOLDER,
    assert_clean,
    content_types,
    odd_segments,
    odd_values,
    raw_bodies,
    stored_after,
    survey_forms,
)

pytestmark = pytest.mark.slow  # fuzzing: `make test-fast` leaves it out

# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def tokens(app) -> dict[str, str]:
    """Signed tokens: a poster, a receipt, a revoked poster, and codes naming things that do not exist."""
    with app.app_context():
        point = make_service_point(db.session)
        procedure = make_procedure(db.session, "land")
        revoked = make_qr_code(db.session, point)
        revoked.revoked_at = revoked.created_at
        unit, code = point.unit.code, point.code
        payloads = {
            "poster": SurveyPayload("sipas-full", unit, code, procedure.code),
            "receipt": SurveyPayload("sipas-full", unit, code, dossier_hash=dossier_hash("HS-1"),
                                     channel="link"),
            "revoked": SurveyPayload("sipas-full", unit, code, qr_id=revoked.id),
            "unknown_qr": SurveyPayload("sipas-full", unit, qr_id=2_000_000_000),
            "unknown_unit": SurveyPayload("sipas-full", "NO-SUCH-UNIT"),
            "unknown_point": SurveyPayload("sipas-full", unit, "NO-SUCH-POINT"),
            "unknown_instrument": SurveyPayload("no-such-survey", unit),
            "short": SurveyPayload("sipas-short", unit, code),
        }
        db.session.commit()
        signed = {name: sign_payload(payload) for name, payload in payloads.items()}
    signed["tampered"] = signed["poster"][:-3] + "AAA"
    return signed


@pytest.fixture
def kiosk_client(app):
    """A test client holding the device secret of an enrolled kiosk."""
    client = app.test_client()
    with app.app_context():
        _kiosk, code = kiosks.create_kiosk(db.session, None, make_service_point(db.session), label="Quầy")
        db.session.commit()
    assert client.post("/kiosk/enrol", data={"code": code}).status_code == 302
    return client


# --- POST routes -----------------------------------------------------------------------------


@FUZZ
@given(which=st.sampled_from(["poster", "receipt", "revoked", "unknown_qr", "unknown_unit",
                              "unknown_point", "unknown_instrument", "short", "tampered"]),
       form=survey_forms)
def test_phone_survey_rejects_bad_forms_without_storing(app, client, tokens, which, form):
    CASES["POST /s/<token> form"] += 1
    status, added = stored_after(app, lambda: client.post(f"/s/{tokens[which]}", data=form))
    assert_clean(status, added, accepted={303})
    if which not in ("poster", "receipt", "short"):
        assert status in (400, 404, 410)


@FUZZ
@given(token=odd_segments, body=raw_bodies, content_type=content_types)
def test_phone_survey_survives_raw_bytes_and_odd_tokens(app, client, tokens, token, body, content_type):
    CASES["POST /s/<token> raw bytes"] += 1
    target = tokens["poster"] if token == "" else quote(token, safe="")
    status, added = stored_after(
        app, lambda: client.post(f"/s/{target}", data=body, content_type=content_type)
    )
    assert_clean(status, added, accepted={303})


@FUZZ
@given(form=survey_forms, json_reply=st.booleans())
def test_kiosk_rejects_bad_forms_without_storing(app, kiosk_client, form, json_reply):
    CASES["POST /kiosk form"] += 1
    headers = {"Accept": "application/json"} if json_reply else {}
    status, added = stored_after(app, lambda: kiosk_client.post("/kiosk", data=form, headers=headers))
    assert_clean(status, added, accepted={200, 303} if json_reply else {303})


@FUZZ
@given(body=raw_bodies, content_type=content_types, cookie=st.one_of(st.none(), st.text(max_size=120)))
def test_kiosk_survives_raw_bytes_and_forged_device_cookies(app, kiosk_client, body, content_type, cookie):
    CASES["POST /kiosk raw bytes, cookies"] += 1
    if cookie is not None:
        kiosk_client.set_cookie(kiosks.COOKIE, cookie)
    status, added = stored_after(
        app, lambda: kiosk_client.post("/kiosk", data=body, content_type=content_type)
    )
    assert_clean(status, added, accepted={200, 303})


@FUZZ
@given(form=st.dictionaries(st.sampled_from(["email", "password", "code", "csrf_token", "next"]),
                            odd_values, max_size=4),
       path=st.sampled_from(["/login", "/login?next=//evil.example", "/logout", "/kiosk/enrol"]),
       body=st.one_of(st.none(), raw_bodies))
def test_login_logout_and_enrolment_survive_bad_forms(app, client, form, path, body):
    CASES["POST /login, /logout, /kiosk/enrol"] += 1
    with app.app_context():
        enrolled_before = db.session.scalar(select(func.count()).where(Kiosk.enrolled_at.is_not(None)))
    if body is None:
        response = client.post(path, data=form)
    else:
        response = client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500
    location = response.headers.get("Location", "")
    assert "evil.example" not in location
    with app.app_context():
        enrolled = db.session.scalar(select(func.count()).where(Kiosk.enrolled_at.is_not(None)))
    assert enrolled == enrolled_before


# --- GET routes ------------------------------------------------------------------------------



def get_rules(app) -> list[str]:
    return sorted(
        rule.rule for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and rule.endpoint != "static"
    )


@pytest.fixture
def admin_client(app, client, login):
    login(role="admin")
    return client


@pytest.fixture
def manager_client(app, login):
    other = app.test_client()
    with app.app_context():
        user = make_user(db.session, role="unit_manager")
        db.session.commit()
        user_id = user.id
    with other.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return other


@FUZZ
@given(data=st.data())
def test_every_get_route_survives_odd_paths_and_queries(app, client, admin_client, manager_client, data):
    """Every GET route, its placeholders filled with odd text, with odd query strings, as three roles."""
    who = data.draw(st.sampled_from(["anonymous", "admin", "manager"]))
    visitor = {"anonymous": app.test_client(), "admin": admin_client, "manager": manager_client}[who]
    rule = data.draw(st.sampled_from(get_rules(app)))
    path = PLACEHOLDER.sub(lambda _m: quote(data.draw(odd_segments), safe="") or "x", rule)
    query = data.draw(st.one_of(
        st.just(""),
        st.dictionaries(st.text(max_size=10), odd_values, max_size=4).map(
            lambda q: "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in q.items())),
        st.sampled_from(["%ff%fe=%c0", "page=-1", "page=99999999999999999999", "period=2026-Q9",
                         "from=2026-13-45&to=x", "unit=0", "format=xml", "expired=1", "result=<b>"]),
    ))
    CASES[f"GET every route ({who})"] += 1
    response = visitor.get(f"{path}?{query}" if query else path)
    assert response.status_code < 500, (path, query, who)


def test_ids_beyond_the_database_integer_range_are_not_found(app, admin_client):
    """Found by the fuzzer on PostgreSQL: ``/admin/points/2147483648`` was a 500 (integer out of range)."""
    routes = [rule for rule in get_rules(app) if "<int:" in rule]
    assert routes
    for rule in routes:
        path = PLACEHOLDER.sub(str(2**31), rule)
        assert admin_client.get(path).status_code == 404, path


def test_a_nul_byte_in_a_form_is_a_400_not_a_500(client):
    """PostgreSQL refuses NUL in text; SQLite stores it. Either way the answer is a clean 400 or 401."""
    page = client.post("/login", data={"email": "\x00", "password": "x"})
    assert page.status_code in (400, 401)
