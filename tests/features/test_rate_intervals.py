"""Confidence intervals of rates: the logit interval, its zero-SE bound, and the auto choice."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from talentgap.datasets import make_synthetic
from talentgap.errors import DataQualityWarning, ParameterError
from talentgap.features import SurveyDesign, confidence_interval, estimate_cells
from talentgap.features.intervals import clopper_pearson_interval, logit_interval

RATES = ("shortage_rate", "vacancy_rate", "ssv_density")


@pytest.fixture(scope="module")
def banded():
    """Two regions over three size bands; band L (one enterprise of one) is take-all."""
    return pd.DataFrame({
        "period": ["2024Q1"] * 6, "enterprise_id": [f"E{i}" for i in range(6)],
        "region": ["N", "N", "S", "S", "S", "N"], "industry": ["t"] * 6,
        "employees": [40, 10, 25, 5, 7, 300], "vacancies": [4, 0, 2, 1, 3, 20],
        "hard_to_fill": [3, 0, 1, 1, 2, 10], "reports_shortage": [1, 0, 1, 1, 1, 1],
        "weight": [10.0, 10.0, 20.0, 20.0, 20.0, 1.0],
        "band": ["s", "s", "m", "m", "m", "L"], "N": [20, 20, 60, 60, 60, 1]})


@pytest.fixture(scope="module")
def design_cells(banded):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return estimate_cells(banded, design=SurveyDesign(strata="band", fpc="N"),
                              keys=["region"])


@pytest.fixture(scope="module")
def synthetic_cells():
    data = make_synthetic(n_regions=4, industries=4, n_periods=2, seed=3, design=True,
                          sample_fraction=0.15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimate_cells(data.surveys, design=data.design)


def _logit_by_hand(p, se, q):
    centre, half = math.log(p / (1 - p)), q * se / (p * (1 - p))
    return 1 / (1 + math.exp(-(centre - half))), 1 / (1 + math.exp(-(centre + half)))


def test_design_rate_with_one_degree_of_freedom_stays_inside_0_1(design_cells):
    north = design_cells.iloc[0]
    assert north["region"] == "N" and north["shortage_rate_df"] == 1.0
    bounds = confidence_interval(design_cells, "shortage_rate")
    lo, hi = bounds.iloc[0]
    assert 0 <= lo < north["shortage_rate"] < hi <= 1
    # the symmetric t interval leaves [0, 1] on both sides here
    t_lo, t_hi = confidence_interval(design_cells, "shortage_rate", method="t").iloc[0]
    assert t_lo < -5 and t_hi > 6
    expected = _logit_by_hand(north["shortage_rate"], north["shortage_rate_se"],
                              stats.t.ppf(0.975, 1))
    np.testing.assert_allclose((lo, hi), expected, rtol=1e-9)


@pytest.mark.parametrize("level", [80, 90, 95])
def test_logit_interval_matches_the_hand_computed_one(design_cells, level):
    bounds = confidence_interval(design_cells, "vacancy_rate", level=level)
    for i, row in design_cells.iterrows():
        q = stats.t.ppf(0.5 + level / 200, row["vacancy_rate_df"])
        expected = _logit_by_hand(row["vacancy_rate"], row["vacancy_rate_se"], q)
        np.testing.assert_allclose(bounds.loc[i].to_numpy(), expected, rtol=1e-9)


def test_logit_interval_function_by_hand():
    lo, hi = logit_interval(np.array([0.2, 0.5, 0.0, 0.4, np.nan]),
                            np.array([0.1, 0.05, 0.1, 0.0, 0.1]), np.array([2.0] * 5))
    np.testing.assert_allclose(lo[:2], [_logit_by_hand(0.2, 0.1, 2.0)[0],
                                        _logit_by_hand(0.5, 0.05, 2.0)[0]])
    np.testing.assert_allclose(hi[:2], [_logit_by_hand(0.2, 0.1, 2.0)[1],
                                        _logit_by_hand(0.5, 0.05, 2.0)[1]])
    assert np.isnan(lo[2]) and np.isnan(hi[2])  # logit(0) is undefined
    assert (lo[3], hi[3]) == (0.4, 0.4)
    assert np.isnan(lo[4]) and np.isnan(hi[4])


def test_every_rate_interval_on_synthetic_data_is_inside_0_1(synthetic_cells):
    for rate in RATES:
        bounds = confidence_interval(synthetic_cells, rate, level=95).to_numpy()
        estimate = synthetic_cells[rate].to_numpy()
        known = np.isfinite(bounds).all(axis=1)
        assert known.sum() > 0.9 * np.isfinite(synthetic_cells[f"{rate}_se"]).sum()
        assert (bounds[known] >= 0).all() and (bounds[known] <= 1).all()
        assert (bounds[known, 0] <= estimate[known] + 1e-12).all()
        assert (bounds[known, 1] >= estimate[known] - 1e-12).all()
        # a wider level gives a wider interval
        narrow = confidence_interval(synthetic_cells, rate, level=80).to_numpy()
        assert (narrow[known, 0] >= bounds[known, 0] - 1e-12).all()
        assert (narrow[known, 1] <= bounds[known, 1] + 1e-12).all()


def test_sampled_rate_without_variation_gets_the_clopper_pearson_bound(banded):
    # without a design: South's three respondents all report no shortage (0/3, SE 0)
    cells = estimate_cells(banded.assign(reports_shortage=[1, 0, 0, 0, 0, 0]), keys=["region"])
    south = cells.index[cells["region"] == "S"][0]
    assert cells.loc[south, "shortage_rate"] == 0 and cells.loc[south, "shortage_rate_se"] == 0
    lo, hi = confidence_interval(cells, "shortage_rate").loc[south]
    assert lo == 0.0
    np.testing.assert_allclose(hi, 1 - 0.025 ** (1 / 3))
    # with the design: South reports 3/3 (SE 0, not take-all): (a/2) ** (1 / n) below 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        designed = estimate_cells(banded, design=SurveyDesign(strata="band", fpc="N"),
                                  keys=["region"])
    south = designed.index[designed["region"] == "S"][0]
    assert designed.loc[south, "shortage_rate"] == 1 and not designed.loc[south, "take_all"]
    lo, hi = confidence_interval(designed, "shortage_rate", level=90).loc[south]
    np.testing.assert_allclose((lo, hi), (0.05 ** (1 / 3), 1.0))


def test_take_all_rate_keeps_its_exact_interval(banded):
    census = banded.assign(region=["N", "N", "S", "S", "S", "X"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        cells = estimate_cells(census, design=SurveyDesign(strata="band", fpc="N"),
                               keys=["region"])
    exact = cells["take_all"].to_numpy()
    assert exact.tolist() == [False, False, True]
    for rate in RATES:
        bounds = confidence_interval(cells, rate).to_numpy()
        np.testing.assert_array_equal(bounds[exact, 0], cells.loc[exact, rate])
        np.testing.assert_array_equal(bounds[exact, 1], cells.loc[exact, rate])


def test_clopper_pearson_matches_scipy_exact_binomial_interval():
    n = np.array([3, 5, 10, 10, 40, 7])
    x = np.array([0, 5, 3, 10, 17, 1])
    lo, hi = clopper_pearson_interval(x / n, n, 90)
    for i in range(n.size):
        ci = stats.binomtest(int(x[i]), int(n[i])).proportion_ci(0.90, method="exact")
        np.testing.assert_allclose((lo[i], hi[i]), (ci.low, ci.high), rtol=1e-9, atol=1e-12)
    lo, hi = clopper_pearson_interval(np.array([0.5, np.nan]), np.array([0, 4]), 95)
    assert np.isnan(lo).all() and np.isnan(hi).all()


def test_auto_chooses_the_method_per_column(synthetic_cells):
    chosen = {"demand": "log", "enterprises": "log", "vacancies": "log", "employees": "log",
              "shortage_rate": "logit", "vacancy_rate": "logit", "ssv_density": "logit"}
    for column, method in chosen.items():
        pd.testing.assert_frame_equal(confidence_interval(synthetic_cells, column),
                                      confidence_interval(synthetic_cells, column,
                                                          method=method))
    # any other estimate (a shrunk rate, which is not bounded to [0, 1]) keeps "t"
    other = pd.DataFrame({"shortage_rate_fh": [0.4, 1.02], "shortage_rate_fh_se": [0.1, 0.05]})
    pd.testing.assert_frame_equal(confidence_interval(other, "shortage_rate_fh"),
                                  confidence_interval(other, "shortage_rate_fh", method="t"))


def test_logit_refuses_an_estimate_outside_0_1():
    cells = pd.DataFrame({"share": [0.4, 1.2], "share_se": [0.1, 0.1]}, index=[10, 11])
    with pytest.raises(ParameterError, match=r"'share' has 1 estimate outside \[0, 1\], "
                                             r"e.g. row 11: 1.2; use method='t'"):
        confidence_interval(cells, "share", method="logit")


def test_zero_se_without_respondent_counts_warns_that_the_interval_is_degenerate():
    cells = pd.DataFrame({"shortage_rate": [0.0, 0.5], "shortage_rate_se": [0.0, 0.1]})
    with pytest.warns(DataQualityWarning, match=r"1 cell of 'shortage_rate' shows no .*no "
                                                r"'n_respondents'.*understates"):
        bounds = confidence_interval(cells, "shortage_rate")
    assert bounds.iloc[0].tolist() == [0.0, 0.0]
    assert 0 < bounds.iloc[1, 0] < 0.5 < bounds.iloc[1, 1] < 1


def test_level_range_in_the_docstring_is_the_one_enforced():
    cells = pd.DataFrame({"shortage_rate": [0.5], "shortage_rate_se": [0.1]})
    assert "in (0, 100)" in confidence_interval.__doc__
    for level in (0, 100, 0.95):
        with pytest.raises(ParameterError, match=r"\(0, 100\)"):
            confidence_interval(cells, "shortage_rate", level=level)


def test_a_single_respondent_without_a_design_keeps_nan_bounds(banded):
    cells = estimate_cells(banded.iloc[[0, 2, 3]], keys=["region"])
    alone = cells["single_respondent"].to_numpy()
    assert alone.tolist() == [True, False]
    for rate in RATES:
        bounds = confidence_interval(cells, rate).to_numpy()
        assert np.isnan(bounds[alone]).all()
        assert np.isfinite(bounds[~alone]).all()
