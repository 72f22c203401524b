"""What one request has already read from the reporting cells, kept for that request only.

A page asks for the same sums more than once (a unit's headline, then its targets' checks, then
its downloads' report). Nothing is kept across requests: the cells (:mod:`survey.models.cells`)
make each read a few rows per unit and month, and a cache shared by requests would need a marker
of what changed, which is what the former cache keyed on the latest response got wrong (one new
answer anywhere emptied it). Any write to the cells in the request
(``survey.collection.cells.written``) makes what was kept before it unused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, has_app_context

from survey.extensions import AnySession

T = TypeVar("T")


def remember(session: AnySession, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    if not has_app_context():
        return compute()
    kept: dict[tuple[Any, ...], Any] = g.setdefault("_reporting_reads", {})
    full = (str(session.get_bind().engine.url), g.get("cells_written", 0), *key)
    if full not in kept:
        kept[full] = compute()
    return kept[full]


def forget() -> None:
    if has_app_context():
        g.pop("_reporting_reads", None)
