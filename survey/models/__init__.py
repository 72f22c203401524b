"""The data model. Import models from here: ``from survey.models import Unit, Response``."""

from survey.models.instruments import Instrument
from survey.models.responses import Answer, Response, ResponseProblem
from survey.models.staff import ApiToken, AuditEntry, User
from survey.models.targets import DossierVolume, Target
from survey.models.units import (
    Kiosk,
    Procedure,
    QrCode,
    Sector,
    SectorGroup,
    ServicePoint,
    Unit,
    sector_group_member,
)

__all__ = [
    "Answer",
    "ApiToken",
    "AuditEntry",
    "DossierVolume",
    "Instrument",
    "Kiosk",
    "Procedure",
    "QrCode",
    "Response",
    "ResponseProblem",
    "Sector",
    "SectorGroup",
    "ServicePoint",
    "Target",
    "Unit",
    "User",
    "sector_group_member",
]
