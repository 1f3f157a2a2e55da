"""Tests for talentgap.features.panel.build_panel on simulated data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.datasets import make_synthetic
from talentgap.errors import ParameterError
from talentgap.features import build_panel, estimate_cells, training_supply

KEYS = ["region", "industry"]
LEAD = 2
SURVEY_COLUMNS = [
    "n_respondents", "demand", "demand_se", "shortage_rate", "shortage_rate_se",
    "vacancy_rate", "vacancy_rate_se", "ssv_density", "ssv_density_se", "enterprises",
    "employees", "vacancies", "single_respondent",
]


@pytest.fixture(scope="module")
def data():
    return make_synthetic(n_regions=3, industries=4, n_periods=10, lead_time=LEAD, seed=2)


def _text_keys(df: pd.DataFrame) -> pd.DataFrame:
    """Key and period columns as strings, for joins across different categoricals."""
    return df.assign(**{c: df[c].astype(str) for c in [*KEYS, "period"]})


def _joined(panel: pd.DataFrame, other: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return _text_keys(panel).merge(_text_keys(other)[[*KEYS, "period", *columns]],
                                   on=[*KEYS, "period"], how="left", suffixes=("", "_other"),
                                   validate="one_to_one", indicator=True)


def test_every_cell_period_present_once_and_sorted(data):
    panel = build_panel(data.surveys, data.training, data.employment, lead_time=LEAD)
    periods = pd.period_range(data.surveys["period"].min(), data.surveys["period"].max(),
                              freq="Q")
    cells = _text_keys(data.surveys)[KEYS].drop_duplicates()
    assert len(cells) == 12 and len(periods) == 10
    assert len(panel) == len(cells) * len(periods)
    assert not panel.duplicated([*KEYS, "period"]).any()
    grid = pd.MultiIndex.from_product(
        [sorted(cells["region"].unique()), sorted(cells["industry"].unique()),
         periods.astype(str)], names=[*KEYS, "period"])
    got = pd.MultiIndex.from_frame(_text_keys(panel)[[*KEYS, "period"]])
    assert got.equals(grid)  # complete, in (region, industry, period) order
    for key in KEYS:
        assert isinstance(panel[key].dtype, pd.CategoricalDtype)
        categories = panel[key].cat.categories.tolist()
        assert categories == sorted(categories)
    assert isinstance(panel["period"].dtype, pd.PeriodDtype)
    assert list(panel.columns[:7]) == [*KEYS, "period", "demand", "demand_se", "supply", "gap"]


def test_demand_side_equals_estimate_cells(data):
    panel = build_panel(data.surveys, data.training, lead_time=LEAD)
    cells = estimate_cells(data.surveys, freq="Q")
    joined = _joined(panel, cells, SURVEY_COLUMNS)
    observed = joined["_merge"] == "both"
    assert observed.sum() == len(cells)
    for name in SURVEY_COLUMNS:
        np.testing.assert_array_equal(joined.loc[observed, name].to_numpy(),
                                      joined.loc[observed, f"{name}_other"].to_numpy(),
                                      err_msg=name)
    assert not panel["demand_missing"].any()


def test_missing_survey_cell_period_is_flagged_not_filled(data):
    surveys = data.surveys
    target = (surveys["region"] == "Amberfield") & (surveys["industry"] == "textiles")
    hole = target & (surveys["period"] == pd.Period("2019Q3", freq="Q"))
    assert hole.sum() >= 1
    panel = build_panel(surveys[~hole], data.training, lead_time=LEAD)
    row = (panel["region"] == "Amberfield") & (panel["industry"] == "textiles")
    at = row & (panel["period"] == pd.Period("2019Q3", freq="Q"))
    assert at.sum() == 1
    flagged = panel.loc[at].iloc[0]
    assert flagged["demand_missing"]
    assert np.isnan(flagged["demand"]) and np.isnan(flagged["demand_se"])
    assert np.isnan(flagged["gap"]) and np.isnan(flagged["shortage_rate"])
    assert flagged["n_respondents"] == 0
    assert panel["demand_missing"].sum() == 1
    assert panel.loc[~at, "demand"].notna().all()
    # a cell never surveyed but trained for is still in the panel, all demand missing
    panel = build_panel(surveys[~target], data.training, lead_time=LEAD)
    assert len(panel) == 12 * 10
    assert panel.loc[row, "demand_missing"].all()
    assert panel.loc[row, "supply"].notna().sum() == 10 - LEAD


def test_supply_matches_training_supply_and_arrives_after_lead_time(data):
    panel = build_panel(data.surveys, data.training, lead_time=LEAD)
    supply = training_supply(data.training, freq="Q", lead_time=LEAD)
    joined = _joined(panel, supply, ["supply", "trained", "certified", "pass_rate"])
    arrived = joined["_merge"] == "both"
    for name in ("supply", "trained", "certified", "pass_rate"):
        np.testing.assert_array_equal(joined.loc[arrived, name],
                                      joined.loc[arrived, f"{name}_other"], err_msg=name)
    # independent hand check: supply at t = certified at t - LEAD (absorption 1)
    training = data.training
    by_cell = training.groupby([*KEYS, "period"], observed=True)["certified"].sum()
    first = panel["period"].min()
    for (region, industry, period), certified in by_cell.items():
        if period + LEAD > panel["period"].max():
            continue
        at = ((panel["region"] == region) & (panel["industry"] == industry)
              & (panel["period"] == period + LEAD))
        assert panel.loc[at, "supply"].item() == certified
    # the first LEAD periods of every cell: no cohort has arrived yet
    early = panel["period"] < first + LEAD
    assert panel.loc[early, "supply_missing"].all()
    assert panel.loc[early, "supply"].isna().all()
    assert not panel.loc[~early, "supply_missing"].any()


def test_gap_is_demand_minus_supply(data):
    panel = build_panel(data.surveys, data.training, lead_time=LEAD)
    np.testing.assert_array_equal(panel["gap"], panel["demand"] - panel["supply"])
    assert panel["gap"].isna().sum() == (panel["demand"].isna() | panel["supply"].isna()).sum()
    assert panel["gap"].notna().sum() == 12 * (10 - LEAD)


def test_supply_fill_fills_but_keeps_the_flag(data):
    # one cell-quarter of one cell without training, inside the table's span
    first = data.training[["region", "industry"]].iloc[0]
    hole = ((data.training["region"] == first["region"])
            & (data.training["industry"] == first["industry"])
            & (data.training["period"].astype(str) == str(data.training["period"].iloc[0] + 4)))
    training = data.training[~hole]
    plain = build_panel(data.surveys, training, lead_time=LEAD)
    filled = build_panel(data.surveys, training, lead_time=LEAD, supply_fill=0.0)
    missing = plain["supply_missing"]
    assert missing.sum() == 12 * LEAD + 1
    pd.testing.assert_series_equal(filled["supply_missing"], missing)
    leading = plain["period"] < plain["period"].min() + LEAD
    # before the first training output arrives the table holds no record: not filled
    assert filled.loc[leading, "supply"].isna().all() and filled.loc[leading, "gap"].isna().all()
    inside = missing & ~leading
    assert inside.sum() == 1 and (filled.loc[inside, "supply"] == 0.0).all()
    np.testing.assert_array_equal(filled.loc[~missing, "supply"], plain.loc[~missing, "supply"])
    np.testing.assert_array_equal(filled["gap"], filled["demand"] - filled["supply"])
    assert filled.loc[~leading, "gap"].notna().all()


def test_supply_fill_leaves_a_new_trade_missing_before_it_is_observed():
    data = make_synthetic(n_regions=1, industries=2, n_periods=8, seed=0,
                          new_trades=["ecommerce"], new_trade_start=4)
    panel = build_panel(data.surveys, data.training, lead_time=1, supply_fill=0.0)
    trade = panel[panel["industry"] == "ecommerce"].set_index("period")
    demand_from = trade.index[trade["demand"].notna()].min()
    assert str(demand_from) == "2020Q1" and trade["supply_missing"].sum() == 5
    # before the trade is surveyed: no supply, no gap; from then on 0 until training arrives
    assert trade.loc[trade.index < demand_from, ["supply", "gap"]].isna().all().all()
    assert trade.loc[demand_from, "supply"] == 0.0
    assert trade.loc[demand_from, "gap"] == trade.loc[demand_from, "demand"]
    assert trade.loc[trade.index > demand_from, "supply"].gt(0).all()


def test_without_training_supply_is_missing(data):
    panel = build_panel(data.surveys)
    assert panel["supply"].isna().all() and panel["supply_missing"].all()
    assert panel["gap"].isna().all()


def test_employment_is_joined_and_flagged(data):
    employment = data.employment
    drop = (employment["region"] == "Ashmere") & (employment["period"] == pd.Period("2020Q1",
                                                                                     freq="Q"))
    panel = build_panel(data.surveys, data.training, employment[~drop], lead_time=LEAD)
    joined = _joined(panel, employment[~drop], ["employment", "skilled", "high_skilled"])
    present = joined["_merge"] == "both"
    assert present.sum() == (~drop).sum()
    for name in ("employment", "skilled", "high_skilled"):
        np.testing.assert_array_equal(joined.loc[present, name],
                                      joined.loc[present, f"{name}_other"].astype(float))
        assert joined.loc[~present, name].isna().all()
    np.testing.assert_array_equal(panel["employment_missing"].to_numpy(), ~present.to_numpy())
    assert panel["employment_missing"].sum() == 4  # Ashmere x 4 industries in 2020Q1


def test_employment_of_an_unknown_cell_does_not_land_on_another_cell(data):
    # Regression: an industry absent from surveys and training had category code -1,
    # and the mixed-radix code region*K - 1 pointed at the previous region's last
    # industry, overwriting its employment.
    employment = data.employment
    extra = employment[employment["industry"] == employment["industry"].cat.categories[0]]
    extra = extra.assign(industry="zz_unknown", employment=10**9)
    mixed = pd.concat([employment.astype({"industry": str}),
                       extra.astype({"industry": str})], ignore_index=True)
    panel = build_panel(data.surveys, data.training, mixed, lead_time=LEAD)
    expected = build_panel(data.surveys, data.training, employment, lead_time=LEAD)
    pd.testing.assert_series_equal(panel["employment"], expected["employment"])
    assert (panel["employment"] < 10**9).all()
    assert "zz_unknown" not in panel["industry"].astype(str).tolist()


def test_start_and_end_extend_the_range(data):
    panel = build_panel(data.surveys, data.training, lead_time=LEAD, start="2018Q3",
                        end="2022Q1")
    periods = panel["period"].drop_duplicates()
    assert periods.min() == pd.Period("2018Q3", freq="Q")
    assert periods.max() == pd.Period("2022Q1", freq="Q")
    assert len(periods) == 15 and len(panel) == 12 * 15
    before = panel["period"] < pd.Period("2019Q1", freq="Q")
    after = panel["period"] > pd.Period("2021Q2", freq="Q")
    assert panel.loc[before | after, "demand_missing"].all()
    assert (panel.loc[before | after, "n_respondents"] == 0).all()
    assert not panel.loc[~(before | after), "demand_missing"].any()
    # the last cohorts (2021Q1-Q2) arrive in 2021Q3-Q4, inside the extended range
    late = panel["period"].isin(pd.PeriodIndex(["2021Q3", "2021Q4"], freq="Q"))
    assert panel.loc[late, "supply"].notna().all()


def test_start_and_end_narrow_the_range(data):
    panel = build_panel(data.surveys, data.training, lead_time=LEAD, start="2020Q1",
                        end="2020Q2")
    assert len(panel) == 24
    full = build_panel(data.surveys, data.training, lead_time=LEAD)
    inside = full["period"].isin(panel["period"].unique())
    np.testing.assert_array_equal(panel["demand"], full.loc[inside, "demand"])
    np.testing.assert_array_equal(panel["supply"], full.loc[inside, "supply"])


def test_start_after_end_raises(data):
    with pytest.raises(ParameterError, match="start 2021Q1 is after end 2020Q1"):
        build_panel(data.surveys, start="2021Q1", end="2020Q1")


def test_key_absent_from_employment_raises(data):
    level = np.where(np.arange(len(data.surveys)) % 2 == 0, "basic", "advanced")
    surveys = data.surveys.assign(skill_level=level)
    training = data.training.assign(skill_level="basic")
    with pytest.raises(ParameterError, match="employment table has no column 'skill_level'"):
        build_panel(surveys, training, data.employment, keys=[*KEYS, "skill_level"])


def test_inputs_are_not_mutated(data):
    frames = {"surveys": data.surveys, "training": data.training,
              "employment": data.employment}
    copies = {name: frame.copy(deep=True) for name, frame in frames.items()}
    build_panel(data.surveys, data.training, data.employment, lead_time=LEAD, supply_fill=0.0)
    for name, frame in frames.items():
        pd.testing.assert_frame_equal(frame, copies[name], obj=name)


def test_plain_string_keys_give_the_same_panel(data):
    text = data.surveys.astype({"region": str, "industry": object})
    panel = build_panel(text, data.training, lead_time=LEAD)
    expected = build_panel(data.surveys, data.training, lead_time=LEAD)
    for key in KEYS:  # the same sorted categories (stored as object or str)
        assert panel[key].cat.categories.tolist() == expected[key].cat.categories.tolist()
    as_text = {key: str for key in KEYS}
    pd.testing.assert_frame_equal(panel.astype(as_text), expected.astype(as_text),
                                  check_exact=True)


def test_row_order_does_not_change_the_panel(data):
    shuffled = data.surveys.sample(frac=1.0, random_state=7)
    panel = build_panel(shuffled, data.training, lead_time=LEAD)
    expected = build_panel(data.surveys, data.training, lead_time=LEAD)
    # the same rows summed in another order: equal up to rounding
    pd.testing.assert_frame_equal(panel, expected, check_exact=False, rtol=1e-10, atol=0)


def test_survey_rows_outside_start_end_are_left_out(data):
    periods = data.surveys["period"]
    first, last = periods.min() + 2, periods.max() - 3
    panel = build_panel(data.surveys, start=first, end=last)
    inside = data.surveys[(periods >= first) & (periods <= last)]
    expected = build_panel(inside)
    pd.testing.assert_frame_equal(panel, expected, check_exact=True)
    assert panel["n_respondents"].sum() == len(inside)


# --- a declared sampling design flows through ------------------------------------------

@pytest.fixture(scope="module")
def designed():
    return make_synthetic(n_regions=3, industries=3, n_periods=6, lead_time=LEAD, seed=5,
                          design=True)


def test_design_panel_matches_design_estimates(designed):
    panel = build_panel(designed.surveys, designed.training, lead_time=LEAD,
                        design=designed.design)
    cells = estimate_cells(designed.surveys, design=designed.design)
    joined = _joined(panel, cells, ["demand_se", "vacancy_rate_se", "shortage_rate_se"])
    surveyed = joined[joined["_merge"] == "both"]
    assert len(surveyed) == len(cells)
    for name in ["demand_se", "vacancy_rate_se", "shortage_rate_se"]:
        np.testing.assert_allclose(surveyed[name], surveyed[f"{name}_other"], rtol=1e-12)
    plain = build_panel(designed.surveys, designed.training, lead_time=LEAD)
    np.testing.assert_array_equal(panel["demand"], plain["demand"])
    assert not np.allclose(panel["demand_se"], plain["demand_se"], equal_nan=True)
    longer = build_panel(designed.surveys, end=designed.surveys["period"].max() + 2,
                         design=designed.design)
    unsurveyed = longer["n_respondents"] == 0
    assert unsurveyed.sum() == 2 * 9
    for name in ["demand_se", "vacancy_rate_se", "shortage_rate_se", "ssv_density_se"]:
        assert longer.loc[unsurveyed, name].isna().all()
        assert longer.loc[~unsurveyed, name].notna().all()


def test_design_panel_with_start_end_keeps_design_errors(designed):
    periods = designed.surveys["period"]
    first, last = periods.min() + 1, periods.max() - 1
    panel = build_panel(designed.surveys, start=first, end=last, design=designed.design)
    inside = designed.surveys[(periods >= first) & (periods <= last)]
    expected = build_panel(inside, design=designed.design)
    pd.testing.assert_frame_equal(panel, expected, check_exact=False, rtol=1e-12, atol=0)


def test_shrink_uses_the_design_standard_errors(designed):
    from talentgap.features import shrink

    panel = build_panel(designed.surveys, design=designed.design)
    plain = build_panel(designed.surveys)
    by_design = shrink(panel, target="demand", variance_smoothing=None)
    carried = ["demand_se", "take_all", *(c for c in panel.columns if c.endswith("_df"))]
    by_hand = shrink(plain.assign(**{c: panel[c] for c in carried}), target="demand",
                     variance_smoothing=None)
    expected = by_hand.assign(**{
        c: by_design[c] for c in panel.columns if c.endswith("_se") and c != "demand_se"})
    pd.testing.assert_frame_equal(by_design, expected[by_design.columns])
    assert not np.allclose(by_design["demand_fh"], shrink(plain, target="demand",
                                                          variance_smoothing=None)["demand_fh"])
