"""Fixtures shared by the planning tests."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.planning import _multiyear_classes as classes
from talentgap.planning import _multiyear_stages as stages


@pytest.fixture
def two_cells() -> pd.DataFrame:
    """Cells A and B of one region, need periods 2026-2028, one scenario."""
    return pd.DataFrame({
        "region": "Northvale", "industry": ["A"] * 3 + ["B"] * 3,
        "period": ["2026", "2027", "2028"] * 2,
        "gap": [30.0, 20.0, 80.0, 20.0, 40.0, 60.0],
    })


@pytest.fixture
def route_by_classes(monkeypatch):
    """A switch that sends even small multi-year plans to the route by classes.

    Calling it (after solving the plans that should take the full program)
    lowers the route's size thresholds and returns a list to which each
    later call of ``solve_by_classes`` appends what it returned (None when it
    declined the plan), so a test can check that a plan was made by classes.
    """
    def switch() -> list:
        monkeypatch.setattr(classes, "MIN_PIECES", 0)
        monkeypatch.setattr(classes, "MAX_CLASS_SHARE", 1.0)
        monkeypatch.setattr(stages, "MAX_SPLIT_SHARE", 1.0)
        used: list = []

        def spy(*args, **kwargs):
            used.append(classes.solve_by_classes(*args, **kwargs))
            return used[-1]

        monkeypatch.setattr(stages, "solve_by_classes", spy)
        return used

    return switch
