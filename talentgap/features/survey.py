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


def _total_variance(codes: np.ndarray, wy: np.ndarray, total: np.ndarray,
                    n: np.ndarray) -> np.ndarray:
    """``n/(n-1) * sum((w*y - T/n)^2)`` per group (two passes, for accuracy)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        deviation = wy - (total / n)[codes]
        np.square(deviation, out=deviation)
        ss = group_sum(codes, total.size, deviation)
        return np.where(n > 1, n / (n - 1) * ss, np.nan)


def _ratio_variance(codes: np.ndarray, wy: np.ndarray, wx: np.ndarray, numerator: np.ndarray,
                    denominator: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ratio ``Y/X`` and the variance of its linearisation, per group.

    With ``z_i = (w_i*y_i - R*w_i*x_i) / X``, the ``z_i`` of a group sum to
    zero, so ``V(R) = n/(n-1) * sum(z_i^2)``; the division by ``X`` is done
    once per group rather than once per row.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(denominator != 0, numerator / denominator, np.nan)
        residual = wx * ratio[codes]
        np.subtract(wy, residual, out=residual)
        np.square(residual, out=residual)
        ss = group_sum(codes, ratio.size, residual) / (denominator * denominator)
        return ratio, np.where(n > 1, n / (n - 1) * ss, np.nan)


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
    return total, np.sqrt(_total_variance(codes, wy, total, n))


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
    ratio, variance = _ratio_variance(codes, wy, wx, group_sum(codes, n_groups, wy),
                                      group_sum(codes, n_groups, wx), n)
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

    def column(name: str) -> np.ndarray:
        return table[name].to_numpy(dtype=np.float64)

    # Weighted values per row are computed once, shared by the totals and the
    # ratios that use them, and released as soon as possible (peak memory).
    est = {}
    total_w = group_sum(codes, n_groups, w)
    est["enterprises"] = total_w, _total_variance(codes, w, total_w, n)
    w_short = w * column("reports_shortage")
    est["shortage_rate"] = _ratio_variance(codes, w_short, w, group_sum(codes, n_groups, w_short),
                                           total_w, n)
    del w_short
    w_vac = w * column("vacancies")
    total_vac = group_sum(codes, n_groups, w_vac)
    est["vacancies"] = total_vac, _total_variance(codes, w_vac, total_vac, n)
    w_emp = w * column("employees")
    total_emp = group_sum(codes, n_groups, w_emp)
    est["employees"] = total_emp, _total_variance(codes, w_emp, total_emp, n)
    w_emp += w_vac  # now w * (employees + vacancies)
    est["vacancy_rate"] = _ratio_variance(codes, w_vac, w_emp, total_vac, total_emp + total_vac, n)
    del w_emp
    w_htf = w * column("hard_to_fill")
    total_htf = group_sum(codes, n_groups, w_htf)
    est["demand"] = total_htf, _total_variance(codes, w_htf, total_htf, n)
    est["ssv_density"] = _ratio_variance(codes, w_htf, w_vac, total_htf, total_vac, n)
    del w_htf, w_vac

    columns = {"n_respondents": n.astype(np.int64)}
    for name in ("enterprises", "employees", "vacancies", "demand", "shortage_rate",
                 "vacancy_rate", "ssv_density"):
        value, variance = est[name]
        columns[name] = value
        columns[f"{name}_se"] = np.sqrt(variance)
    columns["single_respondent"] = n == 1
    return groups, columns
