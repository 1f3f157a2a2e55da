"""Tests for talentgap.models.reconciliation (MinT family, non-negative projection).

The Hierarchy itself (nodes, summing matrix) is tested in tests/features/test_hierarchy.py.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import nnls

import talentgap as tg
import talentgap.features.hierarchy as hierarchy_module
import talentgap.models._reconcile_solvers as solvers
import talentgap.models.reconciliation as rec
from talentgap.errors import DataQualityWarning, ParameterError
from talentgap.features import aggregate
from talentgap.models.reconciliation import Hierarchy, reconcile

REGIONS = {"r1": "P1", "r2": "P1", "r3": "P2", "r4": "P2"}
INDUSTRIES = {"i1": "S1", "i2": "S1", "i3": "S2"}
LEVELS = {"region": pd.DataFrame({"region": list(REGIONS), "province": list(REGIONS.values())}),
          "industry": pd.Series(INDUSTRIES, name="sector")}
PERIODS = pd.period_range("2025", periods=3, freq="Y")
LEAST_SQUARES = ["ols", "wls_struct", "wls_var", "mint_shrink"]
ALL_METHODS = ["bottom_up", "top_down", *LEAST_SQUARES]


# ---- an independent summing matrix and the textbook formula ---------------------------------
def _covers(node: pd.Series, cell: pd.Series, parents: dict) -> bool:
    """Whether a bottom cell lies under a node, from the definitions alone."""
    for key, parent in parents.items():
        level, label = node[f"{key}_level"], node[key]
        if level == "all":
            continue
        if level == key and cell[key] != label:
            return False
        if level != key and parent[cell[key]] != label:
            return False
    return True


def _dense_s(hier: Hierarchy, parents: dict | None = None) -> np.ndarray:
    parents = parents or {"region": REGIONS, "industry": INDUSTRIES}
    return np.array([[_covers(node, cell, parents) for _, cell in hier.bottom.iterrows()]
                     for _, node in hier.nodes.iterrows()], dtype=float)


def _textbook(s: np.ndarray, w: np.ndarray, y: np.ndarray) -> np.ndarray:
    """y~ = S (S' W^-1 S)^-1 S' W^-1 y^ with dense matrices."""
    w_inv = np.linalg.inv(w)
    return s @ np.linalg.inv(s.T @ w_inv @ s) @ s.T @ w_inv @ y


def _frame(hier: Hierarchy, values: np.ndarray, periods=PERIODS) -> pd.DataFrame:
    """Long forecasts: one row per node and period, ``values`` shaped (n_nodes, n_periods)."""
    nodes = hier.nodes[hier.node_columns]
    pieces = [nodes.assign(period=p, mean=values[:, t]) for t, p in enumerate(periods)]
    return pd.concat(pieces, ignore_index=True)


def _matrix(hier: Hierarchy, frame: pd.DataFrame, column: str = "mean") -> np.ndarray:
    """A long table back to (n_nodes, n_periods) in hierarchy order."""
    keyed = frame.set_index([*hier.node_columns, "period"])[column]
    index = pd.MultiIndex.from_frame(hier.nodes[hier.node_columns])
    return np.column_stack([keyed.xs(p, level="period").reindex(index).to_numpy()
                            for p in sorted(frame["period"].unique())])


def _residual_frame(hier: Hierarchy, residuals: np.ndarray) -> pd.DataFrame:
    periods = pd.period_range("2000", periods=residuals.shape[0], freq="Y")
    return pd.concat([hier.nodes[hier.node_columns].assign(period=p, residual=residuals[k])
                      for k, p in enumerate(periods)], ignore_index=True)


@pytest.fixture(scope="module")
def hier() -> Hierarchy:
    cells = pd.DataFrame(list(itertools.product(REGIONS, INDUSTRIES)),
                         columns=["region", "industry"])
    return Hierarchy.from_mappings(cells.sample(frac=1, random_state=1), LEVELS)


@pytest.fixture(scope="module")
def s_dense(hier) -> np.ndarray:
    return _dense_s(hier)


@pytest.fixture(scope="module")
def base(hier) -> np.ndarray:
    """Incoherent positive base forecasts, (n_nodes, 3 periods)."""
    rng = np.random.default_rng(0)
    n_cells = hier.nodes["n_cells"].to_numpy(dtype=float)
    return (10 * n_cells)[:, None] * rng.uniform(0.7, 1.3, (hier.n_nodes, len(PERIODS)))


@pytest.fixture(scope="module")
def residual_matrix(hier, s_dense) -> np.ndarray:
    """40 periods of correlated residuals: aggregates of bottom errors plus node noise."""
    rng = np.random.default_rng(1)
    bottom = rng.normal(0, 1, (40, hier.n_bottom)) * rng.uniform(0.5, 2, hier.n_bottom)
    return bottom @ s_dense.T + rng.normal(0, 0.5, (40, hier.n_nodes))


@pytest.fixture(scope="module")
def residuals(hier, residual_matrix) -> pd.DataFrame:
    return _residual_frame(hier, residual_matrix)


def _run(hier, base, method, residuals, **kwargs):
    return reconcile(_frame(hier, base), hier, method=method, residuals=residuals, **kwargs)


# ---- against the textbook formula ---------------------------------------------------------------
@pytest.mark.parametrize("method", ["ols", "wls_struct", "wls_var"])
def test_diagonal_methods_match_dense_formula(hier, s_dense, base, residuals, residual_matrix,
                                              method):
    w = {"ols": np.eye(hier.n_nodes),
         "wls_struct": np.diag(s_dense.sum(axis=1)),
         "wls_var": np.diag((residual_matrix**2).mean(axis=0))}[method]
    out = _matrix(hier, _run(hier, base, method, residuals).forecasts)
    np.testing.assert_allclose(out, _textbook(s_dense, w, base), rtol=1e-10, atol=1e-10)


def test_bottom_up_is_s_times_bottom(hier, s_dense, base):
    out = _matrix(hier, _run(hier, base, "bottom_up", None).forecasts)
    np.testing.assert_allclose(out, s_dense @ base[:12], rtol=1e-12)


def test_top_down_forecast_proportions(hier, s_dense, base):
    out = _matrix(hier, _run(hier, base, "top_down", None).forecasts)
    expected_bottom = base[:12] / base[:12].sum(axis=0) * base[-1]
    np.testing.assert_allclose(out, s_dense @ expected_bottom, rtol=1e-12)
    np.testing.assert_allclose(out[-1], base[-1])  # the grand total is kept
    negative = base.copy()
    negative[0, 0] = -1.0
    with pytest.raises(ParameterError, match="1 are negative"):
        _run(hier, negative, "top_down", None)


def _shrinkage_direct(r: np.ndarray) -> float:
    """Schäfer-Strimmer lambda for target D, written out pair by pair (mean-zero residuals)."""
    n, p = r.shape
    z = r / np.sqrt((r**2).mean(axis=0))
    numerator = denominator = 0.0
    for i in range(p):
        for j in range(p):
            if i == j:
                continue
            w = z[:, i] * z[:, j]
            numerator += ((w - w.mean()) ** 2).sum() / (n * (n - 1))  # Var^(r_ij)
            denominator += w.mean() ** 2  # r_ij^2
    return min(max(numerator / denominator, 0.0), 1.0)


def test_mint_shrink_lambda_and_formula(hier, s_dense, base, residuals, residual_matrix):
    result = _run(hier, base, "mint_shrink", residuals)
    lam = _shrinkage_direct(residual_matrix)
    assert 0 < lam < 1
    assert result.shrinkage == pytest.approx(lam, rel=1e-10)
    sigma = residual_matrix.T @ residual_matrix / len(residual_matrix)
    w = lam * np.diag(np.diag(sigma)) + (1 - lam) * sigma
    np.testing.assert_allclose(_matrix(hier, result.forecasts), _textbook(s_dense, w, base),
                               rtol=1e-9, atol=1e-9)


def test_residuals_as_array_or_table_agree(hier, base, residuals, residual_matrix):
    for method in ["wls_var", "mint_shrink"]:
        table = _run(hier, base, method, residuals).forecasts["mean"]
        array = _run(hier, base, method, residual_matrix).forecasts["mean"]
        np.testing.assert_allclose(table, array, rtol=1e-12)


def _step_frame(hier: Hierarchy, errors: np.ndarray) -> pd.DataFrame:
    """Backtest errors (n_origins, n_steps, n_nodes) as a long table with ``horizon_step``.

    Origin k forecasts periods k+1 .. k+n_steps, so a period holds errors of several steps.
    """
    periods = pd.period_range("2000", periods=errors.shape[0] + errors.shape[1], freq="Y")
    nodes = hier.nodes[hier.node_columns]
    return pd.concat([nodes.assign(period=periods[k + h], horizon_step=h + 1,
                                   residual=errors[k, h])
                      for k in range(errors.shape[0]) for h in range(errors.shape[1])],
                     ignore_index=True)


def test_residuals_of_several_horizon_steps_are_pooled(hier, s_dense, base, residual_matrix):
    errors = residual_matrix[:30].reshape(10, 3, hier.n_nodes)
    table = _step_frame(hier, errors)
    assert table.duplicated([*hier.node_columns, "period"]).any()  # a period holds 2+ steps
    pooled = errors.reshape(30, hier.n_nodes)
    for method in ["wls_var", "mint_shrink"]:
        from_table = _run(hier, base, method, table)
        from_array = _run(hier, base, method, pooled)
        np.testing.assert_allclose(from_table.forecasts["mean"], from_array.forecasts["mean"],
                                   rtol=1e-12)
        assert from_table.shrinkage == from_array.shrinkage
    w = np.diag((pooled**2).mean(axis=0))
    np.testing.assert_allclose(_matrix(hier, _run(hier, base, "wls_var", table).forecasts),
                               _textbook(s_dense, w, base), rtol=1e-10, atol=1e-10)
    with pytest.raises(ParameterError, match="more than one row for some node and 'period'.*"
                                             "need a 'horizon_step' column"):
        _run(hier, base, "wls_var", table.drop(columns="horizon_step"))
    twice = pd.concat([table, table.head(1)], ignore_index=True)
    with pytest.raises(ParameterError, match="node and 'period' and 'horizon_step'"):
        _run(hier, base, "wls_var", twice)


def test_default_method_is_wls_var(hier, base, residuals):
    default = reconcile(_frame(hier, base), hier, residuals=residuals)
    assert default.method == "wls_var"
    pd.testing.assert_frame_equal(default.forecasts,
                                  _run(hier, base, "wls_var", residuals).forecasts)


def test_public_names_live_on_after_the_module_split():
    # one Hierarchy, defined with aggregate in the features layer, re-exported by models
    assert tg.models.Hierarchy is rec.Hierarchy is hierarchy_module.Hierarchy
    assert tg.features.aggregate is hierarchy_module.aggregate
    assert tg.models.reconcile is rec.reconcile
    assert {"Hierarchy", "reconcile", "ReconcileResult", "METHODS"} <= set(rec.__all__)


# ---- coherence and fixed points -----------------------------------------------------------------
@pytest.mark.parametrize("method", ALL_METHODS)
def test_reconciled_cells_sum_to_totals(hier, s_dense, base, residuals, method):
    out = _matrix(hier, _run(hier, base, method, residuals).forecasts)
    np.testing.assert_allclose(s_dense @ out[:12], out, rtol=0, atol=1e-6)
    assert np.abs(out - base).max() > 1e-3  # base was incoherent: something moved


@pytest.mark.parametrize("method", LEAST_SQUARES)
def test_coherent_forecasts_are_unchanged(hier, s_dense, residuals, method):
    bottom = np.random.default_rng(3).uniform(-5, 50, (12, len(PERIODS)))
    coherent = s_dense @ bottom
    out = _matrix(hier, _run(hier, coherent, method, residuals).forecasts)
    np.testing.assert_allclose(out, coherent, rtol=1e-9, atol=1e-8)


def test_aggregate_output_is_accepted_as_is(hier):
    """A coherent table straight from aggregate (value='gap') comes back unchanged."""
    rng = np.random.default_rng(4)
    panel = pd.concat([hier.bottom.assign(period=p, gap=rng.normal(0, 10, 12))
                       for p in PERIODS], ignore_index=True)
    totals = aggregate(panel, levels=LEVELS, values=["gap"])
    result = reconcile(totals, hier, method="wls_struct", value="gap")
    pd.testing.assert_frame_equal(result.forecasts, totals, rtol=1e-9, atol=1e-9)


def test_intervals_shift_with_the_mean_or_are_dropped(hier, base):
    frame = _frame(hier, base).assign(lo_80=lambda d: d["mean"] - 3,
                                      hi_80=lambda d: d["mean"] + 5, model="ETS")
    result = reconcile(frame, hier, method="ols")
    shift = result.forecasts["mean"] - frame["mean"]
    assert shift.abs().max() > 1e-3
    np.testing.assert_allclose(result.forecasts["lo_80"], frame["lo_80"] + shift)
    np.testing.assert_allclose(result.forecasts["hi_80"], frame["hi_80"] + shift)
    assert (result.forecasts["model"] == "ETS").all()
    dropped = reconcile(frame, hier, method="ols", intervals="drop").forecasts
    assert list(dropped.columns) == [*hier.node_columns, "period", "mean", "model"]
    # another value column carries its own bounds
    gap = frame.rename(columns={"mean": "gap", "lo_80": "gap_lo_80", "hi_80": "gap_hi_80"})
    moved = reconcile(gap, hier, method="ols", value="gap").forecasts
    np.testing.assert_allclose(moved["gap_lo_80"], gap["gap_lo_80"] + shift)


def test_row_order_does_not_matter(hier, base):
    frame = _frame(hier, base)
    shuffled = frame.sample(frac=1, random_state=7)
    a = reconcile(frame, hier, method="wls_struct").forecasts
    b = reconcile(shuffled, hier, method="wls_struct").forecasts
    assert b.index.equals(shuffled.index)
    np.testing.assert_allclose(b.loc[frame.index, "mean"], a["mean"], rtol=1e-12)


# ---- non-negative projection --------------------------------------------------------------------
@pytest.fixture(scope="module")
def base_negative(hier) -> np.ndarray:
    """Some tiny bottom forecasts under totals far below the sum of the bottom forecasts:
    reconciliation scales everything down and the tiny cells go negative (periods 1 and 3)."""
    rng = np.random.default_rng(5)
    bottom = np.where(rng.uniform(size=(12, len(PERIODS))) < 0.4, rng.uniform(0, 1, (12, 3)),
                      rng.uniform(20, 40, (12, 3)))
    out = 0.3 * (hier.S @ bottom) * rng.uniform(0.9, 1.1, (hier.n_nodes, 3))
    out[:12] = bottom
    out[:, 1] = hier.S @ bottom[:, 1]  # period 2 is coherent and positive: left alone
    return out


def _objective(s, w, y, b):
    e = y - s @ b
    return float(e @ np.linalg.solve(w, e))


@pytest.mark.parametrize("method", ["ols", "wls_struct", "mint_shrink"])
def test_nonnegative_projection(hier, s_dense, base_negative, residuals, method):
    plain = _run(hier, base_negative, method, residuals)
    result = _run(hier, base_negative, method, residuals, nonnegative=True)
    assert plain.n_negative > 0 and result.n_negative == plain.n_negative
    assert result.n_adjusted >= 1
    out = _matrix(hier, result.forecasts)
    unconstrained = _matrix(hier, plain.forecasts)
    assert out[:12].min() >= 0
    np.testing.assert_allclose(s_dense @ out[:12], out, atol=1e-6)
    np.testing.assert_allclose(out[:, 1], unconstrained[:, 1])  # no negatives: untouched
    if method == "ols":
        w = np.eye(hier.n_nodes)
    elif method == "wls_struct":
        w = np.diag(s_dense.sum(axis=1))
    else:
        lam = result.shrinkage
        r = residuals.pivot_table(index="period", columns=hier.node_columns,
                                  values="residual", sort=False)
        r = r[pd.MultiIndex.from_frame(hier.nodes[hier.node_columns])].to_numpy()
        sigma = r.T @ r / len(r)
        w = lam * np.diag(np.diag(sigma)) + (1 - lam) * sigma
    for t in range(len(PERIODS)):
        clipped = np.maximum(unconstrained[:12, t], 0)
        ours = _objective(s_dense, w, base_negative[:, t], out[:12, t])
        assert ours <= _objective(s_dense, w, base_negative[:, t], clipped) + 1e-9
        if method == "wls_struct":  # the exact NNLS optimum of the weighted system
            root = 1 / np.sqrt(np.diag(w))
            best, _ = nnls(root[:, None] * s_dense, root * base_negative[:, t])
            assert ours == pytest.approx(_objective(s_dense, w, base_negative[:, t], best),
                                         rel=1e-8, abs=1e-8)


@pytest.mark.parametrize("method", ["ols", "wls_struct", "mint_shrink"])
def test_nonnegative_large_solver_agrees_with_exact(hier, base_negative, residuals, method,
                                                    monkeypatch):
    """Bounded CG (used above _DENSE_NNLS_LIMIT) finds the exact BVLS optimum."""
    exact = _run(hier, base_negative, method, residuals, nonnegative=True).forecasts["mean"]
    monkeypatch.setattr(solvers, "DENSE_NNLS_LIMIT", 0)
    large = _run(hier, base_negative, method, residuals, nonnegative=True)
    assert large.forecasts["mean"].min() >= 0
    np.testing.assert_allclose(large.forecasts["mean"], exact, rtol=1e-7, atol=1e-7)


def test_nonnegative_bottom_up_clips_and_floors_bounds(hier, base):
    base_negative = base.copy()
    base_negative[[0, 4, 7], 0] = [-1.0, -0.5, -3.0]
    frame = _frame(hier, base_negative).assign(lo_80=lambda d: d["mean"] - 1,
                                               hi_80=lambda d: d["mean"] + 1)
    result = reconcile(frame, hier, method="bottom_up", nonnegative=True)
    out = _matrix(hier, result.forecasts)
    np.testing.assert_allclose(out[:12], np.maximum(base_negative[:12], 0))
    assert result.n_adjusted == result.n_negative == 3
    assert (result.forecasts[["lo_80", "hi_80"]] >= 0).all().all()


# ---- errors ------------------------------------------------------------------------------------
def test_missing_node_is_named(hier, base):
    frame = _frame(hier, base)
    gone = (frame["region"] == "P2") & (frame["industry"] == "S1")
    with pytest.raises(ParameterError, match=r"lack 3 of 126 node-periods.*'region': 'P2'"):
        reconcile(frame[~gone], hier, method="ols")


def test_bad_forecast_tables(hier, base):
    frame = _frame(hier, base)
    with pytest.raises(ParameterError, match=r"more than one row"):
        reconcile(pd.concat([frame, frame.head(1)]), hier, method="ols")
    with pytest.raises(ParameterError, match=r"lack the columns \['mean'\]"):
        reconcile(frame.drop(columns="mean"), hier, method="ols")
    stranger = frame.copy()
    stranger.loc[0, "region"] = "r9"
    with pytest.raises(ParameterError, match="not in the hierarchy.*r9"):
        reconcile(stranger, hier, method="ols")
    blank = frame.copy()
    blank.loc[5, "mean"] = np.nan
    with pytest.raises(ParameterError, match=r"'mean' is missing \(NaN\) for 1 nodes"):
        reconcile(blank, hier, method="ols")
    with pytest.raises(ParameterError, match="choose one of"):
        reconcile(frame, hier, method="mint")


@pytest.mark.parametrize("method", ["wls_var", "mint_shrink"])
def test_missing_residuals_are_named(hier, base, residuals, method):
    with pytest.raises(ParameterError, match=f"method='{method}' needs residuals="):
        _run(hier, base, method, None)
    partial = residuals[~((residuals["region"] == "all") & (residuals["industry"] == "i3"))]
    with pytest.raises(ParameterError, match=r"missing for 1 of 42 nodes.*'industry': 'i3'"):
        _run(hier, base, method, partial)
    with pytest.raises(ParameterError, match="all zero for every node"):
        _run(hier, base, method, residuals.assign(residual=0.0))


@pytest.mark.parametrize("method", ["wls_var", "mint_shrink"])
def test_nodes_with_all_zero_residuals_get_the_smallest_positive_variance(
        hier, s_dense, base, residuals, residual_matrix, method):
    """An exact backtest (a thin cell at 0 throughout) must not give a node infinite weight."""
    zero_nodes = (hier.nodes["region"] == "r2").to_numpy()
    matrix = np.where(zero_nodes, 0.0, residual_matrix)
    zero = residuals.assign(residual=lambda d: d["residual"].where(d["region"] != "r2", 0.0))
    with pytest.warns(DataQualityWarning, match="all zero for 6 nodes.*smallest positive"):
        result = _run(hier, base, method, zero)
    squares = (matrix**2).mean(axis=0)
    squares[zero_nodes] = squares[~zero_nodes].min()
    sigma = matrix.T @ matrix / len(matrix)
    sigma[np.diag_indices_from(sigma)] = squares
    lam = 1.0 if method == "wls_var" else result.shrinkage
    w = lam * np.diag(squares) + (1 - lam) * sigma
    out = _matrix(hier, result.forecasts)
    np.testing.assert_allclose(out, _textbook(s_dense, w, base), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(s_dense @ out[:12], out, rtol=0, atol=1e-6)


def test_mint_shrink_size_limit(hier, base, residuals, monkeypatch):
    monkeypatch.setattr(rec, "MAX_DENSE_NODES", 10)
    with pytest.raises(ParameterError, match="42 x 42.*method='wls_var'"):
        _run(hier, base, "mint_shrink", residuals)


# ---- property: random hierarchies and forecasts come back coherent ------------------------------
@st.composite
def _problems(draw):
    n_regions = draw(st.integers(1, 5))
    n_industries = draw(st.integers(1, 4))
    regions = {f"r{i}": f"P{draw(st.integers(0, 2))}" for i in range(n_regions)}
    industries = {f"i{i}": f"S{draw(st.integers(0, 1))}" for i in range(n_industries)}
    grid = list(itertools.product(regions, industries))
    keep = draw(st.lists(st.booleans(), min_size=len(grid), max_size=len(grid)))
    cells = [c for c, k in zip(grid, keep, strict=True) if k] or grid[:1]
    method = draw(st.sampled_from(["bottom_up", *LEAST_SQUARES]))
    nonnegative = draw(st.booleans())
    seed = draw(st.integers(0, 2**32 - 1))
    return regions, industries, cells, method, nonnegative, seed


@settings(max_examples=60, deadline=None)
@given(_problems())
def test_property_reconciled_results_are_coherent(problem):
    regions, industries, cells, method, nonnegative, seed = problem
    used_r = {r for r, _ in cells}
    used_i = {i for _, i in cells}
    levels = {"region": {r: p for r, p in regions.items() if r in used_r},
              "industry": {i: s for i, s in industries.items() if i in used_i}}
    hier = Hierarchy.from_mappings(pd.DataFrame(cells, columns=["region", "industry"]), levels)
    rng = np.random.default_rng(seed)
    s = _dense_s(hier, {"region": regions, "industry": industries})
    # coherent-ish: coherent forecasts plus noise, some bottom values negative
    bottom = rng.uniform(-5, 20, (hier.n_bottom, 2))
    y = s @ bottom + rng.normal(0, 3, (hier.n_nodes, 2))
    residuals = rng.normal(0, 1, (12, hier.n_nodes)) * rng.uniform(0.5, 3, hier.n_nodes)
    frame = _frame(hier, y, PERIODS[:2])
    result = reconcile(frame, hier, method=method, residuals=residuals, nonnegative=nonnegative)
    out = _matrix(hier, result.forecasts)
    scale = max(1.0, np.abs(y).max())
    np.testing.assert_allclose(s @ out[:hier.n_bottom], out, rtol=0, atol=1e-6 * scale)
    if nonnegative:
        assert out[:hier.n_bottom].min() >= 0
    else:
        assert result.n_adjusted == 0
