"""What every staff view of the admin blueprint shares: scoped look-ups and choice lists."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, Any, TypeVar

from flask import Response, abort, flash, make_response, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from survey.administration import access
from survey.extensions import db
from survey.models import ServicePoint, Unit

M = TypeVar("M")
T = TypeVar("T")
STAFF = ("admin", "unit_manager", "unit_viewer")
MANAGERS = ("admin", "unit_manager")


def visible_ids() -> frozenset[int] | None:
    """The units the current user may see (None: all), by the one access rule."""
    return access.visible_unit_ids(db.session, current_user)


def sees(unit: Unit | None) -> bool:
    return access.can_view(db.session, current_user, unit)


def manages(unit: Unit | None) -> bool:
    return access.can_manage(db.session, current_user, unit)


def unit_of(obj: Any) -> Unit | None:
    return (
        obj
        if isinstance(obj, Unit)
        else getattr(obj, "unit", None) or getattr(getattr(obj, "service_point", None), "unit", None)
    )


def scoped(model: type[M], object_id: object, *, manage: bool = False) -> M:
    """The object with this id if the current user may see it (404 otherwise: ids are not
    revealed), and manage it when ``manage`` (403 for a viewer of the unit)."""
    obj = db.session.get(model, object_id) if isinstance(object_id, int) else None
    if obj is None or not sees(unit_of(obj)):
        abort(404)
    if manage and not manages(unit_of(obj)):
        abort(403)
    return obj


def form_id(name: str) -> int | None:
    """An integer id from the posted form (None when absent or not a number)."""
    from flask import request

    value = request.form.get(name, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def visible_units(*, open_only: bool = False) -> list[Unit]:
    query = select(Unit).order_by(Unit.code)
    ids = visible_ids()
    if ids is not None:
        query = query.where(Unit.id.in_(ids))
    if open_only:
        query = query.where(Unit.valid_to.is_(None))
    return list(db.session.scalars(query))


def managed_units() -> list[Unit]:
    """The open units the current user may manage: where a new desk or QR code may go."""
    return [u for u in visible_units(open_only=True) if manages(u)]


def visible_points() -> list[ServicePoint]:
    query = select(ServicePoint).order_by(ServicePoint.code)
    ids = visible_ids()
    if ids is not None:
        query = query.where(ServicePoint.unit_id.in_(ids))
    return list(db.session.scalars(query))


def options(pairs: list[tuple[str, Any]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def choices(rows: list[Any], *, blank: str | None = None) -> list[SelectChoice]:
    """Units, desks, procedures … as choices ``code · name`` valued by id, ``blank`` first if given."""
    pairs = [("", blank)] if blank is not None else []
    return options(pairs + [(str(row.id), f"{row.code} · {row.name}") for row in rows])


def posted(model: type[M], name: str) -> M | None:
    """The object whose id was posted in field ``name``: None when absent, 404/403 when out of reach."""
    object_id = form_id(name)
    return None if object_id is None else scoped(model, object_id, manage=True)


def managed_points() -> list[ServicePoint]:
    """The service points the current user may manage: where a kiosk, a QR code or a paper form goes."""
    return [p for p in visible_points() if manages(p.unit)]


def refuse(error: Exception) -> None:
    """A write broke a business rule: undo it and tell the user why (the view shows the form again).

    Service errors carry translatable messages, so ``str`` gives the user's language."""
    db.session.rollback()
    flash(str(error), "error")


def no_store(page: str) -> Response:
    """A page showing a secret once (enrolment code, API token): never cached, never replayed."""
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


class ImportForm(FlaskForm):
    file = FileField(_l("Tệp CSV"), validators=[FileRequired()])


def run_import(form: ImportForm, back: str, run: Callable[[IO[str]], T]) -> T:
    """Run ``run`` on the uploaded CSV (UTF-8, with or without BOM). A file with errors rolls back
    and ends the request with a page listing every problem (row and column), status 400."""
    try:
        return run(io.StringIO(form.file.data.read().decode("utf-8-sig")))
    except UnicodeDecodeError:
        problems: list[object] = [_("Tệp không phải UTF-8.")]
    except ValueError as error:  # ImportFailed names rows and columns; TreeError one broken rule
        problems = list(getattr(error, "problems", None) or [str(error)])
    db.session.rollback()
    abort(make_response(render_template("admin/import_errors.html", problems=problems, back=back), 400))
