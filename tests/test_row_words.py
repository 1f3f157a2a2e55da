"""Counts in messages: one rule for "1 row fails" / "2 rows fail" and "line 2" / "lines 2, 3"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap._words import count_words, lines_text, rows_fail
from talentgap.errors import ParameterError, PlanningError, SchemaError
from talentgap.features import SurveyDesign, estimate_cells
from talentgap.features.crosswalk import check_crosswalk
from talentgap.planning import allocate_quotas
from talentgap.planning._multiyear_inputs import _match
from talentgap.planning._tables import counts, require


def test_count_words_rows_fail_and_lines_text():
    assert [count_words(n, "row") for n in (0, 1, 2)] == ["0 rows", "1 row", "2 rows"]
    assert count_words(1, "category", "categories") == "1 category"
    assert count_words(3, "category", "categories") == "3 categories"
    assert [rows_fail(n) for n in (1, 2)] == ["1 row fails", "2 rows fail"]
    assert lines_text(np.array([7])) == "line 7"
    assert lines_text([2, 3]) == "lines 2, 3"


@pytest.fixture
def surveys():
    return pd.DataFrame({
        "period": ["2024Q1"] * 3, "enterprise_id": ["E1", "E2", "E3"],
        "region": ["North"] * 3, "industry": ["textiles"] * 3, "employees": [40, 10, 25],
        "vacancies": [4, 0, 2], "hard_to_fill": [3, 0, 1], "reports_shortage": [1, 0, 1]})


def test_one_missing_key_value_is_one_row_and_one_line(surveys):
    district = pd.Series(["a", None, "b"], dtype=object)
    with pytest.raises(SchemaError, match=r"'district' must not be missing; 1 row fails, "
                                          r"e.g. line 3$"):
        estimate_cells(surveys.assign(district=district), keys=["region", "district"])


def test_crosswalk_messages_name_lines_whatever_the_index():
    cw = pd.DataFrame({"program": ["weld", "weld", "cnc"], "industry": ["a", "b", "a"],
                       "share": [0.6, 0.5, 1.0]}, index=["x", "y", "z"])
    with pytest.raises(SchemaError, match=r"program='weld' sums to 1.1 \(over by 0.1; "
                                          r"lines 2, 3\)") as info:
        check_crosswalk(cw)
    assert info.value.failure_cases["line"].tolist() == [2, 3]
    assert info.value.failure_cases["row"].tolist() == ["x", "y"]
    with pytest.raises(SchemaError, match=r"column 'share' must be >= 0; 1 row fails: line 4 "
                                          r"\(program='cnc', industry='a', share=-1.0\)"):
        check_crosswalk(cw.assign(share=[0.5, 0.5, -1.0]))
    one = pd.DataFrame({"program": ["cnc"], "industry": ["a"], "share": [0.5]})
    with pytest.raises(SchemaError, match=r"short by 0.5; line 2\)"):
        check_crosswalk(one)


# ---- every "N row(s) fail(s)" reads the one rule: one row fails, two rows fail ----------------


def _one_and_two(raise_with, count: str = r"1 row fails"):
    """Raise with one failing row, then two; the counts read the one rule."""
    for failing, words in ((1, count), (2, count.replace("1 row fails", "2 rows fail"))):
        with pytest.raises((SchemaError, PlanningError), match=words):
            raise_with(failing)


def test_design_failures_count_rows(surveys):
    def run(failing):
        band = ["a", None, None][:1 + failing] + ["a"] * (2 - failing)
        estimate_cells(surveys.assign(band=band), design=SurveyDesign(strata="band"))
    _one_and_two(run, r"\[missing_value\]; 1 row fails, e\.g\. line 3 \(E2, 2024Q1\)")


@pytest.fixture
def gap():
    return pd.DataFrame({"region": ["A", "A", "B"], "industry": ["x", "y", "x"],
                         "period": ["2026"] * 3, "gap": [10.0, 5.0, 3.0]})


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_single_period_plan_counts_rows(gap):
    def plan(table):
        allocate_quotas(table, budget=1000, cost_per_trainee=10, pass_rate=0.8)
    _one_and_two(lambda k: plan(gap.assign(gap=[np.inf] * k + [5.0] * (3 - k))),
                 r"'gap' of the gap forecast must be a finite number .*; 1 row fails, "
                 r"e\.g\. x in A")
    _one_and_two(lambda k: plan(gap.assign(region=["A"] + [None] * k + ["B"] * (2 - k))),
                 r"key column 'region' of the gap forecast must not be missing; 1 row fails, "
                 r"e\.g\. row 1")


def test_planning_tables_count_rows():
    table = pd.DataFrame({"region": ["A", "B", "C"], "period": ["2026"] * 3,
                          "supply": [1.0, 2.0, 3.0]})
    _one_and_two(lambda k: require(table.assign(region=["A"] + [None] * k + ["C"] * (2 - k)),
                                   "supply", ["region", "period", "supply"], ["region"]),
                 r"key column 'region' of the supply table must not be missing; 1 row fails")
    _one_and_two(lambda k: counts(table.assign(supply=[1.0] + [-2.0] * k + [3.0] * (2 - k)),
                                  "supply", "supply", ["region"]),
                 r"'supply' of the supply table must be a finite number >= 0; 1 row fails, "
                 r"e\.g\. row 1 \(B, 2026\)")


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_multi_year_plan_counts_rows():
    needs = pd.DataFrame({"region": ["A", "A", "B", "B"], "industry": "x",
                          "period": ["2026", "2027"] * 2, "gap": [10.0, 12, 3, 4]})

    def plan(**kwargs):
        allocate_quotas(needs, periods=[2026, 2027], cost_per_trainee=10, pass_rate=0.8,
                        lead_time=0, **{"budget": 1000, **kwargs})
    _one_and_two(lambda k: plan(budget=pd.DataFrame({
        "period": ["2026", "2027"], "budget": [-5.0] * k + [100.0] * (2 - k)})),
        r"'budget' of the budget table must be a finite number >= 0; 1 row fails, e\.g\. row 0")
    _one_and_two(lambda k: plan(policy_need=pd.DataFrame({
        "region": ["A", "B"], "industry": "x", "period": ["2030"] * k + ["2027"] * (2 - k),
        "policy_need": [5.0, 6.0]})),
        r"'period' of the policy_need table must name need periods .*; 1 row fails, "
        r"e\.g\. row 0: '2030'")
    cells = pd.DataFrame({"region": ["A", "B"]})
    _one_and_two(lambda k: _match(pd.DataFrame({"region": ["A", "C", "D"][:1 + k]}),
                                  ["region"], cells, "equity", ["region"]),
                 r"names cells the needs table does not have \(looked up by \['region'\]\); "
                 r"1 row fails: row 1 \(region='C'\)")


def test_gap_model_counts_rows_of_negative_standard_errors():
    panel = tg.features.build_panel(*_panel_tables())
    model = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=10)

    def fit(k):
        se = panel["demand_se"].to_numpy(copy=True)
        se[1:1 + k] = -1.0
        model.fit(panel.assign(demand_se=se))
    _one_and_two(fit, r"'demand_se' .* must be >= 0; 1 row fails, e\.g\. line 3 ")


def _panel_tables():
    data = tg.datasets.make_synthetic(n_regions=1, industries=1, n_periods=8, seed=1)
    return data.surveys, data.training


def test_supply_counts_rows_out_of_range():
    training = pd.DataFrame({"period": ["2024Q1"] * 2, "region": ["North", "South"],
                             "industry": "textiles", "trained": [10, 8], "certified": [8, 6]})
    for k, words in ((1, r"1 row out of range"), (2, r"2 rows out of range")):
        absorption = pd.DataFrame({"region": ["North", "South"],
                                   "absorption": [1.5] * k + [0.9] * (2 - k)})
        with pytest.raises(ParameterError, match=r"absorption table: " + words):
            tg.features.training_supply(training, absorption=absorption)
