"""Tests of talentgap.datasets.make_synthetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talentgap.datasets import SyntheticData, make_synthetic
from talentgap.datasets._synthetic import DEFAULT_INDUSTRIES, REGION_NAMES
from talentgap.errors import ParameterError

__all__: list[str] = []

TABLES = ("surveys", "training", "employment", "truth", "frame", "params")
COLUMNS = {
    "surveys": ["period", "enterprise_id", "region", "industry", "employees", "vacancies",
                "hard_to_fill", "reports_shortage", "weight", "size_band"],
    "training": ["period", "region", "industry", "program", "trained", "certified"],
    "employment": ["period", "region", "industry", "employment", "skilled", "high_skilled"],
    "truth": ["region", "industry", "period", "n_enterprises", "employees", "vacancies",
              "hard_to_fill", "shortage_rate", "demand", "supply", "gap"],
    "frame": ["enterprise_id", "region", "industry", "size_band", "employees"],
}
CELL = ["region", "industry"]
CELL_PERIOD = ["period", "region", "industry"]


@pytest.fixture(scope="module")
def default() -> SyntheticData:
    return make_synthetic(seed=0)


@pytest.fixture(scope="module")
def small() -> SyntheticData:
    return make_synthetic(n_regions=3, industries=3, n_periods=10, lead_time=2, seed=7)


def check_invariants(data: SyntheticData) -> None:
    """The table rules of ARCHITECTURE.md, plus the generator's own promises."""
    s, t, e, truth = data.surveys, data.training, data.employment, data.truth
    for df, cols in ((s, ["employees", "vacancies", "hard_to_fill"]),
                     (t, ["trained", "certified"]),
                     (e, ["employment", "skilled", "high_skilled"]),
                     (truth, ["n_enterprises", "employees", "vacancies", "hard_to_fill",
                              "demand", "supply"])):
        for col in cols:
            assert df[col].dtype == np.int64, col
            assert (df[col] >= 0).all(), col
    assert (s["hard_to_fill"] <= s["vacancies"]).all()
    assert s.loc[s["hard_to_fill"] > 0, "reports_shortage"].all()
    assert (s["weight"] > 0).all() and s["weight"].dtype == np.float64
    assert not s.duplicated(["enterprise_id", "period"]).any()
    assert (t["certified"] <= t["trained"]).all()
    assert (e["skilled"] <= e["employment"]).all()
    assert (e["high_skilled"] <= e["skilled"]).all()
    assert (truth["gap"] == truth["demand"] - truth["supply"]).all()
    assert (truth["demand"] == truth["hard_to_fill"]).all()
    assert truth["shortage_rate"].between(0, 1).all()
    for name in ("surveys", "training", "employment", "truth", "frame"):
        df = getattr(data, name)
        assert df.columns.tolist() == COLUMNS[name]
        assert not df.isna().any().any(), name


def test_same_seed_gives_identical_tables():
    a = make_synthetic(n_regions=2, industries=3, n_periods=6, seed=11)
    b = make_synthetic(n_regions=2, industries=3, n_periods=6, seed=11)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


def test_different_seed_gives_different_tables():
    a = make_synthetic(n_regions=2, industries=3, n_periods=6, seed=11)
    b = make_synthetic(n_regions=2, industries=3, n_periods=6, seed=12)
    assert not a.truth["demand"].equals(b.truth["demand"])
    assert not a.training["trained"].equals(b.training["trained"])


def test_default_tables_follow_the_rules(default):
    check_invariants(default)


def test_dtypes(default):
    s, t, e = default.surveys, default.training, default.employment
    for df in (s, t, e, default.truth):
        assert df["period"].dtype == pd.PeriodDtype("Q")
        assert isinstance(df["region"].dtype, pd.CategoricalDtype)
        assert isinstance(df["industry"].dtype, pd.CategoricalDtype)
    for col in ("enterprise_id", "size_band"):
        assert isinstance(s[col].dtype, pd.CategoricalDtype)
    assert s["size_band"].cat.categories.tolist() == ["small", "medium", "large"]
    assert s["reports_shortage"].dtype == bool
    assert isinstance(t["program"].dtype, pd.CategoricalDtype)
    assert s["enterprise_id"].astype(str).str.fullmatch(r"E\d{7}").all()


def test_rows_are_sorted(default):
    s = default.surveys
    keys = [*CELL_PERIOD, "enterprise_id"]
    assert s.sort_values(keys).index.equals(s.index)
    t = default.training
    assert t.sort_values([*CELL_PERIOD, "program"]).index.equals(t.index)
    assert default.employment.sort_values(CELL_PERIOD).index.equals(default.employment.index)
    assert default.truth.sort_values(CELL_PERIOD).index.equals(default.truth.index)


def test_names_of_regions_industries_and_programmes(default):
    assert default.surveys["region"].cat.categories.tolist() == list(REGION_NAMES[:8])
    assert default.surveys["industry"].cat.categories.tolist() == list(DEFAULT_INDUSTRIES)
    t = default.training
    ind = t["program"].astype(str).str.rsplit("/", n=1).str[0]
    level = t["program"].astype(str).str.rsplit("/", n=1).str[1]
    assert (ind == t["industry"].astype(str)).all()
    assert set(level) == {"basic", "advanced"}
    per_cell = t.groupby(CELL_PERIOD, observed=True).size()
    assert per_cell.between(1, 2).all()


def test_industries_and_regions_beyond_the_named_ones():
    data = make_synthetic(n_regions=26, industries=10, n_periods=1, enterprises_per_cell=5)
    regions = data.truth["region"].cat.categories.tolist()
    industries = data.truth["industry"].cat.categories.tolist()
    assert regions[-3:] == ["Thistlecombe", "region_025", "region_026"]
    assert industries[-3:] == ["industrial_robotics", "industry_09", "industry_10"]
    custom = make_synthetic(n_regions=1, industries=["welding", "nursing"], n_periods=1)
    assert custom.truth["industry"].tolist() == ["welding", "nursing"]


def test_calibration(default):
    s, t, e = default.surveys, default.training, default.employment
    assert 0.6 <= s["reports_shortage"].mean() <= 0.8
    assert 0.6 <= t["certified"].sum() / t["trained"].sum() <= 0.73
    assert e["skilled"].sum() / e["employment"].sum() < 0.30
    assert e["high_skilled"].sum() / e["skilled"].sum() < 0.35


def test_sample_sizes_and_weights(default):
    s, p = default.surveys, default.params
    n = p["n_enterprises"].to_numpy()
    expected = np.minimum(n, np.maximum(1, np.round(0.15 * n)))
    np.testing.assert_array_equal(p["n_sampled"], expected)
    counts = s.groupby(CELL_PERIOD, observed=True).size().rename("n").reset_index()
    merged = counts.merge(p[[*CELL, "n_enterprises", "n_sampled"]], on=CELL)
    assert len(merged) == len(default.truth)
    assert (merged["n"] == merged["n_sampled"]).all()
    weights = s.merge(p[[*CELL, "n_enterprises", "n_sampled"]], on=CELL)
    np.testing.assert_allclose(weights["weight"],
                               weights["n_enterprises"] / weights["n_sampled"])
    assert (p["n_sampled"] == 1).any(), "the default should contain 1-respondent cells"


def test_frame_is_the_register(default):
    f, s, p = default.frame, default.surveys, default.params
    assert f["enterprise_id"].is_unique
    sizes = f.groupby(CELL, observed=True).size().to_numpy()
    np.testing.assert_array_equal(sizes, p["n_enterprises"])
    band = pd.cut(f["employees"], [0, 49, 249, np.inf], labels=["small", "medium", "large"])
    assert (band.astype(str) == f["size_band"].astype(str)).all()
    merged = s.astype({"enterprise_id": str}).merge(f, on="enterprise_id", suffixes=("", "_f"))
    assert len(merged) == len(s)
    for col in ("region", "industry", "size_band"):
        assert (merged[col].astype(str) == merged[f"{col}_f"].astype(str)).all()
    assert np.median(f["employees"]) == pytest.approx(70, rel=0.2)


def test_truth_is_the_population_total():
    # with every enterprise surveyed, the survey totals are the truth
    full = make_synthetic(n_regions=2, industries=2, n_periods=3, sample_fraction=1.0, seed=5)
    assert (full.surveys["weight"] == 1.0).all()
    sums = full.surveys.groupby(CELL_PERIOD, observed=True).agg(
        n=("employees", "size"), employees=("employees", "sum"),
        vacancies=("vacancies", "sum"), hard_to_fill=("hard_to_fill", "sum"),
        shortage_rate=("reports_shortage", "mean"),
    ).reset_index()
    truth = full.truth.sort_values(CELL_PERIOD).reset_index(drop=True)
    np.testing.assert_array_equal(sums["n"], truth["n_enterprises"])
    for col in ("employees", "vacancies", "hard_to_fill", "shortage_rate"):
        np.testing.assert_array_equal(sums[col], truth[col])


def test_weighted_survey_total_is_unbiased(default):
    s = default.surveys
    est = (s["hard_to_fill"] * s["weight"]).groupby(
        [s[c] for c in CELL_PERIOD], observed=True).sum()
    truth = default.truth.set_index(CELL_PERIOD)["demand"]
    est = est.reindex(truth.index)
    assert est.sum() / truth.sum() == pytest.approx(1.0, abs=0.03)
    rate = np.average(s["reports_shortage"], weights=s["weight"])
    pop = np.average(default.truth["shortage_rate"], weights=default.truth["n_enterprises"])
    assert rate == pytest.approx(pop, abs=0.02)


def test_supply_arrives_after_the_lead_time(small):
    lag = 2
    cert = small.training.groupby(CELL_PERIOD, observed=True)["certified"].sum()
    cert = cert.unstack(["region", "industry"]).sort_index()
    supply = small.truth.set_index(CELL_PERIOD)["supply"].unstack(["region", "industry"])
    supply = supply.sort_index()[cert.columns]
    later = supply.iloc[lag:].to_numpy()
    arriving = cert.iloc[:-lag].to_numpy()
    assert (later <= arriving).all()
    absorbed = later.sum(axis=0) / arriving.sum(axis=0)
    params = small.params.set_index(CELL).loc[cert.columns]
    big = arriving.sum(axis=0) > 300
    assert big.sum() >= 3
    np.testing.assert_allclose(absorbed[big], params["absorption"].to_numpy()[big], atol=0.06)
    assert (params["lead_time"] == lag).all()
    # warm-up cohorts: the first periods have supply too
    assert (supply.iloc[:lag].to_numpy() > 0).any()


def test_true_gaps_have_both_signs(default):
    mean_gap = default.truth.groupby(CELL, observed=True)["gap"].mean()
    assert (mean_gap > 0).any() and (mean_gap < 0).any()


@pytest.mark.parametrize(("freq", "m", "first", "last"), [
    ("Y", 1, "2019", "2023"),
    ("M", 12, "2019-01", "2019-05"),
    ("quarterly", 4, "2019Q1", "2020Q1"),
])
def test_frequencies(freq, m, first, last):
    data = make_synthetic(n_regions=2, industries=2, n_periods=5, freq=freq, seed=2)
    check_invariants(data)
    code = {"quarterly": "Q"}.get(freq, freq)
    for name in ("surveys", "training", "employment", "truth"):
        periods = getattr(data, name)["period"]
        assert periods.dtype == pd.PeriodDtype(code)
        assert (str(periods.min()), str(periods.max())) == (first, last)
    assert (data.params["season_length"] == m).all()
    assert (data.params["seasonal_amplitude"] > 0).any() == (m > 1)


def test_start_as_period_and_date_label():
    a = make_synthetic(n_regions=1, industries=1, n_periods=2, start=pd.Period("2021-02", "M"),
                       freq="M")
    assert a.truth["period"].astype(str).tolist() == ["2021-02", "2021-03"]
    b = make_synthetic(n_regions=1, industries=1, n_periods=1, start="2021-08-15", freq="Q")
    assert b.truth["period"].astype(str).tolist() == ["2021Q3"]


def test_seasonality_shows_in_monthly_demand():
    data = make_synthetic(n_regions=5, industries=4, n_periods=60, freq="M", seed=2)
    truth = data.truth
    month_mean = np.log1p(truth["demand"]).groupby(
        [truth["region"], truth["industry"], truth["period"].dt.month], observed=True).mean()
    within_year = month_mean.groupby(level=[0, 1], observed=True).agg(np.ptp)
    amplitude = data.params.set_index(CELL)["seasonal_amplitude"].loc[within_year.index]
    # cells with a larger seasonal amplitude swing more within the year
    assert np.corrcoef(amplitude, within_year)[0, 1] > 0.4


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"n_regions": 0}, "n_regions"),
    ({"n_periods": 2.5}, "n_periods"),
    ({"industries": []}, "industries"),
    ({"industries": ["a", "a"]}, "unique"),
    ({"industries": "textiles"}, "industries"),
    ({"sample_fraction": 0}, "sample_fraction"),
    ({"sample_fraction": 1.5}, "sample_fraction"),
    ({"lead_time": -1}, "lead_time"),
    ({"freq": "W"}, "freq"),
    ({"start": "soon"}, "start"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        make_synthetic(**kwargs)


def test_repr_lists_the_tables(small):
    text = repr(small)
    assert text.startswith("SyntheticData(")
    for name in TABLES:
        assert f"{name}=<DataFrame: " in text


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_regions=st.integers(1, 3),
    n_industries=st.integers(1, 3),
    n_periods=st.integers(1, 5),
    per_cell=st.integers(1, 40),
    fraction=st.floats(0.01, 1.0),
    lead_time=st.integers(0, 3),
    freq=st.sampled_from(["Y", "Q", "M"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_rules_hold_for_any_settings(n_regions, n_industries, n_periods, per_cell, fraction,
                                     lead_time, freq, seed):
    data = make_synthetic(n_regions=n_regions, industries=n_industries, n_periods=n_periods,
                          enterprises_per_cell=per_cell, sample_fraction=fraction,
                          lead_time=lead_time, freq=freq, seed=seed)
    check_invariants(data)
    n_cells = n_regions * n_industries
    assert len(data.truth) == len(data.employment) == n_cells * n_periods
    assert len(data.surveys) == n_periods * data.params["n_sampled"].sum()
    assert len(data.training) == n_periods * data.params["n_programs"].sum()


@pytest.mark.slow
def test_scale_smoke():
    data = make_synthetic(n_regions=100, industries=40, n_periods=40, seed=1)
    p = data.params
    assert len(p) == 4000
    assert len(data.truth) == len(data.employment) == 4000 * 40
    assert len(data.surveys) == 40 * p["n_sampled"].sum()
    assert len(data.training) == 40 * p["n_programs"].sum()
    assert len(data.frame) == p["n_enterprises"].sum()
    assert p["n_enterprises"].mean() == pytest.approx(120, rel=0.1)
    assert data.surveys["enterprise_id"].cat.categories.is_unique
    assert 0.6 <= data.surveys["reports_shortage"].mean() <= 0.8


# --- the optional sampling design ------------------------------------------------------

@pytest.fixture(scope="module")
def designed() -> SyntheticData:
    return make_synthetic(n_regions=3, industries=3, n_periods=4, seed=11, design=True)


def test_design_keeps_the_population_and_truth(designed):
    plain = make_synthetic(n_regions=3, industries=3, n_periods=4, seed=11)
    pd.testing.assert_frame_equal(designed.truth, plain.truth)
    pd.testing.assert_frame_equal(designed.frame, plain.frame)
    assert plain.design is None
    assert designed.design.fpc == "population"
    assert designed.surveys.columns.tolist() == COLUMNS["surveys"] + ["population"]


def test_design_takes_all_large_enterprises_and_weights_add_up(designed):
    frame, surveys = designed.frame, designed.surveys
    strata = ["region", "industry", "size_band"]
    population = frame.groupby(strata, observed=True).size().rename("N")
    per_stratum = surveys.groupby(["period", *strata], observed=True).agg(
        n=("weight", "size"), weights=("weight", "sum"), population=("population", "first"))
    joined = per_stratum.join(population, on=strata)
    assert (joined["population"] == joined["N"]).all()
    np.testing.assert_allclose(joined["weights"], joined["N"], rtol=1e-12)
    large = joined.xs("large", level="size_band")
    assert (large["n"] == large["N"]).all()  # take-all
    other = joined.drop("large", level="size_band")
    assert (other["n"] >= np.minimum(2, other["N"])).all()
    assert (other["n"] < other["N"]).any()


def test_design_intervals_cover_the_true_totals_roughly():
    """Over a few seeds; benchmarks/survey_design_coverage.py runs many."""
    from talentgap.features import estimate_cells

    covered = []
    for seed in range(3):
        data = make_synthetic(n_regions=4, industries=4, n_periods=6, seed=seed, design=True)
        cells = estimate_cells(data.surveys, design=data.design)
        truth = data.truth.set_index([data.truth["region"].astype(str),
                                      data.truth["industry"].astype(str), "period"])
        where = list(zip(cells["region"].astype(str), cells["industry"].astype(str),
                         cells["period"], strict=True))
        for name, true in [("demand", "demand"), ("vacancies", "vacancies"),
                           ("employees", "employees")]:
            error = np.abs(cells[name].to_numpy() - truth.loc[where, true].to_numpy())
            covered.append(error <= 1.96 * cells[f"{name}_se"].to_numpy() + 1e-9)
    share = np.concatenate(covered).mean()
    assert 0.82 <= share <= 0.99


# ---- new trades --------------------------------------------------------------------------------
def test_new_trades_start_part_way_in_every_table():
    data = make_synthetic(n_regions=3, industries=3, n_periods=12, seed=4,
                          new_trades=("live_streaming", "drone_piloting"), new_trade_start=(6, 10))
    assert data.truth["industry"].cat.categories.tolist()[-1] == "drone_piloting"
    first = data.params.set_index(["region", "industry"])["first_period"]
    new = first.index.get_level_values("industry").isin(["live_streaming", "drone_piloting"])
    start = first.min()
    steps = np.array([(p - start).n for p in first])
    assert (steps[~new] == 0).all() and ((steps[new] >= 6) & (steps[new] <= 10)).all()
    for table in (data.truth, data.surveys, data.training, data.employment):
        begins = table.groupby(["region", "industry"], observed=True)["period"].min()
        np.testing.assert_array_equal(begins.to_numpy(), first.loc[begins.index].to_numpy())
    grown = data.truth[data.truth["industry"] == "live_streaming"].groupby(
        "region", observed=True)["vacancies"].agg(lambda v: v.iloc[-1] / max(v.iloc[0], 1))
    assert grown.median() > 1.1


def test_when_every_trade_is_new_each_cell_starts_at_its_first_period():
    data = make_synthetic(n_regions=2, industries=["robotics"], new_trades=["robotics"],
                          new_trade_start=3, n_periods=8, seed=0)
    first = data.params.set_index(["region", "industry"])["first_period"]
    assert (first == pd.Period("2019Q4", freq="Q")).all()   # 3 quarters after the start
    for table in (data.truth, data.surveys, data.training, data.employment):
        begins = table.groupby(["region", "industry"], observed=True)["period"].min()
        np.testing.assert_array_equal(begins.to_numpy(), first.loc[begins.index].to_numpy())
    assert len(data.truth) == 2 * 5     # quarters 2019Q4 .. 2020Q4 of both regions


def test_without_new_trades_the_tables_are_unchanged():
    plain = make_synthetic(n_regions=2, industries=3, n_periods=6, seed=2)
    empty = make_synthetic(n_regions=2, industries=3, n_periods=6, seed=2, new_trades=())
    pd.testing.assert_frame_equal(plain.truth, empty.truth)
    assert (plain.params["first_period"] == plain.truth["period"].min()).all()


@pytest.mark.parametrize("bad", [{"new_trades": "ecommerce"}, {"new_trades": ["a", "a"]},
                                 {"new_trades": ["a"], "new_trade_start": (5, 20)}])
def test_new_trade_arguments_are_checked(bad):
    with pytest.raises(ParameterError, match="new_trade"):
        make_synthetic(n_regions=1, industries=1, n_periods=8, seed=0, **bad)


def test_new_trade_start_accepts_period_labels_as_indices():
    args = dict(n_regions=2, industries=2, n_periods=12, seed=5, new_trades=("textiles",))
    by_index = make_synthetic(**args, new_trade_start=(4, 9))
    by_label = make_synthetic(**args, new_trade_start=("2020Q1", "2021Q2"))
    pd.testing.assert_frame_equal(by_label.truth, by_index.truth)
    one = make_synthetic(**args, new_trade_start="2020Q3")
    first = one.params.set_index(["region", "industry"])["first_period"]
    assert (first.xs("textiles", level="industry") == pd.Period("2020Q3", freq="Q")).all()


@pytest.mark.parametrize(("start", "why"), [
    ("2023Q2", r"period label 2019Q1\.\.2021Q4"),          # after the last period
    ("2020", "annual but the declared frequency is quarterly"),
    ("2020Q1x", "not a recognised label"),
    (2020, r"period index 0\.\.11"),                     # a year is a label, not an index
    (("2021Q1", "2020Q1"), "low <= high"),
    ((1, 2, 3), r"a pair \(low, high\)"),
    (1.5, r"period index 0\.\.11"),
])
def test_bad_new_trade_start_names_the_argument_and_the_forms(start, why):
    with pytest.raises(ParameterError, match=r"new_trade_start == .*" + why):
        make_synthetic(n_regions=1, industries=1, n_periods=12, seed=0,
                       new_trades=("textiles",), new_trade_start=start)
