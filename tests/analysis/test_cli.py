"""``python -m analysis`` on crafted CSVs (SPEC §5)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from analysis import ItemStats, component_indices, proportion, sipas_index
from analysis.tool.cli import main

ITEMS = ["q.access.place", "q.procedure.as_posted", "q.staff.courteous", "q.staff.helpful",
         "q.result.as_promised", "q.feedback.easy"]
HEADER = ["response_id", "submitted_at", "unit_code", "channel", "q.overall", *ITEMS]


def write(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def responses(unit: str, satisfied: int, total: int, *, when: str = "2026-07-15T09:00:00+07:00",
              start: int = 0) -> list[list[object]]:
    """``total`` responses of which ``satisfied`` rate overall 5 and the rest 2."""
    return [[f"{unit}-{start + i}", when, unit, "kiosk", 5 if i < satisfied else 2,
             4, 5, 4, "" if i % 3 else 2, 5, 4 if i % 2 else 3] for i in range(total)]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    code, out, err = run([*args, "--format", "json"], capsys)
    assert (code, err) == (0, "")
    return json.loads(out)


def test_json_has_the_spec_shape(tmp_path, capsys):
    f = write(tmp_path / "r.csv", responses("U1", 35, 40))
    result = run_json(["indices", str(f), "--by", "unit_code", "--period", "quarter"], capsys)
    assert result["level"] == 0.95
    (group,) = result["groups"]
    assert group["by"] == {"unit_code": "U1", "period": "2026-Q3"}
    assert group["n"] == 40
    assert group["satisfaction"] == {**group["satisfaction"], "estimate": 35 / 40, "n": 40,
                                     "method": "wilson"}
    assert set(group["components"]) == {"access", "procedure", "staff", "result", "feedback"}
    assert group["sipas"]["method"] == "linearization-wilson"
    assert "verdict" not in group
    assert "weighted" not in group


def test_command_line_agrees_with_the_library_to_the_last_bit(tmp_path, capsys):
    rows = responses("U1", 35, 40)
    group = run_json(["indices", str(write(tmp_path / "r.csv", rows))], capsys)["groups"][0]
    e = proportion(35, 40)
    assert (group["satisfaction"]["ci_low"], group["satisfaction"]["ci_high"]) == (e.ci_low,
                                                                                  e.ci_high)
    codes = np.array([[0 if v == "" else int(v) for v in r[5:]] for r in rows])
    st = ItemStats.from_indicators((codes >= 4).astype(int), (codes > 0).astype(int))
    names = [c.split(".")[1] for c in ITEMS]
    staff = component_indices(st, names)["staff"]
    assert abs(group["components"]["staff"]["ci_low"] - staff.ci_low) <= 1e-12
    total = sipas_index(st, names)
    assert total is not None
    assert abs(group["sipas"]["estimate"] - total.value) <= 1e-12


def test_every_verdict_status(tmp_path, capsys):
    rows = (responses("MET", 59, 60) + responses("NOT", 30, 60) + responses("INC", 36, 40)
            + responses("INS", 10, 10))
    f = write(tmp_path / "r.csv", rows)
    result = run_json(["indices", str(f), "--by", "unit_code", "--target", "0.8"], capsys)
    status = {g["by"]["unit_code"]: g["verdict"] for g in result["groups"]}
    assert {u: v["status"] for u, v in status.items()} == {
        "INC": "inconclusive", "INS": "insufficient", "MET": "met", "NOT": "not_met"}
    assert status["MET"] == {"threshold": 0.8, "operator": ">=", "status": "met",
                             "responses_needed": None}
    assert status["INC"]["responses_needed"] > 0
    assert status["INS"]["responses_needed"] >= 20


def test_operator_decides_at_an_exact_boundary(tmp_path, capsys):
    f = write(tmp_path / "r.csv", responses("U1", 57, 60))
    boundary = repr(proportion(57, 60).ci_low)  # the lower bound itself, to the last bit
    at_least = run_json(["indices", str(f), "--target", boundary, "--operator", ">="], capsys)
    above = run_json(["indices", str(f), "--target", boundary, "--operator", ">"], capsys)
    assert at_least["groups"][0]["verdict"]["status"] == "met"
    assert above["groups"][0]["verdict"]["status"] == "inconclusive"


def test_skipped_items_are_not_counted(tmp_path, capsys):
    rows = responses("U1", 3, 3)
    group = run_json(["indices", str(write(tmp_path / "r.csv", rows))], capsys)["groups"][0]
    # q.staff.helpful is answered by row 0 only (rows 1 and 2 are skipped), with a 2.
    staff = group["components"]["staff"]
    assert staff["estimate"] == pytest.approx((1.0 + 0.0) / 2)
    assert staff["n"] == 3


def test_missing_component_gives_null_sipas(tmp_path, capsys):
    header = [c for c in HEADER if c != "q.feedback.easy"]
    rows = [r[:-2] + r[-1:] for r in responses("U1", 5, 5)]
    group = run_json(["indices", str(write(tmp_path / "r.csv", rows, header))], capsys)
    assert group["groups"][0]["sipas"] is None
    assert group["groups"][0]["components"]["feedback"] is None


def test_all_answers_of_a_component_skipped_gives_null_sipas(tmp_path, capsys):
    rows = responses("U1", 5, 5)
    for r in rows:
        r[-1] = ""
    group = run_json(["indices", str(write(tmp_path / "r.csv", rows))], capsys)["groups"][0]
    assert group["sipas"] is None
    assert group["components"]["feedback"] is None


def test_periods_follow_the_local_date_in_ho_chi_minh_city(tmp_path, capsys):
    rows = (responses("U1", 1, 1, when="2026-06-30T17:30:00Z")  # 00:30 on 1 July, local
            + responses("U1", 1, 1, when="2026-06-30T23:59:00+07:00", start=1)
            + responses("U1", 1, 1, when="2026-12-31T18:00:00-05:00", start=2))  # 1 Jan 2027
    f = write(tmp_path / "r.csv", rows)
    for period, labels in [("month", ["2026-06", "2026-07", "2027-01"]),
                           ("quarter", ["2026-Q2", "2026-Q3", "2027-Q1"]),
                           ("half", ["2026-H1", "2026-H2", "2027-H1"]),
                           ("year", ["2026", "2027"])]:
        result = run_json(["indices", str(f), "--period", period], capsys)
        assert [g["by"]["period"] for g in result["groups"]] == labels


def test_volumes_add_a_post_stratified_estimate_with_coverage(tmp_path, capsys):
    f = write(tmp_path / "r.csv", responses("U1", 45, 50) + responses("U2", 10, 20))
    v = tmp_path / "v.csv"
    v.write_text("unit_code,period,dossiers\nU1,2026-Q3,9000\nU2,2026-Q3,1000\n"
                 "U3,2026-Q3,2500\nU1,2026-Q2,1\n", encoding="utf-8")
    result = run_json(["indices", str(f), "--period", "quarter", "--volumes", str(v)], capsys)
    weighted = result["groups"][0]["weighted"]
    assert weighted["estimate"] == pytest.approx(0.9 * 0.9 + 0.1 * 0.5)
    assert weighted["coverage"] == pytest.approx(10000 / 12500)
    assert weighted["method"] == "post-stratified"
    assert 0 < weighted["ci_low"] < weighted["estimate"] < weighted["ci_high"] < 1


def test_csv_format_writes_one_row_per_group(tmp_path, capsys):
    f = write(tmp_path / "r.csv", responses("U1", 35, 40) + responses("U2", 3, 4))
    code, out, _ = run(["indices", str(f), "--by", "unit_code", "--format", "csv",
                        "--target", "0.9"], capsys)
    rows = list(csv.DictReader(out.splitlines()))
    assert code == 0
    assert [r["unit_code"] for r in rows] == ["U1", "U2"]
    assert float(rows[0]["satisfaction_estimate"]) == 35 / 40
    assert rows[1]["verdict_status"] == "insufficient"


def test_table_format_is_bilingual(tmp_path, capsys):
    f = write(tmp_path / "r.csv", responses("U1", 35, 40))
    code, out, _ = run(["indices", str(f), "--format", "table", "--target", "0.8"], capsys)
    assert code == 0
    assert "Hài lòng chung / Overall satisfaction" in out
    assert "87.5 %" in out
    assert "Mục tiêu / Target >= 80 %" in out


def test_plan_prints_sample_sizes(capsys):
    code, out, _ = run(["plan", "--rate", "0.95", "--target", "0.9", "--margin", "0.03",
                        "--format", "json"], capsys)
    assert code == 0
    assert json.loads(out)["n_for_target"] == 239


GOOD = ["1", "2026-07-15T09:00:00+07:00", "U1", "kiosk", "5", "4", "5", "4", "", "5", "4"]


@pytest.mark.parametrize(
    ("header", "row", "args", "expected"),
    [
        ([*HEADER, "q.waiting.time"], [*GOOD, "4"], [], "row 1, column 12 'q.waiting.time'"),
        ([*HEADER, "colour"], [*GOOD, "red"], [], "row 1, column 12 'colour': unknown column"),
        ([*HEADER, "q.staff"], [*GOOD, "4"], [], "column 12 'q.staff': unknown column"),
        (HEADER, [*GOOD[:4], "7", *GOOD[5:]], [], "row 2, column 'q.overall': value '7'"),
        (HEADER, [*GOOD[:5], "4.0", *GOOD[6:]], [], "row 2, column 'q.access.place'"),
        (HEADER, [*GOOD[:1], "2026-02-30T09:00:00+07:00", *GOOD[2:]], ["--period", "month"],
         "row 2, column 'submitted_at'"),
        (HEADER, [*GOOD[:1], "2026-07-15 09:00", *GOOD[2:]], ["--period", "month"],
         "row 2, column 'submitted_at'"),
        (HEADER, GOOD[:-1], [], "row 2: 10 fields where the header has 11"),
        ([*HEADER, "weight"], [*GOOD, "-1"], [], "row 2, column 'weight'"),
        (HEADER, GOOD, ["--by", "comment"], "--by 'comment'"),
        (HEADER, GOOD, ["--by", "sector_code"], "'sector_code' is not in the file"),
        (HEADER, GOOD, ["--level", "95"], "--level"),
        (HEADER, GOOD, ["--operator", ">"], "--operator needs --target"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_row_and_column(
        tmp_path, capsys, header, row, args, expected):
    f = write(tmp_path / "bad.csv", [row], header)
    code, out, err = run(["indices", str(f), *args], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert expected in err


def test_bad_value_on_a_later_row_names_that_row(tmp_path, capsys):
    rows = responses("U1", 5, 5)
    rows[3][6] = "9"
    code, _, err = run(["indices", str(write(tmp_path / "r.csv", rows))], capsys)
    assert code == 2
    assert "row 5, column 'q.procedure.as_posted': value '9'" in err


def test_empty_file_and_missing_file_exit_2(tmp_path, capsys):
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    assert run(["indices", str(tmp_path / "empty.csv")], capsys)[0] == 2
    code, _, err = run(["indices", str(tmp_path / "nowhere.csv")], capsys)
    assert code == 2
    assert "cannot open" in err


def test_unit_with_responses_but_no_volume_exits_2_naming_the_unit(tmp_path, capsys):
    f = write(tmp_path / "r.csv", responses("U1", 4, 5) + responses("U9", 4, 5))
    v = tmp_path / "v.csv"
    v.write_text("unit_code,period,dossiers\nU1,2026-Q3,100\n", encoding="utf-8")
    code, _, err = run(["indices", str(f), "--period", "quarter", "--volumes", str(v)], capsys)
    assert code == 2
    assert "unit 'U9'" in err
    assert err.count("\n") == 1


def test_volumes_with_a_bad_period_exit_2_naming_row_and_column(tmp_path, capsys):
    f = write(tmp_path / "r.csv", responses("U1", 4, 5))
    v = tmp_path / "v.csv"
    v.write_text("unit_code,period,dossiers\nU1,2026-07,100\n", encoding="utf-8")
    code, _, err = run(["indices", str(f), "--period", "quarter", "--volumes", str(v)], capsys)
    assert code == 2
    assert "volumes row 2, column 'period'" in err


def test_module_entry_point_prints_no_traceback(tmp_path):
    f = write(tmp_path / "bad.csv", [[*GOOD[:4], "6", *GOOD[5:]]])
    done = subprocess.run([sys.executable, "-m", "analysis", "indices", str(f)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert done.stderr == "error: row 2, column 'q.overall': value '6' is not 1–5 or empty\n"
