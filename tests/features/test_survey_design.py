"""Design-based estimation in estimate_cells: strata, PSUs, fpc and cells as domains.

The oracle is samplics' TaylorEstimator with ``stratum``, ``psu``, ``domain`` and
``fpc`` given as the factor ``1 - n_h / N_h`` per stratum (samplics multiplies the
stratum variance by the value it is given; it does not take N_h).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, ParameterError, SchemaError
from talentgap.features import SurveyDesign, estimate_cells

warnings.filterwarnings("ignore", category=FutureWarning, module="samplics")
samplics = pytest.importorskip("samplics.estimation")
PopParam = pytest.importorskip("samplics.utils.types").PopParam

TOTALS = {"enterprises": None, "employees": "employees", "vacancies": "vacancies",
          "demand": "hard_to_fill"}
RATIOS = {"shortage_rate": ("reports_shortage", None),
          "vacancy_rate": ("vacancies", "employees+vacancies"),
          "ssv_density": ("hard_to_fill", "vacancies")}


def _clustered(seed: int = 3) -> pd.DataFrame:
    """Two periods; 4 strata crossing 2 regions x 2 industries; 2-4 parks per stratum.

    Stratum "s3" is take-all (population count = sampled parks); cell
    (South, textiles) has no unit in stratum "s0".
    """
    rng = np.random.default_rng(seed)
    rows = []
    number = 0
    for period in ("2024Q1", "2024Q2"):
        for s, (n_psu, n_pop) in enumerate([(3, 10), (2, 7), (4, 40), (2, 2)]):
            for j in range(n_psu):
                for _ in range(rng.integers(1, 5)):
                    number += 1
                    region = rng.choice(["North", "South"])
                    industry = rng.choice(["textiles", "robots"])
                    if s == 0 and region == "South" and industry == "textiles":
                        industry = "robots"
                    employees = int(rng.integers(5, 300))
                    vacancies = int(rng.poisson(employees * 0.05))
                    rows.append({
                        "period": period, "enterprise_id": f"E{number:03d}", "region": region,
                        "industry": industry, "employees": employees, "vacancies": vacancies,
                        "hard_to_fill": int(rng.binomial(vacancies, 0.6)),
                        "reports_shortage": bool(rng.random() < 0.7),
                        "weight": float(rng.uniform(1, 30)), "stratum": f"s{s}",
                        "park": f"P{s}{j}", "parks": n_pop,
                    })
    return pd.DataFrame(rows)


def _samplics(df: pd.DataFrame, param: str, y: np.ndarray, x: np.ndarray | None,
              fpc: bool = True) -> pd.DataFrame:
    """samplics estimates and SEs per (cell, period), one design per period."""
    out = []
    for period, part in df.groupby("period"):
        n_h = part.groupby("stratum")["park"].nunique()
        big_n = part.groupby("stratum")["parks"].first()
        factor = (1 - n_h / big_n).to_dict() if fpc else 1.0
        cell = (part["region"] + "|" + part["industry"]).to_numpy()
        est = samplics.TaylorEstimator(getattr(PopParam, param))
        rows = part.index.to_numpy()
        est.estimate(y=y[rows], samp_weight=part["weight"].to_numpy(),
                     x=None if x is None else x[rows], stratum=part["stratum"].to_numpy(),
                     psu=part["park"].to_numpy(), domain=cell, fpc=factor)
        for domain, value in est.point_est.items():
            region, industry = domain.split("|")
            out.append({"region": region, "industry": industry, "period": period,
                        "value": value, "se": est.stderror[domain]})
    return pd.DataFrame(out).sort_values(["region", "industry", "period"], ignore_index=True)


def _column(df: pd.DataFrame, spec: str | None) -> np.ndarray:
    if spec is None:
        return np.ones(len(df))
    return sum(df[name].to_numpy(dtype=np.float64) for name in spec.split("+"))


@pytest.fixture(scope="module")
def clustered():
    return _clustered()


@pytest.fixture(scope="module")
def design_cells(clustered):
    design = SurveyDesign(strata="stratum", psu="park", fpc="parks", lonely_psu="fail")
    return estimate_cells(clustered, design=design)


@pytest.mark.parametrize("name", list(TOTALS))
def test_totals_match_samplics(clustered, design_cells, name):
    expected = _samplics(clustered, "total", _column(clustered, TOTALS[name]), None)
    assert len(design_cells) == len(expected)
    np.testing.assert_allclose(design_cells[name], expected["value"], rtol=1e-9)
    np.testing.assert_allclose(design_cells[f"{name}_se"], expected["se"], rtol=1e-9)


@pytest.mark.parametrize("name", list(RATIOS))
def test_ratios_match_samplics(clustered, design_cells, name):
    y, x = RATIOS[name]
    expected = _samplics(clustered, "ratio", _column(clustered, y), _column(clustered, x))
    np.testing.assert_allclose(design_cells[name], expected["value"], rtol=1e-9)
    np.testing.assert_allclose(design_cells[f"{name}_se"], expected["se"], rtol=1e-9)


def test_without_fpc_matches_samplics_and_is_larger(clustered, design_cells):
    cells = estimate_cells(clustered, design=SurveyDesign(strata="stratum", psu="park"))
    expected = _samplics(clustered, "total", _column(clustered, "hard_to_fill"), None,
                         fpc=False)
    np.testing.assert_allclose(cells["demand_se"], expected["se"], rtol=1e-9)
    assert (cells["demand_se"] >= design_cells["demand_se"]).all()
    assert (cells["demand_se"] > design_cells["demand_se"]).any()


def test_estimates_do_not_depend_on_design_or_row_order(clustered, design_cells):
    plain = estimate_cells(clustered)
    for name in [*TOTALS, *RATIOS]:
        np.testing.assert_allclose(design_cells[name], plain[name], rtol=1e-12)
    shuffled = clustered.sample(frac=1.0, random_state=0).reset_index(drop=True)
    again = estimate_cells(shuffled, design=SurveyDesign(strata="stratum", psu="park",
                                                         fpc="parks"))
    pd.testing.assert_frame_equal(again, design_cells, rtol=1e-9)


def test_units_as_psus_match_samplics_with_strata_crossing_cells(clustered):
    df = clustered.assign(units=40)
    cells = estimate_cells(df, design=SurveyDesign(strata=("stratum",), fpc="units"))
    out = []
    for period, part in df.groupby("period"):
        n_h = part.groupby("stratum").size()
        est = samplics.TaylorEstimator(PopParam.total)
        est.estimate(y=part["hard_to_fill"].to_numpy(dtype=float),
                     samp_weight=part["weight"].to_numpy(), stratum=part["stratum"].to_numpy(),
                     psu=part["enterprise_id"].to_numpy(),
                     domain=(part["region"] + "|" + part["industry"]).to_numpy(),
                     fpc=(1 - n_h / 40).to_dict())
        out += [(d, period, se) for d, se in est.stderror.items()]
    np.testing.assert_allclose(cells["demand_se"], [se for *_, se in sorted(out)], rtol=1e-9)


# --- hand-computed small cases ---------------------------------------------------------

def _tiny(**columns) -> pd.DataFrame:
    n = len(columns["hard_to_fill"])
    base = {"period": ["2024Q1"] * n, "enterprise_id": [f"E{i}" for i in range(n)],
            "region": ["North"] * n, "industry": ["textiles"] * n,
            "employees": [100] * n, "vacancies": [10] * n, "reports_shortage": [True] * n,
            "weight": [1.0] * n}
    return pd.DataFrame(base | columns)


def test_take_all_stratum_has_zero_se():
    df = _tiny(hard_to_fill=[1, 5, 9], stratum=["big"] * 3, population=[3] * 3)
    cells = estimate_cells(df, design=SurveyDesign(strata="stratum", fpc="population"))
    assert cells["demand"].iloc[0] == 15.0
    assert cells["demand_se"].iloc[0] == 0.0
    assert cells["vacancy_rate_se"].iloc[0] == 0.0


def test_lonely_psu_policies_by_hand():
    # stratum a: units 2 and 6 (weights 1); stratum b: one unit (4), population 10
    df = _tiny(hard_to_fill=[2, 6, 4], stratum=["a", "a", "b"], population=[10, 10, 10])
    a_part = (1 - 2 / 10) * 2 / 1 * ((2 - 4) ** 2 + (6 - 4) ** 2)  # 12.8
    grand = 12 / 3  # domain total / PSUs in the period
    with pytest.warns(DataQualityWarning, match="single sampled PSU"):
        adjust = estimate_cells(df, design=SurveyDesign(strata="stratum", fpc="population"))
    expected = a_part + (1 - 1 / 10) * (4 - grand) ** 2
    assert adjust["demand_se"].iloc[0] == pytest.approx(np.sqrt(expected), rel=1e-12)
    with pytest.warns(DataQualityWarning, match="no variance"):
        certain = estimate_cells(df, design=SurveyDesign(strata="stratum", fpc="population",
                                                         lonely_psu="certainty"))
    assert certain["demand_se"].iloc[0] == pytest.approx(np.sqrt(a_part), rel=1e-12)
    with pytest.raises(SchemaError, match=r"'stratum'.*\[lonely_psu\].*line 4") as info:
        estimate_cells(df, design=SurveyDesign(strata="stratum", fpc="population",
                                               lonely_psu="fail"))
    assert info.value.reason == "lonely_psu"


def test_lonely_adjust_reaches_a_domain_outside_that_stratum():
    # cell South only in stratum a; the lonely stratum b still counts (grand mean != 0)
    df = _tiny(hard_to_fill=[2, 6, 4], stratum=["a", "a", "b"], population=[10, 10, 10],
               region=["South", "North", "North"])
    with pytest.warns(DataQualityWarning):
        cells = estimate_cells(df, design=SurveyDesign(strata="stratum", fpc="population"))
    south = cells.set_index("region").loc["South", "demand_se"]
    grand = 2 / 3
    expected = 0.8 * 2 * ((2 - 1) ** 2 + (0 - 1) ** 2) + 0.9 * (0 - grand) ** 2
    assert south == pytest.approx(np.sqrt(expected), rel=1e-12)


def test_take_all_single_unit_is_not_lonely():
    df = _tiny(hard_to_fill=[2, 6, 4], stratum=["a", "a", "b"], population=[10, 10, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)
        cells = estimate_cells(df, design=SurveyDesign(strata="stratum", fpc="population",
                                                       lonely_psu="fail"))
    assert cells["demand_se"].iloc[0] == pytest.approx(np.sqrt(12.8), rel=1e-12)


def test_domain_absent_from_a_stratum_by_hand():
    # stratum a: North 3, South 5 (no fpc); stratum b: North 1, North 7
    df = _tiny(hard_to_fill=[3, 5, 1, 7], stratum=["a", "a", "b", "b"],
               region=["North", "South", "North", "North"])
    cells = estimate_cells(df, design=SurveyDesign(strata="stratum")).set_index("region")
    north = 2 * ((3 - 1.5) ** 2 + (0 - 1.5) ** 2) + 2 * ((1 - 4) ** 2 + (7 - 4) ** 2)
    south = 2 * ((0 - 2.5) ** 2 + (5 - 2.5) ** 2)  # stratum b adds nothing
    assert cells.loc["North", "demand_se"] == pytest.approx(np.sqrt(north), rel=1e-12)
    assert cells.loc["South", "demand_se"] == pytest.approx(np.sqrt(south), rel=1e-12)
    # and a single respondent in a domain has a defined SE with a design
    assert bool(cells.loc["South", "single_respondent"])


# --- bad design input -------------------------------------------------------------------

def test_missing_design_column():
    df = _tiny(hard_to_fill=[1, 2])
    with pytest.raises(SchemaError, match="'park'") as info:
        estimate_cells(df, design=SurveyDesign(psu="park"))
    assert info.value.column == "park"
    assert info.value.reason == "missing_column"


def test_missing_values_in_design_columns_listed_with_lines():
    df = _tiny(hard_to_fill=[1, 2, 3], band=["a", None, "a"],
               population=[5, 5, np.nan])
    with pytest.raises(SchemaError) as info:
        estimate_cells(df, design=SurveyDesign(strata="band", fpc="population"))
    text = str(info.value)
    assert "column 'band' must not be missing [missing_value]" in text
    assert "line 3 (E1, 2024Q1)" in text
    assert "column 'population' must not be missing" in text and "line 4" in text
    assert set(info.value.failure_cases["line"]) == {3, 4}


def test_fpc_below_sampled_count():
    df = _tiny(hard_to_fill=[1, 2, 3], stratum=["a"] * 3, population=[2, 2, 2])
    with pytest.raises(SchemaError, match=r"'population'.*\[fpc_below_sample\].*2 < 3 "
                                          r"sampled enterprises") as info:
        estimate_cells(df, design=SurveyDesign(strata="stratum", fpc="population"))
    assert info.value.column == "population"


def test_fpc_below_sampled_psus():
    df = _tiny(hard_to_fill=[1, 2, 3], park=["p", "q", "r"], population=[2, 2, 2])
    with pytest.raises(SchemaError, match=r"2 < 3 sampled PSUs"):
        estimate_cells(df, design=SurveyDesign(psu="park", fpc="population"))


def test_fpc_not_positive_or_varying():
    design = SurveyDesign(strata="stratum", fpc="population")
    df = _tiny(hard_to_fill=[1, 2, 3], stratum=["a"] * 3, population=[-1, "x", 6])
    with pytest.raises(SchemaError, match=r"\[not_positive\].*line 2 .*: -1, line 3 .*: x"):
        estimate_cells(df, design=design)
    df = _tiny(hard_to_fill=[1, 2, 3], stratum=["a"] * 3, population=[5, 5, 6])
    with pytest.raises(SchemaError, match=r"'population' must be the same .*line 4") as info:
        estimate_cells(df, design=design)
    assert info.value.reason == "fpc_varies"


def test_psu_in_two_strata():
    df = _tiny(hard_to_fill=[1, 2, 3, 4], stratum=["a", "a", "b", "b"],
               park=["p", "q", "q", "r"])
    with pytest.raises(SchemaError, match=r"'park' must belong to one stratum.*line 3.*"
                                          r"line 4") as info:
        estimate_cells(df, design=SurveyDesign(strata="stratum", psu="park"))
    assert info.value.reason == "psu_in_two_strata"
    assert sorted(info.value.failure_cases["line"]) == [3, 4]


def test_psu_may_change_stratum_between_periods():
    df = _tiny(hard_to_fill=[1, 2, 3, 4], stratum=["a", "a", "b", "b"],
               park=["p", "q", "p", "q"], period=["2024Q1", "2024Q1", "2024Q2", "2024Q2"],
               enterprise_id=["E0", "E1", "E0", "E1"])
    cells = estimate_cells(df, design=SurveyDesign(strata="stratum", psu="park"))
    assert len(cells) == 2


def test_bad_policy_is_a_parameter_error():
    with pytest.raises(ParameterError, match="lonely_psu='drop'.*'average'.*'remove'"):
        estimate_cells(_tiny(hard_to_fill=[1, 2]), design=SurveyDesign(lonely_psu="drop"))


def test_lonely_average_and_remove_by_hand():
    # strata a (2 and 6), c (1, 3, 8) sampled, b lonely (4); population 10 everywhere.
    # R: "average" sums the other strata and scales by strata / non-lonely strata (3 / 2);
    # "remove" drops the lonely stratum (0), as "certainty" does.
    df = _tiny(hard_to_fill=[2, 6, 4, 1, 3, 8], stratum=["a", "a", "b", "c", "c", "c"],
               population=[10] * 6)
    a_part = (1 - 2 / 10) * 2 / 1 * ((2 - 4) ** 2 + (6 - 4) ** 2)
    c_part = (1 - 3 / 10) * 3 / 2 * ((1 - 4) ** 2 + (3 - 4) ** 2 + (8 - 4) ** 2)
    design = SurveyDesign(strata="stratum", fpc="population", lonely_psu="average")
    with pytest.warns(DataQualityWarning, match="average of the period's other strata"):
        average = estimate_cells(df, design=design)
    assert average["demand_se"].iloc[0] == pytest.approx(
        np.sqrt((a_part + c_part) * 3 / 2), rel=1e-12)
    with pytest.warns(DataQualityWarning, match="left out"):
        removed = estimate_cells(df, design=SurveyDesign(strata="stratum", fpc="population",
                                                         lonely_psu="remove"))
    assert removed["demand_se"].iloc[0] == pytest.approx(np.sqrt(a_part + c_part), rel=1e-12)
    # degrees of freedom: the lonely stratum is not a term under either rule
    expected_df = (a_part + c_part) ** 2 / (a_part ** 2 / 1 + c_part ** 2 / 2)
    for table in (average, removed):
        assert table["demand_df"].iloc[0] == pytest.approx(expected_df, rel=1e-12)


def test_lonely_average_with_every_stratum_lonely_is_nan():
    df = _tiny(hard_to_fill=[2, 6], stratum=["a", "b"], population=[10, 10])
    with pytest.warns(DataQualityWarning, match="2 strata"):
        cells = estimate_cells(df, design=SurveyDesign(strata="stratum", fpc="population",
                                                       lonely_psu="average"))
    assert np.isnan(cells["demand_se"].iloc[0]) and np.isnan(cells["demand_df"].iloc[0])


def test_lonely_warning_says_why_with_a_population_count():
    df = _tiny(hard_to_fill=[2, 6, 4], stratum=["a", "a", "b"], population=[10, 10, 10])
    with pytest.warns(DataQualityWarning, match="population count above 1, so they are not "
                                                "take-all"):
        estimate_cells(df, design=SurveyDesign(strata="stratum", fpc="population"))
    with pytest.warns(DataQualityWarning, match="no population count that could make"):
        estimate_cells(df, design=SurveyDesign(strata="stratum"))


def _satterthwaite_by_hand(df: pd.DataFrame, value: np.ndarray) -> pd.Series:
    """Per (region, industry, period): PSU totals with zeros outside the cell, then strata."""
    out = {}
    parks = df.groupby(["period", "stratum", "park"])
    for (region, industry, period), _ in df.groupby(["region", "industry", "period"]):
        inside = ((df["region"] == region) & (df["industry"] == industry)).to_numpy()
        z = pd.Series(np.where(inside, value, 0.0), index=df.index).groupby(
            [df["period"], df["stratum"], df["park"]]).sum().loc[period]
        n_h = z.groupby(level="stratum").size()
        population = parks["parks"].first().loc[period].groupby(level="stratum").first()
        keep = 1 - n_h / population
        v = keep * n_h / (n_h - 1) * z.groupby(level="stratum").apply(
            lambda s: ((s - s.mean()) ** 2).sum())
        out[(region, industry, period)] = v.sum() ** 2 / (v**2 / (n_h - 1)).sum()
    return pd.Series(out)


def test_satterthwaite_degrees_of_freedom_by_hand(clustered):
    from talentgap.features._groups import group_rows
    from talentgap.features._inputs import surveys_table
    from talentgap.features.design import DomainVariance, design_index

    design = SurveyDesign(strata="stratum", psu="park", fpc="parks")
    table = surveys_table(clustered, freq=None, keys=["region", "industry"])
    groups = group_rows(table, ["region", "industry", "period"])
    variance = DomainVariance(design_index(table, design), groups.codes, groups.n_groups)
    score = table["weight"].to_numpy() * table["hard_to_fill"].to_numpy(dtype=float)
    got = variance.degrees_of_freedom(score)
    frame = table.assign(region=table["region"].astype(str),
                         industry=table["industry"].astype(str),
                         period=table["period"].astype(str))
    expected = _satterthwaite_by_hand(frame, score)
    cells = groups.frame.assign(region=lambda f: f["region"].astype(str),
                                industry=lambda f: f["industry"].astype(str),
                                period=lambda f: f["period"].astype(str))
    where = list(zip(cells["region"], cells["industry"], cells["period"], strict=True))
    np.testing.assert_allclose(got, expected.loc[where].to_numpy(), rtol=1e-10)
    assert (got >= 1).all()  # at least one stratum's worth, at most the PSUs - strata
    assert (got <= (clustered.groupby("period")["park"].nunique().max())).all()


def test_design_cells_carry_degrees_of_freedom_and_t_intervals(clustered, design_cells):
    from scipy import stats

    from talentgap.features import confidence_interval

    assert {"demand_df", "shortage_rate_df"} <= set(design_cells.columns)
    sampled = design_cells["demand_se"] > 0
    df = design_cells.loc[sampled, "demand_df"]
    assert (df >= 1).all() and np.isfinite(df).all()
    assert design_cells.loc[~sampled, "demand_df"].isna().all()
    bounds = confidence_interval(design_cells, "demand", level=90, method="t")
    q = stats.t.ppf(0.95, design_cells["demand_df"].where(sampled, np.inf))
    np.testing.assert_allclose(bounds["demand_hi_90"],
                               design_cells["demand"] + q * design_cells["demand_se"])
    # t with few degrees of freedom is wider than the normal interval without them
    normal = confidence_interval(design_cells.drop(columns="demand_df"), "demand", level=90,
                                 method="t")
    assert (bounds["demand_hi_90"] >= normal["demand_hi_90"] - 1e-9).all()
    assert (bounds.loc[sampled, "demand_hi_90"] > normal.loc[sampled, "demand_hi_90"]).all()
    with pytest.raises(ParameterError, match="'wages'"):
        confidence_interval(design_cells, "wages")
    with pytest.raises(ParameterError, match="80"):
        confidence_interval(design_cells, "demand", level=0.8)


def test_no_degrees_of_freedom_without_a_design(clustered):
    cells = estimate_cells(clustered)
    assert not any(c.endswith("_df") for c in cells.columns)
