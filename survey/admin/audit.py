"""The audit log, read-only, for administrators; the chain is verified on every view."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from survey.admin import bp
from survey.administration import audit
from survey.auth import roles_required
from survey.extensions import db
from survey.models import AuditEntry

PAGE = 100


@bp.get("/audit")
@roles_required("admin")
def audit_log() -> str:
    before = request.args.get("before", type=int)
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(PAGE)
    if before:
        query = query.where(AuditEntry.id < before)
    entries = list(db.session.scalars(query))
    older = entries[-1].id if len(entries) == PAGE else None
    return render_template(
        "admin/audit.html", entries=entries, older=older, verification=audit.verify(db.session)
    )
