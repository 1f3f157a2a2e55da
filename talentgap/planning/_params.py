"""Plan parameters: scalars or per-cell tables, checked and named in plain language.

A parameter such as ``pass_rate`` is one number for every cell or a DataFrame
with key columns and a column named like the parameter; a cell missing from
the table, or a value out of range, raises :class:`~talentgap.errors.PlanningError`
naming the cell and by how much the rule fails. Each parameter's range is its
entry in :data:`PARAMETER_RANGES`, the one table every planner (and the command
line's parameter files) checks against.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._checks import did_you_mean
from talentgap._text_checks import nfc_codes
from talentgap._words import about, count_words, exact_number
from talentgap.errors import DataQualityWarning, PlanningError, warn

__all__ = ["fmt", "left_over", "plural", "cell_names", "examples", "per_cell",
           "ParameterRange", "PARAMETER_RANGES", "check_range", "parameter", "check_budget",
           "check_options", "shown_value"]

_MAX_SHOWN = 5

#: The planning modules' short name for :func:`talentgap._words.exact_number`, the one rule
#: for a value in a message; prose effects use :func:`talentgap._words.about`.
fmt = exact_number


@dataclasses.dataclass(frozen=True)
class ParameterRange:
    """The values a plan parameter may take: ``[low, high]``, or ``(low, high]``.

    Parameters
    ----------
    low, high : float
        The bounds; ``high`` may be infinite (no upper bound).
    low_open : bool, default False
        Whether ``low`` itself is refused (``pass_rate`` in ``(0, 1]``).
    allow_inf : bool, default False
        Whether an infinite value is accepted (``capacity``: no limit).
    absent : float, optional
        The value of a cell (or programme) a per-cell table has no row for
        (``capacity``: no limit); None (the default): every cell needs a row.
    zero : str, optional
        Why a value of exactly 0 is probably a mistake, though in the range
        (``cost_per_trainee``: places that cost nothing are not limited by
        the budget); :func:`check_range` warns with these words.

    Examples
    --------
    >>> rule = PARAMETER_RANGES["pass_rate"]
    >>> rule.words(), rule.outside([0.0, 0.5, 1.2]).tolist()
    ('in (0, 1]', [True, False, True])
    >>> PARAMETER_RANGES["capacity"].words(), PARAMETER_RANGES["capacity"].outside([np.inf])
    ('>= 0', array([False]))
    """

    low: float = 0.0
    high: float = math.inf
    low_open: bool = False
    allow_inf: bool = False
    absent: float | None = None
    zero: str | None = None

    def below(self, values) -> np.ndarray:
        """True where a value is under ``low`` (or at it, when ``low_open``)."""
        values = np.asarray(values, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            return (values <= self.low) if self.low_open else (values < self.low)

    def outside(self, values) -> np.ndarray:
        """True where a value breaks the rule; NaN is not flagged (callers name it apart)."""
        values = np.asarray(values, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            bad = self.below(values) | (values > self.high)
        if not self.allow_inf:
            bad |= np.isinf(values)
        return bad

    def words(self) -> str:
        """The rule in a message: ``"in (0, 1]"``, ``"in [0, 1]"``, ``">= 0"``, ``"> 0"``."""
        if math.isfinite(self.high):
            return f"in {'(' if self.low_open else '['}{fmt(self.low)}, {fmt(self.high)}]"
        return f"{'>' if self.low_open else '>='} {fmt(self.low)}"


#: The one table of plan parameter ranges: the planners check every value against it
#: (:func:`parameter`, :func:`check_budget`), and so do the command line's parameter files.
#: ``market`` and ``policy`` are the weights of the two needs of a multi-year plan.
PARAMETER_RANGES: dict[str, ParameterRange] = {
    "cost_per_trainee": ParameterRange(zero=(
        "places that cost nothing are not limited by the budget (only capacities and the "
        "need limit them) and add nothing to the plan's cost; a cost of 0 is usually a value "
        "left blank or a typo: give the cost of a place")),
    "pass_rate": ParameterRange(high=1.0, low_open=True),
    "absorption": ParameterRange(high=1.0),
    "min_quota": ParameterRange(),
    "capacity": ParameterRange(allow_inf=True, absent=math.inf),
    "min_class_size": ParameterRange(absent=0.0),
    "exit_rate": ParameterRange(high=1.0),
    "lead_time": ParameterRange(),
    "budget": ParameterRange(),
    "places": ParameterRange(),
    "market": ParameterRange(),
    "policy": ParameterRange(),
}


def money_step(values) -> float:
    """The round sum of money at which the smallest of several effects reads well.

    ``values`` are shortfalls removed per unit of money (budgets' duals); the
    sum is the smallest power of ten from which the smallest positive one
    reaches 0.1 (1 if none is positive). Lines that share it can be compared
    at a glance.

    Examples
    --------
    >>> money_step([8.115e-05]), money_step([1.9e-04, 8.1e-05]), money_step([0.25])
    (10000.0, 10000.0, 1.0)
    """
    positive = [float(v) for v in values if float(v) > 0]
    smallest = min(positive) if positive else 1.0
    step = 1.0
    while smallest * step < 0.1 and step < 1e12:
        step *= 10
    return step


def per_money(value: float, step: float | None = None, *, money: str = "") -> str:
    """What an extra sum of money closes, at a round sum where the effect reads well.

    ``value`` is the shortfall removed per unit of money (a budget's dual).
    The sum is ``step``, by default :func:`money_step` of this value alone:
    the smallest power of ten from which the effect reaches 0.1; ``money``
    follows it (``" yuan"``).

    Examples
    --------
    >>> per_money(8.115e-05)
    'each extra 10,000 of it closes about 0.81'
    >>> per_money(0.25)
    'each extra 1 of it closes about 0.25'
    >>> per_money(1.9e-04, step=10_000, money=" yuan")
    'each extra 10,000 yuan of it closes about 1.9'
    """
    value = float(value)
    step = money_step([value]) if step is None else float(step)
    return f"each extra {step:,.0f}{money} of it closes about {about(value * step)}"


def left_over(limit: float, spent: float) -> float:
    """Money a budget has left, or 0 where the difference is the rounding of its sum.

    Examples
    --------
    >>> left_over(160_000_000, 159_950_500), left_over(5e6, 5e6 - 1e-7)
    (49500.0, 0.0)
    """
    left = float(limit) - float(spent)
    return left if left > 1e-9 * max(abs(float(limit)), 1.0) else 0.0


def money_scale(largest: float) -> tuple[float, str]:
    """A unit for money tick labels (no offset notation): 1, thousands, millions, billions.

    Examples
    --------
    >>> money_scale(5e6), money_scale(800)
    ((1000.0, ' (thousands)'), (1.0, ''))
    """
    for scale, unit in ((1e9, " (billions)"), (1e6, " (millions)"), (1e3, " (thousands)")):
        if largest >= 10 * scale:
            return scale, unit
    return 1.0, ""


def cell_names(cells: pd.DataFrame, keys: Sequence[str], rows=None) -> list[str]:
    """Plain-language names of cells: ``"textiles in Northvale"``.

    With ``region`` among several keys, the other key values come first and the
    region last (``"textiles / senior in Northvale"``); with one key it is the
    value itself; otherwise ``"key=value, ..."``.
    """
    keys = list(keys)
    frame = cells if rows is None else cells.iloc[np.asarray(rows, dtype=np.int64)]
    records = frame[keys].astype(object).itertuples(index=False, name=None)
    names = []
    for values in records:
        named = dict(zip(keys, values, strict=True))
        if len(keys) == 1:
            names.append(str(values[0]))
        elif "region" in named:
            others = " / ".join(str(v) for k, v in named.items() if k != "region")
            names.append(f"{others} in {named['region']}")
        else:
            names.append(", ".join(f"{k}={v}" for k, v in named.items()))
    return names


def examples(names: list[str], details: list[str], total: int) -> str:
    shown = "; ".join(f"{n}: {d}" for n, d in zip(names, details, strict=True))
    more = f"; and {total - len(names)} more" if total > len(names) else ""
    return shown + more


# --------------------------------------------------------------------------- parameters


def _scalar(value, name: str) -> float | None:
    if isinstance(value, bool):
        raise PlanningError(f"{name} must be a number or a per-cell DataFrame, got {value!r}")
    if isinstance(value, numbers.Real):
        return float(value)
    return None


def plural(n: int, unit: str) -> str:
    """``"1 cell"``, ``"3 cells"`` (:func:`talentgap._words.count_words`)."""
    return count_words(n, unit)


def per_cell(value, name: str, cells: pd.DataFrame, keys: list[str], *, unit: str = "cell",
             of: str = "the gap forecast") -> np.ndarray:
    """A scalar or per-cell table parameter as one float per cell (NaN never returned).

    ``cells`` holds the rows the parameter is needed for (cells of the gap
    forecast, or programmes of a crosswalk); ``unit`` and ``of`` name them in
    messages ("no row for 1 programme of the crosswalk"). A table needs a
    row for every cell, except for a parameter with an ``absent`` value in
    :data:`PARAMETER_RANGES` (``capacity``: cells without a row have no
    limit); a key value no cell has is then an error when it looks like one
    (a misspelt region, with a suggestion) and a warning otherwise.

    Examples
    --------
    >>> cells = pd.DataFrame({"region": ["Amberfield", "Ashmere"], "industry": ["x", "x"]})
    >>> one = pd.DataFrame({"region": ["Ashmere"], "industry": ["x"], "capacity": [50]})
    >>> per_cell(one, "capacity", cells, ["region", "industry"]).tolist()
    [inf, 50.0]
    >>> per_cell(one.assign(region="Ashmer"), "capacity", cells, ["region", "industry"])
    Traceback (most recent call last):
      ...
    talentgap.errors.PlanningError: the capacity table names region 'Ashmer' (did you mean \
'Ashmere'?), which no cell of the gap forecast has; correct the name: a cell without a row \
has no limit, so the row would be lost
    """
    n = len(cells)
    number = _scalar(value, name)
    if number is not None:
        if math.isnan(number):
            raise PlanningError(f"{name} is NaN; give a number")
        return np.full(n, number)
    if not isinstance(value, pd.DataFrame):
        raise PlanningError(
            f"{name} must be a number or a DataFrame with key columns and a {name!r} column, "
            f"got {type(value).__name__}"
        )
    if name not in value.columns:
        raise PlanningError(
            f"the {name} table needs a column named {name!r}; it has {list(value.columns)}"
        )
    key_columns = [c for c in value.columns if c != name]
    unknown = [c for c in key_columns if c not in keys]
    if "period" in unknown:
        raise PlanningError(
            f"the {name} table has a 'period' column, but {name} is one value per {unit} "
            "here: only cost_per_trainee, capacity and min_quota of a multi-year plan "
            "(periods=) may change by funding period; drop the 'period' column")
    if not key_columns or unknown:
        raise PlanningError(
            f"the {name} table must have key columns from {keys} next to {name!r}; "
            + (f"{unknown} are not keys" if unknown else "it has none")
        )
    if value[key_columns].isna().to_numpy().any():
        raise PlanningError(f"the {name} table has missing key values")
    repeated = value.duplicated(subset=key_columns, keep=False).to_numpy()
    if repeated.any():
        shown = cell_names(value.loc[repeated].drop_duplicates(subset=key_columns),
                           key_columns)[:_MAX_SHOWN]
        raise PlanningError(f"the {name} table has more than one row for {', '.join(shown)}")
    table_index = pd.MultiIndex.from_arrays([_key_values(value[c]) for c in key_columns])
    cell_index = pd.MultiIndex.from_arrays([_key_values(cells[c]) for c in key_columns])
    position = table_index.get_indexer(cell_index)
    absent = np.flatnonzero(position < 0)
    default = getattr(PARAMETER_RANGES.get(name), "absent", None)
    typos, strangers = _unknown_key_values(value, cells, key_columns)
    if absent.size and default is None:
        names = cell_names(cells, keys, absent[:_MAX_SHOWN])
        more = f" and {absent.size - len(names)} more" if absent.size > len(names) else ""
        raise PlanningError(
            f"the {name} table has no row for {plural(absent.size, unit)} of {of}: "
            f"{'; '.join(names)}{more} (looked up by {key_columns})"
            + (f"; it names {', '.join(typos)}" if typos else "")
        )
    if default is not None:
        keeps = ("has no limit" if math.isinf(default)
                 else f"keeps the default {name}, {fmt(default)}")
        if typos:
            raise PlanningError(
                f"the {name} table names {', '.join(typos)}, which no {unit} of {of} has; "
                f"correct the name: a {unit} without a row {keeps}, so the row would be lost")
        if strangers:
            warn(f"the {name} table's rows for {', '.join(strangers)} match no {unit} of {of} "
                 f"and are not used ('*' is not a wildcard here); a {unit} without a row "
                 f"{keeps}", DataQualityWarning, stacklevel=4)
    if absent.size:   # (an empty table: every cell keeps the default)
        given = np.append(value[name].to_numpy(dtype=object), default)
        raw = np.where(position < 0, default, given[np.maximum(position, 0)])
    else:
        raw = value[name].to_numpy()[position]
    numbers_ = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(numbers_))
    if bad.size:
        names = cell_names(cells, keys, bad[:_MAX_SHOWN])
        raise PlanningError(
            f"{name} must be a number for every {unit}; {plural(bad.size, unit)} "
            f"{'fail' if bad.size != 1 else 'fails'}: "
            + examples(names, [shown_value(raw[i]) for i in bad[:_MAX_SHOWN]], bad.size)
        )
    return numbers_


def _key_values(column: pd.Series) -> np.ndarray:
    """A key column as objects, text in Unicode NFC (``"é"`` however it was typed)."""
    codes, uniques = pd.factorize(column.astype(object).to_numpy())
    codes, uniques = nfc_codes(codes, uniques)
    return np.append(uniques.to_numpy(dtype=object), None)[codes]


def _unknown_key_values(table: pd.DataFrame, cells: pd.DataFrame,
                        key_columns: list[str]) -> tuple[list[str], list[str]]:
    """Key values of a parameter table that no cell has: look-alikes of one, and the others.

    ``(["region 'Amberfeld' (did you mean 'Amberfield'?)"], ["region '*'"])``.
    """
    typos, strangers = [], []
    for column in key_columns:
        known = pd.unique(_key_values(cells[column]))
        given = pd.unique(_key_values(table[column]))
        for value in given[~pd.Index(given).isin(known)][:_MAX_SHOWN]:
            hint = did_you_mean(value, [str(k) for k in known])
            (typos if hint else strangers).append(f"{column} {value!r}{hint}")
    return typos, strangers


def check_range(values: np.ndarray, name: str, cells: pd.DataFrame, keys: list[str], *,
                scalar: bool = False, unit: str = "cell") -> None:
    """Raise :class:`PlanningError` for values outside ``PARAMETER_RANGES[name]``."""
    rule = PARAMETER_RANGES[name]
    with np.errstate(invalid="ignore"):
        too_low = rule.below(values)
        too_high = values > rule.high
    bad = rule.outside(values) | np.isnan(values)
    if not bad.any():
        _warn_zero(values, name, cells, keys, scalar=scalar, unit=unit)
        return
    low, high = rule.low, rule.high

    def detail(i: int) -> str:
        v = values[i]
        if not math.isfinite(v) and not np.isnan(v):
            return f"{fmt(v)} (must be finite)"
        if too_low[i]:
            return (f"{fmt(v)} (must be > {fmt(low)})" if rule.low_open and v == low
                    else f"{fmt(v)} (below {fmt(low)} by {fmt(low - v)})")
        if too_high[i]:
            return f"{fmt(v)} (above {fmt(high)} by {fmt(v - high)})"
        return f"{v} (not a number)"

    rows = np.flatnonzero(bad)
    if scalar:
        raise PlanningError(f"{name} must be {rule.words()}; got {detail(rows[0])}")
    shown = rows[:_MAX_SHOWN]
    raise PlanningError(
        f"{name} must be {rule.words()}; {plural(rows.size, unit)} "
        f"{'fail' if rows.size != 1 else 'fails'}: "
        + examples(cell_names(cells, keys, shown), [detail(i) for i in shown], rows.size)
    )


def _warn_zero(values: np.ndarray, name: str, cells: pd.DataFrame, keys: list[str], *,
               scalar: bool, unit: str) -> None:
    """A DataQualityWarning for values of exactly 0 where the rule says why 0 is suspect."""
    words = PARAMETER_RANGES[name].zero
    zero = np.flatnonzero(values == 0)
    if words is None or not zero.size:
        return
    if scalar or not keys:
        warn(f"{name} is 0: {words}", DataQualityWarning, stacklevel=4)
        return
    shown = cell_names(cells, keys, zero[:_MAX_SHOWN])
    more = f" and {zero.size - len(shown)} more" if zero.size > len(shown) else ""
    warn(f"{name} is 0 for {plural(zero.size, unit)} of {len(values):,}, e.g. "
         f"{'; '.join(shown)}{more}: {words}", DataQualityWarning, stacklevel=4)


def parameter(value, name: str, cells: pd.DataFrame, keys: list[str], *, unit: str = "cell",
              of: str = "the gap forecast") -> np.ndarray:
    """:func:`per_cell` then :func:`check_range`: one checked float per row of ``cells``.

    The range is the parameter's entry in :data:`PARAMETER_RANGES`.
    """
    values = per_cell(value, name, cells, keys, unit=unit, of=of)
    check_range(values, name, cells, keys, scalar=not isinstance(value, pd.DataFrame), unit=unit)
    return values


def check_budget(budget) -> float:
    number = _scalar(budget, "budget")
    if number is None:
        raise PlanningError(f"budget must be a number (money), got {type(budget).__name__}")
    if not math.isfinite(number):
        raise PlanningError(f"budget must be finite, got {budget!r}")
    check_range(np.array([number]), "budget", pd.DataFrame(), [], scalar=True)
    return number


def check_options(integer: str, risk: str, quantile, surplus_penalty) -> tuple[str, float | None]:
    """Validate the solver options; return the effective risk and quantile."""
    if integer not in ("round", "exact", "none"):
        raise PlanningError(f"integer={integer!r}; use 'round', 'exact' or 'none'")
    if risk not in ("expected", "quantile"):
        raise PlanningError(f"risk={risk!r}; use 'expected' or 'quantile' (with quantile=)")
    penalty = _scalar(surplus_penalty, "surplus_penalty")
    if penalty is None or not math.isfinite(penalty) or penalty < 0:
        raise PlanningError(f"surplus_penalty must be a number >= 0; got {surplus_penalty!r}")
    if quantile is not None:
        q = _scalar(quantile, "quantile")
        if q is None or not (0.0 < q < 1.0):
            raise PlanningError(f"quantile must be a number in (0, 1), e.g. 0.8; got {quantile!r}")
        return "quantile", q
    if risk == "quantile":
        raise PlanningError("risk='quantile' needs quantile=, e.g. quantile=0.8")
    return "expected", None


def shown_value(value) -> str:
    """A table value for messages: text quoted, numbers as written, a blank as "missing".

    Examples
    --------
    >>> import numpy as np
    >>> shown_value("abc"), shown_value(np.float64(2.5)), shown_value(np.nan), shown_value(None)
    ("'abc'", '2.5', 'missing', 'missing')
    """
    if value is None or (isinstance(value, float) and value != value):  # NaN
        return "missing"
    return repr(value) if isinstance(value, str) else str(value)
