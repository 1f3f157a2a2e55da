"""Which chunks run where: joblib's default backend, a backend the caller chose, or unknown."""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd

import talentgap as tg
from talentgap.models import _parallel, base


def _table() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    periods = pd.period_range("2020Q1", periods=12, freq="Q")
    return pd.DataFrame({"sid": np.repeat([f"s{i:02d}" for i in range(20)], 12),
                         "period": np.tile(periods, 20),
                         "value": rng.poisson(40, 240).astype(float)})


def test_the_default_backend_is_told_apart_from_a_chosen_one():
    assert _parallel._default_backend()
    with joblib.parallel_config(backend="threading"):
        assert not _parallel._default_backend()
    with joblib.parallel_config(backend="loky"):
        assert _parallel._default_backend()


def test_without_a_way_to_tell_every_chunk_goes_to_the_backend(monkeypatch):
    """The fallback when joblib no longer has the names the check imports."""
    monkeypatch.setattr(base, "CHUNK_SIZE", 4)
    expected = tg.models.Theta(n_jobs=1).fit(_table(), keys=["sid"]).predict(3, level=[80])
    monkeypatch.setattr(_parallel, "get_active_backend", None)
    assert not _parallel._default_backend()
    calls = []
    real = _parallel.Parallel

    def counted(*args, **kwargs):
        calls.append(kwargs.get("n_jobs"))
        return real(*args, **kwargs)

    monkeypatch.setattr(_parallel, "Parallel", counted)
    with joblib.parallel_config(backend="threading"):
        got = tg.models.Theta(n_jobs=2).fit(_table(), keys=["sid"]).predict(3, level=[80])
    assert calls and set(calls) == {2}
    pd.testing.assert_frame_equal(got, expected)
