"""Reading an uploaded or imported CSV file, all or nothing.

Every import (units, procedures, responses, dossier volumes) reads the whole file first and
names every bad row by its spreadsheet number (the header is row 1) and column; only a file
without a single error is applied. The messages are translatable, so an administrator reads
them in Vietnamese.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import IO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

MAX_ROWS = 100_000


@dataclass(frozen=True)
class Problem:
    """One bad value: its row, its column and what is wrong with it (a translatable message)."""

    row: int
    column: str
    message: object

    def __str__(self) -> str:
        return _("dòng %(row)s, cột %(column)s: %(message)s", row=self.row, column=self.column,
                 message=self.message)


class ImportFailed(ValueError):
    """The file has bad rows; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:20]))
        self.problems = problems


def read_rows(source: IO[str], required: tuple[str, ...]) -> list[dict[str, str]]:
    """Every row as a dict of stripped strings; :class:`ImportFailed` for a missing column,
    an over-long row, or more than ``MAX_ROWS`` rows."""
    reader = csv.DictReader(source)
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportFailed([Problem(1, c, _l("thiếu cột này")) for c in missing])
    rows: list[dict[str, str]] = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise ImportFailed([Problem(MAX_ROWS + 2, "-",
                                        _l("nhiều hơn %(n)s dòng", n=MAX_ROWS))])
        if None in row:
            raise ImportFailed([Problem(reader.line_num, "-", _l("nhiều giá trị hơn số cột"))])
        rows.append({k: (v or "").strip() for k, v in row.items()})
    return rows
