"""The JSON API against its own served OpenAPI document (schemathesis): never a 500.

Every operation of ``/api/v1/openapi.json`` gets schema-valid cases (positive) and schema-breaking
cases (negative: wrong types, missing fields, huge values), without a token, with a forged token
and with a real one. Under TESTING an unexpected exception fails the test with the case.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import given, settings
from schemathesis import GenerationMode
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Response
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
    assert after == before  # the API issues links; it never stores a response itself
