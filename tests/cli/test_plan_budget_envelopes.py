"""``[plan] budget_envelopes``: money per group of cells in a multi-year ``talentgap plan``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _synthetic_inputs import write_synthetic_inputs

from talentgap import planning
from talentgap.cli import main
from talentgap.cli.config import Config
from talentgap.errors import ConfigError

YEARS = (2023, 2024)  # the synthetic data end in 2022Q4


def _config(folder: Path, extra: str = "") -> Path:
    path = folder / "plan.toml"
    path.write_text("[plan]\ncost_per_trainee = 1000\npass_rate = 0.8\n"
                    f"years = {list(YEARS)}\nbudget = {{ 2023 = 400000, 2024 = 400000 }}\n"
                    + extra, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The plan without envelopes, then with the first region's money capped, capturing the
    arguments the command passes to the planner."""
    folder = tmp_path_factory.mktemp("envelopes")
    flags = write_synthetic_inputs(folder)
    free = folder / "free"
    assert main(["plan", "--config", str(_config(folder)), *flags, "--out", str(free)]) == 0
    quotas = pd.read_csv(free / "quotas.csv")
    spent = quotas.groupby("region")["cost"].sum()
    region = spent.idxmax()
    cap = float(np.floor(spent.max() / 2))
    pd.DataFrame({"region": [region], "budget": [cap]}).to_csv(folder / "env.csv", index=False)
    calls = []
    original = planning.allocate_quotas

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    out = folder / "capped"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(planning, "allocate_quotas", spy)
        code = main(["plan", "--config",
                     str(_config(folder, 'budget_envelopes = "env.csv"\n')), *flags,
                     "--out", str(out)])
    assert code == 0
    return {"folder": folder, "free": quotas, "capped": pd.read_csv(out / "quotas.csv"),
            "region": region, "cap": cap, "calls": calls}


def test_the_envelope_holds_and_binds(runs):
    capped, region, cap = runs["capped"], runs["region"], runs["cap"]
    spent = capped.groupby("region")["cost"].sum()
    assert spent[region] <= cap + 1e-6
    assert runs["free"].groupby("region")["cost"].sum()[region] > cap   # it had to bind
    per_year = capped.groupby("period")["cost"].sum()
    assert (per_year <= 400_000 + 1e-6).all()


def test_the_command_plans_as_the_library_does_with_the_same_envelopes(runs):
    (args, kwargs), = runs["calls"]
    envelopes = kwargs["budget_envelopes"]
    assert envelopes[["region", "budget"]].astype({"budget": float}).to_dict("records") == [
        {"region": runs["region"], "budget": runs["cap"]}]
    mine = kwargs | {"budget_envelopes": pd.DataFrame({"region": [runs["region"]],
                                                       "budget": [runs["cap"]]})}
    plan = planning.allocate_quotas(*args, **mine)
    library = plan.quotas.sort_values(["region", "industry", "period"])
    command = runs["capped"].sort_values(["region", "industry", "period"])
    assert library["quota"].to_numpy().tolist() == command["quota"].to_numpy().tolist()
    assert "budget_envelope[" + runs["region"] + "]" in set(plan.constraints["name"])


def test_an_envelope_file_is_checked_like_the_other_plan_files(runs, tmp_path):
    folder = runs["folder"]
    pd.DataFrame({"region": [runs["region"]] * 2, "budget": [1000, 2000]}).to_csv(
        folder / "twice.csv", index=False)
    with pytest.raises(ConfigError, match=r"budget_envelopes: .*repeat.*line 3"):
        main(["plan", "--config", str(_config(folder, 'budget_envelopes = "twice.csv"\n')),
              *write_synthetic_inputs(tmp_path), "--out", str(tmp_path / "x"), "--debug"])


def test_envelopes_need_years():
    with pytest.raises(ConfigError, match=r"budget_envelopes needs \[plan\] years"):
        Config.from_dict({"plan": {"budget": 1e6, "cost_per_trainee": 100,
                                   "budget_envelopes": "env.csv"}})
