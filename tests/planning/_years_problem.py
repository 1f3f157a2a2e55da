"""A multi-year planning problem with every option at its default, for the solver tests."""

from __future__ import annotations

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
