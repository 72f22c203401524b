"""New questionnaire versions: an edited definition is saved as the next version, published.

A published version never changes (SPEC §1), whoever asks: answers point at it, and their meaning
is its wording. Saving an edit of a published version publishes a new one, ``<key>@<N+1>``; only
an unpublished draft (which no one can have answered) is completed and published in place.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from survey.administration import audit
from survey.collection.instruments import InstrumentError, forget, next_version, validate_definition
from survey.extensions import AnySession
from survey.models import Instrument, User


def save(session: AnySession, actor: User | None, source: Instrument,
         definition: dict[str, Any]) -> Instrument:
    """Publish ``definition`` as a new version of ``source``'s questionnaire (or as ``source`` if
    it is an unpublished draft). Raises :class:`InstrumentError` if the definition is malformed or
    says nothing new."""
    if not isinstance(definition, dict) or not isinstance(definition.get("items"), list):
        raise InstrumentError(_l("Bộ câu hỏi phải có danh sách câu hỏi."))
    if source.published_at is not None and _same(definition, source.definition):
        raise InstrumentError(_l("Chưa có gì thay đổi so với %(ref)s.", ref=source.ref))
    version = source.version if source.published_at is None else next_version(session, source.key)
    definition = {**copy.deepcopy(definition), "key": source.key, "version": version}
    try:
        validate_definition(definition)
    except (KeyError, TypeError, AttributeError) as error:
        raise InstrumentError(_l("Bộ câu hỏi không đúng mẫu: %(error)s", error=repr(error))) from error
    before: dict[str, Any]
    if source.published_at is None:
        saved, before = source, {"definition": source.definition}
        saved.definition = definition
    else:
        saved, before = Instrument(key=source.key, version=version, definition=definition), {
            "from": source.ref}
        session.add(saved)
    saved.published_at = datetime.now(UTC)
    session.flush()
    forget()
    audit.record(session, actor=actor, action="instrument.publish", object_type="instrument",
                 object_id=saved.ref, before=before,
                 after={"version": version, "published_at": saved.published_at})
    return saved


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    strip = ("key", "version")
    return {k: v for k, v in a.items() if k not in strip} == {k: v for k, v in b.items() if k not in strip}
