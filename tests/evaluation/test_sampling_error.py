"""Tests of talentgap.evaluation.with_sampling_error."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from talentgap.errors import DataQualityWarning, ParameterError
from talentgap.evaluation import with_sampling_error
from talentgap.evaluation.metrics import coverage


def test_no_sampling_error_leaves_the_interval_as_it_is():
    lo, hi = with_sampling_error([-5.0, 10.0, 3.0], [20.0, 30.0, 9.0], [0.0, 0.0, 0.0],
                                 level=95, center=[0.0, 50.0, 1.0])
    np.testing.assert_array_equal(lo, [-5.0, 10.0, 3.0])
    np.testing.assert_array_equal(hi, [20.0, 30.0, 9.0])


def test_an_unknown_sampling_error_is_not_zero():
    """A NaN SE (one respondent: the noisiest estimate) gives no widened interval, so
    interval scores leave the point out instead of judging an unwidened interval."""
    with pytest.warns(DataQualityWarning, match="1 of 3 intervals"):
        lo, hi = with_sampling_error([-5.0, 10.0, 3.0], [20.0, 30.0, 9.0], [0.0, np.nan, 1.0],
                                     level=95, center=[0.0, 50.0, 1.0])
    assert np.isnan(lo[1]) and np.isnan(hi[1])
    assert lo[0] == -5.0 and hi[2] > 9.0
    actual = np.array([1.0, 45.0, 2.0])  # far outside the unwidened [10, 30]
    assert coverage(actual, lower=lo, upper=hi) == 1.0  # 2 points judged, both inside


def test_each_half_is_combined_with_the_normal_half_width():
    z = norm.ppf(0.975)
    lo, hi = with_sampling_error(90.0, 130.0, 10.0, level=95, center=100.0)
    assert lo == pytest.approx(100.0 - np.hypot(10.0, 10.0 * z))
    assert hi == pytest.approx(100.0 + np.hypot(30.0, 10.0 * z))


def test_normal_intervals_become_the_intervals_of_the_sum():
    """Independent normal errors: the widened interval is the sum's exact interval."""
    z = norm.ppf(0.9)
    forecast_sd, se = 12.0, 5.0
    lo, hi = with_sampling_error(-z * forecast_sd, z * forecast_sd, se, level=80, center=0.0)
    assert hi == pytest.approx(z * np.hypot(forecast_sd, se))
    assert lo == pytest.approx(-hi)


def test_a_centre_outside_the_interval_is_moved_to_its_edge():
    lo, hi = with_sampling_error(10.0, 20.0, 0.0, level=80, center=4.0)
    assert (lo, hi) == (10.0, 20.0)
    lo, hi = with_sampling_error(10.0, 20.0, 1.0, level=80, center=4.0)
    assert lo == pytest.approx(10.0 - norm.ppf(0.9))
    assert hi == pytest.approx(10.0 + np.hypot(10.0, norm.ppf(0.9)))


def test_the_default_centre_is_the_midpoint_and_arrays_broadcast():
    lo, hi = with_sampling_error(np.array([[0.0], [10.0]]), np.array([[2.0], [14.0]]),
                                 np.array([0.0, 3.0]), level=50)
    assert lo.shape == (2, 2)
    z = norm.ppf(0.75)
    assert hi[1, 1] == pytest.approx(12.0 + np.hypot(2.0, 3.0 * z))


@pytest.mark.parametrize("level", [0.8, 100, -5])
def test_levels_are_percentages(level):
    with pytest.raises(ParameterError):
        with_sampling_error(0.0, 1.0, 1.0, level=level)
