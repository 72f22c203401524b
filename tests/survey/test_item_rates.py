"""Every item's rate where components are shown (SPEC §4), hidden like any small cell."""

from __future__ import annotations

from flask.testing import FlaskClient

from analysis import proportion
from survey.extensions import db
from survey.formatting import pct
from survey.models import Unit
from tests import factories
from tests.helpers import answer, many


def test_the_dashboard_lists_each_item_under_its_component(app, client: FlaskClient, login) -> None:
    with app.app_context():
        unit = factories.make_unit(db.session)
        many(db.session, unit, 40, 10)
        for _i in range(5):
            answer(db.session, unit, {"overall": 4, "staff.courteous": 5})
        db.session.commit()
        login(role="unit_manager", unit=db.session.get_one(Unit, unit.id))
    page = client.get("/unit/?period=2026-Q2").get_data(as_text=True)
    section = page[page.index('id="h-components"'):page.index('id="h-trend"')]
    staff = section[section.index("Công chức phục vụ"):]
    assert "Thái độ cán bộ" in staff
    with app.test_request_context():
        assert pct(proportion(45, 55).value) in staff[:staff.index("Kết quả giải quyết")]
    assert "staff.courteous" not in page


def test_an_item_with_few_answers_is_hidden_below_administrators(app, client: FlaskClient,
                                                                  login) -> None:
    with app.app_context():
        unit = factories.make_unit(db.session)
        for _i in range(40):
            answer(db.session, unit, {"overall": 5, "staff.courteous": 5})
        for _i in range(3):
            answer(db.session, unit, {"overall": 5, "feedback.easy": 1})
        db.session.commit()
        login(role="unit_manager", unit=db.session.get_one(Unit, unit.id))
    page = client.get("/unit/?period=2026-Q2").get_data(as_text=True)
    section = page[page.index('id="h-components"'):page.index('id="h-trend"')]
    feedback = section[section.index("Tiếp nhận, xử lý góp ý"):]
    assert feedback.count("ẩn: ít hơn 30 câu trả lời") == 2  # the component and its item


def test_the_printable_report_lists_the_units_items(app, client: FlaskClient, login) -> None:
    with app.app_context():
        unit = factories.make_unit(db.session, code="PRINT-1")
        many(db.session, unit, 40, 10)
        db.session.commit()
        login(role="unit_manager", unit=db.session.get_one(Unit, unit.id))
    page = client.get("/unit/report/print?unit=PRINT-1&period=2026-Q2").get_data(as_text=True)
    section = page[page.index('id="r-items"'):page.index('id="r-method"')]
    assert "Thái độ cán bộ" in section
    with app.test_request_context():
        assert pct(proportion(40, 50).value) in section
