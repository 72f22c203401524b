"""Turn per-group sums into the SPEC §5 result objects, using the public estimators only.

The command line and the web app call the same functions (:func:`proportion`,
:func:`component_indices`, :func:`sipas_index`, :func:`verdict`, :func:`post_stratified`) on
the same sums, so they agree to the last bit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from analysis.composite import SIPAS_COMPONENTS, IndexBatch, ItemStats, composite, index_batch
from analysis.estimate import Estimate, InsufficientDataError
from analysis.proportions import proportions
from analysis.tool.csvio import Accumulator, InputError, Layout, Period
from analysis.tool.volumes import VolumeRow
from analysis.verdicts import Operator, verdict
from analysis.weighting import WeightedEstimate, post_stratified

__all__ = ["Options", "build_groups", "dossier_totals"]

Volumes = dict[tuple[str, str | None], float]
_EXAMPLE = {"year": "2026", "half": "2026-H1", "quarter": "2026-Q3", "month": "2026-07"}


@dataclass(frozen=True)
class Options:
    level: float
    period: Period | None
    target: float | None
    operator: Operator
    min_n: int
    items: bool = False


def dossier_totals(rows: Iterable[VolumeRow], period: Period | None) -> Volumes:
    """Dossiers per (unit, period label) for ``--period``, or per (unit, None) without it.

    With ``period`` every row must carry a label of that kind and a (unit, label) may appear
    once; without it a unit's dossiers are summed over all its rows. ``dossiers_unsatisfied``
    is not used.
    """
    out: Volumes = {}
    for row in rows:
        if period is not None and row.kind != period:
            raise InputError(f"volumes row {row.line}, column 'period': {row.period!r} is not a "
                             f"{period} label like {_EXAMPLE[period]}")
        key = (row.unit_code, row.period if period is not None else None)
        if period is not None and key in out:
            raise InputError(f"volumes row {row.line}: unit {row.unit_code!r} and period "
                             f"{row.period!r} appear twice")
        try:
            dossiers = float(row.dossiers)
        except OverflowError:
            raise InputError(f"volumes row {row.line}, column 'dossiers': the number is too "
                             f"large") from None
        out[key] = out.get(key, 0.0) + dossiers
    return out


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


Block = dict[str, Any]


def _blocks(r: IndexBatch, rows: NDArray[np.intp], size: int) -> list[Block | None]:
    out: list[Block | None] = [None] * size
    for i, g in enumerate(rows.tolist()):
        out[g] = {"estimate": float(r.value[i]), "ci_low": float(r.ci_low[i]),
                  "ci_high": float(r.ci_high[i]), "n": int(r.n[i]),
                  "method": "linearization-wilson"}
    return out


def _indices(acc: Accumulator, gids: NDArray[np.intp], columns: NDArray[np.intp],
             components: list[str], level: float) -> tuple[dict[str, list[Block | None]],
                                                           list[Block | None]]:
    """Component indices and sipas for every group, through :func:`index_batch` (the same
    code that :func:`component_indices` and :func:`sipas_index` run for one group)."""
    k, size = acc.k, gids.size
    if columns.size == 0:  # only q.overall in the file: no component, no sipas
        return {c: [None] * size for c in SIPAS_COMPONENTS}, [None] * size
    n = acc.n[gids][:, columns]
    s = acc.s[gids][:, columns]
    zz = acc.zz[gids]
    yy = zz[:, columns][:, :, columns]
    ya = zz[:, columns][:, :, columns + k]
    aa = zz[:, columns + k][:, :, columns + k]
    counts = acc.counts[gids][:, columns] if acc.weighted else None
    names = np.asarray(components, dtype=object)
    weights: dict[str, NDArray[np.float64]] = {}
    found: dict[str, NDArray[np.bool_]] = {}
    out: dict[str, list[Block | None]] = {}
    for c in SIPAS_COMPONENTS:
        present = (names == c)[None, :] & (n > 0)
        number = present.sum(axis=1)
        found[c] = number > 0
        weights[c] = present / np.maximum(number, 1)[:, None].astype(np.float64)
        rows = np.flatnonzero(found[c])
        out[c] = _blocks(_batch(n, s, yy, ya, aa, counts, weights[c], rows, level), rows, size)
    complete = np.logical_and.reduce([found[c] for c in SIPAS_COMPONENTS])
    total = np.zeros(n.shape)
    for c in SIPAS_COMPONENTS:
        total = total + weights[c]
    rows = np.flatnonzero(complete)
    sipas = _blocks(_batch(n, s, yy, ya, aa, counts, total / len(SIPAS_COMPONENTS), rows, level),
                    rows, size)
    return out, sipas


def _batch(n: NDArray[np.float64], s: NDArray[np.float64], yy: NDArray[np.float64],
           ya: NDArray[np.float64], aa: NDArray[np.float64], counts: NDArray[np.float64] | None,
           w: NDArray[np.float64], rows: NDArray[np.intp], level: float) -> IndexBatch:
    return index_batch(n[rows], s[rows], yy[rows], ya[rows], aa[rows], w[rows],
                       counts=None if counts is None else counts[rows], confidence_level=level)


def _rates(acc: Accumulator, gids: NDArray[np.intp], j: int, level: float) -> list[Estimate | None]:
    """The rate of rated column ``j`` per group: Wilson, or linearized when weighted."""
    if not acc.weighted:
        r = proportions(acc.s[gids, j], acc.n[gids, j], confidence_level=level)
        return [None if m == 0 else Estimate(float(v), float(lo), float(hi), int(m), "wilson",
                                             level)
                for v, lo, hi, m in zip(r.value, r.ci_low, r.ci_high, r.n, strict=True)]
    out: list[Estimate | None] = []
    col = np.asarray([j], dtype=np.intp)
    for g in gids.tolist():
        if acc.counts[g, j] == 0:
            out.append(None)
            continue
        zz = acc.zz[g]
        stats = ItemStats(n=acc.n[g, col], s=acc.s[g, col], yy=zz[j:j + 1, j:j + 1],
                          ya=zz[j:j + 1, acc.k + j:acc.k + j + 1],
                          aa=zz[acc.k + j:acc.k + j + 1, acc.k + j:acc.k + j + 1],
                          respondents=int(acc.responses[g]), counts=acc.counts[g, col])
        out.append(composite(stats, [1.0], confidence_level=level))
    return out


def _satisfaction(acc: Accumulator, gids: NDArray[np.intp], level: float) -> list[Estimate | None]:
    return _rates(acc, gids, 0, level)


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
    ordered = sorted(acc.keys.items())
    gids = np.array([g for _, g in ordered], dtype=np.intp)
    first = 1 if layout.has_overall else 0
    columns = np.arange(first, acc.k, dtype=np.intp)
    level = options.level
    satisfaction = (_satisfaction(acc, gids, level) if layout.has_overall
                    else [None] * gids.size)
    comps, sipas = _indices(acc, gids, columns, layout.item_components, level)
    items = ({key: _rates(acc, gids, j, level) for j, key in enumerate(layout.item_keys)}
             if options.items else {})
    out = []
    for i, (key, g) in enumerate(ordered):
        group: dict[str, Any] = {
            "by": dict(zip(names, key, strict=True)),
            "n": int(acc.responses[g]),
            "satisfaction": _estimate(satisfaction[i]),
            "components": {c: comps[c][i] for c in SIPAS_COMPONENTS},
            "sipas": sipas[i],
        }
        if options.items:
            group["items"] = {name: _estimate(rates[i]) for name, rates in items.items()}
        if volumes is not None:
            weighted = (_post_stratified(acc, g, key, layout, units, volumes, options)
                        if layout.has_overall else None)
            group["weighted"] = _weighted(weighted)
        if options.target is not None:
            group["verdict"] = _verdict(satisfaction[i], options.target, options)
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
