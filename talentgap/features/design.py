"""A declared sampling design: strata, primary sampling units, population counts.

:class:`SurveyDesign` names the design columns of a ``surveys`` table. With a
design, :func:`talentgap.features.estimate_cells` estimates every cell as a
*domain* of the whole design, within each period (each period is a separate
sample):

* PSU totals of the linearised values ``z`` (``w y`` for a total; for a
  ratio ``w (y - R x) / X``), where rows outside the cell contribute 0;
* ``V = sum_h (1 - f_h) n_h / (n_h - 1) sum_j (z_hj - zbar_h)^2`` over the
  strata h of the period, ``n_h`` the PSUs sampled in stratum h (all of
  them, also those without a row in the cell), ``f_h = n_h / N_h`` with
  ``N_h`` the population count of PSUs (of enterprises when there are no
  PSUs), ``f_h = 0`` without population counts.

This is the with-replacement (ultimate cluster) linearisation variance of R's
``survey`` package for ``svydesign(ids=~psu, strata=~stratum, fpc=~N,
weights=~w)`` with ``svyby``, and of samplics' ``TaylorEstimator`` with
``stratum``, ``psu``, ``fpc`` (the factor ``1 - n_h / N_h``) and ``domain``.
Everything is vectorised: group codes and :func:`numpy.bincount`, no loop
over strata, PSUs or cells. The coded design and its domain variances
(:class:`DesignIndex`, :class:`DomainVariance`) live in
:mod:`talentgap.features._domain_variance` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from talentgap._checks import FAILURE_COLUMNS
from talentgap._words import rows_fail
from talentgap.errors import ParameterError, SchemaError, warn
from talentgap.features._domain_variance import DesignIndex, DomainVariance
from talentgap.features._groups import group_rows

__all__ = ["SurveyDesign", "LONELY_PSU_POLICIES", "DesignIndex", "design_index", "DomainVariance",
           "mark_design", "lonely_strata", "lonely_warning"]

#: Accepted values of :attr:`SurveyDesign.lonely_psu`.
LONELY_PSU_POLICIES = ("adjust", "average", "certainty", "remove", "fail")
_MAX_EXAMPLES = 5
_RULES = {
    "missing_value": "must not be missing",
    "not_positive": "must be a finite number > 0",
    "fpc_varies": "must be the same for every row of a stratum (in a period)",
    "fpc_below_sample": "must be >= the number of sampled units of its stratum",
    "psu_in_two_strata": "must belong to one stratum (in a period)",
    "lonely_psu": "must have at least 2 PSUs per stratum (lonely_psu='fail')",
}


@dataclass(frozen=True)
class SurveyDesign:
    """The sampling design of a ``surveys`` table, by column names.

    Parameters
    ----------
    strata : str, sequence of str or None, default None
        Column(s) whose combination is the sampling stratum, e.g.
        ``("region", "industry", "size_band")`` or ``"stratum"``. Strata may
        cut across the cells. Each period is stratified separately. None:
        one stratum per period.
    psu : str or None, default None
        Column identifying the primary sampling unit (cluster), e.g. an
        industrial park; a PSU belongs to one stratum in a period. None:
        each enterprise is its own PSU.
    fpc : str or None, default None
        Column holding the population count of the stratum: the number of
        PSUs (of enterprises when ``psu`` is None) in the population, the
        same on every row of a stratum-period. The variance of the stratum
        is multiplied by ``1 - n_h / N_h``; a take-all stratum
        (``n_h == N_h``) adds no variance. None: no correction.
    lonely_psu : {"adjust", "average", "certainty", "remove", "fail"}, default "adjust"
        What a stratum with one sampled PSU (and ``N_h > 1``) contributes,
        with R's ``survey.lonely.psu`` names:
        ``"adjust"`` centres its PSU total at the grand mean of the PSU
        totals of the period (``(1 - f_h) (z_h1 - T / P)^2``, T the domain
        total of ``z`` and P the PSUs of the period); ``"average"`` gives it
        the average contribution of the period's other strata (the variance
        of those strata times ``S / (S - L)``, S strata in the period of
        which L lonely; NaN when every stratum is lonely); ``"certainty"``
        and ``"remove"`` count it as 0 (the same number, as in R's one-stage
        variance: ``"certainty"`` says the PSU was taken with certainty,
        ``"remove"`` that the stratum is left out of the variance;
        samplics' ``SinglePSUEst.skip``). Each warns with a
        :class:`~talentgap.errors.DataQualityWarning` when it applies;
        ``"fail"`` raises :class:`~talentgap.errors.SchemaError`. A single
        PSU in a take-all stratum (``N_h == 1``) is exact and never lonely.
    nest : bool, default False
        PSU ids are numbered within each stratum (``"1"``, ``"2"`` in every
        stratum): a PSU is then the combination of its ``psu`` value and its
        stratum, as R's ``svydesign(nest=TRUE)``. Without it the same id in
        two strata of a period is an error (rule ``psu_in_two_strata``).
        No effect without ``psu``.

    Examples
    --------
    >>> design = SurveyDesign(strata=("industry", "size_band"), fpc="population")
    >>> design.strata_columns, design.columns
    (('industry', 'size_band'), ('industry', 'size_band', 'population'))
    """

    strata: str | Sequence[str] | None = None
    psu: str | None = None
    fpc: str | None = None
    lonely_psu: str = "adjust"
    nest: bool = False
    _strata: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        strata = self.strata
        names = () if strata is None else (strata,) if isinstance(strata, str) else tuple(strata)
        object.__setattr__(self, "_strata", names)

    @property
    def strata_columns(self) -> tuple[str, ...]:
        """The strata columns as a tuple (empty: one stratum per period)."""
        return self._strata

    @property
    def columns(self) -> tuple[str, ...]:
        """Every design column the table must hold."""
        return (*self._strata, *(c for c in (self.psu, self.fpc) if c is not None))

    def check_parameters(self) -> None:
        """Raise :class:`~talentgap.errors.ParameterError` for a malformed design."""
        if self.lonely_psu not in LONELY_PSU_POLICIES:
            raise ParameterError(
                f"lonely_psu={self.lonely_psu!r} is not supported; use one of "
                f"{list(LONELY_PSU_POLICIES)}"
            )
        for name in self.columns:
            if not isinstance(name, str):
                raise ParameterError(f"design columns must be column names, got {name!r}")
        if "period" in self.columns:
            raise ParameterError("'period' is not a design column: each period is its own "
                                 "sample already")


class _Failures:
    """Design-rule failures, collected before one :class:`SchemaError` is raised."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table
        self.parts: list[pd.DataFrame] = []

    def add(self, rows: np.ndarray, column: str, rule: str, values, detail: str = "") -> None:
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0:
            return
        shown = np.asarray(values, dtype=object)
        self.parts.append(pd.DataFrame({
            "line": rows + 2, "row": self.table.index[rows], "column": column, "rule": rule,
            "value": shown, "message": detail,
        }))

    def raise_if_any(self) -> None:
        if not self.parts:
            return
        cases = pd.concat(self.parts, ignore_index=True)
        lines = []
        for (column, rule), group in cases.groupby(["column", "rule"], sort=False):
            examples = group.head(_MAX_EXAMPLES)
            where = ", ".join(
                f"line {int(line)} ({self._label(int(line) - 2)}): {value}"
                for line, value in zip(examples["line"], examples["value"], strict=True)
            )
            detail = examples["message"].iloc[0]
            lines.append(f"  - column {column!r} {_RULES[rule]} [{rule}]; "
                         f"{rows_fail(len(group))}, e.g. {where}"
                         + (f" ({detail})" if detail else ""))
        first = cases.iloc[0]
        raise SchemaError("surveys: the sampling design is not usable:\n" + "\n".join(lines),
                          column=str(first["column"]), reason=str(first["rule"]),
                          failure_cases=cases[FAILURE_COLUMNS])

    def _label(self, position: int) -> str:
        row = self.table.iloc[position]  # labelled as talentgap.schema.validate does
        return ", ".join(str(row[c]) for c in ("enterprise_id", "period") if c in row.index)


def _missing(values: pd.Series) -> np.ndarray:
    return values.isna().to_numpy()


def _first_rows(codes: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Positions of the rows whose code is flagged in ``wanted`` (a bool per code)."""
    return np.flatnonzero(wanted[codes])


def _fpc_values(table: pd.DataFrame, name: str, failures: _Failures) -> np.ndarray:
    raw = table[name]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    missing = _missing(raw)
    rows = np.flatnonzero(missing)
    failures.add(rows, name, "missing_value", raw.iloc[rows].to_numpy())
    rows = np.flatnonzero(~missing & ~(np.isfinite(values) & (values > 0)))
    failures.add(rows, name, "not_positive", raw.iloc[rows].to_numpy())
    return values


def _fraction_hint(population: np.ndarray, n_psu: np.ndarray, sampled: str) -> str:
    """Below 1, a population count reads as a sampling fraction: say what is expected."""
    fraction = population < 1
    if not fraction.any():
        return ""
    f, n = population[fraction][0], n_psu[fraction][0]
    return (f"the column must hold the count of {sampled} in the stratum's population "
            f"(N_h), not a sampling fraction; from a fraction f, population = n_h / f, "
            f"e.g. {n:g} / {f:g} = {n / f:g}")


def design_index(table: pd.DataFrame, design: SurveyDesign) -> DesignIndex:
    """Check ``design`` against a canonical surveys ``table`` and code it.

    Raises
    ------
    ParameterError
        For a malformed :class:`SurveyDesign`.
    SchemaError
        When a design column is missing, holds missing values, a population
        count is not a positive number, varies within a stratum or is below
        the sampled count, a PSU sits in two strata of a period, or (with
        ``lonely_psu="fail"``) a stratum has one PSU. Every failure is
        listed with input line numbers (position + 2, as
        :func:`talentgap.schema.validate` counts them).

    Examples
    --------
    Band ``l`` is one enterprise of a population of one (take-all); band
    ``s`` two of ten, so its scale is ``(1 - 2/10) * 2 / (2 - 1)``:

    >>> import pandas as pd
    >>> table = pd.DataFrame({"period": pd.period_range("2024Q1", periods=1, freq="Q").repeat(3),
    ...                       "enterprise_id": ["A", "B", "C"], "band": ["s", "s", "l"],
    ...                       "population": [10, 10, 1]})
    >>> index = design_index(table, SurveyDesign(strata="band", fpc="population"))
    >>> index.n_psu.tolist(), index.take_all.tolist(), index.scale.tolist()
    ([1.0, 2.0], [True, False], [0.0, 1.6])
    >>> design_index(table, SurveyDesign(strata="size_band"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    talentgap.errors.SchemaError: surveys: design column 'size_band' is not a column ...
    """
    design.check_parameters()
    absent = [c for c in design.columns if c not in table.columns]
    if absent:
        raise SchemaError(
            f"surveys: design column {absent[0]!r} is not a column of the table "
            f"[missing_column]; columns are {list(table.columns)}",
            column=absent[0], reason="missing_column",
        )
    failures = _Failures(table)
    for name in design.columns:
        if name == design.fpc:
            continue
        rows = np.flatnonzero(_missing(table[name]))
        failures.add(rows, name, "missing_value", table[name].iloc[rows].to_numpy())
    population = _fpc_values(table, design.fpc, failures) if design.fpc else None
    failures.raise_if_any()  # the codes below need complete columns

    strata = group_rows(table, [*design.strata_columns, "period"])
    stratum = strata.codes
    n_strata = strata.n_groups
    unit_columns = [design.psu if design.psu is not None else "enterprise_id", "period"]
    nested = design.nest and design.psu is not None  # a PSU id counts within its stratum
    units = group_rows(table, [design.psu, *design.strata_columns, "period"] if nested
                       else unit_columns)
    unit = units.codes
    n_units = units.n_groups

    # nesting: every PSU in one stratum of its period (one scatter and one gather)
    stratum_of_unit = np.empty(n_units, dtype=np.int64)
    stratum_of_unit[unit] = stratum
    crossed = np.zeros(n_units, dtype=bool)
    crossed[unit[stratum_of_unit[unit] != stratum]] = True
    if crossed.any():
        rows = _first_rows(unit, crossed)
        failures.add(rows, unit_columns[0], "psu_in_two_strata",
                     table[unit_columns[0]].iloc[rows].to_numpy(),
                     f"strata by {[*design.strata_columns, 'period']}; a PSU id names one PSU "
                     "of the period: make the ids unique within the period (e.g. prefix the "
                     "stratum, as 'stratum/psu'), or, if ids are numbered within each stratum, "
                     "pass SurveyDesign(..., nest=True) (R's svydesign(nest=TRUE); on the "
                     "command line [survey] nest = true)")
        failures.raise_if_any()
    n_psu = np.bincount(stratum_of_unit, minlength=n_strata).astype(np.float64)

    if population is not None:
        rows_per_stratum = np.bincount(stratum, minlength=n_strata)
        n_pop = np.bincount(stratum, weights=population, minlength=n_strata) / rows_per_stratum
        varies = ~np.isclose(population, n_pop[stratum], rtol=1e-12, atol=0.0)
        failures.add(np.flatnonzero(varies), design.fpc, "fpc_varies", population[varies])
        below = n_pop < n_psu * (1 - 1e-12)
        rows = _first_rows(stratum, below & ~np.bincount(stratum, weights=varies,
                                                          minlength=n_strata).astype(bool))
        sampled = "PSUs" if design.psu is not None else "enterprises"
        failures.add(rows, design.fpc, "fpc_below_sample",
                     [f"{p:g} < {n:g} sampled {sampled}"
                      for p, n in zip(population[rows], n_psu[stratum[rows]], strict=True)],
                     _fraction_hint(population[rows], n_psu[stratum[rows]], sampled))
        failures.raise_if_any()
        keep = np.clip(1.0 - n_psu / n_pop, 0.0, 1.0)
    else:
        keep = np.ones(n_strata)

    period_of_stratum = strata.digits("period").astype(np.int64)
    scale, lonely, single, period_factor = lonely_strata(n_psu, keep, design.lonely_psu,
                                                         period_of_stratum)
    if single.any():
        rows = _first_rows(stratum, single)
        label = ", ".join([*design.strata_columns, "period"])
        if design.lonely_psu == "fail":
            failures.add(rows, design.strata_columns[0] if design.strata_columns else "period",
                         "lonely_psu", [f"stratum ({label}) has 1 PSU"] * rows.size,
                         "choose lonely_psu='adjust', 'average', 'certainty' or 'remove', "
                         "or collapse strata")
            failures.raise_if_any()
        warn(lonely_warning(int(single.sum()), label, design,
                            "lines " + ", ".join(str(r + 2) for r in rows[:_MAX_EXAMPLES])),
             stacklevel=3)

    n_periods = int(period_of_stratum.max()) + 1 if n_strata else 0
    return DesignIndex(
        unit=unit, stratum_of_unit=stratum_of_unit, n_psu=n_psu, scale=scale, lonely=lonely,
        period_of_stratum=period_of_stratum, period_of_row=period_of_stratum[stratum],
        units_per_period=np.bincount(period_of_stratum, weights=n_psu, minlength=n_periods),
        take_all=(keep == 0) if (keep == 0).any() else None, period_factor=period_factor,
    )


def lonely_strata(n_psu: np.ndarray, keep: np.ndarray, lonely_psu: str,
                  period_of_stratum: np.ndarray):
    """Per stratum: variance scale, "adjust" flags, lonely flags; per period the "average" factor.

    ``keep`` is ``1 - f_h`` per stratum. A lonely stratum has one sampled
    PSU and ``keep > 0`` (a single PSU of a take-all stratum is exact). See
    :class:`SurveyDesign` for the rules.

    Examples
    --------
    >>> import numpy as np
    >>> scale, adjusted, lonely, factor = lonely_strata(
    ...     np.array([3.0, 1.0, 2.0]), np.ones(3), "average", np.zeros(3, dtype=int))
    >>> scale.tolist(), lonely.tolist(), factor.tolist()
    ([1.5, 0.0, 2.0], [False, True, False], [1.5])
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = keep * n_psu / (n_psu - 1.0)
    single = (n_psu == 1) & (keep > 0)
    scale[n_psu == 1] = 0.0
    adjusted = single if lonely_psu == "adjust" else np.zeros(n_psu.size, dtype=bool)
    scale[adjusted] = keep[adjusted]
    factor = None
    if lonely_psu == "average" and single.any():
        n_periods = int(period_of_stratum.max()) + 1
        strata = np.bincount(period_of_stratum, minlength=n_periods).astype(np.float64)
        lone = np.bincount(period_of_stratum, weights=single, minlength=n_periods)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = strata / (strata - lone)
        factor[strata == lone] = np.nan
    return scale, adjusted, single, factor


def lonely_warning(count: int, label: str, design: SurveyDesign, where: str) -> str:
    """The warning that ``count`` lonely strata were found, and what their rule does."""
    how = {"adjust": "is centred at the grand mean of the period's PSU totals",
           "average": "is the average of the period's other strata",
           "certainty": "adds no variance, as if their PSU were taken with certainty",
           "remove": "is left out, adding no variance"}[design.lonely_psu]
    why = ("a population count above 1, so they are not take-all" if design.fpc is not None
           else "no population count that could make them take-all")
    return (f"surveys: {count} strata ({label}) have a single sampled PSU and {why}; each "
            f"one's variance {how} (lonely_psu={design.lonely_psu!r}), e.g. {where}")


def mark_design(cells: pd.DataFrame, design: SurveyDesign | None) -> pd.DataFrame:
    """Record in ``cells.attrs["survey_design"]`` the design the estimates used.

    Sums of design-based cell variances are not the variances of sums
    (cells are domains sharing strata and PSUs);
    :func:`talentgap.features.aggregate` reads the mark, warns, and leaves
    ``demand_se`` NaN on nodes of more than one cell (the sums themselves are
    kept); :func:`talentgap.features.estimate_nodes` gives those nodes'
    design-based SEs from the microdata.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = mark_design(pd.DataFrame({"demand": [1.0]}), SurveyDesign(strata="band"))
    >>> cells.attrs["survey_design"]
    "SurveyDesign(strata='band', psu=None, fpc=None, lonely_psu='adjust', nest=False)"
    """
    if design is not None:
        cells.attrs["survey_design"] = repr(design)
    return cells
