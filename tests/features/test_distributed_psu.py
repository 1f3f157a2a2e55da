"""A partitioned surveys table with an enterprise-period filed under two PSUs."""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import SchemaError
from talentgap.features import SurveyDesign

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

DESIGN = SurveyDesign(strata="size_band", psu="park")


pytestmark = pytest.mark.usefixtures("dask_synchronous")


@pytest.fixture(scope="module")
def surveys() -> pd.DataFrame:
    data = tg.datasets.make_synthetic(n_regions=2, industries=3, n_periods=3, seed=4,
                                      design=True)
    table = data.surveys.astype({"enterprise_id": str, "period": str, "size_band": str})
    code = table["enterprise_id"].str[-1].map(int)
    table["park"] = table["size_band"] + "-" + (code % 3).astype(str)
    return table.reset_index(drop=True)


def _filed_twice(surveys: pd.DataFrame, at: int, other: str):
    """Row ``at`` filed again under PSU ``other`` as the last row, in 4 partitions."""
    table = pd.concat([surveys, surveys.iloc[[at]].assign(park=other)], ignore_index=True)
    parts = dd.from_pandas(table, npartitions=4, sort=False)
    with pytest.raises(SchemaError, match="enterprise_in_two_psus") as error:
        tg.features.estimate_cells(parts, freq="Q", design=DESIGN)
    sizes = [len(parts.get_partition(i).compute()) for i in range(parts.npartitions)]
    return error.value, sizes


def test_an_enterprise_under_two_psus_in_two_partitions_is_named(surveys):
    unseen = 0
    for at in range(3):  # a few rows, each filed again under every other PSU of its stratum
        row = surveys.iloc[at]
        band = surveys["size_band"] == row["size_band"]
        for other in pd.unique(surveys.loc[band & (surveys["park"] != row["park"]), "park"]):
            error, sizes = _filed_twice(surveys, at, other)
            message = str(error)
            assert (f"enterprise {row['enterprise_id']} in {row['period']} is under PSUs "
                    f"{row['park']!r}, {other!r}") in message
            cases = error.failure_cases
            cases = cases[cases["rule"] == "enterprise_in_two_psus"]
            assert cases[["partition", "partition_row"]].values.tolist() == [
                [0, at], [len(sizes) - 1, sizes[-1] - 1]]
            assert cases["value"].tolist() == [row["park"], other]
            # where the shuffle by PSU put the two rows apart no partition saw the repeat
            unseen += "duplicate_key" not in message
    assert unseen


def test_one_psu_per_enterprise_passes_and_equals_pandas(surveys):
    parts = dd.from_pandas(surveys, npartitions=2, sort=False)
    spread = tg.features.estimate_cells(parts, freq="Q", design=DESIGN)
    local = tg.features.estimate_cells(surveys, freq="Q", design=DESIGN)
    pd.testing.assert_frame_equal(spread, local, rtol=1e-9)
