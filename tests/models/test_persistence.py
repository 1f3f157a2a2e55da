"""Model artifacts: exact round trips for every estimator, and every refusal on load."""

from __future__ import annotations

import collections
import hashlib
import io
import json
import os
import pickle
import re
import shutil
import threading
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import talentgap as tg
from talentgap._registry import all_estimators
from talentgap.errors import ArtifactError, DataQualityWarning, NotFittedError, ParameterError
from talentgap.models import (
    ETS,
    SARIMAX,
    AutoForecaster,
    Drift,
    GapForecaster,
    GlobalBoosting,
    Mean,
    Naive,
    Theta,
)
from talentgap.models._artifact_files import metadata_hash
from talentgap.models.gap_flags import FLAGS
from talentgap.models.persistence import FORMAT_VERSION, data_fingerprint, read_metadata

N_SERIES, N_PERIODS, HORIZON = 3, 16, 4
LEVELS = [80, 95]

#: Settings that keep the slower forecasters fast here.
FAST = {
    "GlobalBoosting": lambda: GlobalBoosting(max_iter=20),
    "SARIMAX": lambda: SARIMAX(order=(1, 1, 0), auto=False, n_windows=2),
    "AutoForecaster": lambda: AutoForecaster(
        candidates={"ets": ETS(), "theta": Theta(), "drift": Drift()}, n_windows=2),
}
#: Every registered forecaster class (the registry's list, so none is forgotten).
FORECASTERS = {name: FAST.get(name, cls) for name, cls in all_estimators(kind="forecaster")}
#: Format-1 artifacts written by an earlier release, with what they predicted then.
FORMAT_1 = Path(__file__).parent / "artifacts_v1"


def series_table(key_dtype=None) -> pd.DataFrame:
    """Three quarterly seasonal series with a trend, and one exogenous column."""
    rng = np.random.default_rng(0)
    t = np.tile(np.arange(N_PERIODS), N_SERIES)
    level = np.repeat(50.0 + 10.0 * np.arange(N_SERIES), N_PERIODS)
    df = pd.DataFrame({
        "region": np.repeat(["North", "South", "West"], N_PERIODS),
        "period": np.tile(pd.period_range("2019Q1", periods=N_PERIODS, freq="Q"), N_SERIES),
        "value": (level + t + 5.0 * (t % 4 == 3) + rng.normal(0, 1, t.size)).round(),
        "x": rng.normal(size=t.size),
    })
    if key_dtype is not None:
        df["region"] = df["region"].astype(key_dtype)
    return df


def future_table() -> pd.DataFrame:
    periods = pd.period_range("2023Q1", periods=HORIZON, freq="Q")
    return pd.DataFrame({"region": np.repeat(["North", "South", "West"], HORIZON),
                         "period": np.tile(periods, N_SERIES),
                         "x": np.linspace(-1.0, 1.0, N_SERIES * HORIZON)})


def predict(model, future=None) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # few windows: noted, not tested
        return model.predict(HORIZON, level=LEVELS, future=future)


def fit(name: str, df: pd.DataFrame):
    model = FORECASTERS[name]()
    exog = ["x"] if name in ("SARIMAX", "GlobalBoosting") else None
    return model.fit(df, keys=["region"], exog=exog), (future_table() if exog else None)


@pytest.fixture(scope="module")
def fitted() -> dict:
    """Every forecaster fitted once, with its forecasts made before saving."""
    df = series_table()
    out = {}
    for name in FORECASTERS:
        model, future = fit(name, df)
        out[name] = (model, future, predict(model, future))
    return out


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=16, seed=0)
    return tg.features.build_panel(data.surveys, data.training, lead_time=1)


@pytest.fixture(scope="module")
def boosting_artifact(fitted, tmp_path_factory) -> Path:
    """A saved GlobalBoosting: it has every kind of file (JSON, NPZ, skops)."""
    return fitted["GlobalBoosting"][0].save(tmp_path_factory.mktemp("saved") / "model")


@pytest.fixture
def artifact(boosting_artifact, tmp_path) -> Path:
    """A fresh copy of the saved GlobalBoosting to tamper with."""
    return Path(shutil.copytree(boosting_artifact, tmp_path / "model"))


def rewrite(root: Path, name: str, data: bytes | None) -> None:
    """Replace (or with None delete) a file and update metadata.json as a forger would."""
    metadata = json.loads((root / "metadata.json").read_text())
    if data is None:
        (root / name).unlink()
        del metadata["files"][name]
    else:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
        metadata["files"][name] = hashlib.sha256(data).hexdigest()
    write_metadata(root, metadata)


def write_metadata(root: Path, metadata: dict) -> None:
    metadata["metadata_sha256"] = metadata_hash(metadata)
    (root / "metadata.json").write_text(json.dumps(metadata))


class Trap:
    """Unpickling this creates a file: proof that a pickle ran, if it ever does."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


# ---- round trips ------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(FORECASTERS))
def test_every_forecaster_predicts_exactly_the_same_after_loading(name, fitted, tmp_path):
    model, future, before = fitted[name]
    loaded = tg.load(model.save(tmp_path / name))
    assert type(loaded) is type(model)
    assert loaded.get_params(deep=False).keys() == model.get_params(deep=False).keys()
    assert_frame_equal(predict(loaded, future), before)
    assert_frame_equal(loaded.fitted_summary_, model.fitted_summary_)
    assert "lo_95" in before.columns


@pytest.mark.parametrize("name", ["ETS", "GlobalBoosting", "AutoForecaster"])
def test_saved_before_any_prediction_predicts_the_same(name, fitted, tmp_path):
    model, future = fit(name, series_table())  # nothing computed for intervals yet
    loaded = tg.load(model.save(tmp_path / "fresh"))
    assert_frame_equal(predict(loaded, future), fitted[name][2])


@pytest.mark.parametrize("key_dtype", ["category", "string", "str", "object"])
def test_key_dtypes_survive(key_dtype, tmp_path):
    model = Drift().fit(series_table(key_dtype), keys=["region"])
    loaded = tg.load(model.save(tmp_path / "drift"))
    assert_frame_equal(predict(loaded), predict(model))
    assert loaded.arrays_.ids["region"].dtype == model.arrays_.ids["region"].dtype


def test_pandas_values_of_many_dtypes_round_trip(tmp_path):
    model = Naive().fit(series_table(), keys=["region"])
    table = pd.DataFrame({
        "int": [1, 2, 3], "float": [0.5, np.nan, -np.inf], "bool": [True, False, True],
        "Int64": pd.array([1, None, 3], dtype="Int64"),
        "boolean": pd.array([True, None, False], dtype="boolean"),
        "Float64": pd.array([0.25, None, 1.0], dtype="Float64"),
        "string": pd.array(["a", None, "c"], dtype="string"),
        "object": ["x", None, 3],
        "category": pd.Categorical(["b", "a", "b"], categories=["b", "a"], ordered=True),
        "period": pd.PeriodIndex(["2024Q1", None, "2024Q3"], freq="Q"),
        "datetime": pd.to_datetime(["2024-01-01", None, "2024-03-01"]),
        "datetime_tz": pd.to_datetime(["2024-01-01", "2024-02-01", None]).tz_localize(
            "Europe/Berlin"),
    }, index=pd.Index(["r1", "r2", "r3"], name="row"))
    model.extra_ = {"table": table, "series": table["Int64"], 2: (np.float32(1.5), "t"),
                    "period": pd.Period("2024Q2", freq="Q"), "nan": float("nan")}
    loaded = tg.load(model.save(tmp_path / "naive"))
    assert_frame_equal(loaded.extra_["table"], table)
    pd.testing.assert_series_equal(loaded.extra_["series"], table["Int64"])
    assert loaded.extra_[2] == (np.float32(1.5), "t")
    assert type(loaded.extra_[2][0]) is np.float32
    assert loaded.extra_["period"] == pd.Period("2024Q2", freq="Q")
    assert np.isnan(loaded.extra_["nan"])


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_gap_forecaster_round_trip(panel, tmp_path):
    gap = GapForecaster(forecaster=Drift(), n_samples=200, random_state=3).fit(panel)
    before, paths = gap.predict(3, level=[80, 95]), gap.sample_paths(3).to_frame()
    loaded = tg.load(gap.save(tmp_path / "gap"))
    assert_frame_equal(loaded.predict(3, level=[80, 95]), before)
    assert_frame_equal(loaded.sample_paths(3).to_frame(), paths)
    assert_frame_equal(loaded.fitted_summary_, gap.fitted_summary_)
    assert loaded.seed_ == gap.seed_ and loaded.origin_ == gap.origin_
    assert loaded.demand_model_ is loaded.demand_.model  # shared objects stay shared
    assert before["p_shortage"].between(0, 1).all()


def test_gap_forecaster_with_hierarchy_and_known_supply(panel, tmp_path):
    regions = panel["region"].unique()
    origin = panel.loc[panel["demand"].notna(), "period"].max()
    cells = panel[["region", "industry"]].drop_duplicates()
    known = cells.assign(period=origin + 1, supply=5.0)
    gap = GapForecaster(forecaster=ETS(), n_samples=100,
                        hierarchy={"region": {r: "all regions" for r in regions}},
                        reconcile="wls_struct").fit(panel, future_supply=known)
    before = gap.predict(2, level=[80])
    loaded = tg.load(gap.save(tmp_path / "gap"))
    assert loaded.hierarchy_.n_nodes == gap.hierarchy_.n_nodes
    assert (loaded.hierarchy_.S != gap.hierarchy_.S).nnz == 0
    assert_frame_equal(loaded.predict(2, level=[80]), before)
    assert_frame_equal(loaded.sample_paths(2).to_frame(), gap.sample_paths(2).to_frame())


def test_a_generator_random_state_round_trips(panel, tmp_path):
    gap = GapForecaster(forecaster=Drift(), n_samples=50,
                        random_state=np.random.default_rng(7)).fit(panel)
    loaded = tg.load(gap.save(tmp_path / "gap"))
    assert loaded.random_state.bit_generator.state == gap.random_state.bit_generator.state
    assert_frame_equal(loaded.predict(2, level=None), gap.predict(2, level=None))


def test_metadata_describes_the_model(fitted, tmp_path):
    model = fitted["SARIMAX"][0]
    path = model.save(tmp_path / "sarimax", config={"plan": "2025", "levels": [80, 95]})
    metadata = read_metadata(path)
    assert metadata["format_version"] == FORMAT_VERSION
    assert metadata["talentgap_version"] == tg.__version__
    assert metadata["estimator"] == "SARIMAX"  # the registry name, whatever module holds it
    assert metadata["params"]["order"] == {"__type__": "tuple", "items": [1, 1, 0]}
    assert metadata["config"] == {"plan": "2025", "levels": [80, 95]}
    assert metadata["freq"] == "Q-DEC"
    assert metadata["input_schema"] == {
        "target": "value", "time": "period", "keys": ["region"], "exog": ["x"],
        "dtypes": {"region": str(model.arrays_.ids["region"].dtype),  # object; str in pandas 3
                   "period": "period[Q-DEC]", "value": "float64", "x": "float64"}}
    assert metadata["data_fingerprint"] == data_fingerprint(model)
    assert pd.Timestamp(metadata["created"]).tz is not None
    assert set(metadata["files"]) == {"state.json", "arrays.npz"}
    for name, digest in metadata["files"].items():
        assert hashlib.sha256((path / name).read_bytes()).hexdigest() == digest
    assert "pickle" not in (path / "state.json").read_text()


def test_fingerprint_changes_with_the_data():
    df = series_table()
    changed = df.assign(value=df["value"].where(df.index != 5, df["value"] + 1))
    fingerprint = data_fingerprint(Naive().fit(df, keys=["region"]))
    assert fingerprint == data_fingerprint(Naive().fit(df.iloc[::-1], keys=["region"]))
    assert fingerprint != data_fingerprint(Naive().fit(changed, keys=["region"]))


def test_saving_again_replaces_an_artifact_but_not_other_directories(fitted, tmp_path):
    model = fitted["Naive"][0]
    path = model.save(tmp_path / "model")
    fitted["Mean"][0].save(path)
    assert type(tg.load(path)) is Mean
    other = tmp_path / "notes"
    other.mkdir()
    (other / "README.txt").write_text("keep me")
    with pytest.raises(ArtifactError, match="not empty"):
        model.save(other)
    assert (other / "README.txt").read_text() == "keep me"


def _artifact_bytes(path: Path) -> dict[str, bytes]:
    """Every file of an artifact, without the time it was created."""
    files = {p.relative_to(path).as_posix(): p.read_bytes()
             for p in sorted(path.rglob("*")) if p.is_file()}
    metadata = json.loads(files.pop("metadata.json"))
    del metadata["created"], metadata["metadata_sha256"]
    files["metadata.json"] = json.dumps(metadata, sort_keys=True).encode()
    return files


@pytest.mark.parametrize("name", ["ETS", "AutoForecaster", "GlobalBoosting"])
def test_saving_twice_with_calls_in_between_gives_identical_bytes(name, tmp_path):
    model, future = fit(name, series_table())
    first = _artifact_bytes(model.save(tmp_path / "first"))
    predict(model, future)  # intervals: backtests for a new horizon
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        if future is None:  # (no future exogenous values this far ahead for the others)
            model.predict(2 * HORIZON + 3, level=[50, 99])
        model.cv_errors(HORIZON + 1)
    second = _artifact_bytes(model.save(tmp_path / "second"))
    assert first.keys() == second.keys()
    for file in first:
        assert first[file] == second[file], f"{file} changed after predict/cv_errors"


def test_gap_model_saved_twice_with_calls_in_between_gives_identical_bytes(panel, tmp_path):
    gap = GapForecaster(forecaster=AutoForecaster(
        candidates={"ets": ETS(), "drift": Drift()}, n_windows=2), n_samples=50).fit(panel)
    first = _artifact_bytes(gap.save(tmp_path / "first"))
    gap.predict(3, level=[50])
    gap.sample_paths(5).to_frame()
    second = _artifact_bytes(gap.save(tmp_path / "second"))
    assert first == second


@pytest.mark.parametrize("name", ["gap_auto", "gap_hierarchy", "boosting", "sarimax"])
def test_format_1_artifacts_load_and_predict_as_when_saved(name):
    metadata = read_metadata(FORMAT_1 / name)
    assert metadata["format_version"] == 1
    assert metadata["estimator"].startswith("talentgap.models.")  # module paths in format 1
    model = tg.load(FORMAT_1 / name)
    expected = pd.read_csv(FORMAT_1 / f"{name}_predict.csv")
    horizon = expected["period"].nunique()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        got = model.predict(horizon, level=[80])
        if name.startswith("gap"):
            # demand, supply and gap are the means of the paths (they were their centres)
            point = ["demand", "supply", "gap"]
            means = model.sample_paths(horizon).to_frame().groupby(
                [*model.keys, "period"], observed=True, sort=False)[point].mean()
            np.testing.assert_allclose(got[point].to_numpy(), means.to_numpy(), rtol=1e-9)
            got = got.drop(columns=[*point, "gap_median"])
            expected = expected.drop(columns=point)
    got = got.assign(period=got["period"].astype(str))
    assert list(got.columns) == list(expected.columns)
    # intervals are recomputed from the saved state by the current calibration (each series'
    # difficulty factor and scales without look-ahead came later, for the gap model's paths
    # too), so only their shape is as saved
    bounds = [c for c in expected.columns if re.fullmatch(r"(\w+_)?(lo|hi)_80", c)]
    for lo in [c for c in bounds if "lo_80" in c]:
        hi = lo.replace("lo_80", "hi_80")
        assert (got[lo] <= got[hi]).all(), lo
    if name.startswith("gap"):
        assert got["p_shortage"].between(0, 1).all()
        codes = {c for f in got["flag"].fillna("") for c in f.split(";") if c}
        assert codes <= set(FLAGS)
        bounds += ["p_shortage", "flag"]   # rising/falling flags follow the paths' means
    else:
        assert (got["lo_80"] <= got["mean"]).all() and (got["mean"] <= got["hi_80"]).all()
    got, expected = got.drop(columns=bounds), expected.drop(columns=bounds)
    for column in expected.columns:
        if pd.api.types.is_numeric_dtype(expected[column]):
            # the gap model's paths are float32 now: quantiles agree to float32 rounding
            rtol = 1e-6 if name.startswith("gap") else 1e-9
            np.testing.assert_allclose(got[column].to_numpy(dtype=float),
                                       expected[column].to_numpy(dtype=float),
                                       rtol=rtol, atol=1e-9, err_msg=column)
        else:
            assert got[column].astype(object).fillna("").astype(str).tolist() == \
                expected[column].astype(object).fillna("").astype(str).tolist(), column


def test_a_format_1_artifact_saved_again_is_format_2_and_loads(tmp_path):
    model = tg.load(FORMAT_1 / "gap_auto")
    path = model.save(tmp_path / "again")
    metadata = read_metadata(path)
    assert (metadata["format_version"], metadata["estimator"]) == (2, "GapForecaster")
    assert "talentgap.models" not in (path / "state.json").read_text()
    pd.testing.assert_frame_equal(tg.load(path).predict(3), model.predict(3))


# ---- refusals at save time -------------------------------------------------------------------
@pytest.mark.parametrize("model", [Naive(), GapForecaster()])
def test_saving_an_unfitted_model_is_refused(model, tmp_path):
    with pytest.raises(NotFittedError, match=r"call fit\(.*before save"):
        model.save(tmp_path / "model")
    assert not (tmp_path / "model").exists()


def test_unsupported_attribute_is_named_at_save_time(tmp_path):
    model = Naive().fit(series_table(), keys=["region"])
    model.states_[0]["state"]["hook"] = print
    with pytest.raises(ArtifactError,
                       match=r"model\.states_\[0\]\['state'\]\['hook'\].*builtin_function"):
        model.save(tmp_path / "model")
    assert not (tmp_path / "model").exists()


def test_config_must_be_json_data(fitted, tmp_path):
    with pytest.raises(ParameterError, match=r"config\['when'\] is a Timestamp"):
        fitted["Naive"][0].save(tmp_path / "model", config={"when": pd.Timestamp("2024")})


# ---- refusals at load time -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["metadata.json", "state.json", "arrays.npz",
                                  "sklearn/0.skops"])
def test_a_flipped_byte_in_any_file_is_refused(name, artifact):
    file = artifact / name
    data = bytearray(file.read_bytes())
    data[len(data) // 2] ^= 0x01
    file.write_bytes(bytes(data))
    rule = "not valid JSON|metadata_sha256 mismatch" if name == "metadata.json" else (
        rf"artifact 'model/{name}': sha256 mismatch \(expected [0-9a-f]{{12}}\.\.\., got "
        r"[0-9a-f]{12}\.\.\.\); the file was changed after saving")
    with pytest.raises(ArtifactError, match=rule):
        tg.load(artifact)


@pytest.mark.parametrize("name", ["arrays.npz", "state.json", "sklearn/0.skops"])
def test_a_pickle_payload_is_refused_even_with_matching_hashes(name, artifact, tmp_path):
    marker = tmp_path / "pickle-ran"
    rewrite(artifact, name, pickle.dumps(Trap(marker), protocol=4))
    with pytest.raises(ArtifactError, match=rf"'model/{name}': holds a pickle payload"):
        tg.load(artifact)
    assert not marker.exists()


def test_a_pickled_metadata_file_is_refused(artifact, tmp_path):
    marker = tmp_path / "pickle-ran"
    (artifact / "metadata.json").write_bytes(pickle.dumps(Trap(marker)))
    with pytest.raises(ArtifactError, match="'model/metadata.json': holds a pickle payload"):
        tg.load(artifact)
    assert not marker.exists()


def test_object_arrays_in_the_npz_are_refused(artifact, tmp_path):
    marker = tmp_path / "pickle-ran"
    buffer = io.BytesIO()
    np.savez(buffer, a0=np.array([Trap(marker)], dtype=object))
    rewrite(artifact, "arrays.npz", buffer.getvalue())
    with pytest.raises(ArtifactError, match="'model/arrays.npz'.*pickle"):
        tg.load(artifact)
    assert not marker.exists()


def test_a_listed_pickle_file_is_refused(artifact, tmp_path):
    rewrite(artifact, "model.pkl", pickle.dumps({"a": 1}, protocol=0))
    with pytest.raises(ArtifactError, match="'model/model.pkl': a pickle file"):
        tg.load(artifact)


def test_an_extra_file_is_refused(artifact):
    (artifact / "notes.txt").write_text("hello")
    with pytest.raises(ArtifactError, match="'model/notes.txt': an extra file, not listed"):
        tg.load(artifact)


def test_an_unlisted_pickle_file_is_refused(artifact):
    (artifact / "model.pkl").write_bytes(pickle.dumps(1))
    with pytest.raises(ArtifactError, match="'model/model.pkl': a pickle file"):
        tg.load(artifact)


@pytest.mark.parametrize("name", ["arrays.npz", "sklearn/0.skops"])
def test_a_missing_file_is_refused(name, artifact):
    (artifact / name).unlink()
    with pytest.raises(ArtifactError, match=rf"'model/{name}': missing; metadata.json lists"):
        tg.load(artifact)


def test_missing_metadata_is_refused(artifact):
    (artifact / "metadata.json").unlink()
    with pytest.raises(ArtifactError, match="'model/metadata.json': missing"):
        tg.load(artifact)


def test_a_newer_format_version_is_refused(artifact):
    metadata = json.loads((artifact / "metadata.json").read_text())
    metadata["format_version"] = FORMAT_VERSION + 1
    write_metadata(artifact, metadata)
    with pytest.raises(ArtifactError, match=f"format version {FORMAT_VERSION + 1} is newer"):
        tg.load(artifact)


def test_another_major_version_of_talentgap_is_refused(artifact):
    metadata = json.loads((artifact / "metadata.json").read_text())
    metadata["talentgap_version"] = "99.0.0"
    write_metadata(artifact, metadata)
    with pytest.raises(ArtifactError, match="major version 99"):
        tg.load(artifact)


def test_skops_types_outside_the_allow_list_are_refused(artifact):
    import skops.io

    rewrite(artifact, "sklearn/0.skops", skops.io.dumps(collections.Counter(a=1)))
    with pytest.raises(ArtifactError, match=r"outside the allow-list \(collections.Counter\)"):
        tg.load(artifact)


def test_classes_outside_the_allow_list_are_refused(artifact):
    state = json.loads((artifact / "state.json").read_text())
    state["state"]["states_"] = {"__type__": "estimator", "class": "os.system", "params": {},
                        "state": {}}
    rewrite(artifact, "state.json", json.dumps(state).encode())
    with pytest.raises(ArtifactError, match="'os.system' is not a talentgap estimator"):
        tg.load(artifact)


def test_state_that_does_not_match_the_metadata_is_refused(artifact):
    state = json.loads((artifact / "state.json").read_text())
    state["params"]["max_iter"] = 21
    rewrite(artifact, "state.json", json.dumps(state).encode())
    with pytest.raises(ArtifactError, match="parameters differ"):
        tg.load(artifact)


def test_a_metadata_file_that_is_not_a_regular_file_is_refused_before_reading(artifact):
    # a named pipe (or a link to /dev/zero) would block or never end if it were read
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    (artifact / "metadata.json").unlink()
    os.mkfifo(artifact / "metadata.json")
    writer = os.open(artifact / "metadata.json", os.O_RDWR | os.O_NONBLOCK)
    os.write(writer, b"{}")
    closer = threading.Timer(2.0, os.close, [writer])  # ends the read if it ever starts
    closer.start()
    try:
        with pytest.raises(ArtifactError, match="'model/metadata.json': not a regular file"):
            tg.load(artifact)
    finally:
        closer.cancel()
        closer.join()
        if closer.finished.is_set():
            try:
                os.close(writer)
            except OSError:
                pass


@pytest.mark.parametrize("text", ['{"format": NaN}', '{"format": Infinity}',
                                  "[" * 100_000 + "]" * 100_000])
def test_non_json_constants_and_deep_nesting_in_metadata_are_refused(text, artifact):
    (artifact / "metadata.json").write_text(text)
    with pytest.raises(ArtifactError, match="'model/metadata.json': (not valid JSON|JSON nested)"):
        tg.load(artifact)


def test_nan_in_forged_metadata_is_refused(artifact):
    text = (artifact / "metadata.json").read_text().replace('"config": null', '"config": NaN')
    (artifact / "metadata.json").write_text(text)
    with pytest.raises(ArtifactError, match="not valid JSON .*NaN is not a JSON value"):
        read_metadata(artifact)


def test_deeply_nested_state_is_refused(artifact):
    state = json.loads((artifact / "state.json").read_text())
    state["state"]["extra_"] = json.loads("[" * 900 + "]" * 900)  # parses, too deep to decode
    rewrite(artifact, "state.json", json.dumps(state).encode())
    with pytest.raises(ArtifactError, match="'model/state.json': values nested too deeply"):
        tg.load(artifact)


def test_out_of_range_values_in_state_are_refused(artifact):
    state = json.loads((artifact / "state.json").read_text())
    state["state"]["extra_"] = {"__type__": "pandas.Period", "freq": "Q", "ordinal": 10**30}
    rewrite(artifact, "state.json", json.dumps(state).encode())
    with pytest.raises(ArtifactError, match=r"model\.extra_: malformed 'pandas.Period'"):
        tg.load(artifact)


def test_compressed_npz_members_are_refused(artifact):
    # numpy.savez stores; a deflated member could expand far beyond the file (zip bomb)
    with np.load(artifact / "arrays.npz") as npz:
        arrays = {name: npz[name] for name in npz.files}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    rewrite(artifact, "arrays.npz", buffer.getvalue())
    with pytest.raises(ArtifactError, match="'model/arrays.npz': member 'a0.npy' is compressed"):
        tg.load(artifact)


def test_an_npz_header_claiming_more_data_than_the_file_holds_is_refused(artifact):
    with np.load(artifact / "arrays.npz") as npz:
        arrays = {name: npz[name] for name in npz.files}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, array)
            archive.writestr(f"{name}.npy", member.getvalue())
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            header, {"descr": "<f8", "fortran_order": False, "shape": (10**16,)})
        archive.writestr("huge.npy", header.getvalue())
    rewrite(artifact, "arrays.npz", buffer.getvalue())
    with pytest.raises(ArtifactError, match="'model/arrays.npz': an array is larger than"):
        tg.load(artifact)


def test_a_file_that_vanishes_while_loading_is_an_artifact_error(artifact, monkeypatch):
    # a concurrent save moves the directory away between listing and reading
    read_bytes = Path.read_bytes

    def vanishing(self):
        if self.name == "state.json":
            raise FileNotFoundError(2, "No such file or directory", str(self))
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", vanishing)
    with pytest.raises(ArtifactError, match="'model/state.json': cannot be read"):
        tg.load(artifact)


def test_a_load_while_another_thread_saves_over_the_artifact_gets_old_or_new(fitted, tmp_path):
    naive, mean = fitted["Naive"][0], fitted["Mean"][0]
    path = naive.save(tmp_path / "model")
    done, failures, loaded = threading.Event(), [], collections.Counter()

    def save_again_and_again():
        try:
            for i in range(40):
                (mean if i % 2 == 0 else naive).save(path)
        finally:
            done.set()

    saver = threading.Thread(target=save_again_and_again)
    saver.start()
    while not done.is_set():
        try:
            loaded[type(tg.load(path)).__name__] += 1
        except (ArtifactError, OSError) as error:
            failures.append(error)
    saver.join()
    assert not failures, f"{len(failures)} loads failed, e.g. {failures[0]}"
    assert set(loaded) <= {"Naive", "Mean"} and sum(loaded.values()) > 0
    assert not [p.name for p in tmp_path.iterdir() if p.name != "model"], "leftovers"
