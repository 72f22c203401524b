"""Report downloads (XLSX, CSV, JSON), the printable report and the SPEC §3 response CSV, for
the unit's own subtree. For every role below administrator they follow SPEC §6
(:mod:`survey.reporting.privacy`): no figure of fewer than ``min_n`` answers, answers dated by
their day only, and nothing newer than the dashboard's comments. They read the reporting session
(survey/database.py); the audit head printed on a report is the primary's."""

from __future__ import annotations

import io

from flask import Response, abort, render_template, request
from flask_login import current_user

from survey.administration import access, audit
from survey.auth import roles_required
from survey.collection import exporting
from survey.database import reporting_session
from survey.extensions import db
from survey.models import Unit
from survey.periods import Period
from survey.reporting import documents, excel_csv, privacy, reports, workbook
from survey.unit import bp, comments_before, requested_period, settings, visible_unit

MEDIA = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv; charset=utf-8", "json": "application/json"}


def download(report: reports.Report, fmt: str, name: str) -> Response:
    if fmt not in MEDIA:
        abort(404)
    if fmt == "xlsx":
        body: bytes | str = workbook.as_xlsx(report)
    elif fmt == "csv" and request.args.get("dang") == "excel":
        body = excel_csv.as_excel_csv(report)
    else:
        body = reports.as_csv(report) if fmt == "csv" else reports.as_json(report)
    filename = f"hai-long-{name}-{report.period.label}.{fmt}"
    return Response(body, mimetype=MEDIA[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def built(unit: Unit, period: Period) -> reports.Report:
    """The unit's report, protected for a role below administrator."""
    min_n = settings().min_n
    protect = None if access.sees_small_cells(current_user) else lambda r: privacy.report(r, min_n)
    return reports.shared(reporting_session(), period, settings(), unit, protect=protect)


@bp.get("/report.<fmt>")
@roles_required("admin", "unit_manager", "unit_viewer")
def report(fmt: str) -> Response:
    unit, period = visible_unit(access.tree(reporting_session())), requested_period()
    return download(built(unit, period), fmt, unit.code)


@bp.get("/responses.csv")
@roles_required("admin", "unit_manager", "unit_viewer")
def responses_export() -> Response:
    """The SPEC §3 CSV of the unit's roll-up in the period (comments only for those who may read them)."""
    reading = reporting_session()
    unit, period = visible_unit(access.tree(reading)), requested_period()
    admin = access.sees_small_cells(current_user)
    query = exporting.response_query(start=period.start, end=period.end,
                                     unit_ids=access.reach(reading, unit),
                                     before=None if admin else comments_before())
    out = io.StringIO()
    exporting.write_csv(reading, out, query, day_only=not admin,
                        with_comments=access.may_read_comments(db.session, current_user, unit))
    name = f"hai-long-phieu-{unit.code}-{period.label}.csv"
    return Response(out.getvalue(), mimetype=MEDIA["csv"],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/report/print")
@roles_required("admin", "unit_manager", "unit_viewer")
def printable() -> str:
    unit, period = visible_unit(access.tree(reporting_session())), requested_period()
    report_ = built(unit, period)
    return render_template("reports/printable.html", report=report_, unit=unit,
                           level=settings().level, method_note=reports.METHOD_NOTE,
                           audit_head=audit.head(db.session), issuer=documents.issuer(unit))
