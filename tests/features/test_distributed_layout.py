"""A Dask surveys table gives the pandas path's layout: rows, key dtypes, categories."""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
import pandas as pd
import pytest
from _dask_frames import clustered_surveys

import talentgap as tg
from talentgap.errors import ParameterError
from talentgap.features import SurveyDesign

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

pytestmark = [pytest.mark.usefixtures("dask_synchronous"),
              pytest.mark.filterwarnings("ignore:.*looks like a design column")]


@pytest.fixture(scope="module")
def canonical():
    """Canonical surveys (categoricals in a non-alphabetical order), with a text key."""
    surveys = clustered_surveys(industries=5, random_state=4)
    code = surveys["enterprise_id"].cat.codes.to_numpy()
    surveys["city"] = surveys["region"].astype(str) + "-" + (code % 3).astype(str)
    surveys["band"] = code % 2  # an integer key
    assert list(surveys["industry"].cat.categories) != sorted(surveys["industry"].cat.categories)
    return surveys


DESIGNS = {
    "none": None,
    "strata": SurveyDesign(strata="size_band"),
    "strata in cells, fpc": SurveyDesign(strata=("region", "industry", "size_band"),
                                         fpc="population"),
    "psu and fpc": SurveyDesign(strata="size_band", psu="park", fpc="parks"),
}
KEYS = [("region", "industry"), ("industry",), ("region", "city", "industry"),
        ("industry", "band")]


def _same(table: pd.DataFrame, n: int, **options) -> None:
    parts = dd.from_pandas(table, npartitions=n, sort=False)
    spread = tg.features.estimate_cells(parts, freq="Q", **options)
    # the same table in memory as Dask holds it (text columns may become Arrow strings)
    local = tg.features.estimate_cells(parts.compute(), freq="Q", **options)
    pd.testing.assert_frame_equal(spread, local, rtol=1e-9)


@pytest.mark.parametrize("keys", KEYS)
@pytest.mark.parametrize("name", list(DESIGNS))
def test_layout_equals_pandas(canonical, name, keys):
    _same(canonical, 6, keys=keys, design=DESIGNS[name])


def test_category_order_and_unused_categories_kept(canonical):
    table = canonical.copy()
    table["industry"] = table["industry"].cat.add_categories(["ghost"])
    table["region"] = table["region"].cat.reorder_categories(
        table["region"].cat.categories[::-1])
    parts = dd.from_pandas(table, npartitions=4, sort=False)
    spread = tg.features.estimate_cells(parts, freq="Q")
    assert list(spread["industry"].cat.categories) == list(table["industry"].cat.categories)
    assert spread["region"].iloc[0] == table["region"].cat.categories[0]
    pd.testing.assert_frame_equal(spread, tg.features.estimate_cells(table, freq="Q"),
                                  rtol=1e-9)


def test_long_form_with_blank_details_equals_pandas(canonical):
    """Canonical long form (as the demo surveys): enterprise-periods without vacancies have
    one row with a blank occupation; the pandas path keeps such a table as it is, so the
    result's categories keep their order there, and here the same."""
    some = canonical[canonical["vacancies"] > 0]
    low = some.assign(vacancies=some["vacancies"] // 2,
                      hard_to_fill=np.minimum(some["hard_to_fill"], some["vacancies"] // 2))
    high = some.assign(vacancies=some["vacancies"] - low["vacancies"],
                       hard_to_fill=some["hard_to_fill"] - low["hard_to_fill"])
    none = canonical[canonical["vacancies"] == 0]
    table = pd.concat([low, high, none], ignore_index=True)
    table["occupation"] = pd.Categorical(
        ["welder"] * len(low) + ["fitter"] * len(high) + [None] * len(none),
        categories=["welder", "fitter"])
    table = table.sample(frac=1.0, random_state=5).reset_index(drop=True)
    assert 0 < len(none) < len(some)
    for keys in (("region", "industry"), ("industry",)):
        local = tg.features.estimate_cells(table, keys=keys, freq="Q")
        assert list(local["industry"].cat.categories) == list(
            table["industry"].cat.categories)  # kept as it is: no validation
        for n in (3, 7):
            spread = tg.features.estimate_cells(dd.from_pandas(table, npartitions=n,
                                                               sort=False), keys=keys)
            pd.testing.assert_frame_equal(spread, local, rtol=1e-9)


def test_text_table_gets_sorted_categories(canonical):
    """A raw (validated) table: categories of the values present, sorted, as in memory."""
    table = canonical.astype({"region": str, "industry": str, "enterprise_id": str})
    _same(table, 5, keys=("region", "industry"))
    _same(table, 5, keys=("industry", "city"), design=DESIGNS["strata"])


def test_frequency_from_period_dtype(canonical):
    parts = dd.from_pandas(canonical, npartitions=3, sort=False)
    spread = tg.features.estimate_cells(parts)  # freq from period[Q-DEC]
    pd.testing.assert_frame_equal(spread, tg.features.estimate_cells(canonical), rtol=1e-9)
    text = dd.from_pandas(canonical.astype({"period": str}), npartitions=3, sort=False)
    with pytest.raises(ParameterError, match="freq is required"):
        tg.features.estimate_cells(text)
    with pytest.raises(ParameterError, match="freq=None"):
        tg.features.build_panel(parts, freq=None)


def test_no_rounding_noise_in_zero_variance(canonical):
    """A cell whose values are all equal has SE exactly 0 (and no df), in any partitioning."""
    table = canonical.copy()
    table["weight"] = 1.0 / 3.0
    table["employees"] = 7
    table["vacancies"] = 3
    table["hard_to_fill"] = 1
    table["reports_shortage"] = True
    design = DESIGNS["psu and fpc"]
    for n in (1, 4, 9):
        parts = dd.from_pandas(table, npartitions=n, sort=False)
        spread = tg.features.estimate_cells(parts, freq="Q", design=design)
        for column in ("shortage_rate_se", "vacancy_rate_se", "ssv_density_se"):
            assert (spread[column].to_numpy() == 0.0).all(), (n, column)
            assert np.isnan(spread[column.replace("_se", "_df")]).all()


def test_canonical_dtypes_alone_do_not_keep_the_categories(canonical):
    """A table with canonical dtypes but a data-quality note, or an unused category that
    fails a text rule, is validated by the pandas path (categories sorted): so here too."""
    unusual = canonical.copy()
    row = int(np.flatnonzero(unusual["employees"].to_numpy() > 0)[0])
    unusual.loc[row, "vacancies"] = unusual.loc[row, "employees"] * 50
    spaced = canonical.copy()
    spaced["industry"] = spaced["industry"].cat.add_categories([" ghost"])
    for table in (unusual, spaced):
        parts = dd.from_pandas(table, npartitions=4, sort=False)
        noted = pytest.warns(tg.errors.DataQualityWarning, match="vacancies > 5 x employees")
        with noted if table is unusual else nullcontext():
            spread = tg.features.estimate_cells(parts, freq="Q")
            local = tg.features.estimate_cells(table, freq="Q")
        pd.testing.assert_frame_equal(spread, local, rtol=1e-9)
        categories = list(spread["industry"].cat.categories)
        assert categories == sorted(categories) != list(table["industry"].cat.categories)
