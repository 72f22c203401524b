"""What the fuzz tests share: Hypothesis settings, strategies for odd input, and the checks that a
rejected request stored nothing.

The number of examples is ``SURVEY_FUZZ_EXAMPLES`` (default 120 per test); ``bench/fuzz_count.py``
runs the fuzz tests with more examples and reads the cases they tried from ``CASES``, which
``tests/conftest.py`` writes to ``SURVEY_FUZZ_REPORT`` after each module.
"""

from __future__ import annotations

import os
import re
from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from survey.collection.responses import IDEMPOTENCY_KEY
from survey.extensions import db
from survey.models import Response

EXAMPLES = int(os.environ.get("SURVEY_FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)
CASES: Counter[str] = Counter()


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


# A URL rule's placeholder such as <int:kiosk_id>, replaced by odd segments.
PLACEHOLDER = re.compile(r"<(?:[^:<>]+:)?[^<>]+>")
