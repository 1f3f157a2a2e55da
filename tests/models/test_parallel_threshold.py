"""Chunks go to worker processes only when the work left is worth their cost."""

from __future__ import annotations

import time

import numpy as np
import pytest

from talentgap.models import Naive, _parallel


class _Inline:
    """Stands in for joblib.Parallel: records the tasks it gets and runs them here."""

    calls: list[int] = []

    def __init__(self, n_jobs=None):
        self.n_jobs = n_jobs

    def __call__(self, tasks):
        tasks = list(tasks)
        _Inline.calls.append(len(tasks))
        return [function(*args, **kwargs) for function, args, kwargs in tasks]


def _slow(value):
    time.sleep(0.05)
    return value * 2


@pytest.fixture
def inline(monkeypatch):
    _Inline.calls = []
    monkeypatch.setattr(_parallel, "Parallel", _Inline)
    monkeypatch.setattr(_parallel, "_default_backend", lambda: True)
    return _Inline.calls


def test_the_estimate_counts_every_chunk_left(inline, monkeypatch):
    # each chunk takes 0.05 s: under the threshold alone, the five left take 0.25 s
    monkeypatch.setattr(_parallel, "CHEAP_TASK_SECONDS", 0.15)
    model = Naive(n_jobs=2)
    got = model._parallel(_slow, [(i,) for i in range(6)])
    assert got == [0, 2, 4, 6, 8, 10]
    assert inline == [5]  # the first ran here, the other five went to the workers


def test_small_work_stays_here_by_default(inline):
    assert _parallel.CHEAP_TASK_SECONDS >= 1.0
    got = Naive(n_jobs=2)._parallel(_slow, [(i,) for i in range(3)])
    assert got == [0, 2, 4] and inline == []


def test_one_job_never_uses_workers(inline, monkeypatch):
    monkeypatch.setattr(_parallel, "CHEAP_TASK_SECONDS", 0.0)
    assert Naive(n_jobs=1)._parallel(np.negative, [(1,), (2,)]) == [-1, -2]
    assert inline == []
