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
* :func:`target_gap` — workers needed to reach policy shares such as
  "skilled workers 30% of employment", as a gap table the allocator takes;
* :func:`project_employment`, :func:`project_skilled_stock`,
  :func:`estimate_exit_rate` — employment forecasts and the skilled stock
  without new training (exits and replacement demand), per cell and year;
* :func:`policy_need` — targets per region as data (share or +points by a
  target year, with a path) turned into the persons needed per cell-year.
"""

from talentgap.planning.policy import policy_need
from talentgap.planning.quotas import QuotaPlan, allocate_quotas
from talentgap.planning.scenarios import compare_plans, plot_shortfall_vs_budget, proportional_plan
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
    "estimate_exit_rate",
    "policy_need",
]
