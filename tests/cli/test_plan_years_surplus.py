"""``talentgap plan`` over funding years with ``[plan] surplus_penalty``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from _synthetic_inputs import write_synthetic_inputs

from talentgap.cli import main


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> dict[float, Path]:
    """The same two-year plan with money to spare, without and with a surplus penalty."""
    folder = tmp_path_factory.mktemp("surplus")
    flags = write_synthetic_inputs(folder)
    out = {}
    for penalty in (0.0, 0.5):
        config = folder / f"plan_{penalty}.toml"
        config.write_text("[plan]\ncost_per_trainee = 1000\npass_rate = 0.8\n"
                          f"years = [2023, 2024]\nsurplus_penalty = {penalty}\n"
                          "budget = { 2023 = 2000000, 2024 = 2000000 }\n", encoding="utf-8")
        out[penalty] = folder / f"out_{penalty}"
        assert main(["plan", "--config", str(config), *flags, "--out", str(out[penalty])]) == 0
    return out


def test_the_penalty_changes_the_plan(planned):
    free = pd.read_csv(planned[0.0] / "quotas.csv")
    penalised = pd.read_csv(planned[0.5] / "quotas.csv")
    assert free[["region", "industry", "period"]].equals(
        penalised[["region", "industry", "period"]])
    assert (free["quota"] != penalised["quota"]).any()
    assert penalised["quota"].sum() < free["quota"].sum()
    summary = {p: pd.read_csv(planned[p] / "plan_summary.csv").iloc[0] for p in planned}
    assert summary[0.5]["surplus_after"] < summary[0.0]["surplus_after"]
    assert summary[0.5]["shortfall_after"] >= summary[0.0]["shortfall_after"]


def test_the_summary_says_the_objective_includes_the_penalty(planned):
    for penalty, folder in planned.items():
        row = pd.read_csv(folder / "plan_summary.csv").iloc[0]
        assert row["surplus_penalty"] == penalty
        assert row["objective"] == pytest.approx(
            row["shortfall_after"] + penalty * row["surplus_after"])
    binding = pd.read_csv(planned[0.5] / "plan_binding.csv")
    assert binding["sentence"].str.contains("expected shortfall plus the surplus penalty").all()
    assert (binding["objective"] == "expected shortfall plus the surplus penalty").all()
    assert not pd.read_csv(planned[0.0] / "plan_binding.csv")["sentence"].str.contains(
        "penalty").any()
    report = (planned[0.5] / "report.html").read_text(encoding="utf-8")
    assert "plus the surplus penalty" in report


def test_the_report_says_the_plan_counts_surplus(planned):
    penalised = (planned[0.5] / "report.html").read_text(encoding="utf-8")
    assert "counts against it as 0.5 of a worker short (the surplus penalty)" in penalised
    assert "surplus penalty" not in (planned[0.0] / "report.html").read_text(encoding="utf-8")
