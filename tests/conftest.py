"""Shared fixtures: tiny valid input tables built in code, and command runs that several
CLI test modules read."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest


@pytest.fixture
def surveys() -> pd.DataFrame:
    """Four valid survey rows: two enterprises x two quarters, with design weights."""
    return pd.DataFrame(
        {
            "period": ["2024Q1", "2024Q1", "2024Q2", "2024Q2"],
            "enterprise_id": ["E1", "E2", "E1", "E2"],
            "region": ["North", "South", "North", "South"],
            "industry": ["textiles", "construction", "textiles", "construction"],
            "employees": [40, 12, 41, 12],
            "vacancies": [3, 1, 4, 0],
            "hard_to_fill": [2, 1, 4, 0],
            "reports_shortage": [1, 1, 1, 0],
            "weight": [1.0, 2.5, 1.0, 2.5],
        }
    )


@pytest.fixture
def training() -> pd.DataFrame:
    """Three valid training rows (annual)."""
    return pd.DataFrame(
        {
            "period": ["2024", "2024", "2024"],
            "region": ["North", "South", "North"],
            "industry": ["textiles", "textiles", "construction"],
            "program": ["P1", "P1", "P2"],
            "trained": [120, 80, 30],
            "certified": [80, 80, 0],
        }
    )


@pytest.fixture
def employment() -> pd.DataFrame:
    """Three valid employment rows (monthly) with skilled and high-skilled counts."""
    return pd.DataFrame(
        {
            "period": ["2024-01", "2024-01", "2024-02"],
            "region": ["North", "South", "North"],
            "industry": ["textiles", "textiles", "textiles"],
            "employment": [1000, 500, 1010],
            "skilled": [300, 150, 300],
            "high_skilled": [105, 50, 110],
        }
    )


# --- command runs shared by several CLI test modules: each runs once and is only read ---

#: The national-target example: a multi-year plan against skilled-worker shares.
NATIONAL = Path(__file__).resolve().parents[1] / "examples" / "national_targets.toml"


@pytest.fixture(scope="session")
def naive_demo_out(tmp_path_factory) -> Path:
    """``talentgap demo`` with a naive model, 200 simulated futures and charts off: its
    output folder (read only: a test that changes it copies it first)."""
    from talentgap.cli import main

    out = tmp_path_factory.mktemp("naive_demo")
    assert main(["demo", "--out", str(out), "--no-charts", "--set", "forecast.n_samples=200",
                 "--set", 'forecast.model="naive"']) == 0
    return out


@pytest.fixture(scope="session")
def national_out(tmp_path_factory) -> Path:
    """``talentgap plan`` on the national-target example, charts off: its output folder
    (read only: a test that changes it copies it first)."""
    from talentgap.cli import main

    out = tmp_path_factory.mktemp("national")
    assert main(["plan", "--config", str(NATIONAL), "--out", str(out), "--no-charts"]) == 0
    return out
