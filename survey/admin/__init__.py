"""Sở Nội vụ administration: units, procedures, kiosks, QR codes, targets, users, audit."""

from flask import Blueprint, render_template

from survey.auth import roles_required

bp = Blueprint("admin", __name__)


@bp.get("/")
@roles_required("admin")
def index() -> str:
    return render_template("admin/index.html")

from survey.admin import province  # noqa: E402, F401  (routes register on import)
from survey.admin import integrity  # noqa: E402, F401  (gaming detection review)
