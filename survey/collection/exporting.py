"""The response CSV of SPEC §3, streamed."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import IO

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from analysis import SIPAS_COMPONENTS
from survey.extensions import AnySession
from survey.models import Instrument, Procedure, Response, Sector, ServicePoint, Unit
from survey.periods import LOCAL, local_bounds

FIXED_COLUMNS = (
    "response_id", "submitted_at", "unit_code", "service_point_code", "procedure_code",
    "sector_code", "channel", "respondent_type", "instrument",
)


def item_columns(item_keys: Iterable[str]) -> list[str]:
    """``q.overall`` first, then the components in SIPAS order, items alphabetically within each."""
    order = {name: i for i, name in enumerate(("overall", *SIPAS_COMPONENTS))}
    keys = sorted(set(item_keys), key=lambda k: (order.get(k.split(".")[0], 99), k))
    return [f"q.{key}" for key in keys]


def response_query(
    *, start: date | None = None, end: date | None = None, unit_ids: Iterable[int] | None = None,
    include_excluded: bool = False, before: datetime | None = None,
) -> Select[Response]:
    """Responses in local days [start, end] of the units, submitted before ``before`` if given."""
    query = select(Response).order_by(Response.submitted_at, Response.id)
    if before is not None:
        query = query.where(Response.submitted_at < before)
    lower, upper = local_bounds(start, end)
    if lower:
        query = query.where(Response.submitted_at >= lower)
    if upper:
        query = query.where(Response.submitted_at < upper)
    if unit_ids is not None:
        query = query.where(Response.unit_id.in_(list(unit_ids)))
    if not include_excluded:
        query = query.where(Response.excluded.is_(False))
    return query


def write_csv(
    session: AnySession, out: IO[str], query: Select[Response], *, with_comments: bool,
    day_only: bool = False,
) -> int:
    """Write every response of ``query`` to ``out``; returns the number of rows.

    ``day_only`` (SPEC §6, for every role below administrator): ``submitted_at`` is the local day
    at midnight (``…T00:00:00+07:00``), and the rows of a day come in the order of their random
    ids, not of their times, so that neither the time nor the order of an answer can be read.
    """
    instruments = session.scalars(select(Instrument)).all()
    columns = [*FIXED_COLUMNS, *item_columns(k for i in instruments for k in i.item_keys)]
    if with_comments:
        columns.append("comment")
    columns.append("partial")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    rows = _rows(session, query, instruments, with_comments)
    for row in _by_day(rows) if day_only else rows:
        writer.writerow([row.get(column, "") for column in columns])
        count += 1
    return count


def _by_day(rows: Iterator[dict[str, object]]) -> Iterator[dict[str, object]]:
    """Each row dated by its local day at midnight; a day's rows in the order of their ids."""
    day: list[dict[str, object]] = []
    for row in rows:
        row["submitted_at"] = str(row["submitted_at"])[:10] + "T00:00:00+07:00"
        if day and day[0]["submitted_at"] != row["submitted_at"]:
            yield from sorted(day, key=lambda r: str(r["response_id"]))
            day = []
        day.append(row)
    yield from sorted(day, key=lambda r: str(r["response_id"]))


def _rows(
    session: AnySession, query: Select[Response], instruments: Iterable[Instrument],
    with_comments: bool,
) -> Iterator[dict[str, object]]:
    units = dict(session.execute(select(Unit.id, Unit.code)).all())
    points: dict[int | None, str] = dict(session.execute(select(ServicePoint.id, ServicePoint.code)).all())
    procedures: dict[int | None, str] = dict(session.execute(select(Procedure.id, Procedure.code)).all())
    sectors: dict[int | None, str] = dict(session.execute(select(Sector.id, Sector.code)).all())
    refs = {i.id: i.ref for i in instruments}
    stream = session.scalars(query.options(selectinload(Response.answers)).execution_options(
        yield_per=2000
    ))
    for response in stream:
        row: dict[str, object] = {
            "response_id": response.id,
            "submitted_at": response.submitted_at.astimezone(LOCAL).isoformat(timespec="seconds"),
            "unit_code": units[response.unit_id],
            "service_point_code": points.get(response.service_point_id, ""),
            "procedure_code": procedures.get(response.procedure_id, ""),
            "sector_code": sectors.get(response.sector_id, ""),
            "channel": response.channel,
            "respondent_type": response.respondent_type or "",
            "instrument": refs[response.instrument_id],
        }
        row["partial"] = "1" if response.partial else "0"
        row.update({f"q.{a.item_key}": a.value for a in response.answers})
        if with_comments:
            row["comment"] = response.comment or ""
        yield row


