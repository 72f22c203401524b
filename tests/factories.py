"""Plain typed factory functions: ``make_unit(session, **overrides)`` and friends."""

from __future__ import annotations

import functools
import itertools
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from survey.collection import instruments
from survey.collection.responses import Context, Submission, record_response
from survey.extensions import db
from survey.models import Procedure, QrCode, Sector, ServicePoint, Unit, User

_serial = itertools.count(1)
PASSWORD = "correct horse battery staple"


def load_instruments() -> None:
    instruments.load_built_in(db.session)


def make_unit(session: Session, **overrides: Any) -> Unit:
    n = next(_serial)
    values: dict[str, Any] = {
        "code": f"U{n:04d}", "name": f"Phường Thử {n}", "level": "commune",
        "valid_from": date(2025, 7, 1),
    }
    values.update(overrides)
    unit = Unit(**values)
    session.add(unit)
    session.flush()
    return unit


def make_service_point(session: Session, unit: Unit | None = None, **overrides: Any) -> ServicePoint:
    n = next(_serial)
    values: dict[str, Any] = {"code": f"SP{n:04d}", "name": f"Bộ phận một cửa {n}",
                              "unit": unit or make_unit(session)}
    values.update(overrides)
    point = ServicePoint(**values)
    session.add(point)
    session.flush()
    return point


def make_procedure(session: Session, sector_code: str = "civil_status", **overrides: Any) -> Procedure:
    n = next(_serial)
    sector = session.query(Sector).filter_by(code=sector_code).one_or_none()
    if sector is None:
        sector = Sector(code=sector_code, name=sector_code)
        session.add(sector)
    values: dict[str, Any] = {"code": f"9.{n:06d}", "name": f"Thủ tục {n}", "sector": sector}
    values.update(overrides)
    procedure = Procedure(**values)
    session.add(procedure)
    session.flush()
    return procedure


@functools.cache
def _password_hash() -> str:
    """One scrypt hash for every test account (hashing costs a tenth of a second each)."""
    return generate_password_hash(PASSWORD)


def make_user(session: Session, *, role: str = "admin", unit: Unit | None = None,
              **overrides: Any) -> User:
    n = next(_serial)
    if role not in ("admin", "sector_viewer") and unit is None:
        unit = make_unit(session)
    values: dict[str, Any] = {
        "email": f"user{n}@example.gov.vn", "name": f"Cán bộ {n}", "role": role, "unit": unit,
        "password_hash": _password_hash(),
        "sector": "health" if role == "sector_viewer" else None,
    }
    values.update(overrides)
    user = User(**values)
    session.add(user)
    session.flush()
    return user


def make_qr_code(session: Session, point: ServicePoint | None = None, **overrides: Any) -> QrCode:
    point = point or make_service_point(session)
    values: dict[str, Any] = {"instrument_key": "sipas-full", "unit": point.unit,
                              "service_point": point}
    values.update(overrides)
    qr = QrCode(**values)
    session.add(qr)
    session.flush()
    return qr


def make_response(
    session: Session, *, unit: Unit, ratings: dict[str, int], channel: str = "qr",
    instrument_key: str = "sipas-full", submitted_at: datetime | None = None,
    **context: Any,
) -> str:
    """Record a response through the real write path; returns its idempotency key."""
    instrument = instruments.current(session, instrument_key)
    assert instrument is not None
    key = uuid.uuid4().hex
    outcome = record_response(
        session,
        Context.of(instrument, unit, channel, **context),
        Submission(idempotency_key=key, ratings=ratings,
                   submitted_at=submitted_at or datetime.now(UTC)),
    )
    assert outcome == "recorded"
    return key
