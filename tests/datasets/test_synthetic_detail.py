"""make_synthetic(detail=True): occupations and skill levels that keep the totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talentgap import features, schema
from talentgap.datasets import make_synthetic
from talentgap.datasets._detail import EMPLOYMENT_LEVELS, OCCUPATIONS, SKILL_LEVELS

__all__: list[str] = []

UNIT = ["period", "enterprise_id"]
CELL_PERIOD = ["period", "region", "industry"]
SETTINGS = {
    "quarterly": {"n_regions": 3, "industries": 4, "n_periods": 10, "seed": 11},
    "design": {"n_regions": 2, "industries": ["textiles", "welding"], "n_periods": 6,
               "freq": "M", "design": True, "seed": 4},
    "new trades": {"n_regions": 2, "industries": 2, "n_periods": 12,
                   "new_trades": ["live_streaming"], "lead_time": 2, "seed": 9},
}


@pytest.fixture(scope="module", params=list(SETTINGS))
def pair(request):
    kwargs = SETTINGS[request.param]
    return make_synthetic(**kwargs), make_synthetic(**kwargs, detail=True)


def test_enterprise_totals_are_the_plain_simulation(pair):
    plain, detail = pair
    sums = detail.surveys.groupby(UNIT, observed=True)[["vacancies", "hard_to_fill"]].sum()
    expected = plain.surveys.set_index(UNIT)[["vacancies", "hard_to_fill"]]
    assert len(sums) == len(expected)
    pd.testing.assert_frame_equal(sums.loc[expected.index], expected, check_dtype=False)


def test_enterprise_level_columns_repeat_unchanged(pair):
    plain, detail = pair
    columns = [c for c in plain.surveys.columns if c not in ("vacancies", "hard_to_fill")]
    first = detail.surveys.drop_duplicates(UNIT)[columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, plain.surveys[columns], check_categorical=False)
    schema.validate(detail.surveys, table="surveys")  # the rule: equal on every detail row


def test_detail_rows(pair):
    _, detail = pair
    s = detail.surveys
    assert (s["hard_to_fill"] <= s["vacancies"]).all()
    assert not s.duplicated([*UNIT, "occupation", "skill_level"]).any()
    assert s["skill_level"].cat.categories.tolist() == list(SKILL_LEVELS)
    blank = s["occupation"].isna()
    assert (s.loc[blank, "vacancies"] == 0).all() and (s.loc[~blank, "vacancies"] > 0).all()
    # every enterprise-period answers at both levels, a blank row only where it has no posts
    assert (s.groupby(UNIT, observed=True)["skill_level"].nunique() == 2).all()
    posts = s.groupby([*UNIT, "skill_level"], observed=True)["vacancies"].sum()
    blanks = s[blank].set_index([*UNIT, "skill_level"]).index
    assert (posts.loc[blanks] == 0).all()
    assert (posts.drop(blanks) > 0).all()


def test_occupations_belong_to_their_industry():
    data = make_synthetic(n_regions=2, industries=None, n_periods=4, seed=2, detail=True)
    rows = data.surveys.dropna(subset=["occupation"])
    pairs = rows.groupby(["industry", "occupation"], observed=True).size().index
    for industry, occupation in pairs:
        assert occupation in OCCUPATIONS[industry], (industry, occupation)
    assert all(2 <= len(v) <= 3 for v in OCCUPATIONS.values())
    assert set(OCCUPATIONS) == set(data.surveys["industry"].cat.categories)


def test_truth_by_level_sums_to_the_plain_truth(pair):
    plain, detail = pair
    truth = detail.truth
    assert truth.columns.tolist()[:4] == ["region", "industry", "skill_level", "period"]
    assert len(truth) == 2 * len(plain.truth)
    counts = ["vacancies", "hard_to_fill", "demand", "supply", "gap"]
    sums = truth.groupby(CELL_PERIOD, observed=True)[counts].sum()
    expected = plain.truth.set_index(CELL_PERIOD)[counts]
    pd.testing.assert_frame_equal(sums.loc[expected.index], expected, check_dtype=False)
    assert (truth["gap"] == truth["demand"] - truth["supply"]).all()
    assert (truth["hard_to_fill"] <= truth["vacancies"]).all()
    # the population holds the sample: no level's truth is below what was surveyed there
    surveyed = detail.surveys.groupby([*CELL_PERIOD, "skill_level"], observed=True)[
        "hard_to_fill"].sum()
    population = truth.set_index([*CELL_PERIOD, "skill_level"])["hard_to_fill"]
    assert (population.loc[surveyed.index] >= surveyed).all()


def test_training_levels_and_supply(pair):
    plain, detail = pair
    t = detail.training
    level = t["program"].astype(str).str.rpartition("/")[2].map(
        {"basic": "skilled", "advanced": "high_skilled"})
    assert (t["skill_level"].astype(str) == level).all()
    assert (t["certified"] <= t["trained"]).all()
    schema.validate(t, table="training")
    # a level's supply never exceeds the certified workers of its programmes
    lead = int(detail.params["lead_time"].iloc[0])
    certified = t.assign(period=t["period"] + lead).groupby(
        [*CELL_PERIOD, "skill_level"], observed=True)["certified"].sum()
    supply = detail.truth.set_index([*CELL_PERIOD, "skill_level"])["supply"]
    common = supply.index.intersection(certified.index)
    assert len(common) > 0
    assert (supply.loc[common] <= certified.loc[common]).all()


def test_training_totals_per_cell_period_are_the_plain_simulation(pair):
    plain, detail = pair
    counts = ["trained", "certified"]
    sums = detail.training.groupby(CELL_PERIOD, observed=True)[counts].sum()
    expected = plain.training.groupby(CELL_PERIOD, observed=True)[counts].sum()
    assert len(sums) == len(expected)
    pd.testing.assert_frame_equal(sums.loc[expected.index], expected)


def test_every_cell_trains_at_both_levels(pair):
    plain, detail = pair
    t = detail.training
    assert not t.duplicated([*CELL_PERIOD, "program"]).any()
    per_cell_period = t.groupby(CELL_PERIOD, observed=True)["skill_level"].nunique()
    assert len(per_cell_period) == len(plain.truth)
    assert (per_cell_period == 2).all()
    assert (detail.params["n_programs"] == 2).all()
    assert len(t) == 2 * len(plain.truth)
    # some cells ran one programme in the plain simulation, and those get an advanced one
    single = plain.params.loc[plain.params["n_programs"] == 1, ["region", "industry"]]
    assert len(single) > 0
    advanced = t[t["skill_level"] == "high_skilled"].merge(single, on=["region", "industry"])
    assert advanced["trained"].sum() > 0 and advanced["certified"].sum() > 0
    # and every cell has high-skilled supply at some period
    high = detail.truth[detail.truth["skill_level"] == "high_skilled"]
    assert (high.groupby(["region", "industry"], observed=True)["supply"].sum() > 0).all()


def test_two_programme_cells_keep_their_rows(pair):
    plain, detail = pair
    both = plain.params.loc[plain.params["n_programs"] == 2, ["region", "industry"]]
    assert len(both) > 0
    keys = [*CELL_PERIOD, "program"]
    expected = plain.training.merge(both, on=["region", "industry"]).set_index(keys)
    got = detail.training.set_index(keys).loc[expected.index, ["trained", "certified"]]
    # (the plain table lists only the programmes it runs among its categories)
    pd.testing.assert_frame_equal(got, expected[["trained", "certified"]],
                                  check_categorical=False)


def test_one_programme_split_is_about_sixty_forty():
    plain = make_synthetic(n_regions=4, industries=4, n_periods=12, seed=21)
    detail = make_synthetic(n_regions=4, industries=4, n_periods=12, seed=21, detail=True)
    single = plain.params.loc[plain.params["n_programs"] == 1, ["region", "industry"]]
    rows = detail.training.merge(single, on=["region", "industry"])
    by_level = rows.groupby("skill_level", observed=True)[["trained", "certified"]].sum()
    share = by_level.loc["high_skilled"] / by_level.sum()
    assert share["trained"] == pytest.approx(0.4, abs=0.02)
    assert share["certified"] == pytest.approx(0.4, abs=0.03)


def test_employment_by_level_is_what_skilled_employment_reads(pair):
    plain, detail = pair
    e = detail.employment
    assert e["skill_level"].cat.categories.tolist() == list(EMPLOYMENT_LEVELS)
    levels = features.SkillLevels(order=EMPLOYMENT_LEVELS, high_skilled=["high_skilled"],
                                  unskilled=["unskilled"])
    # per-row skilled / high_skilled agree with the levels (else this raises)
    derived = features.skilled_employment(e, skill_levels=levels)
    expected = plain.employment.sort_values(["region", "industry", "period"])
    columns = ["employment", "skilled", "high_skilled"]
    np.testing.assert_array_equal(derived[columns].to_numpy(), expected[columns].to_numpy())
    # without declared levels the rows simply add up
    sums = e.groupby(CELL_PERIOD, observed=True)[columns].sum()
    np.testing.assert_array_equal(sums.to_numpy(), plain.employment[columns].to_numpy())


def test_same_seed_same_tables():
    a = make_synthetic(n_regions=2, industries=2, n_periods=5, seed=3, detail=True)
    b = make_synthetic(n_regions=2, industries=2, n_periods=5, seed=3, detail=True)
    for name in ("surveys", "training", "employment", "truth"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


def test_panel_by_skill_level_tracks_the_truth():
    data = make_synthetic(n_regions=2, industries=2, n_periods=8, seed=5, detail=True)
    levels = features.SkillLevels(order=EMPLOYMENT_LEVELS, high_skilled=["high_skilled"],
                                  unskilled=["unskilled"])
    keys = ("region", "industry", "skill_level")
    panel = features.build_panel(data.surveys, data.training, data.employment, keys=keys,
                                 lead_time=1, skill_levels=levels)
    assert panel["skill_level"].cat.categories.tolist() == list(EMPLOYMENT_LEVELS)
    assert set(panel["skill_level"].astype(str)) == set(SKILL_LEVELS)
    merged = panel.merge(data.truth, on=[*keys, "period"], suffixes=("", "_true"))
    assert len(merged) == len(panel)
    # every surveyed enterprise is a respondent of both levels: employees estimated alike
    by_level = merged.groupby("skill_level", observed=True)["employees"].sum()
    assert by_level["skilled"] == pytest.approx(by_level["high_skilled"])
    ratio = merged["demand"].sum() / merged["demand_true"].sum()
    assert 0.9 < ratio < 1.1
    skilled = merged.groupby("skill_level", observed=True)["skilled"].sum()
    assert skilled["high_skilled"] == merged["high_skilled"].sum()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_regions=st.integers(1, 3),
    n_industries=st.integers(1, 3),
    n_periods=st.integers(1, 5),
    per_cell=st.integers(1, 30),
    lead_time=st.integers(0, 7),
    freq=st.sampled_from(["Y", "Q", "M"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_training_split_holds_for_any_settings(n_regions, n_industries, n_periods, per_cell,
                                               lead_time, freq, seed):
    kwargs = {"n_regions": n_regions, "industries": n_industries, "n_periods": n_periods,
              "enterprises_per_cell": per_cell, "lead_time": lead_time, "freq": freq,
              "seed": seed}
    plain, detail = make_synthetic(**kwargs), make_synthetic(**kwargs, detail=True)
    t = detail.training
    assert len(t) == 2 * n_regions * n_industries * n_periods
    assert (t["certified"] <= t["trained"]).all()
    counts = ["trained", "certified"]
    sums = t.groupby(CELL_PERIOD, observed=True)[counts].sum()
    expected = plain.training.groupby(CELL_PERIOD, observed=True)[counts].sum()
    pd.testing.assert_frame_equal(sums.loc[expected.index], expected)
    supply = detail.truth.groupby(CELL_PERIOD, observed=True)["supply"].sum()
    np.testing.assert_array_equal(
        supply.loc[plain.truth.set_index(CELL_PERIOD).index].to_numpy(),
        plain.truth["supply"].to_numpy())
    assert (detail.truth["supply"] >= 0).all()
