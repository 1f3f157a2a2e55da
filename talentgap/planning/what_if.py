"""What-if runs: one base plan, named changes to it, one comparison table.

A planner asks "what if the budget were 20% larger?", "what if textiles
demand rose by a third?", "what if the target year were 2028?". Each
question is a **scenario**: a few arguments of
:func:`~talentgap.planning.allocate_quotas` changed from a base set.
:func:`what_if` runs the base plan and every scenario and tabulates them with
:func:`~talentgap.planning.compare_plans`; :func:`plot_what_if` draws the
shortfall each leaves. Besides the plan's own arguments a scenario may hold

* ``budget_factor``: multiply the budget (one number or the per-period
  table), ``total_budget`` and the ``budget_envelopes`` by this factor
  (``1.2`` for +20%; envelopes kept fixed would cap the larger budget, so
  they grow with it unless the scenario gives its own);
* ``demand_shock``: a :class:`DemandShock` (or a list of them, or a mapping
  of its fields) multiplying the need of the cells it selects, see
  :func:`shock_needs`.
"""

from __future__ import annotations

import difflib
import inspect
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from talentgap.errors import ParameterError, PlanningError
from talentgap.planning._axes import readable_count_axis
from talentgap.planning._params import fmt
from talentgap.planning._plan import QuotaPlan, shortfall_words
from talentgap.planning._problem import is_sample_paths
from talentgap.planning._tables import period_column_ordinals, require
from talentgap.planning.quotas import allocate_quotas
from talentgap.planning.scenarios import compare_plans

__all__ = ["DemandShock", "WhatIf", "shock_needs", "what_if", "plot_what_if"]

#: Scenario keys that are not arguments of the plan function.
SPECIAL_KEYS = ("budget_factor", "demand_shock")
_NEEDS = "needs"


@dataclass(frozen=True)
class DemandShock:
    """Multiply the need of selected cells by a factor.

    The need is the gap (demand minus supply), not demand: a factor of 2
    doubles a cell's expected shortage, and doubles a surplus too. (Doubling
    demand would raise the gap by the demand itself.) Its label says so:
    ``"textiles market need x2"``.

    Parameters
    ----------
    factor : float
        The multiplier, >= 0 (``1.3`` for +30%, ``0.8`` for -20%).
    where : mapping of str to value or list of values
        Which rows of the needs table: ``{"industry": "textiles"}``,
        ``{"region": ["Ashmere", "Bluewater"], "industry": "textiles"}``.
        Every column named must be in the table and select at least one row.
    periods : sequence of period labels, optional
        Only these need periods (default: all).
    need : {"market", "policy"}, default "market"
        The market need (the needs table's value column, with its interval
        bounds such as ``gap_lo_80``) or the policy need (the ``policy_need``
        column of the ``policy_need`` table). A negative gap (a surplus) is
        scaled too.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.planning import shock_needs
    >>> shock = DemandShock(1.3, where={"industry": "textiles"})
    >>> shock.describe()
    'textiles market need x1.3'
    >>> needs = pd.DataFrame({"region": "N", "industry": ["textiles", "robots"],
    ...                       "period": "2026", "gap": [300.0, 100.0]})
    >>> shock_needs(needs, shock)["gap"].tolist()
    [390.0, 100.0]
    """

    factor: float
    where: Mapping[str, object] = field(default_factory=dict)
    periods: Sequence | None = None
    need: str = "market"

    def __post_init__(self):
        factor = self.factor
        if (isinstance(factor, bool) or not isinstance(factor, numbers.Real)
                or not math.isfinite(factor) or factor < 0):
            raise ParameterError(f"DemandShock factor must be a finite number >= 0, got "
                                 f"{factor!r}")
        if not isinstance(self.where, Mapping):
            raise ParameterError(f"DemandShock where must be a mapping column -> values, got "
                                 f"{type(self.where).__name__}")
        if self.need not in ("market", "policy"):
            raise ParameterError(f"DemandShock need={self.need!r}; use 'market' or 'policy'")

    def describe(self) -> str:
        """The shock in words, e.g. ``"textiles market need x1.3"``."""
        what = ", ".join(str(v) if not _is_list(v) else "/".join(map(str, v))
                         for v in self.where.values()) or "all cells"
        when = "" if self.periods is None else " in " + ", ".join(map(str, self.periods))
        noun = "market need" if self.need == "market" else "policy need"
        return f"{what} {noun} x{self.factor:g}{when}"


@dataclass(frozen=True)
class WhatIf:
    """The plans of a what-if run and their comparison.

    Attributes
    ----------
    table : pandas.DataFrame
        :func:`~talentgap.planning.compare_plans` of the plans, indexed by
        scenario name (``scenario``), with a first column ``changes`` (the
        scenario's changes in words).
    plans : dict of str to QuotaPlan
        Every plan by scenario name, the base first.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.planning import what_if
    >>> needs = pd.DataFrame({"region": "N", "industry": ["textiles", "robots"],
    ...                       "period": "2026", "gap": [300.0, 100.0]})
    >>> base = {"needs": needs, "budget": 20_000, "cost_per_trainee": 100, "pass_rate": 1.0}
    >>> run = what_if(base, {"budget +20%": {"budget_factor": 1.2}})
    >>> run.table[["changes", "total_cost", "shortfall_after"]]
                     changes  total_cost  shortfall_after
    scenario
    base                         20000.0            200.0
    budget +20%  budget x1.2     24000.0            160.0
    >>> list(run.plans), run.plans["budget +20%"].summary["places"]
    (['base', 'budget +20%'], 240.0)
    """

    table: pd.DataFrame
    plans: dict[str, QuotaPlan]


def _is_list(value) -> bool:
    return isinstance(value, (list, tuple, set, np.ndarray, pd.Index, pd.Series))


def _as_shocks(value, scenario: str) -> list[DemandShock]:
    items = value if isinstance(value, (list, tuple)) else [value]
    shocks = []
    for item in items:
        if isinstance(item, DemandShock):
            shocks.append(item)
        elif isinstance(item, Mapping):
            names = {f.name for f in fields(DemandShock)}
            unknown = [k for k in item if k not in names]
            if unknown:
                raise ParameterError(f"scenario {scenario!r}: demand_shock has no field "
                                     f"{unknown[0]!r}; fields are {sorted(names)}")
            shocks.append(DemandShock(**item))
        else:
            raise ParameterError(f"scenario {scenario!r}: demand_shock must be a DemandShock, "
                                 f"a mapping of its fields or a list of them, got "
                                 f"{type(item).__name__}")
    return shocks


def shock_needs(table: pd.DataFrame, shock: DemandShock, *, value: str = "gap") -> pd.DataFrame:
    """A copy of a needs table with the need of the selected rows multiplied.

    Parameters
    ----------
    table : pandas.DataFrame
        A needs table (forecast or sample paths) or a ``policy_need`` table.
    shock : DemandShock
        Which rows and by how much.
    value : str, default "gap"
        The need column; its interval bounds (``<value>_lo_<level>``,
        ``<value>_hi_<level>``, or ``lo_<level>`` / ``hi_<level>`` for
        ``value="mean"``) are multiplied too.

    Returns
    -------
    pandas.DataFrame
        The table with the need of the selected rows times ``shock.factor``.

    Raises
    ------
    PlanningError
        If a ``where`` column is not in the table, or its values select no
        row (naming the values the column has).

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.planning import DemandShock, shock_needs
    >>> needs = pd.DataFrame({"region": "N", "industry": ["textiles", "robots"],
    ...                       "period": "2026", "gap": [100.0, 50.0]})
    >>> shock_needs(needs, DemandShock(1.5, where={"industry": "textiles"}))["gap"].tolist()
    [150.0, 50.0]
    """
    if is_sample_paths(table):  # a shock rewrites rows: it needs the long table
        table = table.to_frame()
    table = require(table, "needs", [value])
    selected = np.ones(len(table), dtype=bool)
    for column, wanted in shock.where.items():
        if column not in table.columns:
            raise PlanningError(f"demand shock {shock.describe()!r}: the needs table has no "
                                f"column {column!r}; columns are {list(table.columns)}")
        wanted = list(wanted) if _is_list(wanted) else [wanted]
        hit = table[column].isin(wanted).to_numpy()
        if not hit.any():
            known = pd.unique(table[column].astype(str))[:8].tolist()
            raise PlanningError(f"demand shock {shock.describe()!r}: no row of the needs table "
                                f"has {column} in {wanted}; values are e.g. {known}")
        selected &= hit
    if shock.periods is not None:
        ordinals, code = period_column_ordinals(table["period"], "needs")
        wanted, _ = period_column_ordinals(pd.Series(list(shock.periods), dtype=object),
                                    "demand shock periods", code)
        selected &= np.isin(ordinals, wanted)
    if not selected.any():
        raise PlanningError(f"demand shock {shock.describe()!r} selects no row of the needs "
                            "table")
    prefix = "" if value == "mean" else f"{value}_"
    columns = [c for c in table.columns if c == value or (
        isinstance(c, str) and c.startswith((f"{prefix}lo_", f"{prefix}hi_")))]
    out = table.copy()
    factor = np.where(selected, float(shock.factor), 1.0)
    for column in columns:
        out[column] = pd.to_numeric(out[column]).to_numpy(dtype=np.float64) * factor
    return out


def _scale_budget(budget, factor: float, scenario: str):
    if isinstance(budget, pd.DataFrame):
        if "budget" not in budget.columns:
            raise PlanningError(f"scenario {scenario!r}: budget_factor needs a budget table "
                                f"with a 'budget' column; columns are {list(budget.columns)}")
        out = budget.copy()
        out["budget"] = pd.to_numeric(out["budget"]) * factor
        return out
    if isinstance(budget, numbers.Real) and not isinstance(budget, bool):
        return float(budget) * factor
    raise PlanningError(f"scenario {scenario!r}: budget_factor needs a budget (a number or a "
                        f"table), got {type(budget).__name__}")


def _allowed(planner: Callable) -> tuple[set[str] | None, str | None]:
    """Keyword names ``planner`` accepts (None: any) and the name of its needs argument."""
    params = list(inspect.signature(planner).parameters.values())
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return None, None
    names = {p.name for p in params if p.kind in (inspect.Parameter.KEYWORD_ONLY,
                                                   inspect.Parameter.POSITIONAL_OR_KEYWORD)}
    first = params[0].name if params and params[0].kind is not inspect.Parameter.KEYWORD_ONLY \
        else None
    return names, first


#: Names a caller may give the needs table (allocate_quotas' first argument, or the forecast
#: methods' outputs): a base mapping holds it under ``"needs"``.
_NEEDS_ALIASES = ("gap_forecast", "forecast", "paths", "sample_paths", "gap")


def _check_keys(arguments, scenario: str, valid: set[str] | None, *, special: bool) -> None:
    """Every key of a scenario is an argument of the plan (or a special key)."""
    if not isinstance(arguments, Mapping):
        raise ParameterError(f"scenario {scenario!r} must be a mapping of argument -> value, "
                             f"got {type(arguments).__name__}")
    if valid is None:
        return
    for key in arguments:
        if key in valid:
            continue
        close = difflib.get_close_matches(str(key), sorted(valid), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        if _NEEDS in valid and key in _NEEDS_ALIASES:
            hint = (f"; did you mean {_NEEDS!r}? A base mapping holds the needs table "
                    "(allocate_quotas' first argument, gap_forecast: a forecast table or "
                    f"sample paths) under {_NEEDS!r}")
        if key in SPECIAL_KEYS and not special:
            hint = "; it needs a base given as a mapping of allocate_quotas arguments"
        raise ParameterError(f"scenario {scenario!r}: unknown key {key!r}{hint} (keys are the "
                             "plan's arguments"
                             + (f" and {', '.join(SPECIAL_KEYS)})" if special else ")"))


def _budget_change(before, after) -> str | None:
    """The periods whose budget a per-period table changes, with the amounts."""
    if not (isinstance(before, pd.DataFrame) and isinstance(after, pd.DataFrame)
            and {"period", "budget"} <= set(before.columns) & set(after.columns)):
        return None
    old = pd.to_numeric(before["budget"]).groupby(before["period"].astype(str)).sum()
    new = pd.to_numeric(after["budget"]).groupby(after["period"].astype(str)).sum()
    both = old.index.union(new.index)
    old, new = old.reindex(both), new.reindex(both)
    moved = [p for p in both if not (old[p] == new[p])]
    if not moved:
        return "budget unchanged"
    return "budget " + ", ".join(
        f"{p} {'none' if pd.isna(old[p]) else fmt(float(old[p]))} -> "
        f"{'none' if pd.isna(new[p]) else fmt(float(new[p]))}" for p in moved)


def _describe(overrides: Mapping, base: Mapping | None = None) -> str:
    words = []
    for key, value in overrides.items():
        if key == "budget_factor":
            words.append(f"budget x{value:g}")
            if (base is not None and base.get("budget_envelopes") is not None
                    and "budget_envelopes" not in overrides):
                words.append(f"budget envelopes x{value:g}")
        elif key == "budget" and isinstance(value, pd.DataFrame):
            words.append(_budget_change(None if base is None else base.get("budget"), value)
                         or "budget changed (a per-period table)")
        elif key == "demand_shock":
            words.extend(s.describe() for s in _as_shocks(value, ""))
        elif isinstance(value, (numbers.Real, str)) and not isinstance(value, bool):
            words.append(f"{key}={fmt(value) if isinstance(value, numbers.Real) else value}")
        else:
            words.append(f"{key} changed")
    return "; ".join(words)


def _run(base: Mapping, overrides: Mapping, scenario: str) -> QuotaPlan:
    """One plan of ``allocate_quotas`` with the base arguments and a scenario's changes."""
    args = dict(base)
    args.update({k: v for k, v in overrides.items() if k not in SPECIAL_KEYS})
    if "budget_factor" in overrides:
        factor = overrides["budget_factor"]
        if (isinstance(factor, bool) or not isinstance(factor, numbers.Real)
                or not math.isfinite(factor) or factor < 0):
            raise ParameterError(f"scenario {scenario!r}: budget_factor must be a number >= 0, "
                                 f"got {factor!r}")
        if "budget" not in args:
            raise PlanningError(f"scenario {scenario!r}: budget_factor needs a base budget")
        args["budget"] = _scale_budget(args["budget"], float(factor), scenario)
        if args.get("total_budget") is not None:
            args["total_budget"] = float(args["total_budget"]) * float(factor)
        if args.get("budget_envelopes") is not None and "budget_envelopes" not in overrides:
            args["budget_envelopes"] = _scale_budget(args["budget_envelopes"], float(factor),
                                                     scenario)
    for shock in _as_shocks(overrides.get("demand_shock", []), scenario):
        if shock.need == "market":
            args[_NEEDS] = shock_needs(args[_NEEDS], shock, value=args.get("value", "gap"))
        elif args.get("policy_need") is None:
            raise PlanningError(f"scenario {scenario!r}: a policy-need shock needs a "
                                "policy_need table")
        else:
            args["policy_need"] = shock_needs(args["policy_need"], shock, value="policy_need")
    needs = args.pop(_NEEDS)
    return allocate_quotas(needs, **args)


def what_if(
    base,
    scenarios: Mapping[str, Mapping],
    *,
    baseline: str | None = "base",
    by: str | None = "industry",
    per_year: bool = True,
) -> WhatIf:
    """Run a base plan and named variants of it, and compare them in one table.

    Parameters
    ----------
    base : mapping or callable
        The base plan: a mapping of :func:`~talentgap.planning.allocate_quotas`
        arguments with the needs table under ``"needs"`` (e.g. ``{"needs":
        forecast, "periods": [2026, 2027], "budget": 1e6, ...}``); or a
        function returning a :class:`~talentgap.planning.QuotaPlan`, called
        with each scenario's entries as keyword arguments (useful when a
        scenario changes something upstream, such as the target year of the
        policy need). ``budget_factor`` and ``demand_shock`` need the mapping.
    scenarios : mapping of str to mapping
        Scenario name -> changes: arguments of ``allocate_quotas`` (or of the
        function) replacing the base's, and ``budget_factor`` or
        ``demand_shock`` (see :mod:`talentgap.planning.what_if`).
    baseline : str or None, default "base"
        Name of the row of the unchanged base plan (first); None: no such row.
    by, per_year
        As for :func:`~talentgap.planning.compare_plans`.

    Returns
    -------
    WhatIf
        ``.table``: one row per scenario (the base first): ``changes``, then
        the columns of :func:`~talentgap.planning.compare_plans` (places,
        cost, shortfall before and after per need, share of need closed,
        places per ``by`` group and, for multi-year plans, per period).
        ``.plans``: the plans by name.

    Raises
    ------
    ParameterError
        If a scenario holds a key that is neither an argument of the plan nor
        ``budget_factor`` / ``demand_shock`` (naming the scenario and the
        key), or a bad factor; or the baseline name is also a scenario's.
    PlanningError
        If a shock selects nothing, or a plan cannot be made (the message of
        :func:`~talentgap.planning.allocate_quotas`, prefixed by the scenario).

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.planning import DemandShock, what_if
    >>> needs = pd.DataFrame({"region": "N", "industry": ["textiles", "robots"],
    ...                       "period": "2026", "gap": [300.0, 100.0]})
    >>> base = {"needs": needs, "budget": 20_000, "cost_per_trainee": 100, "pass_rate": 1.0}
    >>> run = what_if(base, {
    ...     "budget +20%": {"budget_factor": 1.2},
    ...     "robots shock": {"demand_shock": DemandShock(2.0, where={"industry": "robots"})}})
    >>> run.table[["shortfall_before", "shortfall_after", "share_closed"]]
                  shortfall_before  shortfall_after  share_closed
    scenario
    base                     400.0            200.0      0.500000
    budget +20%              400.0            160.0      0.600000
    robots shock             500.0            300.0      0.400000
    >>> run.table.loc["budget +20%", "changes"]
    'budget x1.2'
    """
    if not isinstance(scenarios, Mapping):
        raise ParameterError(f"scenarios must be a mapping of name -> changes, got "
                             f"{type(scenarios).__name__}")
    if baseline is not None and baseline in scenarios:
        raise ParameterError(f"scenario name {baseline!r} is the baseline's; rename it or pass "
                             "baseline=None")
    if callable(base) and not isinstance(base, Mapping):
        allowed, _ = _allowed(base)
        for name, changes in scenarios.items():
            _check_keys(changes, str(name), allowed, special=False)

        def run(changes: Mapping, name: str) -> QuotaPlan:
            return base(**changes)
    elif isinstance(base, Mapping):
        allowed, first = _allowed(allocate_quotas)
        allowed = (allowed - {first}) | {_NEEDS}
        special = allowed | set(SPECIAL_KEYS)
        _check_keys(base, "base" if baseline is None else baseline, allowed, special=False)
        if _NEEDS not in base:
            raise ParameterError("base must hold the needs table under 'needs'")
        for name, changes in scenarios.items():
            _check_keys(changes, str(name), special, special=True)
            _as_shocks(changes.get("demand_shock", []), str(name))

        def run(changes: Mapping, name: str) -> QuotaPlan:
            return _run(base, changes, name)
    else:
        raise ParameterError(f"base must be a mapping of allocate_quotas arguments or a "
                             f"function returning a QuotaPlan, got {type(base).__name__}")

    runs = ([(baseline, {})] if baseline is not None else []) + [
        (str(name), changes) for name, changes in scenarios.items()]
    if not runs:
        raise ParameterError("what_if needs at least one scenario or a baseline")
    plans = {}
    for name, changes in runs:
        try:
            plan = run(changes, name)
        except PlanningError as error:
            raise type(error)(f"scenario {name!r}: {error}") from error
        if not isinstance(plan, QuotaPlan):
            raise ParameterError(f"scenario {name!r}: the base function returned "
                                 f"{type(plan).__name__}, not a QuotaPlan")
        plans[name] = plan
    table = compare_plans(plans, by=by, per_year=per_year)
    table.index.name = "scenario"
    table.insert(0, "changes", [_describe(changes, base if isinstance(base, Mapping) else None)
                                for _, changes in runs])
    return WhatIf(table=table, plans=plans)


def plot_what_if(result, *, ax=None):
    """Shortfall before and after each scenario's plan, per need.

    The shortfall is the one the plans report (the table's
    ``shortfall_basis``): the expected shortfall of plans on sample paths,
    the shortfall of the expected gap of plans on a forecast table; the axis
    says which.

    Parameters
    ----------
    result : WhatIf or pandas.DataFrame
        A :func:`what_if` result or its table.
    ax : matplotlib.axes.Axes, optional
        Where to draw. By default a new figure from
        ``matplotlib.pyplot.subplots``, as pandas and scikit-learn plots do,
        so a notebook shows it inline; this function never shows it itself. Close it
        with ``plt.close(ax.figure)`` when drawing many in a script.

    Returns
    -------
    matplotlib.axes.Axes
        Horizontal bars, one group per scenario: the shortfall after the plan
        (solid) over the shortfall before it (light), for the market need and,
        where the plans have one, the policy need; the share of each need
        closed is written at the bar. The shortfall axis has round ticks, as
        many as their labels' width allows, in plain numbers with thousands
        separators (in millions of workers from ten million up; no offset or
        scientific notation).

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.planning import plot_what_if, what_if
    >>> needs = pd.DataFrame({"region": "N", "industry": ["textiles", "robots"],
    ...                       "period": "2026", "gap": [300.0, 100.0]})
    >>> base = {"needs": needs, "budget": 20_000, "cost_per_trainee": 100, "pass_rate": 1.0}
    >>> ax = plot_what_if(what_if(base, {"budget +20%": {"budget_factor": 1.2}}))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['base', 'budget +20%']
    >>> ax.get_xlabel()
    'shortfall of the expected gap, summed over cells and need periods (workers)'
    >>> import matplotlib.pyplot as plt
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    table = result.table if isinstance(result, WhatIf) else result
    if not isinstance(table, pd.DataFrame) or "shortfall_after" not in table.columns:
        raise PlanningError("plot_what_if takes a what_if result or its table")
    needs = [("market need", "")]
    if "policy_shortfall_before" in table.columns and (
            table["policy_shortfall_before"].fillna(0).to_numpy() > 0).any():
        needs.append(("policy need", "policy_"))
    n, k = len(table), len(needs)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 1.0 + 0.5 * n * k), layout="constrained")
    height = 0.8 / k
    position = np.arange(n, dtype=np.float64)
    colours = ("tab:blue", "tab:orange")
    for j, (label, prefix) in enumerate(needs):
        y = position - 0.4 + height * (j + 0.5)
        before = table[f"{prefix}shortfall_before"].to_numpy(dtype=np.float64)
        after = table[f"{prefix}shortfall_after"].to_numpy(dtype=np.float64)
        ax.barh(y, before, height=height * 0.9, color=colours[j], alpha=0.25,
                label=f"{label}: before the plan")
        ax.barh(y, after, height=height * 0.9, color=colours[j],
                label=f"{label}: after the plan")
        with np.errstate(divide="ignore", invalid="ignore"):
            closed = np.where(before > 0, 1 - after / before, np.nan)
        for yi, xi, share in zip(y, before, closed, strict=True):
            if np.isfinite(share):
                ax.annotate(f"{share:.0%} closed", (xi, yi), xytext=(3, 0),
                            textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(position, [str(i) for i in table.index])
    ax.invert_yaxis()
    workers = readable_count_axis(ax.xaxis, *(table[f"{prefix}shortfall_before"]
                                               for _, prefix in needs))
    words = shortfall_words(table["shortfall_basis"] if "shortfall_basis" in table.columns
                            else [])
    ax.set_xlabel(f"{words}, summed over cells and need periods ({workers})")
    ax.set_title("What-if scenarios")
    ax.margins(x=0.15)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    return ax
