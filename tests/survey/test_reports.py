"""Reports: XLSX contents, the report and volumes commands, and agreement with the analysis CLI."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from analysis.proportions import proportion
from survey import demo
from survey.extensions import db
from survey.models import DossierVolume
from tests import factories
from tests.helpers import ROOT, answer, make_app, many, reset_database, scratch_database_url, target


@pytest.fixture
def ward(app: Flask) -> str:
    with app.app_context():
        unit = factories.make_unit(db.session, code="WARD-X", name="Phường X")
        target(db.session, threshold=0.9)
        many(db.session, unit, 45, 5)
        answer(db.session, unit, {"overall": 4, "staff.courteous": 5})
        db.session.commit()
    return "WARD-X"


def test_xlsx_opens_and_holds_the_expected_numbers(client: FlaskClient, login, ward: str) -> None:
    login(role="admin")
    response = client.get(f"/unit/report.xlsx?unit={ward}&period=2026-Q2")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Tóm tắt", "Đơn vị", "Thành phần", "Từng câu hỏi", "Nhóm lĩnh vực",
                               "Theo thủ tục", "Theo lĩnh vực", "Theo kênh", "Điều chưa tốt",
                               "Phương pháp"]
    rows = list(book["Đơn vị"].iter_rows(values_only=True))
    expected = proportion(46, 51)
    assert rows[1][:7] == ("WARD-X", "Phường X", 51, 51, expected.value, expected.ci_low,
                           expected.ci_high)
    assert rows[1][7:9] == (0.9, "Chưa kết luận được")
    components = list(book["Thành phần"].iter_rows(values_only=True))
    assert components[1][4] == pytest.approx(46 / 51)  # staff: 45 + 1 satisfied of 51 answers
    items = {r[3]: r for r in book["Từng câu hỏi"].iter_rows(min_row=2, values_only=True)}
    courteous = items["Thái độ cán bộ"]
    want = proportion(46, 51)
    assert courteous[2] == "Công chức phục vụ"
    assert courteous[4:] == (51, want.value, want.ci_low, want.ci_high)
    assert items["Chỗ ngồi chờ"][4:6] == (50, proportion(45, 50).value)
    assert "Wilson" in " ".join(str(r[0]) for r in book["Phương pháp"].iter_rows(values_only=True))
    start, generated = book["Tóm tắt"]["B3"], book["Tóm tắt"]["B6"]
    assert start.is_date, "a date, not text"
    assert start.number_format == "dd/mm/yyyy"
    assert generated.is_date


def test_the_csv_for_excel_has_a_bom_vietnamese_headers_and_decimal_commas(client: FlaskClient, login,
                                                                          ward: str) -> None:
    login(role="admin")
    plain = client.get(f"/unit/report.csv?unit={ward}&period=2026-Q2").data
    assert not plain.startswith(b"\xef\xbb\xbf"), "the SPEC CSV for programs is unchanged"
    body = client.get(f"/unit/report.csv?unit={ward}&period=2026-Q2&dang=excel").data
    assert body.startswith(b"\xef\xbb\xbf"), "Excel reads UTF-8 only after a BOM"
    header, row = body.decode("utf-8-sig").splitlines()[:2]
    assert header.startswith("Mã đơn vị;Đơn vị;Kỳ;Số phiếu")
    fields = row.split(";")
    expected = proportion(46, 51)
    assert fields[:3] == ["WARD-X", "Phường X", "2026-Q2"]
    assert fields[5] == f"{expected.value * 100:.1f}".replace(".", ",")
    assert fields[-1] == "Chưa kết luận được"


def test_report_command_prints_json_and_csv(runner, ward: str, tmp_path: Path) -> None:
    result = runner.invoke(args=["report", "--period", "2026-Q2", "--unit", ward])
    assert result.exit_code == 0, result.output
    group = json.loads(result.output)["groups"][0]
    assert group["n"] == 51
    assert group["satisfaction"]["estimate"] == proportion(46, 51).value
    assert group["verdict"]["status"] == "inconclusive"
    csv_out = runner.invoke(args=["report", "--period", "2026-Q2", "--unit", ward, "--format", "csv"])
    assert csv_out.output.splitlines()[1].startswith("WARD-X,Phường X,2026-Q2,51,51,")
    target_file = tmp_path / "r.xlsx"
    done = runner.invoke(args=["report", "--period", "2026-Q2", "--unit", ward, "--format", "xlsx",
                               "--output", str(target_file)])
    assert done.exit_code == 0
    assert load_workbook(target_file)["Đơn vị"]["A2"].value == "WARD-X"
    bad = runner.invoke(args=["report", "--period", "2026-Q7"])
    assert bad.exit_code == 2


def test_volumes_import_command_names_the_bad_row(runner, ward: str, tmp_path: Path) -> None:
    good = tmp_path / "v.csv"
    good.write_text("unit_code,period,dossiers,dossiers_unsatisfied\nWARD-X,2026-Q2,1200,12\n")
    result = runner.invoke(args=["volumes", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert db.session.query(DossierVolume).one().dossiers == 1200
    bad = tmp_path / "bad.csv"
    bad.write_text("unit_code,period,dossiers\nWARD-X,2026-Q2,many\n")
    result = runner.invoke(args=["volumes", "import", str(bad)])
    assert result.exit_code == 1
    assert "dòng 2, cột dossiers" in result.output


# --- Consistency with `python -m analysis indices` (SPEC §5) on the exported responses ---------

def _close(mine: Any, theirs: Any, where: str) -> None:
    if isinstance(mine, dict) and isinstance(theirs, dict):
        for key in theirs:
            _close(mine.get(key), theirs[key], f"{where}.{key}")
    elif isinstance(theirs, float) and isinstance(mine, float):
        assert mine == pytest.approx(theirs, abs=1e-9), where
    else:
        assert mine == theirs, where


def _analysis(csv_path: Path, *extra: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "indices", str(csv_path), "--period", "quarter",
         "--format", "json", *extra], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    groups: list[dict[str, Any]] = json.loads(done.stdout)["groups"]
    return groups


def _compare(mine: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert mine["n"] == theirs["n"]
    for part in ("satisfaction", "components", "sipas", "verdict"):
        _close(mine.get(part), theirs.get(part), f"{mine['by']['unit_code']}.{part}")


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    app = make_app(scratch_database_url(tmp_path_factory, "reports"))
    reset_database(app)
    with app.app_context():
        demo.seed(db.session, responses=2000)
        parent = factories.make_unit(db.session, code="CRAFT", level="department",
                                     name="Sở thử")
        child = factories.make_unit(db.session, code="CRAFT-1", parent=parent)
        many(db.session, parent, 40, 9)
        many(db.session, child, 20, 1)
        answer(db.session, child, {"overall": 3, "access.place": 5, "feedback.easy": 1})
        answer(db.session, parent, {"overall": 5, "staff.courteous": 2}, excluded=True)
        db.session.commit()
        db.session.remove()
    return app


def _export(app: Flask, tmp: Path, start: str, end: str, unit: str | None = None) -> Path:
    path = tmp / f"export-{unit or 'all'}-{start}.csv"
    args = ["responses", "export", "--from", start, "--to", end, "--output", str(path)]
    result = app.test_cli_runner().invoke(args=[*args, *(["--unit", unit] if unit else [])])
    assert result.exit_code == 0, result.output
    return path


def _report(app: Flask, period: str, unit: str | None = None) -> dict[str, dict[str, Any]]:
    args = ["report", "--period", period, *(["--unit", unit] if unit else [])]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    return {g["by"]["unit_code"]: g for g in json.loads(result.output)["groups"]}


def test_report_equals_analysis_cli_on_crafted_data(committed: Flask, tmp_path: Path) -> None:
    mine = _report(committed, "2026-Q2", "CRAFT")
    exported = _export(committed, tmp_path, "2026-04-01", "2026-06-30", "CRAFT")
    whole = _analysis(exported, "--target", "0.95", "--operator", ">=")
    assert len(whole) == 1
    _compare(mine["CRAFT"], whole[0])
    by_unit = {g["by"]["unit_code"]: g for g in _analysis(exported, "--by", "unit_code",
                                                          "--target", "0.95", "--operator", ">=")}
    _compare(mine["CRAFT-1"], by_unit["CRAFT-1"])


def test_report_equals_analysis_cli_on_the_demo(committed: Flask, tmp_path: Path) -> None:
    mine = _report(committed, "2026-Q3")
    exported = _export(committed, tmp_path, "2026-07-01", "2026-09-30")
    by_unit = {g["by"]["unit_code"]: g for g in _analysis(exported, "--by", "unit_code",
                                                          "--target", "0.95", "--operator", ">=")}
    leaves = [code for code in mine if code in by_unit and code != "CT"]
    assert len(leaves) >= 15
    for code in leaves:
        _compare(mine[code], by_unit[code])
    city = _analysis(_export(committed, tmp_path, "2026-07-01", "2026-09-30", "CT"),
                     "--target", "0.95", "--operator", ">=")
    _compare(mine["CT"], city[0])
