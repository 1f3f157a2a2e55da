"""A cell that lost every row (all its survey rows rejected, no training) stays in the panel.

``build_panel(..., cells=...)`` declares the complete set of cells; the command line fills it
from the cells of every input row, kept or rejected (``input_cells``), so the cell shows in
``panel.csv``, the forecast and the report with missing demand instead of vanishing.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main
from talentgap.errors import ParameterError, SchemaError
from talentgap.features.panel import input_cells

KEYS = ["region", "industry"]


@pytest.fixture(scope="module")
def data():
    return tg.datasets.make_synthetic(n_regions=3, industries=2, n_periods=12, seed=3)


def _without(table: pd.DataFrame, region: str) -> pd.DataFrame:
    return table[table["region"] != region]


def test_a_declared_cell_without_rows_is_on_the_grid_with_missing_values(data):
    lost = data.surveys["region"].iloc[0]
    surveys, training = _without(data.surveys, lost), _without(data.training, lost)
    plain = tg.features.build_panel(surveys, training, lead_time=1)
    panel = tg.features.build_panel(surveys, training, lead_time=1,
                                    cells=data.surveys[[*KEYS, "period"]])
    assert lost not in set(plain["region"].astype(str))
    gone = panel[panel["region"] == lost]
    # both industries of the region, for every period of the panel
    assert len(gone) == 2 * plain["period"].nunique()
    assert gone["demand"].isna().all() and gone["gap"].isna().all()
    assert gone["supply"].isna().all() and (gone["n_respondents"] == 0).all()
    assert gone["demand_missing"].all() and gone["supply_missing"].all()
    assert gone["rows_missing"].all() and not panel.loc[panel["region"] != lost,
                                                        "rows_missing"].any()
    # the other cells are exactly the panel without ``cells``
    rest = panel[panel["region"] != lost].drop(columns="rows_missing").reset_index(drop=True)
    pd.testing.assert_frame_equal(rest.astype({k: object for k in KEYS}),
                                  plain.astype({k: object for k in KEYS}))


def test_declared_cells_add_never_remove_and_repeats_or_blanks_are_fine(data):
    cells = pd.DataFrame({"region": ["Nowhere", "Nowhere", None],
                          "industry": ["textiles", "textiles", "textiles"]})
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1, cells=cells)
    plain = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    per_cell = panel.groupby(KEYS, observed=True).size()
    assert len(per_cell) == plain.groupby(KEYS, observed=True).ngroups + 1
    assert panel.loc[panel["rows_missing"], "region"].astype(str).unique().tolist() == [
        "Nowhere"]


def test_cells_without_a_key_column_is_an_error(data):
    with pytest.raises(ParameterError, match="cells has no column 'industry'"):
        tg.features.build_panel(data.surveys, cells=pd.DataFrame({"region": ["A"]}))


def test_a_declared_skill_level_outside_the_declared_levels_is_an_error():
    surveys = pd.DataFrame({
        "period": "2024Q1", "enterprise_id": ["E1"], "region": "N", "industry": "tex",
        "skill_level": "senior", "employees": 10, "vacancies": 3, "hard_to_fill": 1,
        "reports_shortage": True})
    cells = pd.DataFrame({"region": ["N"], "industry": ["tex"], "skill_level": ["master"]})
    with pytest.raises(SchemaError, match="cells: column 'skill_level'"):
        tg.features.build_panel(surveys, keys=("region", "industry", "skill_level"),
                                skill_levels=["junior", "senior"], cells=cells)


def test_input_cells_names_rejected_rows_but_not_a_rejected_key_value():
    raw = pd.DataFrame({
        "period": "2024Q1", "enterprise_id": ["E0", "E1", "E2", "E3"],
        "region": ["N", "S", "S", " "], "industry": "tex", "employees": 10,
        "vacancies": 3, "hard_to_fill": ["1", "x", "9", "1"], "reports_shortage": True})
    clean, report = tg.schema.validate(raw, table="surveys", errors="report")
    assert clean["region"].astype(str).tolist() == ["N"]
    # S lost both rows (one not a number, one above its vacancies) but is still a cell;
    # the row whose region is blank names none
    found = input_cells([report], keys=KEYS)
    assert sorted(found["region"]) == ["N", "S"]
    panel = tg.features.build_panel(clean, cells=found)
    south = panel[panel["region"] == "S"]
    assert len(south) == 1 and bool(south["demand_missing"].iloc[0])
    assert bool(south["rows_missing"].iloc[0]) and np.isnan(south["demand"].iloc[0])


def test_the_gap_model_forecasts_nothing_for_the_lost_cell(data):
    lost = data.surveys["region"].iloc[0]
    panel = tg.features.build_panel(
        _without(data.surveys, lost), _without(data.training, lost), lead_time=1,
        cells=data.surveys[KEYS])
    model = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=50).fit(panel)
    out = model.predict(horizon=2, level=[80])
    gone, rest = out[out["region"] == lost], out[out["region"] != lost]
    assert len(gone) == 4 and gone["gap"].isna().all()
    assert gone["flag"].str.contains("no_demand_data").all()
    assert rest["gap"].notna().all()


SURVEY_HEADER = ("period,enterprise_id,region,industry,employees,vacancies,hard_to_fill,"
                 "reports_shortage\n")


def test_command_line_keeps_a_region_whose_rows_were_all_invalid(tmp_path, capsys):
    rows = []
    for q in range(1, 5):
        for e in range(3):
            rows.append(f"2024Q{q},N{e},Northvale,textiles,50,6,{e + q},1")
            # every Southport row is invalid: hard_to_fill is not a number
            rows.append(f"2024Q{q},S{e},Southport,textiles,50,6,n/a,1")
    (tmp_path / "surveys.csv").write_text(SURVEY_HEADER + "\n".join(rows) + "\n")
    (tmp_path / "training.csv").write_text(
        "period,region,industry,trained,certified\n"
        + "".join(f"2024Q{q},Northvale,textiles,10,8\n" for q in range(1, 5)))
    out = tmp_path / "out"
    assert main(["features", "--surveys", str(tmp_path / "surveys.csv"), "--training",
                 str(tmp_path / "training.csv"), "--out", str(out), "--set",
                 "data.on_invalid=skip", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    panel = pd.read_csv(out / "panel.csv")
    south = panel[panel["region"] == "Southport"]
    assert len(south) == 4 and south["demand"].isna().all()
    assert south["demand_missing"].all() and south["rows_missing"].all()
    assert not panel.loc[panel["region"] == "Northvale", "rows_missing"].any()
    lost = [n for n in doc["notes"] if "lost every respondent" in n]
    assert len(lost) == 1 and "region=Southport" in lost[0]
    assert "region=Southport" in (out / "report.html").read_text(encoding="utf-8")
