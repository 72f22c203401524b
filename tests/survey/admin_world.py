"""A small world for the staff-route tests: unit A (with a child ward) and unit B, each with a desk,
a kiosk and a QR code, plus one of every other object an admin route can name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from survey.administration import api_tokens as tokens
from survey.collection import kiosks
from survey.extensions import db
from survey.models import Instrument, SectorGroup, Target, Unit
from tests.factories import make_qr_code, make_service_point, make_unit, make_user


@dataclass(frozen=True)
class World:
    """Ids only: the objects would be detached once the building app context ends."""

    a: int
    a_child: int
    b: int
    point_a: int
    point_b: int
    kiosk_a: int
    kiosk_b: int
    qr_a: int
    qr_b: int
    token_a: int
    user_a: int
    target: int
    instrument: int
    group: int


def build_world() -> World:
    session = db.session
    a = make_unit(session, level="department", name="Sở A")
    a_child = make_unit(session, parent=a, name="Phường thuộc A")
    b = make_unit(session, name="Phường B")
    point_a = make_service_point(session, a_child)
    point_b = make_service_point(session, b)
    kiosk_a, _code = kiosks.create_kiosk(session, None, point_a, label="Quầy A")
    kiosk_b, _code = kiosks.create_kiosk(session, None, point_b, label="Quầy B")
    token, _secret = tokens.issue_token(session, a, label="một cửa A")
    target = Target(
        code="T-TEST",
        jurisdiction="can_tho",
        source_document="Kế hoạch thử",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        object="agency_service",
        operator=">=",
        threshold=0.9,
        needs_confirmation=True,
    )
    group = SectorGroup(code="test+group", name="Nhóm thử")
    session.add_all([target, group])
    session.flush()
    instrument = session.query(Instrument).filter_by(key="sipas-short").first()
    assert instrument is not None
    world = World(
        a=a.id,
        a_child=a_child.id,
        b=b.id,
        point_a=point_a.id,
        point_b=point_b.id,
        kiosk_a=kiosk_a.id,
        kiosk_b=kiosk_b.id,
        qr_a=make_qr_code(session, point_a).id,
        qr_b=make_qr_code(session, point_b).id,
        token_a=token.id,
        user_a=make_user(session, role="unit_viewer", unit=a).id,
        target=target.id,
        instrument=instrument.id,
        group=group.id,
    )
    session.commit()
    return world


def login_as(app: Flask, client: FlaskClient, role: str, unit_id: int | None = None) -> int:
    """Log ``client`` in as a new user of ``role`` at unit ``unit_id``; returns the user's id."""
    with app.app_context():
        unit = db.session.get(Unit, unit_id) if unit_id else None
        user_id = make_user(db.session, role=role, unit=unit).id
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return user_id
