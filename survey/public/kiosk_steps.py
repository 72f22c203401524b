"""What a kiosk answer carries beyond the survey form: the desk session, the service step (and
its sectors' names in the citizen's language), the dossier code keyed in, the idle rule's
partial mark, and a comment turned into a phản ánh, kiến nghị.

The tablet sends these as extra form fields (``desk_session``, ``service_offered``/``service``,
``dossier``, ``partial``, ``complaint``/``complaint_phone``/``complaint_consent``); they travel
through its outbox with the answer, so an answer given offline keeps them.
"""

from __future__ import annotations

from dataclasses import replace

from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from survey.casework.cases import CaseError
from survey.casework.contacts import ContactError
from survey.collection import desks, dossiers
from survey.collection.complaints import file_from_survey
from survey.collection.responses import Context, Outcome, Submission, record_response
from survey.extensions import db

# The sectors' names as the service step shows them, by their code: translated through the
# catalogues, so that no Khmer (or English) is stored in the database. A sector the list does not
# know shows its name from the database.
SECTOR_WORDS = {
    "land": _l("Đất đai"), "construction": _l("Xây dựng"), "investment": _l("Đầu tư"),
    "justice": _l("Tư pháp"), "civil_status": _l("Hộ tịch"), "health": _l("Y tế"),
    "education": _l("Giáo dục"), "business_registration": _l("Đăng ký doanh nghiệp"),
    "labour": _l("Lao động"), "environment": _l("Môi trường"),
}


def group_words(codes: list[str], name: str) -> str:
    """A sector group's name on a citizen page: as stored (in Vietnamese) for a Vietnamese page;
    in another language its sectors' words from the catalogues, when every one is known."""
    locale = get_locale()
    if (locale is None or locale.language == "vi" or not codes
            or not all(code in SECTOR_WORDS for code in codes)):
        return name
    return ", ".join(str(SECTOR_WORDS[code]) for code in codes)


def service_words(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(sector code, name in the page's language) of the service step's choices."""
    return [(code, str(SECTOR_WORDS[code]) if code in SECTOR_WORDS else name) for code, name in choices]


def with_extras(values: MultiDict[str, str], context: Context, submission: Submission
                ) -> tuple[Context, Submission, bool]:
    """The context and submission completed by the kiosk's own fields, and whether the dossier
    is one the citizen keyed in.

    A desk session gives the procedure, sector and dossier; without one, the citizen's service
    choice gives the sector (``service_step`` says whether the step was answered), and the
    dossier code keyed in gives the dossier (and, read from a receipt's link, the procedure); a
    code that is no dossier code is left out, never costing the answer. ``partial`` is kept only
    when ``overall`` was answered (SPEC §6): ``record_response`` refuses it otherwise.
    """
    partial = values.get("partial") == "1"
    session_context = desks.answer_context(db.session, context, values.get("desk_session"))
    step, keyed = None, False
    if session_context is not context:
        context = session_context
    else:
        if values.get("service_offered") == "1":
            sector_id = desks.chosen_sector(db.session, values.get("service"))
            step = "chosen" if sector_id else "skipped"
            context = replace(context, sector_id=sector_id)
        context = _keyed_dossier(context, values.get("dossier", ""))
        keyed = context.dossier_hash is not None
    return context, replace(submission, partial=partial, service_step=step), keyed


def _keyed_dossier(context: Context, text: str) -> Context:
    if not text.strip():
        return context
    try:
        given = dossiers.read(text)
    except dossiers.InvalidDossier:
        current_app.logger.info("kiosk answer with a malformed dossier code, kept without it")
        return context
    procedure = dossiers.procedure_of(db.session, given.procedure)
    if procedure:
        context = replace(context, procedure_id=procedure[0], sector_id=procedure[1])
    return replace(context, dossier_hash=given.hash)


def record(context: Context, submission: Submission, *, keyed: bool) -> tuple[Outcome, bool]:
    """``record_response``, and whether the dossier keyed in was left out as already answered.

    A code keyed in, or read while the tablet was offline (and so not checked at its step), may
    name a dossier already answered, elsewhere or through a typo that hits another dossier: the
    answers are still recorded, without the dossier, which keeps its one answer. A desk
    session's dossier follows the rule of every channel instead: a second answer is thanked and
    not counted. Flushes.
    """
    outcome = record_response(db.session, context, submission)
    if outcome != "dossier_used" or not keyed:
        return outcome, False
    return record_response(db.session, replace(context, dossier_hash=None), submission), True


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
