"""Quarterly, 6-month and annual reports: JSON (SPEC §5 shape), CSV and XLSX.

The same function feeds the ``report`` command and the dashboards' downloads, so a downloaded
file always equals what the command prints.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from analysis import SIPAS_COMPONENTS as COMPONENTS
from survey.administration.units import UnitTree
from survey.collection import instruments
from survey.extensions import AnySession
from survey.models import SectorGroup, Unit
from survey.periods import LOCAL, Period
from survey.reporting import cache, queries, ranking, stats
from survey.reporting.groups import Group, Settings, base_scope, breakdown, units_groups

METHOD_NOTE = [
    "Tỷ lệ hài lòng = số câu trả lời 4 hoặc 5 (Hài lòng, Rất hài lòng) / số câu trả lời câu hỏi "
    "chung; câu bỏ qua không tính.",
    "Khoảng tin cậy của một tỷ lệ: khoảng Wilson (Brown, Cai & DasGupta 2001).",
    "Chỉ số thành phần = trung bình tỷ lệ hài lòng của các câu thuộc thành phần; SIPAS = trung bình "
    "5 thành phần. Khoảng tin cậy tính bằng tuyến tính hóa theo người trả lời (Lumley, Complex "
    "Surveys), rồi khoảng Wilson theo cỡ mẫu hiệu dụng.",
    "Kết luận so với chỉ tiêu: Đạt khi cận dưới của khoảng tin cậy đạt chỉ tiêu; Không đạt khi cận "
    "trên thấp hơn chỉ tiêu; Chưa kết luận được khi khoảng tin cậy chứa chỉ tiêu; Chưa đủ dữ liệu "
    "khi ít hơn số câu trả lời tối thiểu.",
    "Số liệu của một đơn vị gồm các đơn vị trực thuộc và lịch sử của các đơn vị đã sáp nhập vào "
    "đơn vị đó (từ 01/7/2025). Phiếu bị loại (nghi vấn) không được tính.",
    "Chỉ số theo Quyết định 766/QĐ-TTg tính cả hồ sơ không đánh giá là hài lòng, nên không so sánh "
    "được với tỷ lệ hài lòng khảo sát và được trình bày riêng.",
    "Xếp hạng (báo cáo toàn thành phố): sở, ban, ngành xếp riêng, xã, phường xếp riêng, theo tỷ lệ "
    "hài lòng đã hiệu chỉnh (Bayes thực nghiệm), chỉ các đơn vị có đủ số câu trả lời tối thiểu trong "
    "năm. Khoảng hạng 95 % lấy từ 4000 lần mô phỏng có hạt giống cố định. Hai đơn vị có khoảng hạng "
    "chồng nhau thì chưa phân biệt được; không dùng riêng thứ hạng để thi đua, khen thưởng. Khi so "
    "sánh, đơn vị mới sau sáp nhập chỉ tính phiếu của chính mình, phiếu của đơn vị cũ tính riêng.",
]


REPORT_BREAKDOWNS = ("procedure", "sector", "channel")


@dataclass
class Report:
    period: Period
    settings: Settings
    groups: list[Group]
    units: list[Unit]
    generated: datetime
    sector_groups: list[tuple[SectorGroup, Group, list[Any]]]
    rankings: list[ranking.RankTable] = field(default_factory=list)
    item_labels: dict[str, str] = field(default_factory=dict)
    # The whole report's answers by procedure, sector, channel (as on the agency dashboard), and
    # its "what went wrong" tallies (code, responses, the choice's wording).
    breakdowns: dict[str, list[Group]] = field(default_factory=dict)
    problems: list[tuple[str, int, str]] = field(default_factory=list)


def build(session: AnySession, period: Period, settings: Settings, unit: Unit | None = None) -> Report:
    """The unit (rolled up) and its units open in the period; without a unit, the whole tree."""
    from survey.reporting.dashboards import names, sector_groups

    tree = UnitTree(session)
    if unit is None:
        root = tree.province()
        units = ([root] if root else []) + [u for u in tree.open_during(period, ("department", "commune"))
                                             if u is not root]
    else:
        inside = set(tree.rollup(unit.id)) - {unit.id}
        units = [unit] + [u for u in tree.open_during(period, ("city", "department", "commune"))
                          if u.id in inside and u.parent_id == unit.id]
        root = unit
    groups = units_groups(session, tree, units, period, settings,
                          unit_ids=None if unit is None else tree.rollup(unit.id))
    sector = sector_groups(session, tree, root, period, settings) if root else []
    ranks = ranking.yearly(session, tree, period, settings) if unit is None else []
    scope = base_scope(tree.rollup(root.id) if root else [], period)
    wording = instruments.problem_names()
    return Report(period, settings, groups, units, datetime.now(LOCAL), sector, ranks,
                  instruments.item_labels(session),
                  breakdowns={d: breakdown(session, scope, d, names(session, d), settings)
                              for d in REPORT_BREAKDOWNS},
                  problems=[(code, count, wording.get(code, code))
                            for code, count in queries.problem_tallies(session, scope)])


def shared(session: AnySession, period: Period, settings: Settings, unit: Unit | None = None,
           *, protect: Callable[[Report], object] | None = None) -> Report:
    """:func:`build`, once for a page's four downloads while the answers stay as they are.

    Kept for the request by :mod:`survey.reporting.cache`. ``protect`` (the unit roles'
    suppression) is applied before the report is kept, and a protected report is kept apart
    from the full one; a kept report is only read, never changed.
    """
    key = ("report", period.label, settings, None if unit is None else unit.id, protect is not None)

    def compute() -> Report:
        report = build(session, period, settings, unit)
        if protect is not None:
            protect(report)
        return report

    return cache.remember(session, key, compute)


def _estimate(e: stats.Estimate | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {"estimate": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high, "n": e.n,
            "method": e.method}


def _verdict(v: stats.Verdict) -> dict[str, Any]:
    return {"threshold": v.threshold, "operator": v.operator, "status": v.status,
            "responses_needed": v.responses_needed, "responses_for_80": v.responses_for_80,
            "too_close": v.too_close}


def as_json_object(report: Report) -> dict[str, Any]:
    """SPEC §5's object: one group per unit, ``verdict`` against the agency_service target."""
    groups = []
    for g in report.groups:
        item: dict[str, Any] = {
            "by": {"unit_code": g.key, "period": report.period.label},
            "name": g.label,
            "n": g.responses,
            "satisfaction": _estimate(g.satisfaction),
            "components": {c: _estimate(g.components.get(c)) for c in COMPONENTS},
            "sipas": _estimate(g.sipas),
            "items": {key: _estimate(e) for key, e in sorted(g.items.items())},
        }
        if g.headline is not None:
            item["verdict"] = _verdict(g.headline.verdict)
            item["target"] = g.headline.target.code
        groups.append(item)
    return {"level": report.settings.level, "period": report.period.label,
            "min_n": report.settings.min_n, "groups": groups}


def as_json(report: Report) -> str:
    return json.dumps(as_json_object(report), ensure_ascii=False, indent=1)


CSV_COLUMNS = ["unit_code", "unit_name", "period", "n", "answers", "satisfaction", "ci_low",
               "ci_high", *COMPONENTS, "sipas", "target", "operator", "threshold", "verdict",
               "responses_needed"]


def _row(report: Report, g: Group) -> list[Any]:
    s = g.satisfaction
    check = g.headline
    return [g.key, g.label, report.period.label, g.responses, g.counts.n,
            s.value if s else None, s.ci_low if s else None, s.ci_high if s else None,
            *[g.components[c].value if c in g.components else None for c in COMPONENTS],
            g.sipas.value if g.sipas else None,
            check.target.code if check else None, check.target.operator if check else None,
            check.target.threshold if check else None, check.verdict.status if check else None,
            check.verdict.responses_needed if check else None]


def as_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for g in report.groups:
        writer.writerow(["" if v is None else v for v in _row(report, g)])
    return out.getvalue()
