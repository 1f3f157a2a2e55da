"""A cell of full length taken to its history class: the flag says why, in fallback_reason."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import collect_warnings
from talentgap.models import GapForecaster
from talentgap.models.baselines import Naive
from talentgap.models.gap_flags import POOLED_SHORT

SPAN = 16  # a plan's simulation: four years of quarters


def panel(n_long: int = 0, seed: int = 0) -> pd.DataFrame:
    """30 random walks of 24 quarters, 2 of 24 quarters whose first 8 are 0, and
    ``n_long`` walks of 48 quarters, all ending in 2024Q4."""
    rng = np.random.default_rng(seed)
    frames = []
    kinds = ["walk"] * 30 + ["late"] * 2 + ["long"] * n_long
    for i, kind in enumerate(kinds):
        length = 48 if kind == "long" else 24
        demand = 200 + np.cumsum(rng.normal(0, 5, length))
        if kind == "late":  # nothing observed to change before the last 16 quarters
            demand = np.concatenate([np.zeros(8), rng.integers(0, 20, 16).astype(float)])
        frames.append(pd.DataFrame({
            "region": "r", "industry": f"{kind}{i:02d}",
            "period": pd.period_range(end="2024Q4", periods=length, freq="Q"),
            "demand": demand, "supply": np.abs(demand) / 4 + 1.0}))
    return pd.concat(frames, ignore_index=True)


def explained(frame: pd.DataFrame):
    gap = GapForecaster(forecaster=Naive(season_length=4), n_samples=50, sampling_se=None,
                        horizon=SPAN).fit(frame)
    with collect_warnings() as caught:
        gap.predict(4)
    why = gap.explain(4)
    return why, [str(w) for w in caught]


def test_full_length_cells_without_a_scale_are_flagged_with_the_reason():
    why, caught = explained(panel())
    late = why["industry"].str.startswith("late")
    short = why["flags"].str.contains("short_history")
    assert short[late].all() and not short[~late].any()
    assert (why.loc[late, "demand_n_obs"] == 24).all()  # as long as every other cell
    reasons = why.loc[late, "fallback_reason"].tolist()
    assert all(r.startswith(f"demand: none of its {SPAN}-step backtests can be scaled")
               and "the 8 of its 24 periods outside each window show no change" in r
               and "; supply: none of its" in r  # its supply, 1 in those quarters, too
               and r.endswith(POOLED_SHORT) for r in reasons), reasons
    assert why.loc[~late, "fallback_reason"].isna().all()
    # one warning, the length in words and the series counted
    narrow = [m for m in caught if "long enough to calibrate the sample paths" in m]
    assert narrow == ["no series is long enough to calibrate the sample paths of series with "
                      "24 observations (2 demand series with 24, 2 supply series with 24); "
                      "their paths use the errors pooled over all series, which are likely too "
                      "narrow for them"]


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_with_longer_series_the_reason_names_the_history_class():
    why, caught = explained(panel(n_long=12))
    late = why["industry"].str.startswith("late")
    assert why.loc[late, "flags"].str.contains("short_history").all()
    assert why.loc[late, "fallback_reason"].str.endswith(
        "they come from windows of 24 periods of longer series").all()
    assert not [m for m in caught if "long enough to calibrate the sample paths" in m]
