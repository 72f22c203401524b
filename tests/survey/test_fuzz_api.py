"""The JSON API against its own served OpenAPI document (schemathesis): never a 500.

Every operation of ``/api/v1/openapi.json`` gets schema-valid cases (positive) and schema-breaking
cases (negative: wrong types, missing fields, huge values), without a token, with a forged token
and with a real one. Under TESTING an unexpected exception fails the test with the case. The
writes (``/responses``, ``/volumes``) are fuzzed again with the token's own desk and unit, so the
generated bodies reach the write path's rules rather than stopping at "not your desk".
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from sqlalchemy import func, select

from survey.administration import api_tokens as tokens
from survey.collection import instruments
from survey.extensions import db
from survey.models import Answer, Response
from tests.factories import make_service_point
from tests.fuzzing import CASES, EXAMPLES, FUZZ

pytestmark = pytest.mark.slow  # fuzzing: `make test-fast` leaves it out

OPENAPI = "/api/v1/openapi.json"
# Six combinations (two generation modes, three kinds of token) per operation: a third of the
# form tests' examples each keeps the suite quick; bench/fuzz_count.py raises SURVEY_FUZZ_EXAMPLES.
API_FUZZ = settings(FUZZ, max_examples=max(EXAMPLES // 3, 20))


@pytest.fixture
def api_schema(app):
    if app.test_client().get(OPENAPI).status_code != 200:
        pytest.skip(f"{OPENAPI} is not served")
    return schemathesis.openapi.from_wsgi(OPENAPI, app)


@pytest.fixture
def bearer(app) -> str:
    """A real API token for a unit, when the API module offers a way to issue one."""
    try:
        from survey.administration import api_tokens as tokens
    except ImportError:
        return "not-a-real-token"
    from tests.factories import make_unit

    with app.app_context():
        _token, secret = tokens.issue_token(db.session, make_unit(db.session), label="fuzz")
        db.session.commit()
    return str(secret)


def fuzz_operation(operation, mode: GenerationMode, auth: str, headers: dict[str, str]) -> None:
    label = f"API {operation.label} ({mode.value}, {auth} token)"
    writes = operation.method.upper() != "GET"

    @API_FUZZ
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        CASES[label] += 1
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.path, case.query, case.body)
        if auth != "real" and writes:
            assert response.status_code in (400, 401, 403, 404, 405, 413, 415, 422, 429)

    run()


def test_openapi_document_is_valid_and_lists_operations(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations, "the OpenAPI document lists no operation"


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("auth", ["none", "forged", "real"])
def test_every_api_operation_answers_bad_input_without_500(app, api_schema, bearer, mode, auth):
    headers = {"none": {}, "forged": {"Authorization": "Bearer forged-token-0000"},
               "real": {"Authorization": f"Bearer {bearer}"}}[auth]
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Response))
    for result in api_schema.get_all_operations():
        fuzz_operation(result.ok(), mode, auth, headers)
    with app.app_context():
        after = db.session.scalar(select(func.count()).select_from(Response))
    # The real token's unit has no service point: POST /responses refuses every generated body
    # (its shape, or the unknown desk) before the write path, so nothing may have been stored.
    assert after == before


@pytest.fixture
def real_desk(app) -> dict[str, str]:
    """A desk of the token's unit, so generated bodies reach the write path's own rules."""
    with app.app_context():
        point = make_service_point(db.session)
        _token, secret = tokens.issue_token(db.session, point.unit, label="fuzz desk")
        db.session.commit()
        items = instruments.current(db.session, "sipas-short").item_keys
        return {"secret": str(secret), "point": point.code, "unit": point.unit.code,
                "items": list(items)}


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_writes_with_a_real_desk_reach_the_rules_and_never_500(app, api_schema, real_desk, mode):
    """``/responses`` with the token's own desk and instrument and ratings that are sometimes
    right; ``/volumes`` with the token's own unit: whatever is stored keeps the form's rules."""
    headers = {"Authorization": f"Bearer {real_desk['secret']}"}
    ratings = st.dictionaries(st.sampled_from([*real_desk["items"], "no.such"]), st.integers(-1, 7),
                              min_size=1, max_size=4)
    operations = {(r.ok().method.upper(), r.ok().path): r.ok() for r in api_schema.get_all_operations()}
    record, volume = operations["POST", "/responses"], operations["PUT", "/volumes/{unit_code}/{period}"]

    @API_FUZZ
    @given(case=record.as_strategy(generation_mode=mode), real=st.booleans(), given_ratings=ratings)
    def run_record(case, real, given_ratings):
        CASES[f"API {record.label} ({mode.value}, real desk)"] += 1
        if isinstance(case.body, dict):
            # A changed copy: hypothesis replays the drawn body, which must stay as it was drawn
            # (changing it in place made the generation look flaky to hypothesis).
            body = {**case.body, "service_point_code": real_desk["point"]}
            if real:
                body |= {"instrument": "sipas-short", "ratings": given_ratings}
                for name in ("procedure_code", "submitted_at"):
                    body.pop(name, None)
            case.body = body
        response = case.call(headers=headers)
        assert response.status_code < 500, case.body

    @API_FUZZ
    @given(case=volume.as_strategy(generation_mode=mode),
           period=st.sampled_from([None, "2026", "2026-H1", "2026-Q3", "2026-07"]))
    def run_volume(case, period):
        CASES[f"API {volume.label} ({mode.value}, real unit)"] += 1
        case.path_parameters = {**(case.path_parameters or {}), "unit_code": real_desk["unit"]}
        if period:
            case.path_parameters["period"] = period
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.path_parameters, case.body)

    run_record()
    run_volume()
    with app.app_context():
        channels = set(db.session.scalars(select(Response.channel)))
        values = set(db.session.scalars(select(Answer.value)))
        keys = set(db.session.scalars(select(Answer.item_key)))
    assert channels <= {"api"}
    assert values <= {1, 2, 3, 4, 5}
    assert keys <= set(real_desk["items"])
