"""Series chunks run on a Dask cluster through joblib give the same forecasts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.models import base

distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
joblib = pytest.importorskip("joblib")


@pytest.fixture
def many_series():
    rng = np.random.default_rng(7)
    n, length = 60, 16
    periods = pd.period_range("2021Q1", periods=length, freq="Q")
    level = rng.uniform(20, 200, size=(n, 1))
    values = level + rng.normal(0, 5, size=(n, length)).cumsum(axis=1)
    return pd.DataFrame({"sid": np.repeat([f"s{i:03d}" for i in range(n)], length),
                         "period": np.tile(periods, n),
                         "value": np.maximum(values, 0).ravel()})


@pytest.mark.slow
def test_dask_backend_matches_sequential(many_series, monkeypatch):
    monkeypatch.setattr(base, "CHUNK_SIZE", 8)  # several chunks for the cluster
    local = tg.models.AutoForecaster(n_jobs=1).fit(many_series, keys=["sid"])
    expected = local.predict(4, level=[80, 95])
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=1,
                            dashboard_address=None) as client:
        with joblib.parallel_config(backend="dask"), \
                distributed.get_task_stream(client) as tasks:
            remote = tg.models.AutoForecaster(n_jobs=-1).fit(many_series, keys=["sid"])
            got = remote.predict(4, level=[80, 95])
    assert len(tasks.data) >= 60 // 8  # the chunks did run on the cluster
    pd.testing.assert_frame_equal(got, expected)
    pd.testing.assert_frame_equal(remote.fitted_summary_, local.fitted_summary_)
