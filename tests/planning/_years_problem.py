"""Multi-year planning problems for the solver tests: defaults and random per-industry terms."""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.planning._multiyear_problem import build_years_problem

#: ``build_years_problem``'s options as ``allocate_quotas(..., periods=...)`` defaults them
#: (continuous places, so the solver's own answer is compared).
DEFAULTS = dict(keys=["region", "industry"], value="gap", total_budget=None, absorption=1.0,
                capacity=None, min_quota=0, risk="expected", quantile=None,
                surplus_penalty=0.0, integer="none", policy_need=None, need_weights=None,
                capacity_groups=None, budget_envelopes=None, equity=None, tie_tolerance=1e-9)


def years_problem(needs, **options):
    """``build_years_problem(needs, ...)`` with :data:`DEFAULTS` for the options not given."""
    return build_years_problem(needs, **{**DEFAULTS, **options})


def industry_terms(rng, industries: list[str], cost) -> dict:
    """``cost_per_trainee``, and a random ``pass_rate`` and ``exit_rate`` per industry.

    The rates are drawn from ``rng`` in that order (pass rates U(0.5, 1), exit
    rates among 0, 0.05 and 0.2), so a case that calls this where it drew them
    itself keeps its draws.
    """
    n_ind = len(industries)
    return dict(
        cost_per_trainee=pd.DataFrame({"industry": industries, "cost_per_trainee": cost}),
        pass_rate=pd.DataFrame({"industry": industries,
                                "pass_rate": rng.uniform(0.5, 1.0, n_ind)}),
        exit_rate=pd.DataFrame({"industry": industries,
                                "exit_rate": rng.choice([0.0, 0.05, 0.2], n_ind)}))


def two_capacity_groups(rng, industries: list[str], n_regions: int) -> pd.DataFrame:
    """Industries alternately in groups ``g0`` and ``g1``, one random capacity for both."""
    return pd.DataFrame({"group": [f"g{j % 2}" for j in range(len(industries))],
                         "industry": industries,
                         "capacity": rng.uniform(5, 40) * n_regions})


def needs_grid(n_regions: int, n_industries: int, n_periods: int, k: int):
    """Regions ``R0..`` x industries ``t0..`` x need years from 2026 x ``k`` samples.

    Returns ``(needs, industries, funding)``: the grid as a table without its
    ``gap`` column, the industry names and the funding years (from 2025).
    """
    need = [str(y) for y in range(2026, 2026 + n_periods)]
    funding = [str(y) for y in range(2025, 2025 + n_periods)]
    regions = [f"R{i}" for i in range(n_regions)]
    industries = [f"t{j}" for j in range(n_industries)]
    index = pd.MultiIndex.from_product([regions, industries, need, range(k)],
                                       names=["region", "industry", "period", "sample"])
    return index.to_frame(index=False), industries, funding


def tie_deviation(plan) -> float:
    """``sum |q - t_s n|``, the tie rule's measure (``t_s`` from each period's money)."""
    q = plan.quotas
    need_money = (q["need_at_arrival"] * q["cost_per_trainee"]).groupby(q["period"]).transform(
        "sum")
    spent = q["cost"].groupby(q["period"]).transform("sum")
    scale = np.where(need_money > 0, spent / need_money.where(need_money > 0, 1.0), 0.0)
    return float(np.abs(q["quota"] - scale * q["need_at_arrival"]).sum())
