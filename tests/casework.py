"""Shared pieces of the phản ánh, kiến nghị tests: an office with its handlers, a case, the
outbox worker, and the SMTP settings of a test server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from survey.casework import cases
from survey.casework.contacts import Contact
from survey.extensions import db
from survey.messaging import outbox
from survey.models import Complaint
from tests.factories import make_service_point, make_unit, make_user


@dataclass(frozen=True)
class Office:
    """A department with a ward below it, a desk at the ward, and their people (ids only)."""

    parent: int
    ward: int
    other: int  # a ward elsewhere
    point: int
    handler: int  # handles the ward's cases
    parent_handler: int  # handles the department's
    other_handler: int  # handles the other ward's
    manager: int  # a manager of the ward who does not handle cases
    admin: int
    handler_email: str
    parent_email: str
    admin_email: str


def build_office(session: Session) -> Office:
    parent = make_unit(session, level="department", name="Sở Thử")
    ward = make_unit(session, parent=parent, name="Phường Thử Nghiệm")
    other = make_unit(session, name="Phường Khác")
    point = make_service_point(session, ward, name="Bộ phận một cửa Phường Thử Nghiệm")
    handler = make_user(session, role="unit_manager", unit=ward, handles_complaints=True)
    parent_handler = make_user(session, role="unit_manager", unit=parent, handles_complaints=True)
    other_handler = make_user(session, role="unit_manager", unit=other, handles_complaints=True)
    manager = make_user(session, role="unit_manager", unit=ward)
    admin = make_user(session, role="admin")
    office = Office(parent.id, ward.id, other.id, point.id, handler.id, parent_handler.id,
                    other_handler.id, manager.id, admin.id, handler.email, parent_handler.email,
                    admin.email)
    session.commit()
    return office


def file_case(session: Session, unit_id: int, *, text: str = "Phải chờ hơn một tiếng.",
              contact: Contact | None = None, received_at: datetime | None = None,
              **values: Any) -> Complaint:
    case, _created = cases.receive(session, None, cases.Intake(
        unit_id=unit_id, kind=values.pop("kind", "phan_anh"), channel=values.pop("channel", "desk"),
        text=text, contact=contact or Contact(), received_at=received_at, **values))
    return case


def drain(app: Flask, rounds: int = 1) -> outbox.Tally:
    """Run the outbox worker ``rounds`` times (what ``flask outbox run --once`` does)."""
    total = outbox.Tally()
    with app.app_context():
        for _ in range(rounds):
            tally = outbox.run_once(db.session, app.config, worker="test")
            total.sent += tally.sent
            total.retry += tally.retry
            total.failed += tally.failed
    return total


@contextmanager
def configured(app: Flask, **values: Any) -> Iterator[None]:
    saved = {key: app.config.get(key) for key in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(saved)


@contextmanager
def smtp_settings(app: Flask, port: int) -> Iterator[None]:
    with configured(app, MAIL_DRIVER="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none",
                    SMTP_TIMEOUT=5):
        yield
