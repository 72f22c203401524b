"""Bad input on every staff POST route (administration, unit pages, imports): never a 500.

As an administrator, a unit manager and a unit viewer, hypothesis posts odd forms and odd uploaded
files (broken UTF-8, wrong columns, huge numbers) to every POST route of the URL map outside the
citizens' pages and the API (fuzzed in test_fuzz_forms.py and test_fuzz_api.py), with odd values in
the path placeholders. CSRF is off here (test_fuzz_csrf.py covers it), so the forms reach the views.
"""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.extensions import db
from tests.factories import make_user
from tests.fuzzing import CASES, FUZZ, PLACEHOLDER, odd_segments, odd_values

pytestmark = pytest.mark.slow  # fuzzing: `make test-fast` leaves it out

FIELDS = ["code", "name", "email", "password", "role", "unit", "unit_code", "label", "instrument",
          "period", "threshold", "operator", "service_point", "dossiers", "q_overall", "idempotency_key",
          "valid_from", "valid_to", "parent", "level", "kind", "sector", "jurisdiction", "object",
          "sector_group", "procedure", "successor", "active", "count", "definition"]
files = st.tuples(
    st.one_of(st.binary(max_size=300),
              st.sampled_from([b"unit_code,period,dossiers\nX,2026-Q9,-1\n", b"\xff\xfe\x00",
                               b"unit_code,period,dossiers\n" + b"U1,2026-Q3,99999999999999999999\n",
                               b"a,b\n1\n1,2,3\n", b'"unterminated\n'])),
    st.sampled_from(["volumes.csv", "x.xlsx", "", "../../etc/passwd"]),
)


def staff_post_rules(app) -> list[str]:
    citizen = ("/s/", "/kiosk", "/login", "/logout", "/api/")
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "POST" in (rule.methods or ()) and not rule.rule.startswith(citizen))


@pytest.fixture(params=["admin", "unit_manager", "unit_viewer"])
def staff(request, app):
    client = app.test_client()
    with app.app_context():
        user = make_user(db.session, role=request.param)
        db.session.commit()
        user_id = user.id
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return request.param, client


@FUZZ
@given(data=st.data())
def test_every_staff_post_route_survives_odd_forms_and_files(app, staff, data):
    role, client = staff
    rule = data.draw(st.sampled_from(staff_post_rules(app)))
    ids = st.one_of(odd_segments, st.integers(0, 40).map(str))
    path = PLACEHOLDER.sub(lambda _m: quote(data.draw(ids), safe="") or "1", rule)
    form: dict[str, object] = data.draw(st.dictionaries(
        st.one_of(st.sampled_from(FIELDS), st.text(max_size=8)), odd_values, max_size=6))
    if data.draw(st.booleans()):
        raw, name = data.draw(files)
        form["file"] = (io.BytesIO(raw), name)
    CASES[f"POST staff routes ({role})"] += 1
    response = client.post(path, data=form)
    assert response.status_code < 500, (role, path)
