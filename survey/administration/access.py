"""Who may see and change what: the one visibility rule.

Every staff view, export, report, command and API call asks this module; nothing else decides
which units a person may see.

- ``admin`` (Sở Nội vụ) sees and manages every unit.
- ``unit_manager`` sees their unit's roll-up and manages the service points, kiosks, QR codes
  and paper entries in it; ``unit_viewer`` sees the same units and changes nothing.
- **A unit's roll-up** (:meth:`survey.administration.units.UnitTree.rollup`) is its subtree and,
  recursively, the units it succeeded in a merger, with their subtrees. So the staff of a
  merged ward see the history of the wards it replaced: that history is theirs now, their
  dashboard already counts it, and a rule that hid it would show them figures they could not
  open. The same roll-up decides what a unit's reports count, so the two can never disagree.
- An API token belongs to a unit and reaches the same roll-up.
- ``sector_viewer`` is a sector department (Sở Y tế, Sở GD&ĐT): it sees one sector's answers
  (``User.sector``: health or education) in every unit of the city, and nothing else: no unit
  whole, no comment, no case, no write (:func:`visible_sector`; what a sector's answers are is
  :mod:`survey.reporting.sectors`). Administrators may look at any sector the same way.

A write that names a service point (a paper form, a paper import, an API call) must name one
inside the writer's reach: :func:`desk_in_reach`.

**Staff never learn who answered** (SPEC §6):

- figures of fewer than ``min_n`` answers are shown to administrators only
  (:func:`sees_small_cells`);
- citizens' raw comments are read only by people an administrator granted it, one by one
  (``User.reads_comments``), for the units in their reach, and by administrators
  (:func:`may_read_comments`); a role alone never grants it, and a complaint handler never has
  it (a case filed from a comment would otherwise lead its handler, who sees the citizen's
  contact, to that comment and its ratings).

**Phản ánh, kiến nghị**: a case is handled by the staff of its unit whom an administrator made
handlers (``User.handles_complaints``): they alone reply, change its status and see the
citizen's contact details (:func:`handles_complaint`). Handlers of a unit above it (where an
overdue case escalates) and administrators see the case, never the contact; only
administrators route a case to another unit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from survey.administration.units import UnitTree
from survey.extensions import AnySession
from survey.models import Complaint, ServicePoint, Unit
from survey.models.staff import SECTOR_SCOPES

MANAGING_ROLES = ("admin", "unit_manager")
SECTOR_ROLE = "sector_viewer"
_TREE = "survey.access.tree"


def tree(session: AnySession) -> UnitTree:
    """The unit tree, read once per session and read again after the units change."""
    cached = session.info.get(_TREE)
    if cached is None:
        cached = session.info[_TREE] = UnitTree(session)
    return cached


@event.listens_for(Session, "after_flush")
def _units_changed(session: Session, _context: Any) -> None:
    if any(isinstance(obj, Unit) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info.pop(_TREE, None)


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(_TREE, None)


def reach(session: AnySession, unit: Unit | None) -> frozenset[int]:
    """The ids of the units in ``unit``'s roll-up (empty for no unit)."""
    return frozenset(tree(session).rollup(unit.id)) if unit is not None else frozenset()


def visible_unit_ids(session: AnySession, user: Any) -> frozenset[int] | None:
    """The ids of the units ``user`` may see; None means every unit (administrators)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if user.role == "admin":
        return None
    if user.role == SECTOR_ROLE:  # one sector across the units, never a unit whole
        return frozenset()
    return reach(session, user.unit)


def visible_sector(user: Any, requested: str | None = None) -> str | None:
    """The sector whose answers ``user`` may see across every unit, or None.

    A sector department its own (asking for another gets None); an administrator the one asked
    for; anyone else none."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.role == "admin":
        return requested if requested in SECTOR_SCOPES else None
    if user.role == SECTOR_ROLE and user.sector in SECTOR_SCOPES and requested in (None, user.sector):
        return str(user.sector)
    return None


def can_view(session: AnySession, user: Any, unit: Unit | None) -> bool:
    if unit is None:
        return False
    ids = visible_unit_ids(session, user)
    return ids is None or unit.id in ids


def can_manage(session: AnySession, user: Any, unit: Unit | None) -> bool:
    """Administrators manage everything; unit managers their unit's roll-up; viewers nothing."""
    return can_view(session, user, unit) and user.role in MANAGING_ROLES


def desk_in_reach(allowed_unit_ids: frozenset[int] | None, point: ServicePoint | None) -> bool:
    """Whether a write may name this service point (no point at all is always allowed)."""
    return point is None or allowed_unit_ids is None or point.unit_id in allowed_unit_ids


def sees_small_cells(user: Any) -> bool:
    """Whether ``user`` may see a figure of fewer than ``min_n`` answers: administrators only."""
    return bool(getattr(user, "is_authenticated", False)) and user.role == "admin"


def may_read_comments(session: AnySession, user: Any, unit: Unit | None) -> bool:
    """Administrators, and people granted ``reads_comments``, for units in their reach."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role == "admin":
        return True
    # Separation of duties: a handler sees who a citizen is; were they to read comments too, a
    # complaint filed from a comment would lead them to that citizen's comment and ratings.
    if user.handles_complaints:
        return False
    return bool(user.reads_comments) and can_view(session, user, unit)


def handles_complaint(user: Any, complaint: Complaint) -> bool:
    """The case's own handlers: reply, status, and the citizen's contact details."""
    return (bool(getattr(user, "is_authenticated", False)) and user.active
            and bool(user.handles_complaints) and user.unit_id is not None
            and user.unit_id == complaint.unit_id)


def complaint_unit_ids(session: AnySession, user: Any) -> frozenset[int] | None:
    """Units whose cases ``user`` may list and open (None: all). Empty for non-handlers."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if user.role == "admin":
        return None
    return reach(session, user.unit) if user.handles_complaints else frozenset()


def may_view_complaint(session: AnySession, user: Any, complaint: Complaint) -> bool:
    ids = complaint_unit_ids(session, user)
    return ids is None or complaint.unit_id in ids


def may_route_complaints(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role == "admin"
