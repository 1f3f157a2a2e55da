"""Synthetic surveys for the tests of the partitioned (Dask) path."""

from __future__ import annotations

import pandas as pd

import talentgap as tg

__all__ = ["clustered_surveys"]


def clustered_surveys(*, industries: int, random_state: int) -> pd.DataFrame:
    """Surveys drawn by strata with population counts, in random row order, plus clusters.

    Three regions, four quarters; ``park`` groups the enterprises of each size
    band into 7 clusters (PSUs), ``parks`` is their population count (21).
    """
    data = tg.datasets.make_synthetic(n_regions=3, industries=industries, n_periods=4,
                                      seed=2, design=True)
    surveys = data.surveys.sample(frac=1.0, random_state=random_state).reset_index(drop=True)
    code = surveys["enterprise_id"].cat.codes.to_numpy()
    surveys["park"] = surveys["size_band"].astype(str) + "-" + (code % 7).astype(str)
    surveys["parks"] = 21
    return surveys
