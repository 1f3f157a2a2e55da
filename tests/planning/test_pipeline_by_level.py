"""Supply split into the skilled and high-skilled stocks' inflows by training level."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, ParameterError, PlanningError, SchemaError
from talentgap.features import SkillLevels
from talentgap.planning import pipeline_by_level, project_skilled_stock

LEVELS = SkillLevels(order=("none", "ordinary", "senior", "technician"),
                     high_skilled=("technician",), unskilled=("none",))


def _training(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (period, region, skill_level, certified); trained = certified + 10."""
    table = pd.DataFrame(rows, columns=["period", "region", "skill_level", "certified"])
    return table.assign(industry="textiles", trained=table["certified"] + 10)


TRAINING = _training([
    ("2023", "North", "ordinary", 100),      # not in the last year: ignored for North
    ("2024", "North", "ordinary", 60),
    ("2024", "North", "technician", 40),
    ("2022", "South", "ordinary", 30),       # South trained nothing in 2024: whole history
    ("2023", "South", "technician", 10),
])


def _supply(regions: list[str], values: list[float], periods=None) -> pd.DataFrame:
    periods = periods or ["2025"] * len(regions)
    return pd.DataFrame({"region": regions, "industry": "textiles", "period": periods,
                         "supply": values})


def test_split_by_the_last_years_mix_or_the_whole_history():
    supply = _supply(["North", "North", "South"], [100.0, 250.0, 80.0],
                     ["2025", "2026", "2025"])
    out = pipeline_by_level(supply, TRAINING, skill_levels=LEVELS)
    assert list(out.columns) == ["region", "industry", "period", "supply",
                                 "supply_high_skilled"]
    # North 2024: 40 of 100 certified are technicians; every certified worker is skilled
    # South 2022-2023: 10 of 40 are technicians
    assert out["supply"].tolist() == pytest.approx([100.0, 250.0, 80.0])
    assert out["supply_high_skilled"].tolist() == pytest.approx([40.0, 100.0, 20.0])
    assert out["period"].tolist() == ["2025", "2026", "2025"]


def test_upgrades_join_the_high_skilled_stock_only():
    training = TRAINING.assign(from_level=[None, None, "senior", None, None])
    out = pipeline_by_level(_supply(["North"], [100.0]), training, skill_levels=LEVELS)
    # the 40 technicians were senior (skilled) before: the cell's supply counts the 60 new
    # skilled workers only (the upgrades hold jobs there already), so a forecast supply of
    # 100 is 100 new skilled workers, with 100 x 40 / 60 upgrades into the high-skilled stock
    assert out["supply"].tolist() == pytest.approx([100.0])
    assert out["supply_high_skilled"].tolist() == pytest.approx([100.0 * 40 / 60])


def test_absorption_and_lead_time_place_the_training_like_the_supply():
    # with a lead time of one year, North's last year of output is 2025 (trained in 2024)
    absorption = pd.DataFrame({"skill_level": ["ordinary", "technician"],
                               "absorption": [0.5, 1.0]})
    out = pipeline_by_level(_supply(["North"], [70.0]), TRAINING, skill_levels=LEVELS,
                            lead_time=1, absorption=absorption)
    # output 60 * 0.5 = 30 ordinary and 40 technicians: 40 of 70 high-skilled
    assert out["supply_high_skilled"].tolist() == pytest.approx([40.0])
    assert out["supply"].tolist() == pytest.approx([70.0])


def test_cells_by_level_feed_the_stocks_of_their_level():
    supply = pd.DataFrame({"region": "North", "industry": "textiles",
                           "skill_level": ["ordinary", "technician", "senior"],
                           "period": "2025", "supply": [50.0, 20.0, 5.0]})
    with pytest.warns(DataQualityWarning, match=r"1 supply row .*senior.*by the cell's level"):
        out = pipeline_by_level(supply, TRAINING, skill_levels=LEVELS,
                                keys=("region", "industry", "skill_level"))
    assert out["supply"].tolist() == pytest.approx([50.0, 20.0, 5.0])
    assert out["supply_high_skilled"].tolist() == pytest.approx([0.0, 20.0, 0.0])


def test_cells_without_training_count_as_skilled_only_and_are_reported():
    with pytest.warns(DataQualityWarning, match=r"1 supply row .*textiles in East"):
        out = pipeline_by_level(_supply(["East", "North"], [30.0, 10.0]), TRAINING,
                                skill_levels=LEVELS)
    assert out["supply"].tolist() == pytest.approx([30.0, 10.0])
    assert out["supply_high_skilled"].tolist() == pytest.approx([0.0, 4.0])


def test_forecast_supply_feeds_both_projected_stocks_hand_computed():
    stock = pd.DataFrame({"region": "North", "industry": "textiles", "period": "2024",
                          "skilled": [1000], "high_skilled": [300]})
    supply = _supply(["North", "North"], [100.0, 50.0], ["2025", "2026"])
    pipeline = pipeline_by_level(supply, TRAINING, skill_levels=LEVELS)
    out = project_skilled_stock(stock, horizon=2, exit_rate=0.1, pipeline=pipeline)
    skilled = out[out["skill_level"] == "skilled"]["stock"].tolist()
    high = out[out["skill_level"] == "high_skilled"]["stock"].tolist()
    # skilled: 0.9 * 1000 + 100 = 1000, 0.9 * 1000 + 50 = 950
    assert skilled == pytest.approx([1000.0, 950.0])
    # high-skilled: 0.9 * 300 + 40 = 310, 0.9 * 310 + 20 = 299
    assert high == pytest.approx([310.0, 299.0])
    assert high[0] / skilled[0] == pytest.approx(0.31)


def test_each_stock_can_have_its_own_exit_rate():
    stock = pd.DataFrame({"region": "North", "industry": ["textiles", "robots"],
                          "period": "2024", "skilled": [1000, 500],
                          "high_skilled": [300, 100]})
    rates = pd.DataFrame({"industry": ["textiles", "robots", "textiles"],
                          "skill_level": ["skilled", "skilled", "high_skilled"],
                          "exit_rate": [0.1, 0.2, 0.3]})
    out = project_skilled_stock(stock, horizon=1, exit_rate=rates).set_index(
        ["industry", "skill_level"])["stock"]
    assert out[("textiles", "skilled")] == pytest.approx(900.0)
    assert out[("textiles", "high_skilled")] == pytest.approx(210.0)
    assert out[("robots", "skilled")] == pytest.approx(400.0)
    # no high-skilled row for robots: the skilled stock's rate
    assert out[("robots", "high_skilled")] == pytest.approx(80.0)


def test_one_exit_rate_per_stock():
    stock = pd.DataFrame({"region": "North", "industry": "textiles", "period": "2024",
                          "skilled": [1000], "high_skilled": [300]})
    rates = pd.DataFrame({"skill_level": ["skilled", "high_skilled"], "exit_rate": [0.1, 0.5]})
    out = project_skilled_stock(stock, horizon=2, exit_rate=rates)
    assert out["stock"].tolist() == pytest.approx([900.0, 810.0, 150.0, 75.0])
    assert out["replacement_demand"].tolist() == pytest.approx([100.0, 90.0, 150.0, 75.0])
    with pytest.raises(PlanningError, match=r"2 rows for the skilled stock .* one row per stock"):
        project_skilled_stock(stock, horizon=1, exit_rate=pd.concat([rates, rates]))


def test_exit_rate_table_names_an_unknown_stock():
    stock = pd.DataFrame({"region": "North", "industry": "textiles", "period": "2024",
                          "skilled": [1000]})
    rates = pd.DataFrame({"skill_level": ["skilled", "technician"], "exit_rate": [0.1, 0.2]})
    with pytest.raises(PlanningError, match=r"skill_level 'technician' is not a stock"):
        project_skilled_stock(stock, horizon=1, exit_rate=rates)


def test_bad_inputs_are_named():
    supply = _supply(["North"], [10.0])
    with pytest.raises(ParameterError, match="skill_levels must be declared"):
        pipeline_by_level(supply, TRAINING, skill_levels=None)
    with pytest.raises(ParameterError, match="training table has no 'skill_level' column"):
        pipeline_by_level(supply, TRAINING.drop(columns="skill_level"), skill_levels=LEVELS)
    with pytest.raises(SchemaError, match=r"column 'supply' of the supply table .* >= 0"):
        pipeline_by_level(supply.assign(supply=-1.0), TRAINING, skill_levels=LEVELS)


def test_pipeline_by_level_is_one_function_wherever_it_is_imported_from():
    from talentgap import planning
    from talentgap.planning import pipeline_levels, workforce

    assert planning.pipeline_by_level is pipeline_levels.pipeline_by_level
    assert workforce.pipeline_by_level is pipeline_levels.pipeline_by_level
    assert "pipeline_by_level" in planning.__all__
