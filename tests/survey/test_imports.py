"""CSV imports: the procedure catalogue and SPEC §3 responses are idempotent, all-or-nothing, and name
the row and column of every bad value."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from survey.administration import procedures as catalogue
from survey.collection import importing
from survey.csvfiles import ImportFailed
from survey.extensions import db
from survey.models import Answer, Procedure, Response
from tests.factories import make_procedure, make_service_point, make_unit
from tests.helpers import login_as

CATALOGUE = """code,name,sector_code,level,unit_code
7.000001,Đăng ký khai sinh,civil_status,commune,
7.000002,Cấp giấy phép xây dựng,construction,department,{unit}
"""


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_the_catalogue_import_adds_then_reports_nothing_changed_then_updates_a_name(app_context):
    unit = make_unit(db.session)
    text = CATALOGUE.format(unit=unit.code)
    first = catalogue.import_procedures(db.session, None, io.StringIO(text))
    assert first.added == ["7.000001", "7.000002"]
    again = catalogue.import_procedures(db.session, None, io.StringIO(text))
    assert (again.added, again.changed, again.unchanged) == ([], [], 2)
    renamed = catalogue.import_procedures(db.session, None, io.StringIO(text.replace("khai sinh", "khai tử")))
    assert renamed.changed == ["7.000001"]
    procedure = db.session.scalar(select(Procedure).filter_by(code="7.000002"))
    assert procedure.sector.code == "construction"
    assert procedure.unit_id == unit.id


def test_a_catalogue_with_bad_rows_writes_nothing_and_names_each_row_and_column(app_context):
    before = count(Procedure)
    text = CATALOGUE.format(unit="NO-SUCH-UNIT") + "7.000001,Trùng mã,civil_status,commune,\n,,x,moon,\n"
    with pytest.raises(ImportFailed) as failed:
        catalogue.import_procedures(db.session, None, io.StringIO(text))
    problems = {str(p) for p in failed.value.problems}
    assert "dòng 3, cột unit_code: không có đơn vị NO-SUCH-UNIT" in problems
    assert "dòng 4, cột code: 7.000001 xuất hiện hai lần" in problems
    assert "dòng 5, cột name: bắt buộc" in problems
    assert any(p.startswith("dòng 5, cột level:") for p in problems)
    assert count(Procedure) == before


def test_the_procedures_import_command_reports_changes_and_fails_with_status_2(runner, tmp_path, app_context):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(CATALOGUE.format(unit=""), encoding="utf-8")
    bad.write_text("code,name,sector_code,level\n7.9,x,y,galaxy\n", encoding="utf-8")
    result = runner.invoke(args=["procedures", "import", str(good)])
    assert "2 added, 0 changed, 0 unchanged" in result.output
    result = runner.invoke(args=["procedures", "import", str(bad)])
    assert result.exit_code == 2
    assert "dòng 2, cột level" in result.output


def responses_csv(unit: str, point: str, procedure: str, rows: list[str]) -> str:
    header = (
        "response_id,submitted_at,unit_code,service_point_code,procedure_code,sector_code,channel,"
        "respondent_type,instrument,q.overall,q.staff.courteous,comment,weight\n"
    )
    return header + "".join(row.format(unit=unit, point=point, procedure=procedure) + "\n" for row in rows)


GOOD_ROWS = [
    "paper-0001,2026-07-01T09:30:00+07:00,{unit},{point},{procedure},,paper,citizen,sipas-full@1,5,4,Tốt,",
    "paper-0002,2026-07-01T10:00:00+07:00,{unit},,,,paper,,sipas-full@1,2,,,1",
]


def test_responses_import_records_through_the_write_path_and_is_idempotent(app_context):
    point = make_service_point(db.session)
    procedure = make_procedure(db.session)
    text = responses_csv(point.unit.code, point.code, procedure.code, GOOD_ROWS)
    before = count(Response)
    report = importing.import_responses(db.session, None, io.StringIO(text))
    assert (report.recorded, report.duplicates) == (2, 0)
    again = importing.import_responses(db.session, None, io.StringIO(text))
    assert (again.recorded, again.duplicates) == (0, 2)
    assert count(Response) == before + 2
    stored = db.session.scalar(
        select(Response).filter_by(idempotency_key=importing.idempotency_key("paper-0001"))
    )
    assert stored.channel == "paper"
    assert stored.procedure_id == procedure.id
    assert stored.sector_id == procedure.sector_id
    assert {a.item_key: a.value for a in stored.answers} == {"overall": 5, "staff.courteous": 4}
    assert stored.submitted_at == datetime(2026, 7, 1, 2, 30, tzinfo=UTC)


def test_a_responses_file_with_one_bad_row_records_nothing_and_names_row_and_column(app_context):
    point = make_service_point(db.session)
    rows = [
        *GOOD_ROWS,
        "paper-0003,2026-07-01 10:00,{unit},,,,paper,,sipas-full@1,7,,,",
        "paper-0004,2026-07-01T10:00:00+07:00,NOPE,,,,carrier-pigeon,robot,sipas-full@9,,x,,",
    ]
    text = responses_csv(point.unit.code, point.code, "", rows)
    before = (count(Response), count(Answer))
    with pytest.raises(ImportFailed) as failed:
        importing.import_responses(db.session, None, io.StringIO(text))
    problems = [str(p) for p in failed.value.problems]
    assert any(p.startswith("dòng 4, cột submitted_at:") for p in problems)
    assert any(p.startswith("dòng 4, cột q.overall: 7 không phải số từ 1 đến 5") for p in problems)
    for column in ("unit_code", "channel", "respondent_type", "instrument"):
        assert any(p.startswith(f"dòng 5, cột {column}:") for p in problems), column
    assert (count(Response), count(Answer)) == before


def test_an_unknown_column_is_refused(app_context):
    text = "response_id,submitted_at,unit_code,channel,instrument,q.overall,favourite_colour\n"
    text += "x1,2026-07-01T09:00:00+07:00,U,paper,sipas-full@1,5,blue\n"
    with pytest.raises(ImportFailed) as failed:
        importing.import_responses(db.session, None, io.StringIO(text))
    assert str(failed.value.problems[0]) == "dòng 1, cột favourite_colour: cột không có trong mẫu"


def test_the_responses_import_command_adds_to_the_responses_group(runner, tmp_path, app_context):
    point = make_service_point(db.session)
    db.session.commit()
    path = tmp_path / "paper.csv"
    path.write_text(responses_csv(point.unit.code, point.code, "", GOOD_ROWS[1:]), encoding="utf-8")
    assert "1 recorded" in runner.invoke(args=["responses", "import", str(path)]).output
    assert "0 recorded, 1 already there" in runner.invoke(args=["responses", "import", str(path)]).output


def test_a_unit_manager_imports_only_into_their_own_units(app, client):
    with app.app_context():
        mine, other = make_service_point(db.session), make_service_point(db.session)
        db.session.commit()
        text = responses_csv(other.unit.code, other.code, "", GOOD_ROWS[1:])
        unit_id = mine.unit_id
    login_as(app, client, "unit_manager", unit_id)
    response = client.post(
        "/admin/paper/import",
        data={"file": (io.BytesIO(text.encode()), "p.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "dòng 2, cột unit_code" in response.get_data(as_text=True)


def test_the_partial_column_is_read_and_a_partial_row_without_overall_is_refused(app_context):
    unit = make_unit(db.session)
    header = "response_id,submitted_at,unit_code,channel,instrument,q.overall,q.staff.courteous,partial\n"
    good = header + (f"k1,2026-07-01T09:00:00+07:00,{unit.code},kiosk,sipas-short@1,4,2,1\n"
                     f"k2,2026-07-01T09:05:00+07:00,{unit.code},kiosk,sipas-short@1,5,,0\n")
    assert importing.import_responses(db.session, None, io.StringIO(good)).recorded == 2
    stored = {r.overall: r.partial for r in db.session.scalars(select(Response))}
    assert stored == {4: True, 5: False}
    bad = header + (f"k3,2026-07-01T09:00:00+07:00,{unit.code},kiosk,sipas-short@1,,2,1\n"
                    f"k4,2026-07-01T09:00:00+07:00,{unit.code},kiosk,sipas-short@1,3,,yes\n")
    with pytest.raises(ImportFailed) as failed:
        importing.import_responses(db.session, None, io.StringIO(bad))
    problems = [str(p) for p in failed.value.problems]
    assert any(p.startswith("dòng 2, cột -:") for p in problems), problems
    assert any(p.startswith("dòng 3, cột partial:") for p in problems), problems
