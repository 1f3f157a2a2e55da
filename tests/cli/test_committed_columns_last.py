"""``[plan] committed`` adds ``committed_workers`` after every column a plan without it has."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from talentgap.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "national_targets.toml"
TABLES = ("plan_cells", "plan_years", "target_path", "target_path_national")


@pytest.mark.slow
def test_committed_workers_is_the_last_column_of_every_table(national_out, tmp_path):
    committed = tmp_path / "committed.csv"
    committed.write_text("region,industry,period,places\n"
                         "Amberfield,construction_engineering,2024,300\n", encoding="utf-8")
    out = tmp_path / "with"
    assert main(["plan", "--config", str(EXAMPLE), "--out", str(out), "--no-charts",
                 "--set", f"plan.committed={committed}",
                 "--set", "output.fan_charts=0"]) == 0
    for name in TABLES:
        plain = pd.read_csv(national_out / f"{name}.csv", nrows=0).columns.tolist()
        with_places = pd.read_csv(out / f"{name}.csv", nrows=0).columns.tolist()
        assert "committed_workers" not in plain, name
        # readers by position: the columns of a plan without committed places, in their
        # order, then the new one
        assert with_places == [*plain, "committed_workers"], name
