"""Satterthwaite degrees of freedom with lonely PSUs (``lonely_psu="adjust"``).

Each lonely stratum is a term of its own with one degree of freedom,
``v_h = (1 - f_h) (z_h - T / P)^2``, also where the cell has no row in it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from talentgap.errors import DataQualityWarning
from talentgap.features import SurveyDesign, confidence_interval, estimate_cells


def _lonely_table() -> pd.DataFrame:
    """Stratum A: 2 firms in cell X; strata L0..L9: one firm each, all in cell Y."""
    n = 12
    return pd.DataFrame({
        "period": ["2024Q1"] * n, "enterprise_id": [f"E{i:02d}" for i in range(n)],
        "region": ["X", "X"] + ["Y"] * 10, "industry": ["textiles"] * n,
        "employees": [10] * n, "vacancies": [4, 8] + [5] * 10,
        "hard_to_fill": [2, 6] + [3] * 10, "reports_shortage": [1] * n,
        "weight": [1.0] * n, "stratum": ["A", "A"] + [f"L{i}" for i in range(10)]})


def _estimate(table: pd.DataFrame, design: SurveyDesign, **options) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return estimate_cells(table, design=design, freq="Q", **options)


def _by_hand(table: pd.DataFrame, design: SurveyDesign, cell: np.ndarray,
             value: str) -> tuple[float, float]:
    """Variance and Satterthwaite df of one domain total of ``weight * value``, by loops."""
    period = table["period"].to_numpy()
    z_row = np.where(cell, table["weight"] * table[value], 0.0)
    unit = table[design.psu if design.psu else "enterprise_id"].to_numpy()
    strata = table[list(design.strata_columns)].astype(str).agg("|".join, axis=1).to_numpy()
    terms = []  # (v_h, n_h - 1) per stratum of the domain's period
    (wanted,) = np.unique(period[cell])
    here = period == wanted
    units = np.unique(unit[here])
    total = z_row[here].sum()
    grand = total / units.size
    for stratum in np.unique(strata[here]):
        rows = here & (strata == stratum)
        psus = np.unique(unit[rows])
        z = np.array([z_row[rows & (unit == p)].sum() for p in psus])
        keep = 1.0
        if design.fpc is not None:
            keep = max(1.0 - psus.size / table.loc[rows, design.fpc].iloc[0], 0.0)
        if keep == 0:
            continue
        if psus.size == 1:
            terms.append((keep * (z[0] - grand) ** 2, 1.0))
        else:
            n = psus.size
            terms.append((keep * n / (n - 1) * ((z - z.mean()) ** 2).sum(), n - 1.0))
    v = np.array([t[0] for t in terms])
    df = np.array([t[1] for t in terms])
    return v.sum(), v.sum() ** 2 / (v * v / df).sum()


def test_reviewer_case_each_lonely_stratum_is_one_term():
    table = _lonely_table()
    cells = _estimate(table, SurveyDesign(strata="stratum")).set_index("region")
    # Y: z = 3 in each lonely stratum, 0 in A; g = 30 / 12 = 2.5; v_h = 0.25 ten times
    assert cells.loc["Y", "demand"] == 30
    np.testing.assert_allclose(cells.loc["Y", "demand_se"], np.sqrt(2.5), rtol=1e-12)
    np.testing.assert_allclose(cells.loc["Y", "demand_df"], 2.5**2 / (10 * 0.25**2),
                               rtol=1e-12)
    np.testing.assert_allclose(cells.loc["Y", "demand_df"], 10.0, rtol=1e-12)
    # X: z = (2, 6) in A, 0 in the ten lonely strata; g = 8 / 12
    z_a = np.array([2.0, 6.0])
    v_a = 2 / 1 * ((z_a - z_a.mean()) ** 2).sum()  # 16, one df
    v_lonely = np.full(10, (0.0 - 8.0 / 12.0) ** 2)  # one df each
    variance = v_a + v_lonely.sum()
    df = variance**2 / (v_a**2 / 1 + (v_lonely**2).sum())
    assert round(df, 2) == 1.62
    np.testing.assert_allclose(cells.loc["X", "demand_se"], np.sqrt(variance), rtol=1e-12)
    np.testing.assert_allclose(cells.loc["X", "demand_df"], df, rtol=1e-12)


def test_reviewer_case_t_interval_is_finite_and_uses_the_df():
    cells = _estimate(_lonely_table(), SurveyDesign(strata="stratum"))
    got = confidence_interval(cells, "demand", method="t").to_numpy()
    q = stats.t.ppf(0.975, 10.0)
    np.testing.assert_allclose(got[1], [30 - q * np.sqrt(2.5), 30 + q * np.sqrt(2.5)],
                               rtol=1e-9)
    assert np.isfinite(got).all()


def test_certainty_leaves_lonely_strata_out():
    cells = _estimate(_lonely_table(), SurveyDesign(strata="stratum", lonely_psu="certainty"))
    cells = cells.set_index("region")
    assert cells.loc["Y", "demand_se"] == 0 and np.isnan(cells.loc["Y", "demand_df"])
    np.testing.assert_allclose(cells.loc["X", "demand_df"], 1.0, rtol=1e-12)


@pytest.fixture(scope="module")
def mixed() -> pd.DataFrame:
    """Two periods; strata of 1-4 firms, some with population counts, cells across strata."""
    rng = np.random.default_rng(11)
    rows = []
    for period in ("2024Q1", "2024Q2"):
        for s in range(9):
            size = [1, 1, 1, 2, 3, 4, 1, 2, 3][s]
            population = [5, 1, 8, 9, 3, 12, 4, 2, 20][s]  # s=1, s=7 are take-all
            for j in range(size):
                rows.append({"period": period, "enterprise_id": f"P{period[-1]}S{s}F{j}",
                             "region": rng.choice(["North", "South", "East"]),
                             "industry": "textiles", "employees": int(rng.integers(5, 60)),
                             "stratum": f"S{s}", "population": population})
    table = pd.DataFrame(rows)
    table["vacancies"] = rng.integers(0, 9, len(table))
    table["hard_to_fill"] = (table["vacancies"] * rng.uniform(0, 1, len(table))).astype(int)
    table["reports_shortage"] = table["hard_to_fill"] > 0
    table["weight"] = rng.uniform(1, 6, len(table))
    return table


@pytest.mark.parametrize("fpc", [None, "population"])
def test_df_matches_the_per_stratum_formula(mixed, fpc):
    design = SurveyDesign(strata="stratum", fpc=fpc)
    cells = _estimate(mixed, design, keys=["region"])
    assert len(cells) >= 5
    for value, column in (("hard_to_fill", "demand"), ("employees", "employees")):
        for _, row in cells.iterrows():
            cell = ((mixed["region"] == row["region"])
                    & (mixed["period"] == str(row["period"]))).to_numpy()
            variance, df = _by_hand(mixed, design, cell, value)
            np.testing.assert_allclose(row[f"{column}_se"] ** 2, variance, rtol=1e-9)
            if variance > 0:
                np.testing.assert_allclose(row[f"{column}_df"], df, rtol=1e-9)
            else:
                assert np.isnan(row[f"{column}_df"])


def test_dask_path_gives_the_same_df(mixed, dask_synchronous):
    dd = pytest.importorskip("dask.dataframe")
    for table, keys, design in (
            (_lonely_table(), ["region"], SurveyDesign(strata="stratum")),
            (mixed, ["region"], SurveyDesign(strata="stratum", fpc="population")),
            (mixed, ["region", "industry"], SurveyDesign(strata="stratum"))):
        local = _estimate(table, design, keys=keys)
        spread = _estimate(dd.from_pandas(table, npartitions=3, sort=False), design,
                           keys=keys)
        assert [c for c in local.columns if c.endswith("_df")] == [
            c for c in spread.columns if c.endswith("_df")]
        pd.testing.assert_frame_equal(spread, local, rtol=1e-9)
