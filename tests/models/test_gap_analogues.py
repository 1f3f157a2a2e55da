"""GapForecaster with declared analogues: demand only, and paths as wide as the analogue's."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning
from talentgap.models import AutoForecaster, GapForecaster, _gap_paths

KEYS = ["region", "industry"]
ANALOGUES = {"industry": {"stream": "a", "ecom": "b"}}
HORIZON = 4
LEVELS = [80, 95]


def new_trades_panel(seed: int) -> pd.DataFrame:
    """Four regions, three established trades and two new ones (1 to 8 quarters of data)."""
    data = tg.datasets.make_synthetic(n_regions=4, industries=["a", "b", "c"],
                                      new_trades=["stream", "ecom"], n_periods=24, seed=seed,
                                      new_trade_start=(16, 23))
    return tg.features.build_panel(data.surveys, data.training, lead_time=1)


def fitted(panel: pd.DataFrame, **params) -> GapForecaster:
    forecaster = AutoForecaster(analogues=ANALOGUES, min_history=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GapForecaster(forecaster=forecaster, n_samples=400, random_state=1,
                             **params).fit(panel)


@pytest.fixture(scope="module")
def model() -> GapForecaster:
    return fitted(new_trades_panel(0))


def analogue_cells(gap: GapForecaster) -> pd.DataFrame:
    inner = gap.demand_model_
    rows = np.flatnonzero(inner.analogue_rows_ >= 0)
    return inner.arrays_.ids.iloc[rows][KEYS].astype(str)


def beside_inner(gap: GapForecaster, horizon: int = HORIZON) -> pd.DataFrame:
    """The gap model's demand bounds next to the demand forecaster's, analogue cells only."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = gap.predict(horizon, level=LEVELS)
        inner = gap.demand_model_.predict(horizon, level=LEVELS)
    for frame in (out, inner):
        frame[KEYS] = frame[KEYS].astype(str)
        frame["period"] = frame["period"].astype(str)
    both = out.merge(inner, on=[*KEYS, "period"])
    return both.merge(analogue_cells(gap), on=KEYS)


def test_only_the_demand_forecaster_uses_the_analogues(model):
    assert model.demand_model_.get_params()["analogues"] == ANALOGUES
    assert model.supply_model_.get_params()["analogues"] is None
    assert (model.supply_model_.analogue_rows_ < 0).all()
    assert len(analogue_cells(model)) >= 4   # the test data has cells that use them
    why = model.explain(HORIZON).astype({k: str for k in KEYS}).merge(
        analogue_cells(model), on=KEYS)
    assert why["demand_model"].str.match(r"analogue industry=[ab] x [0-9.]+ ").all()
    assert why["fallback_reason"].str.contains("forecast from the analogue industry=").all()


@pytest.mark.parametrize("sampling_se", ["demand_se", None])
def test_demand_intervals_contain_the_analogue_interval(sampling_se):
    gap = fitted(new_trades_panel(1), sampling_se=sampling_se)
    both = beside_inner(gap)
    assert len(both) == HORIZON * len(analogue_cells(gap)) > 0
    for level in LEVELS:
        assert (both[f"demand_lo_{level}"] <= both[f"lo_{level}"] + 1e-6).all()
        assert (both[f"demand_hi_{level}"] >= both[f"hi_{level}"] - 1e-6).all()


def factors(model, monkeypatch):
    """Per cell and step: the lower and upper body factors, the tails, and the analogue cells."""
    widened = _gap_paths.simulate(model, HORIZON)
    with monkeypatch.context() as patch:
        patch.setattr(_gap_paths, "analogue_widening",
                      lambda gap, horizon, mean, scale, stretch, *rest: (scale, stretch, None))
        plain = _gap_paths.simulate(model, HORIZON)
    n = len(model.cells_)
    scale, stretch = (np.broadcast_to(np.reshape(plain[name], (n, -1)), (n, HORIZON))
                      for name in ("d_scale", "d_stretch"))
    cells = np.zeros(n, dtype=bool)
    cells[model.demand_.rows[model.demand_model_.analogue_rows_ >= 0]] = True
    np.testing.assert_array_equal(widened["d_scale"][~cells], scale[~cells])
    np.testing.assert_array_equal(widened["d_stretch"][~cells], stretch[~cells])
    np.testing.assert_array_equal(widened["d_tails"][~cells][..., 1::2], 1.0)
    lower = widened["d_scale"] / scale
    upper = lower * widened["d_stretch"] / stretch
    return lower, upper, widened["d_tails"], cells


def test_only_analogue_cells_are_widened_and_the_pool_alone_was_too_narrow(model,
                                                                           monkeypatch):
    lower, upper, tails, cells = factors(model, monkeypatch)
    assert (lower[cells] >= 1).all() and (upper[cells] >= 1).all()
    assert (lower[cells] > 1).any() and (upper[cells] > 1).any()
    slopes = tails[cells][..., 1::2]
    assert (slopes >= 1).all() and (slopes > 1).any()   # heavier tails than the pool's


def test_the_paths_reach_the_bound_where_they_are_widened(model, monkeypatch):
    """Not wider than needed: where a side is widened, its paths sit on the bound.

    The body (scale, stretch) is set at 80%, the tail slope at 95%: there the
    order statistic next to the quantile (the higher one for a lower bound,
    the lower one for an upper bound) equals the forecaster's bound, to
    float32 rounding; elsewhere it lies outside the bound.
    """
    lower, upper, tails, _ = factors(model, monkeypatch)
    paths = model.sample_paths(HORIZON)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inner = model.demand_model_.predict(HORIZON, level=LEVELS)
    rows = np.flatnonzero(model.demand_model_.analogue_rows_ >= 0)
    cells = model.demand_.rows[rows]
    ordered = np.sort(paths.demand[cells].astype(np.float64), axis=2)
    samples = ordered.shape[2]
    size = 1 + np.abs(ordered).max(axis=2)
    grown = 1 + 1e-9   # the factors are products of ratios: 1 to rounding where not widened
    widened = {("lo", 80): lower[cells] > grown, ("hi", 80): upper[cells] > grown,
               ("lo", 95): tails[cells][..., 1] > 1, ("hi", 95): tails[cells][..., 3] > 1}
    for (end, level), where in widened.items():
        sign = -1 if end == "lo" else 1
        position = (0.5 + sign * level / 200) * (samples - 1)
        k = int(np.ceil(position)) if end == "lo" else int(np.floor(position))
        bound = inner[f"{end}_{level}"].to_numpy().reshape(-1, HORIZON)[rows]
        slack = sign * (ordered[:, :, k] - bound) / size   # >= 0: the paths reach it
        assert (slack >= -1e-5).all(), (end, level)
        assert where.any(), (end, level)
        # a lower bound clipped at 0 is reached by any path at 0
        touching = (np.abs(slack) < 1e-5) | ((bound == 0) & (ordered[:, :, k] == 0))
        assert touching[where].all(), (end, level)


def test_a_shorter_horizon_of_a_fixed_span_keeps_per_step_widening():
    gap = fitted(new_trades_panel(0), horizon=HORIZON)
    short = beside_inner(gap, 2)
    full = beside_inner(gap, HORIZON)
    columns = ["demand_lo_80", "demand_hi_80", "demand_lo_95", "demand_hi_95"]
    first = full.groupby(KEYS).head(2).reset_index(drop=True)
    np.testing.assert_allclose(short[columns].to_numpy(), first[columns].to_numpy())


def test_a_declared_value_no_series_has_is_a_warning_naming_it():
    panel = new_trades_panel(0)
    data = panel.dropna(subset=["demand"])[[*KEYS, "period", "demand"]]
    forecaster = AutoForecaster(analogues={"industry": {"stram": "a", "stream": "a"}},
                                min_history=8)
    with pytest.warns(DataQualityWarning, match=r"industry='stram' \(analogue 'a'\)"):
        forecaster.fit(data, target="demand", keys=KEYS)
    assert (forecaster.analogue_rows_ >= 0).any()   # the other declaration is used


def test_with_few_pooled_pairs_both_levels_are_still_contained():
    """Two regions: 10 pooled pairs, so a step's 90% and 97.5% draws can be one value."""
    data = tg.datasets.make_synthetic(n_regions=2, industries=["a"], new_trades=["new"],
                                      n_periods=16, seed=0, new_trade_start=13)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    forecaster = AutoForecaster(analogues={"industry": {"new": "a"}}, min_history=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gap = GapForecaster(forecaster=forecaster, n_samples=200).fit(panel)
    assert gap._simulation(2)["pool_size"] <= 12
    both = beside_inner(gap, 2)
    assert len(both) == 4
    for level in LEVELS:
        assert (both[f"demand_lo_{level}"] <= both[f"lo_{level}"] + 1e-6).all()
        assert (both[f"demand_hi_{level}"] >= both[f"hi_{level}"] - 1e-6).all()


def test_a_saved_model_keeps_the_widened_paths(model, tmp_path):
    model.save(tmp_path / "model")
    loaded = tg.load(tmp_path / "model")
    columns = ["demand", "demand_lo_95", "demand_hi_95", "gap_lo_80", "gap_hi_80"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.testing.assert_frame_equal(loaded.predict(HORIZON, level=LEVELS)[columns],
                                      model.predict(HORIZON, level=LEVELS)[columns])
