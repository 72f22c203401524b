"""Paper questionnaires keyed in by staff: channel ``paper``, digits 1–5, skipped items left empty."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.extensions import db
from survey.models import AuditEntry, Response
from tests.factories import make_service_point
from tests.helpers import login_as


def _form(client, point_id: int) -> dict[str, str]:
    html = client.get(f"/admin/paper?service_point={point_id}&instrument=sipas-short").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', html).group(1)
    return {
        "service_point": str(point_id),
        "instrument": "sipas-short",
        "day": "2026-07-02",
        "idempotency_key": key,
        "respondent_type": "citizen",
        "procedure": "",
    }


def _desk_of_a_logged_in_manager(app, client) -> int:
    """A new service point, with a manager of its unit logged in; returns the point's id."""
    with app.app_context():
        point = make_service_point(db.session)
        db.session.commit()
        point_id, unit_id = point.id, point.unit_id
    login_as(app, client, "unit_manager", unit_id)
    return point_id


def test_a_paper_form_is_saved_with_channel_paper_and_a_resend_is_not_counted_twice(app, client):
    point_id = _desk_of_a_logged_in_manager(app, client)
    data = {**_form(client, point_id), "q.overall": "4", "q.staff.courteous": "5", "q.access.easy": ""}
    first = client.post("/admin/paper", data=data)
    assert first.status_code == 303
    assert f"service_point={point_id}" in first.headers["Location"]  # ready for the next form, same desk
    assert client.post("/admin/paper", data=data).status_code == 303
    with app.app_context():
        rows = db.session.scalars(select(Response).filter_by(service_point_id=point_id)).all()
        assert len(rows) == 1
        assert rows[0].channel == "paper"
        assert {a.item_key: a.value for a in rows[0].answers} == {"overall": 4, "staff.courteous": 5}
        [entry] = db.session.scalars(select(AuditEntry).filter_by(action="response.paper")).all()
        assert entry.user_id is not None, "the keying in is the manager's, once, resend not counted"
        assert entry.after == {"unit_id": rows[0].unit_id, "channel": "paper", "submitted_at": "2026-07-02"}
        assert "overall" not in str(entry.after), "the audit says who typed a form in, never the ratings"


def test_a_digit_outside_1_to_5_is_refused_and_nothing_is_stored(app, client):
    point_id = _desk_of_a_logged_in_manager(app, client)
    response = client.post("/admin/paper", data={**_form(client, point_id), "q.overall": "6"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Response.id).filter_by(service_point_id=point_id)) is None


def test_the_entry_form_is_in_keyboard_order_with_the_first_item_focused(app, client):
    point_id = _desk_of_a_logged_in_manager(app, client)
    html = client.get(f"/admin/paper?service_point={point_id}&instrument=sipas-short").get_data(as_text=True)
    items = re.findall(r'<input id="q-(\d+)" name="q\.([\w.]+)" inputmode="numeric" pattern="\[1-5\]"', html)
    assert [int(n) for n, _key in items] == list(range(1, len(items) + 1))
    assert items[0][1] == "overall"
    assert "tabindex" not in html  # document order is the tab order
    assert re.search(r'id="q-1"[^>]*autofocus', html)
