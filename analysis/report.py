"""Turn per-group sums into the SPEC §5 result objects, using the public estimators only.

The command line and the web app call the same functions (:func:`proportion`,
:func:`component_indices`, :func:`sipas_index`, :func:`verdict`, :func:`post_stratified`) on
the same sums, so they agree to the last bit.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

import numpy as np

from analysis.composite import SIPAS_COMPONENTS, ItemStats, component_indices, composite, sipas_index
from analysis.csvio import Accumulator, InputError, Layout, Period
from analysis.estimate import Estimate, InsufficientDataError
from analysis.proportions import proportion
from analysis.verdicts import Operator, verdict
from analysis.weighting import WeightedEstimate, post_stratified

__all__ = ["Options", "build_groups", "read_volumes"]

PERIOD_PATTERNS = {
    "year": re.compile(r"\d{4}"), "half": re.compile(r"\d{4}-H[12]"),
    "quarter": re.compile(r"\d{4}-Q[1-4]"), "month": re.compile(r"\d{4}-(0[1-9]|1[0-2])"),
}
Volumes = dict[tuple[str, str | None], float]


@dataclass(frozen=True)
class Options:
    level: float
    period: Period | None
    target: float | None
    operator: Operator
    min_n: int


def read_volumes(stream: IO[str], period: Period | None) -> Volumes:
    """``unit_code,period,dossiers`` rows; without ``period`` a unit's rows are summed."""
    reader = csv.reader(stream)
    header = [name.strip() for name in next(reader, [])]
    for i, name in enumerate(header):
        if name not in ("unit_code", "period", "dossiers"):
            raise InputError(f"volumes row 1, column {i + 1} {name!r}: unknown column")
    if sorted(header) != ["dossiers", "period", "unit_code"]:
        raise InputError("volumes row 1: the columns must be unit_code,period,dossiers")
    col = {name: i for i, name in enumerate(header)}
    out: Volumes = {}
    for line, row in enumerate(reader, start=2):
        if len(row) != 3:
            raise InputError(f"volumes row {line}: {len(row)} fields where the header has 3")
        unit, label, text = row[col["unit_code"]], row[col["period"]], row[col["dossiers"]]
        if period is not None and not PERIOD_PATTERNS[period].fullmatch(label):
            raise InputError(f"volumes row {line}, column 'period': {label!r} is not a {period} "
                             f"label like {_EXAMPLE[period]}")
        if not text.strip().isdigit():
            raise InputError(f"volumes row {line}, column 'dossiers': {text!r} is not a whole "
                             f"number >= 0")
        key = (unit, label if period is not None else None)
        if period is not None and key in out:
            raise InputError(f"volumes row {line}: unit {unit!r} and period {label!r} appear twice")
        out[key] = out.get(key, 0.0) + float(text)
    return out


_EXAMPLE = {"year": "2026", "half": "2026-H1", "quarter": "2026-Q3", "month": "2026-07"}


def _estimate(e: Estimate | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {"estimate": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high, "n": e.n,
            "method": e.method}


def _weighted(e: WeightedEstimate | None) -> dict[str, Any] | None:
    if e is None:
        return None
    return {"estimate": e.value, "ci_low": e.ci_low, "ci_high": e.ci_high,
            "coverage": e.coverage, "method": e.method}


def _stats(acc: Accumulator, g: int, items: slice) -> ItemStats:
    k = acc.k
    zz = acc.zz[g]
    idx = np.arange(k)[items]
    return ItemStats(
        n=acc.n[g, idx], s=acc.s[g, idx], yy=zz[np.ix_(idx, idx)], ya=zz[np.ix_(idx, idx + k)],
        aa=zz[np.ix_(idx + k, idx + k)], respondents=int(acc.responses[g]),
        counts=acc.counts[g, idx] if acc.weighted else None,
    )


def _satisfaction(acc: Accumulator, g: int, level: float) -> Estimate | None:
    if acc.counts[g, 0] == 0:
        return None
    if not acc.weighted:
        return proportion(int(acc.s[g, 0]), int(acc.n[g, 0]), confidence_level=level)
    return composite(_stats(acc, g, slice(0, 1)), [1.0], confidence_level=level)


def _post_stratified(acc: Accumulator, g: int, key: tuple[str, ...], layout: Layout,
                     units: Mapping[int, set[str]], volumes: Volumes,
                     options: Options) -> WeightedEstimate | None:
    label = key[-1] if options.period is not None else None
    if "unit_code" in layout.by:
        universe = {key[layout.by.index("unit_code")]}
    else:
        universe = {u for (u, p) in volumes if p == label}
    seen = units.get(g, set())
    for unit in sorted(seen):
        if (unit, label) not in volumes:
            when = f" for period {label!r}" if label is not None else ""
            raise InputError(f"unit {unit!r} has responses but no dossier volume{when} in the "
                             f"volumes file")
    strata = sorted(universe | seen)
    s = np.zeros(len(strata))
    n = np.zeros(len(strata))
    for h, unit in enumerate(strata):
        sid = acc.strata.get((g, unit))
        if sid is not None:
            s[h], n[h] = acc.stratum_s[sid], acc.stratum_n[sid]
    vol = np.array([volumes.get((unit, label), 0.0) for unit in strata])
    try:
        return post_stratified(s, n, vol, confidence_level=options.level)
    except InsufficientDataError:
        return None


def build_groups(layout: Layout, acc: Accumulator, units: Mapping[int, set[str]],
                 options: Options, volumes: Volumes | None) -> list[dict[str, Any]]:
    """One SPEC §5 group object per group, sorted by the grouping values."""
    names = [*layout.by, *(["period"] if options.period is not None else [])]
    components = layout.item_components
    items = slice(1, None) if layout.has_overall else slice(0, None)
    out = []
    for key, g in sorted(acc.keys.items()):
        satisfaction = _satisfaction(acc, g, options.level) if layout.has_overall else None
        stats = _stats(acc, g, items)
        found = component_indices(stats, components, confidence_level=options.level)
        group: dict[str, Any] = {
            "by": dict(zip(names, key, strict=True)),
            "n": int(acc.responses[g]),
            "satisfaction": _estimate(satisfaction),
            "components": {c: _estimate(found.get(c)) for c in SIPAS_COMPONENTS},
            "sipas": _estimate(sipas_index(stats, components, confidence_level=options.level)),
        }
        if volumes is not None:
            weighted = (_post_stratified(acc, g, key, layout, units, volumes, options)
                        if layout.has_overall else None)
            group["weighted"] = _weighted(weighted)
        if options.target is not None:
            group["verdict"] = _verdict(satisfaction, options.target, options)
        out.append(group)
    return out


def _verdict(satisfaction: Estimate | None, target: float, options: Options) -> dict[str, Any]:
    if satisfaction is None:
        return {"threshold": target, "operator": options.operator,
                "status": "insufficient", "responses_needed": None}
    v = verdict(satisfaction, threshold=target, operator=options.operator,
                min_n=options.min_n)
    return {"threshold": v.threshold, "operator": v.operator, "status": v.status,
            "responses_needed": v.responses_needed}
