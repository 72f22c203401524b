"""New questionnaire versions: copy a version into a draft, edit the draft, publish it.

A published version never changes (SPEC §1): :func:`update_draft` refuses it, whatever the caller.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from survey import audit
from survey.extensions import AnySession
from survey.instruments import InstrumentError, forget, next_version, validate_definition
from survey.models import Instrument, User


def new_draft(session: AnySession, actor: User | None, source: Instrument) -> Instrument:
    """An unpublished copy of ``source`` under the next version number of its key."""
    version = next_version(session, source.key)
    definition = copy.deepcopy(source.definition)
    definition["version"] = version
    draft = Instrument(key=source.key, version=version, definition=definition, published_at=None)
    session.add(draft)
    session.flush()
    audit.record(
        session,
        actor,
        "instrument.draft",
        "instrument",
        draft.ref,
        {"from": source.ref},
        {"version": version},
    )
    return draft


def update_draft(
    session: AnySession, actor: User | None, draft: Instrument, definition: dict[str, Any]
) -> None:
    if draft.published_at is not None:
        raise InstrumentError(f"{draft.ref} is published and cannot be changed: make a new version")
    if not isinstance(definition, dict) or not isinstance(definition.get("items"), list):
        raise InstrumentError("the definition must be a JSON object with a list of items")
    definition = {**definition, "key": draft.key, "version": draft.version}
    try:
        validate_definition(definition)
    except (KeyError, TypeError, AttributeError) as error:
        raise InstrumentError(f"malformed definition: {error!r}") from error
    before = draft.definition
    draft.definition = definition
    session.flush()
    audit.record(
        session,
        actor,
        "instrument.edit",
        "instrument",
        draft.ref,
        {"definition": before},
        {"definition": definition},
    )


def publish(session: AnySession, actor: User | None, draft: Instrument) -> None:
    if draft.published_at is not None:
        raise InstrumentError(f"{draft.ref} is already published")
    draft.published_at = datetime.now(UTC)
    session.flush()
    forget()
    audit.record(
        session,
        actor,
        "instrument.publish",
        "instrument",
        draft.ref,
        None,
        {"published_at": draft.published_at},
    )
