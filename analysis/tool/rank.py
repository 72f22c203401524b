"""``python -m analysis rank``: the ranking (xếp hạng) of units by their shrunken rate.

The units are the values of ``unit_code``; every ``--by`` column and ``--period`` make separate
rankings (for instance one per year). Each ranking calls :func:`analysis.rank_units` on the units
with at least ``--min-n`` answers to ``q.overall``; the others are listed as not ranked. Weights
are not used by the ranking, so a file with a ``weight`` column is refused.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.estimate import InsufficientDataError
from analysis.ranking import DRAWS, SEED, rank_units
from analysis.tool.csvio import Accumulator, InputError, Layout

__all__ = ["DRAWS", "SEED", "build_rankings"]


def build_rankings(layout: Layout, acc: Accumulator, *, level: float, min_n: int, draws: int,
                   seed: int, period: bool) -> list[dict[str, Any]]:
    """One ranking object per value of the grouping columns other than ``unit_code``."""
    if acc.weighted:
        raise InputError("rank does not use the 'weight' column; remove it or leave it empty")
    if not layout.has_overall:
        raise InputError("rank needs the column 'q.overall'")
    names = [*layout.by[1:], *(["period"] if period else [])]
    parts: dict[tuple[str, ...], list[tuple[str, int, int]]] = {}
    for key, g in sorted(acc.keys.items()):
        parts.setdefault(tuple(key[1:]), []).append((key[0], int(acc.s[g, 0]), int(acc.n[g, 0])))
    out = []
    for rest, units in parts.items():
        enough = [u for u in units if u[2] >= max(min_n, 1)]
        rows: list[dict[str, Any]] = []
        if enough:
            s = np.array([u[1] for u in enough])
            n = np.array([u[2] for u in enough])
            try:
                r = rank_units(s, n, confidence_level=level, draws=draws, seed=seed)
            except InsufficientDataError:
                r = None
            for i, (code, x, m) in enumerate(enough):
                rows.append({
                    "unit_code": code, "n": m, "satisfied": x, "raw": x / m,
                    "rank": 1 if r is None else int(r.rank[i]),
                    "rank_low": 1 if r is None else int(r.rank_low[i]),
                    "rank_high": 1 if r is None else int(r.rank_high[i]),
                    "tied": False if r is None else bool(r.tied[i]),
                    "shrunk": x / m if r is None else float(r.value[i]),
                })
        rows.sort(key=lambda row: (row["rank"], row["unit_code"]))
        out.append({"by": dict(zip(names, rest, strict=True)), "units": rows,
                    "not_ranked": [{"unit_code": c, "n": m} for c, _x, m in units
                                   if m < max(min_n, 1)]})
    return out
