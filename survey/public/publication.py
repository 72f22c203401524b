"""Công khai kết quả xử lý phản ánh, kiến nghị: per unit and for the city, per month, on screen
and as an A4 notice for the office wall. No log-in; only counts and the replies the citizens
agreed to publish, anonymised."""

from __future__ import annotations

from flask import abort, make_response, render_template, request
from werkzeug.wrappers import Response

from survey.administration import access
from survey.casework import publication
from survey.extensions import db
from survey.models import Unit
from survey.periods import Period, parse_period, series, today
from survey.public import bp


def _month() -> Period:
    label = request.args.get("thang") or today().strftime("%Y-%m")
    try:
        period = parse_period(label)
    except ValueError:
        abort(404)
    if period.kind != "month":
        abort(404)
    return period


def _page(unit: Unit, template: str) -> Response:
    tree = access.tree(db.session)
    period = _month()
    figures = publication.month(db.session, tree.rollup(unit.id), period, today())
    children = [tree.units[i] for i in tree.children.get(unit.id, ())]
    children = [c for c in children if c.valid_to is None or c.valid_to >= period.start]
    rows = [(child, sum((figures.by_unit[i] for i in tree.rollup(child.id) if i in figures.by_unit),
                        publication.Tally())) for child in children]
    page = make_response(render_template(
        template, unit=unit, period=period, figures=figures, rows=[r for r in rows if r[1].received],
        months=series(period, 6)[-2::-1], today=today()))
    page.headers["Cache-Control"] = "public, max-age=300"
    return page


def _unit(code: str | None) -> Unit:
    tree = access.tree(db.session)
    unit = tree.by_code.get(code) if code else tree.province()
    if unit is None:
        abort(404)
    return unit


@bp.get("/cong-khai/phan-anh")
@bp.get("/cong-khai/phan-anh/<code>")
def complaints_public(code: str | None = None) -> Response:
    return _page(_unit(code), "public/complaints_month.html")


@bp.get("/cong-khai/phan-anh/<code>/ban-in")
def complaints_notice(code: str) -> Response:
    return _page(_unit(code), "public/complaints_notice.html")
