"""Statistics of the gap model's sample paths: the numbers of a gap forecast.

:func:`path_statistics` reads the means, equal-tailed quantiles, gap median
and ``P(gap > 0)`` off the paths of :func:`talentgap.models._gap_paths.
path_blocks` in one pass over blocks of cells; :func:`row_columns` lays them
out as the columns of :meth:`~talentgap.models.GapForecaster.predict`, flags
included; :func:`warn_small_pool` says when the pool of backtest errors is
too small for the tails of the intervals asked for.
"""

from __future__ import annotations

import numpy as np

from talentgap._arguments import interval_columns
from talentgap.errors import warn
from talentgap.models._gap_explain import cell_flags
from talentgap.models._gap_paths import path_blocks

__all__ = ["path_statistics", "row_columns", "warn_small_pool"]


def path_statistics(sim: dict, levels: list[float], rows: np.ndarray | None = None, *,
                    threads: int = 1, means_only: bool = False):
    """Means, quantile bounds (2 per level), gap median and P(gap > 0) of the paths.

    ``sim`` is :func:`talentgap.models._gap_paths.simulate`'s output; ``rows``
    (default every cell) the cells wanted. With ``means_only`` nothing is
    sorted and median and bounds stay NaN.

    One pass over blocks of cells (``threads`` at a time): each block's
    float32 paths are sorted along the sample axis once per quantity and
    every quantile is read off the sorted values (linear interpolation,
    numpy's default method).

    Returns
    -------
    tuple
        ``means`` (dict of ``demand``, ``supply``, ``gap``, each (cells, h)),
        ``bounds`` (dict of the same names, each (2 x levels, cells, h): lower
        and upper bound per level), ``median`` and ``p_shortage`` (cells, h).
        Known supply (``sim["known"]``) is exact: its mean and every bound are
        the given value.
    """
    horizon = sim["demand_mean"].shape[1]
    samples = sim["draws"].shape[1]
    index = np.arange(sim["draws"].shape[0]) if rows is None else rows
    n = index.size
    probs = [p for lv in levels for p in (0.5 - lv / 200.0, 0.5 + lv / 200.0)]
    names = ("demand", "supply", "gap")
    bounds = {name: np.full((len(probs), n, horizon), np.nan) for name in names}
    means = {name: np.full((n, horizon), np.nan) for name in ("demand", "supply")}
    median = np.full((n, horizon), np.nan)
    p_shortage = np.full((n, horizon), np.nan)
    # positions of the wanted quantiles in the sorted paths
    position = np.array([*probs, 0.5]) * (samples - 1)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, samples - 1)
    frac = position - below

    def read(sorted_paths: np.ndarray) -> np.ndarray:   # -> (n_probs + 1, block, h)
        lo = sorted_paths[:, :, below].astype(np.float64)
        hi = sorted_paths[:, :, above].astype(np.float64)
        return (lo + frac * (hi - lo)).transpose(2, 0, 1)

    def summarise(at: slice, block: np.ndarray, d: np.ndarray, s: np.ndarray) -> None:
        g = d - s
        means["demand"][at] = d.mean(axis=2, dtype=np.float64)
        means["supply"][at] = s.mean(axis=2, dtype=np.float64)
        p_shortage[at] = np.count_nonzero(g > 0, axis=2) / samples
        if means_only:
            return
        g.sort(axis=2)
        gap_q = read(g)
        median[at] = gap_q[-1]
        if probs:
            bounds["gap"][:, at] = gap_q[:-1]
            for name, paths in (("demand", d), ("supply", s)):
                paths.sort(axis=2)
                bounds[name][:, at] = read(paths)[:-1]

    # each block writes only its own rows: blocks run in threads (numpy releases the GIL)
    path_blocks(sim, index, threads=threads, consume=summarise)
    # known supply is the same number in every path: report it exactly, not as the
    # float32 paths' value. Its bounds are the value itself at every level (lo = hi),
    # and the gap's quantiles move by the paths' rounding of it (d - s shifts by it).
    known = sim["known"][index]
    exact = sim["supply_mean"][index]
    means["supply"] = np.where(known, exact, means["supply"])
    if known.any() and not means_only:
        rounding = np.where(known, exact.astype(np.float32).astype(np.float64) - exact, 0.0)
        bounds["supply"][:, known] = exact[known]
        bounds["gap"] += rounding
        median += rounding
    means["gap"] = means["demand"] - means["supply"]  # the gap paths' mean, to rounding
    p_shortage[np.isnan(means["demand"])] = np.nan
    median[np.isnan(means["gap"])] = np.nan
    return means, bounds, median, p_shortage


def row_columns(gap, sim: dict, levels: list[float],
                rows: np.ndarray | None) -> dict[str, np.ndarray]:
    """The columns of ``predict`` after the keys and time (see ``predict_rows``).

    The statistics come from ``gap._path_statistics`` (the fitted model's
    method), the flags from :func:`talentgap.models._gap_explain.cell_flags`.
    """
    means, bounds, median, p_shortage = gap._path_statistics(sim, levels, rows)

    def bound(name: str, k: int, side: int) -> np.ndarray:
        return np.where(np.isnan(means[name]), np.nan, bounds[name][2 * k + side]).ravel()

    columns = {name: means[name].ravel() for name in ("demand", "supply", "gap")}
    for k, lv in enumerate(levels):
        lo, hi = interval_columns(lv, prefix="gap")
        columns[lo], columns[hi] = bound("gap", k, 0), bound("gap", k, 1)
    columns["p_shortage"] = p_shortage.ravel()
    columns["flag"] = cell_flags(gap, means["demand"], means["supply"], means["gap"],
                                 rows).ravel()
    columns["gap_median"] = median.ravel()
    for name in ("demand", "supply"):
        for k, lv in enumerate(levels):
            lo, hi = interval_columns(lv, prefix=name)
            columns[lo], columns[hi] = bound(name, k, 0), bound(name, k, 1)
    return columns


def warn_small_pool(pool_size: int, levels: list[float]) -> None:
    """Warn when ``pool_size`` error pairs are too few for the widest level's tails.

    The warning points at the caller of the method that calls this function
    (``predict`` or ``predict_rows``).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_small_pool(30, [80.0, 95.0])
    >>> str(caught[0].message)[:60]
    'only 30 (cell, origin) backtest error pairs for the sample p'
    >>> warn_small_pool(40, [95.0])  # 2 / (1 - 0.95) = 40 pairs: enough
    """
    if not levels:
        return
    needed = int(np.ceil(2.0 / (1.0 - max(levels) / 100.0)))
    if pool_size < needed:
        warn(
            f"only {pool_size} (cell, origin) backtest error pairs for the sample paths; "
            f"{max(levels):g}% gap intervals need about {needed} to reach their tails and "
            f"may be too narrow (a cell's paths take at most {pool_size} values per step, "
            "so bounds of different levels can coincide); use more cells, longer series "
            "or more n_windows",
            stacklevel=3)
