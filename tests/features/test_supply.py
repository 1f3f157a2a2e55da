"""Tests of talentgap.features.supply: training supply and pass rates."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talentgap.errors import ParameterError, SchemaError
from talentgap.features.supply import pass_rates, training_supply
from talentgap.schema import validate

OUTPUT_COLUMNS = ["trained", "certified", "pass_rate", "supply", "n_programs"]


@pytest.fixture
def quarterly() -> pd.DataFrame:
    """Two regions, two industries, three programmes, two quarters (hand-checkable)."""
    return pd.DataFrame({
        "period": ["2024Q3", "2024Q4", "2024Q4", "2024Q4", "2024Q3"],
        "region": ["North", "North", "North", "South", "South"],
        "industry": ["textiles", "textiles", "construction", "textiles", "textiles"],
        "program": ["sewing", "sewing", "welding", "sewing", "sewing"],
        "trained": [100, 50, 40, 10, 0],
        "certified": [80, 30, 20, 5, 0],
    })


def _rows(out: pd.DataFrame, keys=("region", "industry")) -> dict:
    """``{(key values..., 'period'): row dict}`` for easy look-ups."""
    index = [tuple(str(v) for v in r) for r in out[[*keys, "period"]].itertuples(index=False)]
    return dict(zip(index, out[OUTPUT_COLUMNS].to_dict("records"), strict=True))


# --------------------------------------------------------------------------- lead time


def test_lead_time_shifts_quarters_across_the_year_end(quarterly):
    out = training_supply(quarterly, lead_time=1, absorption=0.5)
    assert out.columns.tolist() == ["region", "industry", "period", *OUTPUT_COLUMNS]
    got = _rows(out)
    assert list(got) == [
        ("North", "construction", "2025Q1"),
        ("North", "textiles", "2024Q4"),
        ("North", "textiles", "2025Q1"),
        ("South", "textiles", "2024Q4"),
        ("South", "textiles", "2025Q1"),
    ]
    assert got["North", "textiles", "2024Q4"]["supply"] == 40.0  # 80 certified in Q3
    assert got["North", "textiles", "2025Q1"]["supply"] == 15.0  # 30 certified in Q4
    assert got["North", "construction", "2025Q1"]["supply"] == 10.0
    assert got["South", "textiles", "2025Q1"]["supply"] == 2.5
    assert got["South", "textiles", "2025Q1"]["pass_rate"] == 0.5
    assert np.isnan(got["South", "textiles", "2024Q4"]["pass_rate"])  # nobody trained
    assert out["period"].dtype == pd.PeriodDtype("Q")
    assert isinstance(out["region"].dtype, pd.CategoricalDtype)
    assert isinstance(out["industry"].dtype, pd.CategoricalDtype)
    assert out["supply"].dtype == np.float64
    assert out["n_programs"].dtype == np.int64


def test_lead_time_shifts_annual_periods():
    training = pd.DataFrame({
        "period": ["2023", "2024"], "region": ["North", "North"],
        "industry": ["textiles", "textiles"], "trained": [10, 20], "certified": [8, 12],
    })
    out = training_supply(training, lead_time=2, freq="Y")
    assert out["period"].astype(str).tolist() == ["2025", "2026"]
    assert out["supply"].tolist() == [8.0, 12.0]
    assert out["pass_rate"].tolist() == [0.8, 0.6]
    assert out["n_programs"].tolist() == [1, 1]  # no program column: training rows


def test_no_lead_time_and_full_absorption_give_certified(quarterly):
    out = training_supply(quarterly)
    assert out["supply"].tolist() == out["certified"].tolist()
    assert out["supply"].sum() == quarterly["certified"].sum()
    assert out["period"].astype(str).tolist() == ["2024Q4", "2024Q3", "2024Q4", "2024Q3",
                                                  "2024Q4"]


def test_cohorts_arriving_together_are_summed_and_programmes_counted(quarterly):
    # sewing trained in Q3 with lead 1 and welding trained in Q4 with lead 0 both reach
    # the North cell in Q4 once the cell key is the region only
    lead = pd.DataFrame({"program": ["sewing", "welding"], "lead_time": [1, 0]})
    extra = pd.DataFrame({  # a second sewing cohort in North Q3
        "period": ["2024Q3"], "region": ["North"], "industry": ["textiles"],
        "program": ["sewing"], "trained": [20], "certified": [10],
    })
    training = pd.concat([quarterly, extra], ignore_index=True)
    out = training_supply(training, keys=("region",), lead_time=lead)
    row = out[(out["region"] == "North") & (out["period"] == pd.Period("2024Q4"))].iloc[0]
    assert row["trained"] == 100 + 20 + 40
    assert row["certified"] == 80 + 10 + 20
    assert row["supply"] == 110.0
    assert row["n_programs"] == 2  # two sewing cohorts count as one programme


def test_per_cell_lead_time_table(quarterly):
    lead = pd.DataFrame({
        "region": ["North", "North", "South"],
        "industry": ["textiles", "construction", "textiles"],
        "lead_time": [1, 3, 0],
    })
    got = _rows(training_supply(quarterly, lead_time=lead))
    assert got["North", "textiles", "2024Q4"]["supply"] == 80.0
    assert got["North", "textiles", "2025Q1"]["supply"] == 30.0
    assert got["North", "construction", "2025Q3"]["supply"] == 20.0  # 2024Q4 + 3
    assert got["South", "textiles", "2024Q4"]["supply"] == 5.0  # lead 0
    assert len(got) == 5


def test_lead_time_table_on_a_subset_of_keys_and_whole_floats(quarterly):
    lead = pd.DataFrame({"region": ["South", "North"], "lead_time": [2.0, 1.0]})
    got = _rows(training_supply(quarterly, lead_time=lead))
    assert got["South", "textiles", "2025Q2"]["supply"] == 5.0
    assert got["North", "construction", "2025Q1"]["supply"] == 20.0


def test_per_programme_lead_time(quarterly):
    lead = pd.DataFrame({"program": ["welding", "sewing"], "lead_time": [4, 0]})
    got = _rows(training_supply(quarterly, lead_time=lead))
    assert got["North", "construction", "2025Q4"]["supply"] == 20.0
    assert got["North", "textiles", "2024Q3"]["supply"] == 80.0


# --------------------------------------------------------------------------- absorption


def test_per_cell_absorption_table(quarterly):
    absorption = pd.DataFrame({
        "region": ["South", "North", "North", "East"],  # East: unused rows are fine
        "industry": ["textiles", "textiles", "construction", "textiles"],
        "absorption": [0.2, 0.75, 0.5, 1.0],
    })
    got = _rows(training_supply(quarterly, absorption=absorption))
    assert got["North", "textiles", "2024Q3"]["supply"] == 60.0  # 80 x 0.75
    assert got["North", "textiles", "2024Q4"]["supply"] == 22.5  # 30 x 0.75
    assert got["North", "construction", "2024Q4"]["supply"] == 10.0
    assert got["South", "textiles", "2024Q4"]["supply"] == 1.0
    assert got["North", "textiles", "2024Q4"]["certified"] == 30.0  # absorption: supply only


def test_absorption_table_with_categorical_keys_of_other_categories(quarterly):
    absorption = pd.DataFrame({
        "industry": pd.Categorical(["textiles", "construction"],
                                   categories=["welding", "construction", "textiles"]),
        "absorption": [0.5, 0.25],
    })
    out = training_supply(quarterly, absorption=absorption)
    assert out["supply"].sum() == pytest.approx(0.5 * 115 + 0.25 * 20)


# --------------------------------------------------------------------------- crosswalk


@pytest.fixture
def crosswalk() -> pd.DataFrame:
    return pd.DataFrame({
        "program": ["sewing", "welding", "welding"],
        "industry": ["textiles", "construction", "general_equipment"],
        "share": [1.0, 0.7, 0.3],
    })


def test_crosswalk_splits_a_programme_over_two_industries(quarterly, crosswalk):
    out = training_supply(quarterly, crosswalk=crosswalk, absorption=0.5)
    got = _rows(out)
    construction = got["North", "construction", "2024Q4"]
    equipment = got["North", "general_equipment", "2024Q4"]
    assert construction["supply"] == pytest.approx(0.7 * 20 * 0.5)
    assert equipment["supply"] == pytest.approx(0.3 * 20 * 0.5)
    assert construction["trained"] == pytest.approx(28.0)
    assert equipment["certified"] == pytest.approx(6.0)
    assert equipment["pass_rate"] == pytest.approx(0.5)
    assert equipment["n_programs"] == 1
    # total supply is conserved, and new industries are appended to the categories
    plain = training_supply(quarterly, absorption=0.5)
    assert out["supply"].sum() == pytest.approx(plain["supply"].sum())
    assert out["industry"].cat.categories.tolist() == ["construction", "textiles",
                                                       "general_equipment"]


def test_crosswalk_replaces_the_recorded_industry(quarterly):
    # sewing recorded under textiles but feeding clothing only
    crosswalk = pd.DataFrame({"program": ["sewing", "welding"],
                              "industry": ["clothing", "construction"], "share": [1.0, 1.0]})
    out = training_supply(quarterly, crosswalk=crosswalk)
    assert set(out["industry"].astype(str)) == {"clothing", "construction"}
    assert out.loc[out["industry"] == "clothing", "supply"].sum() == 80 + 30 + 5


def test_crosswalk_with_absorption_by_destination_industry(quarterly, crosswalk):
    absorption = pd.DataFrame({
        "industry": ["textiles", "construction", "general_equipment"],
        "absorption": [1.0, 0.5, 0.25],
    })
    got = _rows(training_supply(quarterly, crosswalk=crosswalk, absorption=absorption))
    assert got["North", "construction", "2024Q4"]["supply"] == pytest.approx(20 * 0.7 * 0.5)
    assert got["North", "general_equipment", "2024Q4"]["supply"] == pytest.approx(
        20 * 0.3 * 0.25)


def test_crosswalk_tolerates_rounding_but_not_more(quarterly):
    near = pd.DataFrame({"program": ["sewing", "welding", "welding"],
                         "industry": ["textiles", "a", "b"], "share": [1.0, 0.1 + 0.2, 0.7]})
    out = training_supply(quarterly, crosswalk=near)  # 0.1 + 0.2 + 0.7 != 1 in floats
    assert out["supply"].sum() == pytest.approx(135.0)
    off = near.assign(share=[1.0, 0.3, 0.7 + 2e-6])
    with pytest.raises(SchemaError, match="program='welding' sums to 1.000002"):
        training_supply(quarterly, crosswalk=off)


# --------------------------------------------------------------------------- pass rates


def test_pass_rates_pooled_over_periods(quarterly):
    out = pass_rates(quarterly)
    assert out.columns.tolist() == ["region", "industry", "trained", "certified",
                                    "raw_pass_rate", "pass_rate"]
    assert out["trained"].tolist() == [40, 150, 10]
    assert out["certified"].tolist() == [20, 110, 5]
    np.testing.assert_allclose(out["pass_rate"], [0.5, 110 / 150, 0.5])
    np.testing.assert_array_equal(out["pass_rate"], out["raw_pass_rate"])
    assert isinstance(out["region"].dtype, pd.CategoricalDtype)


def test_pass_rates_shrink_toward_the_overall_rate(quarterly):
    out = pass_rates(quarterly, prior_strength=20)
    p0 = 135 / 200
    expected = [(20 + 20 * p0) / 60, (110 + 20 * p0) / 170, (5 + 20 * p0) / 30]
    np.testing.assert_allclose(out["pass_rate"], expected)
    # the small cell moves most: from 0.5 to (5 + 13.5) / 30
    assert out["pass_rate"].iloc[2] == pytest.approx(18.5 / 30)
    np.testing.assert_allclose(out["raw_pass_rate"], [0.5, 110 / 150, 0.5])


def test_pass_rates_without_trainees_and_overall(quarterly):
    training = quarterly.assign(industry=["textiles", "textiles", "welding", "textiles", "x"])
    out = pass_rates(training, prior_strength=5).set_index("industry")
    assert np.isnan(out.loc["x", "raw_pass_rate"])
    assert out.loc["x", "pass_rate"] == pytest.approx(135 / 200)  # the prior mean
    assert np.isnan(pass_rates(training).set_index("industry").loc["x", "pass_rate"])
    overall = pass_rates(quarterly, keys=())
    assert overall[["trained", "certified"]].to_numpy().tolist() == [[200, 135]]
    assert pass_rates(quarterly, keys=("program",))["pass_rate"].tolist() == [115 / 160, 0.5]


@pytest.mark.parametrize("strength", [-1, float("nan"), float("inf"), "5", True])
def test_pass_rates_reject_bad_prior_strength(quarterly, strength):
    with pytest.raises(ParameterError, match="prior_strength"):
        pass_rates(quarterly, prior_strength=strength)


# --------------------------------------------------------------------------- errors


def test_missing_cell_in_absorption_table_is_named(quarterly):
    absorption = pd.DataFrame({"region": ["North", "North"],
                               "industry": ["textiles", "construction"],
                               "absorption": [0.8, 0.9]})
    with pytest.raises(ParameterError, match="region='South', industry='textiles'"):
        training_supply(quarterly, absorption=absorption)


def test_missing_programme_in_lead_time_table_is_named(quarterly):
    lead = pd.DataFrame({"program": ["sewing"], "lead_time": [1]})
    with pytest.raises(ParameterError, match="no row for 1 cell .*program='welding'"):
        training_supply(quarterly, lead_time=lead)


def test_a_lead_time_table_read_from_a_file_is_named_by_its_source_and_lines(quarterly):
    lead = pd.DataFrame({"program": ["sewing", "sewing"], "lead_time": [1, 2]})
    lead.attrs.update(source="[panel] lead_time: lead.csv", line_numbers=[4, 7])
    with pytest.raises(ParameterError, match=r"^\[panel\] lead_time: lead.csv has more than "
                                             r"one row .*: line 4 \(program='sewing'\); "
                                             r"line 7 \(program='sewing'\)"):
        training_supply(quarterly, lead_time=lead)
    with pytest.raises(ParameterError, match=r"^\[panel\] lead_time: lead.csv has no row for "
                                             r"1 cell of the training table \(1 training "
                                             r"row\): every training row needs the lead_time "
                                             r"of its program, e.g. program='welding'"):
        training_supply(quarterly, lead_time=lead.iloc[:1])
    with pytest.raises(ParameterError, match=r"^\[panel\] lead_time: lead.csv: 1 row out of "
                                             r"range .*: line 7 \(program='sewing'\)"):
        training_supply(quarterly, lead_time=lead.assign(program=["welding", "sewing"],
                                                         lead_time=[1, -1]))


def test_shares_not_summing_to_one_name_the_programme(quarterly, crosswalk):
    bad = crosswalk.assign(share=[1.0, 0.7, 0.2])
    with pytest.raises(SchemaError, match="program='welding' sums to 0.9"):
        training_supply(quarterly, crosswalk=bad)


def test_programme_missing_from_crosswalk_is_named(quarterly, crosswalk):
    with pytest.raises(ParameterError, match="missing from the crosswalk: 'welding'"):
        training_supply(quarterly, crosswalk=crosswalk.iloc[:1])


def test_crosswalk_needs_a_program_column(quarterly, crosswalk):
    with pytest.raises(ParameterError, match="'program' column"):
        training_supply(quarterly.drop(columns="program"), crosswalk=crosswalk)


@pytest.mark.parametrize("share", [-0.5, np.nan])
def test_crosswalk_rejects_bad_shares(quarterly, crosswalk, share):
    with pytest.raises(SchemaError, match="line 4"):
        training_supply(quarterly, crosswalk=crosswalk.assign(share=[1.0, 1.0, share]))


@pytest.mark.parametrize("value", [1.5, -0.1, np.nan, True, "0.5"])
def test_scalar_absorption_outside_zero_one_is_rejected(quarterly, value):
    with pytest.raises(ParameterError, match="absorption"):
        training_supply(quarterly, absorption=value)


def test_absorption_table_row_out_of_range_is_named(quarterly):
    absorption = pd.DataFrame({"region": ["North", "South"], "absorption": [0.9, 1.5]},
                              index=[10, 11])
    with pytest.raises(ParameterError, match=r"row 11 \(region='South'\): absorption == 1.5"):
        training_supply(quarterly, absorption=absorption)


@pytest.mark.parametrize("value", [-1, 1.0, 0.5, None, True])
def test_scalar_lead_time_must_be_a_whole_number_at_least_zero(quarterly, value):
    with pytest.raises(ParameterError, match="lead_time"):
        training_supply(quarterly, lead_time=value)


@pytest.mark.parametrize("value", [-1, 1.5])
def test_lead_time_table_row_out_of_range_is_named(quarterly, value):
    lead = pd.DataFrame({"program": ["sewing", "welding"], "lead_time": [1, value]})
    with pytest.raises(ParameterError, match=r"row 1 \(program='welding'\): lead_time =="):
        training_supply(quarterly, lead_time=lead)


def test_per_cell_table_problems(quarterly):
    twice = pd.DataFrame({"region": ["North", "North", "South"], "absorption": [0.5, 0.6, 1]})
    with pytest.raises(ParameterError, match="more than one row .*region='North'"):
        training_supply(quarterly, absorption=twice)
    with pytest.raises(ParameterError, match="'district'"):
        training_supply(quarterly, absorption=pd.DataFrame({"district": ["a"],
                                                            "absorption": [1.0]}))
    with pytest.raises(ParameterError, match="needs a 'lead_time' column"):
        training_supply(quarterly, lead_time=pd.DataFrame({"program": ["sewing"],
                                                           "lag": [1]}))
    with pytest.raises(ParameterError, match="no key columns"):
        training_supply(quarterly, absorption=pd.DataFrame({"absorption": [1.0]}))


def test_bad_keys_and_bad_tables(quarterly):
    with pytest.raises(ParameterError, match="'district'"):
        training_supply(quarterly, keys=("region", "district"))
    with pytest.raises(ParameterError, match="'period'"):
        pass_rates(quarterly, keys=("region", "period"))
    with pytest.raises(ParameterError, match="is one string"):
        training_supply(quarterly, keys="region")
    with pytest.raises(SchemaError, match="certified"):
        training_supply(quarterly.assign(certified=[80, 60, 20, 5, 0]))  # 60 > 50


def test_extra_key_columns_become_categorical(quarterly):
    training = quarterly.assign(district=["d1", "d2", "d1", "d3", "d3"])
    out = training_supply(training, keys=("district",))
    assert isinstance(out["district"].dtype, pd.CategoricalDtype)
    assert out.loc[out["district"] == "d1", "certified"].sum() == 100
    with pytest.raises(SchemaError, match="'district' must not be missing"):
        training_supply(training.assign(district=["d1", None, "d1", "d3", "d3"]),
                        keys=("district",))


# --------------------------------------------------------------------------- invariants


def test_inputs_are_not_mutated(quarterly, crosswalk):
    lead = pd.DataFrame({"program": ["sewing", "welding"], "lead_time": [1, 2]})
    absorption = pd.DataFrame({"region": ["North", "South"], "absorption": [0.5, 1.0]})
    clean = validate(quarterly, table="training")
    for training in (quarterly, clean):  # raw, and canonical (passed through)
        frames = [training, lead, absorption, crosswalk]
        before = [f.copy(deep=True) for f in frames]
        out = training_supply(training, lead_time=lead, absorption=absorption,
                              crosswalk=crosswalk)
        pass_rates(training, prior_strength=3)
        for frame, copy in zip(frames, before, strict=True):
            pd.testing.assert_frame_equal(frame, copy)
        assert out is not training
    raw = training_supply(quarterly, lead_time=lead, absorption=absorption, crosswalk=crosswalk)
    pd.testing.assert_frame_equal(raw, training_supply(clean, lead_time=lead,
                                                       absorption=absorption,
                                                       crosswalk=crosswalk))


def _bigger_training() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 24
    trained = rng.integers(0, 60, n)
    return pd.DataFrame({
        "period": pd.period_range("2023Q1", periods=4, freq="Q").astype(str).repeat(6),
        "region": np.tile(["North", "South", "East"], 8),
        "industry": np.tile(["textiles", "textiles", "construction", "construction"], 6),
        "program": np.tile(["sewing", "sewing", "welding", "welding", "cad", "cad"], 4),
        "trained": trained,
        "certified": rng.binomial(trained, 0.6),
    })


_BIG = _bigger_training()


def _big_arguments() -> dict:
    """Lead times, absorption and a crosswalk for the programmes of ``_BIG``."""
    lead = pd.DataFrame({"program": ["sewing", "welding", "cad"], "lead_time": [1, 2, 0]})
    absorption = pd.DataFrame({
        "region": ["North", "South", "East"] * 3,
        "industry": ["textiles"] * 3 + ["construction"] * 3 + ["robotics"] * 3,
        "absorption": [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 1.0, 0.95, 0.85],
    })
    crosswalk = pd.DataFrame({
        "program": ["sewing", "welding", "welding", "cad"],
        "industry": ["textiles", "construction", "robotics", "construction"],
        "share": [1.0, 0.75, 0.25, 1.0],
    })
    return {"lead_time": lead, "absorption": absorption, "crosswalk": crosswalk}


@functools.cache
def _big_supply() -> pd.DataFrame:
    """The supply of ``_BIG`` in its own row order (read only by the test below)."""
    return training_supply(_BIG, **_big_arguments())


@settings(max_examples=25, deadline=None)
@given(order=st.permutations(range(len(_BIG))))
def test_row_order_does_not_change_results(order):
    shuffled = _BIG.iloc[list(order)]
    expected = _big_supply()  # the same for every order: computed once
    pd.testing.assert_frame_equal(training_supply(shuffled, **_big_arguments()), expected,
                                  check_exact=False, rtol=1e-12)
    pd.testing.assert_frame_equal(pass_rates(shuffled, prior_strength=4),
                                  pass_rates(_BIG, prior_strength=4))
    assert expected["supply"].sum() == pytest.approx(
        (_BIG["certified"] * _BIG["region"].map({"North": 0.9, "South": 0.8, "East": 0.7})
         .where(_BIG["program"] == "sewing", 0)).sum()
        + 0.75 * (_BIG["certified"] * _BIG["region"].map({"North": 0.6, "South": 0.5,
                                                           "East": 0.4})
                  .where(_BIG["program"] == "welding", 0)).sum()
        + 0.25 * (_BIG["certified"] * _BIG["region"].map({"North": 1.0, "South": 0.95,
                                                           "East": 0.85})
                  .where(_BIG["program"] == "welding", 0)).sum()
        + (_BIG["certified"] * _BIG["region"].map({"North": 0.6, "South": 0.5, "East": 0.4})
           .where(_BIG["program"] == "cad", 0)).sum()
    )


# --------------------------------------------------------------------------- ground truth


@pytest.fixture(scope="module")
def synthetic():
    datasets = pytest.importorskip("talentgap.datasets")
    return datasets.make_synthetic(n_regions=4, industries=3, n_periods=12, lead_time=2,
                                   seed=11)


def test_supply_matches_synthetic_truth_in_expectation(synthetic):
    params = synthetic.params
    lead = int(params["lead_time"].iloc[0])
    assert lead == 2
    absorption = params[["region", "industry", "absorption"]]
    est = training_supply(synthetic.training, lead_time=lead, absorption=absorption)

    first = synthetic.training["period"].min()
    assert est["period"].min() == first + lead  # nothing arrives before the lead time
    truth = synthetic.truth
    both = truth.merge(est, on=["region", "industry", "period"], suffixes=("_true", ""))
    # every truth period after the warm-up has its estimate (warm-up cohorts are not in
    # the training table)
    assert len(both) == (truth["period"] >= first + lead).sum()

    # truth = Binomial(certified, a_c) absorbed workers; the estimate is its mean
    total_true, total_est = both["supply_true"].sum(), both["supply"].sum()
    assert abs(total_true / total_est - 1) < 0.02
    a = both.merge(absorption, on=["region", "industry"])["absorption"].to_numpy()
    sd = np.sqrt(np.sum(both["certified"].to_numpy() * a * (1 - a)))
    assert abs(total_true - total_est) < 4 * sd
    assert np.corrcoef(both["supply_true"], both["supply"])[0, 1] > 0.99
    per_cell = both.groupby(["region", "industry"], observed=True)[["supply_true", "supply"]]
    sums = per_cell.sum()
    assert np.corrcoef(sums["supply_true"], sums["supply"])[0, 1] > 0.99
    np.testing.assert_allclose(sums["supply_true"], sums["supply"], rtol=0.1)


def test_pass_rates_recover_synthetic_pass_rates(synthetic):
    est = pass_rates(synthetic.training).merge(
        synthetic.params[["region", "industry", "pass_rate"]], on=["region", "industry"],
        suffixes=("", "_true"))
    p, n = est["pass_rate_true"], est["trained"]
    z = (est["raw_pass_rate"] - p) / np.sqrt(p * (1 - p) / n)
    assert (np.abs(z) < 4.5).all()
    shrunk = pass_rates(synthetic.training, prior_strength=50)["pass_rate"]
    # shrinkage moves every rate toward the overall rate, never past it
    p0 = est["certified"].sum() / est["trained"].sum()
    raw = est["raw_pass_rate"]
    assert (np.abs(shrunk - p0) <= np.abs(raw - p0) + 1e-12).all()
    assert ((shrunk - p0) * (raw - p0) >= 0).all()
