"""Ratio benchmarking of Fay-Herriot totals, and the warning for unbenchmarked totals."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, ParameterError
from talentgap.features import shrink


def _totals() -> pd.DataFrame:
    """Two periods of five cells: big cells have big totals and big standard errors."""
    return pd.DataFrame({
        "period": ["2024Q1"] * 5 + ["2024Q2"] * 5,
        "region": list("ABCDE") * 2,
        "demand": [400.0, 30, 25, 60, 12, 380, 40, 20, 55, 15],
        "demand_se": [150.0, 12, 10, 20, 6, 140, 14, 9, 22, 7],
        "n_respondents": [30, 6, 5, 9, 3, 28, 7, 5, 8, 3],
    })


def _by_hand(frame: pd.DataFrame, s2u: float) -> np.ndarray:
    """EBLUP with the intercept only, given s2u (Rao & Molina 2015, 6.1)."""
    y, psi = frame["demand"].to_numpy(), frame["demand_se"].to_numpy() ** 2
    w = 1.0 / (s2u + psi)
    beta = np.sum(w * y) / np.sum(w)
    gamma = s2u * w
    return gamma * y + (1 - gamma) * beta


def test_ratio_benchmark_matches_hand_computation():
    frame = _totals()
    with pytest.warns(DataQualityWarning, match="is a total"):
        plain, fit = shrink(frame, target="demand", return_fit=True)
    theta = _by_hand(frame, fit.s2u)
    np.testing.assert_allclose(plain["demand_fh"], theta, rtol=1e-10)
    # the shrunk total is well below the direct one: the reason to benchmark
    assert plain["demand_fh"].sum() < 0.9 * frame["demand"].sum()

    out = shrink(frame, target="demand", benchmark="ratio", benchmark_by="period")
    first = frame["period"] == "2024Q1"
    factor = np.where(first, frame["demand"][first].sum() / theta[first].sum(),
                      frame["demand"][~first].sum() / theta[~first].sum())
    np.testing.assert_allclose(out["demand_benchmark"], factor, rtol=1e-10)
    np.testing.assert_allclose(out["demand_fh"], theta * factor, rtol=1e-10)
    np.testing.assert_allclose(out["demand_fh_mse"],
                               plain["demand_fh_mse"] + (theta * factor - theta) ** 2,
                               rtol=1e-10)
    np.testing.assert_allclose(out["demand_fh_se"], np.sqrt(out["demand_fh_mse"]))
    sums = out.groupby("period")[["demand", "demand_fh"]].sum()
    np.testing.assert_allclose(sums["demand_fh"], sums["demand"], rtol=1e-12)
    # the shrinkage itself (weights, source) is that of the plain fit
    pd.testing.assert_series_equal(out["demand_shrinkage"], plain["demand_shrinkage"])


def test_benchmark_over_the_whole_table_without_benchmark_by():
    frame = _totals()
    out = shrink(frame, target="demand", benchmark="ratio")
    assert out["demand_benchmark"].nunique() == 1
    assert out["demand_fh"].sum() == pytest.approx(frame["demand"].sum(), rel=1e-12)


def test_model_and_take_all_cells_in_a_benchmark_area():
    frame = _totals()
    frame["take_all"] = False
    frame.loc[1, ["demand_se", "take_all"]] = [0.0, True]        # exact: kept as it is
    frame.loc[3, "demand"] = np.nan                               # no direct estimate
    out = shrink(frame, target="demand", benchmark="ratio", benchmark_by="period")
    assert out.loc[1, "demand_fh"] == 30.0 and out.loc[1, "demand_benchmark"] == 1.0
    assert out.loc[1, "demand_fh_mse"] == 0.0
    first = (frame["period"] == "2024Q1").to_numpy()
    factor = out.loc[first, "demand_benchmark"].to_numpy()
    assert out.loc[3, "demand_fh_source"] == "model"
    assert factor[3] == factor[0] != 1.0                          # model cell scaled alike
    has = first & frame["demand"].notna().to_numpy()
    assert out.loc[has, "demand_fh"].sum() == pytest.approx(frame.loc[has, "demand"].sum(),
                                                            rel=1e-12)


def test_unbenchmarked_total_warns_with_its_departure():
    frame = _totals()
    with pytest.warns(DataQualityWarning, match=r"'demand' is a total.*-\d+\.\d% off.*"
                                                r"benchmark='ratio'"):
        shrink(frame, target="demand")
    with pytest.warns(DataQualityWarning, match="is a total"):   # a size covariate too
        shrink(frame.assign(size=frame["n_respondents"]), target="demand", covariates=["size"])


def test_no_warning_for_rates_or_benchmarked_totals():
    frame = _totals()
    rates = frame.assign(shortage_rate=[0.7, 0.5, 0.6, 0.8, 0.4, 0.65, 0.55, 0.5, 0.7, 0.45],
                         shortage_rate_se=[0.05, 0.2, 0.2, 0.1, 0.3, 0.05, 0.2, 0.2, 0.1, 0.3])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        shrink(rates)
        shrink(frame, target="demand", benchmark="ratio", benchmark_by=["period"])


@pytest.mark.parametrize("kwargs, match", [
    ({"benchmark": "difference"}, "benchmark == 'difference'"),
    ({"benchmark_by": "period"}, "needs benchmark='ratio'"),
    ({"benchmark": "ratio", "benchmark_by": "quarter"}, "benchmark_by column 'quarter'"),
])
def test_benchmark_arguments(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        shrink(_totals(), target="demand", **kwargs)


def test_ratio_benchmark_needs_totals_of_one_sign():
    frame = _totals().assign(demand=[5.0, -6, 4, -5, 1, 380, 40, 20, 55, 15])
    with pytest.raises(ParameterError, match="same sign"):
        shrink(frame, target="demand", benchmark="ratio", benchmark_by="period")


def _rates() -> pd.DataFrame:
    """Two periods of five cells: a rate, its SE and the cells' enterprises."""
    return pd.DataFrame({
        "period": ["2024Q1"] * 5 + ["2024Q2"] * 5,
        "region": list("ABCDE") * 2,
        "shortage_rate": [0.7, 0.2, 0.5, 0.9, 0.4, 0.6, 0.3, 0.45, 0.8, 0.1],
        "shortage_rate_se": [0.05, 0.15, 0.1, 0.2, 0.12, 0.06, 0.14, 0.1, 0.18, 0.1],
        "enterprises": [400.0, 30, 25, 60, 12, 380, 40, 20, 55, 15],
        "n_respondents": [30, 6, 5, 9, 3, 28, 7, 5, 8, 3],
    })


def test_weighted_benchmark_keeps_the_direct_weighted_rate():
    frame = _rates()
    plain = shrink(frame, target="shortage_rate")
    out = shrink(frame, target="shortage_rate", benchmark="ratio", benchmark_by="period",
                 benchmark_weights="enterprises")
    for _, part in out.groupby("period"):
        a = part["enterprises"]
        direct = (a * part["shortage_rate"]).sum() / a.sum()
        assert (a * part["shortage_rate_fh"]).sum() / a.sum() == pytest.approx(direct, rel=1e-12)
        theta = plain.loc[part.index, "shortage_rate_fh"]
        factor = (a * part["shortage_rate"]).sum() / (a * theta).sum()
        np.testing.assert_allclose(part["shortage_rate_benchmark"], factor, rtol=1e-12)
    # not the unweighted constraint, which would keep the plain sum of the rates instead
    sums = out.groupby("period")[["shortage_rate", "shortage_rate_fh"]].sum()
    assert not np.allclose(sums["shortage_rate_fh"], sums["shortage_rate"], rtol=1e-3)


@pytest.mark.parametrize(("target", "kwargs", "match"), [
    ("shortage_rate", {}, r"a rate.*benchmark_weights='enterprises'"),
    ("vacancy_rate", {}, r"a rate.*employees'\] \+ estimates\['vacancies"),
    ("demand", {"benchmark_weights": "n_respondents"}, "a total adds up unweighted"),
    ("shortage_rate", {"benchmark_weights": "firms"}, "'firms' is not a column"),
])
def test_rate_benchmark_arguments(target, kwargs, match):
    frame = _rates().assign(vacancy_rate=0.1, vacancy_rate_se=0.01, demand=5.0, demand_se=1.0)
    with pytest.raises(ParameterError, match=match):
        shrink(frame, target=target, benchmark="ratio", **kwargs)


def test_benchmark_weights_must_be_finite_and_not_negative():
    frame = _rates()
    frame.loc[3, "enterprises"] = np.nan
    with pytest.raises(ParameterError, match=r"finite and >= 0; 1 rows fail, e.g. rows \[3\]"):
        shrink(frame, target="shortage_rate", benchmark="ratio", benchmark_weights="enterprises")
    with pytest.raises(ParameterError, match="needs benchmark='ratio'"):
        shrink(_rates(), target="shortage_rate", benchmark_weights="enterprises")
