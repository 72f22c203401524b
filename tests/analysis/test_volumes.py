"""The one reader of the dossier volumes file, and the command line's use of it."""

from __future__ import annotations

import io
import json
import pickle
from dataclasses import FrozenInstanceError

import pytest

from analysis.tool import volumes
from analysis.tool.cli import main
from analysis.tool.volumes import VolumeRow, VolumesError, parse_volumes, read_volumes
from tests.analysis.test_cli import responses, write


def rows(text: str) -> list[VolumeRow]:
    return list(read_volumes(io.StringIO(text, newline="")))


def error(text: str) -> VolumesError:
    with pytest.raises(VolumesError) as caught:
        rows(text)
    return caught.value


def test_rows_become_frozen_records_numbered_as_in_a_spreadsheet():
    got = rows("unit_code,period,dossiers,dossiers_unsatisfied\nU1,2026-Q3,120,7\n\n"
               "U2,2026,80,\n,,,\nU3,2026-07,0,0\n")
    assert got == [VolumeRow(2, "U1", "2026-Q3", 120, 7), VolumeRow(4, "U2", "2026", 80, None),
                   VolumeRow(6, "U3", "2026-07", 0, 0)]
    with pytest.raises(FrozenInstanceError):
        got[0].dossiers = 1  # type: ignore[misc]


def test_columns_in_any_order_and_the_fourth_column_is_optional():
    assert rows("dossiers,unit_code,period\n5,U1,2026-H1\n") == [
        VolumeRow(2, "U1", "2026-H1", 5, None)]
    assert rows("dossiers_unsatisfied,period,dossiers,unit_code\n3,2026-H2,5,U1\n") == [
        VolumeRow(2, "U1", "2026-H2", 5, 3)]


def test_a_byte_order_mark_and_spaces_around_cells_are_tolerated():
    assert rows("\ufeffunit_code, period ,dossiers\r\n U1 ,2026-Q1, 9 \r\n") == [
        VolumeRow(2, "U1", "2026-Q1", 9, None)]
    assert list(parse_volumes([["\ufeffunit_code", "period", "dossiers"], ["U1", "2026", "1"]]))


def test_the_kind_of_a_period_label():
    kinds = [r.kind for r in rows("unit_code,period,dossiers\nU,2026,1\nU,2026-H2,1\n"
                                  "U,2026-Q4,1\nU,2026-12,1\n")]
    assert kinds == ["year", "half", "quarter", "month"]


def test_the_header_is_checked_before_the_first_record():
    stream = parse_volumes([["unit_code", "period"]])
    with pytest.raises(VolumesError, match="'dossiers' is missing"):
        next(stream)


@pytest.mark.parametrize(
    ("text", "reason", "line", "column", "value", "message"),
    [
        ("", "no_header", 1, None, None, "row 1: no header row"),
        ("\nunit_code,period,dossiers\n", "no_header", 1, None, None, "row 1: no header row"),
        ("unit_code,period,dossiers,period\n", "duplicate_column", 1, "period", "period",
         "row 1, column 4 'period': the column appears twice"),
        ("unit_code,period,dossiers,colour\nU1,2026,1,red\n", "unknown_column", 1, "colour",
         "colour", "row 1, column 4 'colour': unknown column"),
        ("unit_code,period,dossiers,\n", "unknown_column", 1, "", "",
         "row 1, column 4 '': unknown column"),
        ("unit_code,dossiers\nU1,1\n", "missing_column", 1, "period", None,
         "row 1: column 'period' is missing"),
        ("unit_code,period,dossiers\nU1,2026,1\nU1,2026\n", "wrong_field_count", 3, None, None,
         "row 3: 2 fields where the header has 3"),
        ("unit_code,period,dossiers\nU1,2026,1,\n", "wrong_field_count", 2, None, None,
         "row 2: 4 fields where the header has 3"),
        ("unit_code,period,dossiers\n,2026,1\n", "empty_unit_code", 2, "unit_code", "",
         "row 2, column 'unit_code': the unit code is empty"),
        ("unit_code,period,dossiers\nU1,2026-Q5,1\n", "bad_period", 2, "period", "2026-Q5",
         "row 2, column 'period': '2026-Q5' is not a period label like 2026, 2026-H1"),
        ("unit_code,period,dossiers\nU1,Q3-2026,1\n", "bad_period", 2, "period", "Q3-2026",
         "column 'period'"),
        ("unit_code,period,dossiers\nU1,,1\n", "bad_period", 2, "period", "", "column 'period'"),
        ("unit_code,period,dossiers\nU1,2026-13,1\n", "bad_period", 2, "period", "2026-13",
         "column 'period'"),
        ("unit_code,period,dossiers\nU1,2026,-3\n", "bad_count", 2, "dossiers", "-3",
         "row 2, column 'dossiers': '-3' is not a whole number >= 0"),
        ("unit_code,period,dossiers\nU1,2026,1.5\n", "bad_count", 2, "dossiers", "1.5",
         "column 'dossiers'"),
        ("unit_code,period,dossiers\nU1,2026,\n", "bad_count", 2, "dossiers", "",
         "column 'dossiers'"),
        ("unit_code,period,dossiers\nU1,2026,²\n", "bad_count", 2, "dossiers", "²",
         "column 'dossiers'"),
        ("unit_code,period,dossiers\nU1,2026," + "9" * 5000 + "\n", "bad_count", 2, "dossiers",
         "9" * 5000, "column 'dossiers'"),
        ("unit_code,period,dossiers,dossiers_unsatisfied\nU1,2026,5,x\n", "bad_count", 2,
         "dossiers_unsatisfied", "x", "row 2, column 'dossiers_unsatisfied': 'x' is not"),
        ("unit_code,period,dossiers,dossiers_unsatisfied\nU1,2026,5,6\n",
         "unsatisfied_above_dossiers", 2, "dossiers_unsatisfied", "6",
         "row 2, column 'dossiers_unsatisfied': 6 is more than the 5 dossiers"),
        ('unit_code,period,dossiers\nU1,2026,1\n"U2,2026,1\n', "malformed_csv", 3, None, None,
         "row 3: malformed CSV"),
        ('unit_code,period,dossiers\nU1,"2026"-Q3,1\n', "malformed_csv", 2, None, None,
         "row 2: malformed CSV"),
    ],
)
def test_every_reason_code(text, reason, line, column, value, message):
    e = error(text)
    assert isinstance(e, ValueError)
    assert (e.reason, e.line, e.column, e.value) == (reason, line, column, value)
    assert reason in volumes.REASONS
    assert str(e).startswith(message) if message.startswith("row") else message in str(e)
    assert "\n" not in str(e)


def test_a_file_that_is_not_utf8_names_the_row(tmp_path):
    path = tmp_path / "v.csv"
    good = "".join(f"U{i},2026,1\n" for i in range(2000)).encode()
    path.write_bytes(b"unit_code,period,dossiers\n" + good + b"\xff\xfe,2026,1\n")
    with path.open(encoding="utf-8-sig", newline="") as stream, \
            pytest.raises(VolumesError) as caught:
        list(read_volumes(stream))
    e = caught.value
    assert (e.reason, e.column, e.value) == ("not_utf8", None, None)
    assert 1 < e.line <= 2002  # rows are decoded in blocks: the bad bytes are at or after it
    assert str(e) == f"row {e.line} or later: the file is not UTF-8"


def test_every_reason_code_is_tested_and_documented():
    tested = {p[1] for p in test_every_reason_code.pytestmark[0].args[1]} | {"not_utf8"}
    assert tested == set(volumes.REASONS)
    assert all(f"``{reason}``" in (volumes.__doc__ or "") for reason in volumes.REASONS)


def test_an_error_survives_pickling_with_its_fields():
    data = pickle.dumps(error("unit_code,period,dossiers\nU1,2026,x\n"))
    e = pickle.loads(data)  # noqa: S301 (bytes pickled just above)
    assert (e.reason, e.line, e.column, e.value) == ("bad_count", 2, "dossiers", "x")
    assert str(e) == "row 2, column 'dossiers': 'x' is not a whole number >= 0"


# The command line reads --volumes with this reader.

def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def answers(tmp_path):
    return write(tmp_path / "r.csv", responses("U1", 45, 50) + responses("U2", 10, 20))


def weighted(answers, volumes_path, capsys, *period):
    code, out, err = run(["indices", str(answers), *period, "--volumes", str(volumes_path)],
                         capsys)
    assert (code, err) == (0, "")
    return json.loads(out)["groups"][0]["weighted"]


def test_the_command_line_accepts_and_ignores_dossiers_unsatisfied(tmp_path, answers, capsys):
    three = tmp_path / "v3.csv"
    three.write_text("unit_code,period,dossiers\nU1,2026-Q3,9000\nU2,2026-Q3,1000\n",
                     encoding="utf-8")
    four = tmp_path / "v4.csv"
    four.write_text("\ufeffdossiers_unsatisfied,unit_code,period,dossiers\n12,U1,2026-Q3,9000\n"
                    "\n,U2,2026-Q3,1000\n", encoding="utf-8")
    expected = weighted(answers, three, capsys, "--period", "quarter")
    assert weighted(answers, four, capsys, "--period", "quarter") == expected
    assert expected["estimate"] == pytest.approx(0.9 * 0.9 + 0.1 * 0.5)


def test_without_period_a_units_dossiers_are_summed_over_its_rows(tmp_path, answers, capsys):
    summed = tmp_path / "summed.csv"
    summed.write_text("unit_code,period,dossiers,dossiers_unsatisfied\nU1,2026-Q3,4000,\n"
                      "U1,2026-Q4,5000,1\nU2,2026-07,1000,\n", encoding="utf-8")
    one = tmp_path / "one.csv"
    one.write_text("unit_code,period,dossiers\nU1,2026,9000\nU2,2026,1000\n", encoding="utf-8")
    assert weighted(answers, summed, capsys) == weighted(answers, one, capsys)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("unit_code,period,dossiers,dossiers_unsatisfied\nU1,2026-Q3,10,11\n",
         "error: volumes row 2, column 'dossiers_unsatisfied': 11 is more than the 10 dossiers"),
        ("unit_code,period,dossiers,notes\n",
         "error: volumes row 1, column 4 'notes': unknown column"),
        ("unit_code,period\n", "error: volumes row 1: column 'dossiers' is missing"),
        ("unit_code,period,dossiers\nU1,2026-Q9,1\n", "error: volumes row 2, column 'period'"),
        ("unit_code,period,dossiers\nU1,2026-07,1\n",
         "error: volumes row 2, column 'period': '2026-07' is not a quarter label like 2026-Q3"),
        ("unit_code,period,dossiers\nU1,2026-Q3,1\nU1,2026-Q3,2\n",
         "error: volumes row 3: unit 'U1' and period '2026-Q3' appear twice"),
        ("unit_code,period,dossiers\nU1,2026-Q3," + "9" * 400 + "\nU2,2026-Q3,1\n",
         "error: volumes row 2, column 'dossiers': the number is too large"),
    ],
)
def test_bad_volumes_exit_2_with_one_line(tmp_path, answers, capsys, text, expected):
    path = tmp_path / "v.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(["indices", str(answers), "--period", "quarter", "--volumes", str(path)],
                         capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith(expected)
