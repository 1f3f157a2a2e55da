"""Margins of a raking calibration: register totals encoded against the survey rows.

A *margin* is a set of columns (e.g. ``("industry", "size_band")``) whose
categories, per period when the totals are per period, carry a known
population count of enterprises. :func:`encode_margin` maps every survey row
to its margin cell and every cell to its target total; the ``check_*``
functions refuse margins the raking cannot meet (a category with no
respondent, totals that disagree between margins, targets out of reach
within the weight bounds), each naming the cells concerned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap._arguments import check_count
from talentgap._checks import FailureLog, describe_failures, row_labels
from talentgap._words import count_words, rows_fail
from talentgap.errors import ParameterError, SchemaError
from talentgap.features._groups import group_rows, group_sum
from talentgap.periods import parse_periods

__all__ = [
    "Margin",
    "normalize_margins",
    "check_options",
    "register_totals",
    "mapping_totals",
    "describe_cell",
    "encode_margin",
    "check_reachable",
    "check_consistent",
    "check_within_bounds",
    "table_error",
    "explain_no_convergence",
    "COUNT",
]

#: Column of enterprise counts in population tables.
COUNT = "count"

_MAX_EXAMPLES = 3
_MAX_CODE = 1 << 40  # compress mixed-radix cell codes beyond this size


@dataclass
class Margin:
    """One margin encoded as cells (category x period) and row codes."""

    columns: tuple[str, ...]
    codes: np.ndarray        # cell of every survey row
    target: np.ndarray       # population count per cell; NaN where none was given
    n_sample: np.ndarray     # survey rows per cell
    period_code: np.ndarray  # position of each cell's period among the survey periods
    cells: pd.DataFrame      # the margin's columns (and period) of every cell

    @property
    def name(self) -> str:
        return repr(self.columns)

    @property
    def active(self) -> np.ndarray:
        return self.n_sample > 0

    def totals(self, w: np.ndarray) -> np.ndarray:
        return group_sum(self.codes, len(self.target), w)

    def relative_error(self, w: np.ndarray) -> np.ndarray:
        """``|achieved - target| / target`` per cell (0 where both are 0)."""
        achieved = self.totals(w)
        target = np.nan_to_num(self.target)
        with np.errstate(invalid="ignore", divide="ignore"):
            err = np.abs(achieved - target) / target
        return np.where(target > 0, err, np.where(achieved > 0, np.inf, 0.0))


def normalize_margins(margins) -> list[tuple[str, ...]]:
    if isinstance(margins, str) or not isinstance(margins, Sequence) or not len(margins):
        raise ParameterError(
            "margins must be a non-empty list of margins, each a tuple of column names, "
            f"e.g. [('industry', 'size_band'), ('region',)]; got {margins!r}")
    out = []
    for margin in margins:
        cols = (margin,) if isinstance(margin, str) else tuple(margin)
        if not cols or not all(isinstance(c, str) for c in cols):
            raise ParameterError(f"each margin must be a non-empty tuple of column names, "
                                 f"got {margin!r}")
        if len(set(cols)) != len(cols):
            raise ParameterError(f"margin {cols!r} repeats a column")
        if "period" in cols:
            raise ParameterError(
                f"margin {cols!r} includes 'period': totals are matched per period with "
                "by_period=True; give the totals a 'period' column instead")
        if cols in out:
            raise ParameterError(f"margin {cols!r} is given twice")
        out.append(cols)
    return out


def check_options(bounds, tol, max_iter) -> tuple[float, float]:
    if bounds is None:
        bounds = (0.0, np.inf)
    try:
        lo, hi = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ParameterError(f"bounds must be a pair (lo, hi) or None, got {bounds!r}") from None
    if not (0 <= lo <= 1 <= hi) or lo == hi or np.isnan(lo) or np.isnan(hi):
        raise ParameterError(
            f"bounds == {bounds!r}, must satisfy 0 <= lo <= 1 <= hi with lo < hi "
            "(bounds on final/initial weight ratios, e.g. (0.2, 5.0))")
    if not (isinstance(tol, (int, float, np.floating)) and 0 < tol < 1):
        raise ParameterError(f"tol == {tol!r}, must be a relative tolerance in (0, 1)")
    check_count(max_iter, "max_iter")
    return lo, hi


def _labels(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes (-1 for missing) and the labels they stand for."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(dtype=np.int64), values.cat.categories
    codes, uniques = pd.factorize(values)
    return codes.astype(np.int64), pd.Index(uniques)


def _parse_population_periods(values: pd.Series, freq: str, where: str) -> np.ndarray:
    try:
        return np.asarray(parse_periods(values, freq=freq, name="period").array.asi8)
    except SchemaError as exc:
        raise ParameterError(f"{where}: column 'period': {exc}") from None


def table_error(name: str, frame: pd.DataFrame, log: FailureLog,
                label_columns: Sequence[str]) -> SchemaError | None:
    """One :class:`SchemaError` for the failures in ``log``, worded as table validation words them.

    ``name`` names the table (``"surveys"``, ``"the totals of margin ('region',)"``);
    rows are named by their line (position + 2, as in a CSV file with a header
    row) and their values of ``label_columns``. None when nothing failed.
    """
    cases = log.frame(np.arange(len(frame), dtype=np.int64) + 2, frame.index)
    if not len(cases):
        return None
    examples = np.unique(cases.groupby(["column", "rule"], sort=False).head(5)["position"])
    present = [c for c in label_columns if c in frame.columns]
    labels = None
    if present:
        text = row_labels(frame.iloc[examples][present])
        labels = pd.Series(text.to_numpy(), index=examples)
    described = describe_failures(cases, labels)
    n_bad, n_fail = cases["position"].nunique(), len(cases)
    first = cases.iloc[0]
    return SchemaError(
        f"{name}: {n_bad} of {count_words(len(frame), 'row')} fail validation "
        f"({count_words(n_fail, 'failure')}):\n" + "\n".join(f"  - {d}" for d in described),
        column=str(first["column"]), reason=str(first["rule"]),
        failure_cases=cases.drop(columns="position"))


def _log_missing(frame: pd.DataFrame, columns: Sequence[str], log: FailureLog) -> None:
    for col in columns:
        log.add(frame[col].isna().to_numpy(), col, "missing_value", frame[col], "missing")


def register_totals(register: pd.DataFrame, margins, freq: str, by_period: bool) -> dict:
    """Enterprise counts per category of every margin, from a register (one row each)."""
    has_period = "period" in register.columns
    if has_period and not by_period:
        raise ParameterError("the population register has a 'period' column (counts per "
                             "period) but by_period=False; drop the column or use by_period=True")
    frame = register
    if has_period:
        periods = _parse_population_periods(register["period"], freq, "population register")
        frame = register.assign(period=pd.arrays.PeriodArray(periods,
                                                             dtype=pd.PeriodDtype(freq)))
    totals = {}
    for col in dict.fromkeys(c for margin in margins for c in margin):
        if col not in register.columns:
            raise ParameterError(
                f"margin column {col!r} is not a column of the population register; "
                f"columns are {list(register.columns)}")
    log = FailureLog(len(register))
    _log_missing(register, list(dict.fromkeys(c for m in margins for c in m)), log)
    error = table_error("the population register", register, log,
                        ["enterprise_id", "period"])
    if error is not None:
        raise error
    for margin in margins:
        groups = group_rows(frame, [*margin, "period"] if has_period else list(margin))
        table = groups.frame
        table[COUNT] = group_sum(groups.codes, groups.n_groups)
        totals[margin] = table
    return totals


def mapping_totals(population: Mapping, margins) -> dict:
    """The totals table of every margin from a mapping margin -> DataFrame."""
    given = {}
    for key, table in population.items():
        cols = (key,) if isinstance(key, str) else tuple(key)
        given[cols] = table
    by_set = {frozenset(k): v for k, v in given.items()}
    totals = {}
    for margin in margins:
        table = given.get(margin, by_set.get(frozenset(margin)))
        if table is None:
            raise ParameterError(
                f"population has no totals for margin {margin!r}; it has totals for "
                f"{list(given)}")
        if not isinstance(table, pd.DataFrame):
            raise ParameterError(f"the totals of margin {margin!r} must be a DataFrame, "
                                 f"got {type(table).__name__}")
        for col in (*margin, COUNT):
            if col not in table.columns:
                raise ParameterError(
                    f"the totals of margin {margin!r} have no column {col!r}; they need the "
                    f"margin's columns and {COUNT!r} (optionally 'period'); columns are "
                    f"{list(table.columns)}")
        _check_totals_table(table, margin)
        totals[margin] = table
    return totals


def _check_totals_table(table: pd.DataFrame, margin: tuple[str, ...]) -> None:
    """Margin labels present; counts numbers, finite and >= 0 (fractions allowed): all listed."""
    log = FailureLog(len(table))
    _log_missing(table, margin, log)
    raw = table[COUNT]
    absent = raw.isna().to_numpy()
    if pd.api.types.is_bool_dtype(raw.dtype):
        count = np.full(len(table), np.nan)
    else:
        count = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    log.add(absent, COUNT, "missing_value", raw, "missing")
    log.add(np.isnan(count) & ~absent, COUNT, "not_numeric", raw)
    log.add(np.isinf(count), COUNT, "not_finite", raw)
    log.add(count < 0, COUNT, "negative", raw)
    period = ["period"] if "period" in table.columns else []
    error = table_error(f"the totals of margin {margin!r}", table, log, [*margin, *period])
    if error is not None:
        raise error


def _show(value) -> str:
    """A label as users wrote it: ``'textiles'`` (not ``np.str_('textiles')``), ``3``."""
    if isinstance(value, str):
        return repr(str(value))
    return repr(value.item()) if isinstance(value, np.generic) else repr(value)


def describe_cell(margin: Margin, cell: int, with_period: bool) -> str:
    row = margin.cells.iloc[cell]
    text = ", ".join(f"{col}={_show(row[col])}" for col in margin.columns)
    return f"{text} in period {row['period']}" if with_period else text


def _examples(margin: Margin, cells: np.ndarray, with_period: bool, extra) -> str:
    shown = "; ".join(f"{describe_cell(margin, c, with_period)}{extra(c)}"
                      for c in cells[:_MAX_EXAMPLES])
    more = f" (and {cells.size - _MAX_EXAMPLES} more)" if cells.size > _MAX_EXAMPLES else ""
    return shown + more


def encode_margin(table: pd.DataFrame, margin: tuple[str, ...], totals: pd.DataFrame,
                   survey_periods: np.ndarray, row_period: np.ndarray, freq: str,
                   period_dtype, by_period: bool) -> Margin:
    """Cells of one margin: every category (x period) of the sample or the totals."""
    n_periods = max(survey_periods.size, 1) if by_period else 1
    has_period = "period" in totals.columns
    if has_period and not by_period:
        raise ParameterError(f"the totals of margin {margin!r} have a 'period' column but "
                             "by_period=False; drop the column or use by_period=True")
    counts = pd.to_numeric(totals[COUNT]).to_numpy(dtype=np.float64)
    pop_rows = np.arange(len(totals))
    if has_period:
        ordinals = _parse_population_periods(totals["period"], freq,
                                             f"the totals of margin {margin!r}")
        pos = np.minimum(np.searchsorted(survey_periods, ordinals), survey_periods.size - 1)
        in_survey = survey_periods[pos] == ordinals
        missing = np.setdiff1d(survey_periods, ordinals)
        if missing.size:
            shown = pd.arrays.PeriodArray(missing[:_MAX_EXAMPLES], dtype=period_dtype)
            raise ParameterError(
                f"the totals of margin {margin!r} have a 'period' column but no rows for "
                f"{count_words(missing.size, 'surveyed period')}, e.g. {[str(p) for p in shown]}")
        pop_rows, pop_period = pop_rows[in_survey], pos[in_survey]
    else:  # the same totals apply to every period
        pop_rows = np.repeat(pop_rows, n_periods)
        pop_period = np.tile(np.arange(n_periods), len(totals))

    n = len(table)
    digits: dict[str, np.ndarray] = {}
    unions: dict[str, pd.Index] = {}
    code = np.zeros(n + pop_rows.size, dtype=np.int64)
    size = 1
    for col in margin:
        s_codes, s_labels = _labels(table[col])
        if (s_codes < 0).any():
            raise SchemaError(
                f"margin column {col!r} of the surveys table must not be missing; "
                f"{rows_fail(int((s_codes < 0).sum()))}", column=col, reason="missing_value")
        p_codes, p_labels = _labels(totals[col])
        union = s_labels.append(p_labels[~p_labels.isin(s_labels)])
        p_digit = union.get_indexer(p_labels)[p_codes[pop_rows]]
        digit = np.concatenate([s_codes, p_digit])
        digits[col], unions[col] = digit, union
        code = code * len(union) + digit
        size *= len(union)
        if size * n_periods > _MAX_CODE:  # keep the mixed-radix code within int64
            uniq, code = np.unique(code, return_inverse=True)
            size = uniq.size
    code = code * n_periods + np.concatenate([row_period, pop_period])
    uniq, first, cell = np.unique(code, return_index=True, return_inverse=True)
    n_cells = uniq.size
    s_cell, p_cell = cell[:n], cell[n:]

    repeats = np.bincount(p_cell, minlength=n_cells)
    if (repeats > 1).any():
        dup = np.flatnonzero(repeats > 1)
        raise ParameterError(
            f"the totals of margin {margin!r} give more than one count for "
            f"{count_words(dup.size, 'category', 'categories')}; one row per category"
            f"{' and period' if has_period else ''} is allowed")
    target = np.full(n_cells, np.nan)
    target[p_cell] = counts[pop_rows]

    cells = {}
    for col in margin:
        if isinstance(table[col].dtype, pd.CategoricalDtype):
            cells[col] = pd.Categorical.from_codes(digits[col][first], categories=unions[col])
        else:
            cells[col] = unions[col].take(digits[col][first])
    period_code = np.concatenate([row_period, pop_period])[first]
    if by_period:
        cells["period"] = pd.arrays.PeriodArray(survey_periods[period_code], dtype=period_dtype)
    return Margin(columns=margin, codes=s_cell, target=target,
                   n_sample=np.bincount(s_cell, minlength=n_cells).astype(np.int64),
                   period_code=period_code, cells=pd.DataFrame(cells))


def check_reachable(margin: Margin, by_period: bool) -> None:
    """Every sampled category has a positive total; every positive total has sample rows."""
    no_total = np.flatnonzero(margin.active & np.isnan(margin.target))
    if no_total.size:
        raise ParameterError(
            f"margin {margin.name}: "
            f"{count_words(no_total.size, 'sampled category', 'sampled categories')} "
            "without a population total: "
            + _examples(margin, no_total, by_period,
                        lambda c: f" ({count_words(margin.n_sample[c], 'respondent')})")
            + "; add their counts to the totals (check the spelling of the labels)")
    zero = np.flatnonzero(margin.active & (margin.target == 0))
    if zero.size:
        raise ParameterError(
            f"margin {margin.name}: "
            f"{count_words(zero.size, 'sampled category', 'sampled categories')} "
            "with a population count of 0, which no positive weight can reach: "
            + _examples(margin, zero, by_period,
                        lambda c: f" ({count_words(margin.n_sample[c], 'respondent')})"))
    empty = np.flatnonzero(~margin.active & (np.nan_to_num(margin.target) > 0))
    if empty.size:
        raise ParameterError(
            f"margin {margin.name}: "
            f"{count_words(empty.size, 'population category', 'population categories')} with no "
            "sample rows, which no reweighting can reach: "
            + _examples(margin, empty, by_period,
                        lambda c: f" (count {margin.target[c]:g})")
            + ("; collapse it with a neighbouring category or drop it from the margin"
               if empty.size == 1 else
               "; collapse them with neighbouring categories or drop them from the margin"))


def check_consistent(margins: list[Margin], survey_periods, period_dtype, n_periods: int,
                      tol: float, by_period: bool) -> None:
    """Every margin's totals add up to the same number of enterprises in each period."""
    sums = [np.bincount(m.period_code, weights=np.nan_to_num(m.target), minlength=n_periods)
            for m in margins]
    first = sums[0]
    for margin, other in zip(margins[1:], sums[1:], strict=True):
        scale = np.maximum(np.abs(first), np.abs(other))
        with np.errstate(invalid="ignore", divide="ignore"):
            off = np.where(scale > 0, np.abs(other - first) / scale, 0.0)
        bad = np.flatnonzero(off > tol)
        if bad.size:
            p = bad[0]
            when = (f" in period {pd.Period(ordinal=survey_periods[p], freq=period_dtype.freq)}"
                    if by_period else "")
            raise ParameterError(
                f"inconsistent margins: the totals of margin {margins[0].name} sum to "
                f"{first[p]:g} but those of margin {margin.name} sum to {other[p]:g}{when} "
                f"(relative difference {off[p]:.3g} > tol={tol:g}); every margin must count "
                "the same population")


def check_within_bounds(margin: Margin, w0: np.ndarray, lo, hi, by_period: bool) -> None:
    """Each category's total must lie in ``[lo, hi]`` x its design-weighted count.

    ``lo`` and ``hi`` are numbers or per-row arrays of bounds on the ratios;
    a row with ``lo = hi = 1`` (a take-all respondent) keeps its design
    weight, and a category of such rows alone is refused for what it is: a
    count that differs from fixed weights, which no bounds can change.
    """
    design = margin.totals(w0)
    target = np.nan_to_num(margin.target)
    slack = 1e-12 * np.maximum(target, 1.0)
    per_row = bool(np.ndim(lo) or np.ndim(hi))
    if per_row:
        with np.errstate(invalid="ignore"):  # 0 * inf for an unbounded row
            low = margin.totals(w0 * np.broadcast_to(lo, w0.shape))
            high = margin.totals(np.where(np.isfinite(hi), w0 * hi, np.inf))
        held = np.broadcast_to(np.asarray(lo) == np.asarray(hi), w0.shape)
        n_free = margin.totals((~held).astype(np.float64))
    else:
        low, high = lo * design, hi * design
        n_free = margin.n_sample.astype(np.float64)
    bad = margin.active & ((target > high + slack) | (target < low - slack))
    fixed = np.flatnonzero(bad & (n_free == 0))
    if fixed.size:
        def held_text(c):
            return (f" has count {target[c]:g}, but the design weights of its "
                    f"{count_words(margin.n_sample[c], 'respondent')} sum to {design[c]:g}")
        raise ParameterError(
            f"margin {margin.name}: {count_words(fixed.size, 'category', 'categories')} "
            "made only of take-all respondents, whose weights are fixed at their design "
            "weights (their strata are a census, so raking does not change them), with a "
            "count other than the sum of those weights: "
            + _examples(margin, fixed, by_period, held_text)
            + "; correct the count or the stratum's population count, or merge the "
            "category with one that has sampled respondents")
    bad = np.flatnonzero(bad)
    if bad.size:
        def extra(c):
            need = target[c] / design[c]
            return (f" needs {target[c]:g} enterprises from "
                    f"{count_words(margin.n_sample[c], 'respondent')} with design weights "
                    f"summing to {design[c]:g} (ratio {need:.3g})")
        if per_row:
            # held rows have lo = hi = 1 and the others the configured lo <= 1 <= hi
            shown = (f"{(float(np.min(lo)), float(np.max(hi)))} (take-all respondents held "
                     "at their design weights)")
        else:
            shown = f"{(lo, hi)}"
        raise ParameterError(
            f"margin {margin.name}: {count_words(bad.size, 'category', 'categories')} out of "
            f"reach of the bounds {shown} on weight ratios: "
            + _examples(margin, bad, by_period, extra)
            + "; widen the bounds or collapse small categories")


def _pinned(margins: list[Margin], skip: int) -> str:
    """The margin (other than ``skip``) with most respondents alone in their category."""
    best, alone_best = None, 0
    for k, margin in enumerate(margins):
        if k == skip:
            continue
        alone = int((margin.n_sample[margin.codes] == 1).sum())
        if alone > alone_best:
            best, alone_best = margin, alone
    if best is None:
        return ""
    n = best.codes.size
    who = ("every respondent is" if alone_best == n else
           f"{alone_best} of the {n} respondents are" if alone_best > 1 else
           f"1 of the {n} respondents is")
    return (f" ({who} the only respondent of its category of margin {best.name}, "
            "which fixes its weight)")


def explain_no_convergence(margins: list[Margin], w: np.ndarray, ratio: np.ndarray,
                           row_lo, row_hi, bounds: tuple[float, float], *, worst: int,
                           cell: int, iterations: int, stalled: bool, falling: bool,
                           tol: float, by_period: bool) -> str:
    """Why raking stopped short of ``tol``, worded by cause.

    Weights at a bound point to the bounds. With none at a bound (or no
    bounds at all) and an error that no longer falls, the margins cannot all
    be met with positive weights on these respondents, whatever the bounds:
    the message names the margin left off target, by how much, and a margin
    whose single-respondent categories pin weights. ``stalled``: raking
    stopped early; ``falling``: the error still fell in the last sweeps.
    """
    margin = margins[worst]
    achieved = margin.totals(w)[cell]
    target = margin.target[cell]
    how = (f"stopped after {iterations} sweeps because the error no longer falls"
           if stalled else f"did not converge in {iterations} iterations")
    where = (f"margin {margin.name} is still {abs(achieved - target) / target:.3g} off "
             f"(relative) at {describe_cell(margin, cell, by_period)} (target {target:g}, "
             f"achieved {achieved:.6g}; tol={tol:g})")
    row_lo, row_hi = np.broadcast_to(row_lo, w.shape), np.broadcast_to(row_hi, w.shape)
    held = row_lo == row_hi
    final = np.clip(ratio, row_lo, row_hi)
    with np.errstate(invalid="ignore"):
        at_bound = ~held & (((row_lo > 0) & (final <= row_lo * (1 + 1e-9)))
                            | (np.isfinite(row_hi) & (final >= row_hi * (1 - 1e-9))))
    if at_bound.any():
        n = int(at_bound.sum())
        return (f"raking {how}: {where}; {count_words(n, 'weight')} "
                f"{'sits' if n == 1 else 'sit'} at the bounds {bounds} on weight ratios, "
                "which may be too tight for these margins together: try wider bounds, fewer "
                f"or coarser margins{', or a larger max_iter' if falling else ''}")
    unbounded = bounds[0] == 0 and not np.isfinite(bounds[1])
    cause = "no bounds were set" if unbounded else f"no weight is at the bounds {bounds}"
    if held.any():
        cause += (f" and the weights of {count_words(int(held.sum()), 'take-all respondent')}"
                  " are fixed")
    if falling:
        return (f"raking {how}: {where}; {cause}, and the error is still falling: try a "
                "larger max_iter")
    return (f"raking {how}: {where}; {cause}, so these margins cannot all be met with "
            f"positive weights on these respondents{_pinned(margins, worst)}: collapse small "
            "categories, or drop or coarsen a margin")
