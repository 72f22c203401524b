"""Satisfaction indices with honest confidence intervals (pure: numpy, scipy, statsmodels).

Every public name is listed in ``__all__``; ``docs/methodology.md`` gives the formulas. Inputs
are plain counts and sums such as SQL ``GROUP BY`` returns; outputs are frozen dataclasses with
unrounded floats.
"""

from analysis.composite import (
    SIPAS_COMPONENTS,
    ItemStats,
    component_indices,
    composite,
    sipas_index,
)
from analysis.estimate import Estimate, InsufficientDataError
from analysis.planning import sample_size_margin, sample_size_target
from analysis.proportions import Proportions, proportion, proportions
from analysis.verdicts import Verdict, verdict
from analysis.weighting import WeightedEstimate, post_stratified

__all__ = [
    "SIPAS_COMPONENTS",
    "Estimate",
    "InsufficientDataError",
    "ItemStats",
    "Proportions",
    "Verdict",
    "WeightedEstimate",
    "component_indices",
    "composite",
    "post_stratified",
    "proportion",
    "proportions",
    "sample_size_margin",
    "sample_size_target",
    "sipas_index",
    "verdict",
]
