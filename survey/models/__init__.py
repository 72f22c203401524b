"""The data model. Import models from here: ``from survey.models import Unit, Response``."""

from survey.models.casework import Complaint, ComplaintContact
from survey.models.cells import CountCell, ItemCell, ProblemCell
from survey.models.desks import DeskSession
from survey.models.instruments import Instrument
from survey.models.messaging import DeliveryAttempt, OutboxMessage, WebhookEndpoint
from survey.models.operations import JobRun, OutsideIndex
from survey.models.publication import ReportFile, ReportingDuty, ReportIssue
from survey.models.responses import Answer, Response, ResponseKey, ResponseProblem
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
    "Complaint",
    "ComplaintContact",
    "CountCell",
    "DeliveryAttempt",
    "DeskSession",
    "DossierVolume",
    "Instrument",
    "ItemCell",
    "JobRun",
    "Kiosk",
    "OutboxMessage",
    "OutsideIndex",
    "ProblemCell",
    "Procedure",
    "QrCode",
    "ReportFile",
    "ReportIssue",
    "ReportingDuty",
    "Response",
    "ResponseKey",
    "ResponseProblem",
    "Sector",
    "SectorGroup",
    "ServicePoint",
    "Target",
    "Unit",
    "User",
    "WebhookEndpoint",
    "sector_group_member",
]
