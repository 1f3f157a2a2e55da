"""Confidence intervals of the survey estimates, per cell.

:func:`confidence_interval` turns an estimate of
:func:`talentgap.features.estimate_cells` and its standard error into the
bounds of a confidence interval. Rates get the symmetric interval
``estimate -/+ q se``. Totals get an interval on the log scale, which
follows the skew of a total that a few large enterprises dominate; for
counts that respondents report (employees, vacancies, hard-to-fill
vacancies) its upper bound is that of the total with one more reported
unit, so a sampled cell whose respondents all reported the same count
still has an upper bound above its estimate. The quantile ``q`` is
Student's ``t`` on the design's degrees of freedom where the cells were
estimated with a design, the normal quantile otherwise. The methods page
("Confidence intervals") gives the formulas and the literature.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from talentgap._arguments import check_levels
from talentgap.errors import ParameterError

__all__ = ["confidence_interval", "symmetric_interval", "log_interval"]


def confidence_interval(cells: pd.DataFrame, column: str = "demand",
                        level: float = 95, *, method: str = "auto") -> pd.DataFrame:
    """Confidence intervals per cell of an estimate of :func:`~talentgap.features.estimate_cells`.

    The quantile ``q`` is Student's ``t`` on the cell's ``<column>_df``
    degrees of freedom when the cells were estimated with a design
    (Satterthwaite: few PSUs, or a variance that one stratum dominates,
    widen the interval), the normal quantile otherwise.

    Parameters
    ----------
    cells : pandas.DataFrame
        Output of :func:`talentgap.features.estimate_cells`.
    column : str, default "demand"
        An estimate with a ``<column>_se`` column (``demand``, ``vacancies``,
        ``shortage_rate``, ...).
    level : float, default 95
        Confidence level in percent, in (1, 100).
    method : {"auto", "log", "t"}, default "auto"
        ``"t"``: ``estimate -/+ q se``. ``"log"``: the interval on the log
        scale, ``estimate * exp(-/+ q se / estimate)``, for positive totals,
        whose sampling distribution is skewed when a few enterprises carry
        much of the total (a symmetric interval then misses mostly with the
        truth above it: a sample that missed the large values has a small
        estimate and a small SE). For the reported counts (``employees``,
        ``vacancies``, ``demand``) the upper bound is that of the total with
        one more reported unit at the cell's mean weight ``enterprises /
        n_respondents`` (Fay & Feuer, 1997, with the mean weight of Tiwari,
        Clegg & Zou, 2006; see "Confidence intervals" in the methods page),
        so a sampled cell whose respondents all reported the same count
        (most often 0, SE 0) still gets an upper bound above its estimate;
        a ``take_all`` cell keeps the exact interval ``[estimate, estimate]``.
        ``"auto"``: ``"log"`` for the totals (``enterprises``,
        ``employees``, ``vacancies``, ``demand``), ``"t"`` for the rates.

    Returns
    -------
    pandas.DataFrame
        ``<column>_lo_<level>`` and ``<column>_hi_<level>``, on the index of
        ``cells``. Where the SE is 0 and no unit is added (a take-all cell,
        or ``method="t"``) both equal the estimate; where it is NaN (one
        respondent without a design) both are NaN.

    Raises
    ------
    ParameterError
        If ``column`` or its ``_se`` column is missing, ``level`` is not a
        percentage, or ``method`` is not one of the above.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"demand": [100.0, 50.0], "demand_se": [10.0, 0.0],
    ...                       "demand_df": [4.0, float("nan")]})
    >>> confidence_interval(cells, "demand", level=95, method="t").round(2)
       demand_lo_95  demand_hi_95
    0         72.24        127.76
    1         50.00         50.00
    >>> confidence_interval(cells, "demand", level=95).round(2)
       demand_lo_95  demand_hi_95
    0         75.76        132.00
    1         50.00         50.00

    With the respondent counts, the second cell (SE 0: its respondents all
    reported the same count) gets an upper bound from one more unit of
    weight 10 (the first one of weight 5); a take-all cell would stay exact.

    >>> cells = cells.assign(enterprises=[60.0, 40.0], n_respondents=[12, 4],
    ...                      take_all=[False, False])
    >>> confidence_interval(cells, "demand", level=95).round(2)
       demand_lo_95  demand_hi_95
    0         75.76        141.12
    1         50.00         83.18
    """
    (value,) = check_levels(level)
    if method not in _INTERVAL_METHODS:
        raise ParameterError(f"method={method!r} is not supported; use one of "
                             f"{list(_INTERVAL_METHODS)}")
    missing = [c for c in (column, f"{column}_se") if c not in cells.columns]
    if missing:
        raise ParameterError(f"cells: no column {missing[0]!r} for a confidence interval of "
                             f"{column!r}; estimates with standard errors are "
                             f"{[c[:-3] for c in cells.columns if c.endswith('_se')]}")
    estimate = cells[column].to_numpy(dtype=np.float64)
    se = cells[f"{column}_se"].to_numpy(dtype=np.float64)
    upper_tail = 0.5 + value / 200.0
    if f"{column}_df" in cells.columns:
        df = cells[f"{column}_df"].to_numpy(dtype=np.float64)
        df = np.where(np.isfinite(df) & (df > 0), df, np.inf)  # NaN where the SE is 0
        q = stats.t.ppf(upper_tail, df)
    else:
        q = np.full(len(cells), stats.norm.ppf(upper_tail))
    if method == "auto":
        method = "log" if column in _TOTALS else "t"
    if method == "t":
        lo, hi = symmetric_interval(estimate, se, q)
    else:
        lo, hi = log_interval(estimate, se, q, _unit_step(cells, column))
    label = f"{value:g}"
    return pd.DataFrame({f"{column}_lo_{label}": lo, f"{column}_hi_{label}": hi},
                        index=cells.index)


_INTERVAL_METHODS = ("auto", "log", "t")
_TOTALS = ("enterprises", "employees", "vacancies", "demand")
_REPORTED_COUNTS = ("employees", "vacancies", "demand")


def _unit_step(cells: pd.DataFrame, column: str) -> np.ndarray | None:
    """Mean weight of a cell's respondents, 0 in take-all cells; None when not a count."""
    if column not in _REPORTED_COUNTS or not {"enterprises", "n_respondents"} <= set(cells):
        return None
    with np.errstate(invalid="ignore", divide="ignore"):
        step = (cells["enterprises"].to_numpy(dtype=np.float64)
                / cells["n_respondents"].to_numpy(dtype=np.float64))
    step = np.where(np.isfinite(step) & (step > 0), step, 0.0)
    if "take_all" in cells.columns:  # no sampling error at all
        step[cells["take_all"].to_numpy(dtype=bool)] = 0.0
    return step


def symmetric_interval(estimate: np.ndarray, se: np.ndarray,
                       q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``estimate -/+ q * se``: the Wald (or ``t``) interval."""
    half = q * se
    return estimate - half, estimate + half


def log_interval(estimate: np.ndarray, se: np.ndarray, q: np.ndarray,
                 step: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Interval of a positive total on the log scale, with a one-unit upper step.

    The delta method gives ``se(log T) = se / T``, so the bounds are
    ``T exp(-q se / T)`` and ``T exp(q se / T)``: never below 0, and longer
    above the estimate than below it, as the sampling distribution of a
    total of skewed non-negative values is (the delta method on a
    transformed scale, as R ``survey``'s ``svyciprop(method="logit")`` does
    for proportions). With ``step`` (the
    weight of one more reported unit, per row), the upper bound is that of
    the total with one more unit of value 1 at that weight,
    ``T' = T + step`` with variance ``se^2 + step^2`` -- the device of Fay &
    Feuer (1997, *Statistics in Medicine* 16, 791-801) for weighted counts,
    with the mean weight as in Tiwari, Clegg & Zou (2006, *Statistical
    Methods in Medical Research* 15, 547-569). It keeps a sampled total
    whose respondents all reported the same count (standard error 0, most
    often all zeros) from getting an interval of width 0.

    Parameters
    ----------
    estimate, se, q : numpy.ndarray
        Estimates (>= 0), standard errors and quantiles (e.g. ``t`` on the
        estimate's degrees of freedom), aligned.
    step : numpy.ndarray, optional
        Weight of one more unit per estimate (0 for none; a cell without
        sampling error, such as a take-all cell, should get 0).

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper bounds. Where the estimate is not positive and the
        standard error is, the symmetric interval (the log is undefined);
        a NaN estimate or standard error gives NaN bounds.

    Examples
    --------
    >>> import numpy as np
    >>> lo, hi = log_interval(np.array([100.0, 0.0]), np.array([20.0, 0.0]),
    ...                       np.array([2.0, 2.0]), step=np.array([0.0, 5.0]))
    >>> lo.round(2).tolist(), hi.round(2).tolist()
    ([67.03, 0.0], [149.18, 36.95])

    The second total is 0 with SE 0 (every respondent reported 0); with one
    more unit at weight 5 its upper bound is ``5 exp(2 * 5 / 5)``.
    """
    estimate = np.asarray(estimate, dtype=np.float64)
    se = np.asarray(se, dtype=np.float64)
    q = np.broadcast_to(np.asarray(q, dtype=np.float64), estimate.shape)
    step = np.zeros_like(estimate) if step is None else np.asarray(step, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        positive = estimate > 0
        lo = np.where(positive, estimate * np.exp(-q * se / estimate), estimate - q * se)
        lo = np.where(se == 0, estimate, lo)  # nothing to widen below
        top = estimate + step
        spread = np.sqrt(se * se + step * step)
        hi = np.where(top > 0, top * np.exp(q * spread / top), estimate + q * se)
        hi = np.where((se == 0) & (step == 0), estimate, hi)
    missing = np.isnan(estimate) | np.isnan(se)
    lo[missing] = np.nan
    hi[missing] = np.nan
    return lo, hi
