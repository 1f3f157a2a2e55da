"""A design variance that is 0 is exactly 0: in memory, on Dask and with calibration.

Industries ``flat`` and ``north`` have the same ratios in every enterprise
(``hard_to_fill / vacancies = vacancies / (employees + vacancies) = 1/3``,
every one short of skills), so their ratio scores ``w (y - R x) / X`` are 0
up to rounding and their rates' design variances are 0: SE exactly 0.0 and
degrees of freedom NaN. ``flat`` also has the same weight total in every
PSU, so its enterprise count has SE 0 as well. ``mixed`` varies: its SEs are
positive and must not be snapped. Region ``east`` is one PSU (a lonely
stratum), which ``north`` is absent from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.features import SurveyDesign
from talentgap.features._domain_variance import DomainVariance
from talentgap.features._variance import ratio_scores
from talentgap.features.design import design_index

RATES = ["shortage_rate", "vacancy_rate", "ssv_density"]
KEYS = ["region", "industry", "period"]


def _table() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    parks = [("north", "north-1"), ("north", "north-2"), ("north", "north-3"),
             ("south", "south-1"), ("south", "south-2"), ("east", "east-1")]
    rows = []
    for region, park in parks:
        for i, weight in enumerate((1.1, 2.2)):  # 3.3000000000000003 in every park
            vacancies = int(rng.integers(1, 20)) * 3
            rows.append((region, park, "flat", weight, 2 * vacancies, vacancies,
                         vacancies // 3, True))
            if region == "north":
                rows.append((region, park, "north", 0.7 + i, 4 * vacancies, 2 * vacancies,
                             2 * vacancies // 3, True))
        for i in range(2):  # varied: positive SEs
            j = len(rows)
            vacancies = j % 5 + 1
            rows.append((region, park, "mixed", 1.0 + 0.37 * (j % 7), 10 + 7 * (j % 4),
                         vacancies, vacancies // 2, (j + i) % 3 == 0))
    table = pd.DataFrame(rows, columns=["region", "park", "industry", "weight", "employees",
                                        "vacancies", "hard_to_fill", "reports_shortage"])
    table.insert(0, "enterprise_id", [f"E{i:02d}" for i in range(len(table))])
    table.insert(0, "period", "2024Q1")
    return table


def _sorted(cells: pd.DataFrame) -> pd.DataFrame:
    cells = cells.astype({"region": str, "industry": str, "period": str})
    return cells.sort_values(KEYS).set_index(KEYS)


def _estimate(table, design: SurveyDesign, **options) -> pd.DataFrame:
    with pytest.warns(tg.errors.DataQualityWarning):  # the lonely PSU of east
        return _sorted(tg.features.estimate_cells(table, freq="Q", design=design, **options))


def _zero(cells: pd.DataFrame, industry: str, names) -> None:
    at = cells.xs(industry, level="industry")
    for name in names:
        assert (at[f"{name}_se"] == 0.0).all(), (industry, name, at[f"{name}_se"].tolist())
        assert at[f"{name}_df"].isna().all(), (industry, name, at[f"{name}_df"].tolist())


def _positive(cells: pd.DataFrame, industry: str, names) -> None:
    at = cells.xs(industry, level="industry").drop(index="east", level="region")
    for name in names:
        assert (at[f"{name}_se"] > 1e-6).all(), (industry, name)
        assert (at[f"{name}_df"] > 0).all(), (industry, name)


@pytest.mark.parametrize("lonely", ["adjust", "certainty", "average"])
def test_zero_variance_is_exactly_zero_in_memory(lonely):
    cells = _estimate(_table(), SurveyDesign(strata="region", psu="park", lonely_psu=lonely))
    # "adjust" centres east's PSU at the grand mean of all PSU totals: flat's count varies
    _zero(cells, "flat", RATES if lonely == "adjust" else [*RATES, "enterprises"])
    _zero(cells, "north", RATES)
    _positive(cells, "mixed", RATES)
    _positive(cells, "flat", ["employees", "vacancies", "demand"])


@pytest.mark.usefixtures("dask_synchronous")
@pytest.mark.parametrize("lonely", ["adjust", "certainty", "average"])
@pytest.mark.parametrize("npartitions", [1, 3])
def test_in_memory_equals_dask_where_the_variance_is_zero(lonely, npartitions):
    dd = pytest.importorskip("dask.dataframe")
    table = _table()
    design = SurveyDesign(strata="region", psu="park", lonely_psu=lonely)
    local = _estimate(table, design)
    parts = _estimate(dd.from_pandas(table, npartitions=npartitions, sort=False), design)
    columns = [c for c in local.columns if c.endswith(("_se", "_df"))]
    pd.testing.assert_frame_equal(parts[columns], local[columns], rtol=1e-12, atol=0.0)
    _zero(parts, "flat", RATES if lonely == "adjust" else [*RATES, "enterprises"])
    _zero(parts, "north", RATES)


def test_calibrated_zero_variance_is_exactly_zero():
    table = _table()
    design = SurveyDesign(strata="region", psu="park")
    cells = _estimate(table, design, calibration=[("region",), ("industry",)])
    _zero(cells, "flat", RATES)
    _zero(cells, "north", RATES)
    _positive(cells, "mixed", RATES)
    plain = _estimate(table, design, calibration=False)
    # the margins explain part of the counts' variance, never the rates' zero
    assert (cells["enterprises_se"] < plain["enterprises_se"]).any()


def test_sizes_tell_an_exact_zero_from_rounding_noise():
    table = _table()
    index = design_index(table.assign(period=pd.PeriodIndex(table["period"], freq="Q")),
                         SurveyDesign(strata="region", psu="park"))
    flat = (table["industry"] == "flat").to_numpy()
    w = table["weight"].to_numpy()
    hard, vacancies = w * table["hard_to_fill"], w * table["vacancies"]
    y, x = np.where(flat, hard, 0.0), np.where(flat, vacancies, 0.0)
    ratio = y.sum() / x.sum()
    score, size = ratio_scores(y, x, np.full(len(table), ratio), np.full(len(table), x.sum()))
    assert np.abs(score).max() < 1e-15 and size.max() > 0.1
    variance = DomainVariance(index, np.zeros(len(table), dtype=np.int64), 1)
    assert variance(score, size).tolist() == [0.0]
    assert np.isnan(variance.degrees_of_freedom(score, size)).all()
    # a small variance well above rounding noise is kept: half the scores moved by 1e-6
    moved = score + np.where(np.arange(len(table)) % 2 == 0, 1e-6, 0.0)
    assert variance(moved, size)[0] > 0
    assert variance.degrees_of_freedom(moved, size)[0] > 0
