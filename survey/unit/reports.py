"""Report downloads (XLSX, CSV, JSON) and the printable report, for the unit's own subtree."""

from __future__ import annotations

from flask import Response, abort, render_template

from survey.administration import access, audit
from survey.auth import roles_required
from survey.extensions import db
from survey.reporting import reports, workbook
from survey.unit import bp, requested_period, settings, visible_unit

MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv; charset=utf-8", "json": "application/json"}


def download(report: reports.Report, fmt: str, name: str) -> Response:
    if fmt not in MEDIA:
        abort(404)
    if fmt == "xlsx":
        body: bytes | str = workbook.as_xlsx(report)
    else:
        body = reports.as_csv(report) if fmt == "csv" else reports.as_json(report)
    filename = f"hai-long-{name}-{report.period.label}.{fmt}"
    return Response(body, mimetype=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/report.<fmt>")
@roles_required("admin", "unit_manager", "unit_viewer")
def report(fmt: str) -> Response:
    unit, period = visible_unit(access.tree(db.session)), requested_period()
    return download(reports.build(db.session, period, settings(), unit), fmt, unit.code)


@bp.get("/report/print")
@roles_required("admin", "unit_manager", "unit_viewer")
def printable() -> str:
    unit, period = visible_unit(access.tree(db.session)), requested_period()
    report_ = reports.build(db.session, period, settings(), unit)
    return render_template("reports/printable.html", report=report_, unit=unit,
                           level=settings().level, method_note=reports.METHOD_NOTE,
                           audit_head=audit.head(db.session))
