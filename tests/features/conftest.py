"""Shared fixtures of the feature tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def dask_synchronous():
    """Run Dask graphs in the calling thread (deterministic, easy to debug)."""
    dask = pytest.importorskip("dask")
    with dask.config.set(scheduler="synchronous"):
        yield
