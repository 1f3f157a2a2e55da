"""``talentgap evaluate`` writes its score CSVs in ``[output] csv_encoding``."""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import main
from talentgap.cli.editions import SCORE_FILES

BOM = b"\xef\xbb\xbf"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Synthetic inputs as files (Chinese codes): everything, and without the last year."""
    root = tmp_path_factory.mktemp("inputs")
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=3)
    for folder in ("early", "all"):
        (root / folder).mkdir()
    names = {}
    for name in ("surveys", "training"):
        table = getattr(data, name).copy()
        for column in ("region", "industry"):
            codes = sorted(table[column].astype(str).unique())
            names.setdefault(column, {c: f"{'地区' if column == 'region' else '行业'}{i}"
                                      for i, c in enumerate(codes)})
            table[column] = table[column].astype(str).map(names[column])
        periods = pd.PeriodIndex(table["period"].astype(str), freq="Q")
        tg.io.write_table(table, root / "all" / f"{name}.csv")
        tg.io.write_table(table[periods <= periods.max() - 4], root / "early" / f"{name}.csv")
    return root


def _store(files, root, *settings):
    store = root / "editions.sqlite"
    assert main(["forecast", "--surveys", str(files / "early" / "surveys.csv"),
                 "--training", str(files / "early" / "training.csv"), "--forecaster",
                 "drift", "--set", "forecast.n_samples=50", "--out", str(root / "out"),
                 "--no-report", "--no-charts", "-q", "--store", str(store),
                 *settings]) == 0
    return store


@pytest.fixture(scope="module")
def plain(files, tmp_path_factory):
    """An edition whose run wrote UTF-8 without a byte-order mark (the default)."""
    return _store(files, tmp_path_factory.mktemp("plain"))


@pytest.fixture(scope="module")
def marked(files, tmp_path_factory):
    """An edition whose run was set to write UTF-8 with a byte-order mark."""
    return _store(files, tmp_path_factory.mktemp("marked"), "--set",
                  "output.csv_encoding=utf-8-sig")


def _score_csvs(out):
    return {name: (out / name).read_bytes() for name in SCORE_FILES.values()}


def _check(written, *, bom):
    for name, raw in written.items():
        assert raw.startswith(BOM) is bom, name
        text = raw.decode("utf-8-sig")
        assert text.startswith("edition,origin,"), name
    cells = written["edition_scores.csv"].decode("utf-8-sig")
    assert "地区0" in cells and "行业1" in cells  # the Chinese codes, readable either way


def _actuals_config(files, tmp_path, encoding):
    """A run configuration reading the later actuals, with ``[output] csv_encoding``."""
    config = tmp_path / "later.toml"
    config.write_text(f'[data]\nsurveys = "{(files / "all" / "surveys.csv").as_posix()}"\n'
                      f'training = "{(files / "all" / "training.csv").as_posix()}"\n'
                      f'[output]\ncsv_encoding = "{encoding}"\n', encoding="utf-8")
    return config


def test_a_config_sets_the_encoding_of_the_scores(plain, files, tmp_path):
    config = _actuals_config(files, tmp_path, "utf-8-sig")
    out = tmp_path / "bom"
    assert main(["evaluate", "--store", str(plain), "--actuals", str(config),
                 "--out", str(out), "--format", "json"]) == 0
    _check(_score_csvs(out), bom=True)
    # read back as any reader would: the same table as a plain UTF-8 run writes
    plain_out = tmp_path / "plain"
    assert main(["evaluate", "--store", str(plain), "--actuals", str(files / "all"),
                 "--out", str(plain_out), "--format", "json"]) == 0
    _check(_score_csvs(plain_out), bom=False)
    for name in SCORE_FILES.values():
        pd.testing.assert_frame_equal(pd.read_csv(out / name, encoding="utf-8-sig"),
                                      pd.read_csv(plain_out / name))


def test_a_folder_of_actuals_takes_the_editions_encoding(marked, files, tmp_path):
    out = tmp_path / "scores"
    assert main(["evaluate", "--store", str(marked), "--actuals", str(files / "all"),
                 "--out", str(out), "--format", "json"]) == 0
    _check(_score_csvs(out), bom=True)


def test_a_config_overrides_the_editions_encoding(marked, files, tmp_path):
    config = _actuals_config(files, tmp_path, "utf-8")
    out = tmp_path / "scores"
    assert main(["evaluate", "--store", str(marked), "--actuals", str(config),
                 "--out", str(out), "--format", "json"]) == 0
    _check(_score_csvs(out), bom=False)
