"""Places per programme for a gap keyed by occupation (a programme -> occupation crosswalk)."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.errors import PlanningError
from talentgap.planning import allocate_quotas

FORECAST = pd.DataFrame({"region": "Northvale", "period": "2026",
                         "occupation": ["welder", "fitter"], "gap": [30.0, 50.0]})
CROSSWALK = pd.DataFrame({"program": ["welding", "welding", "machining"],
                          "occupation": ["welder", "fitter", "fitter"],
                          "share": [0.6, 0.4, 1.0]})


def test_places_per_programme_close_the_occupation_gaps():
    # 8,000 at 100 a place buys 80 workers: 50 welding places (30 welders, 20 fitters)
    # and 30 machining places (30 fitters) close both gaps.
    plan = allocate_quotas(FORECAST, keys=("region", "occupation"), crosswalk=CROSSWALK,
                           budget=8_000, cost_per_trainee=100, pass_rate=1.0)
    quotas = dict(zip(plan.quotas["program"].astype(str), plan.quotas["quota"], strict=True))
    assert quotas == {"machining": 30, "welding": 50}
    assert plan.quotas.set_index("program").loc["welding", "feeds"] == "welder 60%, fitter 40%"
    after = dict(zip(plan.cells["occupation"].astype(str), plan.cells["gap_after"], strict=True))
    assert after == {"fitter": pytest.approx(0.0), "welder": pytest.approx(0.0)}


def test_occupation_crosswalk_needs_occupation_keys():
    with pytest.raises(PlanningError, match="keys must include 'occupation'"):
        allocate_quotas(FORECAST.rename(columns={"occupation": "industry"}),
                        crosswalk=CROSSWALK, budget=8_000, cost_per_trainee=100, pass_rate=1.0)
