"""Tests of talentgap.datasets.load_demo and the bundled demo files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from talentgap import features, schema
from talentgap.datasets import DemoData, _demo, load_demo, make_synthetic

__all__: list[str] = []

DATASETS = Path(__file__).resolve().parents[2] / "datasets"
CELL_PERIOD = ["period", "region", "industry"]


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return load_demo(include_truth=True)


def test_truth_only_when_asked():
    assert load_demo().truth is None


def test_columns_and_dtypes(demo):
    s, t, e = demo.surveys, demo.training, demo.employment
    assert s.columns.tolist() == ["period", "enterprise_id", "region", "industry", "occupation",
                                  "skill_level", "employees", "vacancies", "hard_to_fill",
                                  "reports_shortage", "weight", "size_band"]
    assert t.columns.tolist() == ["period", "region", "industry", "program", "skill_level",
                                  "trained", "certified"]
    assert e.columns.tolist() == ["period", "region", "industry", "skill_level", "employment",
                                  "skilled", "high_skilled"]
    for df in (s, t, e, demo.truth):
        assert df["period"].dtype == pd.PeriodDtype("Q")
        assert isinstance(df["region"].dtype, pd.CategoricalDtype)
        assert isinstance(df["industry"].dtype, pd.CategoricalDtype)
        assert isinstance(df["skill_level"].dtype, pd.CategoricalDtype)
    for df in (s, t, demo.truth):
        assert df["skill_level"].cat.categories.tolist() == ["skilled", "high_skilled"]
    assert e["skill_level"].cat.categories.tolist() == ["unskilled", "skilled", "high_skilled"]
    for col in ("enterprise_id", "size_band", "occupation"):
        assert isinstance(s[col].dtype, pd.CategoricalDtype)
    assert isinstance(t["program"].dtype, pd.CategoricalDtype)
    assert s["reports_shortage"].dtype == bool
    assert s["weight"].dtype == np.float64
    for df, cols in ((s, ["employees", "vacancies", "hard_to_fill"]),
                     (t, ["trained", "certified"]),
                     (e, ["employment", "skilled", "high_skilled"])):
        for col in cols:
            assert df[col].dtype == np.int64, col


@pytest.mark.parametrize("table", ["surveys", "training", "employment", "truth"])
def test_row_counts_match_the_files(demo, table):
    lines = (DATASETS / f"{table}.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",")[0] in ("period", "region")
    assert len(getattr(demo, table)) == len(lines) - 1


def test_demo_follows_the_table_rules(demo):
    s, t, e = demo.surveys, demo.training, demo.employment
    assert (s[["employees", "vacancies", "hard_to_fill"]] >= 0).all().all()
    assert (s["hard_to_fill"] <= s["vacancies"]).all()
    assert (s["weight"] > 0).all()
    assert not s.duplicated(["enterprise_id", "period", "occupation", "skill_level"]).any()
    assert (t[["trained", "certified"]] >= 0).all().all()
    assert (t["certified"] <= t["trained"]).all()
    assert (e["skilled"] <= e["employment"]).all()
    assert (e["high_skilled"] <= e["skilled"]).all()
    # the only blanks: the occupation of a level's row without posts
    assert (s.loc[s["occupation"].isna(), "vacancies"] == 0).all()
    assert not any(df.drop(columns="occupation", errors="ignore").isna().any().any()
                   for df in (s, t, e, demo.truth))
    schema.validate(s, table="surveys")  # enterprise-level columns equal on every detail row
    schema.validate(e, table="employment")
    schema.validate(t, table="training")


def test_demo_shape_and_calibration(demo):
    s, t, e, truth = demo.surveys, demo.training, demo.employment, demo.truth
    assert s["region"].nunique() == 8 and s["industry"].nunique() == 8
    assert s["period"].nunique() == 24
    assert len(truth) == 8 * 8 * 24 * 2  # two skill levels
    assert len(e) == 8 * 8 * 24 * 3  # unskilled, skilled, high-skilled
    firms = s.drop_duplicates(["enterprise_id", "period"])
    assert 0.6 <= firms["reports_shortage"].mean() <= 0.8
    assert 0.6 <= t["certified"].sum() / t["trained"].sum() <= 0.73
    assert e["skilled"].sum() / e["employment"].sum() < 0.30
    assert e["high_skilled"].sum() / e["skilled"].sum() < 0.35
    respondents = firms.groupby(CELL_PERIOD, observed=True).size()
    assert len(respondents) == len(truth) // 2
    assert (respondents == 1).any()


def test_files_are_small():
    total = sum((DATASETS / name).stat().st_size for name in _demo.DEMO_FILES.values())
    assert total < 8_000_000


def test_every_enterprise_answers_for_both_levels(demo):
    """Each surveyed enterprise-period has rows at both skill levels (a level without
    posts: one row with a blank occupation and no posts), so it counts once in each
    level's respondents, employees and shortage rate."""
    s = demo.surveys
    levels = s.groupby(["enterprise_id", "period"], observed=True)["skill_level"].nunique()
    assert (levels == 2).all()
    blank = s["occupation"].isna()
    assert blank.any() and (s.loc[blank, ["vacancies", "hard_to_fill"]] == 0).all(axis=None)
    assert (s.loc[~blank, "vacancies"] > 0).all()
    occupations = s.groupby("industry", observed=True)["occupation"].nunique()
    assert occupations.between(2, 3).all()


def test_the_demo_forecast_cells_match_the_truth(demo):
    """Demand by region x industry x skill level estimated from the long form is unbiased:
    summed over cells and quarters it is close to the population truth."""
    cells = features.estimate_cells(demo.surveys, keys=("region", "industry", "skill_level"),
                                    freq="Q")
    truth = demo.truth.groupby("skill_level", observed=True)["demand"].sum()
    estimate = cells.groupby("skill_level", observed=True)["demand"].sum()
    ratio = estimate / truth
    assert ratio.between(0.97, 1.03).all(), ratio
    # high-skilled posts are the harder ones to fill: a larger hard-to-fill share
    density = (demo.truth.groupby("skill_level", observed=True)["hard_to_fill"].sum()
               / demo.truth.groupby("skill_level", observed=True)["vacancies"].sum())
    assert density["high_skilled"] > density["skilled"]


def test_files_match_the_generator(demo):
    """The CSV files are make_synthetic(**DEMO_KWARGS); if this fails after a change
    to the generator, run ``python datasets/regenerate.py``."""
    fresh = make_synthetic(**_demo.DEMO_KWARGS)
    for name in ("surveys", "training", "employment", "truth"):
        # Counts and labels must match exactly; floats up to CSV text round-off,
        # which differs between pandas' CSV float parsers.
        pd.testing.assert_frame_equal(getattr(demo, name), getattr(fresh, name),
                                      check_exact=False, rtol=1e-12, atol=0, obj=name)


def test_package_copy_is_preferred(tmp_path, monkeypatch):
    package, checkout = tmp_path / "package", tmp_path / "checkout"
    for folder in (package, checkout):
        folder.mkdir()
        for name in _demo.DEMO_FILES.values():
            shutil.copy(DATASETS / name, folder / name)
    # mark the package copy: one survey row fewer
    lines = (package / "surveys.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (package / "surveys.csv").write_text("".join(lines[:-1]), encoding="utf-8")
    monkeypatch.setattr(_demo, "_PACKAGE_DIR", package)
    monkeypatch.setattr(_demo, "_CHECKOUT_DIR", checkout)
    assert len(load_demo().surveys) == len(lines) - 2
    monkeypatch.setattr(_demo, "_PACKAGE_DIR", tmp_path / "missing")
    assert len(load_demo().surveys) == len(lines) - 1


def test_missing_files_name_both_places(tmp_path, monkeypatch):
    monkeypatch.setattr(_demo, "_PACKAGE_DIR", tmp_path / "pkg_data")
    monkeypatch.setattr(_demo, "_CHECKOUT_DIR", tmp_path / "repo_datasets")
    with pytest.raises(FileNotFoundError, match="pkg_data") as info:
        load_demo()
    assert "repo_datasets" in str(info.value)


def test_repr(demo):
    assert repr(demo).startswith("DemoData(")
    assert "truth=None" in repr(load_demo())
