"""Tests of talentgap.features.calibration.calibrate_weights (bounded raking)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from talentgap.datasets import make_synthetic
from talentgap.errors import ParameterError, SchemaError
from talentgap.features.calibration import CalibrationReport, calibrate_weights
from talentgap.schema import validate

TOL = 1e-6


def make_surveys(region, size_band, weight, period="2024Q1", industry="textiles"):
    """A valid surveys table with the given keys and design weights."""
    n = len(region)
    period = [period] * n if isinstance(period, str) else list(period)
    industry = [industry] * n if isinstance(industry, str) else list(industry)
    return pd.DataFrame({
        "period": period,
        "enterprise_id": [f"E{i:03d}" for i in range(n)],
        "region": list(region),
        "industry": industry,
        "employees": np.arange(n) % 7 + 5,
        "vacancies": np.arange(n) % 3,
        "hard_to_fill": np.arange(n) % 2 * (np.arange(n) % 3 > 0),
        "reports_shortage": np.arange(n) % 2,
        "weight": np.asarray(weight, dtype=float),
        "size_band": list(size_band),
    })


def totals(column, counts, period=None):
    """A totals table for a one-column margin."""
    table = pd.DataFrame({column: list(counts), "count": list(counts.values())})
    if period is not None:
        table.insert(0, "period", period)
    return table


def weighted_counts(frame, columns, weight="weight"):
    return frame.groupby([*columns], observed=True)[weight].sum()


@pytest.fixture
def random_survey() -> pd.DataFrame:
    """300 respondents over 3 regions x 3 size bands, unequal design weights."""
    rng = np.random.default_rng(5)
    n = 300
    return make_surveys(rng.choice(list("ABC"), n), rng.choice(["s", "m", "l"], n,
                                                               p=[0.5, 0.3, 0.2]),
                        rng.uniform(5, 15, n))


#: Totals for ``random_survey`` that need a weight ratio of about 2.4 for the
#: (C, l) respondents when unbounded, but can be met with ratios in [0.5, 2].
SKEWED = {
    ("region",): totals("region", {"A": 800, "B": 800, "C": 1400}),
    ("size_band",): totals("size_band", {"s": 1400, "m": 700, "l": 900}),
}


# --- closed-form cases --------------------------------------------------------------------


def test_one_margin_is_ratio_adjustment_per_period():
    s = make_surveys(region=["N", "N", "S", "S", "S", "N", "S"],
                     size_band=["s"] * 7,
                     weight=[2.0, 6.0, 1.0, 3.0, 4.0, 5.0, 5.0],
                     period=["2024Q1"] * 5 + ["2024Q2"] * 2)
    pop = {"region": pd.DataFrame({"period": ["2024Q1", "2024Q1", "2024Q2", "2024Q2"],
                                   "region": ["N", "S", "N", "S"],
                                   "count": [40, 16, 30, 25]})}
    out = calibrate_weights(s, pop, margins=[("region",)], bounds=None)
    # w_i = d_i * N_g / sum_{j in g} d_j within each (region, period)
    expected = np.array([2 * 40 / 8, 6 * 40 / 8, 1 * 16 / 8, 3 * 16 / 8, 4 * 16 / 8,
                         5 * 30 / 5, 5 * 25 / 5])
    np.testing.assert_allclose(out["weight"].to_numpy(), expected, rtol=1e-12)
    np.testing.assert_array_equal(out["design_weight"].to_numpy(), s["weight"].to_numpy())


def test_two_margins_on_2x2_match_the_ipf_fixed_point():
    # atoms (region, band) with several respondents each and unequal design weights
    region = ["N"] * 5 + ["S"] * 5
    band = ["s", "s", "s", "l", "l", "s", "l", "l", "l", "l"]
    d = np.array([3.0, 5.0, 2.0, 4.0, 6.0, 7.0, 1.0, 2.0, 3.0, 4.0])
    s = make_surveys(region, band, d)
    r1, r2, c1, c2 = 60.0, 40.0, 45.0, 55.0  # N, S, s, l
    pop = {"region": totals("region", {"N": r1, "S": r2}),
           "size_band": totals("size_band", {"s": c1, "l": c2})}
    out = calibrate_weights(s, pop, margins=["region", "size_band"], bounds=None, tol=1e-10)

    # Raking preserves the cross-product ratio of the 2x2 atom totals; with the
    # margins this pins T11 = x as the root of a quadratic.
    dsum = s.assign(w=d).groupby(["region", "size_band"])["w"].sum()
    theta = dsum["N", "s"] * dsum["S", "l"] / (dsum["N", "l"] * dsum["S", "s"])
    roots = np.roots([1 - theta, r2 - c1 + theta * (r1 + c1), -theta * r1 * c1])
    x = float(roots[(roots > max(0, c1 - r2)) & (roots < min(r1, c1))][0].real)
    expected = {("N", "s"): x, ("N", "l"): r1 - x, ("S", "s"): c1 - x,
                ("S", "l"): r2 - c1 + x}
    got = weighted_counts(out, ["region", "size_band"])
    for atom, value in expected.items():
        assert got[atom] == pytest.approx(value, rel=1e-8)
    # within an atom every respondent gets the same factor
    ratio = out["weight"] / out["design_weight"]
    spread = ratio.groupby([out["region"], out["size_band"]], observed=True).std()
    assert (spread.fillna(0.0) < 1e-12).all()


def test_docstring_style_register_population_gives_exact_solution():
    s = make_surveys(["North", "North", "South", "South"], ["small", "small", "small", "large"],
                     [10.0] * 4)
    register = pd.DataFrame({"region": ["North"] * 30 + ["South"] * 50,
                             "size_band": ["small"] * 60 + ["large"] * 20})
    out = calibrate_weights(s, register, margins=["region", "size_band"], tol=1e-10)
    np.testing.assert_allclose(out["weight"], [15.0, 15.0, 30.0, 20.0], rtol=1e-9)


# --- margins reproduced -------------------------------------------------------------------


def test_every_margin_reproduced_per_period():
    rng = np.random.default_rng(11)
    periods = ["2023Q4", "2024Q1", "2024Q2"]
    # register per period: one row per enterprise per period, growing over time
    register = pd.concat([
        pd.DataFrame({"period": p,
                      "region": rng.choice(list("ABC"), 2000 + 300 * k),
                      "industry": rng.choice(["textiles", "construction"], 2000 + 300 * k),
                      "size_band": rng.choice(["small", "medium", "large"], 2000 + 300 * k,
                                              p=[0.6, 0.3, 0.1])})
        for k, p in enumerate(periods)], ignore_index=True)
    sample = register.groupby("period", group_keys=False).sample(frac=0.1, random_state=3)
    s = make_surveys(sample["region"], sample["size_band"], rng.uniform(5, 15, len(sample)),
                     period=sample["period"], industry=sample["industry"])
    margins = [("industry", "size_band"), ("region",), ("region", "industry")]
    out, report = calibrate_weights(s, register, margins=margins, return_report=True)

    assert report.converged and report.max_relative_error <= TOL
    for margin in margins:
        cols = ["period", *margin]
        target = register.groupby(cols).size().rename("target").reset_index()
        got = weighted_counts(out, cols).rename("got").reset_index()
        got[cols] = got[cols].astype(str)
        both = target.merge(got, on=cols, how="outer", validate="one_to_one")
        assert len(both) == len(target)
        np.testing.assert_allclose(both["got"], both["target"], rtol=TOL)
        table = report.margins[margin]
        assert (table["relative_error"] <= TOL).all()
        np.testing.assert_allclose(table["achieved"], table["target"], rtol=TOL)
    assert (out["weight"] > 0).all()


def test_totals_without_period_apply_to_every_period():
    s = make_surveys(["N", "S", "N", "S", "S"], ["s"] * 5, [1.0, 2.0, 3.0, 4.0, 5.0],
                     period=["2024Q1", "2024Q1", "2024Q2", "2024Q2", "2024Q2"])
    out = calibrate_weights(s, {"region": totals("region", {"N": 10, "S": 20})},
                            margins=["region"], bounds=None)
    per_period = weighted_counts(out, ["period", "region"])
    np.testing.assert_allclose(per_period.to_numpy(), [10, 20, 10, 20])


def test_by_period_false_pools_the_periods():
    s = make_surveys(["N", "S", "N", "S", "S"], ["s"] * 5, [1.0, 2.0, 3.0, 4.0, 5.0],
                     period=["2024Q1", "2024Q1", "2024Q2", "2024Q2", "2024Q2"])
    out = calibrate_weights(s, {"region": totals("region", {"N": 10, "S": 20})},
                            margins=["region"], by_period=False, bounds=None)
    np.testing.assert_allclose(weighted_counts(out, ["region"]).to_numpy(), [10, 20])
    np.testing.assert_allclose(out["weight"], [2.5, 40 / 11, 7.5, 80 / 11, 100 / 11])


def test_without_weight_column_design_weights_are_one():
    s = make_surveys(["N", "N", "S"], ["s"] * 3, [1.0] * 3).drop(columns="weight")
    out = calibrate_weights(s, {"region": totals("region", {"N": 4, "S": 3})},
                            margins=["region"])
    np.testing.assert_allclose(out["design_weight"], 1.0)
    np.testing.assert_allclose(out["weight"], [2.0, 2.0, 3.0])


# --- bounds -------------------------------------------------------------------------------


def test_bounds_are_respected_and_trimming_reported(random_survey):
    _, free = calibrate_weights(random_survey, SKEWED, margins=["region", "size_band"],
                                bounds=None, return_report=True)
    assert free.weight_ratio_range[1] > 2.0  # unbounded raking would exceed the bound

    out, report = calibrate_weights(random_survey, SKEWED, margins=["region", "size_band"],
                                    bounds=(0.5, 2.0), return_report=True)
    ratio = (out["weight"] / out["design_weight"]).to_numpy()
    assert ratio.min() >= 0.5 * (1 - 1e-12) and ratio.max() <= 2.0 * (1 + 1e-12)
    assert report.n_trimmed > 0
    assert report.n_trimmed == int(np.isclose(ratio, 2.0, rtol=1e-9).sum()
                                   + np.isclose(ratio, 0.5, rtol=1e-9).sum())
    assert report.weight_ratio_range == pytest.approx((ratio.min(), ratio.max()))
    for margin, table in SKEWED.items():
        got = weighted_counts(out, list(margin))
        np.testing.assert_allclose(got[table[margin[0]]].to_numpy(), table["count"], rtol=TOL)


def test_bounded_raking_matches_the_calibration_dual(random_survey):
    """Oracle: minimise the Deville-Särndal dual of truncated raking with scipy."""
    lo, hi = 0.5, 2.0
    out = calibrate_weights(random_survey, SKEWED, margins=["region", "size_band"],
                            bounds=(lo, hi), tol=1e-10)
    d = random_survey["weight"].to_numpy()
    x = np.column_stack([random_survey["region"] == r for r in "ABC"]
                        + [random_survey["size_band"] == b for b in "sml"]).astype(float)
    t = np.array([800, 800, 1400, 1400, 700, 900], dtype=float)
    llo, lhi = np.log(lo), np.log(hi)

    def dual(lam):
        u = x @ lam
        f = np.where(u < llo, lo - 1 + lo * (u - llo),
                     np.where(u > lhi, hi - 1 + hi * (u - lhi), np.exp(np.clip(u, llo, lhi)) - 1))
        g = np.clip(np.exp(np.clip(u, llo - 1, lhi + 1)), lo, hi)
        return d @ f - lam @ t, x.T @ (d * g) - t

    res = minimize(dual, np.zeros(6), jac=True, method="BFGS", options={"gtol": 1e-9})
    oracle = d * np.clip(np.exp(x @ res.x), lo, hi)
    np.testing.assert_allclose(out["weight"].to_numpy(), oracle, rtol=1e-5)


def test_feasible_bounds_still_converge():
    """Bounds that bind for many weights but leave the margins feasible (checked with a
    linear program while writing the test) still converge."""
    rng = np.random.default_rng(2)
    n = 400
    s = make_surveys(rng.choice(list("ABCD"), n), rng.choice(["s", "m", "l"], n),
                     rng.uniform(1, 30, n))
    pop = {"region": totals("region", {"A": 1000, "B": 2500, "C": 3000, "D": 1500}),
           "size_band": totals("size_band", {"s": 5000, "m": 2000, "l": 1000})}
    out, report = calibrate_weights(s, pop, margins=["region", "size_band"],
                                    bounds=(0.3, 3.5), return_report=True)
    assert report.converged and report.max_relative_error <= TOL
    assert report.n_trimmed > 50
    ratio = out["weight"] / out["design_weight"]
    assert ratio.between(0.3 * (1 - 1e-12), 3.5 * (1 + 1e-12)).all()
    np.testing.assert_allclose(weighted_counts(out, ["region"]).to_numpy(),
                               [1000, 2500, 3000, 1500], rtol=TOL)


# --- errors -------------------------------------------------------------------------------


def test_inconsistent_margins_name_both_margins_and_sums():
    s = make_surveys(["N", "S", "N", "S"], ["s", "s", "l", "l"], [1.0] * 4)
    pop = {("size_band",): totals("size_band", {"s": 600, "l": 400}),
           ("region",): totals("region", {"N": 500, "S": 400})}
    with pytest.raises(ParameterError, match=r"\('size_band',\).*1000.*\('region',\).*900"):
        calibrate_weights(s, pop, margins=["size_band", "region"])


def test_sample_category_without_total_names_margin_category_and_period():
    s = make_surveys(["N", "S", "N", "S"], ["s", "s", "l", "huge"], [1.0] * 4,
                     period="2024Q3")
    pop = {("region",): totals("region", {"N": 10, "S": 10}),
           ("size_band",): totals("size_band", {"s": 12, "l": 8})}
    with pytest.raises(ParameterError,
                       match=r"margin \('size_band',\).*size_band='huge' in period 2024Q3"):
        calibrate_weights(s, pop, margins=["region", "size_band"])


def test_zero_population_count_for_a_sampled_category_is_an_error():
    s = make_surveys(["N", "S"], ["s", "s"], [1.0] * 2)
    with pytest.raises(ParameterError, match=r"count of 0.*region='S'"):
        calibrate_weights(s, {"region": totals("region", {"N": 5, "S": 0})},
                          margins=["region"])


def test_unreachable_population_category_is_named():
    s = make_surveys(["N", "S", "N"], ["s", "s", "s"], [1.0] * 3)
    pop = {"region": totals("region", {"N": 10, "S": 10, "W": 5})}
    with pytest.raises(ParameterError,
                       match=r"no sample rows.*region='W' in period 2024Q1 \(count 5\)"):
        calibrate_weights(s, pop, margins=["region"])


def test_category_out_of_reach_of_the_bounds_is_named():
    s = make_surveys(["N", "S"], ["s", "s"], [1.0, 1.0])
    with pytest.raises(ParameterError, match=r"region='N'.*needs 10 .*widen the bounds"):
        calibrate_weights(s, {"region": totals("region", {"N": 10, "S": 1})},
                          margins=["region"], bounds=(0.5, 2.0))


def test_non_convergence_says_how_far_off_and_suggests_wider_bounds():
    # Each atom (region, band) has design total 10 and may reach [5, 20]. Every
    # category is reachable on its own, but A = 40 and s = 40 force A_s = A_l =
    # B_s = 20, leaving B_l = 0 < 5: the margins cannot all be met together.
    s = make_surveys(["A", "A", "B", "B"], ["s", "l", "s", "l"], [10.0] * 4)
    pop = {"region": totals("region", {"A": 40, "B": 20}),
           "size_band": totals("size_band", {"s": 40, "l": 20})}
    with pytest.raises(ParameterError,
                       match=r"stopped after \d+ sweeps because the error no longer falls: "
                             r"margin .* is still [0-9.e-]+ off .*target.*achieved.*3 weights "
                             r"sit at the bounds \(0.5, 2.0\).*wider bounds"):
        calibrate_weights(s, pop, margins=["region", "size_band"], bounds=(0.5, 2.0),
                          max_iter=30)


@pytest.mark.parametrize("population", [
    {"region": totals("region", {"N": 1, "S": 1}), "sector": pd.DataFrame({"count": [2]})},
    pd.DataFrame({"region": ["N", "S"]}),
])
def test_margin_column_missing_from_population(population):
    s = make_surveys(["N", "S"], ["s", "s"], [1.0, 1.0]).assign(sector="x")
    with pytest.raises(ParameterError, match="'sector'"):
        calibrate_weights(s, population, margins=["region", "sector"])


def test_margin_column_missing_from_surveys():
    s = make_surveys(["N", "S"], ["s", "s"], [1.0, 1.0])
    with pytest.raises(ParameterError, match="'ownership'.*surveys table"):
        calibrate_weights(s, {"ownership": pd.DataFrame({"ownership": ["x"], "count": [1]})},
                          margins=["ownership"])


def test_totals_missing_a_surveyed_period():
    s = make_surveys(["N", "S"], ["s", "s"], [1.0, 1.0], period=["2024Q1", "2024Q2"])
    pop = {"region": totals("region", {"N": 3, "S": 4}, period="2024Q1")}
    with pytest.raises(ParameterError, match=r"no rows for 1 surveyed period.*2024Q2"):
        calibrate_weights(s, pop, margins=["region"])


def test_repeated_totals_rows_are_an_error():
    s = make_surveys(["N", "S"], ["s", "s"], [1.0, 1.0])
    pop = {"region": pd.DataFrame({"region": ["N", "S", "S"], "count": [1, 2, 3]})}
    with pytest.raises(ParameterError, match="more than one count"):
        calibrate_weights(s, pop, margins=["region"])


def test_period_totals_need_by_period():
    s = make_surveys(["N", "S"], ["s", "s"], [1.0, 1.0])
    pop = {"region": totals("region", {"N": 3, "S": 4}, period="2024Q1")}
    with pytest.raises(ParameterError, match="by_period=False"):
        calibrate_weights(s, pop, margins=["region"], by_period=False)


@pytest.mark.parametrize("kwargs, match", [
    ({"bounds": (2.0, 5.0)}, "bounds"),
    ({"bounds": (0.5, 0.5)}, "bounds"),
    ({"bounds": "wide"}, "bounds"),
    ({"tol": 0.0}, "tol"),
    ({"max_iter": 0}, "max_iter"),
    ({"margins": []}, "margins"),
    ({"margins": "region"}, "margins"),
    ({"margins": [("region", "period")]}, "period"),
    ({"margins": ["region", ("region",)]}, "twice"),
])
def test_bad_arguments(kwargs, match):
    s = make_surveys(["N", "S"], ["s", "s"], [1.0, 1.0])
    args = {"margins": ["region"], **kwargs}
    with pytest.raises(ParameterError, match=match):
        calibrate_weights(s, {"region": totals("region", {"N": 1, "S": 1})}, **args)


def test_invalid_surveys_raise_schema_error():
    s = make_surveys(["N", "S"], ["s", "s"], [1.0, -1.0])
    with pytest.raises(SchemaError, match="'weight'"):
        calibrate_weights(s, {"region": totals("region", {"N": 1, "S": 1})}, margins=["region"])


# --- purity and invariance ----------------------------------------------------------------


@pytest.mark.parametrize("canonical", [False, True])
def test_input_not_mutated_and_new_frame_returned(random_survey, canonical):
    s = validate(random_survey, table="surveys") if canonical else random_survey
    before = s.copy(deep=True)
    out = calibrate_weights(s, SKEWED, margins=["region", "size_band"], bounds=(0.5, 2.0))
    pd.testing.assert_frame_equal(s, before)
    assert out is not s
    assert list(out.columns) == [*s.columns[: s.columns.get_loc("weight") + 1],
                                 "design_weight", *s.columns[s.columns.get_loc("weight") + 1:]]
    np.testing.assert_array_equal(out["design_weight"], before["weight"])
    pd.testing.assert_index_equal(out.index, before.index)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.permutations(list(range(60))))
def test_row_order_does_not_change_the_weights(order):
    rng = np.random.default_rng(0)
    n = 60
    s = make_surveys(rng.choice(list("AB"), n), rng.choice(["s", "l"], n), rng.uniform(1, 9, n),
                     period=np.where(np.arange(n) < 30, "2024Q1", "2024Q2"))
    pop = {"region": totals("region", {"A": 100, "B": 125}),
           "size_band": totals("size_band", {"s": 150, "l": 75})}
    kw = {"margins": ["region", "size_band"], "bounds": (0.5, 2.0)}  # 12 weights trimmed
    base = calibrate_weights(s, pop, **kw).set_index(["enterprise_id", "period"])["weight"]
    shuffled = calibrate_weights(s.iloc[list(order)], pop, **kw)
    got = shuffled.set_index(["enterprise_id", "period"])["weight"]
    np.testing.assert_allclose(got.reindex(base.index).to_numpy(), base.to_numpy(), rtol=1e-9)


def test_calibrated_frame_is_a_fixed_point(random_survey):
    out = calibrate_weights(random_survey, SKEWED, margins=["region", "size_band"])
    again, report = calibrate_weights(out, SKEWED, margins=["region", "size_band"],
                                      return_report=True)
    assert report.iterations == 0
    np.testing.assert_array_equal(again["weight"], out["weight"])


def test_report_contents_and_logging(random_survey, caplog):
    with caplog.at_level(logging.INFO, logger="talentgap.features.calibration"):
        out, report = calibrate_weights(random_survey, SKEWED,
                                        margins=[("region",), ("size_band",)],
                                        return_report=True)
    assert isinstance(report, CalibrationReport)
    assert report.iterations >= 1 and report.bounds == (0.2, 5.0)
    assert set(report.margins) == {("region",), ("size_band",)}
    table = report.margins[("region",)]
    assert list(table.columns) == ["region", "period", "n_respondents", "target", "design",
                                   "achieved", "relative_error"]
    assert table["n_respondents"].sum() == len(random_survey)
    np.testing.assert_allclose(table["design"].sum(), random_survey["weight"].sum())
    assert "converged" in caplog.text and "converged" in str(report)
    with pytest.raises(AttributeError):
        report.iterations = 0  # frozen


# --- synthetic data -----------------------------------------------------------------------


def test_synthetic_survey_calibrated_to_its_register():
    data = make_synthetic(n_regions=4, industries=3, n_periods=8,
                                   sample_fraction=0.3, seed=0)
    margins = [("industry", "size_band"), ("region",)]
    out, report = calibrate_weights(data.surveys, data.frame, margins=margins,
                                    return_report=True)
    assert report.converged and (out["weight"] > 0).all()
    for margin in margins:
        target = data.frame.groupby(list(margin), observed=True).size().astype(float)
        got = out.groupby(["period", *margin], observed=True)["weight"].sum()
        for _, per_period in got.groupby(level="period"):
            np.testing.assert_allclose(per_period.droplevel("period").reindex(target.index),
                                       target, rtol=TOL)
    # Size bands carry information on enterprise size, so calibrated totals of
    # employees per industry are closer to the population truth than the
    # design-weighted ones (seen for every one of 38 seeds tried).
    truth = data.truth.groupby(["industry", "period"], observed=True)["employees"].sum()
    est = (out.assign(design=out["design_weight"] * out["employees"],
                      calibrated=out["weight"] * out["employees"])
           .groupby(["industry", "period"], observed=True)[["design", "calibrated"]].sum())
    design_error = (est["design"] - truth).abs().sum()
    calibrated_error = (est["calibrated"] - truth).abs().sum()
    assert calibrated_error < design_error


# ---- calibration within a declared sampling design ------------------------------------------

def _designed_surveys():
    """Two regions; a take-all 'large' stratum (population 2 = sampled 2) and a sampled one."""
    df = make_surveys(region=["N", "N", "S", "S", "N", "S"],
                      size_band=["small", "small", "small", "small", "large", "large"],
                      weight=[5.0, 5.0, 5.0, 5.0, 1.0, 1.0])
    df["stratum"] = df["size_band"]
    df["population"] = [20, 20, 20, 20, 2, 2]
    df["park"] = ["P1", "P1", "P2", "P2", "P3", "P4"]
    return df


def test_calibration_within_design_keeps_design_columns_and_changes_weights():
    from talentgap.features import SurveyDesign, estimate_cells

    df = _designed_surveys()
    design = SurveyDesign(strata="stratum", fpc="population")
    totals = {("region",): pd.DataFrame({"region": ["N", "S"], "count": [14, 30]})}
    out, report = calibrate_weights(df, totals, margins=["region"], design=design,
                                    return_report=True, bounds=None)
    assert report.design == design
    assert out["population"].tolist() == df["population"].tolist()
    assert out["stratum"].astype(str).tolist() == df["stratum"].tolist()
    np.testing.assert_allclose(out.groupby("region", observed=True)["weight"].sum(), [14, 30])
    assert not np.allclose(out["weight"], out["design_weight"])
    # calibration=False: SEs linearised on the final weights, the same as a table carrying
    # them as design weights; calibrated or not, a cell of the take-all stratum alone has
    # no sampling variance
    cells = estimate_cells(out, keys=("region", "size_band"), design=design)
    plain = estimate_cells(out, keys=("region", "size_band"), design=design,
                           calibration=False)
    bare = out.drop(columns="design_weight")
    bare.attrs = {}
    again = estimate_cells(bare, keys=("region", "size_band"), design=design)
    np.testing.assert_allclose(plain["demand_se"], again["demand_se"])
    for table in (cells, plain):
        large = table[table["size_band"] == "large"]
        assert (large["demand_se"] == 0).all() and (large["enterprises_se"] == 0).all()
    assert (cells.loc[cells["size_band"] == "small", "enterprises_se"] >= 0).all()


def test_calibration_checks_the_design_first():
    from talentgap.features import SurveyDesign

    df = _designed_surveys()
    df.loc[[4, 5], "population"] = 1  # below the 2 sampled large enterprises
    totals = {("region",): pd.DataFrame({"region": ["N", "S"], "count": [14, 30]})}
    with pytest.raises(SchemaError, match=r"'population'.*fpc_below_sample.*line 6"):
        calibrate_weights(df, totals, margins=["region"],
                          design=SurveyDesign(strata="stratum", fpc="population"))


def test_weights_differing_within_a_psu_are_warned_about_only_when_psus_are_counted():
    from talentgap.errors import DataQualityWarning
    from talentgap.features import SurveyDesign, estimate_cells

    df = _designed_surveys()
    df["parks"] = [4, 4, 4, 4, 2, 2]
    df.loc[1, "weight"] = 6.0  # P1 holds weights 5 and 6
    totals = {("region",): pd.DataFrame({"region": ["N", "S"], "count": [15, 30]})}
    design = SurveyDesign(strata="stratum", psu="park", fpc="parks")
    with pytest.warns(DataQualityWarning, match=r"weight_varies_in_psu.*line 3 \(E001.*6 vs 5 "
                                                r"on line 2.*'parks'"):
        warned = calibrate_weights(df, totals, margins=["region"], design=design)
    # a warning, as R's survey allows such weights: the margins are met all the same
    np.testing.assert_allclose(warned.groupby("region", observed=True)["weight"].sum(),
                               [15, 30])
    # estimate_cells says the same of the same table (its weights before calibration)
    with pytest.warns(DataQualityWarning, match=r"weight_varies_in_psu.*line 3 \(E001"):
        estimate_cells(df, design=design)
    # PSUs without a population count of PSUs: weights may vary within a PSU
    out = calibrate_weights(df, totals, margins=["region"], bounds=None,
                            design=SurveyDesign(strata="stratum", psu="park"))
    np.testing.assert_allclose(out.groupby("region", observed=True)["weight"].sum(), [15, 30])


def test_take_all_weights_are_held_and_the_others_make_up_the_margin():
    from talentgap.features import SurveyDesign

    df = _designed_surveys()
    design = SurveyDesign(strata="stratum", fpc="population")
    totals = {("region",): pd.DataFrame({"region": ["N", "S"], "count": [14, 30]})}
    out, report = calibrate_weights(df, totals, margins=["region"], design=design,
                                    return_report=True, bounds=None)
    large = (out["size_band"] == "large").to_numpy()
    np.testing.assert_array_equal(out.loc[large, "weight"], [1.0, 1.0])
    # N: 14 = 1 (large) + 2 small x 6.5; S: 30 = 1 + 2 x 14.5
    np.testing.assert_allclose(out.loc[~large, "weight"], [6.5, 6.5, 14.5, 14.5])
    assert report.n_trimmed == 0
    # with bounds the held rows are not counted as trimmed, and the margins still hold
    bounded = calibrate_weights(df, totals, margins=["region"], design=design,
                                bounds=(0.5, 3.0))
    np.testing.assert_allclose(bounded.groupby("region", observed=True)["weight"].sum(), [14, 30])
    np.testing.assert_array_equal(bounded.loc[large, "weight"], [1.0, 1.0])
    # without the design the census rows move like any other
    free = calibrate_weights(df, totals, margins=["region"], bounds=None)
    assert not np.allclose(free.loc[large, "weight"], 1.0)


def test_a_margin_only_take_all_rows_reach_is_out_of_reach():
    from talentgap.features import SurveyDesign

    df = _designed_surveys()
    totals = {("size_band",): pd.DataFrame({"size_band": ["large", "small"],
                                             "count": [5, 39]})}
    with pytest.raises(ParameterError, match=r"size_band='large' in period 2024Q1 has count "
                       r"5, but the design weights of its 2 respondents sum to 2") as info:
        calibrate_weights(df, totals, margins=["size_band"], bounds=None,
                          design=SurveyDesign(strata="stratum", fpc="population"))
    # the take-all weights are fixed: no bounds could help, and the message says so
    assert "take-all respondents, whose weights are fixed" in str(info.value)
    assert "bounds" not in str(info.value)


def test_long_form_rakes_each_enterprise_once_and_copies_its_weight_to_its_rows():
    wide = make_surveys(region=["N", "N", "S", "S", "S"], size_band=["small"] * 5,
                        weight=[4.0, 6.0, 5.0, 5.0, 10.0])
    wide["occupation"] = "welder"
    # E001 and E003 also report vacancies for a second occupation: one more row each
    extra = wide.iloc[[1, 3]].assign(occupation="cnc_operator", vacancies=[2, 1],
                                     hard_to_fill=[1, 0])
    long = pd.concat([wide, extra], ignore_index=True)
    margins = {("region",): pd.DataFrame({"region": ["N", "S"], "count": [20, 30]})}
    expected = calibrate_weights(wide, margins, margins=["region"], bounds=None)
    got, report = calibrate_weights(long, margins, margins=["region"], bounds=None,
                                    return_report=True)
    by_enterprise = got.groupby("enterprise_id", observed=True)["weight"]
    assert (by_enterprise.nunique() == 1).all()  # one weight per enterprise
    np.testing.assert_allclose(by_enterprise.first().to_numpy(), expected["weight"].to_numpy())
    # the margins count enterprises, not rows
    np.testing.assert_allclose(report.margins[("region",)]["achieved"], [20, 30])
    assert got["design_weight"].tolist() == long["weight"].tolist()
    with pytest.raises(ParameterError, match="'occupation' describes vacancies"):
        calibrate_weights(long, {("occupation",): pd.DataFrame(
            {"occupation": ["welder", "cnc_operator"], "count": [40, 10]})},
            margins=["occupation"])
