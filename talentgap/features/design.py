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
over strata, PSUs or cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from talentgap._checks import FAILURE_COLUMNS
from talentgap._words import rows_fail
from talentgap.errors import ParameterError, SchemaError, warn
from talentgap.features._groups import group_rows

__all__ = ["SurveyDesign", "LONELY_PSU_POLICIES", "DesignIndex", "design_index", "DomainVariance",
           "mark_design"]

#: Accepted values of :attr:`SurveyDesign.lonely_psu`.
LONELY_PSU_POLICIES = ("adjust", "certainty", "fail")
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
    lonely_psu : {"adjust", "certainty", "fail"}, default "adjust"
        What a stratum with one sampled PSU (and ``N_h > 1``) contributes:
        ``"adjust"`` centres its PSU total at the grand mean of the PSU
        totals of the period (``(1 - f_h) (z_h1 - T / P)^2``, T the domain
        total of ``z`` and P the PSUs of the period), as R's
        ``survey.lonely.psu = "adjust"``, with a
        :class:`~talentgap.errors.DataQualityWarning`; ``"certainty"``
        counts it as 0 (samplics' ``SinglePSUEst.skip``), with a warning;
        ``"fail"`` raises :class:`~talentgap.errors.SchemaError`. A single
        PSU in a take-all stratum (``N_h == 1``) is exact and never lonely.

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


@dataclass
class DesignIndex:
    """The design of one table, as integer codes (built by :func:`design_index`).

    Attributes
    ----------
    unit : numpy.ndarray of int64
        PSU (within period) of every row, 0..n_units-1.
    stratum_of_unit : numpy.ndarray of int64
        Stratum (within period) of every PSU.
    n_psu : numpy.ndarray of float
        Sampled PSUs per stratum.
    scale : numpy.ndarray of float
        ``(1 - f_h) n_h / (n_h - 1)`` per stratum with ``n_h > 1``;
        ``1 - f_h`` for a lonely stratum under "adjust"; 0 for take-all and
        "certainty" lonely strata.
    lonely : numpy.ndarray of bool
        Strata whose single PSU is centred at the grand mean ("adjust").
    period_of_stratum : numpy.ndarray of int64
        Dense period number of each stratum.
    period_of_row : numpy.ndarray of int64
        Dense period number of each row.
    units_per_period : numpy.ndarray of float
        PSUs sampled per period.
    take_all : numpy.ndarray of bool or None
        Strata whose every PSU was sampled (``n_h >= N_h``): no sampling
        variance, exactly. None when no stratum is (or without ``fpc``).
    """

    unit: np.ndarray
    stratum_of_unit: np.ndarray
    n_psu: np.ndarray
    scale: np.ndarray
    lonely: np.ndarray
    period_of_stratum: np.ndarray
    period_of_row: np.ndarray
    units_per_period: np.ndarray
    take_all: np.ndarray | None = None


def _fpc_values(table: pd.DataFrame, name: str, failures: _Failures) -> np.ndarray:
    raw = table[name]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    missing = _missing(raw)
    rows = np.flatnonzero(missing)
    failures.add(rows, name, "missing_value", raw.iloc[rows].to_numpy())
    rows = np.flatnonzero(~missing & ~(np.isfinite(values) & (values > 0)))
    failures.add(rows, name, "not_positive", raw.iloc[rows].to_numpy())
    return values


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
    units = group_rows(table, unit_columns)
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
                     f"strata by {[*design.strata_columns, 'period']}")
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
                      for p, n in zip(population[rows], n_psu[stratum[rows]], strict=True)])
        failures.raise_if_any()
        keep = np.clip(1.0 - n_psu / n_pop, 0.0, 1.0)
    else:
        keep = np.ones(n_strata)

    with np.errstate(divide="ignore", invalid="ignore"):
        scale = keep * n_psu / (n_psu - 1.0)
    single = (n_psu == 1) & (keep > 0)
    scale[n_psu == 1] = 0.0
    if single.any():
        rows = _first_rows(stratum, single)
        label = ", ".join([*design.strata_columns, "period"])
        if design.lonely_psu == "fail":
            failures.add(rows, design.strata_columns[0] if design.strata_columns else "period",
                         "lonely_psu", [f"stratum ({label}) has 1 PSU"] * rows.size,
                         "choose lonely_psu='adjust' or 'certainty', or collapse strata")
            failures.raise_if_any()
        how = ("centred at the grand mean of the period's PSU totals"
               if design.lonely_psu == "adjust" else "counted as adding no variance")
        warn(f"surveys: {int(single.sum())} strata ({label}) have a single sampled PSU and "
             f"no population count making them take-all; their variance is {how} "
             f"(lonely_psu={design.lonely_psu!r}), e.g. lines "
             f"{', '.join(str(r + 2) for r in rows[:_MAX_EXAMPLES])}", stacklevel=3)
        if design.lonely_psu == "adjust":
            scale[single] = keep[single]
    lonely = single if design.lonely_psu == "adjust" else np.zeros(n_strata, dtype=bool)

    period_of_stratum = strata.digits("period").astype(np.int64)
    n_periods = int(period_of_stratum.max()) + 1 if n_strata else 0
    return DesignIndex(
        unit=unit, stratum_of_unit=stratum_of_unit, n_psu=n_psu, scale=scale, lonely=lonely,
        period_of_stratum=period_of_stratum, period_of_row=period_of_stratum[stratum],
        units_per_period=np.bincount(period_of_stratum, weights=n_psu, minlength=n_periods),
        take_all=(keep == 0) if (keep == 0).any() else None,
    )


class DomainVariance:
    """Domain variances of many score variables over one design.

    Built once per (design, domain codes); :meth:`__call__` then costs a few
    :func:`numpy.bincount` passes per score variable.

    Parameters
    ----------
    index : DesignIndex
    codes : numpy.ndarray of int
        Domain (cell-period slot) of every row, 0..n_domains-1.
    n_domains : int

    Examples
    --------
    Two strata of two enterprises each (no population counts); the domain
    holds units 0 and 2, one in each stratum:

    >>> import numpy as np, pandas as pd
    >>> table = pd.DataFrame({"period": pd.period_range("2024Q1", periods=1, freq="Q").repeat(4),
    ...                       "enterprise_id": ["A", "B", "C", "D"],
    ...                       "band": ["s", "s", "l", "l"]})
    >>> index = design_index(table, SurveyDesign(strata="band"))
    >>> variance = DomainVariance(index, np.array([0, 1, 0, 1]), 2)
    >>> variance(np.array([4.0, 1.0, 10.0, 3.0])).tolist()
    [116.0, 10.0]

    Domain 0 gets ``2*((4-2)^2 + (0-2)^2) + 2*((10-5)^2 + (0-5)^2)``: the unit
    outside the domain counts with ``z = 0``.
    """

    def __init__(self, index: DesignIndex, codes: np.ndarray, n_domains: int) -> None:
        n_units = index.stratum_of_unit.size
        n_strata = index.n_psu.size
        codes = np.asarray(codes, dtype=np.int64)
        domain_of_unit = np.empty(n_units, dtype=np.int64)
        domain_of_unit[index.unit] = codes
        if (domain_of_unit[index.unit] == codes).all():  # each PSU inside one domain
            self.pair_of_row, pair_domain = index.unit, domain_of_unit
            pair_unit = np.arange(n_units)
        else:  # (domain, PSU) pairs
            pairs, self.pair_of_row = np.unique(codes * n_units + index.unit,
                                                return_inverse=True)
            pair_domain, pair_unit = np.divmod(pairs, n_units)
        pair_stratum = index.stratum_of_unit[pair_unit]
        blocks, self.block_of_pair, pairs_in_block = np.unique(
            pair_domain * n_strata + pair_stratum, return_inverse=True, return_counts=True)
        self.block_domain, self.block_stratum = np.divmod(blocks, n_strata)
        self.n_domains = n_domains
        self.n_in_block = index.n_psu[self.block_stratum]
        self.missing_in_block = self.n_in_block - pairs_in_block  # PSUs with z = 0
        self.block_scale = index.scale[self.block_stratum]
        self.block_lonely = index.lonely[self.block_stratum]
        self.index = index
        # per domain: its period (domains without rows get period 0 and no variance)
        period_of_domain = np.zeros(n_domains, dtype=np.int64)
        period_of_domain[codes] = index.period_of_row
        self.domain_units = index.units_per_period[period_of_domain]
        self.any_lonely = bool(index.lonely.any())
        self.absent_scale, self.absent_scale2 = _absent_lonely(
            index.lonely, index.scale, index.period_of_stratum, index.units_per_period.size,
            period_of_domain, self.block_domain, self.block_lonely, self.block_scale)

    def __call__(self, score: np.ndarray) -> np.ndarray:
        """Variance of the domain totals of ``score`` (one value per row)."""
        contribution, g = self._contributions(score)
        variance = np.bincount(self.block_domain, weights=contribution, minlength=self.n_domains)
        if self.any_lonely:
            variance += self.absent_scale * g * g
        return variance

    def degrees_of_freedom(self, score: np.ndarray) -> np.ndarray:
        """Satterthwaite degrees of freedom of the domain totals of ``score``.

        ``(sum_h v_h)^2 / sum_h v_h^2 / (n_h - 1)`` over the strata h of the
        domain's period, ``v_h`` the stratum's part of :meth:`__call__` and
        ``n_h`` its sampled PSUs. Under ``lonely_psu="adjust"`` every lonely
        stratum is a term of its own with one degree of freedom,
        ``v_h = (1 - f_h) (z_h - T / P)^2``, also a lonely stratum without a
        row in the domain (``z_h = 0``). Few PSUs, or a variance dominated by
        one stratum, give few degrees of freedom and so wider ``t``
        intervals. NaN where the variance is 0 (nothing to widen).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> period = pd.period_range("2024Q1", periods=1, freq="Q").repeat(4)
        >>> table = pd.DataFrame({"period": period, "enterprise_id": ["A", "B", "C", "D"],
        ...                       "band": ["s", "s", "l", "l"]})
        >>> index = design_index(table, SurveyDesign(strata="band"))
        >>> variance = DomainVariance(index, np.array([0, 0, 0, 0]), 1)
        >>> score = np.array([4.0, 2.0, 10.0, 4.0])
        >>> variance(score).tolist(), variance.degrees_of_freedom(score).round(3).tolist()
        ([40.0], [1.22])

        The strata add 4 and 36 to the variance, each with one degree of
        freedom: ``40^2 / (4^2 + 36^2) = 1.22``.
        """
        contribution, g = self._contributions(score)
        with np.errstate(invalid="ignore", divide="ignore"):
            df_block = np.where(self.block_lonely, 1.0, self.n_in_block - 1.0)
            share = np.where(df_block > 0, contribution * contribution / df_block, 0.0)
            top = np.bincount(self.block_domain, weights=contribution, minlength=self.n_domains)
            bottom = np.bincount(self.block_domain, weights=share, minlength=self.n_domains)
            if self.any_lonely:  # lonely strata without a row in the domain: (0 - g)^2 each
                g2 = g * g
                top += self.absent_scale * g2
                bottom += self.absent_scale2 * g2 * g2
            df = top * top / bottom
        df[~(top > 0)] = np.nan
        return df

    def _contributions(self, score: np.ndarray) -> tuple[np.ndarray, np.ndarray | float]:
        """Per (domain, stratum) block variance parts, and each domain's grand mean.

        A lonely block adds ``scale (z_h - g)^2`` with ``g = T / P`` the
        grand mean of the PSU totals of the domain's period; the lonely
        strata without a block add ``scale g^2`` each (see the callers).
        """
        n_blocks = self.block_domain.size
        z = np.bincount(self.pair_of_row, weights=score)  # PSU x domain totals
        s1 = np.bincount(self.block_of_pair, weights=z, minlength=n_blocks)
        grand: np.ndarray | float = 0.0
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = s1 / self.n_in_block
            deviation = z - mean[self.block_of_pair]
            ss = np.bincount(self.block_of_pair, weights=deviation * deviation,
                             minlength=n_blocks)
            ss += self.missing_in_block * mean * mean
            squares = np.bincount(self.block_of_pair, weights=z * z, minlength=n_blocks)
            ss[ss <= 1e-12 * squares] = 0.0  # rounding noise around an exact 0
            contribution = self.block_scale * ss
            if self.any_lonely:
                total = np.bincount(self.block_domain, weights=s1, minlength=self.n_domains)
                grand = total / self.domain_units
                g = grand[self.block_domain]
                # lonely strata: (z - grand)^2 instead of (z - mean)^2 = 0
                contribution = np.where(self.block_lonely, self.block_scale * (s1 - g) ** 2,
                                        contribution)
        return contribution, grand


def _absent_lonely(lonely: np.ndarray, scale: np.ndarray, period_of_stratum: np.ndarray,
                   n_periods: int, period_of_domain: np.ndarray, block_domain: np.ndarray,
                   block_lonely: np.ndarray,
                   block_scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per domain: summed ``scale`` and ``scale^2`` of the lonely strata it has no PSU in.

    Only lonely strata of the domain's own period count. Each adds
    ``scale (0 - g)^2`` to the variance and, as a one-df term of its own,
    ``scale^2 g^4`` to the denominator of the Satterthwaite degrees of freedom.
    """
    n_domains = period_of_domain.size

    def per_domain(weights_stratum: np.ndarray, weights_block: np.ndarray) -> np.ndarray:
        period = np.bincount(period_of_stratum, weights=np.where(lonely, weights_stratum, 0.0),
                             minlength=n_periods)
        present = np.bincount(block_domain, weights=np.where(block_lonely, weights_block, 0.0),
                              minlength=n_domains)
        return period[period_of_domain] - present

    absent = np.rint(per_domain(np.ones(lonely.size), np.ones(block_domain.size))) > 0
    scale_sum = np.where(absent, per_domain(scale, block_scale), 0.0)
    square_sum = np.where(absent, per_domain(scale * scale, block_scale * block_scale), 0.0)
    return np.maximum(scale_sum, 0.0), np.maximum(square_sum, 0.0)


def mark_design(cells: pd.DataFrame, design: SurveyDesign | None) -> pd.DataFrame:
    """Record in ``cells.attrs["survey_design"]`` the design the estimates used.

    Sums of design-based cell variances are not the variances of sums
    (cells are domains sharing strata and PSUs);
    :func:`talentgap.features.aggregate` reads the mark, warns, and leaves
    ``demand_se`` NaN on nodes of more than one cell (the sums themselves are
    kept); :func:`talentgap.features.estimate_nodes` gives those nodes'
    design-based SEs from the microdata.
    """
    if design is not None:
        cells.attrs["survey_design"] = repr(design)
    return cells
