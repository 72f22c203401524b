"""``flask --app wsgi responses export``: exactly the response CSV of SPEC §3."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from analysis import SIPAS_COMPONENTS as COMPONENTS
from survey.config import ROOT
from survey.extensions import db
from tests.factories import make_procedure, make_response, make_service_point, make_unit

FIXED = ["response_id", "submitted_at", "unit_code", "service_point_code", "procedure_code",
         "sector_code", "channel", "respondent_type", "instrument"]


def export(runner, *args: str) -> list[dict[str, str]]:
    result = runner.invoke(args=["responses", "export", "--format", "csv", *args])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def header(runner, *args: str) -> list[str]:
    result = runner.invoke(args=["responses", "export", "--format", "csv", *args])
    assert result.exit_code == 0, result.output
    return next(csv.reader(io.StringIO(result.stdout)))


def built_in_item_keys() -> set[str]:
    keys = set()
    for path in (ROOT / "survey" / "collection" / "instruments").glob("*-*.json"):
        definition = json.loads(path.read_text("utf-8"))
        if isinstance(definition, dict):  # not a list of "what went wrong" choices
            keys |= {item["key"] for item in definition["items"]}
    return keys


def test_header_is_the_spec_columns_in_order_without_comment(runner):
    columns = header(runner)
    assert columns[:10] == [*FIXED, "q.overall"]
    assert columns[-1] == "partial"  # SPEC §3's last column (§6's idle rule)
    items = columns[10:-1]
    assert all(c.startswith("q.") for c in items)
    assert {c.removeprefix("q.") for c in items} == built_in_item_keys() - {"overall"}
    components = [c.split(".")[1] for c in items]
    assert components == sorted(components, key=COMPONENTS.index)  # SIPAS order, grouped
    assert "comment" not in columns
    assert "weight" not in columns


def test_comment_column_only_with_comments_flag(runner):
    assert header(runner, "--comments")[-2:] == ["comment", "partial"]


def test_row_carries_context_local_time_and_empty_skipped_items(app_context, runner):
    point = make_service_point(db.session)
    procedure = make_procedure(db.session, "land")
    make_response(db.session, unit=point.unit, service_point=point, procedure=procedure,
                  ratings={"overall": 5, "staff.courteous": 2},
                  submitted_at=datetime(2026, 3, 31, 17, 30, tzinfo=UTC))
    [row] = export(runner, "--comments")
    assert row["submitted_at"] == "2026-04-01T00:30:00+07:00"
    assert row["unit_code"] == point.unit.code
    assert row["service_point_code"] == point.code
    assert row["procedure_code"] == procedure.code
    assert row["sector_code"] == "land"
    assert row["channel"] == "qr"
    assert row["respondent_type"] == ""
    assert row["instrument"] == "sipas-full@2"
    assert row["q.overall"] == "5"
    assert row["q.staff.courteous"] == "2"
    assert row["q.access.place"] == ""  # skipped
    assert row["comment"] == ""
    assert len(row["response_id"]) >= 16


def test_rows_without_service_point_or_procedure_leave_them_empty(app_context, runner):
    unit = make_unit(db.session)
    make_response(db.session, unit=unit, ratings={"overall": 3})
    [row] = export(runner)
    assert (row["service_point_code"], row["procedure_code"], row["sector_code"]) == ("", "", "")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--from", "2026-04-01"], ["after midnight", "next day"]),
        (["--to", "2026-03-31"], ["before midnight"]),
        (["--from", "2026-04-01", "--to", "2026-04-01"], ["after midnight"]),
        ([], ["before midnight", "after midnight", "next day"]),
    ],
)
def test_date_filters_follow_local_day_boundaries(app_context, runner, args, expected):
    unit = make_unit(db.session)
    moments = {
        "before midnight": datetime(2026, 3, 31, 16, 59, 59, tzinfo=UTC),  # 23:59:59 on 31 March
        "after midnight": datetime(2026, 3, 31, 17, 0, 0, tzinfo=UTC),  # 00:00 on 1 April
        "next day": datetime(2026, 4, 1, 17, 0, 0, tzinfo=UTC),  # 00:00 on 2 April
    }
    overall = {"before midnight": 1, "after midnight": 2, "next day": 3}
    for name, moment in moments.items():
        make_response(db.session, unit=unit, ratings={"overall": overall[name]}, submitted_at=moment)
    rows = export(runner, *args)
    assert [row["q.overall"] for row in rows] == [str(overall[name]) for name in expected]


def test_unit_filter_includes_the_subtree_only(app_context, runner):
    city = make_unit(db.session, level="city")
    ward = make_unit(db.session, parent=city)
    other = make_unit(db.session)
    for unit in (city, ward, other):
        make_response(db.session, unit=unit, ratings={"overall": 4})
    rows = export(runner, "--unit", city.code)
    assert sorted(row["unit_code"] for row in rows) == sorted([city.code, ward.code])
    assert [row["unit_code"] for row in export(runner, "--unit", ward.code)] == [ward.code]


def test_unknown_unit_is_a_clean_error(runner):
    result = runner.invoke(args=["responses", "export", "--format", "csv", "--unit", "NO-SUCH"])
    assert result.exit_code == 2
    assert "NO-SUCH" in result.output
    assert "Traceback" not in result.output
    assert "response_id" not in result.stdout


def test_malformed_date_is_a_clean_error(runner):
    result = runner.invoke(args=["responses", "export", "--from", "31/03/2026"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
