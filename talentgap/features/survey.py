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

**Long form.** When the table holds several rows per enterprise-period (one
per ``occupation`` and/or ``skill_level``), the respondent stays the
enterprise: the rows of an enterprise-period that fall in the same cell are
first merged into one unit whose ``vacancies`` and ``hard_to_fill`` are
their sums and whose enterprise-level values (``employees``, ``weight``,
``reports_shortage``, design columns; equal on every row by rule) are
counted once. With cells by region and industry each enterprise therefore
counts once; with cells by occupation or skill level an enterprise counts
once in every such cell it reports vacancies in (``vacancies > 0``; its
employees and its shortage report go with it). A detail row of 0 vacancies,
or a row whose detail is blank, belongs to no cell keyed by that detail: a
zero row says nothing its absence does not, and vacancies without their
detail get a :class:`~talentgap.errors.DataQualityWarning` (the detail cells
then add up to less than the totals by that amount). See
:mod:`talentgap.features._detail_cells`.

**Detail cells are domains.** Whether an enterprise has vacancies in an
occupation is itself random, so a detail cell is not a stratum. Without a
design, the strata are the cells of the other keys (region x industry for
keys region x industry x skill level; the whole period for keys of details
only), the enterprises their units, and each detail cell a domain: the
stratum's enterprises outside it count with ``y = 0`` (R
``svyby(~y, ~cell, svydesign(ids=~1, strata=~other_keys, weights=~w),
svytotal)``). The standard errors come from the same domain variance as
with a declared design (:class:`~talentgap.features.design.DomainVariance`);
they are NaN where the stratum has one enterprise. With a design, the
enterprise or its PSU is the sampling unit, so an enterprise in several
cells is one unit of the design.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from talentgap._arguments import key_list
from talentgap._checks import did_you_mean
from talentgap.errors import ParameterError, SchemaError, collect_warnings
from talentgap.features._calibrated_variance import calibration_margins
from talentgap.features._calibration_checks import check_estimate_weights
from talentgap.features._detail_cells import detail_rows, detail_strata, warn_undetailed
from talentgap.features._groups import group_rows, group_sum
from talentgap.features._inputs import surveys_table
from talentgap.features._survey_columns import warn_unused_survey_columns
from talentgap.features._survey_moments import (
    RATIO_NAMES,
    design_errors,
    detail_cell_columns,
    merge_detail_rows,
    moment_estimates,
    moments,
    take_all,
)
from talentgap.features._variance import ratio_variance, total_variance, variance_factor
from talentgap.features.design import SurveyDesign, design_index, mark_design
from talentgap.features.distributed import estimate_partitions, is_dask_frame
from talentgap.features.intervals import confidence_interval  # still importable here
from talentgap.schema import DETAIL_COLUMNS, check_constant, unit_codes

__all__ = [
    "ESTIMATE_COLUMNS", "DF_COLUMNS", "estimate_cells", "estimate_arrays", "weighted_total",
    "weighted_ratio", "confidence_interval", "check_key_names", "check_weight_column",
]


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
    n = np.asarray(n, dtype=np.float64)
    variance = total_variance(total, group_sum(codes, n_groups, wy * wy),
                                    variance_factor(n), n)
    return total, np.sqrt(variance)


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

    ratio, variance = ratio_variance(total(wy), total(wx), total(wy * wy),
                                           total(wy * wx), total(wx * wx),
                                           variance_factor(np.asarray(n, dtype=np.float64)))
    return ratio, np.sqrt(variance)


def estimate_cells(
    surveys: pd.DataFrame,
    *,
    keys: Sequence[str] = ("region", "industry"),
    freq: str | None = None,
    weight: str | None = "weight",
    design: SurveyDesign | None = None,
    skill_levels: Sequence[str] | None = None,
    calibration=None,
) -> pd.DataFrame:
    """Design-weighted estimates of shortage indicators per cell and period.

    Parameters
    ----------
    surveys : pandas.DataFrame
        The ``surveys`` table. A table returned by
        :func:`talentgap.schema.validate` or :func:`talentgap.io.read_table`
        is used as is once every schema rule holds on it (each checked in its
        cheap form, uniqueness of ``enterprise_id, period`` and the detail
        columns included); any other frame is validated first, and a
        :class:`~talentgap.errors.SchemaError` lists its problems. The table
        may be in long form: several rows per enterprise-period, one per
        ``occupation`` and/or ``skill_level`` (see the module notes and
        :func:`talentgap.features.long_form`). A Dask DataFrame (e.g. from
        ``dask.dataframe.read_parquet``) is validated and reduced on its
        workers, with the same result (``talentgap.features.distributed``;
        ``freq`` required).
    keys : sequence of str, default ("region", "industry")
        Columns defining a cell, any of ``region``, ``industry``,
        ``occupation``, ``skill_level`` (and other key columns of the table),
        e.g. ``("region", "industry", "skill_level")``. Without ``design``,
        each cell-period is its own stratum; with an ``occupation`` or
        ``skill_level`` key, the cell-period of the other keys is the
        stratum and each detail cell a domain of it (see the module notes).
    freq : {"Y", "Q", "M"}, optional
        Period frequency for parsing raw period labels.
    weight : str or None, default "weight"
        Design-weight column; when the table has no column named
        ``"weight"`` (or ``weight=None``), every weight is 1 and the
        estimates are unweighted sample counts. A missing ``"weight"`` column
        gets a :class:`~talentgap.errors.DataQualityWarning` naming the
        columns that look like weights (``weight=None`` asks for weight 1
        without one). Any other name must be a column of the table.
    design : SurveyDesign, optional
        The sampling design (strata, PSUs, population counts). With it,
        every cell is a domain of the whole design of its period and the
        standard errors are design-based (see
        :mod:`talentgap.features.design`); the estimates themselves do not
        change. Without it, each cell-period is its own stratum (a detail
        cell: a domain of the cell of the other keys), sampled with
        replacement (columns named like design columns, e.g. ``stratum``,
        ``psu`` or ``population``, then get a
        :class:`~talentgap.errors.DataQualityWarning` saying they are not
        used). In the long form, design columns must be equal on every
        row of an enterprise-period.
    skill_levels : sequence of str, optional
        The declared order of the skill levels, lowest first (e.g.
        ``["ordinary", "high"]``). ``skill_level`` then becomes an ordered
        categorical and cells sort in that order; a level outside the list
        is a :class:`~talentgap.errors.SchemaError` (rule ``unknown_code``)
        naming its lines.
    calibration : list of tuple of str, False or None, default None
        The margins the weights were calibrated to (e.g. ``[("region",),
        ("industry", "size_band")]``): the standard errors are then the
        calibration (GREG) variances, on the residuals of a weighted
        regression of each estimated variable on the margins' category
        indicators within each period
        (:mod:`talentgap.features._calibrated_variance`), so a total that a
        margin fixes has SE 0. None: the margins recorded by
        :func:`~talentgap.features.calibrate_weights` in
        ``surveys.attrs["calibration"]`` (kept by copies and row selections
        in the same session, lost by a CSV or Parquet round trip, after
        which a table with a ``design_weight`` column gets a warning and the
        conservative SEs). False: ignore any calibration. Without
        ``design``, each cell-period is a stratum of enterprises, so the
        keys must be enterprise columns.

    Returns
    -------
    pandas.DataFrame
        One row per cell-period that has respondents, sorted by ``keys`` and
        ``period``, with columns:

        ``<keys>``, ``period``
            The cell and period (keys stay categorical).
        ``n_respondents``
            Enterprises surveyed (each counted once per cell, however many
            detail rows it has there).
        ``enterprises``, ``employees``, ``vacancies``, ``demand``
            Weighted totals: enterprises represented, employees, vacancies
            and hard-to-fill vacancies (``demand``), each with ``<name>_se``.
            With an ``occupation`` or ``skill_level`` key the first two are
            ``reporting_enterprises`` and ``reporting_employees``: the
            enterprises reporting vacancies in the cell (``vacancies > 0``)
            and all their employees, which do not add up across the detail
            cells.
        ``shortage_rate``
            Weighted share of enterprises reporting a shortage (0-1).
        ``vacancy_rate``
            ``vacancies / (employees + vacancies)`` (ratio estimator, 0-1).
            Not given with a detail key: the survey has no employees per
            occupation or skill level.
        ``ssv_density``
            ``hard_to_fill / vacancies``: the share of vacancies that are
            hard to fill for lack of skills (0-1; NaN without vacancies).
            Each rate has ``<name>_se``.
        ``single_respondent``
            True where ``n_respondents == 1``: without a design, standard
            errors are NaN there for cells of enterprise keys (with a design,
            or for a detail cell in a stratum of several enterprises, they
            come from the whole stratum or design and are defined).
        ``take_all``
            Only with ``design``: True where every respondent of the
            cell-period is in a take-all stratum (population count = sampled
            count), so its estimates have no sampling error and their SEs
            are exactly 0 (:func:`talentgap.features.shrink` keeps them).
        ``<name>_df``
            Only with ``design``: the Satterthwaite degrees of freedom of
            each ``<name>_se`` (see
            :meth:`~talentgap.features.design.DomainVariance.degrees_of_freedom`);
            :func:`~talentgap.features.confidence_interval` uses them for
            ``t`` intervals. NaN where the SE is 0.

    Raises
    ------
    SchemaError
        If the table breaks the ``surveys`` schema (in the long form also:
        a repeated enterprise x period x detail, or enterprise-level columns
        that differ within an enterprise-period, rule ``not_constant``), a
        skill level lies outside ``skill_levels`` (rule ``unknown_code``),
        or its design columns break a design rule (see
        :func:`talentgap.features.design.design_index`) or, in the long form,
        differ within an enterprise-period; or if ``weight`` names a column
        other than ``"weight"`` that the table does not have (rule
        ``missing_column``, with the closest name); or, with a detail key, if
        no row reports vacancies with that detail (rule ``empty_table``).
    ParameterError
        If a key is not a column of the table, names an output column (e.g.
        ``keys=["employees"]``), or ``skill_levels`` is malformed or given
        for a table without ``skill_level``.

    Warns
    -----
    DataQualityWarning
        With a detail key, when rows with vacancies leave that detail blank:
        how many enterprise-periods and (weighted) vacancies are in no detail
        cell, the amount by which the detail cells fall short of the totals.

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

    With a design: two size-band strata, the large enterprise taken with
    certainty (population count 1), so only the small ones add variance.

    >>> surveys["size_band"] = ["large", "small", "small"]
    >>> surveys["population"] = [1, 20, 20]
    >>> surveys["weight"] = [1.0, 10.0, 10.0]
    >>> design = SurveyDesign(strata="size_band", fpc="population")
    >>> cells = estimate_cells(surveys, design=design)
    >>> cells[["demand", "demand_se"]].round(3).to_dict("records")
    [{'demand': 13.0, 'demand_se': 9.487}]

    Long form: E1 reports welders at two skill levels. It is one
    respondent of the region x industry cell; by skill level it counts in
    both cells, its vacancies split between them.

    >>> long = pd.DataFrame({
    ...     "period": ["2024Q1"] * 3, "enterprise_id": ["E1", "E1", "E2"],
    ...     "region": ["Northvale"] * 3, "industry": ["textiles"] * 3,
    ...     "employees": [40, 40, 10], "vacancies": [3, 1, 2], "hard_to_fill": [2, 1, 0],
    ...     "reports_shortage": [1, 1, 0], "occupation": ["welder"] * 3,
    ...     "skill_level": ["ordinary", "high", "ordinary"]})
    >>> estimate_cells(long)[["n_respondents", "employees", "demand"]].to_dict("records")
    [{'n_respondents': 2, 'employees': 50.0, 'demand': 3.0}]
    >>> by_level = estimate_cells(long, keys=["skill_level"], skill_levels=["ordinary", "high"])
    >>> by_level[["skill_level", "n_respondents", "reporting_employees", "demand"]]
      skill_level  n_respondents  reporting_employees  demand
    0    ordinary              2                 50.0     2.0
    1        high              1                 40.0     1.0
    """
    outputs = ESTIMATE_COLUMNS if design is None else [*ESTIMATE_COLUMNS, "take_all",
                                                        *DF_COLUMNS]
    keys = check_key_names(keys, outputs, "estimate_cells")
    check_weight_column(surveys.columns, weight)
    warn_unused_survey_columns(surveys, weight=weight, design=design)
    margins = calibration_margins(surveys, calibration, weight=weight, function="estimate_cells",
                                  dask=is_dask_frame(surveys))
    if is_dask_frame(surveys):  # per-partition sums combined on the cluster
        return mark_design(detail_cell_columns(estimate_partitions(
            surveys, keys=keys, freq=freq, weight=weight, design=design,
            skill_levels=skill_levels), keys), design)
    table = surveys_table(surveys, freq=freq, keys=keys, blank_details=True,
                          skill_levels=skill_levels)
    wanted = None if design is None else [*ESTIMATE_COLUMNS, "take_all", *DF_COLUMNS]
    strata = None if design is not None else detail_strata(table, keys)
    warn_undetailed(table, keys, weight)
    inside = detail_rows(table, keys)
    if inside is None:
        groups = group_rows(table, [*keys, "period"])
        columns = estimate_arrays(table, groups.codes, groups.counts, weight=weight,
                                  columns=wanted, design=design, calibration=margins,
                                  strata=strata)
    else:  # rows in no detail cell: still in the design (one extra slot)
        groups = group_rows(table[[*keys, "period"]].iloc[inside], [*keys, "period"])
        codes = np.full(len(table), groups.n_groups, dtype=np.int64)
        codes[inside] = groups.codes
        columns = estimate_arrays(table, codes, np.append(groups.counts, 0), weight=weight,
                                  columns=wanted, design=design, calibration=margins,
                                  strata=strata)
        columns = {name: values[:groups.n_groups] for name, values in columns.items()}
    out = {name: groups.frame[name] for name in groups.frame.columns} | columns
    cells = detail_cell_columns(pd.DataFrame(out, copy=False), keys)  # fresh arrays
    return mark_design(cells, design)


def check_key_names(keys, outputs: Sequence[str], function: str) -> list[str]:
    """The keys of a survey estimate as a list (:func:`talentgap._arguments.key_list`).

    No key may be ``period`` (estimates are always per period) or an output
    column of ``function`` (the estimate would overwrite the cell labels).

    Raises
    ------
    ParameterError
        Naming the argument, the key and the column it collides with.

    Examples
    --------
    >>> check_key_names(["region", "employees"], ESTIMATE_COLUMNS, "estimate_cells")
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: keys == ['region', 'employees'] include 'employees': a \
key cannot be an output column of estimate_cells 'employees'; ...
    """
    return key_list(keys, time="period",
                    reserved={column: f"an output column of {function}" for column in outputs},
                    hint="the estimates would overwrite the cell labels; key by a copy of the "
                         "column under another name, e.g. surveys.assign({key}_key="
                         "surveys['{key}'])")


def check_weight_column(columns, weight: str | None) -> None:
    """Refuse a ``weight`` name the caller chose that is not a column of the table.

    The default name ``"weight"`` may be absent (every weight is then 1, with a
    warning from the estimates); any other name was asked for, and falling
    back to weight 1 would silently give unweighted totals.

    Raises
    ------
    SchemaError
        Naming the column (rule ``missing_column``), with the closest column
        name if one is close.

    Examples
    --------
    >>> check_weight_column(["enterprise_id", "weight"], "wieght")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    talentgap.errors.SchemaError: surveys: weight column 'wieght' ... (did you mean 'weight'?) ...
    """
    if weight is None or weight == _DEFAULT_WEIGHT or weight in columns:
        return
    raise SchemaError(
        f"surveys: weight column {weight!r} is not a column of the table"
        f"{did_you_mean(weight, columns)} [missing_column]; columns are {list(columns)}",
        column=str(weight), reason="missing_column")


_DEFAULT_WEIGHT = "weight"


#: Output columns of :func:`estimate_cells` after the keys and period, in order.
ESTIMATE_COLUMNS = [
    "n_respondents",
    "enterprises", "enterprises_se", "employees", "employees_se",
    "vacancies", "vacancies_se", "demand", "demand_se",
    "shortage_rate", "shortage_rate_se", "vacancy_rate", "vacancy_rate_se",
    "ssv_density", "ssv_density_se",
    "single_respondent",
]

#: With a design, the Satterthwaite degrees of freedom of each ``*_se`` column.
DF_COLUMNS = [name.replace("_se", "_df") for name in ESTIMATE_COLUMNS if name.endswith("_se")]


def estimate_arrays(table: pd.DataFrame, codes: np.ndarray, n: np.ndarray, *,
                    weight: str | None = "weight",
                    columns: list[str] | None = None,
                    design: SurveyDesign | None = None,
                    calibration: list[tuple[str, ...]] | None = None,
                    strata: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The estimates of :func:`estimate_cells` per slot, as arrays.

    Parameters
    ----------
    table : pandas.DataFrame
        A canonical surveys table (see :func:`estimate_cells`).
    codes : numpy.ndarray of int
        Slot (0..len(n)-1) of every row; each slot is one stratum.
    n : numpy.ndarray
        Rows in each slot (a slot with ``n == 0`` is left out even if rows
        point to it). In the long form the detail rows of an
        enterprise-period that share a slot are merged into one respondent
        first, and ``n`` becomes the enterprises per slot.
    weight : str or None
        Design-weight column, as in :func:`estimate_cells`.
    columns : list of str, optional
        Which of :data:`ESTIMATE_COLUMNS` to return (default: all), in order;
        with a design also ``"take_all"`` (see :func:`estimate_cells`).
    design : SurveyDesign, optional
        With a design, each slot is a domain of the design and the ``*_se``
        columns are design-based.
    calibration : list of tuple of str, optional
        The margins the weights were calibrated to: the ``*_se`` columns
        are then those of the calibration residuals
        (:mod:`talentgap.features._calibrated_variance`). Without a design,
        each slot is a stratum of enterprises (every enterprise-period in
        one slot), or a domain of ``strata``, and a slot of one respondent
        keeps NaN SEs.
    strata : numpy.ndarray of int, optional
        Without a design: the stratum of every row (its cell of the keys
        other than ``occupation`` and ``skill_level``, from
        :func:`~talentgap.features._detail_cells.detail_strata`; each period
        stratified separately), whose enterprises are the units. Each slot
        is then a domain of its stratum (the stratum's enterprises outside
        the slot count with ``y = 0``, as with a declared design) and its
        standard errors are NaN where the stratum has fewer than two
        enterprises. None: each slot is its own stratum.

    Returns
    -------
    dict of str to numpy.ndarray
        One array per column, aligned with the slots. A slot without rows
        has NaN estimates and SEs, ``n_respondents`` 0 and
        ``single_respondent`` False.

    Examples
    --------
    Slot 0 holds two enterprises of weight 2 with 1 and 3 hard-to-fill
    posts: demand ``2*1 + 2*3 = 8``, and its SE
    ``sqrt(2/1 * ((2-4)^2 + (6-4)^2)) = 4``; slot 1 has one respondent, so
    no SE:

    >>> table = pd.DataFrame({"period": pd.Period("2024Q1", "Q"), "region": "N",
    ...                       "enterprise_id": ["A", "B", "C"], "industry": "x",
    ...                       "employees": [10, 20, 30], "vacancies": [2, 4, 1],
    ...                       "hard_to_fill": [1, 3, 0], "reports_shortage": [True, True, False],
    ...                       "weight": [2.0, 2.0, 5.0]})
    >>> out = estimate_arrays(table, np.array([0, 0, 1]), np.array([2, 1]),
    ...                       columns=["demand", "demand_se", "n_respondents"])
    >>> {name: values.tolist() for name, values in out.items()}
    {'demand': [8.0, 0.0], 'demand_se': [4.0, nan], 'n_respondents': [2, 1]}
    """
    n = np.asarray(n, dtype=np.float64)
    columns = ESTIMATE_COLUMNS if columns is None else columns
    codes = np.asarray(codes)
    index = None
    if design is not None:  # checks first: errors before any work, lines of the input
        if any(c in table.columns for c in DETAIL_COLUMNS):
            check_constant(table, design.columns)
        index = design_index(table, design)
        check_estimate_weights(table, index.unit, design, weight)
    merged = merge_detail_rows(table, codes, n.size)
    if merged is not None:  # long form: one row per enterprise-period in each slot
        first, table = merged
        codes = codes[first]
        units = np.bincount(codes, minlength=n.size).astype(np.float64)
        units[n == 0] = 0.0  # slots the caller leaves out stay out
        n = units
        if index is not None:
            index = replace(index, unit=index.unit[first],
                            period_of_row=index.period_of_row[first])
    implied = design is None and (calibration is not None or strata is not None)
    if implied:  # without a design: each slot a stratum of enterprises, or a domain of one
        if strata is not None and merged is not None:
            strata = np.asarray(strata)[merged[0]]
        index = cells_as_strata(table, codes if strata is None else strata)
    if index is None:
        estimates = moment_estimates(moments(table, codes, n.size, weight), n, columns)
    else:
        wanted = list(dict.fromkeys([*(c for c in columns
                                       if c != "take_all" and not c.endswith("_df")),
                                     *RATIO_NAMES]))
        estimates = moment_estimates(moments(table, codes, n.size, weight), n, wanted)
        estimates.update(design_errors(table, codes, n.size, weight, estimates, index,
                                       [c for c in columns if c.endswith(("_se", "_df"))],
                                       calibration=calibration, empty=n == 0))
        if implied:  # a stratum of one enterprise: no variance estimate
            stratum = np.zeros(n.size, dtype=np.int64)
            stratum[codes] = index.stratum_of_unit[index.unit]
            lonely = (index.n_psu[stratum] < 2) | (n < 2 if strata is None else n < 1)
            for name in columns:
                if name.endswith("_se"):
                    estimates[name][lonely] = np.nan
        if "take_all" in columns:
            estimates["take_all"] = take_all(codes, n.size, index) & (n > 0)
        estimates = {name: estimates[name] for name in columns}
    empty = n == 0
    if empty.any():  # empty sums are 0; an empty stratum has no estimate
        for name in ("enterprises", "employees", "vacancies", "demand"):
            if name in estimates:
                estimates[name][empty] = np.nan
        if index is not None:  # nor a design variance (the domain sums would give 0)
            for name in estimates:
                if name.endswith(("_se", "_df")):
                    estimates[name][empty] = np.nan
    return estimates


def cells_as_strata(table: pd.DataFrame, strata: np.ndarray):
    """The implied design of the estimates without a declared design.

    ``strata`` gives each row its stratum: its slot (cell-period), as the
    estimates without a design assume, or with ``occupation`` or
    ``skill_level`` keys its cell of the other keys (the detail cells are
    domains of it). The units are the enterprises; an enterprise-period must
    lie in one stratum. A stratum of one enterprise adds no variance here;
    the caller gives its slots NaN SEs.
    """
    strata = np.asarray(strata)
    units = unit_codes(table[["enterprise_id", "period"]])
    stratum_of_unit = np.full(int(units.max()) + 1 if units.size else 0, -1, dtype=np.int64)
    stratum_of_unit[units] = strata
    if (stratum_of_unit[units] != strata).any():
        raise ParameterError(
            "calibrated standard errors without a design need cells of whole enterprises; "
            "with occupation or skill_level keys pass design= (e.g. SurveyDesign() for one "
            "stratum per period)")
    with collect_warnings():  # a one-enterprise stratum keeps NaN SEs (estimate_arrays)
        return design_index(table.assign(_cell_stratum=strata),
                            SurveyDesign(strata="_cell_stratum", lonely_psu="certainty"))
