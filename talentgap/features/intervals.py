"""Confidence intervals of the survey estimates, per cell.

:func:`confidence_interval` turns an estimate of
:func:`talentgap.features.estimate_cells` and its standard error into the
bounds of a confidence interval. Totals get an interval on the log scale,
which follows the skew of a total that a few large enterprises dominate; for
counts that respondents report (employees, vacancies, hard-to-fill
vacancies) its upper bound is that of the total with one more reported
unit, so a sampled cell whose respondents all reported the same count
still has an upper bound above its estimate. Rates, which are proportions,
get an interval on the logit scale, which stays inside [0, 1]; a sampled
rate with a standard error of 0 (every respondent alike) gets the
Clopper–Pearson interval at the cell's number of respondents instead of
a width of 0. The quantile ``q`` is Student's ``t`` on the design's degrees
of freedom where the cells were estimated with a design, the normal
quantile otherwise. The methods page ("Confidence intervals") gives the
formulas and the literature.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

from talentgap._arguments import check_levels, interval_columns
from talentgap._words import count_words
from talentgap.errors import ParameterError, warn

__all__ = ["confidence_interval", "symmetric_interval", "log_interval", "logit_interval",
           "clopper_pearson_interval"]


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
        Confidence level in percent, in (0, 100); a value of at most 1 is
        refused as a fraction (write 95, not 0.95).
    method : {"auto", "log", "logit", "t"}, default "auto"
        ``"t"``: ``estimate -/+ q se``, which can leave [0, 1] for a rate
        and fall below 0 for a total. ``"log"``: the interval on the log
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
        ``"logit"``: for a proportion ``p`` in [0, 1], the interval on the
        logit scale, ``expit(logit(p) -/+ q se / (p (1 - p)))`` (the delta
        method; R ``survey``'s ``svyciprop(method="logit")``), always inside
        (0, 1). Where the logit is undefined or the sample shows no
        variation -- an SE of 0, or ``p`` of exactly 0 or 1 -- outside a
        ``take_all`` cell, the bounds are the Clopper–Pearson interval of
        ``p`` with ``n_respondents`` as the effective sample size (the design
        effect cannot be estimated from a sample without variation and is
        taken as 1): a 0/3 share gets ``[0, 0.71]`` at 95%, not ``[0, 0]``.
        ``"auto"``: ``"log"`` for the totals (``enterprises``,
        ``employees``, ``vacancies``, ``demand``); ``"logit"`` for the
        rates, which are proportions: ``shortage_rate`` (a share of
        enterprises), ``vacancy_rate`` (``vacancies / (employees +
        vacancies)``) and ``ssv_density`` (``hard_to_fill / vacancies``,
        at most 1 because the surveys schema requires ``hard_to_fill <=
        vacancies``); ``"t"`` for any other column (e.g. a Fay–Herriot
        estimate, which is not bounded to [0, 1]).

    Returns
    -------
    pandas.DataFrame
        ``<column>_lo_<level>`` and ``<column>_hi_<level>``, on the index of
        ``cells``. Where the SE is 0 and nothing widens the interval (a
        take-all cell, ``method="t"``, or a table without the counts the
        methods above use) both equal the estimate; where it is NaN (one
        respondent without a design) both are NaN.

    Raises
    ------
    ParameterError
        If ``column`` or its ``_se`` column is missing, ``level`` is not a
        percentage, ``method`` is not one of the above, or
        ``method="logit"`` is asked for estimates outside [0, 1].

    Warns
    -----
    DataQualityWarning
        With ``"logit"``, when some sampled cells have an SE of 0 but the
        table has no ``n_respondents`` column to bound them: their interval
        is ``[estimate, estimate]``, which understates the uncertainty.

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

    A rate stays inside [0, 1]: the second cell's 3 respondents all reported
    no shortage (SE 0), so its upper bound is the Clopper–Pearson bound
    ``1 - 0.025 ** (1 / 3)``.

    >>> rates = pd.DataFrame({"shortage_rate": [0.6, 0.0], "shortage_rate_se": [0.2, 0.0],
    ...                       "n_respondents": [8, 3]})
    >>> confidence_interval(rates, "shortage_rate").round(3)
       shortage_rate_lo_95  shortage_rate_hi_95
    0                0.227                0.885
    1                0.000                0.708
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
        method = "log" if column in _TOTALS else "logit" if column in _PROPORTIONS else "t"
    if method == "t":
        lo, hi = symmetric_interval(estimate, se, q)
    elif method == "log":
        lo, hi = log_interval(estimate, se, q, _unit_step(cells, column))
    else:
        lo, hi = _proportion_interval(cells, column, estimate, se, q, value)
    lo_column, hi_column = interval_columns(value, prefix=column)
    return pd.DataFrame({lo_column: lo, hi_column: hi}, index=cells.index)


_INTERVAL_METHODS = ("auto", "log", "logit", "t")
_TOTALS = ("enterprises", "employees", "vacancies", "demand", "reporting_enterprises",
           "reporting_employees")
_REPORTED_COUNTS = ("employees", "vacancies", "demand", "reporting_employees")
#: Rates of estimate_cells that are proportions, bounded to [0, 1] by the surveys schema.
_PROPORTIONS = ("shortage_rate", "vacancy_rate", "ssv_density")
_MAX_SHOWN = 5


def _proportion_interval(cells: pd.DataFrame, column: str, estimate: np.ndarray,
                         se: np.ndarray, q: np.ndarray,
                         level: float) -> tuple[np.ndarray, np.ndarray]:
    """The logit interval, with the Clopper–Pearson bounds where the sample shows no variation."""
    outside = np.flatnonzero((estimate < 0) | (estimate > 1))
    if outside.size:
        labels = cells.index[outside[:_MAX_SHOWN]].tolist()  # plain Python labels
        shown = ", ".join(f"row {label!r}: {estimate[i]:g}"
                          for label, i in zip(labels, outside, strict=False))
        raise ParameterError(
            f"cells: method='logit' is for proportions, but column {column!r} has "
            f"{count_words(outside.size, 'estimate')} outside [0, 1], e.g. {shown}; "
            "use method='t' for an estimate that is not a proportion")
    lo, hi = logit_interval(estimate, se, q)
    # SE NaN (one respondent without a design) stays NaN, as for every method
    flat = np.isfinite(estimate) & ~np.isnan(se) & (
        (se == 0) | (estimate == 0) | (estimate == 1))
    if "take_all" in cells.columns:  # a census: no sampling error at all
        flat &= ~cells["take_all"].eq(True).to_numpy(dtype=bool)
    if not flat.any():
        return lo, hi
    if "n_respondents" not in cells.columns:
        lo[flat] = hi[flat] = estimate[flat]  # logit_interval leaves NaN where se > 0
        n_flat = int(flat.sum())
        warn(f"confidence_interval: {count_words(n_flat, 'cell')} of {column!r} "
             f"show{'s' if n_flat == 1 else ''} no sampling variation (SE 0, or an estimate "
             "of 0 or 1) and the table has "
             "no 'n_respondents' column to bound them: their intervals are "
             "[estimate, estimate], which understates the uncertainty", stacklevel=3)
        return lo, hi
    n = cells["n_respondents"].to_numpy(dtype=np.float64)
    lo[flat], hi[flat] = clopper_pearson_interval(estimate[flat], n[flat], level)
    return lo, hi


def _unit_step(cells: pd.DataFrame, column: str) -> np.ndarray | None:
    """Mean weight of a cell's respondents, 0 in take-all cells; None when not a count."""
    units = "enterprises" if "enterprises" in cells else "reporting_enterprises"  # detail keys
    if column not in _REPORTED_COUNTS or not {units, "n_respondents"} <= set(cells):
        return None
    with np.errstate(invalid="ignore", divide="ignore"):
        step = (cells[units].to_numpy(dtype=np.float64)
                / cells["n_respondents"].to_numpy(dtype=np.float64))
    step = np.where(np.isfinite(step) & (step > 0), step, 0.0)
    if "take_all" in cells.columns:  # no sampling error at all
        step[cells["take_all"].to_numpy(dtype=bool)] = 0.0
    return step


def symmetric_interval(estimate: np.ndarray, se: np.ndarray,
                       q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``estimate -/+ q * se``: the Wald (or ``t``) interval.

    Examples
    --------
    >>> lo, hi = symmetric_interval(np.array([100.0, 5.0]), np.array([10.0, 4.0]),
    ...                             np.array([1.96, 1.96]))
    >>> lo.round(2).tolist(), hi.round(2).tolist()  # not cut at 0: see log_interval
    ([80.4, -2.84], [119.6, 12.84])
    """
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


def logit_interval(estimate: np.ndarray, se: np.ndarray,
                   q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Interval of a proportion on the logit scale.

    The delta method gives ``se(logit p) = se / (p (1 - p))``, so the
    bounds are ``expit(logit(p) -/+ q se / (p (1 - p)))``: inside (0, 1),
    and longer on the side away from the nearer end of [0, 1], as the
    sampling distribution of a proportion near 0 or 1 is. This is R
    ``survey``'s ``svyciprop(method="logit")`` (Lumley, *Complex Surveys*,
    2010, section 2.3.1).

    Parameters
    ----------
    estimate, se, q : numpy.ndarray
        Proportions in [0, 1], their standard errors and the quantiles
        (e.g. ``t`` on the estimate's degrees of freedom), aligned.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper bounds. Where the SE is 0 both equal the estimate;
        where the logit is undefined (an estimate of 0 or 1 with a positive
        SE) or an input is NaN, both are NaN.
        :func:`confidence_interval` replaces the former (outside take-all
        cells) and the undefined ones by :func:`clopper_pearson_interval`.

    Examples
    --------
    >>> import numpy as np
    >>> lo, hi = logit_interval(np.array([0.5, 0.9, 0.3]), np.array([0.1, 0.05, 0.0]),
    ...                         np.array([1.96, 1.96, 1.96]))
    >>> lo.round(4).tolist(), hi.round(4).tolist()
    ([0.3135, 0.7518, 0.3], [0.6865, 0.9639, 0.3])
    """
    estimate = np.asarray(estimate, dtype=np.float64)
    se = np.asarray(se, dtype=np.float64)
    q = np.broadcast_to(np.asarray(q, dtype=np.float64), estimate.shape)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        centre = np.log(estimate) - np.log1p(-estimate)
        half = q * se / (estimate * (1.0 - estimate))
        lo, hi = special.expit(centre - half), special.expit(centre + half)
    inside = (estimate > 0) & (estimate < 1)
    lo = np.where(inside, lo, np.nan)
    hi = np.where(inside, hi, np.nan)
    flat = se == 0
    lo[flat], hi[flat] = estimate[flat], estimate[flat]
    return lo, hi


def clopper_pearson_interval(estimate: np.ndarray, n: np.ndarray,
                             level: float) -> tuple[np.ndarray, np.ndarray]:
    """Clopper–Pearson ("exact") interval of a proportion from ``n`` units.

    With ``x = p n`` successes, the bounds are the beta quantiles
    ``Beta(a/2; x, n - x + 1)`` and ``Beta(1 - a/2; x + 1, n - x)``, with
    ``a = 1 - level / 100``; the lower bound is 0 when ``x = 0`` and the
    upper 1 when ``x = n``. A non-integer ``x`` (a weighted proportion) is
    used as it is, as in the interval of Korn & Graubard (1998, *Survey
    Methodology* 24, 193-201), which takes an effective sample size for
    ``n``. :func:`confidence_interval` uses it where a sampled proportion
    has a standard error of 0, with ``n`` the cell's respondents.

    Parameters
    ----------
    estimate : numpy.ndarray
        Proportions in [0, 1].
    n : numpy.ndarray
        Sample sizes (> 0; NaN or 0 gives NaN bounds).
    level : float
        Confidence level in percent.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper bounds, in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> lo, hi = clopper_pearson_interval(np.array([0.0, 1.0, 0.5]), np.array([3, 3, 4]), 95)
    >>> lo.round(4).tolist(), hi.round(4).tolist()
    ([0.0, 0.2924, 0.0676], [0.7076, 1.0, 0.9324])

    A 0/3 proportion: the upper bound is ``1 - 0.025 ** (1 / 3)``.
    """
    estimate = np.asarray(estimate, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    tail = (1.0 - level / 100.0) / 2.0
    x = estimate * n
    usable = np.isfinite(x) & (n > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(x > 0, stats.beta.ppf(tail, x, n - x + 1.0), 0.0)
        hi = np.where(x < n, stats.beta.ppf(1.0 - tail, x + 1.0, n - x), 1.0)
    return np.where(usable, lo, np.nan), np.where(usable, hi, np.nan)
