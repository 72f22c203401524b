"""The XLSX's sheets by procedure, sector, channel and "what went wrong": Vietnamese headers and
words, numbers as numbers, dates as dates, and the dashboards' ``min_n`` rule for unit roles."""

from __future__ import annotations

import io
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from analysis.proportions import proportion
from survey import labels
from survey.extensions import db
from survey.models import Unit
from tests import factories
from tests.helpers import answer, many, target


@pytest.fixture
def ward(app: Flask) -> int:
    """40 kiosk answers for one land procedure, 3 paper answers for a civil-status one."""
    with app.app_context():
        unit = factories.make_unit(db.session, code="WARD-S", name="Phường Sông")
        land = factories.make_procedure(db.session, "land", name="Cấp giấy chứng nhận đất")
        civil = factories.make_procedure(db.session, "civil_status", name="Đăng ký khai sinh")
        many(db.session, unit, 36, 4, procedure=land)
        for _i in range(3):
            answer(db.session, unit, {"overall": 2}, procedure=civil, channel="paper",
                   problems=("wait_long",))
        db.session.commit()
        return unit.id


def sheet(book, name: str) -> list[tuple]:
    return list(book[name].iter_rows(values_only=True))


def test_admin_gets_every_breakdown_with_vietnamese_words_numbers_and_dates(
        client: FlaskClient, login, ward: int) -> None:
    login(role="admin")
    book = load_workbook(io.BytesIO(client.get("/unit/report.xlsx?unit=WARD-S&period=2026-Q2").data))
    procedures = sheet(book, "Theo thủ tục")
    assert procedures[0] == ("Từ ngày", "Đến ngày", "Thủ tục hành chính", "Số phiếu",
                             "Số câu trả lời", "Tỷ lệ hài lòng", "Cận dưới", "Cận trên")
    land = next(r for r in procedures[1:] if r[2].endswith("Cấp giấy chứng nhận đất"))
    want = proportion(36, 40)
    assert land[3:] == (40, 40, want.value, want.ci_low, want.ci_high)
    first = book["Theo thủ tục"]["A2"]
    assert first.is_date, "a date, not text"
    assert first.number_format == "dd/mm/yyyy"
    assert first.value.date() == date(2026, 4, 1)
    assert book["Theo thủ tục"]["F2"].number_format == "0.0%"
    channels = {r[2]: r[3] for r in sheet(book, "Theo kênh")[1:]}
    assert channels == {"Máy đánh giá tại quầy": 40, "Phiếu giấy": 3}
    sectors = [r[2] for r in sheet(book, "Theo lĩnh vực")[1:]]
    assert len(sectors) == 2
    problems = sheet(book, "Điều chưa tốt")
    assert problems[0][2:] == ("Điều người dân nêu là chưa tốt", "Số phiếu chọn")
    assert problems[1][2:] == ("Phải chờ lâu", 3)


def test_a_unit_role_gets_small_rows_folded_and_no_figure_below_min_n(
        client: FlaskClient, login, ward: int) -> None:
    login(role="unit_manager", unit=db.session.get_one(Unit, ward))
    book = load_workbook(io.BytesIO(client.get("/unit/report.xlsx?unit=WARD-S&period=2026-Q2").data))
    channels = sheet(book, "Theo kênh")[1:]
    names = [r[2] for r in channels]
    assert "Phiếu giấy" not in names, "3 paper answers would be had by subtraction"
    folded = next(r for r in channels if r[2].startswith("Các nhóm khác"))
    # The 3 paper answers alone are below min_n, so the kiosk row is folded in with them.
    assert folded[4] == 43
    assert all(r[5] is None or r[4] >= 30 for r in channels)
    for name in ("Theo thủ tục", "Theo lĩnh vực"):
        assert all(r[5] is None or r[4] >= 30 for r in sheet(book, name)[1:]), name
    assert [r[2] for r in sheet(book, "Điều chưa tốt")[1:]] == ["Phải chờ lâu"]


def test_the_dashboard_names_each_channel_as_the_workbook_does(
        client: FlaskClient, login, ward: int) -> None:
    login(role="admin")
    page = client.get("/unit/?unit=WARD-S&period=2026-Q2").get_data(as_text=True)
    section = page[page.index('id="h-channel"'):]
    section = section[:section.index("</section>")]
    book = load_workbook(io.BytesIO(client.get("/unit/report.xlsx?unit=WARD-S&period=2026-Q2").data))
    for name in (r[2] for r in sheet(book, "Theo kênh")[1:]):
        assert f">{name}<" in section, name


def test_the_summary_names_a_target_in_words(app: Flask, client: FlaskClient, login, ward: int) -> None:
    with app.app_context():
        target(db.session, code="CT-2030-ADM", threshold=0.9)
        db.session.commit()
    login(role="admin")
    book = load_workbook(io.BytesIO(client.get("/unit/report.xlsx?unit=WARD-S&period=2026-Q2").data))
    [row] = [r for r in sheet(book, "Tóm tắt") if str(r[0]).startswith("Chỉ tiêu")]
    assert row[0] == "Chỉ tiêu: " + str(labels.label("agency_service", "target_object")) + " (CT-2030-ADM)"
    assert row[2] == "≥"
