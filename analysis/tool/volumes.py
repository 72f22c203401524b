"""The one reader of the dossier volumes file: ``unit_code,period,dossiers[,dossiers_unsatisfied]``.

The file has a header row naming its columns, in any order: ``unit_code``, ``period`` and
``dossiers`` are required, ``dossiers_unsatisfied`` is optional. Each later row gives the
dossiers a unit handled in a period:

- ``unit_code``: not empty;
- ``period``: a SPEC §3 label, ``2026``, ``2026-H1``, ``2026-Q3`` or ``2026-07``;
- ``dossiers``: a whole number >= 0 (ASCII digits only);
- ``dossiers_unsatisfied``: empty, or a whole number >= 0 and not above ``dossiers``.

Cells are stripped of surrounding spaces; rows whose cells are all empty are skipped; a UTF-8
byte order mark before the header is ignored. Rows are numbered as in a spreadsheet, the header
being row 1. Nothing here decides what a repeated (unit, period) means: the command line refuses
it, the web app replaces the earlier row.

Bad input raises :class:`VolumesError`, whose ``reason`` is one of these stable codes (the web
app maps them to its own messages; ``str()`` is an English line for the command line):

==============================  ======================================================  ====================
reason                          meaning                                                 column
==============================  ======================================================  ====================
``no_header``                   the file is empty or its first row is empty             None
``duplicate_column``            a header name appears twice                             the name
``unknown_column``              a header name is not one of the four columns            the name
``missing_column``              a required column is not in the header                  the name
``wrong_field_count``           a row has more or fewer fields than the header          None
``empty_unit_code``             ``unit_code`` is empty                                  unit_code
``bad_period``                  ``period`` is not a label like 2026-Q3                  period
``bad_count``                   a count is not a whole number >= 0                      its name
``unsatisfied_above_dossiers``  ``dossiers_unsatisfied`` is more than ``dossiers``      dossiers_unsatisfied
``not_utf8``                    the file cannot be decoded (:func:`read_volumes` only)  None
``malformed_csv``               the CSV cannot be parsed (:func:`read_volumes` only)    None
==============================  ======================================================  ====================

``value`` is the offending cell as written (stripped; ``""`` for ``empty_unit_code``), the
header name for ``duplicate_column`` and ``unknown_column``, and None for ``no_header``,
``missing_column``, ``wrong_field_count``, ``not_utf8`` and ``malformed_csv``. For ``not_utf8``
``line`` is the first row not yet read: a text stream decodes in blocks, so the bad bytes are in
that row or a later one.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

__all__ = ["COLUMNS", "REASONS", "REQUIRED", "VolumeRow", "VolumesError", "parse_volumes",
           "read_volumes"]

COLUMNS = ("unit_code", "period", "dossiers", "dossiers_unsatisfied")
REQUIRED = COLUMNS[:3]
REASONS = ("no_header", "duplicate_column", "unknown_column", "missing_column",
           "wrong_field_count", "empty_unit_code", "bad_period", "bad_count",
           "unsatisfied_above_dossiers", "not_utf8", "malformed_csv")
_LABEL = re.compile(r"(?!0000)[0-9]{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?")
_COUNT = re.compile(r"[0-9]+")
_EXPECTED = "the columns are unit_code, period, dossiers and optionally dossiers_unsatisfied"


class VolumesError(ValueError):
    """A bad volumes file, named by row and column.

    Attributes
    ----------
    reason : str
        A stable code from :data:`REASONS` (see the module docstring).
    line : int
        The spreadsheet row number, the header being row 1.
    column : str or None
        The column's name, or None when the fault is the whole row.
    value : str or None
        The offending text, or None.
    """

    def __init__(self, reason: str, line: int, column: str | None, value: str | None,
                 message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.line = line
        self.column = column
        self.value = value

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.reason, self.line, self.column, self.value, str(self)))


@dataclass(frozen=True, slots=True)
class VolumeRow:
    """One row of the volumes file.

    Attributes
    ----------
    line : int
        The spreadsheet row number, the header being row 1.
    unit_code : str
    period : str
        A SPEC §3 label: ``2026``, ``2026-H1``, ``2026-Q3`` or ``2026-07``.
    dossiers : int
        Dossiers the unit handled in the period.
    dossiers_unsatisfied : int or None
        Of those, the dossiers rated unsatisfied (the Decision 766 count); None when not given.
    """

    line: int
    unit_code: str
    period: str
    dossiers: int
    dossiers_unsatisfied: int | None

    @property
    def kind(self) -> str:
        """``"year"``, ``"half"``, ``"quarter"`` or ``"month"``: the kind of ``period``."""
        if len(self.period) == 4:
            return "year"
        return {"H": "half", "Q": "quarter"}.get(self.period[5], "month")


def _header(row: Sequence[str]) -> dict[str, int]:
    names = [name.strip() for name in row]
    if names:
        names[0] = names[0].removeprefix("\ufeff").strip()
    if not any(names):
        raise VolumesError("no_header", 1, None, None,
                           f"row 1: no header row (the file is empty or starts with an empty "
                           f"row; {_EXPECTED})")
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        where = f"row 1, column {i + 1} {name!r}"
        if name in index:
            raise VolumesError("duplicate_column", 1, name, name,
                               f"{where}: the column appears twice")
        if name not in COLUMNS:
            raise VolumesError("unknown_column", 1, name, name,
                               f"{where}: unknown column ({_EXPECTED})")
        index[name] = i
    for name in REQUIRED:
        if name not in index:
            raise VolumesError("missing_column", 1, name, None,
                               f"row 1: column {name!r} is missing ({_EXPECTED})")
    return index


def _count(text: str, line: int, column: str) -> int:
    if _COUNT.fullmatch(text):
        try:
            return int(text)
        except ValueError:  # more digits than int() converts
            pass
    raise VolumesError("bad_count", line, column, text,
                       f"row {line}, column {column!r}: {text!r} is not a whole number >= 0")


def _row(cells: list[str], line: int, index: dict[str, int]) -> VolumeRow:
    unit, label = cells[index["unit_code"]], cells[index["period"]]
    if not unit:
        raise VolumesError("empty_unit_code", line, "unit_code", unit,
                           f"row {line}, column 'unit_code': the unit code is empty")
    if not _LABEL.fullmatch(label):
        raise VolumesError("bad_period", line, "period", label,
                           f"row {line}, column 'period': {label!r} is not a period label like "
                           f"2026, 2026-H1, 2026-Q3 or 2026-07")
    dossiers = _count(cells[index["dossiers"]], line, "dossiers")
    unsatisfied = None
    where = index.get("dossiers_unsatisfied")
    if where is not None and cells[where]:
        unsatisfied = _count(cells[where], line, "dossiers_unsatisfied")
        if unsatisfied > dossiers:
            raise VolumesError("unsatisfied_above_dossiers", line, "dossiers_unsatisfied",
                               cells[where],
                               f"row {line}, column 'dossiers_unsatisfied': {unsatisfied} is "
                               f"more than the {dossiers} dossiers of the row")
    return VolumeRow(line, unit, label, dossiers, unsatisfied)


def parse_volumes(rows: Iterable[Sequence[str]]) -> Iterator[VolumeRow]:
    """Check the rows of a volumes file and yield one record per row that is not blank.

    Parameters
    ----------
    rows : iterable of sequences of str
        The rows as a CSV reader returns them, the header first.

    Yields
    ------
    VolumeRow
        In file order. The header is checked when the first record is asked for.

    Raises
    ------
    VolumesError
        At the first bad row (see the module docstring for the ``reason`` codes).

    Examples
    --------
    >>> rows = [["unit_code", "period", "dossiers", "dossiers_unsatisfied"],
    ...         ["U1", "2026-Q3", "120", "7"], [], ["U2", "2026-Q3", "80", ""]]
    >>> [(r.line, r.unit_code, r.dossiers, r.dossiers_unsatisfied) for r in parse_volumes(rows)]
    [(2, 'U1', 120, 7), (4, 'U2', 80, None)]
    >>> try:
    ...     next(parse_volumes([["unit_code", "period", "dossiers"], ["U1", "2026-Q5", "1"]]))
    ... except VolumesError as error:
    ...     print(error.reason, error.line, error.column, error.value)
    ...     print(error)
    bad_period 2 period 2026-Q5
    row 2, column 'period': '2026-Q5' is not a period label like 2026, 2026-H1, 2026-Q3 or 2026-07
    """
    it = iter(rows)
    index = _header(next(it, []))
    width = len(index)
    for line, row in enumerate(it, start=2):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if len(cells) != width:
            raise VolumesError("wrong_field_count", line, None, None,
                               f"row {line}: {len(cells)} fields where the header has {width}")
        yield _row(cells, line, index)


def read_volumes(stream: IO[str]) -> Iterator[VolumeRow]:
    """:func:`parse_volumes` of a CSV text stream; decoding and CSV errors are reported too.

    Parameters
    ----------
    stream : text stream
        Opened with ``newline=""``, best with ``encoding="utf-8-sig"``.

    Yields
    ------
    VolumeRow

    Raises
    ------
    VolumesError
        As :func:`parse_volumes`, and ``not_utf8`` or ``malformed_csv`` at the row that cannot
        be read.
    """
    return parse_volumes(_csv_rows(stream))


def _csv_rows(stream: IO[str]) -> Iterator[list[str]]:
    reader = csv.reader(stream, strict=True)
    line = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            raise VolumesError("not_utf8", line + 1, None, None,  # decoded in blocks
                               f"row {line + 1} or later: the file is not UTF-8") from None
        except csv.Error as exc:
            raise VolumesError("malformed_csv", line + 1, None, None,
                               f"row {line + 1}: malformed CSV ({exc})") from None
        line += 1
        yield row
