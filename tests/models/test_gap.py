"""GapForecaster: output contract, joint sample paths, known supply, flags, truth check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import talentgap as tg
from talentgap.errors import DataQualityWarning, NotFittedError, ParameterError, SchemaError
from talentgap.models._gap_explain import fallback_text
from talentgap.models.baselines import Drift, Naive, SeasonalNaive
from talentgap.models.ets import ETS
from talentgap.models.gap import FLAGS, GapForecaster

KEYS = ["region", "industry"]
FREQ = "Q"


def make_panel(demand: np.ndarray, supply: np.ndarray, *, start: str = "2019Q1",
               respondents: np.ndarray | None = None) -> pd.DataFrame:
    """A long panel from (n_cells, n_periods) arrays; cell i is region R<i//10>, industry I<i>."""
    n_cells, n_periods = demand.shape
    periods = pd.period_range(start, periods=n_periods, freq=FREQ)
    cell = np.repeat(np.arange(n_cells), n_periods)
    panel = pd.DataFrame({
        "region": [f"R{i // 10}" for i in cell],
        "industry": [f"I{i:02d}" for i in cell],
        "period": np.tile(periods, n_cells),
        "demand": demand.ravel(),
        "supply": supply.ravel(),
    })
    panel["gap"] = panel["demand"] - panel["supply"]
    if respondents is not None:
        panel["n_respondents"] = respondents.ravel()
    return panel


def random_walks(n_cells: int, n_periods: int, *, level: float, sd: float,
                 seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return level + np.cumsum(rng.normal(0.0, sd, (n_cells, n_periods)), axis=1)


@pytest.fixture(scope="module")
def synthetic_panel() -> pd.DataFrame:
    data = tg.datasets.make_synthetic(n_regions=3, industries=3, n_periods=20, seed=4)
    return tg.features.build_panel(data.surveys, data.training, lead_time=1)


@pytest.fixture(scope="module")
def fitted(synthetic_panel) -> GapForecaster:
    return GapForecaster(n_samples=400).fit(synthetic_panel)


# ---- the output contract --------------------------------------------------------------------
def test_columns_rows_and_periods(fitted, synthetic_panel):
    out = fitted.predict(3, level=[80, 95])
    bounds = [f"{q}_{side}_{lv}" for q in ("demand", "supply") for lv in (80, 95)
              for side in ("lo", "hi")]
    assert list(out.columns) == [*KEYS, "period", "demand", "supply", "gap", "gap_lo_80",
                                 "gap_hi_80", "gap_lo_95", "gap_hi_95", "p_shortage", "flag",
                                 "gap_median", *bounds]
    n_cells = synthetic_panel.groupby(KEYS, observed=True).ngroups
    assert len(out) == n_cells * 3
    assert out.groupby(KEYS, observed=True).size().eq(3).all()
    last = synthetic_panel["period"].max()
    assert fitted.origin_ == last
    assert out["period"].iloc[:3].tolist() == [last + 1, last + 2, last + 3]
    assert not out.drop(columns="flag").isna().any().any()


def test_intervals_nested_and_gap_is_demand_minus_supply(fitted):
    out = fitted.predict(4, level=[80, 95])
    np.testing.assert_allclose(out["gap"], out["demand"] - out["supply"], rtol=0, atol=1e-9)
    assert (out["gap_lo_95"] <= out["gap_lo_80"]).all()
    assert (out["gap_lo_80"] <= out["gap_median"]).all()
    assert (out["gap_median"] <= out["gap_hi_80"]).all()
    assert (out["gap_hi_80"] <= out["gap_hi_95"]).all()
    assert (out["gap_hi_95"] - out["gap_lo_95"] > out["gap_hi_80"] - out["gap_lo_80"]).mean() > .9
    assert out["p_shortage"].between(0, 1).all()
    assert (out[["demand", "supply", "demand_lo_95", "supply_lo_95"]] >= 0).all().all()
    flags = {code for text in out["flag"] for code in text.split(";") if code}
    assert flags <= set(FLAGS)


def test_p_shortage_follows_the_gap():
    # one demand series, three supply levels: well below, equal to and well above demand
    demand = np.repeat(random_walks(1, 24, level=100, sd=5, seed=1), 3, axis=0)
    noise = np.random.default_rng(2).normal(0, 5, (3, 24))
    supply = np.array([[40.0], [100.0], [160.0]]) + noise
    gap = GapForecaster(forecaster=Naive(), n_samples=2000).fit(make_panel(demand, supply))
    p = gap.predict(1)["p_shortage"].to_numpy()
    assert p[0] > 0.95 and p[2] < 0.05
    assert p[0] > p[1] > p[2]


def test_sample_paths_match_predict(fitted):
    out = fitted.predict(2, level=[80])
    paths = fitted.sample_paths(2).to_frame()
    assert list(paths.columns) == [*KEYS, "period", "sample", "demand", "supply", "gap"]
    assert len(paths) == len(out) * fitted.n_samples
    assert (paths[["demand", "supply"]] >= 0).all().all()
    np.testing.assert_allclose(paths["gap"], paths["demand"] - paths["supply"])
    share = (paths.assign(short=paths["gap"] > 0)
             .groupby([*KEYS, "period"], observed=True, sort=False)["short"].mean())
    np.testing.assert_allclose(share.to_numpy(), out["p_shortage"].to_numpy())
    q = (paths.groupby([*KEYS, "period"], observed=True, sort=False)["gap"]
         .quantile([0.1, 0.5, 0.9]).unstack().to_numpy())
    np.testing.assert_allclose(q, out[["gap_lo_80", "gap_median", "gap_hi_80"]].to_numpy())


def test_point_forecasts_are_the_means_of_the_sample_paths(fitted):
    # one distribution: predict's demand, supply and gap are the means of the very paths
    # behind the intervals, p_shortage and the plans, not the inner models' point forecasts
    out = fitted.predict(3, level=[80])
    paths = fitted.sample_paths(3).to_frame()
    means = paths.groupby([*KEYS, "period"], observed=True, sort=False)[
        ["demand", "supply", "gap"]].mean()
    np.testing.assert_allclose(means.to_numpy(), out[["demand", "supply", "gap"]].to_numpy(),
                               rtol=1e-12, atol=1e-9)
    from talentgap.models._gap_paths import simulate
    centre = simulate(fitted, 3)["demand_mean"].ravel()
    assert not np.allclose(out["demand"], centre)  # the paths' mean, not their centre


def test_intervals_are_quantiles_and_need_not_contain_the_mean():
    # small counts clipped at 0 give skewed paths: a narrow central interval of the gap
    # misses its mean in some rows, and it is left as the quantiles say (not widened)
    demand = np.abs(random_walks(10, 20, level=3, sd=2, seed=3))
    supply = np.abs(random_walks(10, 20, level=3, sd=2, seed=4))
    gap = GapForecaster(forecaster=Naive(), n_samples=300).fit(make_panel(demand, supply))
    out = gap.predict(4, level=[10, 80])
    paths = gap.sample_paths(4).to_frame()
    q = (paths.groupby([*KEYS, "period"], observed=True, sort=False)["gap"]
         .quantile([0.45, 0.55]).unstack().to_numpy())
    np.testing.assert_allclose(q, out[["gap_lo_10", "gap_hi_10"]].to_numpy())
    outside = (out["gap"] < out["gap_lo_10"]) | (out["gap"] > out["gap_hi_10"])
    assert outside.any()
    assert (out["gap_median"].between(out["gap_lo_10"], out["gap_hi_10"])).all()


def _plan(table: pd.DataFrame) -> pd.Series:
    return tg.planning.allocate_quotas(table, budget=1000.0, cost_per_trainee=10.0,
                                       pass_rate=0.8, keys=KEYS).summary


def test_plans_from_the_forecast_table_and_from_the_paths_agree():
    # every path of every cell has a shortage: E[max(g, 0)] = E[g] = max(E[g], 0), so the
    # expected shortfall before the plan is the same from the table's gap and the paths
    demand = random_walks(12, 20, level=500, sd=5, seed=14)
    supply = random_walks(12, 20, level=200, sd=5, seed=15)
    gap = GapForecaster(forecaster=Naive(), n_samples=400).fit(make_panel(demand, supply))
    out, paths = gap.predict(2, level=[80]), gap.sample_paths(2).to_frame()
    assert (paths["gap"] > 0).all()
    from_table, from_paths = _plan(out), _plan(paths)
    assert from_table["shortfall_before"] == pytest.approx(from_paths["shortfall_before"],
                                                           rel=1e-12)
    assert from_table["shortfall_before"] == pytest.approx(
        out.loc[out["period"] == out["period"].max(), "gap"].sum(), rel=1e-12)


def test_plans_differ_only_where_paths_cross_zero():
    # gaps near 0: the paths' expected shortfall E[max(g, 0)] exceeds the table's
    # max(E[g], 0) (Jensen) by exactly the cells whose paths cross zero
    demand = random_walks(12, 20, level=100, sd=8, seed=16)
    supply = random_walks(12, 20, level=100, sd=8, seed=17)
    gap = GapForecaster(forecaster=Naive(), n_samples=400).fit(make_panel(demand, supply))
    out, paths = gap.predict(2, level=[80]), gap.sample_paths(2).to_frame()
    last = paths[paths["period"] == paths["period"].max()]
    by_cell = last.groupby(KEYS, observed=True)["gap"]
    crossing = (by_cell.min() < 0) & (by_cell.max() > 0)
    assert crossing.any()
    expected = by_cell.apply(lambda g: g.clip(lower=0).mean()).sum()
    table = out.loc[out["period"] == out["period"].max(), "gap"].clip(lower=0).sum()
    from_table, from_paths = _plan(out), _plan(paths)
    assert from_paths["shortfall_before"] == pytest.approx(expected, rel=1e-9)
    assert from_table["shortfall_before"] == pytest.approx(table, rel=1e-9)
    assert from_paths["shortfall_before"] > from_table["shortfall_before"]


def test_samples_are_clipped_at_zero():
    # small counts: unclipped paths would go well below 0
    demand = np.abs(random_walks(10, 20, level=3, sd=2, seed=3))
    supply = np.abs(random_walks(10, 20, level=3, sd=2, seed=4))
    gap = GapForecaster(forecaster=Naive(), n_samples=300).fit(make_panel(demand, supply))
    paths = gap.sample_paths(4).to_frame()
    assert (paths["demand"] >= 0).all() and (paths["supply"] >= 0).all()
    assert (paths["demand"] == 0).any()



# ---- joint sampling keeps the correlation ---------------------------------------------------
def test_joint_paths_keep_the_correlation_of_demand_and_supply():
    # supply moves exactly with demand (a fixed 30 below): their errors are perfectly
    # correlated and the gap is certain; subtracting separate bounds would not know it
    demand = random_walks(20, 24, level=300, sd=10, seed=5)
    supply = demand - 30.0
    gap = GapForecaster(forecaster=Naive(), n_samples=500).fit(make_panel(demand, supply))
    out = gap.predict(4, level=[80])
    joint = out["gap_hi_80"] - out["gap_lo_80"]
    naive = ((out["demand_hi_80"] - out["supply_lo_80"])
             - (out["demand_lo_80"] - out["supply_hi_80"]))
    assert (naive > 20).all()
    assert (joint < 0.05 * naive).all()
    np.testing.assert_allclose(out["gap"], 30.0)


def test_independent_demand_and_supply_give_wider_gap_intervals_than_either():
    demand = random_walks(30, 24, level=300, sd=10, seed=6)
    supply = random_walks(30, 24, level=300, sd=10, seed=7)
    out = GapForecaster(forecaster=Naive(), n_samples=2000).fit(
        make_panel(demand, supply)).predict(4, level=[80])
    gap_width = (out["gap_hi_80"] - out["gap_lo_80"]).mean()
    demand_width = (out["demand_hi_80"] - out["demand_lo_80"]).mean()
    supply_width = (out["supply_hi_80"] - out["supply_lo_80"]).mean()
    # independent errors: widths add in quadrature, not linearly
    assert gap_width == pytest.approx(np.hypot(demand_width, supply_width), rel=0.15)


# ---- known future supply --------------------------------------------------------------------
def test_known_future_supply_is_used_exactly_without_spread():
    demand = random_walks(10, 20, level=200, sd=8, seed=8)
    supply = random_walks(10, 20, level=150, sd=8, seed=9)
    panel = make_panel(demand, supply)
    origin = panel["period"].max()
    future = pd.DataFrame({"region": "R0", "industry": ["I01", "I01", "I03", "I03"],
                           "period": [origin + 1, origin + 3, origin, origin + 2],
                           "supply": [111.0, 7.5, 999.0, 0.0]})
    gap = GapForecaster(forecaster=Naive(), n_samples=300).fit(panel, future_supply=future)
    out = gap.predict(3, level=[80, 95]).set_index(["industry", "period"])
    for industry, step, value in [("I01", 1, 111.0), ("I01", 3, 7.5), ("I03", 2, 0.0)]:
        row = out.loc[(industry, origin + step)]
        assert row["supply"] == value
        assert row["supply_lo_95"] == value and row["supply_hi_95"] == value
        assert row["gap"] == pytest.approx(row["demand"] - value)
    # not known: I01 at step 2, and I03 at step 1 (its row at the origin itself is ignored);
    # their supply is the mean of paths centred on the naive forecast (the last value)
    assert out.loc[("I03", origin + 1), "supply"] == pytest.approx(supply[3, -1], rel=0.05)
    assert out.loc[("I01", origin + 2), "supply_hi_80"] > out.loc[("I01", origin + 2),
                                                                  "supply_lo_80"]
    paths = gap.sample_paths(3).to_frame()
    spread = paths.groupby(["industry", "period"], observed=True)["supply"].std()
    assert spread.loc[("I01", origin + 1)] == 0 and spread.loc[("I03", origin + 2)] == 0
    assert spread.loc[("I01", origin + 2)] > 0


def test_future_supply_problems():
    panel = make_panel(random_walks(2, 12, level=50, sd=3, seed=1),
                       random_walks(2, 12, level=50, sd=3, seed=2))
    step = panel["period"].max() + 1
    model = GapForecaster(forecaster=Naive(), n_samples=50)
    with pytest.raises(SchemaError, match="'supply'"):
        model.fit(panel, future_supply=pd.DataFrame({"region": ["R0"], "industry": ["I00"],
                                                     "period": [step]}))
    with pytest.raises(SchemaError, match=">= 0"):
        model.fit(panel, future_supply=pd.DataFrame({"region": ["R0"], "industry": ["I00"],
                                                     "period": [step], "supply": [-1.0]}))
    with pytest.raises(SchemaError, match="repeated"):
        model.fit(panel, future_supply=pd.DataFrame({"region": "R0", "industry": "I00",
                                                     "period": [step, step],
                                                     "supply": [1.0, 2.0]}))
    with pytest.warns(DataQualityWarning, match="not in the panel"):
        model.fit(panel, future_supply=pd.DataFrame({"region": ["R9"], "industry": ["I00"],
                                                     "period": [step], "supply": [1.0]}))


# ---- determinism, state, parameters ---------------------------------------------------------
def test_same_random_state_same_paths_other_state_other_paths(synthetic_panel):
    def run(seed):
        return GapForecaster(forecaster=Drift(), n_samples=200, random_state=seed).fit(
            synthetic_panel).predict(4, level=[80])

    first, again, other = run(1), run(1), run(2)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["gap_lo_80"], other["gap_lo_80"])
    # the means are sample means: they differ by Monte Carlo error only, about
    # sqrt(2) x sd / sqrt(n_samples); allow 5 of those (80% width / 2.56 ~ sd)
    sd = (first["gap_hi_80"] - first["gap_lo_80"]) / 2.56
    assert (np.abs(first["gap"] - other["gap"]) <= 5 * np.sqrt(2) * sd / np.sqrt(200)).all()


def test_not_fitted():
    with pytest.raises(NotFittedError, match=r"fit\(panel\)"):
        GapForecaster().predict(4)
    with pytest.raises(NotFittedError, match="sample_paths"):
        GapForecaster().sample_paths(4)


def test_parameters_are_stored_unchanged_and_checked_in_fit(synthetic_panel):
    model = GapForecaster(n_samples=0, keys=["region"])
    assert model.get_params()["n_samples"] == 0
    assert clone(model).get_params()["keys"] == ["region"]
    with pytest.raises(ParameterError, match="n_samples == 0"):
        model.fit(synthetic_panel)
    with pytest.raises(ParameterError, match="keys"):
        GapForecaster(keys="region").fit(synthetic_panel)
    with pytest.raises(ParameterError, match="forecaster"):
        GapForecaster(forecaster="ets").fit(synthetic_panel)
    with pytest.raises(ParameterError, match="n_windows"):
        GapForecaster(forecaster=Naive(n_windows=0)).fit(synthetic_panel)
    with pytest.raises(ParameterError, match="horizon"):
        GapForecaster(forecaster=Naive()).fit(synthetic_panel).predict(0)


def test_panel_problems(synthetic_panel):
    model = GapForecaster(forecaster=Naive())
    with pytest.raises(SchemaError, match="'supply'"):
        model.fit(synthetic_panel.drop(columns="supply"))
    with pytest.raises(SchemaError, match="repeated"):
        model.fit(pd.concat([synthetic_panel, synthetic_panel.iloc[:1]]))
    with pytest.raises(SchemaError, match="no observed value"):
        model.fit(synthetic_panel.assign(demand=np.nan))


def test_input_not_modified(synthetic_panel):
    before = synthetic_panel.copy()
    GapForecaster(forecaster=Naive(), n_samples=20).fit(synthetic_panel).predict(2)
    pd.testing.assert_frame_equal(synthetic_panel, before)


# ---- missing data and fallbacks -------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")  # 3 cells: few errors
def test_cells_without_demand_or_supply_fall_back_with_a_reason():
    demand = random_walks(4, 16, level=80, sd=4, seed=10)
    supply = random_walks(4, 16, level=60, sd=4, seed=11)
    demand[1] = np.nan   # never surveyed
    supply[2] = np.nan   # no training reaches it
    gap = GapForecaster(forecaster=Naive(), n_samples=200).fit(make_panel(demand, supply))
    out = gap.predict(2, level=[80]).set_index("industry")
    assert out.loc["I01", ["demand", "gap", "gap_lo_80", "p_shortage"]].isna().all().all()
    assert out.loc["I01", "flag"].str.contains("no_demand_data").all()
    assert (out.loc["I02", "supply"] == 0).all() and (out.loc["I02", "supply_hi_80"] == 0).all()
    assert out.loc["I02", "flag"].str.contains("no_supply_data").all()
    np.testing.assert_allclose(out.loc["I02", "gap"], out.loc["I02", "demand"])
    assert out.loc[["I00", "I03"]].drop(columns="flag").notna().all().all()
    summary = gap.fitted_summary_.set_index("industry")
    assert "no demand observed" in summary.loc["I01", "fallback_reason"]
    assert "supply taken as 0" in summary.loc["I02", "fallback_reason"]
    assert pd.isna(summary.loc["I00", "fallback_reason"])
    assert summary.loc["I00", "demand_model"] == "Naive"


def test_series_ending_early_is_forecast_to_the_common_periods():
    demand = random_walks(5, 16, level=80, sd=4, seed=12)
    supply = random_walks(5, 16, level=60, sd=4, seed=13)
    demand[0, -2:] = np.nan   # the last two surveys of this cell are missing
    panel = make_panel(demand, supply)
    gap = GapForecaster(forecaster=Drift(), n_samples=100).fit(panel)
    out = gap.predict(2, level=[80])
    origin = panel["period"].max()
    assert out["period"].tolist() == [origin + 1, origin + 2] * 5
    slope = (demand[0, -3] - demand[0, 0]) / 13
    # the paths are centred on the drift line from the cell's own last observation
    from talentgap.models._gap_paths import simulate
    np.testing.assert_allclose(simulate(gap, 2)["demand_mean"][0],
                               demand[0, -3] + slope * np.array([3, 4]))
    paths = gap.sample_paths(2).to_frame()
    np.testing.assert_allclose(out["demand"].iloc[:2],
                               paths.iloc[:200].groupby("period")["demand"].mean())


# ---- flags ----------------------------------------------------------------------------------
def test_flags():
    n_periods = 16
    t = np.arange(n_periods)
    demand = np.vstack([
        100 * 1.05 ** t,                       # I00: rising demand
        np.full(n_periods, 100.0),             # I01: flat, gap persistently positive
        np.full(n_periods, 100.0),             # I02: supply falling
        np.full(n_periods, 100.0),             # I03: thin survey
    ]) + np.random.default_rng(0).normal(0, 0.5, (4, n_periods))
    supply = np.vstack([
        np.full(n_periods, 300.0), np.full(n_periods, 60.0),
        np.r_[np.full(n_periods - 4, 150.0), 140.0, 120.0, 100.0, 80.0],
        np.full(n_periods, 150.0),
    ]) + np.random.default_rng(1).normal(0, 0.5, (4, n_periods))
    respondents = np.full((4, n_periods), 12)
    respondents[3] = 1
    panel = make_panel(demand, supply, respondents=respondents)
    flags = (GapForecaster(forecaster=Drift(), n_samples=100).fit(panel).predict(4)
             .groupby("industry", observed=True)["flag"].last())
    assert flags["I00"] == "rising_demand"
    assert flags["I01"] == "persistent_gap"
    assert flags["I02"] == "falling_supply"
    assert flags["I03"] == "thin_data"


# ---- hierarchy ------------------------------------------------------------------------------
def test_hierarchy_bottom_up_keeps_the_cell_forecasts(synthetic_panel):
    regions = list(synthetic_panel["region"].cat.categories)
    levels = {"region": {r: "north" if i < 2 else "south" for i, r in enumerate(regions)}}

    def run(**params):
        # ETS is not linear in the data (Drift or Naive forecasts would add up already)
        return GapForecaster(forecaster=ETS(), n_samples=100, **params).fit(
            synthetic_panel).predict(2)

    plain = run()
    pd.testing.assert_frame_equal(plain, run(hierarchy=levels, reconcile="bottom_up"))
    ols = run(hierarchy=levels, reconcile="ols")
    assert not np.allclose(ols["demand"], plain["demand"])
    assert (ols[["demand", "supply"]] >= 0).all().all()
    np.testing.assert_allclose(ols["gap"], ols["demand"] - ols["supply"])
    with pytest.raises(ParameterError, match="reconcile"):
        GapForecaster(hierarchy=levels, reconcile="magic").fit(synthetic_panel)


def hierarchy_panel() -> pd.DataFrame:
    """2 regions x 3 industries, 16 quarters. Demand of (R1, I02) falls towards 0, so its
    Drift forecast is clipped at 0 while the totals above it are not: the base forecasts of
    the nodes do not add up (Drift forecasts of unclipped sums would)."""
    demand = random_walks(6, 16, level=80, sd=4, seed=11)
    demand[5] = np.linspace(60, 4, 16) + np.random.default_rng(12).normal(0, 1, 16)
    supply = random_walks(6, 16, level=70, sd=4, seed=13)
    panel = make_panel(demand, supply)
    cell = np.repeat(np.arange(6), 16)
    panel["region"] = [f"R{i // 3}" for i in cell]
    panel["industry"] = [f"I{i % 3:02d}" for i in cell]
    return panel


HIERARCHY_LEVELS = {"industry": {"I00": "A", "I01": "A", "I02": "B"}}


@pytest.fixture(scope="module")
def hierarchy_runs():
    """predict(3) of a GapForecaster per reconcile method, with reconcile's input and output
    for demand and supply."""
    from talentgap.models import _gap_paths, reconciliation

    panel, runs, real = hierarchy_panel(), {}, reconciliation.reconcile
    with pytest.MonkeyPatch.context() as patch:
        for method in reconciliation.METHODS:
            calls = []

            def spy(forecasts, *args, calls=calls, **kwargs):
                calls.append((forecasts, real(forecasts, *args, **kwargs)))
                return calls[-1][1]

            patch.setattr(_gap_paths, "reconcile", spy)  # where the gap model calls it
            gap = GapForecaster(forecaster=Drift(n_windows=8), hierarchy=HIERARCHY_LEVELS,
                                reconcile=method, n_samples=200).fit(panel)
            runs[method] = (gap, gap.predict(3, level=[80, 95]), calls)
    return runs


@pytest.mark.parametrize("method", ["bottom_up", "top_down", "ols", "wls_struct", "wls_var",
                                    "mint_shrink"])
def test_hierarchy_every_method_cells_add_up_to_the_reconciled_totals(hierarchy_runs, method):
    gap, out, calls = hierarchy_runs[method]
    hierarchy = gap.hierarchy_
    assert hierarchy.n_bottom == 6 and hierarchy.n_nodes == 18
    assert [result.method for _, result in calls] == [method, method]  # demand, supply
    nodes = pd.MultiIndex.from_frame(hierarchy.nodes[hierarchy.node_columns])

    def by_node(frame):
        table = frame.pivot_table(index=hierarchy.node_columns, columns="period",
                                  values="mean", sort=False)
        return table.reindex(nodes).to_numpy()

    from talentgap.models._gap_paths import simulate
    centres = simulate(gap, 3)
    where = hierarchy.cell_positions(gap.cells_)
    for quantity, (_, result) in zip(("demand", "supply"), calls, strict=True):
        totals = by_node(result.forecasts)
        cells = np.empty((6, 3))
        cells[where] = centres[f"{quantity}_mean"]
        # the paths are centred on the reconciled bottom values, which add up to every node
        np.testing.assert_allclose(cells, totals[:6], rtol=0, atol=1e-6)
        np.testing.assert_allclose(hierarchy.S @ cells, totals, rtol=0, atol=1e-6)
        assert (cells >= 0).all()
    base = by_node(calls[0][0])  # demand: the clipped cell made the base forecasts incoherent
    assert np.abs(hierarchy.S @ base[:6] - base).max() > 1.0


@pytest.mark.parametrize("method", ["bottom_up", "top_down", "ols", "wls_struct", "wls_var",
                                    "mint_shrink"])
def test_hierarchy_every_method_keeps_the_output_contract(hierarchy_runs, method):
    _, out, _ = hierarchy_runs[method]
    assert len(out) == 6 * 3 and not out.drop(columns="flag").isna().any().any()
    np.testing.assert_allclose(out["gap"], out["demand"] - out["supply"], rtol=0, atol=1e-9)
    assert (out["gap_lo_95"] <= out["gap_lo_80"]).all()
    assert (out["gap_lo_80"] <= out["gap_hi_80"]).all()
    assert (out["gap_hi_80"] <= out["gap_hi_95"]).all()
    assert out["p_shortage"].between(0, 1).all()


def test_hierarchy_methods_differ_where_the_base_forecasts_disagree(hierarchy_runs):
    demand = {m: run[1]["demand"].to_numpy() for m, run in hierarchy_runs.items()}
    # the falling cell's base forecast is clipped: the other methods move the cells
    for method in ["top_down", "ols", "wls_struct", "wls_var", "mint_shrink"]:
        assert not np.allclose(demand[method], demand["bottom_up"]), method


@pytest.mark.parametrize("method", ["wls_var", "mint_shrink"])
def test_hierarchy_cell_with_exact_backtests_gets_a_finite_weight(method):
    # a thin cell at 0 throughout: its backtest errors, and those of the sector node B that
    # holds only it, are all 0. Drift forecasts then add up, so nothing should move.
    panel = hierarchy_panel()
    panel.loc[panel["region"].eq("R1") & panel["industry"].eq("I02"), "demand"] = 0.0

    def run(reconcile):
        return GapForecaster(forecaster=Drift(n_windows=8), hierarchy=HIERARCHY_LEVELS,
                             reconcile=reconcile, n_samples=100).fit(panel).predict(2)

    with pytest.warns(DataQualityWarning, match="residuals are all zero for 2 nodes"):
        out = run(method)
    np.testing.assert_allclose(out["demand"], run("bottom_up")["demand"], rtol=0, atol=1e-6)
    assert not out.drop(columns="flag").isna().any().any()


def test_hierarchy_unknown_reconcile_method_is_named():
    with pytest.raises(ParameterError, match=r"reconcile == 'mint', must be one of "
                                             r"\['bottom_up', 'top_down', 'ols', "):
        GapForecaster(forecaster=Drift(), hierarchy=HIERARCHY_LEVELS,
                      reconcile="mint").fit(hierarchy_panel())


# ---- truth check ----------------------------------------------------------------------------
def _mase(actual: np.ndarray, forecast: np.ndarray, scale: np.ndarray) -> float:
    """Mean over cells of mean |actual - forecast| / scale; arrays (n_cells, h)."""
    return float(np.mean(np.abs(actual - forecast).mean(axis=1) / scale))


def test_truth_check_on_synthetic_data():
    # measured (seed 0): 80% coverage 0.83, 95% 0.95; MASE 1.23 vs seasonal naive 1.55
    data = tg.datasets.make_synthetic(n_regions=6, n_periods=28, lead_time=1, seed=0)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    cut = panel["period"].max() - 4
    train = panel[panel["period"] <= cut]
    out = GapForecaster().fit(train).predict(4, level=[80, 95])
    truth = data.truth[data.truth["period"] > cut][[*KEYS, "period", "gap"]]
    merged = out.merge(truth.rename(columns={"gap": "true_gap"}), on=[*KEYS, "period"],
                       validate="1:1")
    assert len(merged) == 48 * 4
    y = merged["true_gap"]
    coverage80 = ((y >= merged["gap_lo_80"]) & (y <= merged["gap_hi_80"])).mean()
    coverage95 = ((y >= merged["gap_lo_95"]) & (y <= merged["gap_hi_95"])).mean()
    assert 0.70 <= coverage80 <= 0.90, coverage80
    assert 0.88 <= coverage95 <= 0.99, coverage95

    naive = SeasonalNaive().fit(train, target="gap", keys=KEYS).predict(4)
    merged = merged.merge(naive, on=[*KEYS, "period"], validate="1:1")
    # MASE scale: mean seasonal (lag 4) change of each cell's true gap before the cut
    history = data.truth[data.truth["period"] <= cut]
    lagged = history.groupby(KEYS, observed=True)["gap"].diff(4).abs()
    scale = lagged.groupby([history[k].astype(str) for k in KEYS]).mean().rename("scale")
    merged = merged.merge(scale.reset_index(), left_on=[merged[k].astype(str) for k in KEYS],
                          right_on=KEYS, suffixes=("", "_s"))
    actual = merged["true_gap"].to_numpy().reshape(48, 4)
    cell_scale = merged["scale"].to_numpy().reshape(48, 4)[:, 0]
    ours = _mase(actual, merged["gap"].to_numpy().reshape(48, 4), cell_scale)
    baseline = _mase(actual, merged["mean"].to_numpy().reshape(48, 4), cell_scale)
    assert ours < baseline, (ours, baseline)


# ---- explanations ---------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")  # 3 cells: few errors
def test_explain_names_models_fallbacks_history_and_flags():
    demand = random_walks(4, 16, level=80, sd=4, seed=10)
    supply = random_walks(4, 16, level=60, sd=4, seed=11)
    demand[1] = np.nan   # never surveyed
    supply[2] = np.nan   # no training reaches it
    demand[3, :6] = np.nan  # surveyed for the last 10 periods only
    gap = GapForecaster(forecaster=Naive(), n_samples=100).fit(make_panel(demand, supply))
    why = gap.explain(2).set_index("industry")
    assert list(why.columns) == ["region", "demand_model", "supply_model", "demand_n_obs",
                                 "supply_n_obs", "fallback_reason", "flags"]
    assert why.loc["I00", "demand_model"] == "Naive" and why.loc["I01", "demand_model"] == "none"
    assert why.loc["I02", "supply_model"] == "zero"
    assert why["demand_n_obs"].tolist() == [16, 0, 16, 10]
    assert "no demand observed" in why.loc["I01", "fallback_reason"]
    assert "supply taken as 0" in why.loc["I02", "fallback_reason"]
    assert pd.isna(why.loc["I00", "fallback_reason"])
    assert why.loc["I01", "flags"].split(";") == ["thin_data", "no_demand_data"]
    assert "no_supply_data" in why.loc["I02", "flags"].split(";")
    # a cell's flags are the codes raised in any forecast period
    rows = gap.predict(2).groupby("industry", observed=True)["flag"].agg(
        lambda f: sorted({c for text in f for c in text.split(";") if c}))
    for industry, codes in rows.items():
        assert sorted(c for c in why.loc[industry, "flags"].split(";") if c) == codes


def test_explain_reports_inner_fallbacks_with_their_quantity():
    summary = pd.DataFrame({"fallback_reason": [None, "no supply observed", None],
                            "demand_fallback": ["too short: naive", None, None],
                            "supply_fallback": [None, None, "all zero"]})
    text = fallback_text(summary)
    assert text.tolist() == ["demand: too short: naive", "no supply observed",
                             "supply: all zero"]


def test_gap_drivers_add_up_to_the_change_in_gap():
    demand = random_walks(6, 16, level=300, sd=10, seed=20)
    supply = random_walks(6, 16, level=200, sd=10, seed=21)
    demand[0, -2:] = np.nan  # its last observation is two periods before the origin
    panel = make_panel(demand, supply)
    gap = GapForecaster(forecaster=Drift(), n_samples=200).fit(panel)
    out = gap.predict(3, level=[80])
    drivers = gap.gap_drivers(3)
    last = out[out["period"] == out["period"].max()].reset_index(drop=True)
    np.testing.assert_allclose(drivers["gap_then"], last["gap"])
    np.testing.assert_allclose(drivers["gap_then"] - drivers["gap_now"],
                               drivers["due_to_demand"] + drivers["due_to_supply"])
    np.testing.assert_allclose(drivers["gap_now"].iloc[1:], demand[1:, -1] - supply[1:, -1])
    origin = panel["period"].max()
    assert drivers["last_observed"].tolist() == [origin - 2] + [origin] * 5
    assert drivers.loc[0, "gap_now"] == pytest.approx(demand[0, -3] - supply[0, -3])
    np.testing.assert_allclose(drivers["due_to_supply"],
                               np.r_[supply[0, -3], supply[1:, -1]] - last["supply"])
    first = gap.gap_drivers(3, period=origin + 1)
    assert (first["period"] == origin + 1).all()
    with pytest.raises(ParameterError, match="not one of the 3 forecast periods"):
        gap.gap_drivers(3, period=origin + 4)
    with pytest.raises(NotFittedError, match="explain"):
        GapForecaster().explain(2)


# ---- predicting a subset of cells -----------------------------------------------------------
def test_predict_for_some_cells_equals_their_rows_of_the_full_forecast(fitted):
    full = fitted.predict(3, level=[80, 95])
    wanted = fitted.cells_.iloc[[4, 1]].reset_index(drop=True)
    some = fitted.predict(3, level=[80, 95], cells=wanted.assign(extra=1.0))
    rows = np.concatenate([np.arange(12, 15), np.arange(3, 6)])
    pd.testing.assert_frame_equal(some, full.iloc[rows].reset_index(drop=True))


def test_predict_for_an_unknown_cell_names_it(fitted):
    bad = pd.DataFrame({"region": ["Atlantis"], "industry": [fitted.cells_["industry"].iloc[0]]})
    with pytest.raises(ParameterError, match="Atlantis"):
        fitted.predict(2, cells=bad)
    with pytest.raises(ParameterError, match="key columns"):
        fitted.predict(2, cells=bad[["region"]])
