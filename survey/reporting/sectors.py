"""The sectors a department answers for across the city: health (Sở Y tế) and education (Sở GD&ĐT).

A sector's answers, wherever they were given: those about a procedure of the sector, those given
at one of its service points (a hospital or health station, a school), and those to its own
questionnaire (``health-short``, ``education-short``). One definition serves the sector
departments' role (:mod:`survey.administration.access`), their view, and the plans' public health
and education target (:mod:`survey.reporting.applicability`), so the three can never disagree.

The plans (``data/targets.csv``, object ``public_health_education``) set one threshold for public
health and education services; each of the two is judged against it on its own answers, never
mixed. A target naming the sector itself (``sector_group`` ``health`` or ``education``) is the
department's too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.extensions import AnySession
from survey.models import Sector
from survey.models.staff import SECTOR_SCOPES
from survey.reporting.queries import Scope

PUBLIC_SERVICES = "public_health_education"


@dataclass(frozen=True)
class SectorScope:
    """One sector department's reach: its sector code, service point kind and questionnaire
    (the codes are those a ``sector_viewer`` account may name, ``User.sector``)."""

    code: str
    point_kind: str
    instrument: str
    name: Any


SCOPES = {
    "health": SectorScope("health", "hospital", "health-short", _l("Y tế")),
    "education": SectorScope("education", "school", "education-short", _l("Giáo dục")),
}
CODES = SECTOR_SCOPES


def population(session: AnySession, base: Scope, codes: Iterable[str]) -> Scope:
    """``base`` narrowed to the answers of the sectors ``codes`` (module notes)."""
    scopes = [SCOPES[c] for c in codes]
    ids = list(session.scalars(select(Sector.id).where(Sector.code.in_([s.code for s in scopes]))))
    return replace(base, sector_ids=ids, instrument_keys=tuple(s.instrument for s in scopes),
                   point_kinds=tuple(s.point_kind for s in scopes))


def covers(target: Any, code: str) -> bool:
    """Whether ``target`` is one the sector ``code`` is judged against (module notes)."""
    return target.object == PUBLIC_SERVICES or (
        target.object == "agency_service" and target.sector_group == code)
