"""New questionnaire versions: copy a version into a draft, edit the draft, publish it.

A published version never changes (SPEC §1): :func:`update_draft` refuses it, whatever the caller.
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


def new_draft(session: AnySession, actor: User | None, source: Instrument) -> Instrument:
    """An unpublished copy of ``source`` under the next version number of its key."""
    version = next_version(session, source.key)
    definition = copy.deepcopy(source.definition)
    definition["version"] = version
    draft = Instrument(key=source.key, version=version, definition=definition, published_at=None)
    session.add(draft)
    session.flush()
    audit.record(session, actor=actor, action="instrument.draft", object_type="instrument",
                 object_id=draft.ref, before={"from": source.ref}, after={"version": version})
    return draft


def update_draft(
    session: AnySession, actor: User | None, draft: Instrument, definition: dict[str, Any]
) -> None:
    if draft.published_at is not None:
        raise InstrumentError(_l("%(ref)s đã công bố, không sửa được: hãy tạo phiên bản mới.", ref=draft.ref))
    if not isinstance(definition, dict) or not isinstance(definition.get("items"), list):
        raise InstrumentError(_l("Nội dung phải là một đối tượng JSON có danh sách câu hỏi (items)."))
    definition = {**definition, "key": draft.key, "version": draft.version}
    try:
        validate_definition(definition)
    except (KeyError, TypeError, AttributeError) as error:
        raise InstrumentError(_l("Nội dung không đúng mẫu: %(error)s", error=repr(error))) from error
    before = draft.definition
    draft.definition = definition
    session.flush()
    audit.record(session, actor=actor, action="instrument.edit", object_type="instrument",
                 object_id=draft.ref, before={"definition": before}, after={"definition": definition})


def publish(session: AnySession, actor: User | None, draft: Instrument) -> None:
    if draft.published_at is not None:
        raise InstrumentError(_l("%(ref)s đã được công bố.", ref=draft.ref))
    draft.published_at = datetime.now(UTC)
    session.flush()
    forget()
    audit.record(session, actor=actor, action="instrument.publish", object_type="instrument",
                 object_id=draft.ref, after={"published_at": draft.published_at})
