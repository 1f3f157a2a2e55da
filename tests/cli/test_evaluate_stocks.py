"""``talentgap evaluate``: the stored workforce projection against the stocks observed later
(talentgap/cli/_edition_stocks.py, cli/editions.py)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main
from talentgap.cli._edition_stocks import stored_projection
from talentgap.editions import EditionStore

NATIONAL = Path(__file__).resolve().parents[2] / "examples" / "national_targets.toml"


@pytest.fixture(scope="module")
def later(tmp_path_factory):
    """An edition (origin 2021Q2) with a projection for 2021-2022, and the later data
    (to 2021Q4) as a folder of files."""
    root = tmp_path_factory.mktemp("stocks")
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
    panel = tg.features.build_panel(data.surveys, data.training)
    early = panel[panel["period"] <= panel["period"].max() - 2]
    gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=20).fit(early)
    cells = gap.cells_.reset_index(drop=True).astype(str)
    projection = pd.concat([cells.assign(period=year, employment=10_000.0,
                                         projected_stock=5_000.0, policy_need_skilled=100.0)
                            for year in (2021, 2022)], ignore_index=True)
    store = EditionStore(root / "editions.sqlite")
    store.add("2021Q2", gap, gap.predict(2), projection=projection)
    folder = root / "actuals"
    folder.mkdir()
    data.surveys.to_csv(folder / "surveys.csv", index=False)
    data.training.to_csv(folder / "training.csv", index=False)
    data.employment.to_csv(folder / "employment.csv", index=False)
    return SimpleNamespace(root=root, store=store, employment=data.employment, cells=cells)


def test_evaluate_writes_the_stock_comparison(later, capsys):
    out = later.root / "out"
    code = main(["evaluate", "--store", str(later.store.path), "--edition", "2021Q2",
                 "--actuals", str(later.root / "actuals"), "--out", str(out)])
    assert code == 0
    table = pd.read_csv(out / "edition_stocks.csv")
    # hand computation: each region's skilled workers in 2021Q4 against 5,000 per cell
    employment = later.employment.astype({"region": str})
    q4 = employment[employment["period"].astype(str) == "2021Q4"]
    observed = q4.groupby("region")["skilled"].sum()
    for region, value in observed.items():
        row = table[(table["region"] == region) & (table["skill_level"] == "skilled")]
        assert row["year"].item() == 2021 and row["n_cells"].item() == 2
        assert row["observed"].item() == value
        assert row["error"].item() == pytest.approx(10_000 - value)
        share_side = "above" if value / q4[q4["region"] == region]["employment"].sum() > 0.5 \
            else "below"
        assert row["observed_vs_projected"].item() == share_side
    total = table[table["region"] == "all regions"]
    assert total["observed"].item() == observed.sum()
    assert total["error_pct"].item() == pytest.approx(100 * (20_000 - observed.sum())
                                                      / observed.sum())
    assert set(table["edition"]) == {"2021Q2"}
    text = capsys.readouterr().out
    assert "workforce projection against the observed stocks:" in text
    assert f"observed {observed.sum():,.0f}" in text
    assert "4 after the later data's last year (2021)" in text
    html = (out / "evaluation_report.html").read_text(encoding="utf-8")
    assert "The workforce projection against what happened" in html
    assert ">2021<" in html and "2,021" not in html   # a year, not a count


def test_evaluate_says_when_no_year_overlaps(later, capsys, tmp_path):
    folder = tmp_path / "actuals"
    folder.mkdir()
    for name in ("surveys.csv", "training.csv"):
        (folder / name).write_bytes((later.root / "actuals" / name).read_bytes())
    employment = later.employment[later.employment["period"].astype(str) <= "2021Q2"]
    employment.to_csv(folder / "employment.csv", index=False)
    out = tmp_path / "out"
    assert main(["evaluate", "--store", str(later.store.path), "--edition", "2021Q2",
                 "--actuals", str(folder), "--out", str(out), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["stocks"] == []
    assert any("observes no complete year" in note for note in doc["stock_notes"])
    assert pd.read_csv(out / "edition_stocks.csv").empty


def test_the_run_stores_its_policy_need_table():
    policy = pd.DataFrame({"region": ["A"], "industry": ["x"], "period": [2029],
                           "employment": [100.0], "projected_stock": [20.0],
                           "policy_need": [10.0]})
    result = SimpleNamespace(policy=policy, config=SimpleNamespace(
        targets=SimpleNamespace(plan_levels=("skilled",))))
    table = stored_projection(result)
    assert table.columns.tolist() == ["region", "industry", "period", "employment",
                                      "projected_stock", "policy_need_skilled"]


def test_evaluate_without_a_later_employment_table_says_so(later, capsys, tmp_path):
    folder = tmp_path / "actuals"
    folder.mkdir()
    for name in ("surveys.csv", "training.csv"):
        (folder / name).write_bytes((later.root / "actuals" / name).read_bytes())
    out = tmp_path / "out"
    assert main(["evaluate", "--store", str(later.store.path), "--edition", "2021Q2",
                 "--actuals", str(folder), "--out", str(out)]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert ("The later data have no employment table ([data] employment): the stocks "
            "edition 2021Q2 projected for 2021-2022 were not compared") in text


@pytest.mark.slow
def test_plan_store_keeps_the_policy_need_table_it_writes(tmp_path):
    out, store = tmp_path / "out", tmp_path / "editions.sqlite"
    assert main(["plan", "--config", str(NATIONAL), "--out", str(out), "--no-charts",
                 "--store", str(store)]) == 0
    editions = EditionStore(store)
    name = editions.latest()
    projection = editions.projection(name)
    written = pd.read_csv(out / "policy_need.csv")
    assert projection.columns.tolist() == written.columns.tolist()
    assert "projected_stock_high_skilled" in projection.columns
    assert projection["period"].dt.year.tolist() == written["period"].tolist()
    pd.testing.assert_series_equal(projection["projected_stock"], written["projected_stock"],
                                   check_exact=False, rtol=1e-12)
    years = sorted(set(written["period"]))
    assert editions.info(name)["projection_years"] == f"{years[0]}-{years[-1]}"
