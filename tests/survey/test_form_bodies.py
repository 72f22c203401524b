"""A page's form posted as a JSON body that is not an object is refused with 400, never a 500."""

from __future__ import annotations

import pytest

from survey.collection.signing import SurveyPayload, sign_payload
from survey.extensions import db
from tests import factories


@pytest.mark.parametrize("body", ["0", "[1, 2]", '"text"', "true"])
@pytest.mark.parametrize("path", ["/login", "/kiosk/enrol", "survey"])
def test_a_json_body_that_is_not_an_object_is_a_400(app, client, body, path):
    if path == "survey":
        with app.app_context():
            point = factories.make_service_point(db.session)
            path = f"/s/{sign_payload(SurveyPayload('sipas-full', point.unit.code, point.code))}"
            db.session.commit()
    assert client.post(path, data=body, content_type="application/json").status_code == 400
    assert client.post(path, data="{}", content_type="application/json").status_code < 500
