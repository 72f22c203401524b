"""A small in-process cache of SQL aggregates, keyed by the query and the state of ``response``.

The key holds the database, the kind of aggregate, the scope and grouping, and a marker of the
response table, read once per request: the latest ``submitted_at`` and the number of excluded
responses (both answered from an index, in microseconds at a million rows), plus the current minute.
A new response, an exclusion or its reversal changes the marker at once; a back-dated response
(paper forms keyed in later) shows within a minute. Counting the rows would be exact but costs a
full index scan per request. Off in tests unless ``REPORT_CACHE`` is set; on elsewhere unless
``REPORT_CACHE`` is false.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from threading import Lock
from typing import Any, TypeVar

from flask import current_app, g, has_app_context
from sqlalchemy import func, select

from survey.extensions import AnySession
from survey.models import Response

T = TypeVar("T")
SIZE = 2048
_store: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_lock = Lock()


def enabled() -> bool:
    if not has_app_context():
        return False
    return bool(current_app.config.get("REPORT_CACHE", not current_app.testing))


def marker(session: AnySession) -> tuple[Any, ...]:
    """Changes when a response is added, excluded or re-included (read once per request)."""
    cached = g.get("_report_marker")
    if cached is None:
        latest = session.scalar(select(func.max(Response.submitted_at)))
        excluded = session.scalar(select(func.count()).where(Response.excluded.is_(True)))
        minute = int(time.time() // 60)
        cached = g._report_marker = (str(session.get_bind().engine.url), latest, excluded, minute)
    return tuple(cached)


def remember(session: AnySession, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    if not enabled():
        return compute()
    full = (*marker(session), *key)
    with _lock:
        if full in _store:
            _store.move_to_end(full)
            return _store[full]
    value = compute()
    with _lock:
        _store[full] = value
        while len(_store) > SIZE:
            _store.popitem(last=False)
    return value
