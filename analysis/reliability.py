"""Reliability of a multi-item component (Cronbach's alpha), and the Decision 766 metric."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from analysis.estimate import Estimate, InsufficientDataError, check_level

__all__ = ["DECISION_766_LABEL", "Decision766", "cronbach_alpha", "decision_766"]


def cronbach_alpha(scores: ArrayLike, *, confidence_level: float = 0.95) -> Estimate:
    """Cronbach's alpha of k items with Feldt's F-based interval.

    Parameters
    ----------
    scores : array_like, shape (respondents, k)
        Ratings 1–5 of respondents who answered every item of the component (complete cases;
        drop respondents with a skipped item first).
    confidence_level : float

    Returns
    -------
    Estimate
        α = k/(k − 1)·(1 − Σ_j s_j²/s_X²), where s_j² are the item variances and s_X² the
        variance of the total score; ``method="feldt"``, interval
        [1 − (1 − α) F_{1−γ/2}, 1 − (1 − α) F_{γ/2}] with F on (n − 1, (n − 1)(k − 1)) degrees
        of freedom and γ = 1 − level. Alpha can be negative; it is not clipped.

    References
    ----------
    Cronbach, L. J. (1951). Psychometrika 16, 297–334. Feldt, L. S. (1965). The approximate
    sampling distribution of Kuder–Richardson reliability coefficient twenty. Psychometrika 30,
    357–370.

    Examples
    --------
    >>> e = cronbach_alpha([[4, 5, 4], [3, 3, 4], [5, 5, 5], [2, 3, 2], [4, 4, 5]])
    >>> round(e.value, 4), round(e.ci_low, 4)
    (0.9184, 0.5875)
    """
    from scipy import stats  # imported here: scipy.stats takes a second to import

    level = check_level(confidence_level)
    x = np.asarray(scores, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] < 2 or not np.all(np.isfinite(x)):
        raise ValueError(f"scores must be a complete respondents x items array with at least two "
                         f"items, got shape {x.shape}")
    n, k = x.shape
    if n < 2:
        raise InsufficientDataError("alpha needs at least two respondents")
    total_var = float(x.sum(axis=1).var(ddof=1))
    if total_var == 0.0:
        raise InsufficientDataError("every respondent has the same total score")
    alpha = k / (k - 1) * (1.0 - float(x.var(axis=0, ddof=1).sum()) / total_var)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - level) / 2
    low = 1.0 - (1.0 - alpha) * float(stats.f.isf(tail, df1, df2))
    high = 1.0 - (1.0 - alpha) * float(stats.f.ppf(tail, df1, df2))
    return Estimate(alpha, low, high, n, "feldt", level)


DECISION_766_LABEL = (
    "Tỷ lệ theo Quyết định 766/QĐ-TTg: (hồ sơ − hồ sơ bị đánh giá không hài lòng) / hồ sơ; "
    "coi im lặng là hài lòng, không phải chỉ số SIPAS. / Decision 766 ratio: (dossiers − dossiers "
    "rated unsatisfied) / dossiers; counts silence as satisfaction; not a survey estimate."
)


@dataclass(frozen=True, slots=True)
class Decision766:
    """The Decision 766/QĐ-TTg ratio, kept apart from survey estimates and labelled as such."""

    value: float
    dossiers: int
    dossiers_unsatisfied: int
    counts_silence_as_satisfaction: bool
    label: str


def decision_766(dossiers: int, dossiers_unsatisfied: int) -> Decision766:
    """The Decision 766 satisfaction ratio: (dossiers − unsatisfied) / dossiers.

    Every dossier whose citizen said nothing counts as satisfied, so this ratio runs far above
    the survey rate and must be shown beside it, never mixed in. It is a count over all
    dossiers, not a sample estimate, so it has no confidence interval.

    References
    ----------
    Quyết định 766/QĐ-TTg (2022) của Thủ tướng Chính phủ, Bộ chỉ số chỉ đạo, điều hành và đánh
    giá chất lượng phục vụ người dân, doanh nghiệp.

    Examples
    --------
    >>> d = decision_766(1000, 12)
    >>> d.value, d.counts_silence_as_satisfaction
    (0.988, True)
    """
    total, bad = int(dossiers), int(dossiers_unsatisfied)
    if total < 0 or not 0 <= bad <= total:
        raise ValueError(f"need 0 <= dossiers_unsatisfied <= dossiers, got {dossiers_unsatisfied!r}"
                         f" of {dossiers!r}")
    if total == 0:
        raise InsufficientDataError("no dossiers")
    return Decision766((total - bad) / total, total, bad, True, DECISION_766_LABEL)
