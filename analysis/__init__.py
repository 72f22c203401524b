"""Satisfaction indices with honest confidence intervals (pure: numpy, scipy, statsmodels).

Every public name is listed in ``__all__``; ``docs/methodology.md`` gives the formulas. Inputs
are plain counts and sums such as SQL ``GROUP BY`` returns; outputs are frozen dataclasses with
unrounded floats.
"""

from analysis.compare import FunnelLimits, Shrunken, adjust_pvalues, funnel_limits, shrink
from analysis.composite import (
    SIPAS_COMPONENTS,
    IndexBatch,
    ItemStats,
    component_indices,
    composite,
    index_batch,
    sipas_index,
)
from analysis.estimate import Estimate, InsufficientDataError
from analysis.fall import MIN_AFTER, Fall, detect_drop, find_fall, pending_fall
from analysis.periods import period_label
from analysis.planning import sample_size_margin, sample_size_target
from analysis.proportions import Proportions, proportion, proportions
from analysis.ranking import Ranking, rank_units, told_apart
from analysis.reliability import DECISION_766_LABEL, Decision766, cronbach_alpha, decision_766
from analysis.trend import Drop, Trend, cusum_drop, trend_test
from analysis.verdicts import Verdict, verdict
from analysis.weighting import WeightedEstimate, post_stratified

__all__ = [
    "DECISION_766_LABEL",
    "MIN_AFTER",
    "SIPAS_COMPONENTS",
    "Decision766",
    "Drop",
    "Estimate",
    "Fall",
    "FunnelLimits",
    "IndexBatch",
    "InsufficientDataError",
    "ItemStats",
    "Proportions",
    "Ranking",
    "Shrunken",
    "Trend",
    "Verdict",
    "WeightedEstimate",
    "adjust_pvalues",
    "component_indices",
    "composite",
    "cronbach_alpha",
    "cusum_drop",
    "decision_766",
    "detect_drop",
    "find_fall",
    "funnel_limits",
    "index_batch",
    "pending_fall",
    "period_label",
    "post_stratified",
    "proportion",
    "proportions",
    "rank_units",
    "sample_size_margin",
    "sample_size_target",
    "shrink",
    "sipas_index",
    "told_apart",
    "trend_test",
    "verdict",
]
