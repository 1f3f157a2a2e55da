"""results.xlsx holds a sheet for every plan table the run writes as CSV."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.cli import outputs
from talentgap.cli.config import Config
from talentgap.cli.pipeline import run

openpyxl = pytest.importorskip("openpyxl")

PLAN_TABLES = ("quotas", "plan_", "policy_need", "target_path")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """A one-period plan's tables and workbook (naive model, few samples)."""
    out = tmp_path_factory.mktemp("sheets")
    config = Config.from_dict({"forecast": {"model": "naive", "n_samples": 100},
                               "plan": {"budget": 1_000_000, "cost_per_trainee": 6000}})
    result = run(config, steps=("forecast", "plan"), demo=True)
    assert result.comparison is not None
    outputs.write_tables(result, out, parquet=False)
    return out


def test_every_plan_csv_has_its_sheet(written):
    csvs = {p.stem for p in written.glob("*.csv") if p.stem.startswith(PLAN_TABLES)}
    assert "plan_comparison" in csvs
    book = openpyxl.load_workbook(written / "results.xlsx", read_only=True)
    assert csvs <= set(book.sheetnames)
    contents = pd.read_excel(written / "results.xlsx", sheet_name="contents")
    assert csvs <= set(contents["sheet"])
    assert set(outputs.WORKBOOK_SHEETS) >= csvs


def test_the_comparison_sheet_holds_the_csv(written):
    csv = pd.read_csv(written / "plan_comparison.csv")
    sheet = pd.read_excel(written / "results.xlsx", sheet_name="plan_comparison")
    assert list(sheet.columns) == list(csv.columns)
    pd.testing.assert_frame_equal(sheet, csv, check_dtype=False)
