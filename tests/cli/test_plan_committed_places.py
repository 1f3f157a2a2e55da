"""``[plan] committed``: places funded by an earlier plan count before the plan's places."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import pytest
from _synthetic_inputs import write_synthetic_inputs

from talentgap.cli import main
from talentgap.cli.config import load_config
from talentgap.errors import ConfigError

# the synthetic data end in 2022Q4: places of 2022 certify in 2023 (lead time 1); a yield of
# 0.8 x 0.5 = 0.4 and 10% exits a year
PLAN = ('[plan]\ncost_per_trainee = 2000\npass_rate = 0.8\nabsorption = 0.5\n'
        'years = [2023, 2024]\nbudget = { 2023 = 100000, 2024 = 100000 }\nlead_time = 1\n'
        'exit_rate = 0.1\n')
COMMITTED = ("region,industry,period,places\n"
             "Amberfield,textiles,2022,100\n"
             "Ashmere,construction_engineering,2021,50\n")


def _run(folder: Path, committed: str | None, name: str) -> tuple[int, Path]:
    config = folder / f"{name}.toml"
    text = PLAN
    if committed is not None:
        (folder / f"{name}.csv").write_text(committed, encoding="utf-8")
        text += f'committed = "{name}.csv"\n'
    config.write_text(text, encoding="utf-8")
    out = folder / name
    return main(["plan", "--config", str(config), *write_synthetic_inputs(folder),
                 "--out", str(out)]), out


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("committed")
    with_places = _run(folder, COMMITTED, "with")
    without = _run(folder, None, "without")
    return folder, with_places, without


def test_committed_workers_per_cell_and_year_are_the_hand_computed_ones(runs):
    _, (code, out), _ = runs
    assert code == 0
    cells = pd.read_csv(out / "plan_cells.csv")
    got = cells.set_index(["region", "industry", "period"])["committed_workers"]
    # 100 places of 2022: 40 workers in 2023, 36 in 2024, 32.4 in 2025
    assert got.loc[("Amberfield", "textiles")].tolist() == pytest.approx([40.0, 36.0, 32.4])
    # 50 places of 2021 certified in 2022: 20 x 0.9 = 18 in 2023, 16.2, 14.58
    assert got.loc[("Ashmere", "construction_engineering")].tolist() == pytest.approx(
        [18.0, 16.2, 14.58])
    assert got.drop([("Amberfield", "textiles"), ("Ashmere", "construction_engineering")]
                    ).eq(0).all()
    years = pd.read_csv(out / "plan_years.csv").set_index("period")
    assert years["committed_workers"].tolist() == pytest.approx([58.0, 52.2, 46.98])
    summary = pd.read_csv(out / "plan_summary.csv").iloc[0]
    assert summary["committed_places"] == 150
    assert summary["committed_arriving"] == pytest.approx(40.0)   # 2021's arrived in 2022
    assert "already funded" in summary["before_plan"]


def test_the_needs_before_the_plan_are_net_of_the_committed_workers(runs):
    _, (_, out), (code, bare) = runs
    assert code == 0
    cells = pd.read_csv(out / "plan_cells.csv")
    plain = pd.read_csv(bare / "plan_cells.csv")
    both = cells.merge(plain, on=["region", "industry", "period"], suffixes=("", "_plain"))
    assert (both["gap_before"] - (both["gap_before_plain"] - both["committed_workers"])
            ).abs().max() < 1e-6
    assert "committed_workers" not in plain.columns
    # the textiles cell of Amberfield needs fewer of the plan's places with 100 funded already
    quotas = pd.read_csv(out / "quotas.csv")
    assert quotas["cost"].sum() <= 200_000


def test_the_report_says_how_many_places_were_funded_and_arrive(runs):
    _, (_, out), _ = runs
    page = html.unescape((out / "report.html").read_text(encoding="utf-8"))
    assert ("150 places were already funded before this plan ([plan] committed); 40 of "
            "their certified workers arrive in 2023 to 2025") in page


def test_a_period_after_the_first_plan_year_names_the_line(runs, capsys):
    folder = runs[0]
    code, _ = _run(folder, COMMITTED + "Bluewater,textiles,2024,10\n", "late")
    assert code == 2
    err = capsys.readouterr().err
    assert ("column 'period' of the committed table must be at or before the plan's first "
            "funding period 2023") in err
    assert "line 4 (Bluewater, textiles, 2024): '2024'" in err


def test_an_unknown_cell_names_the_line(runs, capsys):
    code, _ = _run(runs[0], COMMITTED + "Bluewater,drones,2022,10\n", "unknown")
    assert code == 2
    assert ("must name a cell of the plan; 1 row fails, e.g. line 4 (Bluewater, drones, "
            "2022)") in capsys.readouterr().err


@pytest.mark.parametrize(("places", "words"), [
    ("-10", "column 'places' must be >= 0 and finite; 1 row fails, e.g. line 4"),
    ("ten", "column 'places' must be a number; 1 row fails, e.g. line 4"),
])
def test_bad_places_name_the_line(runs, capsys, places, words):
    code, _ = _run(runs[0], COMMITTED + f"Bluewater,textiles,2022,{places}\n", "bad")
    assert code == 2
    assert words in capsys.readouterr().err


def test_committed_needs_years(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text('[plan]\nbudget = 1e6\ncommitted = "c.csv"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[plan\] committed needs \[plan\] years"):
        load_config(path)
