"""Tests of talentgap.planning._problem.Scenarios: per-cell sums on the sample-path grid."""

from __future__ import annotations

import numpy as np
import pytest

from talentgap.planning._problem import Scenarios


def _paths(n: int, k: int, seed: int) -> Scenarios:
    """Equally likely sample paths, the way the planner reads them (a broadcast weight)."""
    values = np.sort(np.random.default_rng(seed).normal(50.0, 30.0, (n, k)), axis=1)
    return Scenarios.from_grid(values)


def _by_bincount(sc: Scenarios, certified: np.ndarray) -> tuple[np.ndarray, ...]:
    """The sums written out over the flat arrays (the general path)."""
    x = certified[sc.cell]
    w = np.asarray(sc.weight)
    return (np.bincount(sc.cell, weights=w * np.maximum(sc.value - x, 0.0)),
            np.bincount(sc.cell, weights=w * np.maximum(x - sc.value, 0.0)),
            np.bincount(sc.cell, weights=w * sc.value))


@pytest.mark.parametrize("n, k", [(1, 1), (7, 200), (3000, 1000)])
def test_grid_sums_equal_the_flat_sums(n, k):
    sc = _paths(n, k, seed=n)
    assert sc._grid is not None
    certified = np.random.default_rng(1).uniform(0.0, 100.0, n)
    shortfall, surplus, mean = _by_bincount(sc, certified)
    np.testing.assert_allclose(sc.shortfall(certified), shortfall, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(sc.surplus(certified), surplus, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(sc.mean(), mean, rtol=1e-12, atol=1e-9)


def test_uneven_cells_and_weights_use_the_flat_sums():
    uneven = Scenarios.from_values(np.array([0, 0, 0, 1]), np.array([1.0, 5.0, 9.0, 4.0]), 2)
    assert uneven._grid is None
    np.testing.assert_allclose(uneven.shortfall(np.array([2.0, 0.0])), [(3 + 7) / 3, 4.0])

    sc = _paths(4, 3, seed=0)
    weighted = Scenarios(cell=sc.cell, value=sc.value, weight=np.tile([0.2, 0.3, 0.5], 4),
                         count=sc.count, start=sc.start)
    assert weighted._grid is None
    certified = np.full(4, 40.0)
    np.testing.assert_allclose(weighted.shortfall(certified),
                               _by_bincount(weighted, certified)[0])


def test_an_empty_cell_table_has_no_grid():
    empty = Scenarios.from_values(np.array([], dtype=np.int64), np.array([]), 0)
    assert empty._grid is None
    assert empty.shortfall(np.array([])).shape == (0,)
