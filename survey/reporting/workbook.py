"""The XLSX report (openpyxl): summary, per-unit table, components, sector groups, the answers by
procedure, sector, channel and "what went wrong", ranking, method. Numbers are numbers (rates
formatted as percentages), dates are dates; what :mod:`survey.reporting.privacy` hid is blank."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from survey.labels import label
from survey.periods import LOCAL
from survey.reporting.privacy import FOLDED
from survey.reporting.reports import COMPONENTS, METHOD_NOTE, Report

PERCENT = "0.0%"
DAY = "dd/mm/yyyy"  # dates are dates in the sheet, shown the Vietnamese way
OPERATORS = {">=": "≥", ">": ">"}  # how a target reads: "≥ 90 %"
STATUS = {"met": "Đạt", "not_met": "Không đạt", "inconclusive": "Chưa kết luận được",
          "insufficient": "Chưa đủ dữ liệu"}

PARTS = {"health": "y tế", "education": "giáo dục"}  # a public-services target's two parts

BOLD = Font(bold=True)


def _table(sheet: Worksheet, header: list[str], rows: list[list[Any]], percent_from: int) -> None:
    # The header's row number is read once: ``max_row`` scans every cell of the sheet.
    sheet.append(header)
    top = sheet.max_row
    for cell in sheet[top]:
        cell.font = BOLD
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=top + 1, max_row=top + len(rows), min_col=percent_from + 1):
        for cell in cells:
            if isinstance(cell.value, float):
                cell.number_format = PERCENT
    sheet.freeze_panes = "A2" if sheet.max_row > 1 else None
    for column, width in zip("ABCDEFGHIJKL", (16, 40, 10, 12, 12, 12, 12, 14, 18, 12, 12, 12),
                             strict=False):
        sheet.column_dimensions[column].width = width


COMPONENT_NAMES = {"access": "Tiếp cận dịch vụ", "procedure": "Thủ tục hành chính",
                   "staff": "Công chức phục vụ", "result": "Kết quả giải quyết",
                   "feedback": "Tiếp nhận, xử lý góp ý"}
TOO_CLOSE = "quá sát chỉ tiêu để kết luận"


def _needed(verdict: Any) -> tuple[Any, Any]:
    """The two planning figures, or the words a page uses when they are implausible."""
    if verdict is None:
        return None, None
    if verdict.too_close:
        return TOO_CLOSE, None
    return verdict.responses_needed, verdict.responses_for_80


LEVEL_NAMES = {"department": "Sở, ban, ngành", "commune": "Xã, phường"}


def _ranking_sheet(sheet: Worksheet, report: Report) -> None:
    """One block per level: rank (ties share it), rank interval, shrunken rate, n."""
    year = report.rankings[0].period.label
    rows: list[list[Any]] = []
    for table in report.rankings:
        for r in table.rows:
            rows.append([LEVEL_NAMES.get(table.level, table.level), r.rank,
                         "đồng hạng" if r.tied else None, r.rank_low, r.rank_high, r.group.key,
                         r.group.label, r.group.counts.n, r.shrunk,
                         r.group.satisfaction.value if r.group.satisfaction else None,
                         None if r.rank is not None else
                         f"chưa xếp hạng: ít hơn {report.settings.min_n} câu trả lời",
                         "; ".join(f"không gồm phiếu của {u} (tính riêng)" for u in r.group.apart)
                         or None])
    _table(sheet, ["Cấp", f"Hạng năm {year}", "Đồng hạng", "Khoảng hạng từ", "đến", "Mã",
                   "Đơn vị", "Số câu trả lời", "Tỷ lệ đã hiệu chỉnh", "Tỷ lệ hài lòng",
                   "Ghi chú", "Sáp nhập"], rows, 8)
    sheet.append([])
    sheet.append(["Hai đơn vị có khoảng hạng chồng nhau thì chưa phân biệt được đơn vị nào tốt "
                  "hơn. Không dùng riêng thứ hạng để thi đua, khen thưởng."])


BREAKDOWN_SHEETS = {"procedure": ("Theo thủ tục", "Thủ tục hành chính"),
                    "sector": ("Theo lĩnh vực", "Lĩnh vực"), "channel": ("Theo kênh", "Kênh khảo sát")}


def _breakdown_sheets(book: Workbook, report: Report) -> None:
    """One sheet per dimension, rows as on the dashboard (small ones folded by privacy), then the
    "what went wrong" tallies."""
    for dimension, (title, column) in BREAKDOWN_SHEETS.items():
        rows = []
        for g in report.breakdowns.get(dimension, []):
            name = (str(label(g.key, "channel")) if dimension == "channel" and g.key != FOLDED
                    else g.label)
            s = g.satisfaction
            rows.append([report.period.start, report.period.end, name, g.responses, g.counts.n,
                         *((s.value, s.ci_low, s.ci_high) if s else (None, None, None))])
        sheet = book.create_sheet(title)
        _table(sheet, ["Từ ngày", "Đến ngày", column, "Số phiếu", "Số câu trả lời",
                       "Tỷ lệ hài lòng", "Cận dưới", "Cận trên"], rows, 5)
        _dates(sheet)
    problems = book.create_sheet("Điều chưa tốt")
    _table(problems, ["Từ ngày", "Đến ngày", "Điều người dân nêu là chưa tốt", "Số phiếu chọn"],
           [[report.period.start, report.period.end, wording, count]
            for _code, count, wording in report.problems], 4)
    _dates(problems)
    if not report.problems:
        problems.append([None, None, f"Không có hoặc chưa đủ {report.settings.min_n} phiếu để nêu."])


def _dates(sheet: Worksheet) -> None:
    for row in sheet.iter_rows(min_row=2, max_col=2):
        for cell in row:
            cell.number_format = DAY
    sheet.column_dimensions["A"].width = sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 48


def as_xlsx(report: Report) -> bytes:
    book = Workbook()
    summary = book.worksheets[0]
    summary.title = "Tóm tắt"
    summary.append(["Báo cáo kết quả khảo sát sự hài lòng"])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["Kỳ báo cáo", report.period.label])
    summary.append(["Từ ngày", report.period.start, "đến ngày", report.period.end])
    summary["B3"].number_format = summary["D3"].number_format = DAY
    summary.append(["Độ tin cậy", report.settings.level])
    summary["B4"].number_format = "0%"
    summary.append(["Số câu trả lời tối thiểu để kết luận", report.settings.min_n])
    summary.append(["Lập lúc", report.generated.astimezone(LOCAL).replace(tzinfo=None)])
    summary["B6"].number_format = "dd/mm/yyyy hh:mm"
    summary.append([])
    if report.groups:
        top = report.groups[0]
        s = top.satisfaction
        summary.append(["Đơn vị", top.label])
        summary.append(["Số phiếu", top.responses])
        summary.append(["Tỷ lệ hài lòng", s.value if s else None, "khoảng tin cậy",
                        s.ci_low if s else None, s.ci_high if s else None])
        for cell in summary[summary.max_row][1:]:
            cell.number_format = PERCENT
        for check in top.checks:
            part = f" (phần {PARTS.get(check.part, check.part)})" if check.part else ""
            summary.append([f"Chỉ tiêu: {label(check.target.object, 'target_object')}{part} "
                            f"({check.target.code})", check.target.threshold,
                            OPERATORS.get(check.target.operator, check.target.operator),
                            STATUS[check.verdict.status]])
            summary[summary.max_row][1].number_format = PERCENT
    summary.column_dimensions["A"].width = 38

    units = book.create_sheet("Đơn vị")
    _table(units, ["Mã", "Đơn vị", "Số phiếu", "Số câu trả lời", "Tỷ lệ hài lòng", "Cận dưới",
                   "Cận trên", "Chỉ tiêu", "Kết luận", "Cần thêm phiếu (1/2 khả năng)",
                   "Cần thêm phiếu (8/10 khả năng)"],
           [[g.key, g.label, g.responses, g.counts.n,
             *(x for x in ((g.satisfaction.value, g.satisfaction.ci_low, g.satisfaction.ci_high)
                           if g.satisfaction else (None, None, None))),
             g.headline.target.threshold if g.headline else None,
             STATUS[g.headline.verdict.status] if g.headline else None,
             *_needed(g.headline.verdict if g.headline else None)]
            for g in report.groups], 4)

    comps = book.create_sheet("Thành phần")
    _table(comps, ["Mã", "Đơn vị", "Tiếp cận", "Thủ tục", "Công chức", "Kết quả", "Góp ý", "SIPAS"],
           [[g.key, g.label, *(g.components[c].value if c in g.components else None
                               for c in COMPONENTS), g.sipas.value if g.sipas else None]
            for g in report.groups], 2)

    items = book.create_sheet("Từng câu hỏi")
    _table(items, ["Mã", "Đơn vị", "Thành phần", "Câu hỏi", "Số câu trả lời", "Tỷ lệ hài lòng",
                   "Cận dưới", "Cận trên"],
           [[g.key, g.label, COMPONENT_NAMES.get(key.split(".")[0], ""),
             report.item_labels.get(key, "Câu hỏi khác"), e.n, e.value, e.ci_low, e.ci_high]
            for g in report.groups for key, e in sorted(g.items.items())], 5)

    sectors = book.create_sheet("Nhóm lĩnh vực")
    _table(sectors, ["Mã nhóm", "Nhóm lĩnh vực", "Số câu trả lời", "Tỷ lệ hài lòng", "Cận dưới",
                     "Cận trên", "Chỉ tiêu", "Kết luận"],
           [[sg.code, sg.name, g.counts.n,
             *((g.satisfaction.value, g.satisfaction.ci_low, g.satisfaction.ci_high)
               if g.satisfaction else (None, None, None)),
             "; ".join(f"{label(t.object, 'target_object')} ({t.code}) "
                       f"{OPERATORS.get(t.operator, t.operator)} {t.threshold * 100:.0f} %"
                       for t, _e, _v in checks),
             "; ".join(STATUS[v.status] for _t, _e, v in checks)]
            for sg, g, checks in report.sector_groups], 3)

    _breakdown_sheets(book, report)

    if report.rankings:
        _ranking_sheet(book.create_sheet("Xếp hạng"), report)

    method = book.create_sheet("Phương pháp")
    method.append(["Phương pháp tính"])
    method["A1"].font = Font(bold=True)
    for line in METHOD_NOTE:
        method.append([line])
    method.column_dimensions["A"].width = 120
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
