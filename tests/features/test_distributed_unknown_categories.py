"""Key columns of categories in the order of appearance, known or unknown to Dask.

A surveys table read by Dask with ``dtype={"region": "category"}`` (or a
categorical cast with ``.cat.as_unknown()``) has key columns whose
categories Dask does not know; a pandas table may hold categories in the
order its values first appear. Both paths give the cells in the same order
with the same categories (sorted, as for text keys): the same table, the
same estimates and panel, row for row.
"""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg

dd = pytest.importorskip("dask.dataframe")

pytestmark = pytest.mark.usefixtures("dask_synchronous")
KEYS = ["region", "industry"]


@pytest.fixture(scope="module")
def tables():
    data = tg.datasets.make_synthetic(n_regions=3, industries=3, n_periods=6, seed=3)
    surveys = data.surveys.sample(frac=1.0, random_state=7).reset_index(drop=True)
    surveys = surveys.astype({"period": str, "enterprise_id": str, "size_band": str})
    for key in KEYS:  # categories in the order of appearance, not sorted
        values = surveys[key].astype(str)
        surveys[key] = pd.Categorical(values, categories=pd.unique(values))
    assert list(surveys["region"].cat.categories) != sorted(surveys["region"].cat.categories)
    return surveys, data.training


def _unknown(surveys: pd.DataFrame):
    frame = dd.from_pandas(surveys, npartitions=4, sort=False)
    return frame.assign(**{key: frame[key].cat.as_unknown() for key in KEYS})


def test_unknown_categories_give_the_pandas_cells(tables):
    surveys, _ = tables
    local = tg.features.estimate_cells(surveys, keys=KEYS, freq="Q")
    for frame in (_unknown(surveys), dd.from_pandas(surveys, npartitions=4, sort=False)):
        spread = tg.features.estimate_cells(frame, keys=KEYS, freq="Q")
        pd.testing.assert_frame_equal(spread, local, rtol=1e-9)
    for key in KEYS:
        categories = list(local[key].cat.categories)
        assert categories == sorted(categories)
        assert list(pd.unique(local[key])) == categories


def test_unknown_categories_give_the_pandas_panel(tables):
    surveys, training = tables
    local = tg.features.build_panel(surveys, training, lead_time=1)
    spread = tg.features.build_panel(_unknown(surveys), training, lead_time=1)
    pd.testing.assert_frame_equal(spread, local, rtol=1e-9)
