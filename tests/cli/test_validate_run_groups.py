"""``talentgap validate`` lists the rows a run skipping bad rows leaves out: a bad row's
whole cell-period (training) or enterprise-period (surveys), one rule for both."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main, pipeline
from talentgap.cli.config import load_config


@pytest.fixture(scope="module")
def inputs():
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=8, seed=5)
    text = {"period": str, "region": str, "industry": str}
    return data.surveys.astype(text), data.training.astype(text)


def test_validate_rejects_the_lines_a_skipping_run_drops(tmp_path, inputs):
    surveys, training = inputs
    sizes = training.groupby(["period", "region", "industry"]).transform("size")
    shared = np.flatnonzero(sizes.to_numpy() == 2)  # cohorts sharing their cell-period
    assert shared.size
    bad = int(shared[0])
    damaged = training.copy()
    damaged.loc[bad, "certified"] = damaged.loc[bad, "trained"] + 5  # certified > trained
    surveys.to_csv(tmp_path / "surveys.csv", index=False)
    damaged.to_csv(tmp_path / "training.csv", index=False)
    config = tmp_path / "run.toml"
    config.write_text('[data]\nsurveys = "surveys.csv"\ntraining = "training.csv"\n'
                      'on_invalid = "skip"\n')

    rejected = tmp_path / "rejected.csv"
    assert main(["validate", "--config", str(config), "--rejected", str(rejected)]) == 2
    listed = pd.read_csv(rejected)
    listed = listed[listed["file"].str.endswith("training.csv")]
    result = pipeline.run(load_config(config), steps=("features",))
    dropped = result.rejected[result.rejected["table"] == "training"]
    # the bad row and the other cohort of its cell-period, in both
    assert sorted(listed["line"]) == sorted(dropped["line"]) and len(dropped) == 2
    assert sorted(listed["rule"]) == ["exceeds_trained", "group_incomplete"]
    report = result.reports["training"]
    assert report.rows_kept == len(training) - 2
