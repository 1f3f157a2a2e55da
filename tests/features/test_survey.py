"""Tests for talentgap.features.survey: estimates and SEs per cell-period.

Hand computations follow docs/methods.md (stratified design, cell-period = stratum,
with-replacement linearisation variance with the n/(n-1) factor).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talentgap.datasets import make_synthetic
from talentgap.errors import ParameterError, SchemaError
from talentgap.features import estimate_cells
from talentgap.features._groups import group_rows
from talentgap.features.survey import (
    ESTIMATE_COLUMNS,
    estimate_arrays,
    weighted_ratio,
    weighted_total,
)
from talentgap.schema import validate

KEYS = ["region", "industry", "period"]
TOTALS = {  # output column -> survey column whose weighted total it is (None: the unit count)
    "enterprises": None,
    "employees": "employees",
    "vacancies": "vacancies",
    "demand": "hard_to_fill",
}


def _rows(period, region, industry, weight, employees, vacancies, hard_to_fill, reports,
          first_id):
    n = len(weight)
    return pd.DataFrame({
        "period": [period] * n,
        "enterprise_id": [f"E{first_id + i}" for i in range(n)],
        "region": [region] * n,
        "industry": [industry] * n,
        "employees": employees,
        "vacancies": vacancies,
        "hard_to_fill": hard_to_fill,
        "reports_shortage": reports,
        "weight": [float(x) for x in weight],
    })


@pytest.fixture
def small_surveys() -> pd.DataFrame:
    """Four cell-periods: weighted (n=3), one respondent, no vacancies (n=2), unweighted (n=4)."""
    return pd.concat([
        # North x textiles, 2024Q1: weighted, three respondents
        _rows("2024Q1", "North", "textiles", [10, 10, 20], [40, 10, 25], [4, 0, 2], [3, 0, 1],
              [1, 0, 1], first_id=1),
        # North x construction, 2024Q1: a single respondent
        _rows("2024Q1", "North", "construction", [5], [30], [3], [2], [1], first_id=10),
        # South x textiles, 2024Q1: nobody has a vacancy
        _rows("2024Q1", "South", "textiles", [2, 3], [12, 8], [0, 0], [0, 0], [0, 1],
              first_id=20),
        # North x textiles, 2024Q2: unit weights
        _rows("2024Q2", "North", "textiles", [1, 1, 1, 1], [20, 35, 5, 60], [2, 5, 0, 6],
              [1, 5, 0, 2], [1, 1, 0, 1], first_id=1),
    ], ignore_index=True)


def _hand_total(w, y):
    """T = sum(w*y); V = n/(n-1) * sum((w*y - T/n)^2); SE NaN for n = 1."""
    wy = w * y
    n = wy.size
    total = wy.sum()
    if n < 2:
        return total, np.nan
    return total, np.sqrt(n / (n - 1) * np.sum((wy - total / n) ** 2))


def _hand_ratio(w, y, x):
    """R = sum(w*y)/sum(w*x); z = w*(y - R*x)/sum(w*x); V = n/(n-1) * sum((z - mean z)^2)."""
    denominator = np.sum(w * x)
    n = w.size
    if denominator == 0:
        return np.nan, np.nan
    ratio = np.sum(w * y) / denominator
    if n < 2:
        return ratio, np.nan
    z = w * (y - ratio * x) / denominator
    return ratio, np.sqrt(n / (n - 1) * np.sum((z - z.mean()) ** 2))


def _hand_cell(rows: pd.DataFrame) -> dict[str, float]:
    w = rows["weight"].to_numpy(float)
    emp = rows["employees"].to_numpy(float)
    vac = rows["vacancies"].to_numpy(float)
    htf = rows["hard_to_fill"].to_numpy(float)
    rep = rows["reports_shortage"].to_numpy(float)
    ones = np.ones_like(w)
    out = {}
    for name, column in TOTALS.items():
        y = ones if column is None else rows[column].to_numpy(float)
        out[name], out[f"{name}_se"] = _hand_total(w, y)
    out["shortage_rate"], out["shortage_rate_se"] = _hand_ratio(w, rep, ones)
    out["vacancy_rate"], out["vacancy_rate_se"] = _hand_ratio(w, vac, emp + vac)
    out["ssv_density"], out["ssv_density_se"] = _hand_ratio(w, htf, vac)
    out["n_respondents"] = len(rows)
    return out


def _cell(cells: pd.DataFrame, region: str, industry: str, period: str) -> pd.Series:
    mask = ((cells["region"] == region) & (cells["industry"] == industry)
            & (cells["period"] == pd.Period(period, freq="Q")))
    assert mask.sum() == 1
    return cells[mask].iloc[0]


ESTIMATES = [*TOTALS, "shortage_rate", "vacancy_rate", "ssv_density"]


def test_every_estimate_and_se_matches_the_hand_computation(small_surveys):
    cells = estimate_cells(small_surveys, freq="Q")
    assert len(cells) == 4
    for (region, industry, period), rows in small_surveys.groupby(KEYS):
        got = _cell(cells, region, industry, period)
        want = _hand_cell(rows)
        assert got["n_respondents"] == want["n_respondents"]
        for name in ESTIMATES:
            for column in (name, f"{name}_se"):
                np.testing.assert_allclose(got[column], want[column], rtol=1e-12, atol=0,
                                           equal_nan=True, err_msg=f"{region} {period} {column}")


def test_weighted_cell_literal_values(small_surveys):
    got = _cell(estimate_cells(small_surveys), "North", "textiles", "2024Q1")
    # demand: w*y = [30, 0, 20], T = 50, deviations from 50/3 squared sum to 1400/3,
    # times n/(n-1) = 3/2 -> V = 700.
    assert got["demand"] == 50.0
    assert got["demand_se"] == pytest.approx(np.sqrt(700.0), rel=1e-12)
    # enterprises: sum of weights; its SE comes from the unequal weights alone
    # (w = [10, 10, 20], mean 40/3: squares 100/9 * (1 + 1 + 4) -> V = 3/2 * 600/9 = 100).
    assert got["enterprises"] == 40.0
    assert got["enterprises_se"] == pytest.approx(10.0, rel=1e-12)
    assert got["shortage_rate"] == pytest.approx(0.75, rel=1e-12)
    assert got["vacancy_rate"] == pytest.approx(80.0 / (1000.0 + 80.0), rel=1e-12)
    assert got["ssv_density"] == pytest.approx(50.0 / 80.0, rel=1e-12)
    assert not got["single_respondent"]


def test_one_respondent_cell_has_nan_ses_never_zero(small_surveys):
    got = _cell(estimate_cells(small_surveys), "North", "construction", "2024Q1")
    assert got["n_respondents"] == 1
    assert bool(got["single_respondent"]) is True
    assert got["demand"] == 10.0 and got["employees"] == 150.0 and got["vacancies"] == 15.0
    assert got["shortage_rate"] == 1.0
    assert got["ssv_density"] == pytest.approx(2 / 3, rel=1e-12)
    for name in ESTIMATES:
        assert np.isnan(got[f"{name}_se"]), name


def test_cell_without_vacancies_has_nan_ssv_density(small_surveys):
    got = _cell(estimate_cells(small_surveys), "South", "textiles", "2024Q1")
    assert np.isnan(got["ssv_density"]) and np.isnan(got["ssv_density_se"])
    # the other estimates stay defined: no vacancies is a real zero with a zero SE
    assert got["vacancies"] == 0.0 and got["vacancies_se"] == 0.0
    assert got["vacancy_rate"] == 0.0 and got["vacancy_rate_se"] == 0.0
    assert got["demand"] == 0.0 and got["demand_se"] == 0.0
    assert got["shortage_rate"] == pytest.approx(3 / 5, rel=1e-12)
    assert np.isfinite(got["shortage_rate_se"]) and got["shortage_rate_se"] > 0


def test_output_is_sorted_with_categorical_keys_and_flags(small_surveys):
    cells = estimate_cells(small_surveys)
    assert isinstance(cells["region"].dtype, pd.CategoricalDtype)
    assert isinstance(cells["period"].dtype, pd.PeriodDtype)
    order = cells[KEYS].astype(str).apply(tuple, axis=1).tolist()
    assert order == sorted(order)
    assert cells["single_respondent"].tolist() == (cells["n_respondents"] == 1).tolist()
    assert cells["n_respondents"].dtype == np.int64


def test_weight_none_and_missing_weight_column_mean_unit_weights(small_surveys):
    unweighted = small_surveys.assign(weight=1.0)
    expected = estimate_cells(unweighted)
    pd.testing.assert_frame_equal(estimate_cells(small_surveys, weight=None), expected)
    pd.testing.assert_frame_equal(estimate_cells(small_surveys.drop(columns="weight")), expected)
    # and the weights do matter when used
    weighted = estimate_cells(small_surveys)
    assert not np.allclose(weighted["demand"], expected["demand"])


def test_keys_define_the_strata(small_surveys):
    by_region = estimate_cells(small_surveys, keys=["region"])
    assert list(by_region.columns[:2]) == ["region", "period"]
    rows = small_surveys[(small_surveys["region"] == "North")
                         & (small_surveys["period"] == "2024Q1")]
    got = by_region[(by_region["region"] == "North")
                    & (by_region["period"] == pd.Period("2024Q1", freq="Q"))].iloc[0]
    want = _hand_cell(rows)  # one stratum of 4 units across two industries
    for column in ("demand", "demand_se", "shortage_rate", "shortage_rate_se"):
        assert got[column] == pytest.approx(want[column], rel=1e-12)


def test_input_is_not_mutated(small_surveys):
    before = small_surveys.copy()
    estimate_cells(small_surveys)
    pd.testing.assert_frame_equal(small_surveys, before)


def test_unknown_key_and_period_key_raise(small_surveys):
    with pytest.raises(ParameterError, match="'occupation'"):
        estimate_cells(small_surveys, keys=["region", "occupation"])
    with pytest.raises(ParameterError, match="a key cannot be the time column 'period'"):
        estimate_cells(small_surveys, keys=["region", "period"])


def test_invalid_table_raises_schema_error(small_surveys):
    bad = small_surveys.copy()
    bad.loc[0, "hard_to_fill"] = 9
    with pytest.raises(SchemaError, match="'hard_to_fill' must be <= 'vacancies'"):
        estimate_cells(bad)


def test_weighted_total_and_ratio_helpers():
    codes = np.array([0, 1, 0, 2, 1, 0])
    w = np.array([2.0, 1.0, 3.0, 4.0, 5.0, 0.5])
    y = np.array([1.0, 4.0, 0.0, 2.0, 3.0, 8.0])
    x = np.array([2.0, 5.0, 1.0, 2.0, 3.0, 9.0])
    n = np.bincount(codes).astype(float)
    total, se = weighted_total(codes, 3, w, y, n)
    ratio, rse = weighted_ratio(codes, 3, w, y, x, n)
    for g in range(3):
        m = codes == g
        want_t, want_se = _hand_total(w[m], y[m])
        want_r, want_rse = _hand_ratio(w[m], y[m], x[m])
        np.testing.assert_allclose([total[g], se[g], ratio[g], rse[g]],
                                   [want_t, want_se, want_r, want_rse], rtol=1e-12,
                                   equal_nan=True)
    assert np.isnan(se[2]) and np.isnan(rse[2])  # group 2 has one row


def test_estimate_arrays_empty_slot_has_no_estimate(small_surveys):
    cells = estimate_cells(small_surveys)
    table = validate(small_surveys, table="surveys")
    groups = group_rows(table, ["region", "industry", "period"])
    # groups 0..3 go to slots 1, 2, 4, 5; slots 0 and 3 stay empty
    slot = np.array([1, 2, 4, 5])
    n = np.zeros(6)
    n[slot] = groups.counts
    got = estimate_arrays(table, groups.map_rows(slot), n)
    assert list(got) == ESTIMATE_COLUMNS
    for name in ESTIMATE_COLUMNS:
        np.testing.assert_array_equal(got[name][slot], cells[name].to_numpy(), err_msg=name)
        empty = got[name][[0, 3]]
        if name == "n_respondents":
            assert empty.tolist() == [0, 0]
        elif name == "single_respondent":
            assert empty.tolist() == [False, False]
        else:
            assert np.isnan(empty).all(), name
    subset = estimate_arrays(table, groups.codes, groups.counts,
                             columns=["demand_se", "n_respondents"])
    assert list(subset) == ["demand_se", "n_respondents"]
    np.testing.assert_array_equal(subset["demand_se"], cells["demand_se"].to_numpy())


# --------------------------------------------------------------------------- oracle: samplics


def _random_surveys(seed: int, n_cells: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 15, n_cells)
    cell = np.repeat(np.arange(n_cells), sizes)
    n = cell.size
    employees = rng.integers(1, 400, n)
    # strictly positive totals in every cell: samplics divides by the estimate (its CV)
    vacancies = 1 + rng.poisson(employees * 0.04)
    reports = rng.random(n) < 0.6
    reports[np.r_[0, np.cumsum(sizes)[:-1]]] = True
    return pd.DataFrame({
        "period": np.where(cell % 2 == 0, "2024Q1", "2024Q2"),
        "enterprise_id": [f"E{i:04d}" for i in range(n)],
        "region": [f"R{c // 2}" for c in cell],
        "industry": [f"I{c % 3}" for c in cell],
        "employees": employees,
        "vacancies": vacancies,
        "hard_to_fill": 1 + rng.binomial(vacancies - 1, 0.5),
        "reports_shortage": reports,
        "weight": rng.uniform(1.0, 30.0, n),
    })


def test_against_samplics_taylor_estimator():
    """Totals, ratios and SEs equal samplics' Taylor linearisation.

    Settings: ``stratum`` = ``domain`` = cell-period, design weights, no PSU
    (each unit its own PSU) and the default ``fpc=1`` (no finite population
    correction). samplics then uses, per stratum, ``n/(n-1) * sum((s_i -
    mean(s))^2)`` of the scores ``s_i = w_i*y_i`` (total) or ``w_i*(y_i -
    R*x_i)/sum(w*x)`` (ratio) -- exactly R's ``svydesign(ids=~1,
    strata=~cell, weights=~w)`` with ``svyby(..., svytotal / svyratio)``.
    Domain scores are zero outside the cell, so other strata add nothing.
    samplics raises on strata of one unit, so every cell here has >= 2.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "samplics is archived"
        samplics = pytest.importorskip("samplics")
    surveys = _random_surveys(seed=11)
    cells = estimate_cells(surveys)
    stratum = surveys[KEYS].astype(str).agg("|".join, axis=1).to_numpy()
    label = cells[KEYS].astype(str).agg("|".join, axis=1).to_numpy()
    assert len(cells) == len(np.unique(stratum)) >= 6
    w = surveys["weight"].to_numpy(float)

    def column(name):
        return surveys[name].to_numpy(float)

    def oracle(param, y, x=None):
        est = samplics.TaylorEstimator(param=param)
        est.estimate(y=y, samp_weight=w, x=x, stratum=stratum, domain=stratum)
        return (np.array([est.point_est[k] for k in label]),
                np.array([est.stderror[k] for k in label]))

    worst = 0.0
    cases = {
        "enterprises": (samplics.PopParam.total, np.ones(len(w)), None),
        "employees": (samplics.PopParam.total, column("employees"), None),
        "vacancies": (samplics.PopParam.total, column("vacancies"), None),
        "demand": (samplics.PopParam.total, column("hard_to_fill"), None),
        "shortage_rate": (samplics.PopParam.ratio, column("reports_shortage"), np.ones(len(w))),
        "vacancy_rate": (samplics.PopParam.ratio, column("vacancies"),
                         column("employees") + column("vacancies")),
        "ssv_density": (samplics.PopParam.ratio, column("hard_to_fill"), column("vacancies")),
    }
    for name, (param, y, x) in cases.items():
        point, se = oracle(param, y, x)
        got_point, got_se = cells[name].to_numpy(), cells[f"{name}_se"].to_numpy()
        np.testing.assert_allclose(got_point, point, rtol=1e-8, err_msg=name)
        np.testing.assert_allclose(got_se, se, rtol=1e-8, err_msg=f"{name}_se")
        for mine, theirs in ((got_point, point), (got_se, se)):
            scale = np.maximum(np.abs(theirs), np.finfo(float).tiny)
            worst = max(worst, float(np.max(np.abs(mine - theirs) / scale)))
    assert worst < 1e-8, worst  # measured: ~1e-15


# --------------------------------------------------------------------------- properties


@st.composite
def _survey_tables(draw):
    n = draw(st.integers(1, 30))
    regions = draw(st.lists(st.sampled_from(["A", "B", "C"]), min_size=n, max_size=n))
    industries = draw(st.lists(st.sampled_from(["x", "y"]), min_size=n, max_size=n))
    periods = draw(st.lists(st.sampled_from(["2024Q1", "2024Q2"]), min_size=n, max_size=n))
    employees = draw(st.lists(st.integers(0, 5000), min_size=n, max_size=n))
    vacancies = draw(st.lists(st.integers(0, 300), min_size=n, max_size=n))
    vacancies = [min(v, 5 * e) for v, e in zip(vacancies, employees, strict=True)]  # plausible
    share = draw(st.lists(st.floats(0, 1), min_size=n, max_size=n))
    weights = draw(st.lists(st.floats(0.01, 1e4), min_size=n, max_size=n))
    reports = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    order = draw(st.permutations(range(n)))
    table = pd.DataFrame({
        "period": periods,
        "enterprise_id": [f"E{i}" for i in range(n)],
        "region": regions,
        "industry": industries,
        "employees": employees,
        "vacancies": vacancies,
        "hard_to_fill": [int(v * s) for v, s in zip(vacancies, share, strict=True)],
        "reports_shortage": reports,
        "weight": weights,
    })
    return table, list(order)


@settings(max_examples=60, deadline=None)
@given(_survey_tables())
def test_row_order_never_changes_the_estimates(case):
    table, order = case
    original = estimate_cells(table)
    permuted = estimate_cells(table.iloc[order].reset_index(drop=True))
    pd.testing.assert_frame_equal(permuted, original, check_exact=False, rtol=1e-10,
                                  atol=1e-10)


# --------------------------------------------------------------------------- coverage vs truth


def _coverage(cells: pd.DataFrame, truth: pd.DataFrame, name: str) -> tuple[float, int]:
    merged = cells.merge(truth, on=KEYS, suffixes=("", "_true"), validate="one_to_one")
    merged = merged[merged["n_respondents"] >= 2]
    inside = (merged[name] - merged[f"{name}_true"]).abs() <= 1.96 * merged[f"{name}_se"]
    return float(inside.mean()), len(merged)


@pytest.fixture(scope="module")
def large_synthetic():
    return make_synthetic(n_regions=12, n_periods=12, enterprises_per_cell=1000,
                          sample_fraction=0.2, seed=0)


@pytest.mark.parametrize("name", ["demand", "shortage_rate"])
def test_95_percent_intervals_cover_the_population_truth(large_synthetic, name):
    """Estimate +- 1.96 SE covers the population value in ~95% of cell-periods.

    Settings: 12 regions x 8 industries x 12 quarters, ~1000 enterprises per
    cell, sampling fraction f = 0.2 (median ~180 respondents per cell), so
    ~1070 cell-periods with >= 2 respondents.

    Expected level: the survey is SRS *without* replacement, and the
    with-replacement SE overstates the true SE by 1/sqrt(1 - f) = 1.118, so
    with exact normality coverage would be P(|Z| < 1.96 * 1.118) = 0.972.
    Skewness of hard_to_fill (lognormal enterprise sizes) pulls it back
    towards 0.95 (measured at seed 0: demand 0.948, shortage_rate 0.960;
    seeds 0-3: 0.938-0.960 and 0.942-0.966). With ~1070 cell-periods the
    binomial SE of a coverage near 0.95-0.97 is 0.005-0.007: 0.92 is 4 SE
    below 0.95 and 0.985 is 2.5 SE above 0.972. An SE 25% too small gives
    0.86-0.89 here and fails; an inflated SE is caught only when gross
    (x1.25 still gives 0.97-0.985), which is what
    ``test_variance_is_unbiased_on_small_cells`` pins down more tightly.

    With the default, smaller cells (120 enterprises, f = 0.15, median ~16
    respondents) coverage of demand is only ~0.87 -- the normal interval
    needs n >> 25 * skewness^2 -- though the SE is unbiased there too (see
    ``test_variance_is_unbiased_on_small_cells``).
    """
    cells = estimate_cells(large_synthetic.surveys)
    coverage, count = _coverage(cells, large_synthetic.truth, name)
    assert count > 1000
    assert 0.92 <= coverage <= 0.985, coverage


def test_variance_is_unbiased_on_small_cells():
    """On the default-size cells, mean squared error ~= (1 - f) * mean estimated variance.

    For stratified SRSWOR with w = N/n, ``E[v_wr] * (1 - f) = V(T)`` exactly, so
    ``sum((T^ - T)^2) / sum((1 - f) v^)`` is close to 1 however skewed the data (also
    for the shortage proportion, as weights are equal within a cell).
    Over seeds 0-5 the ratio ranged 0.93-1.13 (demand) and 0.89-1.15
    (shortage_rate); [0.75, 1.33] rejects an SE that is ~20% too large or small
    (the ratio scales with 1/SE^2: x0.69 or x1.56).
    """
    data = make_synthetic(n_regions=12, n_periods=12, sample_fraction=0.15, seed=0)
    cells = estimate_cells(data.surveys)
    merged = cells.merge(data.truth, on=KEYS, suffixes=("", "_true"), validate="one_to_one")
    merged = merged[merged["n_respondents"] >= 2]
    f = merged["n_respondents"] / merged["n_enterprises"]
    # sum of the weights = N (up to the round-off of N/n added n times)
    np.testing.assert_allclose(merged["enterprises"], merged["n_enterprises"], rtol=1e-12)
    for name in ("demand", "shortage_rate"):
        squared_error = (merged[name] - merged[f"{name}_true"]) ** 2
        ratio = squared_error.sum() / ((1 - f) * merged[f"{name}_se"] ** 2).sum()
        assert 0.75 <= ratio <= 1.33, (name, ratio)


def test_a_repeated_enterprise_in_a_canonical_table_is_rejected():
    """A validated table with the same enterprise twice in a period never skips the check."""
    from talentgap.features import build_panel

    clean = validate(make_synthetic(n_regions=2, industries=2, n_periods=3, seed=4).surveys,
                     table="surveys")
    doubled = pd.concat([clean, clean.iloc[[5]]], ignore_index=True)
    assert doubled.dtypes.equals(clean.dtypes)  # still canonical dtypes
    for call in (lambda: estimate_cells(doubled), lambda: build_panel(doubled)):
        with pytest.raises(SchemaError,
                           match=rf"'enterprise_id, period'.*line {len(clean) + 2} ") as info:
            call()
        assert info.value.reason in ("duplicate_row", "duplicate_key")
    conflicting = doubled.copy()
    conflicting.loc[len(clean), "vacancies"] += 1
    with pytest.raises(SchemaError, match="duplicate_key"):
        estimate_cells(conflicting)
