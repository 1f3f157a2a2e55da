"""Design-weighted survey estimates per cell and period, with standard errors.

Each cell-period (by default region x industry x period) is treated as its
own stratum of a stratified design with design weights ``w_i``. Within a
stratum of ``n`` respondents (Horvitz-Thompson totals, with-replacement
linearisation variance; Wolter, *Introduction to Variance Estimation*, 2007):

* total ``T = sum(w_i * y_i)``, ``V(T) = n/(n-1) * sum((w_i*y_i - T/n)^2)``;
* ratio ``R = sum(w*y) / sum(w*x)``, linearised values
  ``z_i = w_i*(y_i - R*x_i) / sum(w*x)``, ``V(R) = n/(n-1) * sum((z_i - mean(z))^2)``.

These are the estimates R's ``survey`` package gives for
``svydesign(ids=~1, strata=~cell, weights=~weight)`` with ``svytotal`` and
``svyratio``. A cell with one respondent has no variance estimate: its
standard errors are NaN and ``single_respondent`` is True, never a zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap.features._groups import GroupIndex, group_rows, group_sum
from talentgap.features._inputs import surveys_table

__all__ = ["estimate_cells", "estimate_arrays", "weighted_total", "weighted_ratio"]


def _snap(raw: np.ndarray, scale: np.ndarray, n: np.ndarray) -> np.ndarray:
    """``n/(n-1) * raw``, with rounding noise (|raw| <= 1e-12 * scale) set to exactly 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where(np.abs(raw) <= 1e-12 * scale, 0.0, np.maximum(raw, 0.0))
        return np.where(n > 1, n / (n - 1) * raw, np.nan)


def _total_variance_from(total: np.ndarray, sum_squares: np.ndarray,
                         n: np.ndarray) -> np.ndarray:
    """``n/(n-1) * sum((w y - T/n)^2)`` from ``T = sum(w y)`` and ``sum((w y)^2)``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return _snap(sum_squares - total * total / n, sum_squares, n)


def _ratio_variance_from(numerator: np.ndarray, denominator: np.ndarray, syy: np.ndarray,
                         sxy: np.ndarray, sxx: np.ndarray,
                         n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ratio ``Y/X`` and its linearised variance from the moments of ``w y`` and ``w x``.

    ``sum(z^2) = (syy - 2 R sxy + R^2 sxx) / X^2`` with ``z = w (y - R x) / X``.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(denominator != 0, numerator / denominator, np.nan)
        raw = syy - 2 * ratio * sxy + ratio * ratio * sxx
        variance = _snap(raw, syy + ratio * ratio * sxx, n) / (denominator * denominator)
    return ratio, variance


def weighted_total(codes: np.ndarray, n_groups: int, w: np.ndarray, y: np.ndarray,
                   n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-group weighted totals and their standard errors.

    Parameters
    ----------
    codes : numpy.ndarray of int
        Group of each row (0..n_groups-1).
    n_groups : int
    w, y : numpy.ndarray of float
        Weights and values per row.
    n : numpy.ndarray of float
        Respondents per group.

    Returns
    -------
    total, se : numpy.ndarray
        ``se`` is NaN where ``n < 2``.

    Examples
    --------
    >>> import numpy as np
    >>> codes = np.array([0, 0, 0, 1])
    >>> total, se = weighted_total(codes, 2, np.array([2., 2., 4., 1.]),
    ...                            np.array([1., 3., 2., 5.]), np.array([3., 1.]))
    >>> total.tolist(), np.round(se, 4).tolist()
    ([16.0, 5.0], [5.2915, nan])
    """
    wy = w * y
    total = group_sum(codes, n_groups, wy)
    return total, np.sqrt(_total_variance_from(total, group_sum(codes, n_groups, wy * wy), n))


def weighted_ratio(codes: np.ndarray, n_groups: int, w: np.ndarray, y: np.ndarray,
                   x: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-group ratio estimates ``sum(w*y) / sum(w*x)`` and their linearised SEs.

    Where ``sum(w*x) == 0`` the ratio and its SE are NaN; where ``n < 2`` the
    SE is NaN.

    Examples
    --------
    >>> import numpy as np
    >>> codes = np.zeros(4, dtype=int)
    >>> ratio, se = weighted_ratio(codes, 1, np.ones(4), np.array([1., 0., 1., 1.]),
    ...                            np.ones(4), np.array([4.]))
    >>> ratio.tolist(), np.round(se, 4).tolist()
    ([0.75], [0.25])
    """
    wy, wx = w * y, w * x

    def total(values: np.ndarray) -> np.ndarray:
        return group_sum(codes, n_groups, values)

    ratio, variance = _ratio_variance_from(total(wy), total(wx), total(wy * wy),
                                           total(wy * wx), total(wx * wx), n)
    return ratio, np.sqrt(variance)


def estimate_cells(
    surveys: pd.DataFrame,
    *,
    keys: Sequence[str] = ("region", "industry"),
    freq: str | None = None,
    weight: str | None = "weight",
) -> pd.DataFrame:
    """Design-weighted estimates of shortage indicators per cell and period.

    Parameters
    ----------
    surveys : pandas.DataFrame
        The ``surveys`` table. A table returned by
        :func:`talentgap.schema.validate` or :func:`talentgap.io.read_table`
        is used as is (after cheap checks of its counts); any other frame is
        validated first, and a :class:`~talentgap.errors.SchemaError` lists
        its problems.
    keys : sequence of str, default ("region", "industry")
        Columns defining a cell, e.g. ``("region", "industry", "skill_level")``.
        Each cell-period is its own stratum.
    freq : {"Y", "Q", "M"}, optional
        Period frequency for parsing raw period labels.
    weight : str or None, default "weight"
        Design-weight column; when the table has no such column (or
        ``weight=None``), every weight is 1.

    Returns
    -------
    pandas.DataFrame
        One row per cell-period that has respondents, sorted by ``keys`` and
        ``period``, with columns:

        ``<keys>``, ``period``
            The cell and period (keys stay categorical).
        ``n_respondents``
            Enterprises surveyed.
        ``enterprises``, ``employees``, ``vacancies``, ``demand``
            Weighted totals: enterprises represented, employees, vacancies
            and hard-to-fill vacancies (``demand``), each with ``<name>_se``.
        ``shortage_rate``
            Weighted share of enterprises reporting a shortage (0-1).
        ``vacancy_rate``
            ``vacancies / (employees + vacancies)`` (ratio estimator, 0-1).
        ``ssv_density``
            ``hard_to_fill / vacancies``: the share of vacancies that are
            hard to fill for lack of skills (0-1; NaN without vacancies).
            Each rate has ``<name>_se``.
        ``single_respondent``
            True where ``n_respondents == 1``: standard errors are NaN there.

    Raises
    ------
    SchemaError
        If the table breaks the ``surveys`` schema.
    ParameterError
        If a key is not a column of the table.

    Examples
    --------
    >>> import pandas as pd
    >>> surveys = pd.DataFrame({
    ...     "period": ["2024Q1"] * 3, "enterprise_id": ["E1", "E2", "E3"],
    ...     "region": ["Northvale"] * 3, "industry": ["textiles"] * 3,
    ...     "employees": [40, 10, 25], "vacancies": [4, 0, 2], "hard_to_fill": [3, 0, 1],
    ...     "reports_shortage": [1, 0, 1], "weight": [10.0, 10.0, 20.0]})
    >>> cells = estimate_cells(surveys)
    >>> cells[["n_respondents", "demand", "shortage_rate"]].round(3).to_dict("records")
    [{'n_respondents': 3, 'demand': 50.0, 'shortage_rate': 0.75}]
    """
    keys = list(keys)
    table = surveys_table(surveys, freq=freq, keys=keys)
    groups, columns = estimate_arrays(table, keys=keys, weight=weight)
    out = {name: groups.frame[name] for name in groups.frame.columns} | columns
    return pd.DataFrame(out, copy=False)  # fresh arrays: no need to consolidate


def estimate_arrays(table: pd.DataFrame, *, keys: list[str],
                    weight: str | None = "weight") -> tuple[GroupIndex, dict[str, np.ndarray]]:
    """The work of :func:`estimate_cells` on a canonical table, as arrays.

    Returns the groups (cell-periods present) and, in output column order,
    one array per estimate column, aligned with ``groups.frame``.
    """
    groups = group_rows(table, [*keys, "period"])
    codes, n_groups = groups.codes, groups.n_groups

    n = group_sum(codes, n_groups)
    if weight is not None and weight in table.columns:
        w = table[weight].to_numpy(dtype=np.float64)
    else:
        w = np.ones(len(table))

    # Per-group sums of weighted values and of their squares and cross
    # products: one bincount each, no per-row gathers. The variances follow
    # from these moments (see _variance_from_moments).
    def total(values: np.ndarray) -> np.ndarray:
        return group_sum(codes, n_groups, values)

    wy = {}
    for name in ("employees", "vacancies", "hard_to_fill"):
        wy[name] = w * table[name].to_numpy(dtype=np.float64)
    shortage = table["reports_shortage"].to_numpy(dtype=bool)
    sums = {
        "w": total(w), "ww": total(w * w),
        "s": total(np.where(shortage, w, 0.0)), "ss": total(np.where(shortage, w * w, 0.0)),
    }
    for short, name in (("e", "employees"), ("v", "vacancies"), ("h", "hard_to_fill")):
        sums[short] = total(wy[name])
        sums[short * 2] = total(wy[name] * wy[name])
    sums["ev"] = total(wy["employees"] * wy["vacancies"])
    sums["hv"] = total(wy["hard_to_fill"] * wy["vacancies"])
    del wy

    est = {
        "enterprises": (sums["w"], _total_variance_from(sums["w"], sums["ww"], n)),
        "employees": (sums["e"], _total_variance_from(sums["e"], sums["ee"], n)),
        "vacancies": (sums["v"], _total_variance_from(sums["v"], sums["vv"], n)),
        "demand": (sums["h"], _total_variance_from(sums["h"], sums["hh"], n)),
        # shortage: y = reports (0/1), x = 1, so (w y)^2 = w^2 y = (w y)(w x)
        "shortage_rate": _ratio_variance_from(sums["s"], sums["w"], sums["ss"], sums["ss"],
                                              sums["ww"], n),
        # vacancy rate: y = vacancies, x = employees + vacancies
        "vacancy_rate": _ratio_variance_from(
            sums["v"], sums["e"] + sums["v"], sums["vv"], sums["ev"] + sums["vv"],
            sums["ee"] + 2 * sums["ev"] + sums["vv"], n),
        # density: y = hard_to_fill, x = vacancies
        "ssv_density": _ratio_variance_from(sums["h"], sums["v"], sums["hh"], sums["hv"],
                                            sums["vv"], n),
    }

    columns = {"n_respondents": n.astype(np.int64)}
    for name in ("enterprises", "employees", "vacancies", "demand", "shortage_rate",
                 "vacancy_rate", "ssv_density"):
        value, variance = est[name]
        columns[name] = value
        columns[f"{name}_se"] = np.sqrt(variance)
    columns["single_respondent"] = n == 1
    return groups, columns
