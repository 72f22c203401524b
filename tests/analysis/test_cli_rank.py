"""``python -m analysis rank`` and ``indices --items`` on crafted CSVs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from analysis import proportion, rank_units
from tests.analysis.test_cli import HEADER, responses, run, write


def test_rank_json_equals_the_library_ranking_and_lists_small_units_apart(tmp_path, capsys):
    rows = (responses("A", 190, 200) + responses("B", 80, 100) + responses("C", 30, 30)
            + responses("D", 40, 60) + responses("E", 9, 10))
    f = write(tmp_path / "r.csv", rows)
    code, out, err = run(["rank", str(f), "--period", "year", "--format", "json"], capsys)
    assert (code, err) == (0, "")
    result = json.loads(out)
    (ranking,) = result["rankings"]
    assert ranking["by"] == {"period": "2026"}
    assert ranking["not_ranked"] == [{"unit_code": "E", "n": 10}]
    want = rank_units([190, 80, 30, 40], [200, 100, 30, 60], seed=result["seed"])
    got = {u["unit_code"]: u for u in ranking["units"]}
    for i, unit in enumerate("ABCD"):
        assert (got[unit]["rank"], got[unit]["rank_low"], got[unit]["rank_high"]) == (
            want.rank[i], want.rank_low[i], want.rank_high[i])
        assert got[unit]["shrunk"] == pytest.approx(float(want.value[i]), abs=1e-12)
    assert [u["rank"] for u in ranking["units"]] == sorted(u["rank"] for u in ranking["units"])


def test_rank_makes_one_ranking_per_by_value_and_the_table_marks_ties(tmp_path, capsys):
    header = [*HEADER, "sector_code"]
    rows = [[*r, "land"] for r in responses("A", 45, 50) + responses("B", 45, 50)]
    rows += [[*r, "health"] for r in responses("A", 30, 40, start=100) + responses("B", 39, 40,
                                                                                   start=100)]
    f = write(tmp_path / "r.csv", rows, header)
    code, out, _err = run(["rank", str(f), "--by", "sector_code"], capsys)
    assert code == 0
    assert "sector_code=land" in out
    assert "sector_code=health" in out
    land = out[out.index("sector_code=land"):]
    assert land.count("=  1") == 2  # A and B are equal: both rank 1, marked tied


def test_rank_refuses_weights_in_one_line(tmp_path, capsys):
    f = write(tmp_path / "r.csv", [[*r, 2] for r in responses("A", 40, 50)], [*HEADER, "weight"])
    code, _out, err = run(["rank", str(f)], capsys)
    assert code == 2
    assert err.count("\n") == 1
    assert "weight" in err


def test_items_gives_every_item_its_wilson_rate(tmp_path, capsys):
    f = write(tmp_path / "r.csv", responses("U1", 35, 40))
    code, out, _err = run(["indices", str(f), "--items", "--format", "json"], capsys)
    assert code == 0
    (group,) = json.loads(out)["groups"]
    items = group["items"]
    assert set(items) == {"overall", *(c[2:] for c in HEADER if c.startswith("q.") and c != "q.overall")}
    with Path(f).open(encoding="utf-8") as stream:
        table = list(csv.DictReader(stream))
    for key, block in items.items():
        answers = [r[f"q.{key}"] for r in table if r[f"q.{key}"] != ""]
        want = proportion(sum(int(a) >= 4 for a in answers), len(answers))
        assert (block["estimate"], block["ci_low"], block["ci_high"], block["n"]) == (
            want.value, want.ci_low, want.ci_high, want.n)
        assert block["method"] == "wilson"
    code, out, _err = run(["indices", str(f), "--items", "--format", "csv"], capsys)
    assert "item.staff.helpful_estimate" in out.splitlines()[0]
    code, out, _err = run(["indices", str(f)], capsys)
    assert "items" not in json.loads(out)["groups"][0]


def test_a_file_with_only_overall_gives_no_components_and_no_traceback(tmp_path, capsys):
    rows = [[i, "2026-07-15T09:00:00+07:00", "U1", "kiosk", 5] for i in range(30)]
    f = write(tmp_path / "r.csv", rows, HEADER[:5])
    code, out, err = run(["indices", str(f), "--items"], capsys)
    assert (code, err) == (0, "")
    group = json.loads(out)["groups"][0]
    assert group["sipas"] is None
    assert group["items"]["overall"]["estimate"] == 1.0
