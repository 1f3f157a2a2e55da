"""Tests of the Fay-Herriot shrinkage in talentgap.features.small_area."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from talentgap.datasets import make_synthetic
from talentgap.errors import DataQualityWarning, ParameterError, SchemaError
from talentgap.features import estimate_cells
from talentgap.features._fh_estimation import eblup, prasad_rao, reml, reml_terms
from talentgap.features.small_area import FayHerriotFit, _gvf, shrink

NEW_COLUMNS = ["shortage_rate_fh", "shortage_rate_fh_mse", "shortage_rate_fh_se",
               "shortage_rate_shrinkage", "shortage_rate_fh_source"]


def _small_case():
    """Seven cells with a covariate: hand-sized, unequal variances."""
    y = np.array([0.62, 0.71, 0.55, 0.90, 0.48, 0.77, 0.66])
    x = np.array([1.0, 2.0, 0.5, 3.0, 0.0, 2.5, 1.5])
    psi = np.array([0.010, 0.040, 0.005, 0.090, 0.020, 0.060, 0.015])
    X = np.column_stack([np.ones_like(x), x])
    return y, X, psi


def _textbook(y, X, psi, s2u, method):
    """Dense matrix form of the FH EBLUP as a linear mixed model (Z = I, G = s2u*I,
    R = diag(psi)); Rao & Molina (2015), sections 5.2 and 6.1-6.2."""
    m = len(y)
    V = s2u * np.eye(m) + np.diag(psi)
    Vinv = np.linalg.inv(V)
    A = np.linalg.inv(X.T @ Vinv @ X)
    beta = A @ X.T @ Vinv @ y
    theta = X @ beta + s2u * Vinv @ (y - X @ beta)  # x'beta + G Z' V^-1 (y - X beta)
    if method == "REML":
        vbar = 1.0 / (0.5 * np.trace(Vinv @ Vinv))  # inverse information, dV/ds2u = I
    else:
        vbar = 2.0 * np.sum(np.diag(V) ** 2) / m**2
    g1, g2, g3 = np.empty(m), np.empty(m), np.empty(m)
    for i in range(m):  # a loop over cells is fine in a test oracle
        e = np.zeros(m)
        e[i] = 1.0
        b = s2u * Vinv @ e  # b_i' = m_i' G Z' V^-1
        d = X[i] - b @ X  # d_i' = l_i' - b_i' X
        g1[i] = s2u - s2u**2 * e @ Vinv @ e
        g2[i] = d @ A @ d
        db = (Vinv @ e) - s2u * (Vinv @ Vinv @ e)  # d b_i / d s2u
        g3[i] = db @ V @ db * vbar
    return beta, A, theta, g1, g2, g3


def _dense_reml_loglik(y, X, psi, s2u):
    V = s2u * np.eye(len(y)) + np.diag(psi)
    Vinv = np.linalg.inv(V)
    XtVX = X.T @ Vinv @ X
    P = Vinv - Vinv @ X @ np.linalg.inv(XtVX) @ X.T @ Vinv
    return -0.5 * (np.linalg.slogdet(V)[1] + np.linalg.slogdet(XtVX)[1] + y @ P @ y)


def _cells_frame():
    """Eight cells of direct estimates, including one NaN SE and one zero SE."""
    return pd.DataFrame({
        "region": pd.Categorical(list("aabbaabb")),
        "period": pd.PeriodIndex(["2024Q1"] * 4 + ["2024Q2"] * 4, freq="Q"),
        "shortage_rate": [0.80, 0.55, 0.62, 1.00, 0.70, 0.30, 0.65, 0.74],
        "shortage_rate_se": [0.08, 0.20, 0.05, 0.0, 0.10, np.nan, 0.12, 1e-6],
        "n_respondents": [9, 3, 30, 4, 10, 1, 8, 200],
    }, index=[10, 11, 12, 13, 14, 15, 16, 17])


# --- the formulas ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["REML", "PR"])
@pytest.mark.parametrize("s2u", [0.0, 0.004, 0.05])
def test_eblup_matches_textbook_matrix_formulas(method, s2u):
    y, X, psi = _small_case()
    res = eblup(y, X, psi, s2u, method=method)
    beta, A, theta, g1, g2, g3 = _textbook(y, X, psi, s2u, method)
    np.testing.assert_allclose(res.beta, beta, rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.cov_beta, A, rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.theta, theta, rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.g1, g1, rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.g2, g2, rtol=0, atol=1e-10)
    np.testing.assert_allclose(res.g3, g3, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res.mse, g1 + g2 + 2 * g3, rtol=1e-10, atol=1e-12)


def test_wls_step_matches_statsmodels():
    y, X, psi = _small_case()
    s2u = 0.02
    res = eblup(y, X, psi, s2u)
    wls = sm.WLS(y, X, weights=1.0 / (s2u + psi)).fit()
    np.testing.assert_allclose(res.beta, wls.params, rtol=1e-10)
    np.testing.assert_allclose(res.cov_beta, wls.normalized_cov_params, rtol=1e-10)


def test_public_output_matches_textbook_at_the_fitted_variance():
    y, X, psi = _small_case()
    frame = pd.DataFrame({"rate": y, "rate_se": np.sqrt(psi), "x": X[:, 1]})
    out, fit = shrink(frame, target="rate", covariates=["x"], return_fit=True)
    beta, _, theta, g1, g2, g3 = _textbook(y, X, psi, fit.s2u, "REML")
    np.testing.assert_allclose(fit.beta.to_numpy(), beta, atol=1e-10)
    assert fit.beta.index.tolist() == ["intercept", "x"]
    np.testing.assert_allclose(out["rate_fh"], theta, atol=1e-10)
    np.testing.assert_allclose(out["rate_fh_mse"], g1 + g2 + 2 * g3, atol=1e-10)
    np.testing.assert_allclose(out["rate_fh_se"] ** 2, out["rate_fh_mse"], rtol=1e-12)
    np.testing.assert_allclose(out["rate_shrinkage"], psi / (fit.s2u + psi), atol=1e-12)


def test_reml_terms_match_dense_likelihood_and_its_derivative():
    y, X, psi = _small_case()
    for s2u in (0.001, 0.01, 0.1):
        loglik, score, info = reml_terms(y, X, psi, s2u)
        h = 1e-6
        diff = [_dense_reml_loglik(y, X, psi, s2u + d) - _dense_reml_loglik(y, X, psi, s2u)
                for d in (h, -h)]
        assert np.isclose(loglik, _dense_reml_loglik(y, X, psi, s2u), rtol=1e-10)
        assert np.isclose(score, (diff[0] - diff[1]) / (2 * h), rtol=1e-5)
        V = s2u * np.eye(len(y)) + np.diag(psi)
        Vinv = np.linalg.inv(V)
        P = Vinv - Vinv @ X @ np.linalg.inv(X.T @ Vinv @ X) @ X.T @ Vinv
        assert np.isclose(info, 0.5 * np.trace(P @ P), rtol=1e-10)


def test_reml_maximises_the_restricted_likelihood():
    rng = np.random.default_rng(5)
    m = 60
    X = np.column_stack([np.ones(m), rng.normal(size=m)])
    psi = rng.uniform(0.2, 1.0, m)
    y = X @ [1.0, 0.5] + rng.normal(0, 0.7, m) + rng.normal(0, np.sqrt(psi))
    s2u, converged = reml(y, X, psi)
    assert converged and s2u > 0
    best = _dense_reml_loglik(y, X, psi, s2u)
    for other in (0.0, 0.9 * s2u, 0.99 * s2u, 1.01 * s2u, 1.1 * s2u, 3 * s2u):
        assert best >= _dense_reml_loglik(y, X, psi, other)
    assert abs(reml_terms(y, X, psi, s2u)[1]) < 1e-6


def _simulate_fh(seed, s2u, m=3000):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=m)
    psi = rng.uniform(0.2, 1.0, m)
    y = 2.0 + 0.5 * x + rng.normal(0, np.sqrt(s2u), m) + rng.normal(0, np.sqrt(psi))
    return pd.DataFrame({"y": y, "y_se": np.sqrt(psi), "x": x})


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("method", ["REML", "PR"])
def test_model_variance_recovered_from_fh_simulation(seed, method):
    # true s2u 0.5; standard errors of both estimators are ~0.03 at m = 3000, while
    # dropping the psi term of PR would give ~1.1 and REML without it ~1.1 too.
    frame = _simulate_fh(seed, s2u=0.5)
    _, fit = shrink(frame, target="y", covariates=["x"], method=method, return_fit=True)
    assert isinstance(fit, FayHerriotFit)
    assert fit.method == method and fit.converged and fit.n_cells == 3000
    assert abs(fit.s2u - 0.5) < 0.1
    np.testing.assert_allclose(fit.beta.to_numpy(), [2.0, 0.5], atol=0.06)


def test_prasad_rao_matches_dense_moment_formula():
    y, X, psi = _small_case()
    y = y + np.array([0.5, -0.4, 0.45, -0.5, 0.4, -0.3, 0.1])  # spread: estimate > 0
    m, p = X.shape
    M = np.eye(m) - X @ np.linalg.inv(X.T @ X) @ X.T  # OLS residual maker
    expected = (y @ M @ y - np.trace(M @ np.diag(psi))) / (m - p)
    assert expected > 0
    assert np.isclose(prasad_rao(y, X, psi), expected, rtol=1e-12)


def test_prasad_rao_truncates_at_zero_and_reml_stops_at_zero():
    y, X, psi = _small_case()
    beta = np.array([0.5, 0.1])
    y_line = X @ beta  # no spread beyond the regression: raw PR estimate is negative
    assert prasad_rao(y_line, X, psi) == 0.0
    assert reml(y_line, X, psi) == (0.0, True)
    frame = pd.DataFrame({"rate": y_line + 1e-4 * np.array([1, -1, 1, -1, 1, -1, 0]),
                          "rate_se": np.sqrt(psi), "x": X[:, 1]})
    for method in ("PR", "REML"):
        out, fit = shrink(frame, target="rate", covariates=["x"], method=method,
                          return_fit=True)
        assert fit.s2u == 0.0
        np.testing.assert_array_equal(out["rate_shrinkage"], 1.0)


def test_tiny_between_cell_variance_gives_pr_zero_on_simulation():
    frame = _simulate_fh(3, s2u=1e-4, m=400)
    _, fit = shrink(frame, target="y", covariates=["x"], method="PR", return_fit=True)
    _, reml = shrink(frame, target="y", covariates=["x"], return_fit=True)
    assert fit.s2u == 0.0
    assert 0.0 <= reml.s2u < 0.05


# --- generalised variance function ----------------------------------------------------------

def test_gvf_recovers_an_exact_power_law_and_extrapolates_to_one_respondent():
    n = np.array([2, 3, 4, 5, 8, 13, 1, 1], dtype=float)
    psi = 0.21 / n
    usable = n >= 2
    psi[~usable] = np.nan
    np.testing.assert_allclose(_gvf(psi, n, usable), 0.21 / n, rtol=1e-8)


def test_gvf_keeps_zero_variances_in_the_mean():
    n = np.full(6, 4.0)
    psi = np.array([0.0, 0.08, 0.0, 0.04, 0.06, 0.0])
    np.testing.assert_allclose(_gvf(psi, n, np.ones(6, dtype=bool)), psi.mean(), rtol=1e-10)


def test_smoothed_variance_of_thin_cells_comes_from_gvf_with_zeros():
    frame = _cells_frame()
    out, fit = shrink(frame, return_fit=True)
    n = frame["n_respondents"].to_numpy(dtype=float)
    psi = frame["shortage_rate_se"].to_numpy() ** 2
    expected = _gvf(psi, n, ~np.isnan(psi) & (n >= 2))
    shrinkage = out["shortage_rate_shrinkage"].to_numpy()
    used = shrinkage * fit.s2u / (1 - shrinkage)  # from 1 - g = psi / (s2u + psi)
    # positions 3 (label 13: 4 respondents, SE 0) and 5 (label 15: 1 respondent, SE NaN)
    np.testing.assert_allclose(used[[3, 5]], expected[[3, 5]], rtol=1e-8)
    np.testing.assert_allclose(used[[0, 2, 4]], psi[[0, 2, 4]], rtol=1e-8)


def test_gvf_all_equals_gvf_when_variances_follow_the_gvf():
    frame = _cells_frame()
    frame["shortage_rate_se"] = np.sqrt(0.25 / frame["n_respondents"])
    a = shrink(frame)
    b = shrink(frame, variance_smoothing="gvf_all")
    np.testing.assert_allclose(a["shortage_rate_fh"], b["shortage_rate_fh"], rtol=1e-8)
    frame.loc[10, "shortage_rate_se"] = 0.01
    c = shrink(frame, variance_smoothing="gvf_all")
    d = shrink(frame)
    assert c.loc[10, "shortage_rate_shrinkage"] > 10 * d.loc[10, "shortage_rate_shrinkage"]


# --- behaviour on tables --------------------------------------------------------------------

def test_thin_cells_get_finite_estimates_with_gvf():
    frame = _cells_frame()
    out = shrink(frame)
    assert list(out.columns) == [*frame.columns, *NEW_COLUMNS]
    assert np.isfinite(out[NEW_COLUMNS[:4]].to_numpy(dtype=float)).all()
    assert (out["shortage_rate_fh_source"] == "direct+model").all()
    shrinkage = out["shortage_rate_shrinkage"]
    assert ((shrinkage >= 0) & (shrinkage <= 1)).all()
    # the single respondent (NaN SE) and the all-yes cell (SE 0) are pulled to the model
    assert shrinkage[15] > 0.5 and shrinkage[13] > 0.1
    assert out.loc[13, "shortage_rate_fh"] < 1.0
    # a precise direct estimate is kept
    assert abs(out.loc[17, "shortage_rate_fh"] - 0.74) < 1e-6
    assert shrinkage[17] < 1e-6
    # intercept only: a weighted mean of rates, so rates stay in [0, 1]
    assert out["shortage_rate_fh"].between(0, 1).all()


def test_without_smoothing_unweighable_cells_get_the_model_prediction():
    frame = _cells_frame()
    out, fit = shrink(frame, variance_smoothing=None, return_fit=True)
    model = frame.index[frame["shortage_rate_se"].isna() | (frame["shortage_rate_se"] == 0)]
    assert list(model) == [13, 15]
    assert fit.n_cells == 6
    assert (out.loc[model, "shortage_rate_fh_source"] == "model").all()
    np.testing.assert_allclose(out.loc[model, "shortage_rate_fh"], fit.beta["intercept"])
    np.testing.assert_array_equal(out.loc[model, "shortage_rate_shrinkage"], 1.0)
    kept = frame.drop(index=model)
    y, psi = kept["shortage_rate"].to_numpy(), kept["shortage_rate_se"].to_numpy() ** 2
    var_beta = 1.0 / np.sum(1.0 / (fit.s2u + psi))
    np.testing.assert_allclose(out.loc[model, "shortage_rate_fh_mse"], fit.s2u + var_beta)
    assert (out.loc[model, "shortage_rate_fh_mse"] > fit.s2u).all()
    assert np.isclose(fit.beta["intercept"], np.sum(y / (fit.s2u + psi)) * var_beta)


def test_missing_direct_estimate_gets_model_source():
    frame = _cells_frame()
    frame.loc[11, "shortage_rate"] = np.nan
    out, fit = shrink(frame, return_fit=True)
    assert out.loc[11, "shortage_rate_fh_source"] == "model"
    assert np.isclose(out.loc[11, "shortage_rate_fh"], fit.beta["intercept"])
    assert fit.n_cells == 7


def test_categorical_covariate_one_hot_with_first_level_dropped():
    frame = _cells_frame()
    out, fit = shrink(frame, covariates=["region"], variance_smoothing=None, return_fit=True)
    assert fit.beta.index.tolist() == ["intercept", "region[b]"]
    # one categorical: the synthetic part of each region is its WLS mean
    used = frame[frame["shortage_rate_se"] > 0]
    w = 1.0 / (fit.s2u + used["shortage_rate_se"] ** 2)
    means = (used["shortage_rate"] * w).groupby(used["region"], observed=True).sum() / \
        w.groupby(used["region"], observed=True).sum()
    assert np.isclose(fit.beta["intercept"], means["a"])
    assert np.isclose(fit.beta["intercept"] + fit.beta["region[b]"], means["b"])


def test_unseen_level_gives_none_with_warning():
    frame = _cells_frame()
    frame["industry"] = ["x", "x", "y", "y", "x", "x", "y", "z"]
    frame.loc[17, "shortage_rate"] = np.nan  # the only 'z' cell has no direct estimate
    with pytest.warns(DataQualityWarning, match="1 cells"):
        out = shrink(frame, covariates=["industry"])
    assert out.loc[17, "shortage_rate_fh_source"] == "none"
    assert np.isnan(out.loc[17, "shortage_rate_fh"])
    assert out["shortage_rate_fh"].drop(index=17).notna().all()


def test_by_fits_one_model_per_group():
    frame = _cells_frame()
    out, fits = shrink(frame, by="period", variance_smoothing=None, return_fit=True)
    assert list(fits) == list(pd.PeriodIndex(["2024Q1", "2024Q2"], freq="Q"))
    for period, fit in fits.items():
        part = frame[frame["period"] == period]
        alone, fit_alone = shrink(part, variance_smoothing=None, return_fit=True)
        assert fit.s2u == fit_alone.s2u and fit.n_cells == fit_alone.n_cells == 3
        pd.testing.assert_series_equal(fit.beta, fit_alone.beta)
        pd.testing.assert_frame_equal(out.loc[part.index], alone)
    _, fits2 = shrink(frame, by=["period", "region"], method="PR", return_fit=True)
    assert all(isinstance(k, tuple) and len(k) == 2 for k in fits2)


def test_input_not_mutated_and_index_kept():
    frame = _cells_frame()
    before = frame.copy()
    out = shrink(frame, covariates=["period"])
    pd.testing.assert_frame_equal(frame, before)
    assert out.index.equals(frame.index)
    assert out is not frame


@functools.cache
def _shrunk_in_order(by: str | None) -> pd.DataFrame:
    """The estimates of the cells in their given row order (read only by the test below)."""
    return shrink(_cells_frame(), covariates=["region"] if by != "region" else None, by=by)


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(8)), st.sampled_from([None, "period", "region"]))
def test_row_order_does_not_change_results(order, by):
    frame = _cells_frame()
    base = _shrunk_in_order(by)  # the same for every order: computed once per grouping
    kwargs = {"covariates": ["region"] if by != "region" else None, "by": by}
    shuffled = shrink(frame.iloc[list(order)], **kwargs).loc[frame.index]
    for column in NEW_COLUMNS[:4]:
        np.testing.assert_allclose(shuffled[column], base[column], rtol=1e-9, atol=1e-12)
    assert shuffled["shortage_rate_fh_source"].tolist() == base["shortage_rate_fh_source"].tolist()


# --- errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, name", [
    ({"target": "vacancy_rate"}, "'vacancy_rate'"),
    ({"se": "rate_error"}, "'rate_error'"),
    ({"covariates": ["industry"]}, "'industry'"),
    ({"by": "industry"}, "'industry'"),
])
def test_missing_columns_are_named(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        shrink(_cells_frame(), **kwargs)


def test_gvf_needs_respondent_counts():
    with pytest.raises(ParameterError, match="'n_respondents'"):
        shrink(_cells_frame().drop(columns="n_respondents"))
    # nothing to smooth: no count needed
    frame = _cells_frame().drop(columns="n_respondents").drop(index=[13, 15])
    assert shrink(frame)["shortage_rate_fh"].notna().all()


def test_too_few_cells_for_the_parameters():
    frame = _cells_frame().iloc[:3]
    with pytest.raises(ParameterError, match="need at least 4 for 3 parameters"):
        shrink(frame, covariates=["region", "n_respondents"], variance_smoothing=None)
    with pytest.raises(ParameterError, match="in group"):
        shrink(_cells_frame(), by=["period", "region"], variance_smoothing=None)


def test_collinear_covariates_are_rejected():
    frame = _cells_frame()
    frame["twice"] = 2.0 * frame["n_respondents"]
    with pytest.raises(ParameterError, match="collinear"):
        shrink(frame, covariates=["n_respondents", "twice"])


def test_negative_standard_error_is_a_schema_error():
    frame = _cells_frame()
    frame.loc[12, "shortage_rate_se"] = -0.05
    with pytest.raises(SchemaError, match="'shortage_rate_se' must be >= 0") as info:
        shrink(frame)
    assert info.value.column == "shortage_rate_se"
    assert info.value.reason == "negative"
    assert info.value.failure_cases[["line", "row"]].values.tolist() == [[4, 12]]


@pytest.mark.parametrize("kwargs", [{"method": "ML"}, {"variance_smoothing": "smooth"}])
def test_unknown_options(kwargs):
    with pytest.raises(ParameterError, match=next(iter(kwargs))):
        shrink(_cells_frame(), **kwargs)


# --- against the synthetic ground truth -----------------------------------------------------

@pytest.fixture(scope="module", params=[0, 1])
def synthetic_cells(request):
    """Many thin cells: 4% of ~120 enterprises per cell, so most cells have 1-6 respondents."""
    data = make_synthetic(n_regions=8, n_periods=8, sample_fraction=0.04, seed=request.param)
    cells = estimate_cells(data.surveys)
    truth = data.truth[["region", "industry", "period", "shortage_rate"]]
    merged = cells.merge(truth.rename(columns={"shortage_rate": "true_rate"}),
                         on=["region", "industry", "period"], validate="one_to_one")
    assert len(merged) == len(cells)
    return merged


@pytest.mark.parametrize("kwargs", [{}, {"by": "period"}, {"covariates": ["period"]},
                                    {"variance_smoothing": "gvf_all"}])
def test_shrinkage_lowers_error_against_the_truth(synthetic_cells, kwargs):
    cells = synthetic_cells
    thin = cells["n_respondents"] <= 3
    assert thin.sum() >= 100 and cells["single_respondent"].sum() >= 20
    assert cells["shortage_rate"].notna().all()
    out = shrink(cells, **kwargs)
    direct_err = (cells["shortage_rate"] - cells["true_rate"]) ** 2
    fh_err = (out["shortage_rate_fh"] - cells["true_rate"]) ** 2
    # measured FH/direct MSE ratios: 0.21-0.25 overall, 0.17-0.20 in thin cells (seeds 0, 1)
    assert fh_err.mean() < 0.5 * direct_err.mean()
    assert fh_err[thin].mean() < 0.5 * direct_err[thin].mean()
    assert fh_err[~thin].mean() < direct_err[~thin].mean()
    assert out["shortage_rate_fh"].between(0, 1).all()


def test_estimated_mse_is_of_the_right_size(synthetic_cells):
    out = shrink(synthetic_cells)
    actual = ((out["shortage_rate_fh"] - out["true_rate"]) ** 2).mean()
    estimated = out["shortage_rate_fh_mse"].mean()
    assert 0.5 * actual < estimated < 2 * actual


# ---- take-all cells: an exact zero sampling variance ----------------------------------------

def _cells_with_zero_se():
    return pd.DataFrame({
        "region": list("ABCDEFG"),
        "shortage_rate": [0.9, 0.5, 0.7, 0.6, 1.0, 0.65, 0.2],
        "shortage_rate_se": [0.05, 0.20, 0.02, 0.10, 0.0, 0.15, 0.0],
        "n_respondents": [40, 4, 300, 12, 3, 6, 5],
        "take_all": [False, False, False, False, False, False, True]})


def test_take_all_cell_keeps_its_direct_estimate_and_stays_out_of_the_fits():
    cells = _cells_with_zero_se()
    out, fit = shrink(cells, return_fit=True)
    last = out.iloc[-1]
    assert last["shortage_rate_fh"] == 0.2 and last["shortage_rate_fh_mse"] == 0.0
    assert last["shortage_rate_shrinkage"] == 0.0 and last["shortage_rate_fh_source"] == "direct"
    # the zero of a sampled cell (E: 3 of 3 agree) is still smoothed and shrunk
    assert out.iloc[4]["shortage_rate_fh_source"] == "direct+model"
    assert out.iloc[4]["shortage_rate_shrinkage"] > 0
    # the take-all cell enters neither the GVF nor the model: same fit as without its row
    without, fit_without = shrink(cells.iloc[:-1], return_fit=True)
    assert fit.n_cells == fit_without.n_cells == 6
    assert fit.s2u == pytest.approx(fit_without.s2u, rel=1e-12)
    np.testing.assert_allclose(out["shortage_rate_fh"].iloc[:-1], without["shortage_rate_fh"],
                               rtol=1e-12)
    # the same row without the flag is treated as an unknown variance: smoothed and shrunk
    unflagged = shrink(cells.assign(take_all=False))
    assert unflagged.iloc[-1]["shortage_rate_fh_source"] == "direct+model"
    assert unflagged.iloc[-1]["shortage_rate_fh"] != 0.2


def test_take_all_column_must_be_boolean():
    with pytest.raises(ParameterError, match="'take_all'"):
        shrink(_cells_with_zero_se().assign(take_all=[1, 0, 0, 0, 0, 0, None]))


def test_take_all_cells_from_a_design_end_to_end():
    from talentgap.features import SurveyDesign, estimate_cells

    surveys = pd.DataFrame({
        "period": ["2024Q1"] * 8, "enterprise_id": [f"E{i}" for i in range(8)],
        "region": ["N", "N", "S", "S", "W", "W", "E", "E"], "industry": ["textiles"] * 8,
        "employees": [50, 40, 30, 20, 60, 10, 500, 400], "vacancies": [4, 3, 2, 1, 5, 1, 9, 8],
        "hard_to_fill": [2, 1, 1, 0, 3, 1, 5, 2], "reports_shortage": [1, 0, 1, 0, 1, 1, 1, 0],
        "weight": [5.0] * 6 + [1.0, 1.0], "stratum": ["s"] * 6 + ["large"] * 2,
        "population": [30] * 6 + [2, 2]})
    cells = estimate_cells(surveys, design=SurveyDesign(strata="stratum", fpc="population"),
                           keys=("region",))
    assert cells["take_all"].tolist() == [True, False, False, False]  # E, N, S, W
    assert cells.loc[cells["take_all"], "shortage_rate_se"].tolist() == [0.0]
    out = shrink(cells)
    east = out[out["region"] == "E"].iloc[0]
    assert east["shortage_rate_fh"] == east["shortage_rate"] == 0.5
    assert east["shortage_rate_fh_source"] == "direct"
