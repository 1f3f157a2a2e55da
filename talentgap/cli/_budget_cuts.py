"""What a smaller budget gives up: a multi-year plan solved again at smaller budgets.

A one-period run compares budgets in ``plan_comparison.csv``. A multi-year
plan (``[plan] years``) is solved again with every year's budget (and the
budget envelopes) scaled by each of :data:`BUDGET_CUTS`, through
:func:`talentgap.planning.what_if`; :func:`budget_cuts` tabulates the plan and
the smaller ones, :func:`budget_cuts_file` is that table as
``plan_budget_cuts.csv`` (and its sheet of ``results.xlsx``), and
:func:`budget_cuts_text` and :func:`budget_cuts_table` word it for the
report: places, workers added and the expected shortfall of vacancies and,
with targets, against them. :func:`surplus_words` says how many of the
plan's worker-years find no vacancy.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from talentgap import planning
from talentgap._words import money_words
from talentgap.errors import PlanningError

__all__ = ["BUDGET_CUTS", "add_budget_cuts", "budget_cuts", "budget_cuts_file",
           "budget_cuts_text", "budget_cuts_table", "surplus_words"]

#: Shares of the plan's budget (every year's, and the envelopes) a multi-year plan is
#: solved again at.
BUDGET_CUTS = (0.75, 0.5)

_COLUMNS = ["budget", "places", "expected_certified", "shortfall_before", "shortfall_after",
            "policy_shortfall_before", "policy_shortfall_after"]


def _row(plan: planning.QuotaPlan, share: float) -> dict:
    s = plan.summary
    row = {"share": share}
    for column in _COLUMNS:
        row[column] = float(s[column]) if column in s and pd.notna(s[column]) else np.nan
    return row


def budget_cuts(plan: planning.QuotaPlan, arguments: Mapping, *,
                shares=BUDGET_CUTS) -> tuple[pd.DataFrame, list[str]]:
    """The plan and the same plan at smaller budgets, one row each, largest budget first.

    Parameters
    ----------
    plan : QuotaPlan
        The plan at its full budget (not solved again).
    arguments : mapping
        The :func:`~talentgap.planning.allocate_quotas` arguments of ``plan``,
        with the needs under ``"needs"`` (the base of
        :func:`~talentgap.planning.what_if`).
    shares : sequence of float, default :data:`BUDGET_CUTS`
        The budget factors to solve at.

    Returns
    -------
    table : pandas.DataFrame
        Columns ``share`` (1 for the plan), ``budget``, ``places``,
        ``expected_certified``, ``shortfall_before``, ``shortfall_after``,
        ``policy_shortfall_before`` and ``policy_shortfall_after`` (NaN
        without a policy need).
    notes : list of str
        The budgets no plan could be made at, and why.

    Examples
    --------
    >>> needs = pd.DataFrame({"region": "N", "industry": ["textiles", "robots"],
    ...                       "period": "2026", "gap": [300.0, 100.0]})
    >>> base = {"needs": needs, "budget": 20_000, "cost_per_trainee": 100, "pass_rate": 1.0}
    >>> plan = planning.allocate_quotas(needs, budget=20_000, cost_per_trainee=100,
    ...                                 pass_rate=1.0)
    >>> table, notes = budget_cuts(plan, base)
    >>> table[["share", "places", "shortfall_after"]]
       share  places  shortfall_after
    0   1.00   200.0            200.0
    1   0.75   150.0            250.0
    2   0.50   100.0            300.0
    """
    rows, notes = [_row(plan, 1.0)], []
    for share in shares:
        try:
            run = planning.what_if(arguments, {"cut": {"budget_factor": float(share)}},
                                   baseline=None, by=None, per_year=False)
        except PlanningError as error:
            notes.append(f"No plan could be made at {share:.0%} of the budget: {error}")
            continue
        rows.append(_row(run.plans["cut"], float(share)))
    return pd.DataFrame(rows), notes


def budget_cuts_file(table: pd.DataFrame) -> pd.DataFrame:
    """The table of :func:`budget_cuts` as ``plan_budget_cuts.csv`` writes it.

    One row per budget, the plan's first: the columns of :func:`budget_cuts`
    with, after each shortfall, how much more a smaller budget leaves than
    the full one (``shortfall_increase``, ``policy_shortfall_increase``;
    0 on the plan's row, NaN without a policy need). The report's table of
    smaller budgets shows these figures rounded.

    Examples
    --------
    >>> table = pd.DataFrame({"share": [1.0, 0.5], "budget": [6e7, 3e7],
    ...                       "places": [10000.0, 5000.0],
    ...                       "expected_certified": [5695.0, 2850.0],
    ...                       "shortfall_before": [75899.0, 75899.0],
    ...                       "shortfall_after": [63853.0, 69500.0],
    ...                       "policy_shortfall_before": [np.nan, np.nan],
    ...                       "policy_shortfall_after": [np.nan, np.nan]})
    >>> budget_cuts_file(table)[["share", "shortfall_after", "shortfall_increase"]]
       share  shortfall_after  shortfall_increase
    0    1.0          63853.0                 0.0
    1    0.5          69500.0              5647.0
    """
    full = table.iloc[0]
    out = table[["share", *_COLUMNS]].copy()
    out.insert(out.columns.get_loc("shortfall_after") + 1, "shortfall_increase",
               out["shortfall_after"] - full["shortfall_after"])
    out["policy_shortfall_increase"] = (out["policy_shortfall_after"]
                                        - full["policy_shortfall_after"])
    return out.reset_index(drop=True)


def budget_cuts_text(table: pd.DataFrame | None, *, currency: str = "",
                     target: str | None = None) -> str:
    """One sentence: what each smaller budget gives up against the plan.

    Examples
    --------
    >>> table = pd.DataFrame({"share": [1.0, 0.5], "budget": [6e7, 3e7],
    ...                       "places": [10000.0, 5000.0],
    ...                       "expected_certified": [5695.0, 2850.0],
    ...                       "shortfall_before": [75899.0, 75899.0],
    ...                       "shortfall_after": [63853.0, 69500.0],
    ...                       "policy_shortfall_before": [443619.0, 443619.0],
    ...                       "policy_shortfall_after": [427887.0, 435700.0]})
    >>> print(budget_cuts_text(table, currency="yuan", target="skilled"))
    At 50% of the budget (30 million yuan) the plan funds 5,000 places instead of 10,000 and adds 2,845 fewer workers. It leaves 5,647 more person-years of vacancies unfilled and 7,813 more short of the skilled target.
    """  # noqa: E501
    if table is None or len(table) < 2:
        return ""
    full = table.iloc[0]
    sentences = []
    for _, row in table.iloc[1:].iterrows():
        text = (f"At {row['share']:.0%} of the budget ({money_words(row['budget'], currency)}) "
                f"the plan funds {row['places']:,.0f} places instead of {full['places']:,.0f} "
                f"and adds {full['expected_certified'] - row['expected_certified']:,.0f} fewer "
                "workers. It leaves "
                f"{row['shortfall_after'] - full['shortfall_after']:,.0f} more person-years of "
                "vacancies unfilled")
        if target and pd.notna(row["policy_shortfall_after"]):
            text += (f" and {row['policy_shortfall_after'] - full['policy_shortfall_after']:,.0f}"
                     f" more short of the {target} target")
        sentences.append(text + ".")
    return " ".join(sentences)


def budget_cuts_table(table: pd.DataFrame, *, currency: str = "",
                      target: str | None = None) -> pd.DataFrame:
    """The report's table of :func:`budget_cuts`: one row per budget, in words and figures.

    Examples
    --------
    >>> table = pd.DataFrame({"share": [1.0, 0.5], "budget": [6e7, 3e7],
    ...                       "places": [10000.0, 5000.0],
    ...                       "expected_certified": [5695.0, 2850.0],
    ...                       "shortfall_before": [75899.0, 75899.0],
    ...                       "shortfall_after": [63853.0, 69500.0],
    ...                       "policy_shortfall_before": [np.nan, np.nan],
    ...                       "policy_shortfall_after": [np.nan, np.nan]})
    >>> budget_cuts_table(table, currency="yuan").iloc[1].astype(str).tolist()
    ['50% (30 million yuan)', '5000.0', '2850.0', '69500.0', '5647.0']
    """
    full = table.iloc[0]
    shown = {
        "Budget (share of the plan's)": [f"{r.share:.0%} ({money_words(r.budget, currency)})"
                                         for r in table.itertuples()],
        "Training places": table["places"].to_numpy(),
        "Expected workers added (persons)": table["expected_certified"].to_numpy(),
        "Expected shortfall of vacancies (person-years)": table["shortfall_after"].to_numpy(),
        "More vacancies unfilled than with the full budget (person-years)":
            (table["shortfall_after"] - full["shortfall_after"]).round().to_numpy(),
    }
    if target and table["policy_shortfall_after"].notna().all():
        shown[f"Expected shortfall against the {target} target (person-years)"] = (
            table["policy_shortfall_after"].to_numpy())
        shown[f"More short of the {target} target than with the full budget (person-years)"] = (
            (table["policy_shortfall_after"] - full["policy_shortfall_after"]).round()
            .to_numpy())
    return pd.DataFrame(shown)


def surplus_words(summary: pd.Series, target: str | None = None) -> str:
    """How many of a multi-year plan's worker-years find no vacancy (serving the target only).

    The plan's surplus (workers above the vacancies, summed over cells and
    need years) after the plan minus before it.

    Examples
    --------
    >>> s = pd.Series({"surplus_before": 15818.3, "surplus_after": 19504.3})
    >>> print(surplus_words(s, "skilled"))
    Of the workers the plan adds, an expected 3,686 person-years find no vacancy in their cell: they serve the skilled target only. (A person-year is one person for one year: a worker in the trade for 3 years counts 3.)
    """  # noqa: E501
    if pd.isna(summary.get("surplus_after", np.nan)):
        return ""
    extra = float(summary["surplus_after"]) - float(summary.get("surplus_before", 0.0) or 0.0)
    if extra < 0.5:
        return ""
    served = f": they serve the {target} target only" if target else ""
    return (f"Of the workers the plan adds, an expected {extra:,.0f} person-years find no "
            f"vacancy in their cell{served}. (A person-year is one person for one year: a "
            "worker in the trade for 3 years counts 3.)")


def add_budget_cuts(report, result) -> None:
    """The report's words on a multi-year plan's budget: smaller budgets, surplus workers."""
    s = result.plan.summary
    target = None
    if pd.notna(s.get("policy_shortfall_after", np.nan)):
        target = str(result.config.targets.plan_level).replace("_", "-")
    surplus = surplus_words(s, target) if result.config.plan.years else ""
    if surplus:
        report.add_text(surplus)
    table = getattr(result, "budget_cuts", None)
    if table is None or len(table) < 2:
        return
    currency = result.config.output.currency
    if not table["policy_shortfall_after"].notna().all():
        target = None
    report.add_text("What a smaller budget gives up: the plan was made again with every "
                    "year's budget cut by the same share. "
                    + budget_cuts_text(table, currency=currency, target=target))
    shown = budget_cuts_table(table, currency=currency, target=target)
    report.add_table(shown, caption="The plan at its full budget and at smaller budgets "
                     "(all figures also in plan_budget_cuts.csv)", index=False,
                     float_format={c: "{:,.0f}" for c in shown.columns[1:]})
