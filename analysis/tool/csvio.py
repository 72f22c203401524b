"""Streaming reader of the response CSV (SPEC §3) into per-group sufficient statistics.

The file is read in chunks; each chunk is turned into numpy arrays and folded into per-group
sums and cross-products, so memory grows with the number of groups, not of rows.

What counts as a known column: the fixed columns of SPEC §3 (``response_id``, ``submitted_at``,
``unit_code``, ``service_point_code``, ``procedure_code``, ``sector_code``, ``channel``,
``respondent_type``, ``instrument``, ``comment``, ``weight``, ``partial``: a partial response
counts like any other), ``q.overall``, and
``q.<component>.<item>`` where the component is one of access, procedure, staff, result,
feedback (the SIPAS components, shared by the health and education modules) or overall. A
``q.overall.<item>`` column is checked but enters no index: only ``q.overall`` is the headline.
Anything else, including ``q.<component>`` without an item, is unknown.
"""

from __future__ import annotations

import csv
import gc
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import IO

import numpy as np
from numpy.typing import NDArray

from analysis.composite import SIPAS_COMPONENTS
from analysis.tool.stamps import (
    Period,
    code_label,
    days_of,
    local_date,
    local_days,
    period_code,
)

__all__ = ["FIXED_COLUMNS", "GROUPABLE", "Accumulator", "InputError", "Layout", "Period",
           "read_responses"]

FIXED_COLUMNS = ("response_id", "submitted_at", "unit_code", "service_point_code",
                 "procedure_code", "sector_code", "channel", "respondent_type", "instrument",
                 "comment", "weight", "partial")
GROUPABLE = ("unit_code", "service_point_code", "procedure_code", "sector_code", "channel",
             "respondent_type", "instrument")
CODES = {"": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
CHUNK = 8192
BATCH = 131072


class InputError(Exception):
    """Bad input, reported as one line (row and column) and exit status 2."""


@dataclass(frozen=True)
class Layout:
    """Where the columns that matter sit in the header."""

    header: tuple[str, ...]
    by: tuple[str, ...]
    by_index: tuple[int, ...]
    time_index: int | None
    unit_index: int | None
    weight_index: int | None
    rated_index: tuple[int, ...]  # q.overall (if present) first, then the component items
    item_keys: tuple[str, ...]  # "overall" and "<component>.<item>", aligned with rated_index
    checked_index: tuple[int, ...]  # q.overall.<item>: validated, not used
    has_overall: bool

    @property
    def item_components(self) -> list[str]:
        return [key.split(".")[0] for key in self.item_keys[int(self.has_overall):]]


def parse_header(header: Sequence[str], by: Sequence[str], *, need_time: bool,
                 need_unit: bool) -> Layout:
    names = [name.strip() for name in header]
    seen: set[str] = set()
    rated: list[int] = []
    keys: list[str] = []
    checked: list[int] = []
    overall: int | None = None
    for i, name in enumerate(names):
        where = f"row 1, column {i + 1} {name!r}"
        if name in seen:
            raise InputError(f"{where}: the column appears twice")
        seen.add(name)
        if name in FIXED_COLUMNS:
            continue
        parts = name.split(".")
        if name == "q.overall":
            overall = i
        elif len(parts) >= 3 and parts[0] == "q" and all(parts[2:]):
            if parts[1] in SIPAS_COMPONENTS:
                rated.append(i)
                keys.append(name[2:])
            elif parts[1] == "overall":
                checked.append(i)
            else:
                raise InputError(f"{where}: unknown column (component {parts[1]!r} is not one "
                                 f"of overall, {', '.join(SIPAS_COMPONENTS)})")
        else:
            raise InputError(f"{where}: unknown column")
    for column in by:
        if column not in GROUPABLE:
            raise InputError(f"--by {column!r}: can group only by {', '.join(GROUPABLE)}")
        if column not in names:
            raise InputError(f"row 1: --by column {column!r} is not in the file")
    for column, needed in (("submitted_at", need_time), ("unit_code", need_unit)):
        if needed and column not in names:
            raise InputError(f"row 1: column {column!r} is needed but missing")
    lookup = {name: i for i, name in enumerate(names)}
    if overall is not None:
        rated.insert(0, overall)
        keys.insert(0, "overall")
    return Layout(
        header=tuple(names), by=tuple(by), by_index=tuple(lookup[c] for c in by),
        time_index=lookup.get("submitted_at") if need_time else None,
        unit_index=lookup.get("unit_code") if need_unit else None,
        weight_index=lookup.get("weight"), rated_index=tuple(rated), item_keys=tuple(keys),
        checked_index=tuple(checked), has_overall=overall is not None,
    )


def _grow(array: NDArray[np.float64], size: int) -> NDArray[np.float64]:
    if array.shape[0] >= size:
        return array
    bigger = np.zeros((max(size, 2 * array.shape[0]), *array.shape[1:]))
    bigger[: array.shape[0]] = array
    return bigger


@dataclass
class Accumulator:
    """Per-group sums: responses, raw answer counts, weighted answers and satisfied answers, and
    the w²-weighted cross-products of Z = [y, a] (so yy, ya, aa are blocks of ZᵀZ)."""

    k: int
    keys: dict[tuple[str, ...], int] = field(default_factory=dict)
    strata: dict[tuple[int, str], int] = field(default_factory=dict)
    responses: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    counts: NDArray[np.float64] = field(init=False)
    n: NDArray[np.float64] = field(init=False)
    s: NDArray[np.float64] = field(init=False)
    zz: NDArray[np.float64] = field(init=False)
    stratum_s: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    stratum_n: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    weighted: bool = False

    def __post_init__(self) -> None:
        self.counts = np.zeros((0, self.k))
        self.n = np.zeros((0, self.k))
        self.s = np.zeros((0, self.k))
        self.zz = np.zeros((0, 2 * self.k, 2 * self.k))

    def add(self, groups: NDArray[np.intp], codes: NDArray[np.int8],
            weights: NDArray[np.float64], strata: NDArray[np.intp] | None,
            has_overall: bool) -> None:
        size = len(self.keys)
        self.responses = _grow(self.responses, size)
        self.counts, self.n, self.s = (_grow(a, size) for a in (self.counts, self.n, self.s))
        self.zz = _grow(self.zz, size)
        self.responses[:size] += np.bincount(groups, minlength=size)
        a = (codes > 0).astype(np.float64)
        y = (codes >= 4).astype(np.float64)
        order = np.argsort(groups, kind="stable")
        g_sorted = groups[order]
        starts = np.flatnonzero(np.r_[True, g_sorted[1:] != g_sorted[:-1]])
        ends = np.r_[starts[1:], len(order)]
        wz = np.hstack([y, a])[order] * weights[order, None]
        self.counts[:size] += _segment_sums(a[order], g_sorted, starts, size)
        self.n[:size] += _segment_sums(wz[:, self.k:], g_sorted, starts, size)
        self.s[:size] += _segment_sums(wz[:, : self.k], g_sorted, starts, size)
        for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
            block = wz[lo:hi]
            self.zz[g_sorted[lo]] += block.T @ block
        if strata is not None and has_overall:
            count = len(self.strata)
            self.stratum_s = _grow(self.stratum_s, count)
            self.stratum_n = _grow(self.stratum_n, count)
            self.stratum_s[:count] += np.bincount(strata, weights=y[:, 0], minlength=count)
            self.stratum_n[:count] += np.bincount(strata, weights=a[:, 0], minlength=count)


def _segment_sums(values: NDArray[np.float64], groups: NDArray[np.intp],
                  starts: NDArray[np.intp], size: int) -> NDArray[np.float64]:
    out = np.zeros((size, values.shape[1]))
    out[groups[starts]] = np.add.reduceat(values, starts, axis=0)
    return out


def _weight(text: str, line: int) -> float:
    if text == "":
        return 1.0
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"row {line}, column 'weight': value {text!r} is not a positive number")
    return value


def _ratings(column: Sequence[str], first_line: int, name: str) -> NDArray[np.int8]:
    """Codes 0 (skipped) to 5 of one rating column of a chunk, checked in bulk."""
    text = "\x1f".join(column) + "\x1f"
    raw = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    ends = np.flatnonzero(raw == 0x1F)
    if ends.size == len(column):
        lengths = np.diff(ends, prepend=-1) - 1
        codes = np.where(lengths == 0, 0, raw[np.maximum(ends - 1, 0)].astype(np.int16) - 48)
        if not ((lengths > 1) | (codes < 0) | (codes > 5)).any():
            return codes.astype(np.int8)
    for i, value in enumerate(column):  # slow path: name the first bad field
        if value not in CODES:
            raise InputError(f"row {first_line + i}, column {name!r}: value {value!r} is not 1–5 "
                             f"or empty")
    raise InputError(f"row {first_line}, column {name!r}: bad rating")  # pragma: no cover


def _ids(column: Sequence[str]) -> tuple[list[str], NDArray[np.intp]]:
    """Distinct values (in order of appearance) and each row's index into them."""
    distinct = list(dict.fromkeys(column))
    index = {value: i for i, value in enumerate(distinct)}
    return distinct, np.fromiter(map(index.__getitem__, column), dtype=np.intp, count=len(column))


def _periods(stamps: Sequence[str], period: Period, first_line: int) -> tuple[list[str],
                                                                             NDArray[np.intp]]:
    days, slow = local_days(stamps)
    for i in np.flatnonzero(slow).tolist():
        try:
            days[i] = days_of(local_date(stamps[i]))
        except ValueError:
            raise InputError(f"row {first_line + i}, column 'submitted_at': {stamps[i]!r} is not "
                             f"an ISO 8601 date-time with offset") from None
    codes, inverse = np.unique(period_code(days, period), return_inverse=True)
    return [code_label(int(c), period) for c in codes], inverse.astype(np.intp)


@dataclass
class Reader:
    """Turns chunks of CSV rows into arrays and folds them into an :class:`Accumulator`."""

    layout: Layout
    period: Period | None
    acc: Accumulator
    units: dict[int, set[str]] = field(default_factory=dict)
    buffer: list[tuple[NDArray[np.intp], NDArray[np.int8], NDArray[np.float64],
                       NDArray[np.intp] | None]] = field(default_factory=list)
    buffered: int = 0

    def chunk(self, rows: list[list[str]], first_line: int) -> None:
        layout, width = self.layout, len(self.layout.header)
        if any(len(row) != width for row in rows):
            i = next(i for i, row in enumerate(rows) if len(row) != width)
            raise InputError(f"row {first_line + i}: {len(rows[i])} fields where the header has "
                             f"{width}")
        columns = list(zip(*rows, strict=True))
        parts = [_ids(columns[i]) for i in layout.by_index]
        if self.period is not None:
            parts.append(_periods(columns[layout.time_index or 0], self.period, first_line))
        gids = self._groups(parts, len(rows))
        codes = np.empty((len(rows), self.acc.k), dtype=np.int8)
        for j, i in enumerate(layout.rated_index):
            codes[:, j] = _ratings(columns[i], first_line, layout.header[i])
        for i in layout.checked_index:
            _ratings(columns[i], first_line, layout.header[i])
        weights = np.ones(len(rows))
        if layout.weight_index is not None:
            texts = columns[layout.weight_index]
            if not set(texts) <= {"", "1"}:
                weights = np.array([_weight(t, first_line + i) for i, t in enumerate(texts)])
                self.acc.weighted = True
        strata = None
        if layout.unit_index is not None:
            strata = self._strata(gids, columns[layout.unit_index])
        self.buffer.append((gids, codes, weights, strata))
        self.buffered += len(rows)
        if self.buffered >= BATCH:
            self.flush()

    def _groups(self, parts: list[tuple[list[str], NDArray[np.intp]]], size: int
                ) -> NDArray[np.intp]:
        combined = np.zeros(size, dtype=np.int64)
        for distinct, ids in parts:
            combined = combined * len(distinct) + ids
        codes, inverse = np.unique(combined, return_inverse=True)
        keys = self.acc.keys
        gid_of = np.empty(codes.size, dtype=np.intp)
        for u, code in enumerate(codes.tolist()):
            key = []
            for distinct, _ in reversed(parts):
                code, i = divmod(code, len(distinct))
                key.append(distinct[i])
            gid_of[u] = keys.setdefault(tuple(reversed(key)), len(keys))
        return gid_of[inverse.ravel()]

    def _strata(self, gids: NDArray[np.intp], column: Sequence[str]) -> NDArray[np.intp]:
        distinct, ids = _ids(column)
        pair = gids.astype(np.int64) * len(distinct) + ids
        codes, inverse = np.unique(pair, return_inverse=True)
        sid_of = np.empty(codes.size, dtype=np.intp)
        for u, code in enumerate(codes.tolist()):
            gid, i = divmod(code, len(distinct))
            sid_of[u] = self.acc.strata.setdefault((gid, distinct[i]), len(self.acc.strata))
            self.units.setdefault(gid, set()).add(distinct[i])
        strata: NDArray[np.intp] = sid_of[inverse.ravel()]
        return strata

    def flush(self) -> None:
        if not self.buffer:
            return
        gids, codes, weights, strata = zip(*self.buffer, strict=True)
        self.acc.add(np.concatenate(gids), np.concatenate(codes), np.concatenate(weights),
                     None if strata[0] is None else np.concatenate(strata),  # type: ignore[arg-type,unused-ignore]
                     self.layout.has_overall)
        self.buffer, self.buffered = [], 0


def read_responses(stream: IO[str], *, by: Sequence[str], period: Period | None,
                   strata_by_unit: bool) -> tuple[Layout, Accumulator, dict[int, set[str]]]:
    """Read the whole CSV; returns the layout, the sums, and the units seen in each group."""
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("row 1: the file is empty (no header row)") from None
    layout = parse_header(header, by, need_time=period is not None, need_unit=strata_by_unit)
    state = Reader(layout, period, Accumulator(k=len(layout.rated_index)))
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived row lists make the cycle collector run for nothing
    try:
        for line, chunk in _chunks(reader):
            state.chunk(chunk, line + 1)
        state.flush()
    finally:
        if collecting:
            gc.enable()
    return layout, state.acc, state.units


def _chunks(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[list[str]]]]:
    """Chunks of rows, each with the row number (header = row 1) before its first row."""
    line = 1
    while True:
        try:
            chunk = list(islice(reader, CHUNK))
        except (csv.Error, UnicodeDecodeError) as exc:
            where = getattr(reader, "line_num", line)
            what = "the file is not UTF-8" if isinstance(exc, UnicodeDecodeError) else (
                f"malformed CSV ({exc})")
            raise InputError(f"line {where}: {what}") from None
        if not chunk:
            return
        yield line, chunk
        line += len(chunk)
