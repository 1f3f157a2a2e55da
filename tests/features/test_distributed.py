"""Survey estimates and the panel from a partitioned (Dask) surveys table."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from _dask_frames import clustered_surveys

import talentgap as tg
from talentgap.errors import ParameterError, SchemaError
from talentgap.features import SurveyDesign

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")


pytestmark = pytest.mark.usefixtures("dask_synchronous")
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture(scope="module")
def data():
    return tg.datasets.make_synthetic(n_regions=3, industries=3, n_periods=6, seed=3)


@pytest.fixture(scope="module")
def shuffled(data):
    """The surveys in random row order, with raw text periods and ids (as read from files)."""
    surveys = data.surveys.sample(frac=1.0, random_state=7).reset_index(drop=True)
    return surveys.astype({"period": str, "enterprise_id": str, "region": str,
                           "industry": str, "size_band": str})


def partitioned(frame: pd.DataFrame, n: int = 5):
    return dd.from_pandas(frame, npartitions=n, sort=False)


def long_surveys(surveys: pd.DataFrame) -> pd.DataFrame:
    """Each enterprise-period split into an 'ordinary' and (mostly) a 'high' row."""
    low = surveys.assign(skill_level="ordinary", vacancies=surveys["vacancies"] // 2)
    low["hard_to_fill"] = np.minimum(surveys["hard_to_fill"], low["vacancies"])
    high = surveys.assign(skill_level="high", vacancies=surveys["vacancies"] - low["vacancies"],
                          hard_to_fill=surveys["hard_to_fill"] - low["hard_to_fill"])
    high = high.iloc[::3 * 1 + 1]  # some enterprise-periods report one level only
    both = pd.concat([low, high], ignore_index=True)
    return both.sample(frac=1.0, random_state=1).reset_index(drop=True)


@pytest.mark.parametrize("keys", [("region", "industry"), ("industry", "size_band"),
                                  ("region",)])
def test_estimates_equal_pandas(shuffled, keys):
    local = tg.features.estimate_cells(shuffled, keys=keys, freq="Q")
    spread = tg.features.estimate_cells(partitioned(shuffled), keys=keys, freq="Q")
    pd.testing.assert_frame_equal(spread, local, rtol=1e-9)
    assert spread["single_respondent"].dtype == bool


def test_estimates_do_not_depend_on_partitioning(shuffled):
    two = tg.features.estimate_cells(partitioned(shuffled, 2), freq="Q")
    many = tg.features.estimate_cells(partitioned(shuffled.iloc[::-1], 11), freq="Q")
    pd.testing.assert_frame_equal(two, many, rtol=1e-12)


def test_long_form_equals_pandas(shuffled):
    long = long_surveys(shuffled)
    for keys in (("region", "industry"), ("industry", "skill_level")):
        local = tg.features.estimate_cells(long, keys=keys, freq="Q")
        spread = tg.features.estimate_cells(partitioned(long, 6), keys=keys, freq="Q")
        pd.testing.assert_frame_equal(spread, local, rtol=1e-9)
    # each enterprise-period counts once in its region x industry cell
    cells = tg.features.estimate_cells(partitioned(long, 6), freq="Q")
    assert cells["n_respondents"].sum() == len(shuffled)


def test_skill_levels_order_kept(shuffled):
    long = long_surveys(shuffled)
    spread = tg.features.estimate_cells(partitioned(long), keys=["skill_level"], freq="Q",
                                        skill_levels=["ordinary", "high"])
    local = tg.features.estimate_cells(long, keys=["skill_level"], freq="Q",
                                       skill_levels=["ordinary", "high"])
    pd.testing.assert_frame_equal(spread, local, rtol=1e-9)
    assert spread["skill_level"].iloc[0] == "ordinary"


def test_build_panel_equals_pandas(data, shuffled):
    options = {"lead_time": 1, "start": "2019Q2", "end": "2021Q1"}
    local = tg.features.build_panel(shuffled, data.training, data.employment, **options)
    spread = tg.features.build_panel(partitioned(shuffled), data.training, data.employment,
                                     **options)
    pd.testing.assert_frame_equal(spread, local, rtol=1e-9)


def test_panel_keeps_cells_without_respondents(data, shuffled):
    """A cell-period nobody answered in: n_respondents 0, demand missing, as in pandas."""
    some = shuffled[~((shuffled["region"] == shuffled["region"].iloc[0])
                      & (shuffled["period"] == "2020Q1"))]
    local = tg.features.build_panel(some, data.training, lead_time=1)
    spread = tg.features.build_panel(partitioned(some, 3), data.training, lead_time=1)
    pd.testing.assert_frame_equal(spread, local, rtol=1e-9)
    assert (spread["n_respondents"] == 0).sum() == (local["n_respondents"] == 0).sum() > 0


def test_large_values_with_small_spread_are_exact():
    """Centred sums combined across partitions keep the variance of large, close values."""
    rng = np.random.default_rng(0)
    n = 600
    employees = 10**6 + rng.integers(0, 3, n)  # mean 1e6, spread ~1
    surveys = pd.DataFrame({
        "period": "2024Q1", "enterprise_id": [f"E{i}" for i in range(n)],
        "region": "North", "industry": np.where(np.arange(n) < n // 2, "textiles", "robots"),
        "employees": employees, "vacancies": 0, "hard_to_fill": 0,
        "reports_shortage": False, "weight": 3.0})
    cells = tg.features.estimate_cells(partitioned(surveys, 7), freq="Q")
    for industry, group in surveys.groupby("industry"):
        y = 3.0 * group["employees"].to_numpy(dtype=np.int64)
        centred = y - y.sum() // len(y)  # exact integer arithmetic, then a small float
        exact = np.sqrt(len(y) / (len(y) - 1) * (np.sum(centred.astype(float) ** 2)
                                                 - centred.sum() ** 2 / len(y)))
        found = cells.loc[cells["industry"] == industry, "employees_se"].item()
        assert found == pytest.approx(exact, rel=1e-9)
        assert 10 < exact < 100  # (raw sums of squares would lose ~1e-4 of it)


def test_duplicate_across_partitions_named(shuffled):
    copy = shuffled.iloc[[0]].assign(vacancies=shuffled["vacancies"].iloc[0] + 5)
    table = pd.concat([shuffled, copy], ignore_index=True)
    parts = partitioned(table, 4)
    last = parts.npartitions - 1
    row = len(parts.get_partition(last).compute()) - 1
    with pytest.raises(SchemaError, match="duplicate_key") as error:
        tg.features.estimate_cells(parts, freq="Q")
    message = str(error.value)
    assert "partition 0 row 0" in message
    assert f"partition {last} row {row}" in message
    cases = error.value.failure_cases
    assert sorted(zip(cases["partition"], cases["partition_row"], strict=True)) == [
        (0, 0), (last, row)]


def test_bad_value_named_with_partition_and_row(shuffled):
    table = shuffled.copy()
    parts = partitioned(table, 4)
    start = len(parts.get_partition(0).compute()) + len(parts.get_partition(1).compute())
    table.loc[start + 3, "hard_to_fill"] = table.loc[start + 3, "vacancies"] + 2
    table.loc[start + 4, "weight"] = -1.0
    with pytest.raises(SchemaError, match="'hard_to_fill'") as error:
        tg.features.estimate_cells(partitioned(table, 4), freq="Q")
    message = str(error.value)
    assert "partition 2 row 3" in message and "partition 2 row 4" in message
    assert {"exceeds_vacancies", "not_positive"} <= set(error.value.failure_cases["rule"])


def test_missing_freq_and_bad_keys_refused(shuffled):
    parts = partitioned(shuffled)
    with pytest.raises(ParameterError, match="freq"):
        tg.features.estimate_cells(parts)
    with pytest.raises(ParameterError, match="'sector'"):
        tg.features.estimate_cells(parts, keys=["sector"], freq="Q")
    with pytest.raises(SchemaError, match="'park'"):
        tg.features.estimate_cells(parts, freq="Q", design=SurveyDesign(psu="park"))


@pytest.fixture(scope="module")
def designed():
    """Surveys drawn by strata with population counts, plus clusters ('park') of enterprises."""
    return clustered_surveys(industries=3, random_state=0)


DESIGNS = {
    "strata in cells, fpc": SurveyDesign(strata=("region", "industry", "size_band"),
                                         fpc="population"),
    "strata across cells": SurveyDesign(strata="size_band"),
    "psu and fpc": SurveyDesign(strata="size_band", psu="park", fpc="parks"),
}


@pytest.mark.parametrize("name", list(DESIGNS))
def test_design_estimates_equal_pandas(designed, name):
    design = DESIGNS[name]
    local = tg.features.estimate_cells(designed, freq="Q", design=design)
    spread = tg.features.estimate_cells(partitioned(designed, 5), freq="Q", design=design)
    pd.testing.assert_frame_equal(spread, local, rtol=1e-9)
    assert {"take_all", "demand_df"} <= set(spread.columns)


@pytest.mark.parametrize("lonely", ["adjust", "certainty"])
def test_design_lonely_psu_equals_pandas(designed, lonely):
    thin = designed[~designed["park"].isin([f"large-{i}" for i in range(1, 7)])]
    design = SurveyDesign(strata="size_band", psu="park", lonely_psu=lonely)
    with pytest.warns(tg.errors.DataQualityWarning, match="single sampled PSU"):
        spread = tg.features.estimate_cells(partitioned(thin, 4), keys=["region"], freq="Q",
                                            design=design)
    with pytest.warns(tg.errors.DataQualityWarning):
        local = tg.features.estimate_cells(thin, keys=["region"], freq="Q", design=design)
    pd.testing.assert_frame_equal(spread, local, rtol=1e-9)


def test_design_long_form_equals_pandas(designed):
    long = long_surveys(designed)
    for keys, design in ((("industry", "skill_level"), DESIGNS["strata in cells, fpc"]),
                         (("region", "industry"), SurveyDesign(strata="size_band", psu="park"))):
        local = tg.features.estimate_cells(long, keys=keys, freq="Q", design=design)
        spread = tg.features.estimate_cells(partitioned(long, 6), keys=keys, freq="Q",
                                            design=design)
        pd.testing.assert_frame_equal(spread, local, rtol=1e-9)


def test_design_panel_equals_pandas(designed):
    design = DESIGNS["strata in cells, fpc"]
    local = tg.features.build_panel(designed, design=design)
    spread = tg.features.build_panel(partitioned(designed, 3), design=design)
    pd.testing.assert_frame_equal(spread, local, rtol=1e-9)


def test_population_count_differing_across_partitions_refused(designed):
    table = designed.copy()
    parts = partitioned(table, 2)
    first = parts.get_partition(0).compute()
    stratum = first.iloc[0][["region", "industry", "size_band", "period"]]
    same = (table[stratum.index] == stratum).all(axis=1).to_numpy().copy()
    same[: len(first)] = False  # change the count in the second partition only
    if not same.any():
        pytest.skip("the stratum sits in one partition")
    table.loc[same, "population"] = table.loc[same, "population"] + 1
    with pytest.raises(SchemaError, match="fpc_varies") as error:
        tg.features.estimate_cells(partitioned(table, 2), freq="Q",
                                   design=DESIGNS["strata in cells, fpc"])
    assert "partition" in error.value.failure_cases.columns


def test_library_import_does_not_load_dask():
    code = ("import sys, talentgap as tg; d = tg.datasets.make_synthetic(n_regions=1, "
            "industries=1, n_periods=2); tg.features.estimate_cells(d.surveys); "
            "print('dask' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_local_cluster_equals_pandas(data, shuffled, designed):
    distributed = pytest.importorskip("distributed")
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=1,
                            dashboard_address=":0") as client, \
            dask.config.set(scheduler="dask.distributed"):
        assert dask.base.get_scheduler() == client.get
        parts = partitioned(shuffled, 4)
        cells = tg.features.estimate_cells(parts, freq="Q")
        panel = tg.features.build_panel(parts, data.training, lead_time=1)
        design = DESIGNS["psu and fpc"]
        by_design = tg.features.estimate_cells(partitioned(designed, 3), freq="Q",
                                               design=design)
    pd.testing.assert_frame_equal(
        by_design, tg.features.estimate_cells(designed, freq="Q", design=design), rtol=1e-9)
    pd.testing.assert_frame_equal(cells, tg.features.estimate_cells(shuffled, freq="Q"),
                                  rtol=1e-9)
    pd.testing.assert_frame_equal(panel, tg.features.build_panel(shuffled, data.training,
                                                                 lead_time=1), rtol=1e-9)


def test_unusual_values_warn_with_partition_and_row(shuffled):
    table = shuffled.copy()
    table.loc[2, ["employees", "vacancies", "hard_to_fill"]] = [1, 40, 0]
    with pytest.warns(tg.errors.DataQualityWarning, match=r"partition 0 row 2"):
        cells = tg.features.estimate_cells(partitioned(table, 3), freq="Q")
    with pytest.warns(tg.errors.DataQualityWarning):
        local = tg.features.estimate_cells(table, freq="Q")
    pd.testing.assert_frame_equal(cells, local, rtol=1e-9)


def test_long_form_panel_by_skill_level_equals_pandas(shuffled):
    long = long_surveys(shuffled)
    keys = ("region", "skill_level")
    local = tg.features.build_panel(long, keys=keys)
    spread = tg.features.build_panel(partitioned(long, 4), keys=keys)
    pd.testing.assert_frame_equal(spread, local, rtol=1e-9)
    assert set(spread["skill_level"].cat.categories) == {"high", "ordinary"}


def test_partition_without_cell_rows_still_counts_its_psus(designed):
    """Rows with a blank skill level are in no cell, but their PSUs are in the design."""
    from talentgap.features import distributed

    rows = long_surveys(designed).head(40).assign(skill_level=None)
    frame = distributed._tag(rows, {"number": 0})
    failures, stats, _ = distributed._partial(frame, ["skill_level"], "Q", "weight", None,
                                              DESIGNS["strata in cells, fpc"])
    assert failures is None and len(stats["cells"]) == 0
    assert stats["strata"]["n_psu"].sum() == rows[["enterprise_id", "period"]].drop_duplicates(
    ).shape[0]


def test_pooled_notes_worded_as_in_memory(shuffled):
    """Notes of several partitions pool into the pandas path's sentence: the true count,
    the table's first examples, each line followed by its partition and row."""
    table = shuffled.astype({"vacancies": object})
    rows = np.arange(1, len(table), 9)
    table.loc[rows, "vacancies"] = [str(v).translate(_FULL_WIDTH)
                                    for v in table.loc[rows, "vacancies"]]

    def notes(frame) -> list[str]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            tg.features.estimate_cells(frame, freq="Q")
        return [str(w.message) for w in caught if "full-width" in str(w.message)]

    (local,) = notes(table)
    (spread,) = notes(partitioned(table, 6))
    assert f"{rows.size} value(s) written in full-width digits" in local
    assert spread.endswith(" (partitioned table)")
    plain = re.sub(r" \(partition \d+ row \d+\)", "", spread.removesuffix(" (partitioned table)"))
    assert plain == local
