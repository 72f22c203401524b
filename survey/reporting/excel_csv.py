"""The report as a CSV that Excel set to Vietnamese opens as it is: BOM, ';', decimal commas.

The SPEC §5 CSV (:func:`survey.reporting.reports.as_csv`) stays the contract for programs: English
column names, dot decimals, rates as fractions. This one is for people: Vietnamese headers,
rates in per cent with a decimal comma, verdicts in words. Excel reads a UTF-8 file as UTF-8 only
when it starts with a byte-order mark, and a Vietnamese Windows uses ';' to separate a list.
"""

from __future__ import annotations

import csv
import io

from survey.reporting.groups import Group
from survey.reporting.reports import COMPONENTS, Report
from survey.reporting.workbook import STATUS

COMPONENT_HEADERS = {"access": "Tiếp cận dịch vụ (%)", "procedure": "Thủ tục hành chính (%)",
                     "staff": "Công chức (%)", "result": "Kết quả (%)", "feedback": "Góp ý, phản ánh (%)"}
HEADER = ["Mã đơn vị", "Đơn vị", "Kỳ", "Số phiếu", "Số câu trả lời", "Tỷ lệ hài lòng (%)",
          "Cận dưới (%)", "Cận trên (%)", *(COMPONENT_HEADERS[c] for c in COMPONENTS), "SIPAS (%)",
          "Chỉ tiêu (%)", "Kết luận"]


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}".replace(".", ",")


def _row(report: Report, g: Group) -> list[object]:
    s, check = g.satisfaction, g.headline
    return [g.key, g.label, report.period.label, g.responses, g.counts.n,
            _percent(s.value if s else None), _percent(s.ci_low if s else None),
            _percent(s.ci_high if s else None),
            *(_percent(g.components[c].value if c in g.components else None) for c in COMPONENTS),
            _percent(g.sipas.value if g.sipas else None),
            _percent(check.target.threshold if check else None),
            STATUS[check.verdict.status] if check else ""]


def as_excel_csv(report: Report) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for g in report.groups:
        writer.writerow(_row(report, g))
    return "\ufeff".encode() + out.getvalue().encode()
