"""Benchmarking Fay-Herriot estimates to the direct totals of larger areas.

The EBLUP of :func:`talentgap.features.shrink` pulls each cell towards a
regression fitted with weights ``1/(s2u + psi_i)``. For a *total* (demand,
vacancies), whose sampling variance grows with the cell's size, the large
cells weigh little in that fit and are pulled towards the level of the small
ones, so the shrunk cells no longer add up to the direct estimate of the
whole, which is reliable. Ratio benchmarking (Pfeffermann 2013; Rao & Molina
2015, section 6.4) multiplies the EBLUPs of each benchmark area ``B`` by
``sum_B y_i / sum_B theta_i``, so that they add up to the direct total again.

A *rate* (``shortage_rate``, ``vacancy_rate``, ``ssv_density``, any ratio)
does not add up: the direct rate of an area is the mean of its cells' rates
weighted by their denominators (enterprises, employees + vacancies,
vacancies). Its benchmark is that weighted mean, ``sum_B a_i y_i / sum_B a_i
theta_i`` with the weights ``a_i`` given by ``benchmark_weights``, so that
``sum_B a_i theta_b,i / sum_B a_i`` equals the direct rate
``sum_B a_i y_i / sum_B a_i``; without weights, benchmarking a rate is refused.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap.errors import DataQualityWarning, ParameterError, warn

__all__ = ["BENCHMARKS", "TOTAL_TARGETS", "RATE_DENOMINATORS", "benchmark_weights_of",
           "ratio_benchmark", "warn_unbenchmarked_total"]

#: Values of ``shrink(benchmark=...)``.
BENCHMARKS = ("ratio", None)

#: Columns of :func:`~talentgap.features.estimate_cells` that are weighted totals, whose
#: shrunk values need benchmarking to keep adding up.
TOTAL_TARGETS = ("demand", "vacancies", "employees", "enterprises")

#: The rates of :func:`~talentgap.features.estimate_cells` and the totals that weigh them.
RATE_DENOMINATORS = {"shortage_rate": "enterprises", "ssv_density": "vacancies",
                     "vacancy_rate": "employees + vacancies"}

#: Name endings taken to mean a rate (a ratio of two totals) when benchmarking.
_RATE_ENDINGS = ("_rate", "_share", "_density", "_ratio")

#: Relative departure of the shrunk sum from the direct one that is worth a warning.
_TOLERANCE = 0.01


def _groups(estimates: pd.DataFrame, columns: list[str]) -> list[np.ndarray]:
    """Row positions of each benchmark area (one area for no columns)."""
    if not columns:
        return [np.arange(len(estimates))]
    grouper = columns[0] if len(columns) == 1 else columns
    return list(estimates.groupby(grouper, sort=True, observed=True,
                                  dropna=False).indices.values())


def benchmark_weights_of(estimates: pd.DataFrame, target: str, benchmark: str | None,
                         weights: str | None) -> np.ndarray | None:
    """The benchmark weights ``a_i`` (a column of ``estimates``), or None for unweighted.

    Raises
    ------
    ParameterError
        If ``weights`` is given without ``benchmark``, for a total (totals add
        up unweighted), is not a column, or holds a missing, infinite or
        negative value; or if a rate (``target`` ending in ``_rate``,
        ``_share``, ``_density`` or ``_ratio``) is benchmarked without weights.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"shortage_rate": [0.5, 0.2], "enterprises": [10.0, 30.0]})
    >>> benchmark_weights_of(cells, "shortage_rate", "ratio", "enterprises").tolist()
    [10.0, 30.0]
    >>> benchmark_weights_of(cells, "shortage_rate", "ratio", None)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: benchmark='ratio' on 'shortage_rate', a rate: ...
    """
    if weights is None:
        if benchmark is not None and (target in RATE_DENOMINATORS
                                      or target.endswith(_RATE_ENDINGS)):
            denominator = RATE_DENOMINATORS.get(target, "its denominator total")
            hint = (f"benchmark_weights={denominator!r}" if " " not in denominator else
                    "benchmark_weights='rate_base' after estimates.assign(rate_base="
                    "estimates['employees'] + estimates['vacancies'])")
            raise ParameterError(
                f"benchmark='ratio' on {target!r}, a rate: scaling the cells so that their "
                "unweighted rates add up to the sum of the direct rates does not keep the "
                f"area's rate; pass {hint} (the cells' {denominator}) so that the weighted "
                "mean of the shrunk rates equals the direct rate, or benchmark a total "
                "(e.g. target='demand')")
        return None
    if benchmark is None:
        raise ParameterError(f"benchmark_weights == {weights!r} needs benchmark='ratio'")
    if target in TOTAL_TARGETS:
        raise ParameterError(
            f"benchmark_weights == {weights!r} with target {target!r}: a total adds up "
            "unweighted; benchmark_weights are for rates")
    if weights not in estimates.columns:
        raise ParameterError(f"benchmark_weights column {weights!r} is not a column of the "
                             f"estimates; columns are {list(estimates.columns)}")
    values = estimates[weights].to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~(np.isfinite(values) & (values >= 0))
    if bad.any():
        rows = np.flatnonzero(bad)[:3]
        raise ParameterError(
            f"benchmark_weights column {weights!r} must be finite and >= 0; "
            f"{int(bad.sum())} rows fail, e.g. rows {estimates.index[rows].tolist()}: "
            f"{values[rows].tolist()}")
    return values


def ratio_benchmark(estimates: pd.DataFrame, y: np.ndarray, theta: np.ndarray,
                    source: np.ndarray, by: Sequence[str], *,
                    target: str, weights: np.ndarray | None = None) -> np.ndarray:
    """Per row, the factor ``sum_B y / sum_B theta`` of its benchmark area ``B``.

    The sums run over the area's cells shrunk towards the model (source
    ``"direct+model"``); the factor applies to those and to the area's
    cells predicted by the model alone (source ``"model"``). Cells kept as
    they are (``"direct"``, take-all) or not predictable (``"none"``) get 1,
    so with the factors applied the cells with a direct estimate add up to
    the area's direct total.

    Parameters
    ----------
    estimates : pandas.DataFrame
        The table passed to ``shrink``, for the benchmark columns.
    y, theta : numpy.ndarray
        Direct estimates and EBLUPs per row (NaN where none).
    source : numpy.ndarray of str
        ``<target>_fh_source`` per row.
    by : sequence of str
        Columns whose combinations are the benchmark areas; empty: the whole
        table is one area.
    target : str
        For messages.
    weights : numpy.ndarray, optional
        Per row, the weight ``a_i`` of a rate (see the module notes): the
        factor is then ``sum_B a y / sum_B a theta``.

    Returns
    -------
    numpy.ndarray
        The factor per row.

    Raises
    ------
    ParameterError
        If an area's shrunk sum is 0 while its direct sum is not, or the
        two sums have opposite signs (ratio benchmarking needs totals of one
        sign).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> table = pd.DataFrame({"period": ["Q1", "Q1", "Q2"]})
    >>> factor = ratio_benchmark(table, np.array([10.0, 30.0, 5.0]),
    ...                          np.array([15.0, 25.0, 4.0]),
    ...                          np.array(["direct+model"] * 3), ["period"], target="demand")
    >>> factor.tolist()        # Q1: 40 / 40; Q2: 5 / 4
    [1.0, 1.0, 1.25]
    """
    factor = np.ones(len(estimates))
    adjusted = np.isin(source, ("direct+model", "model"))
    summed = source == "direct+model"
    if weights is not None:
        y, theta = y * weights, theta * weights
    for rows in _groups(estimates, list(by)):  # one per benchmark area (e.g. periods)
        direct = float(np.sum(y[rows][summed[rows]]))
        shrunk = float(np.sum(theta[rows][summed[rows]]))
        if shrunk == direct:
            continue
        if shrunk == 0.0 or direct * shrunk < 0:
            example = estimates.iloc[rows[:1]][list(by)].to_dict("records") if by else "all"
            raise ParameterError(
                f"ratio benchmarking of {target!r} needs a direct and a shrunk total of the "
                f"same sign in each benchmark area; area {example}: direct total {direct:.6g}, "
                f"shrunk total {shrunk:.6g}")
        factor[rows[adjusted[rows]]] = direct / shrunk
    return factor


def warn_unbenchmarked_total(y: np.ndarray, theta: np.ndarray, source: np.ndarray, *,
                             target: str, stacklevel: int) -> None:
    """Warn when a total is shrunk without benchmarking and no longer adds up.

    Compares the sum of ``theta`` with that of ``y`` over the cells shrunk
    towards the model; a departure of more than 1% is reported with its
    size and the two remedies.
    """
    summed = source == "direct+model"
    direct, shrunk = float(np.sum(y[summed])), float(np.sum(theta[summed]))
    if direct == 0.0 or abs(shrunk / direct - 1.0) <= _TOLERANCE:
        return
    warn(f"{target!r} is a total: the Fay-Herriot estimates of its {int(summed.sum())} cells "
         f"add up to {shrunk:,.6g}, {shrunk / direct - 1.0:+.1%} off their direct total "
         f"{direct:,.6g} (the model pulls large cells towards the level of small ones); "
         f"pass benchmark='ratio' with benchmark_by=[...] (e.g. 'period') to keep the totals "
         f"of those areas, or shrink a rate and multiply it by the cell size",
         DataQualityWarning, stacklevel=stacklevel + 1)
