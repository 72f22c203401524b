"""Satisfaction indices with honest confidence intervals (pure: numpy, scipy, statsmodels)."""
