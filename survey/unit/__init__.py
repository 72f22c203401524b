"""An agency's own dashboard and reports, for its subtree only."""

from flask import Blueprint, render_template

from survey.auth import roles_required

bp = Blueprint("unit", __name__)


@bp.get("/")
@roles_required("admin", "unit_manager", "unit_viewer")
def dashboard() -> str:
    return render_template("unit/dashboard.html")
