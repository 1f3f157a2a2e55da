"""``--store`` checks the edition store before the work: a repeated run writes its files
but stores nothing again, another run under a stored name is refused before anything is
fitted or written."""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main
from talentgap.editions import EditionStore


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Synthetic inputs, and the same surveys with one count changed (same origin)."""
    root = tmp_path_factory.mktemp("rerun-inputs")
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=5)
    tg.io.write_table(data.surveys, root / "surveys.csv")
    tg.io.write_table(data.training, root / "training.csv")
    changed = data.surveys.copy()
    row = changed.index[changed["hard_to_fill"] < changed["vacancies"]][0]
    changed.loc[row, "hard_to_fill"] += 1
    tg.io.write_table(changed, root / "surveys_changed.csv")
    return root


def _args(inputs, out, store, *extra, surveys="surveys.csv"):
    return ["forecast", "--surveys", str(inputs / surveys), "--training",
            str(inputs / "training.csv"), "--forecaster", "drift", "--set",
            "forecast.n_samples=100", "--out", str(out), "--no-report", "--no-charts", "-q",
            "--store", str(store), *extra]


@pytest.fixture()
def stored(inputs, tmp_path):
    store = tmp_path / "ed.sqlite"
    assert main(_args(inputs, tmp_path / "first", store)) == 0
    return store


def test_the_same_run_again_writes_its_files_and_stores_nothing(inputs, tmp_path, stored,
                                                                 capsys):
    before = EditionStore(stored).list()
    capsys.readouterr()
    out = tmp_path / "second"
    assert main(_args(inputs, out, stored)) == 0
    said = capsys.readouterr().out
    name = before["name"].iloc[0]
    assert f"edition '{name}'" in said and "it was not stored again" in said
    assert (out / "forecast.csv").is_file()    # the files are written all the same
    pd.testing.assert_frame_equal(EditionStore(stored).list(), before)  # stored once
    # the same with the name given, and a plan-only setting changed
    assert main(_args(inputs, tmp_path / "third", stored, "--edition", name,
                      "--set", "plan.budget=123456")) == 0
    assert "already in" in capsys.readouterr().out
    assert (tmp_path / "third" / "forecast.csv").is_file()
    pd.testing.assert_frame_equal(EditionStore(stored).list(), before)


@pytest.mark.parametrize(("change", "named"), [
    ({"extra": ("--set", "forecast.n_samples=150")}, "[forecast] n_samples: stored 100, now 150"),
    ({"surveys": "surveys_changed.csv"}, "the data (its fingerprint)"),
])
def test_another_run_under_a_stored_name_is_refused_before_the_work(
        inputs, tmp_path, stored, capsys, change, named):
    capsys.readouterr()
    out = tmp_path / "other"
    code = main(_args(inputs, out, stored, *change.get("extra", ()),
                      surveys=change.get("surveys", "surveys.csv")))
    assert code == 2
    err = capsys.readouterr().err
    assert named in err and "--replace-edition" in err and "--edition NAME" in err
    assert not out.exists()  # refused before forecasting or writing
    assert len(EditionStore(stored).names()) == 1


def test_replace_edition_stores_the_run_again(inputs, tmp_path, stored):
    created = EditionStore(stored).list()["created"].iloc[0]
    assert main(_args(inputs, tmp_path / "again", stored, "--replace-edition")) == 0
    listing = EditionStore(stored).list()
    assert len(listing) == 1 and listing["created"].iloc[0] >= created
    assert (tmp_path / "again" / "forecast.csv").is_file()
