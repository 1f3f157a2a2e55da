"""Training quota allocation and policy-target arithmetic.

* :func:`allocate_quotas` — training places per cell that minimise the
  expected unmet gap under a budget, capacities and minimums (a linear
  program over the forecast's scenarios), returning a :class:`QuotaPlan`;
  with a programme -> industry ``crosswalk``, places per training
  programme and region, each feeding several industries by share; with
  ``periods=``, one plan over several funding periods (places per cell and
  period against the market and policy needs of every later period, with
  annual budgets, envelopes, shared capacity and equity rules; see
  :mod:`talentgap.planning.multiyear`);
* :func:`proportional_plan` — the rule of thumb "places in proportion to
  the gap", on the same inputs, for comparison;
* :func:`compare_plans`, :func:`plot_shortfall_vs_budget` — several plans
  side by side, and the shortfall each rule leaves as the budget grows;
* :func:`what_if`, :func:`plot_what_if`, :class:`DemandShock`,
  :func:`shock_needs` — a base plan and named changes to it (budget +20%,
  a demand shock in one industry, another target year) in one table;
* :func:`budget_curve`, :func:`plot_budget_curve` — the expected shortfall
  at a grid of budgets and the budget that closes a share of the need;
* :func:`target_gap` — workers needed to reach policy shares such as
  "skilled workers 30% of employment", as a gap table the allocator takes;
* :func:`project_employment`, :func:`project_skilled_stock`,
  :func:`estimate_exit_rate` — employment forecasts and the skilled stock
  without new training (exits and replacement demand), per cell and year;
  :func:`pipeline_by_level` splits certified supply into the inflows of the
  skilled and high-skilled stocks by the training's skill levels, and
  :func:`place_shares` a plan's places by the same rule;
* :func:`policy_need` — targets per region as data (share or +points by a
  target year, with a path) turned into the persons needed per cell-year.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from talentgap._lazy import attach

# eager: these two functions share their module's name
from talentgap.planning.budget_curve import BudgetCurve, budget_curve, plot_budget_curve
from talentgap.planning.what_if import DemandShock, WhatIf, plot_what_if, shock_needs, what_if

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ loads these
    from talentgap.planning.pipeline_levels import pipeline_by_level, place_shares
    from talentgap.planning.policy import policy_need
    from talentgap.planning.quotas import QuotaPlan, allocate_quotas
    from talentgap.planning.scenarios import (
        compare_plans,
        plot_shortfall_vs_budget,
        proportional_plan,
    )
    from talentgap.planning.targets import target_gap
    from talentgap.planning.workforce import (
        estimate_exit_rate,
        project_employment,
        project_skilled_stock,
    )

__all__ = [
    "QuotaPlan",
    "allocate_quotas",
    "proportional_plan",
    "compare_plans",
    "plot_shortfall_vs_budget",
    "target_gap",
    "project_employment",
    "project_skilled_stock",
    "pipeline_by_level",
    "place_shares",
    "estimate_exit_rate",
    "policy_need",
    "what_if",
    "WhatIf",
    "DemandShock",
    "shock_needs",
    "plot_what_if",
    "budget_curve",
    "BudgetCurve",
    "plot_budget_curve",
]

if not TYPE_CHECKING:  # type checkers read the imports above, and flag unknown names
    __getattr__, __dir__ = attach(__name__, {
        "pipeline_by_level": "pipeline_levels",
        "place_shares": "pipeline_levels",
        "policy_need": "policy",
        "QuotaPlan": "quotas",
        "allocate_quotas": "quotas",
        "compare_plans": "scenarios",
        "plot_shortfall_vs_budget": "scenarios",
        "proportional_plan": "scenarios",
        "target_gap": "targets",
        "estimate_exit_rate": "workforce",
        "project_employment": "workforce",
        "project_skilled_stock": "workforce",
    })
