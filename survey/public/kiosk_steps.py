"""What a kiosk answer carries beyond the survey form: the desk session, the service step, the
idle rule's partial mark, and a comment turned into a phản ánh, kiến nghị.

The tablet sends these as extra form fields (``desk_session``, ``service_offered``/``service``,
``partial``, ``complaint``/``complaint_phone``/``complaint_consent``); they travel through its
outbox with the answer, so an answer given offline keeps them.
"""

from __future__ import annotations

from dataclasses import replace

from flask import current_app
from werkzeug.datastructures import MultiDict

from survey.casework.cases import CaseError
from survey.casework.contacts import ContactError
from survey.collection import desks
from survey.collection.complaints import file_from_survey
from survey.collection.responses import Context, Submission
from survey.extensions import db


def with_extras(values: MultiDict[str, str], context: Context, submission: Submission
                ) -> tuple[Context, Submission]:
    """The context and submission completed by the kiosk's own fields.

    A desk session gives the procedure, sector and dossier; without one, the citizen's service
    choice gives the sector (``service_step`` says whether the step was answered). ``partial``
    is kept only when ``overall`` was answered (SPEC §6): ``record_response`` refuses it otherwise.
    """
    partial = values.get("partial") == "1"
    session_context = desks.answer_context(db.session, context, values.get("desk_session"))
    step = None
    if session_context is context and values.get("service_offered") == "1":
        sector_id = desks.chosen_sector(db.session, values.get("service"))
        step = "chosen" if sector_id else "skipped"
        context = replace(context, sector_id=sector_id)
    else:
        context = session_context
    return context, replace(submission, partial=partial, service_step=step)


def file_comment(values: MultiDict[str, str], context: Context, submission: Submission) -> str | None:
    """The reference of the case filed from the comment, when the citizen asked for one.

    A phone number is kept only with the citizen's consent; a wrong or unconsented number is
    dropped and the case filed without it, so the comment is never lost. Flushes.
    """
    text = (submission.comment or "").strip()
    if values.get("complaint") != "1" or not text:
        return None
    phone = (values.get("complaint_phone") or "").strip()[:30]
    consent = values.get("complaint_consent") == "1"
    key = submission.idempotency_key[:60] + "-pa"
    try:
        case, _created = file_from_survey(db.session, context, text=text, phone=phone if consent else "",
                                          contact_consent=consent, idempotency_key=key)
    except (ContactError, CaseError):
        current_app.logger.info("kiosk complaint filed without its contact")
        case, _created = file_from_survey(db.session, context, text=text, idempotency_key=key)
    return case.ref
