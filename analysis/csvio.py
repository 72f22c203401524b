"""Streaming reader of the response CSV (SPEC §3) into per-group sufficient statistics.

The file is read in chunks; each chunk is turned into numpy arrays and folded into per-group
sums and cross-products, so memory grows with the number of groups, not of rows.

What counts as a known column: the fixed columns of SPEC §3 (``response_id``, ``submitted_at``,
``unit_code``, ``service_point_code``, ``procedure_code``, ``sector_code``, ``channel``,
``respondent_type``, ``instrument``, ``comment``, ``weight``), ``q.overall``, and
``q.<component>.<item>`` where the component is one of access, procedure, staff, result,
feedback (the SIPAS components, shared by the health and education modules) or overall. A
``q.overall.<item>`` column is checked but enters no index: only ``q.overall`` is the headline.
Anything else, including ``q.<component>`` without an item, is unknown.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from operator import itemgetter
from typing import IO, Literal

import numpy as np
from numpy.typing import NDArray

from analysis.composite import SIPAS_COMPONENTS

__all__ = ["FIXED_COLUMNS", "GROUPABLE", "Accumulator", "InputError", "Layout", "Period",
           "period_label", "read_responses"]

Period = Literal["year", "half", "quarter", "month"]
FIXED_COLUMNS = ("response_id", "submitted_at", "unit_code", "service_point_code",
                 "procedure_code", "sector_code", "channel", "respondent_type", "instrument",
                 "comment", "weight")
GROUPABLE = ("unit_code", "service_point_code", "procedure_code", "sector_code", "channel",
             "respondent_type", "instrument")
CODES = {"": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
CHUNK = 32768
SEVEN = timedelta(hours=7)


# Vietnam has kept UTC+07:00, without daylight saving, since 1975: Asia/Ho_Chi_Minh is a fixed
# offset for any date a response can carry, so no time-zone database is needed.
LOCAL = timezone(SEVEN)


class InputError(Exception):
    """Bad input, reported as one line (row and column) and exit status 2."""


def period_label(day: date, period: Period) -> str:
    """The SPEC §3 label of the period containing a local date.

    >>> [period_label(date(2026, 8, 1), p) for p in ("year", "half", "quarter", "month")]
    ['2026', '2026-H2', '2026-Q3', '2026-08']
    """
    if period == "year":
        return f"{day.year}"
    if period == "half":
        return f"{day.year}-H{1 if day.month <= 6 else 2}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def local_date(text: str) -> date:
    """The Asia/Ho_Chi_Minh calendar date of an ISO 8601 timestamp with offset.

    >>> local_date("2026-06-30T20:00:00+00:00")
    datetime.date(2026, 7, 1)
    """
    moment = datetime.fromisoformat(text)
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("no UTC offset")
    if offset == SEVEN:
        return moment.date()
    return moment.astimezone(LOCAL).date()


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


def _bad_value(row: Sequence[str], layout: Layout, line: int) -> InputError:
    for i in (*layout.rated_index, *layout.checked_index):
        if row[i] not in CODES:
            return InputError(f"row {line}, column {layout.header[i]!r}: value {row[i]!r} is not "
                              f"1–5 or empty")
    return InputError(f"row {line}: bad value")  # pragma: no cover - unreachable


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


SECONDS = frozenset(f":{i:02d}" for i in range(60))


class PeriodLabeller:
    """Period labels of ``submitted_at`` values, fast.

    A stamp ``YYYY-MM-DDTHH:MM:SS<offset>`` is split into its date, its seconds and the rest
    (``THH:MM`` and the offset). Seconds never move the local date, so the day shift to local
    time is cached per rest (at most 1,440 per offset) and each date is parsed once. Anything
    else (fractions of seconds, basic format) goes through :func:`local_date`.
    """

    def __init__(self, period: Period) -> None:
        self.period = period
        self.days: dict[str, date] = {}
        self.shifts: dict[str, int] = {}
        self.labels: dict[date, str] = {}

    def __call__(self, stamp: str) -> str:
        if stamp[16:19] in SECONDS:
            day = self.days.get(stamp[:10])
            shift = self.shifts.get(stamp[10:16] + stamp[19:])
            if day is None or shift is None:
                day, shift = self._learn(stamp)
        else:
            day, shift = local_date(stamp), 0
        if shift:
            day = day + timedelta(days=shift)
        label = self.labels.get(day)
        if label is None:
            label = self.labels[day] = period_label(day, self.period)
        return label

    def _learn(self, stamp: str) -> tuple[date, int]:
        local = local_date(stamp)  # raises ValueError on anything malformed
        if stamp[10:11] not in ("T", "t", " ") or stamp[13:14] != ":":
            return local, 0
        day = self.days[stamp[:10]] = date.fromisoformat(stamp[:10])
        shift = self.shifts[stamp[10:16] + stamp[19:]] = (local - day).days
        return day, shift


def _decode(flat: list[str], rows: int, width: int, columns: tuple[int, ...], first_line: int,
            header: tuple[str, ...]) -> NDArray[np.int8]:
    """Turn the rating fields of a chunk (row-major, ``width`` per row) into codes 0–5."""
    if not flat:
        return np.zeros((rows, width), dtype=np.int8)
    text = "\x1f".join(flat) + "\x1f"
    raw = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    ends = np.flatnonzero(raw == 0x1F)
    if ends.size == len(flat):
        starts = np.r_[0, ends[:-1] + 1]
        lengths = ends - starts
        chars = raw[np.maximum(ends - 1, 0)]
        codes = np.where(lengths == 0, 0, chars.astype(np.int16) - ord("0"))
        bad = (lengths > 1) | ((lengths == 1) & ((codes < 1) | (codes > 5)))
        if not bad.any():
            return codes.astype(np.int8).reshape(rows, width)
    for i, value in enumerate(flat):  # slow path: find the first bad field
        if value not in CODES:
            row, col = divmod(i, width)
            raise InputError(f"row {first_line + row}, column {header[columns[col]]!r}: value "
                             f"{value!r} is not 1–5 or empty")
    raise InputError(f"row {first_line}: bad rating")  # pragma: no cover - unreachable


def read_responses(stream: IO[str], *, by: Sequence[str], period: Period | None,
                   strata_by_unit: bool) -> tuple[Layout, Accumulator, dict[int, set[str]]]:
    """Read the whole CSV; returns the layout, the sums, and the units seen in each group."""
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("row 1: the file is empty (no header row)") from None
    layout = parse_header(header, by, need_time=period is not None, need_unit=strata_by_unit)
    acc = Accumulator(k=len(layout.rated_index))
    units: dict[int, set[str]] = {}
    width = len(layout.header)
    key_of = _getter(layout.by_index)
    columns = (*layout.rated_index, *layout.checked_index)
    fields_of = _getter(columns)
    label_of = PeriodLabeller(period) if period is not None else None
    time_index = layout.time_index if layout.time_index is not None else 0
    weight_index, unit_index = layout.weight_index, layout.unit_index
    keys = acc.keys
    for line, chunk in _chunks(reader):
        groups: list[int] = []
        flat: list[str] = []
        weights: list[float] = []
        strata: list[int] = []
        for row in chunk:
            line += 1
            if len(row) != width:
                raise InputError(f"row {line}: {len(row)} fields where the header has {width}")
            key = key_of(row)
            if label_of is not None:
                try:
                    key = (*key, label_of(row[time_index]))
                except ValueError:
                    raise InputError(f"row {line}, column 'submitted_at': {row[time_index]!r} is "
                                     f"not an ISO 8601 date-time with offset") from None
            gid = keys.get(key)
            if gid is None:
                gid = keys[key] = len(keys)
            groups.append(gid)
            flat.extend(fields_of(row))
            if weight_index is not None:
                w = _weight(row[weight_index], line)
                acc.weighted = acc.weighted or w != 1.0
                weights.append(w)
            if unit_index is not None:
                unit = row[unit_index]
                strata.append(acc.strata.setdefault((gid, unit), len(acc.strata)))
                units.setdefault(gid, set()).add(unit)
        codes = _decode(flat, len(groups), len(columns), columns, line - len(chunk) + 1,
                        layout.header)
        acc.add(np.asarray(groups, dtype=np.intp), np.ascontiguousarray(codes[:, : acc.k]),
                np.asarray(weights) if weight_index is not None else np.ones(len(groups)),
                np.asarray(strata, dtype=np.intp) if unit_index is not None else None,
                layout.has_overall)
    return layout, acc, units


def _getter(index: tuple[int, ...]) -> Callable[[Sequence[str]], tuple[str, ...]]:
    """``row -> tuple(row[i] for i in index)``, fast (itemgetter returns a bare value for one)."""
    if not index:
        return lambda _row: ()
    if len(index) == 1:
        only = index[0]
        return lambda row: (row[only],)
    return itemgetter(*index)  # type: ignore[return-value]


def _chunks(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[list[str]]]]:
    """Chunks of rows, each with the row number (header = row 1) before its first row."""
    line = 1
    while True:
        chunk: list[list[str]] = []
        try:
            for row in reader:
                chunk.append(row)
                if len(chunk) == CHUNK:
                    break
        except csv.Error as exc:
            raise InputError(f"row {line + len(chunk) + 1}: malformed CSV ({exc})") from None
        except UnicodeDecodeError:
            raise InputError(f"row {line + len(chunk) + 1}: the file is not UTF-8") from None
        if not chunk:
            return
        yield line, chunk
        line += len(chunk)
