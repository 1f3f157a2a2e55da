"""Calibration of survey design weights to known population totals by raking.

Raking (iterative proportional fitting) adjusts the design weights ``d_i`` of
a sample so that the weighted counts of enterprises reproduce known register
totals on several margins at once, e.g. enterprises per industry x size band
and per region. It is the calibration estimator of Deville & Särndal (1992)
with the multiplicative (raking) distance ``sum_i w_i log(w_i/d_i) - w_i + d_i``:
among all weights that hit every total, the calibrated weights are the
closest to ``d_i`` in that distance, and they have the form
``w_i = d_i * prod_m f_m(g_m(i))``, one factor per category of each margin.
Each step of the iteration multiplies the weights of every
unit in category ``g`` of margin ``m`` by ``target_m(g) / current_total_m(g)``;
steps cycle over the margins until every margin is within a relative
tolerance.

Bounded raking keeps the ratios ``w_i / d_i`` within ``bounds`` (default
``[0.2, 5]``) by truncation inside the iteration: the weights are
``w_i = d_i * clip(a_i, lo, hi)`` where ``a_i`` is the product of the
category factors, and each step chooses the factors of one margin so that
the *truncated* weights hit its totals, the respondents not at a bound
making up for those that are. This is the truncated raking distance of
Deville, Särndal & Sautory (1993), solved by cyclic exact updates of the
dual (one margin at a time); without bounds it is classic IPF. How many
weights end at a bound is reported. Convergence is linear: fast when the
bounds do not bind, slower (tens of sweeps) when many weights sit at a bound.

References
----------
Deville, J.-C. and Särndal, C.-E. (1992). Calibration estimators in survey
sampling. *Journal of the American Statistical Association* 87(418), 376-382.

Deville, J.-C., Särndal, C.-E. and Sautory, O. (1993). Generalized raking
procedures in survey sampling. *JASA* 88(423), 1013-1020.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap._words import count_words
from talentgap.errors import ParameterError, collect_warnings
from talentgap.features._calibrated_variance import CALIBRATION_MARK, DESIGN_WEIGHT
from talentgap.features._calibration_checks import check_psu_weights, design_weights
from talentgap.features._inputs import canonical_table
from talentgap.features._margins import (
    Margin,
    check_consistent,
    check_options,
    check_reachable,
    check_within_bounds,
    encode_margin,
    explain_no_convergence,
    mapping_totals,
    normalize_margins,
    register_totals,
)
from talentgap.features._raking import STALL_DROP, STALL_SWEEPS, fit_margin, max_error
from talentgap.features._raking import stalled as _stalled  # a local name is `stalled`
from talentgap.features.design import SurveyDesign, design_index
from talentgap.features.nonresponse import ADJUSTED_MARK
from talentgap.schema import DETAIL_COLUMNS, unit_codes

__all__ = ["calibrate_weights", "CalibrationReport"]

logger = logging.getLogger(__name__)


_BOUND_RTOL = 1e-9  # a ratio this close to a bound counts as "at the bound"


@dataclass(frozen=True)
class CalibrationReport:
    """Diagnostics of one call of :func:`calibrate_weights`.

    Attributes
    ----------
    iterations : int
        Full sweeps over the margins that were run (0 when the starting
        weights already met every total).
    converged : bool
        Whether every margin is within ``tol`` (always True for a returned
        report: non-convergence raises).
    max_relative_error : float
        Largest ``|achieved - target| / target`` over all categories of all
        margins (and periods) at the end.
    n_trimmed : int
        Number of weights whose ratio ``weight / design_weight`` ended at a
        bound (within a relative 1e-9).
    weight_ratio_range : tuple of float
        Smallest and largest ratio ``weight / design_weight``.
    bounds : tuple of float
        The bounds used on those ratios.
    design : SurveyDesign or None
        The sampling design the weights were raked within (None: none
        declared).
    margins : dict of tuple of str to pandas.DataFrame
        One table per margin, one row per category (and period when
        calibrating per period): the margin's columns, ``period``,
        ``n_respondents``, ``target`` (population count), ``design`` (sum of
        design weights), ``achieved`` (sum of calibrated weights) and
        ``relative_error``.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.features import calibrate_weights
    >>> surveys = pd.DataFrame({
    ...     "period": "2024Q1", "enterprise_id": ["E1", "E2", "E3", "E4"],
    ...     "region": ["North", "North", "South", "South"], "industry": "textiles",
    ...     "employees": [40, 12, 25, 300], "vacancies": [3, 1, 2, 10],
    ...     "hard_to_fill": [2, 1, 0, 4], "reports_shortage": [1, 1, 0, 1], "weight": 10.0})
    >>> totals = {("region",): pd.DataFrame({"region": ["North", "South"],
    ...                                      "count": [30, 50]})}
    >>> _, report = calibrate_weights(surveys, totals, margins=[("region",)],
    ...                               return_report=True)
    >>> print(report)
    raking converged after 1 iteration over 1 margin: max relative error 0, 0 weights at a
    bound (0.2, 5.0), weight ratios in [1.5, 2.5]
    >>> report.margins[("region",)]
      region  period  n_respondents  target  design  achieved  relative_error
    0  North  2024Q1              2    30.0    20.0      30.0             0.0
    1  South  2024Q1              2    50.0    20.0      50.0             0.0
    """

    iterations: int
    converged: bool
    max_relative_error: float
    n_trimmed: int
    weight_ratio_range: tuple[float, float]
    bounds: tuple[float, float]
    margins: dict[tuple[str, ...], pd.DataFrame]
    design: SurveyDesign | None = None

    def summary(self) -> str:
        """One line of the diagnostics, e.g. for a log or a report."""
        state = "converged" if self.converged else "did not converge"
        lo, hi = self.weight_ratio_range
        return (f"raking {state} after {count_words(self.iterations, 'iteration')} over "
                f"{count_words(len(self.margins), 'margin')}: max relative error "
                f"{self.max_relative_error:.2g}, "
                f"{count_words(self.n_trimmed, 'weight')} at a bound "
                f"{self.bounds}, weight ratios in [{lo:.4g}, {hi:.4g}]")

    def __str__(self) -> str:
        return self.summary()


def _report_tables(margins: list[Margin], w0: np.ndarray, w: np.ndarray) -> dict:
    out = {}
    for margin in margins:
        table = margin.cells.copy()
        table["n_respondents"] = margin.n_sample
        table["target"] = np.nan_to_num(margin.target)
        table["design"] = margin.totals(w0)
        table["achieved"] = margin.totals(w)
        table["relative_error"] = margin.relative_error(w)
        out[margin.columns] = table.sort_values(list(table.columns[: table.columns.get_loc(
            "n_respondents")]), ignore_index=True)
    return out


def calibrate_weights(
    surveys: pd.DataFrame,
    population,
    *,
    margins: Sequence,
    weight: str = "weight",
    bounds: tuple[float, float] | None = (0.2, 5.0),
    tol: float = 1e-6,
    max_iter: int = 100,
    by_period: bool = True,
    design: SurveyDesign | None = None,
    return_report: bool = False,
):
    """Rake survey design weights to known enterprise counts on several margins.

    Raking (iterative proportional fitting) is the calibration estimator of
    Deville & Särndal (1992) with the multiplicative distance: each step
    multiplies the weight of every respondent in category ``g`` of margin
    ``m`` by ``target_m(g) / current_total_m(g)``, and the steps cycle over
    the margins until every margin is within ``tol``. The ratios
    ``weight / design_weight`` are kept within ``bounds`` by truncation
    inside the iteration (bounded raking, Deville, Särndal & Sautory 1993):
    each step solves for the factors that make the *truncated* weights hit
    the margin, so the respondents not at a bound make up the difference.

    Parameters
    ----------
    surveys : pandas.DataFrame
        The ``surveys`` table (validated first unless already canonical; a
        :class:`~talentgap.errors.SchemaError` lists its problems). Every
        margin column must be a column of it.
    population : dict or pandas.DataFrame
        The known totals, in one of two forms:

        * a dict mapping each margin (a tuple of column names, or a single
          name) to a DataFrame with the margin's columns and ``count``
          (number of enterprises), one row per category; with an optional
          ``period`` column the counts are per period, without one they
          apply to every period. Dict entries for other margins are ignored.
        * an enterprise register: one DataFrame with one row per enterprise
          and the margin columns (e.g. ``make_synthetic(...).frame``); the
          counts of each margin are computed from it. A register with a
          ``period`` column (one row per enterprise per period) gives counts
          per period.

        Labels are matched by value to the survey's labels.
    margins : list of tuple of str
        The margins to calibrate to, e.g. ``[("industry", "size_band"),
        ("region",)]``; a single string is a one-column margin.
    weight : str, default "weight"
        Column of design weights; when the table has no such column every
        design weight is 1. The calibrated weights are written to this column.
    bounds : (float, float) or None, default (0.2, 5.0)
        Lower and upper bound on each ratio ``weight / design_weight``,
        with ``0 <= lo <= 1 <= hi``; ``None`` for no bounds.
    tol : float, default 1e-6
        Relative tolerance: calibration stops when every category of every
        margin satisfies ``|achieved - target| <= tol * target``. It is also
        the allowed relative difference between the grand totals of two
        margins.
    max_iter : int, default 100
        Maximum number of sweeps over all margins. Raking stops earlier,
        with an error, when its error fell by less than 1% over the last 10
        sweeps and at that pace would not reach ``tol`` within ``max_iter``.
    by_period : bool, default True
        Calibrate each period's respondents to the totals separately (all
        periods in one vectorised pass). With ``False`` the respondents of
        all periods together are raked to one set of totals, which must not
        have a ``period`` column.
    design : SurveyDesign, optional
        The sampling design of ``surveys`` (strata, PSUs, population
        counts). Its columns are checked before any raking (the rules of
        :func:`talentgap.features.design.design_index`: present, complete,
        population counts >= the sample, each PSU in one stratum), and they
        are carried through unchanged: only the weights change, so the
        output can go to :func:`~talentgap.features.estimate_cells` with the
        same ``design``. When the design has both ``psu`` and ``fpc``, the
        population count is one of PSUs and the correction ``1 - n_h/N_h``
        is the whole variance only if each sampled PSU is taken whole (a
        one-stage cluster sample), where every enterprise of a PSU has the
        PSU's selection probability: *design* weights that differ within a
        PSU get a :class:`~talentgap.errors.DataQualityWarning` (rule
        ``weight_varies_in_psu``, the rows named), as in
        :func:`~talentgap.features.estimate_cells`; the calibration runs all
        the same. Calibrated weights may differ within a PSU; the rule
        applies to the weights the calibration starts from, and to no other
        design (not to weights :func:`~talentgap.features.adjust_nonresponse`
        marked as changed, by class, in ``attrs``).
    return_report : bool, default False
        Also return a :class:`CalibrationReport`.

    Returns
    -------
    pandas.DataFrame or (pandas.DataFrame, CalibrationReport)
        A new frame: the canonical survey rows in their order, with the
        calibrated weights in ``weight`` and the starting weights in
        ``design_weight`` (placed after ``weight``; an existing
        ``design_weight`` column is overwritten). The input is not changed.

    Raises
    ------
    SchemaError
        If the surveys table breaks its schema, a design weight (in
        ``weight``, whatever its name) is not finite and > 0, a margin
        column of the surveys, the totals or the register has a missing
        value, a count of the totals is not a finite number >= 0, or (with
        ``design``) a design column breaks a design rule. Every failing row
        is listed with its line number (position + 2) and rule, in the
        message and in ``failure_cases``.
    ParameterError
        If an argument is out of range or a margin column is missing from
        the surveys or the population; if a sampled category has no (or a
        zero) population total; if a population category with a positive
        count has no respondents (no reweighting can reach it); if two
        margins' totals differ by more than ``tol`` relative in a period;
        if a category made only of take-all respondents (whose weights are
        fixed) has a count other than their weights' sum; or if raking
        stops short of ``tol``: after ``max_iter`` sweeps, or earlier once
        its error no longer falls. The message says which cause it sees:
        weights held at the bounds, or (none at a bound, or no bounds)
        margins that cannot all be met on these respondents.

    See Also
    --------
    talentgap.features.estimate_cells : weighted estimates with the calibrated weights.

    Notes
    -----
    A long surveys table (several occupation or skill-level rows per
    enterprise-period) is raked with each enterprise counted once: the
    margins count enterprises, so they may only use enterprise columns, and
    every row of an enterprise gets its calibrated weight.

    Only categories of the margins are constrained; the calibrated weights
    of a margin-crossing cell (e.g. region x industry when calibrating to
    region and to industry x size band separately) need not reproduce any
    register count.

    The output records the margins in ``attrs["calibration"]`` (with the
    weight column and ``by_period``). :func:`~talentgap.features.estimate_cells`,
    :func:`~talentgap.features.estimate_nodes` and
    :func:`~talentgap.features.build_panel` read it and give the
    calibration (GREG) standard errors of Deville & Särndal (1992): the
    design variance (strata, PSUs and population counts as declared, or each
    cell-period a stratum without a design) of ``w_i e_i``, the residuals of
    a weighted regression of each variable on the margins' category
    indicators within each period, so a total a margin fixes has SE 0 (see
    :mod:`talentgap.features._calibrated_variance`). The record survives
    copies and row selections in the same session, not a CSV or Parquet
    round trip: pass ``calibration=[...]`` (the margins) to those functions
    then; without it they warn (the table has a ``design_weight`` column)
    and give the conservative SEs of the final weights taken as design
    weights. With ``by_period=False`` the SEs ignore the calibration, with
    a warning. The enterprises of
    a take-all stratum (population count = sampled count) are a census: their
    weights are held at the design weights and the other respondents make up
    each margin, so a take-all stratum still adds no variance.

    References
    ----------
    Deville, J.-C. and Särndal, C.-E. (1992). Calibration estimators in
    survey sampling. *JASA* 87(418), 376-382.

    Deville, J.-C., Särndal, C.-E. and Sautory, O. (1993). Generalized
    raking procedures in survey sampling. *JASA* 88(423), 1013-1020.

    Examples
    --------
    >>> import pandas as pd
    >>> surveys = pd.DataFrame({
    ...     "period": ["2024Q1"] * 4, "enterprise_id": ["E1", "E2", "E3", "E4"],
    ...     "region": ["North", "North", "South", "South"],
    ...     "industry": ["textiles"] * 4, "employees": [40, 12, 25, 300],
    ...     "vacancies": [3, 1, 2, 10], "hard_to_fill": [2, 1, 0, 4],
    ...     "reports_shortage": [1, 1, 0, 1], "weight": [10.0, 10.0, 10.0, 10.0],
    ...     "size_band": ["small", "small", "small", "large"]})
    >>> totals = {("region",): pd.DataFrame({"region": ["North", "South"],
    ...                                      "count": [30, 50]})}
    >>> calibrate_weights(surveys, totals, margins=[("region",)])["weight"].tolist()
    [15.0, 15.0, 25.0, 25.0]

    Two margins from an enterprise register, with the diagnostics:

    >>> register = pd.DataFrame({
    ...     "region": ["North"] * 30 + ["South"] * 50,
    ...     "size_band": ["small"] * 60 + ["large"] * 20})
    >>> out, report = calibrate_weights(surveys, register, margins=["region", "size_band"],
    ...                                 return_report=True)
    >>> out["weight"].round(6).tolist(), out["design_weight"].tolist()
    ([15.0, 15.0, 30.0, 20.0], [10.0, 10.0, 10.0, 10.0])
    >>> report.converged, report.n_trimmed
    (True, 0)
    >>> report.margins[("size_band",)][["size_band", "target", "design", "achieved"]].round(3)
      size_band  target  design  achieved
    0     large    20.0    10.0      20.0
    1     small    60.0    30.0      60.0
    """
    margin_list = normalize_margins(margins)
    lo, hi = check_options(bounds, tol, max_iter)
    if not isinstance(weight, str) or weight == DESIGN_WEIGHT:
        raise ParameterError(f"weight must name a column other than {DESIGN_WEIGHT!r}, "
                             f"got {weight!r}")
    table = canonical_table(surveys, "surveys")
    for margin in margin_list:
        for col in margin:
            if col not in table.columns:
                raise ParameterError(
                    f"margin column {col!r} of margin {margin!r} is not a column of the "
                    f"surveys table; columns are {list(table.columns)}")

    if design is not None:
        with collect_warnings():  # lonely PSUs are reported where SEs are made
            index = design_index(table, design)
    w0 = design_weights(table, weight, [c for m in margin_list for c in m])
    if (design is not None and design.psu is not None and design.fpc is not None
            and not getattr(surveys, "attrs", {}).get(ADJUSTED_MARK, False)):
        check_psu_weights(table, w0, index.unit, design.psu, weight, design.fpc)
    fixed = None
    if design is not None and index.take_all is not None:
        # a take-all stratum is a census of its enterprises: their weights stay as designed
        fixed = index.take_all[index.stratum_of_unit[index.unit]]

    # long form (several occupation / skill-level rows per enterprise-period): the
    # enterprise is the unit counted in the margins, raked once, its weight copied back
    full_table, row_w0 = table, w0
    unit_of_row = unit_codes(table[["enterprise_id", "period"]])
    first = np.unique(unit_of_row, return_index=True)[1]
    if first.size < len(table):
        detail = [c for m in margin_list for c in m if c in DETAIL_COLUMNS]
        if detail:
            raise ParameterError(
                f"margin column {detail[0]!r} describes vacancies, not enterprises: in a "
                "long surveys table (several rows per enterprise-period) margins count "
                "enterprises and may only use enterprise columns")
        table, w0 = table.iloc[first], w0[first]
        fixed = None if fixed is None else fixed[first]
    else:
        unit_of_row = None

    period_dtype = table["period"].dtype
    freq = period_dtype.freq.freqstr[0]
    if by_period:
        survey_periods, row_period = np.unique(table["period"].array.asi8, return_inverse=True)
        row_period = row_period.astype(np.int64).ravel()
    else:
        survey_periods = np.unique(table["period"].array.asi8)
        row_period = np.zeros(len(table), dtype=np.int64)
    n_periods = survey_periods.size if by_period else 1

    if isinstance(population, pd.DataFrame):
        totals = register_totals(population, margin_list, freq, by_period)
    elif isinstance(population, Mapping):
        totals = mapping_totals(population, margin_list)
    else:
        raise ParameterError("population must be a dict of totals per margin or an enterprise "
                             f"register DataFrame, got {type(population).__name__}")

    encoded = [encode_margin(table, m, totals[m], survey_periods, row_period, freq,
                              period_dtype, by_period) for m in margin_list]
    for margin in encoded:
        check_reachable(margin, by_period)
    check_consistent(encoded, survey_periods, period_dtype, n_periods, tol, by_period)

    row_lo, row_hi = lo, hi
    if fixed is not None and fixed.any():
        row_lo = np.where(fixed, 1.0, lo)
        row_hi = np.where(fixed, 1.0, hi)
    for margin in encoded:
        check_within_bounds(margin, w0, row_lo, row_hi, by_period)

    ratio = np.ones(len(w0))  # untruncated ratios; the weights are w0 * clip(ratio, lo, hi)
    w = w0.copy()
    error, worst_margin, worst_cell = max_error(encoded, w)
    history = [error]
    iterations, stalled = 0, False
    while error > tol and iterations < max_iter and not stalled:
        iterations += 1
        for margin in encoded:
            fit_margin(margin, ratio, w0, row_lo, row_hi, tol)
        w = w0 * np.clip(ratio, row_lo, row_hi)
        error, worst_margin, worst_cell = max_error(encoded, w)
        history.append(error)
        stalled = _stalled(history, tol, max_iter)
        logger.debug("raking sweep %d: max relative error %.3g", iterations, error)
    if error > tol:
        falling = not stalled and (len(history) < 3 or history[-1] < history[-2] * (
            1 - STALL_DROP / STALL_SWEEPS))
        raise ParameterError(explain_no_convergence(
            encoded, w, ratio, row_lo, row_hi, (lo, hi), worst=worst_margin, cell=worst_cell,
            iterations=iterations, stalled=stalled, falling=falling, tol=tol,
            by_period=by_period))

    final = np.clip(ratio, row_lo, row_hi)
    at_bound = np.zeros(len(w), dtype=bool)
    if lo > 0:
        at_bound |= final <= lo * (1 + _BOUND_RTOL)
    if np.isfinite(hi):
        at_bound |= final >= hi * (1 - _BOUND_RTOL)
    if np.ndim(row_lo):  # fixed take-all weights are not trimmed ones
        at_bound &= row_lo != row_hi
    report = CalibrationReport(
        iterations=iterations,
        converged=True,
        max_relative_error=error,
        n_trimmed=int(at_bound.sum()),
        weight_ratio_range=(float(final.min()), float(final.max())),
        bounds=(lo, hi),
        margins=_report_tables(encoded, w0, w),
        design=design,
    )
    logger.info("%s", report.summary())

    if unit_of_row is not None:
        table, w, w0 = full_table, w[unit_of_row], row_w0  # unit k is row first[k]
    out = table.copy() if table is surveys else table
    if DESIGN_WEIGHT in out.columns:
        out = out.drop(columns=DESIGN_WEIGHT)
    out[weight] = w
    out.insert(out.columns.get_loc(weight) + 1, DESIGN_WEIGHT, w0)
    out.attrs[CALIBRATION_MARK] = {"margins": [list(m) for m in margin_list],
                                   "weight": weight, "by_period": by_period}
    return (out, report) if return_report else out
