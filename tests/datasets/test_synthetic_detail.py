"""make_synthetic(detail=True): occupations and skill levels that keep the totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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
    pd.testing.assert_frame_equal(t.drop(columns="skill_level"), plain.training)
    level = t["program"].astype(str).str.rpartition("/")[2].map(
        {"basic": "skilled", "advanced": "high_skilled"})
    assert (t["skill_level"].astype(str) == level).all()
    # a level's supply never exceeds the certified workers of its programmes
    lead = int(detail.params["lead_time"].iloc[0])
    certified = t.assign(period=t["period"] + lead).groupby(
        [*CELL_PERIOD, "skill_level"], observed=True)["certified"].sum()
    supply = detail.truth.set_index([*CELL_PERIOD, "skill_level"])["supply"]
    common = supply.index.intersection(certified.index)
    assert len(common) > 0
    assert (supply.loc[common] <= certified.loc[common]).all()
    # a cell without an advanced programme never has high-skilled supply
    cell_level = ["region", "industry", "skill_level"]
    trained = t.groupby(cell_level, observed=True).size().index
    untrained = detail.truth.set_index(cell_level).index.difference(trained)
    assert len(untrained) > 0
    assert (untrained.get_level_values("skill_level") == "high_skilled").all()
    assert (detail.truth.set_index(cell_level).loc[untrained, "supply"] == 0).all()


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
