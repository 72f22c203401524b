"""Recording a citizen's response: the one write path for kiosks, QR codes, links, paper and API.

How a kiosk answer is stored: :mod:`survey.public.kiosk` builds a :class:`Context` from the
enrolled tablet and a :class:`Submission` from the form, and :func:`record_response` inserts the
response's keys once (a resend or a second answer for the same dossier stores nothing), then the
response row with one row per answer and per "what went wrong" choice.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Table, and_, select
from sqlalchemy.dialects import postgresql, sqlite

from survey.collection import cells
from survey.extensions import AnySession
from survey.models import (
    Answer,
    Instrument,
    Kiosk,
    Procedure,
    Response,
    ResponseKey,
    ResponseProblem,
    ServicePoint,
    Unit,
)
from survey.models.responses import CHANNELS, RESPONDENT_TYPES

RESPONSES: Table = Response.__table__  # type: ignore[assignment]
ANSWERS: Table = Answer.__table__  # type: ignore[assignment]
PROBLEMS: Table = ResponseProblem.__table__  # type: ignore[assignment]
KEYS: Table = ResponseKey.__table__  # type: ignore[assignment]
# A conflict inserts nothing and says so in the row count (kept for an INSERT only on request).
_INSERT_ONCE = {
    name: dialect.insert(KEYS).on_conflict_do_nothing().execution_options(preserve_rowcount=True)
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_COMMENT = 2000

Outcome = Literal["recorded", "duplicate", "dossier_used"]


class SubmissionError(ValueError):
    """The submission breaks a rule; nothing was stored."""


@dataclass(frozen=True)
class Context:
    """Where and how the citizen answered, resolved from a kiosk, a QR payload or a form.

    Ids rather than rows: the kiosk resolves them with one small query, and nothing in the
    write path needs more than the id.
    """

    instrument: Instrument
    unit_id: int
    channel: str
    service_point_id: int | None = None
    procedure_id: int | None = None
    sector_id: int | None = None
    kiosk_id: int | None = None
    dossier_hash: str | None = None

    @classmethod
    def of(
        cls, instrument: Instrument, unit: Unit, channel: str, *,
        service_point: ServicePoint | None = None, procedure: Procedure | None = None,
        kiosk: Kiosk | None = None, dossier_hash: str | None = None,
    ) -> Context:
        """The context of loaded rows."""
        return cls(
            instrument=instrument, unit_id=unit.id, channel=channel,
            service_point_id=service_point.id if service_point else None,
            procedure_id=procedure.id if procedure else None,
            sector_id=procedure.sector_id if procedure else None,
            kiosk_id=kiosk.id if kiosk else None, dossier_hash=dossier_hash,
        )


@dataclass(frozen=True)
class Submission:
    """What the citizen said."""

    idempotency_key: str
    ratings: dict[str, int]
    problems: list[str] = field(default_factory=list)
    comment: str | None = None
    respondent_type: str | None = None
    submitted_at: datetime | None = None
    partial: bool = False  # ended idle after ``overall`` was answered (a kiosk, SPEC §6)
    service_step: str | None = None  # the kiosk's service step: "chosen", "skipped", or not shown


def check(context: Context, submission: Submission) -> None:
    """Validate the business rules; raise :class:`SubmissionError` naming what is wrong."""
    if context.channel not in CHANNELS:
        raise SubmissionError(_l("Không có kênh %(channel)s.", channel=context.channel))
    if not IDEMPOTENCY_KEY.match(submission.idempotency_key):
        raise SubmissionError(_l("Mã chống gửi trùng phải gồm 16–64 chữ, số, - hoặc _."))
    item_keys = set(context.instrument.item_keys)
    for key, value in submission.ratings.items():
        if key not in item_keys:
            raise SubmissionError(_l("%(key)s không phải câu hỏi của %(ref)s.", key=key,
                                     ref=context.instrument.ref))
        if type(value) is not int or not 1 <= value <= 5:
            raise SubmissionError(_l("%(key)s: câu trả lời %(value)s không phải số từ 1 đến 5.",
                                     key=key, value=repr(value)))
    known_problems = {p["code"] for p in context.instrument.definition.get("problems", [])}
    unknown = set(submission.problems) - known_problems
    if unknown:
        raise SubmissionError(_l("Không có mã vấn đề %(codes)s.", codes=", ".join(sorted(unknown))))
    if submission.respondent_type not in (None, *RESPONDENT_TYPES):
        raise SubmissionError(_l("Không có loại người trả lời %(kind)s.", kind=submission.respondent_type))
    if submission.comment and len(submission.comment) > MAX_COMMENT:
        raise SubmissionError(_l("Ý kiến dài quá %(n)s ký tự.", n=MAX_COMMENT))
    if submission.partial and "overall" not in submission.ratings:
        raise SubmissionError(_l("Câu trả lời dở dang cần có câu hỏi chung."))
    if submission.service_step not in (None, "chosen", "skipped"):
        raise SubmissionError(_l("Bước chọn dịch vụ không hợp lệ."))
    if submission.submitted_at is not None and submission.submitted_at.tzinfo is None:
        raise SubmissionError(_l("Thời điểm trả lời cần có múi giờ."))


def record_response(session: AnySession, context: Context, submission: Submission) -> Outcome:
    """Store one response, exactly once.

    A resend with the same idempotency key, or a second answer for a dossier already answered,
    stores nothing and says so. Both rules are unique constraints of ``response_key`` (a
    partitioned ``response`` can hold none that is not per month), and they are the only check:
    the keys are inserted first with ``ON CONFLICT DO NOTHING``, so the common case costs one
    statement more than the rows themselves and no savepoint, the rare conflict costs a look at
    which rule it broke, and two racing requests cannot both win. Flushes; the caller commits.
    """
    check(context, submission)
    response_id = str(uuid.uuid4())
    # Core statements on the session's connection: no ORM objects are needed, and the ORM's
    # bulk path costs several times more per row here.
    connection = session.connection()
    row = _response_row(response_id, context, submission)
    keys = {"idempotency_key": submission.idempotency_key, "response_id": response_id,
            "submitted_at": row["submitted_at"], "dossier_hash": context.dossier_hash}
    if not connection.execute(_INSERT_ONCE[connection.dialect.name], keys).rowcount:
        if session.scalar(select(KEYS.c.response_id).filter_by(idempotency_key=submission.idempotency_key)):
            return "duplicate"
        if context.dossier_hash and session.scalar(
            select(KEYS.c.response_id).filter_by(dossier_hash=context.dossier_hash)
        ):
            return "dossier_used"
        raise RuntimeError(f"response {response_id} conflicts with no known rule")
    connection.execute(RESPONSES.insert(), row)
    at = row["submitted_at"]
    if submission.ratings:
        connection.execute(ANSWERS.insert(), [
            {"response_id": response_id, "submitted_at": at, "item_key": key, "value": value}
            for key, value in sorted(submission.ratings.items())
        ])
    if submission.problems:
        connection.execute(PROBLEMS.insert(), [
            {"response_id": response_id, "submitted_at": at, "code": code}
            for code in sorted(set(submission.problems))
        ])
    cells.add(connection, cells.Facts.of_row(row, submission.ratings, submission.problems),
              cells.component_keys(context.instrument))
    return "recorded"


def add_answers(session: AnySession, context: Context, submission: Submission) -> int:
    """Add ratings to the response recorded under ``submission.idempotency_key``: the rest of a
    survey answered in two parts (a phone's short part, then "say more").

    Only items the response has no answer for are added, so sending the second part again
    changes nothing. Returns how many answers were added; raises :class:`SubmissionError` when
    no response of this instrument, unit and place has the key. Flushes; the caller commits.
    """
    check(context, submission)
    response = by_key(session, submission.idempotency_key)
    if response is None or (response.instrument_id, response.unit_id, response.service_point_id) != (
        context.instrument.id, context.unit_id, context.service_point_id
    ):
        raise SubmissionError(_l("Không có câu trả lời nào để bổ sung."))
    given = {str(key): int(value) for key, value in session.execute(
        select(ANSWERS.c.item_key, ANSWERS.c.value).filter_by(response_id=response.id,
                                                               submitted_at=response.submitted_at))}
    rows = [{"response_id": response.id, "submitted_at": response.submitted_at, "item_key": key,
             "value": value}
            for key, value in sorted(submission.ratings.items()) if key not in given and key != "overall"]
    if rows:
        session.connection().execute(ANSWERS.insert(), rows)
        if not response.excluded:
            facts = cells.facts_of(session, [response.id])[0]
            after = {**given, **{str(r["item_key"]): int(r["value"]) for r in rows}}  # type: ignore[call-overload]
            cells.replace_items(session.connection(), facts, cells.component_keys(context.instrument),
                                given, after)
    session.flush()
    return len(rows)


def by_key(session: AnySession, idempotency_key: str) -> Response | None:
    """The response stored under ``idempotency_key``, read in its month's partition only."""
    return session.scalar(select(Response).join(ResponseKey, and_(
        ResponseKey.response_id == Response.id, ResponseKey.submitted_at == Response.submitted_at,
    )).where(ResponseKey.idempotency_key == idempotency_key))


def _response_row(response_id: str, context: Context, submission: Submission) -> dict[str, object]:
    return {
        "id": response_id,
        "submitted_at": submission.submitted_at or datetime.now(UTC),
        "unit_id": context.unit_id,
        "service_point_id": context.service_point_id,
        "procedure_id": context.procedure_id,
        "sector_id": context.sector_id,
        "channel": context.channel,
        "respondent_type": submission.respondent_type,
        "instrument_id": context.instrument.id,
        "kiosk_id": context.kiosk_id,
        "overall": submission.ratings.get("overall"),
        "comment": (submission.comment or "").strip() or None,
        "idempotency_key": submission.idempotency_key,
        "dossier_hash": context.dossier_hash,
        "flag": None,
        "excluded": False,
        "partial": submission.partial,
        "service_step": submission.service_step,
    }
