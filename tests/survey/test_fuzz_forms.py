"""Bad input on every public route: no 500, and nothing stored from a rejected request.

Hypothesis generates form posts (wrong types, huge values, unknown fields and ids, broken UTF-8 as
raw bytes, odd content types) to every public POST route, and odd paths and query strings to every
GET route of the URL map, as an anonymous visitor and as an administrator. Under TESTING the app
re-raises unexpected exceptions, so a would-be 500 fails the test with the smallest example.

The number of examples is ``SURVEY_FUZZ_EXAMPLES`` (default 120 per test); ``bench/fuzz_count.py``
runs these tests with more examples and prints the number of cases tried.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey.collection import kiosks
from survey.collection.responses import IDEMPOTENCY_KEY
from survey.collection.signing import SurveyPayload, dossier_hash, sign_payload
from survey.extensions import db
from survey.models import Kiosk, Response
from tests.factories import make_procedure, make_qr_code, make_service_point, make_user

EXAMPLES = int(os.environ.get("SURVEY_FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
CASES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_cases() -> Iterator[None]:
    """Append the number of cases tried to ``SURVEY_FUZZ_REPORT`` (read by bench/fuzz_count.py)."""
    yield
    path = os.environ.get("SURVEY_FUZZ_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as report:
            for name, count in sorted(CASES.items()):
                report.write(f"{name}\t{count}\n")
    CASES.clear()  # each module reports its own cases


# --- strategies ------------------------------------------------------------------------------

SURVEY_FIELDS = [
    "idempotency_key", "q_overall", "q_access__place", "q_procedure__as_posted", "q_staff__courteous",
    "q_result__as_promised", "q_feedback__easy", "comment", "respondent_type", "problems",
    "csrf_token",
]
odd_values = st.one_of(
    st.text(max_size=40),
    st.integers().map(str),
    st.floats(allow_nan=True).map(str),
    st.sampled_from(["0", "6", "-1", "4.5", "1e9", "5 ", " 5", "５", "٥", "true", "null", "[]", "{}",
                     "9" * 400, "%00", "\x00", "citizen", "organisation", "rude", "x" * 2100]),
)
keys = st.from_regex(IDEMPOTENCY_KEY, fullmatch=True)
ratings = st.sampled_from(["1", "2", "3", "4", "5"])
survey_forms = st.one_of(
    # Plausible forms, so that the storing path is exercised too.
    st.fixed_dictionaries(
        {"idempotency_key": keys, "q_overall": ratings},
        optional={name: st.one_of(ratings, odd_values) for name in SURVEY_FIELDS[2:]},
    ),
    # Anything at all.
    st.dictionaries(
        st.one_of(st.sampled_from(SURVEY_FIELDS), st.text(max_size=12)),
        st.one_of(odd_values, st.lists(odd_values, max_size=3)),
        max_size=8,
    ),
)
raw_bodies = st.one_of(st.binary(max_size=300), st.just(b"q_overall=%ff%fe&idempotency_key=\xff\xfe" * 3))
content_types = st.sampled_from([
    "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=latin-1",
    "multipart/form-data", "multipart/form-data; boundary=x", "application/json", "text/plain", "",
    "application/x-www-form-urlencoded; charset=\xff",
])
odd_segments = st.one_of(
    st.text(max_size=30), st.integers().map(str), st.sampled_from(["0", "-1", "9" * 30, "..", "%", "\x00"])
)


def count_responses() -> int:
    return db.session.scalar(select(func.count()).select_from(Response)) or 0


def stored_after(app, post) -> tuple[int, int]:
    """(status, responses added) for one request made by ``post()``."""
    with app.app_context():
        before = count_responses()
    status = post().status_code
    with app.app_context():
        return status, count_responses() - before


def assert_clean(status: int, added: int, *, accepted: set[int]) -> None:
    assert status < 500
    if status not in accepted:
        assert added == 0, f"a rejected request ({status}) stored {added} response(s)"
    assert added in (0, 1)


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

PLACEHOLDER = re.compile(r"<(?:[^:<>]+:)?[^<>]+>")


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
