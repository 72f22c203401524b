"""Realistic simulated answers for the coverage study of SPEC §4 (``make coverage-study``).

Answers are drawn as a citizen would give them, not as independent coin flips:

* a latent satisfaction L_ij = μ_j + u_i + v_ic + e_ij for respondent i and item j of component c,
  with a **respondent effect** u_i ~ N(0, 0.8²) (some people rate everything high), a
  **respondent × component effect** v_ic ~ N(0, 0.5²) (one person liked the staff, not the
  waiting), and item noise e_ij ~ N(0, 1);
* a 1–5 Likert score from cut points (−2, −1, 0, 1) on L, so that "4 or 5" means L > 0;
* items **skipped at random** (8 % each) or **not at random** (5 % of satisfied answers and 25 %
  of unsatisfied ones are skipped: unhappy citizens leave more blanks).

The item means μ_j put the items of a component on either side of the cell's rate, so items
differ. The truth is computed exactly from the model: the rate of item j among those who answer
it is p_j(1 − s₁)/(p_j(1 − s₁) + (1 − p_j)(1 − s₀)) with p_j = Φ(μ_j/σ) and skip rates s₁, s₀;
a component index is the mean of its items' rates, and ``sipas`` the mean of the five.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from analysis import SIPAS_COMPONENTS, index_batch

ITEMS_PER_COMPONENT = (2, 3, 2, 2, 2)
COMPONENT_OF_ITEM = np.repeat(np.arange(5), ITEMS_PER_COMPONENT)
ITEM_SPREAD = (-0.15, 0.15, 0.0)  # probit offsets of the items of one component
SD_RESPONDENT, SD_COMPONENT = 0.8, 0.5
SIGMA = float(np.sqrt(1.0 + SD_RESPONDENT**2 + SD_COMPONENT**2))
CUTS = (-2.0, -1.0, 0.0, 1.0)
SKIPS = {"random": (0.08, 0.08), "not at random": (0.05, 0.25)}  # (satisfied, unsatisfied)


def _item_means(rate: float) -> np.ndarray:
    offsets: list[float] = []
    for size in ITEMS_PER_COMPONENT:
        block = ITEM_SPREAD[:size]
        offsets += [o - sum(block) / size for o in block]
    return float(special.ndtri(rate)) * SIGMA + np.asarray(offsets) * SIGMA


def truths(rate: float, skip: str) -> tuple[np.ndarray, float]:
    """The true index of each component and of ``sipas`` for a cell."""
    p = special.ndtr(_item_means(rate) / SIGMA)
    keep_yes, keep_no = (1.0 - s for s in SKIPS[skip])
    answered_rate = p * keep_yes / (p * keep_yes + (1.0 - p) * keep_no)
    comp = np.array([answered_rate[np.equal(COMPONENT_OF_ITEM, c)].mean() for c in range(5)])
    return comp, float(comp.mean())


def likert(rng: np.random.Generator, reps: int, n: int, rate: float,
           skip: str) -> tuple[np.ndarray, np.ndarray]:
    """Scores 1–5 (0 where skipped), shape (reps, n, items), and the answered mask."""
    k = COMPONENT_OF_ITEM.size
    u = rng.normal(0.0, SD_RESPONDENT, (reps, n, 1))
    v = rng.normal(0.0, SD_COMPONENT, (reps, n, 5))[:, :, COMPONENT_OF_ITEM]
    latent = _item_means(rate) + u + v + rng.normal(size=(reps, n, k))
    score = 1 + np.searchsorted(np.asarray(CUTS), latent)
    s_yes, s_no = SKIPS[skip]
    answered = rng.random((reps, n, k)) >= np.where(score >= 4, s_yes, s_no)
    return np.where(answered, score, 0), answered


@dataclass(frozen=True)
class Cell:
    """Share of intervals covering the truth in one cell: per component, and ``sipas``."""

    components: tuple[float, ...]
    sipas: float
    reps: int


def composite_cell(n: int, rate: float, skip: str, *, reps: int, seed: int,
                   level: float = 0.95, small_sample: bool = True) -> Cell:
    """Coverage of the five component intervals (pooled) and of the ``sipas`` interval."""
    rng = np.random.default_rng(seed)
    score, answered = likert(rng, reps, n, rate, skip)
    y = (score >= 4).astype(np.float64)
    a = answered.astype(np.float64)
    yt, at = y.transpose(0, 2, 1), a.transpose(0, 2, 1)
    yy, ya, aa = yt @ y, yt @ a, at @ a
    cnt, sat = a.sum(axis=1), y.sum(axis=1)
    comp_truth, sipas_truth = truths(rate, skip)
    hits = []
    sipas_w = np.zeros((reps, COMPONENT_OF_ITEM.size))
    for c in range(len(SIPAS_COMPONENTS)):
        present = np.equal(COMPONENT_OF_ITEM, c)[None, :] & (cnt > 0)
        w = present / np.maximum(present.sum(axis=1, keepdims=True), 1)
        r = index_batch(cnt, sat, yy, ya, aa, w, confidence_level=level,
                        small_sample=small_sample)
        hits.append(float(np.mean((r.ci_low <= comp_truth[c]) & (comp_truth[c] <= r.ci_high))))
        sipas_w += w / 5.0
    r = index_batch(cnt, sat, yy, ya, aa, sipas_w, confidence_level=level,
                    small_sample=small_sample)
    sipas = float(np.mean((r.ci_low <= sipas_truth) & (sipas_truth <= r.ci_high)))
    return Cell(tuple(hits), sipas, reps)


# --- post-stratified rates --------------------------------------------------------------------

WEIGHTED_SCENARIOS = ("one large unit, few answers, low rate", "many tiny units",
                      "units of mixed sizes")


def strata(scenario: str, rate: float, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """(answers n_h, true rates p_h, dossiers N_h) of one province, with Σ W_h p_h = ``rate``."""
    if scenario == WEIGHTED_SCENARIOS[0]:
        # Half the dossiers in one unit that returned 10 answers at a rate well below the rest.
        d = min(0.15, 0.99 - rate)
        return (np.array([10] + [40] * 5), np.array([rate - d] + [rate + d] * 5),
                np.array([5000.0] + [1000.0] * 5))
    if scenario == WEIGHTED_SCENARIOS[1]:
        size, n, conc = 40, 1 + rng.poisson(1.5, 40), 20.0
    else:
        size, n, conc = 8, rng.integers(10, 81, 8), 30.0
    p = rng.beta(rate * conc, (1 - rate) * conc, size)
    volumes = rng.lognormal(6.0, 1.0, size)
    w = volumes / volumes.sum()
    p = np.clip(p + (rate - w @ p), 0.0, 1.0)  # shift so that the truth is the cell's rate
    return n, p, volumes


def weighted_cell(scenario: str, rate: float, *, reps: int, seed: int,
                  level: float = 0.95) -> float:
    """Share of post-stratified intervals covering Σ W_h p_h (units redrawn every replicate)."""
    from analysis import post_stratified

    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(reps):
        n, p, volumes = strata(scenario, rate, rng)
        truth = float(volumes @ p / volumes.sum())
        e = post_stratified(rng.binomial(n, p), n, volumes, confidence_level=level)
        hits += e.ci_low <= truth <= e.ci_high
    return hits / reps


# --- the alert on a falling rate --------------------------------------------------------------


def false_alarm_rate(rate: float, answers_per_month: float, *, reps: int, seed: int,
                     months: int = 12, first_look: int = 3, min_after: int | None = None,
                     critical: float | None = None) -> float:
    """Share of in-control units (constant ``rate``) that raise an alert at any monthly look.

    Each unit gets Poisson(``answers_per_month``) answers a month; the alert is evaluated as
    the dashboard does it (:func:`analysis.fall.alert_statistics`, the statistics that
    :func:`analysis.find_fall` judges), on the months so far, every month from ``first_look`` to
    ``months``. ``min_after`` and ``critical`` default to the alert's own.
    """
    from analysis.fall import ALERT_CRITICAL, MIN_AFTER, alert_statistics

    min_after = MIN_AFTER if min_after is None else min_after
    critical = ALERT_CRITICAL if critical is None else critical
    rng = np.random.default_rng(seed)
    m = rng.poisson(answers_per_month, (reps, months)).astype(np.float64)
    x = rng.binomial(m.astype(np.int64), rate).astype(np.float64)
    alarmed = np.zeros(reps, dtype=bool)
    for t in range(first_look, months + 1):
        r = alert_statistics(x[:, :t], m[:, :t], min_after=min_after)
        alarmed |= r.min(axis=1, initial=np.inf) < -critical
    return float(alarmed.mean())


def detection_rate(rate: float, fall: float, answers_per_month: float, *, reps: int, seed: int,
                   start: int = 6, months: int = 12,
                   min_after: int | None = None) -> tuple[float, float]:
    """Power: share of units whose rate falls by ``fall`` from month ``start`` that alert by
    month 12, and the share of those alerts that date the start within one month."""
    from analysis import MIN_AFTER, find_fall

    min_after = MIN_AFTER if min_after is None else min_after
    rng = np.random.default_rng(seed)
    p = np.where(np.arange(months) < start, rate, rate - fall)
    hits = dated = 0
    for _ in range(reps):
        m = rng.poisson(answers_per_month, months)
        f = find_fall(rng.binomial(m, p), m, min_after=min_after)
        if f is not None:
            hits += 1
            dated += abs(f.start_index - start) <= 1
    return hits / reps, dated / max(hits, 1)
