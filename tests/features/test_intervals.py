"""Confidence intervals of survey estimates: the t interval and the log default for totals."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from talentgap.datasets import make_synthetic
from talentgap.errors import ParameterError
from talentgap.features import confidence_interval, estimate_cells
from talentgap.features.intervals import log_interval


@pytest.fixture(scope="module")
def synthetic():
    data = make_synthetic(n_regions=4, industries=4, n_periods=2, seed=8, design=True,
                          sample_fraction=0.15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cells = estimate_cells(data.surveys, design=data.design)
    return data, cells


def test_log_interval_by_hand():
    lo, hi = log_interval(np.array([100.0, 0.0, 40.0]), np.array([20.0, 0.0, 0.0]),
                          np.array([2.0, 2.0, 2.0]), step=np.array([0.0, 5.0, 0.0]))
    np.testing.assert_allclose(lo, [100 * np.exp(-0.4), 0.0, 40.0])
    np.testing.assert_allclose(hi, [100 * np.exp(0.4), 5 * np.exp(2.0), 40.0])
    # one more unit of weight 4: total 104 with variance 20^2 + 4^2
    _, stepped = log_interval(np.array([100.0]), np.array([20.0]), np.array([2.0]),
                              step=np.array([4.0]))
    np.testing.assert_allclose(stepped, 104 * np.exp(2 * np.sqrt(416.0) / 104))


def test_log_interval_is_positive_asymmetric_and_contains_the_estimate():
    rng = np.random.default_rng(0)
    estimate = rng.gamma(2.0, 50.0, 500)
    se = estimate * rng.uniform(0.01, 1.5, 500)
    q = stats.t.ppf(0.975, rng.uniform(1, 30, 500))
    lo, hi = log_interval(estimate, se, q, step=rng.uniform(0, 10, 500))
    assert (lo > 0).all() and (lo < estimate).all() and (hi > estimate).all()
    assert (hi - estimate > estimate - lo).all()  # longer above: skewed totals
    lo_t, hi_t = estimate - q * se, estimate + q * se
    assert (lo > lo_t).all() and (hi > hi_t).all()


def test_log_interval_missing_and_non_positive_estimates():
    lo, hi = log_interval(np.array([np.nan, 10.0, -5.0]), np.array([1.0, np.nan, 2.0]),
                          np.array([2.0, 2.0, 2.0]))
    assert np.isnan(lo[:2]).all() and np.isnan(hi[:2]).all()
    assert (lo[2], hi[2]) == (-9.0, -1.0)  # no log of a negative: the symmetric interval


def test_t_method_is_estimate_plus_minus_t_se(synthetic):
    _, cells = synthetic
    bounds = confidence_interval(cells, "vacancies", level=90, method="t")
    df = cells["vacancies_df"].where(cells["vacancies_se"] > 0, np.inf)
    half = stats.t.ppf(0.95, df) * cells["vacancies_se"]
    np.testing.assert_allclose(bounds["vacancies_lo_90"], cells["vacancies"] - half)
    np.testing.assert_allclose(bounds["vacancies_hi_90"], cells["vacancies"] + half)


def test_default_for_counts_is_log_with_one_more_unit_at_the_mean_weight(synthetic):
    _, cells = synthetic
    bounds = confidence_interval(cells, "demand")
    se = cells["demand_se"].to_numpy()
    q = stats.t.ppf(0.975, np.where(se > 0, cells["demand_df"], np.inf))
    step = np.where(cells["take_all"], 0.0, cells["enterprises"] / cells["n_respondents"])
    lo, hi = log_interval(cells["demand"].to_numpy(), se, q, step)
    np.testing.assert_allclose(bounds["demand_lo_95"], lo)
    np.testing.assert_allclose(bounds["demand_hi_95"], hi)
    # a take-all cell is exact; a sampled cell with SE 0 still has room above
    exact = cells["take_all"].to_numpy()
    assert exact.any()
    np.testing.assert_array_equal(bounds["demand_lo_95"][exact], cells["demand"][exact])
    np.testing.assert_array_equal(bounds["demand_hi_95"][exact], cells["demand"][exact])
    alike = (se == 0) & ~exact
    assert alike.any()
    assert (bounds["demand_hi_95"][alike] > cells["demand"][alike]).all()
    # the number of enterprises is a total too, but its SE of 0 is exact: no unit added
    enterprises = confidence_interval(cells, "enterprises")
    known = cells["enterprises_se"] == 0
    np.testing.assert_array_equal(enterprises["enterprises_hi_95"][known],
                                  cells["enterprises"][known])


def test_default_for_rates_is_the_logit_interval(synthetic):
    _, cells = synthetic
    for rate in ("shortage_rate", "vacancy_rate", "ssv_density"):
        pd.testing.assert_frame_equal(confidence_interval(cells, rate),
                                      confidence_interval(cells, rate, method="logit"))


def test_without_a_design_all_zero_cell_gets_an_upper_bound():
    surveys = pd.DataFrame({
        "period": ["2024Q1"] * 4, "enterprise_id": ["E1", "E2", "E3", "E4"],
        "region": ["North"] * 2 + ["South"] * 2, "industry": ["textiles"] * 4,
        "employees": [40, 10, 25, 30], "vacancies": [4, 0, 2, 1], "hard_to_fill": [0, 0, 1, 1],
        "reports_shortage": [0, 0, 1, 1], "weight": [10.0, 10.0, 20.0, 20.0]})
    cells = estimate_cells(surveys)
    bounds = confidence_interval(cells, "demand")
    # North: both report 0 (SE 0); one more unit at weight 10 and the normal quantile
    z = stats.norm.ppf(0.975)
    np.testing.assert_allclose(bounds.iloc[0], [0.0, 10 * np.exp(z)])
    # South: 1 + 1 at weight 20 (SE 0 again): 40 up to the stepped bound
    np.testing.assert_allclose(bounds.iloc[1], [40.0, 60 * np.exp(z * 20 / 60)])
    assert (confidence_interval(cells, "demand", method="t").iloc[0] == 0).all()


def test_without_counts_columns_no_unit_is_added():
    cells = pd.DataFrame({"demand": [0.0, 30.0], "demand_se": [0.0, 0.0]})
    bounds = confidence_interval(cells, "demand")
    np.testing.assert_array_equal(bounds.to_numpy(), [[0.0, 0.0], [30.0, 30.0]])


def test_bad_method_is_refused(synthetic):
    _, cells = synthetic
    with pytest.raises(ParameterError, match="method='wald'"):
        confidence_interval(cells, "demand", method="wald")


def test_default_covers_the_synthetic_truth_better_than_t():
    """Over a few seeds: more of the true demand totals inside, most of all in cells whose
    respondents all reported the same count."""
    covered = {"t": [], "auto": []}
    alike = []
    for seed in range(4):
        data = make_synthetic(n_regions=4, industries=4, n_periods=4, seed=seed, design=True,
                              sample_fraction=0.15)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cells = estimate_cells(data.surveys, design=data.design)
        truth = data.truth.set_index([data.truth["region"].astype(str),
                                      data.truth["industry"].astype(str), "period"])
        where = list(zip(cells["region"].astype(str), cells["industry"].astype(str),
                         cells["period"], strict=True))
        true = truth.loc[where, "demand"].to_numpy()
        for method in covered:
            lo, hi = confidence_interval(cells, "demand", method=method).to_numpy().T
            covered[method].append((lo - 1e-9 <= true) & (true <= hi + 1e-9))
        alike.append((cells["demand_se"] == 0).to_numpy() & ~cells["take_all"].to_numpy())
    t, auto, alike = (np.concatenate(x) for x in (covered["t"], covered["auto"], alike))
    assert auto.mean() > t.mean()
    assert alike.any() and auto[alike].mean() > t[alike].mean()


def test_confidence_interval_is_one_function_wherever_it_is_imported_from():
    import talentgap.features.survey as survey
    from talentgap import features
    from talentgap.features import intervals

    assert survey.confidence_interval is intervals.confidence_interval
    assert features.confidence_interval is intervals.confidence_interval
    assert "confidence_interval" in survey.__all__ and "confidence_interval" in features.__all__
