"""Small synthetic inputs for ``talentgap plan`` runs, written as CSV files."""

from __future__ import annotations

from pathlib import Path

import talentgap as tg


def write_synthetic_inputs(folder: Path) -> list[str]:
    """Surveys and training of 3 regions x 3 industries to 2022Q4, and the flags that read them.

    The flags also ask for the naive forecaster, 200 sample paths, no chart files and no
    fan charts in the report (drawing them takes nearly half of a run), which keeps a run to
    about a second.
    """
    data = tg.datasets.make_synthetic(n_regions=3, industries=3, n_periods=16, seed=5)
    tg.io.write_table(data.surveys, folder / "surveys.csv")
    tg.io.write_table(data.training, folder / "training.csv")
    return ["--surveys", str(folder / "surveys.csv"), "--training",
            str(folder / "training.csv"), "--forecaster", "naive",
            "--set", "forecast.n_samples=200", "--set", "output.fan_charts=0", "--no-charts"]
