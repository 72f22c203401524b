"""Deterministic demo data for the merged Cần Thơ city: units, desks, kiosks, staff, responses,
and phản ánh, kiến nghị."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from survey.administration import targets
from survey.collection import instruments
from survey.demo import catalogue as cat
from survey.demo.complaints import generate_complaints
from survey.demo.responses import generate_responses, generate_volumes
from survey.extensions import AnySession
from survey.models import (
    Kiosk,
    Procedure,
    QrCode,
    Sector,
    SectorGroup,
    ServicePoint,
    Unit,
    User,
)
from survey.reporting import publication, rebuild

DEMO_PASSWORD = "hailong-demo"  # noqa: S105 - printed by `make run`; demo databases only
DEMO_USERS = [
    ("admin@sonoivu.cantho.gov.vn", "Nguyễn Thị Lan (Sở Nội vụ)", "admin", None),
    ("quanly@ninhkieu.cantho.gov.vn", "Trần Văn Minh (Phường Ninh Kiều)", "unit_manager",
     "CT-P-NINHKIEU"),
    ("xem@stp.cantho.gov.vn", "Lê Thị Hoa (Sở Tư pháp)", "unit_viewer", "CT-STP"),
    ("xuly@stp.cantho.gov.vn", "Phạm Văn Đức (Sở Tư pháp, xử lý phản ánh)", "unit_manager", "CT-STP"),
    ("xem@syt.cantho.gov.vn", "Võ Thị Mai (Sở Y tế)", "sector_viewer", None),
    ("xem@sgddt.cantho.gov.vn", "Huỳnh Văn Tâm (Sở Giáo dục và Đào tạo)", "sector_viewer", None),
]
# The sector departments' accounts see one sector across the city (survey/reporting/sectors.py).
DEMO_SECTORS = {"xem@syt.cantho.gov.vn": "health", "xem@sgddt.cantho.gov.vn": "education"}
# Per-person permissions (SPEC §6): reading comments, handling phản ánh, kiến nghị.
DEMO_PERMISSIONS = {
    "quanly@ninhkieu.cantho.gov.vn": {"handles_complaints": True},
    "xem@stp.cantho.gov.vn": {"reads_comments": True},
    "xuly@stp.cantho.gov.vn": {"handles_complaints": True},
}
DEMO_KIOSK_POINT = "DP-CT-P-NINHKIEU"


@dataclass
class Seeded:
    units: int
    procedures: int
    responses: int


def is_seeded(session: AnySession) -> bool:
    return session.scalar(select(Unit.id).limit(1)) is not None


def seed(session: AnySession, *, responses: int = 20_000, seed: int = 2025) -> Seeded:
    """Build the whole demo in one transaction (flushes; the caller commits)."""
    instruments.load_built_in(session)
    targets.load_seed(session)
    units = _units(session)
    sectors = _sectors(session)
    procedures = _procedures(session, units, sectors)
    points = _service_points(session, units)
    _kiosks_and_codes(session, points)
    _users(session, units)
    count = generate_responses(session, units, points, procedures, total=responses, seed=seed)
    rebuild.rebuild(session)  # the answers went in as bulk inserts, past the per-response path
    generate_volumes(session, units, seed=seed)
    generate_complaints(session, seed=seed)
    # As the scheduled drafting job (`flask jobs run-due`) would have: a draft for every report
    # whose day has come, for Sở Nội vụ to review and publish; none is published.
    publication.draft_due(session, now=datetime.now(UTC))
    return Seeded(units=len(units), procedures=len(procedures), responses=count)


def _units(session: AnySession) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for code, name, jurisdiction, valid_to, _successor in cat.PROVINCES:
        units[code] = Unit(code=code, name=name, level="city", jurisdiction=jurisdiction,
                           valid_from=cat.LONG_AGO, valid_to=valid_to)
    for code, name, _rate, _size in cat.DEPARTMENTS:
        units[code] = Unit(code=code, name=name, level="department", parent=units["CT"],
                           valid_from=cat.LONG_AGO)
    for code, name, _rate, _size, before in cat.COMMUNES:
        units[code] = Unit(code=code, name=name, level="commune", parent=units["CT"],
                           valid_from=cat.MERGER)
        if before:
            old_code, old_name, province = before
            units[old_code] = Unit(
                code=old_code, name=f"{old_name} (trước 01/7/2025)", level="commune",
                parent=units[province], jurisdiction=units[province].jurisdiction,
                valid_from=cat.LONG_AGO, valid_to=cat.BEFORE, successor=units[code],
            )
    for code, *_rest, successor in cat.PROVINCES:
        if successor:
            units[code].successor = units[successor]
    session.add_all(units.values())
    session.flush()
    return units


def _sectors(session: AnySession) -> dict[str, Sector]:
    sectors = {code: Sector(code=code, name=name) for code, name, _shift in cat.SECTORS}
    session.add_all(sectors.values())
    for code, name, members in cat.SECTOR_GROUPS:
        session.add(SectorGroup(code=code, name=name, sectors=[sectors[m] for m in members]))
    session.flush()
    return sectors


def _procedures(
    session: AnySession, units: dict[str, Unit], sectors: dict[str, Sector]
) -> dict[str, Procedure]:
    procedures = {
        code: Procedure(code=code, name=name, sector=sectors[sector], level=level,
                        unit=units[owner] if owner else None)
        for code, name, sector, level, owner in cat.PROCEDURES
    }
    session.add_all(procedures.values())
    session.flush()
    return procedures


def _service_points(session: AnySession, units: dict[str, Unit]) -> dict[str, ServicePoint]:
    points: dict[str, ServicePoint] = {}
    for code, unit in units.items():
        if unit.level == "city":
            continue
        if unit.level == "commune":
            name = f"Bộ phận một cửa {unit.name}"
            kind = "one_stop"
        else:
            name = f"Quầy {unit.name}, Trung tâm Phục vụ hành chính công"
            kind = "centre_counter"
        points[f"DP-{code}"] = ServicePoint(
            code=f"DP-{code}", name=name, kind=kind, unit=unit,
            valid_from=unit.valid_from, valid_to=unit.valid_to,
        )
    for code, name, kind, unit_code, _share, _shift in cat.SECTOR_POINTS:
        points[code] = ServicePoint(code=code, name=name, kind=kind, unit=units[unit_code])
    session.add_all(points.values())
    session.flush()
    return points


def _kiosks_and_codes(session: AnySession, points: dict[str, ServicePoint]) -> None:
    for code, point in points.items():
        if point.valid_to is not None:
            continue
        instrument = {"hospital": "health-short", "school": "education-short"}.get(
            point.kind, "sipas-short"
        )
        session.add(Kiosk(label=f"Máy tính bảng {code}", service_point=point,
                          instrument_key=instrument))
        session.add(QrCode(instrument_key=instrument.replace("short", "full")
                           if instrument == "sipas-short" else instrument,
                           unit=point.unit, service_point=point))
    session.flush()


def _users(session: AnySession, units: dict[str, Unit]) -> None:
    for email, name, role, unit_code in DEMO_USERS:
        session.add(User(
            email=email, name=name, role=role, unit=units[unit_code] if unit_code else None,
            password_hash=generate_password_hash(DEMO_PASSWORD), sector=DEMO_SECTORS.get(email),
            **DEMO_PERMISSIONS.get(email, {}),
        ))
    session.flush()
