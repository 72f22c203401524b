"""Sở Nội vụ administration: units, procedures, kiosks, QR codes, targets, users, audit.

Unit managers and viewers use the service point, kiosk and QR code pages too, limited to their
unit's reach (its roll-up) by the one access rule, :mod:`survey.administration.access`.
"""

from flask import Blueprint, render_template
from sqlalchemy import func, select

from survey.auth import roles_required
from survey.extensions import db
from survey.models import Kiosk, QrCode, ServicePoint, Target, Unit

bp = Blueprint("admin", __name__)

from survey.admin.common import visible_ids  # noqa: E402  (imports bp's package)


@bp.get("/")
@roles_required("admin", "unit_manager", "unit_viewer")
def index() -> str:
    ids = visible_ids()

    def count(model, column):
        query = select(func.count()).select_from(model)
        return db.session.scalar(query if ids is None else query.where(column.in_(ids))) or 0

    def kiosk_count(*where):
        mine = [] if ids is None else [ServicePoint.unit_id.in_(ids)]
        query = select(func.count()).select_from(Kiosk).join(ServicePoint)
        return db.session.scalar(query.where(Kiosk.revoked_at.is_(None), *where, *mine)) or 0

    counts = {
        "units": count(Unit, Unit.id),
        "points": count(ServicePoint, ServicePoint.unit_id),
        "kiosks": kiosk_count(Kiosk.device_secret_hash.is_not(None)),
        "kiosks_waiting": kiosk_count(Kiosk.device_secret_hash.is_(None)),
        "qr": count(QrCode, QrCode.unit_id),
        "targets_to_confirm": db.session.scalar(
            select(func.count()).select_from(Target).where(Target.needs_confirmation.is_(True))
        )
        or 0,
    }
    return render_template("admin/index.html", counts=counts)


# Routes register on import.
from survey.admin import (  # noqa: E402, F401  # noqa: E402, F401
    audit,
    indices,
    instruments,
    integrity,
    jobs,
    kiosks,
    messaging,
    paper,
    points,
    procedures,
    province,
    qrcodes,
    report_calendar,
    report_issues,
    targets,
    units,
    users,
)
