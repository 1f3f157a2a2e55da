"""Occupation and skill-level cells as domains of the cells of the other keys.

Without a declared design, the stratum of a detail cell (region x occupation)
is its region's cell and the detail cell a domain of it: the region's
enterprises without vacancies in the occupation count with ``y = 0``. Checked
by hand with R ``survey``'s formulas, against samplics (totals and ratios of
``y * 1[in cell]`` over the region strata), and against the declared design
of the same strata. A detail row of 0 vacancies is no membership; vacancies
without their detail are warned about.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, SchemaError
from talentgap.features import SurveyDesign, build_panel, estimate_cells

COLUMNS = ["period", "enterprise_id", "region", "industry", "occupation", "skill_level",
           "employees", "vacancies", "hard_to_fill", "reports_shortage", "weight"]
TINY = pd.DataFrame([
    ["2024Q1", "E1", "East", "mfg", "welder", "junior", 100, 4, 2, 1, 2.0],
    ["2024Q1", "E1", "East", "mfg", "welder", "senior", 100, 2, 1, 1, 2.0],
    ["2024Q1", "E1", "East", "mfg", "cnc", "technician", 100, 3, 3, 1, 2.0],
    ["2024Q1", "E2", "East", "mfg", "welder", "junior", 50, 1, 0, 0, 4.0],
    ["2024Q1", "E3", "East", "mfg", None, None, 30, 0, 0, 0, 5.0],
    ["2024Q1", "E4", "East", "mfg", "cnc", "master", 80, 2, 2, 1, 3.0],
    ["2024Q1", "E4", "East", "mfg", "welder", "intermediate", 80, 0, 0, 1, 3.0],
], columns=COLUMNS)
LEVELS = ["junior", "intermediate", "senior", "technician", "master"]
KEYS = ["region", "occupation"]


def _by(cells: pd.DataFrame, key: str = "occupation") -> pd.DataFrame:
    return cells.set_index(cells[key].astype(str))


def test_hand_computed_with_r_survey_formulas():
    # stratum East: E1..E4 (n = 4), weights 2, 4, 5, 3; V = n/(n-1) sum (z - zbar)^2
    cells = _by(estimate_cells(TINY, keys=KEYS))
    # cnc: z = w * vacancies in cnc = (6, 0, 0, 6): mean 3, V = 4/3 * 36 = 48
    assert cells.loc["cnc", "vacancies"] == 12
    assert cells.loc["cnc", "vacancies_se"] == pytest.approx(np.sqrt(48), rel=1e-12)
    # welder: z = (12, 4, 0, 0): mean 4, V = 4/3 * (64 + 0 + 16 + 16) = 128
    assert cells.loc["welder", "vacancies"] == 16
    assert cells.loc["welder", "vacancies_se"] == pytest.approx(np.sqrt(128), rel=1e-12)
    # shortage rate of welder: members E1 (w 2, reports) and E2 (w 4, not); E4's zero
    # welder row is no membership. R = 2/6; z = w d (s - R) / 6 = (2/9, -2/9, 0, 0)
    assert cells.loc["welder", "n_respondents"] == 2
    assert cells.loc["welder", "reporting_enterprises"] == 6
    assert cells.loc["welder", "shortage_rate"] == pytest.approx(1 / 3, rel=1e-12)
    z = np.array([2 / 9, -2 / 9, 0, 0])
    assert cells.loc["welder", "shortage_rate_se"] == pytest.approx(
        np.sqrt(4 / 3 * ((z - z.mean()) ** 2).sum()), rel=1e-12)
    # equal w*y in the cell used to give SE 0: the members' spread is not the only one
    assert cells.loc["cnc", "vacancies_se"] > 0


def test_a_zero_vacancy_row_changes_no_estimate():
    without = TINY.drop(index=6)  # E4's welder row of 0 vacancies
    for keys in (KEYS, ["region", "skill_level"], ["occupation", "skill_level"]):
        levels = LEVELS if "skill_level" in keys else None  # the same categories in both
        for design in (None, SurveyDesign(strata="region")):
            pd.testing.assert_frame_equal(
                estimate_cells(TINY, keys=keys, design=design, skill_levels=levels),
                estimate_cells(without, keys=keys, design=design, skill_levels=levels))
    pd.testing.assert_frame_equal(build_panel(TINY, keys=KEYS, freq="Q"),
                                  build_panel(without, keys=KEYS, freq="Q"))


def _long(seed: int, n_firms: int = 24) -> pd.DataFrame:
    """Two regions, two periods, 1-3 occupations per enterprise, some of 0 vacancies."""
    rng = np.random.default_rng(seed)
    rows = []
    for period in ("2024Q1", "2024Q2"):
        for e in range(n_firms):
            firm = [period, f"E{e:02d}", "North" if e % 2 else "South", "mfg"]
            base = [int(rng.integers(10, 200)), bool(rng.random() < 0.6),
                    float(rng.uniform(1, 9))]
            for occupation in rng.choice(["welder", "cnc", "robot"], int(rng.integers(1, 4)),
                                         replace=False):
                v = int(rng.integers(0, 6))
                rows.append([*firm, occupation, None, base[0], v, int(rng.integers(0, v + 1)),
                             base[1], base[2]])
    return pd.DataFrame(rows, columns=COLUMNS).drop(columns="skill_level")


def test_standard_errors_equal_the_declared_design_of_the_other_keys():
    long = _long(1)
    implied = estimate_cells(long, keys=KEYS)
    declared = estimate_cells(long, keys=KEYS, design=SurveyDesign(strata="region"))
    pd.testing.assert_frame_equal(implied, declared[implied.columns], check_exact=False,
                                  rtol=1e-12)
    by_occupation = estimate_cells(long, keys=["occupation"])
    one_stratum = estimate_cells(long, keys=["occupation"], design=SurveyDesign())
    pd.testing.assert_frame_equal(by_occupation, one_stratum[by_occupation.columns],
                                  check_exact=False, rtol=1e-12)


def test_matches_samplics_totals_and_ratios_of_the_domain_indicator():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "samplics is archived"
        estimation = pytest.importorskip("samplics.estimation")
        pop = pytest.importorskip("samplics.utils.types").PopParam
    long = _long(2)
    cells = estimate_cells(long, keys=KEYS)
    firms = long.drop_duplicates(["enterprise_id", "period"]).set_index(
        ["enterprise_id", "period"])
    for (region, occupation, period), got in cells.set_index(
            ["region", "occupation", "period"]).iterrows():
        part = firms[(firms["region"] == region)
                     & (firms.index.get_level_values("period") == period)]
        rows = long[(long["occupation"] == occupation) & (long["vacancies"] > 0)]
        sums = rows.groupby(["enterprise_id", "period"])[["vacancies", "hard_to_fill"]].sum()
        vacancies = sums["vacancies"].reindex(part.index, fill_value=0).to_numpy(float)
        hard = sums["hard_to_fill"].reindex(part.index, fill_value=0).to_numpy(float)
        member = (vacancies > 0).astype(float)
        w = part["weight"].to_numpy()
        stratum = np.zeros(len(part))
        checks = {"vacancies": (pop.total, vacancies, None),
                  "demand": (pop.total, hard, None),
                  "reporting_enterprises": (pop.total, member, None),
                  "shortage_rate": (pop.ratio,
                                    member * part["reports_shortage"].to_numpy(float), member),
                  "ssv_density": (pop.ratio, hard, vacancies)}
        for name, (param, y, x) in checks.items():
            if not (w @ y > 0):  # samplics divides by the estimate (its CV)
                continue
            est = estimation.TaylorEstimator(param)
            est.estimate(y=y, samp_weight=w, x=x, stratum=stratum)
            assert got[name] == pytest.approx(est.point_est, rel=1e-10), name
            assert got[f"{name}_se"] == pytest.approx(est.stderror, rel=1e-8, abs=1e-12), name


def test_a_stratum_of_one_enterprise_has_no_standard_error():
    alone = TINY[TINY["enterprise_id"] == "E1"].assign(region="West")
    cells = estimate_cells(pd.concat([TINY, alone.assign(enterprise_id="E9")]), keys=KEYS)
    west = cells[cells["region"] == "West"]
    assert len(west) == 2 and west["vacancies_se"].isna().all()
    assert west["shortage_rate_se"].isna().all()
    east = cells[cells["region"] == "East"]
    assert east["vacancies_se"].notna().all()


def test_vacancies_without_their_detail_are_warned_and_counted():
    totals_only = pd.DataFrame([["2024Q1", "E5", "East", "mfg", None, None, 60, 5, 2, 1, 2.0]],
                               columns=COLUMNS)
    surveys = pd.concat([TINY, totals_only], ignore_index=True)
    with pytest.warns(DataQualityWarning, match=(
            r"1 enterprise-period\(s\) report 5 vacancies with no occupation \(weighted: 10 "
            r"vacancies, 4 hard to fill\), e\.g\. E5 in 2024Q1; .* add up to 10 vacancies")):
        cells = estimate_cells(surveys, keys=KEYS)
    total = estimate_cells(surveys, keys=["region"])
    assert total["vacancies"].iloc[0] - cells["vacancies"].sum() == 10
    assert total["demand"].iloc[0] - cells["demand"].sum() == 4
    # E5 stays in the stratum: five enterprises, so the SEs differ from those of TINY
    assert not np.allclose(cells["vacancies_se"], estimate_cells(TINY, keys=KEYS)[
        "vacancies_se"])
    with pytest.warns(DataQualityWarning, match="with no occupation"):
        build_panel(surveys, keys=KEYS, freq="Q")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)  # E3's blank row has 0 vacancies
        estimate_cells(TINY, keys=KEYS)
        estimate_cells(surveys, keys=["region"])


def test_no_row_with_vacancies_in_a_detail_cell_is_an_error():
    with pytest.raises(SchemaError, match=r"no rows in any cell \[empty_table\]"):
        estimate_cells(TINY.assign(vacancies=0, hard_to_fill=0), keys=KEYS)
