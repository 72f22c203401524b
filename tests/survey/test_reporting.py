"""Group statistics from SQL sums: roll-ups, exclusions, local periods, targets."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest
from sqlalchemy import select

from analysis.composite import ItemStats, component_indices
from analysis.proportions import proportion
from survey.administration.units import UnitTree
from survey.collection import integrity
from survey.extensions import db
from survey.models import Sector
from survey.periods import parse_period, series
from survey.reporting.groups import Settings, trend, unit_group, units_groups
from survey.reporting.queries import Scope
from tests import factories
from tests.helpers import answer, many, target

pytestmark = pytest.mark.usefixtures("app_context")
Q2 = parse_period("2026-Q2")
SETTINGS = Settings(0.95, 30)


def test_period_labels_follow_the_calendar() -> None:
    assert (parse_period("2026-H2").start, parse_period("2026-H2").end) == (date(2026, 7, 1),
                                                                           date(2026, 12, 31))
    assert parse_period("2026-02").end == date(2026, 2, 28)
    assert [p.label for p in series(parse_period("2026-Q1"), 3)] == ["2025-Q3", "2025-Q4", "2026-Q1"]
    with pytest.raises(ValueError, match="2026-Q5"):
        parse_period("2026-Q5")


def test_unit_rolls_up_its_subtree_and_the_units_it_succeeded() -> None:
    session = db.session
    ward = factories.make_unit(session)
    point = factories.make_unit(session, parent=ward, level="commune")
    old = factories.make_unit(session, jurisdiction="hau_giang", valid_from=date(2008, 1, 1),
                              valid_to=date(2025, 6, 30), successor=ward)
    other = factories.make_unit(session)
    many(session, ward, 3, 1)
    many(session, point, 2, 0)
    many(session, old, 0, 2, when=datetime(2025, 3, 3, tzinfo=UTC))
    many(session, other, 5, 0)
    tree = UnitTree(session)
    assert set(tree.rollup(ward.id)) == {ward.id, point.id, old.id}
    whole = unit_group(session, tree, ward, parse_period("2026"), SETTINGS)
    assert (whole.counts.responses, whole.counts.n, whole.counts.s) == (6, 6, 5)
    history = unit_group(session, tree, ward, parse_period("2025"), SETTINGS)
    assert (history.counts.n, history.counts.s) == (2, 0)


def test_excluded_responses_never_count() -> None:
    session = db.session
    unit = factories.make_unit(session)
    many(session, unit, 4, 0)
    answer(session, unit, {"overall": 1, "staff.courteous": 1}, excluded=True)
    group = unit_group(session, UnitTree(session), unit, Q2, SETTINGS)
    assert (group.counts.n, group.counts.s) == (4, 4)
    assert group.components["staff"].value == 1.0


def test_satisfaction_and_components_equal_the_analysis_library_on_the_same_answers() -> None:
    session = db.session
    unit = factories.make_unit(session)
    rows = [
        {"overall": 5, "access.place": 4, "staff.courteous": 2, "result.as_promised": 5},
        {"overall": 3, "access.place": 5, "staff.courteous": 5},
        {"overall": 4, "staff.courteous": 4, "result.as_promised": 1, "feedback.easy": 5},
        {"access.place": 2, "procedure.as_posted": 4, "feedback.easy": 1},
        {"overall": 1, "procedure.as_posted": 5, "result.as_promised": 4, "feedback.easy": 4},
    ]
    for ratings in rows:
        answer(session, unit, ratings)
    group = unit_group(session, UnitTree(session), unit, Q2, SETTINGS)
    expected = proportion(2, 4)
    assert group.satisfaction is not None
    assert (group.satisfaction.value, group.satisfaction.ci_low) == (expected.value, expected.ci_low)
    items = ["access.place", "feedback.easy", "procedure.as_posted", "result.as_promised",
             "staff.courteous"]
    y = np.array([[r.get(i, 0) >= 4 for i in items] for r in rows], dtype=float)
    a = np.array([[i in r for i in items] for r in rows], dtype=float)
    want = component_indices(ItemStats.from_indicators(y, a), [i.split(".")[0] for i in items])
    for name, estimate in want.items():
        assert group.components[name].value == pytest.approx(estimate.value, abs=1e-12)
        assert group.components[name].ci_low == pytest.approx(estimate.ci_low, abs=1e-12)
        assert group.components[name].ci_high == pytest.approx(estimate.ci_high, abs=1e-12)
    assert group.sipas is not None


def test_periods_are_cut_at_local_midnight() -> None:
    session = db.session
    unit = factories.make_unit(session)
    answer(session, unit, {"overall": 5}, when=datetime(2026, 6, 30, 16, 30, tzinfo=UTC))
    answer(session, unit, {"overall": 1}, when=datetime(2026, 6, 30, 17, 30, tzinfo=UTC))
    months = trend(session, Scope(unit_ids=[unit.id]), series(parse_period("2026-07"), 2), SETTINGS)
    assert [(g.label, g.counts.n, g.counts.s) for g in months] == [("2026-06", 1, 1), ("2026-07", 1, 0)]


def test_targets_match_object_sector_group_jurisdiction_and_period() -> None:
    session = db.session
    unit = factories.make_unit(session)
    land = factories.make_procedure(session, "land")
    civil = factories.make_procedure(session, "civil_status")
    target(session, code="T-ADM", threshold=0.5)
    target(session, code="T-LAND", object="procedures", sector_group="land+construction",
           threshold=0.9)
    target(session, code="T-HE", object="public_health_education", threshold=0.8)
    target(session, code="T-RES", object="procedure_results", threshold=0.7)
    target(session, code="T-OLD", start=date(2021, 1, 1), end=date(2025, 12, 31))
    target(session, code="T-HG", jurisdiction="hau_giang")
    many(session, unit, 2, 1, procedure=land)
    many(session, unit, 3, 0, procedure=civil)
    many(session, unit, 0, 1)
    answer(session, unit, {"overall": 5}, instrument="health-short")
    group = unit_group(session, UnitTree(session), unit, Q2, SETTINGS)
    checks = {c.target.code: c for c in group.checks}
    assert set(checks) == {"T-ADM", "T-LAND", "T-HE", "T-RES"}
    assert checks["T-ADM"].estimate.n == 8
    assert checks["T-LAND"].estimate.n == 3
    assert checks["T-LAND"].estimate.value == pytest.approx(2 / 3)
    assert checks["T-HE"].estimate.n == 1
    assert checks["T-RES"].measure == "result"
    assert checks["T-RES"].estimate.value == pytest.approx(5 / 6)
    assert all(c.verdict.status == "insufficient" for c in checks.values())
    assert session.scalar(select(Sector.id).filter_by(code="land")) is not None


def test_verdict_is_met_when_the_whole_interval_clears_the_target() -> None:
    session = db.session
    unit = factories.make_unit(session)
    target(session, threshold=0.9)
    many(session, unit, 60, 0)
    group = unit_group(session, UnitTree(session), unit, Q2, SETTINGS)
    assert group.headline is not None
    assert group.headline.verdict.status == "met"


def test_many_units_at_once_equal_one_unit_at_a_time() -> None:
    session = db.session
    parent = factories.make_unit(session, level="department")
    child = factories.make_unit(session, parent=parent)
    many(session, parent, 7, 2)
    many(session, child, 3, 3)
    tree = UnitTree(session)
    together = {g.key: g for g in units_groups(session, tree, [parent, child], Q2, SETTINGS)}
    for unit in (parent, child):
        alone = unit_group(session, tree, unit, Q2, SETTINGS)
        assert together[unit.code].satisfaction == alone.satisfaction
        assert together[unit.code].components == alone.components
        assert together[unit.code].sipas == alone.sipas


def test_figures_follow_new_excluded_and_included_responses_at_once(app) -> None:
    session = db.session
    unit = factories.make_unit(session)
    many(session, unit, 3, 0)

    def figure() -> tuple[int, int]:
        group = unit_group(session, UnitTree(session), unit, Q2, SETTINGS)
        return group.counts.n, group.counts.s

    assert figure() == (3, 3)
    late = answer(session, unit, {"overall": 1}, when=datetime(2026, 6, 2, tzinfo=UTC))
    assert figure() == (4, 3)
    integrity.mark_excluded(session, [late.id], excluded=True)
    assert figure() == (3, 3)
    integrity.mark_excluded(session, [late.id], excluded=False)
    assert figure() == (4, 3)
