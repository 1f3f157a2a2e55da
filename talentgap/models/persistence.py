"""Safe model artifacts: save a fitted estimator to a directory and load it back.

``est.save(path)`` (or :func:`save`) writes a directory; :func:`load`
(``tg.load(path)``) reads it. Loading never runs code from the artifact:
there is no pickle anywhere, arrays are read with ``allow_pickle=False``,
scikit-learn parts go through :mod:`skops.io` with an explicit allow-list
of types, and statsmodels results are never stored (SARIMAX keeps its data
and fitted parameters and re-runs the Kalman filter, which gives the same
forecasts). A loaded model predicts exactly what the saved one did.

Layout::

    model-dir/
        metadata.json      what the artifact is, and the sha256 of every other file
        state.json         the estimator: class, parameters and learned state as JSON
        arrays.npz         the numeric arrays state.json refers to (numpy.savez)
        sklearn/0.skops    scikit-learn models (GlobalBoosting only), via skops

``metadata.json`` holds ``format`` (``"talentgap-model"``),
``format_version``, ``talentgap_version``, ``created`` (UTC, ISO 8601),
``estimator`` (the class's registry name, e.g. ``"ETS"``), ``params``
(constructor parameters, encoded as in ``state.json``), ``input_schema``
(target, time, key and exogenous column names, and the dtypes of the
columns as the model holds them), ``freq``,
``data_fingerprint`` (see :func:`data_fingerprint`), ``config`` (the
caller's dict, or null), ``files`` (path -> sha256) and ``metadata_sha256``
(sha256 of the other fields as compact JSON with sorted keys). How values
are encoded is described in :mod:`talentgap.models._codec`.

:func:`load` refuses, with an :class:`~talentgap.errors.ArtifactError` that
names the file and the rule: a missing, extra or changed file (sha256), a
pickle payload (a file or zip member starting with a pickle protocol header,
a ``.pkl``/``.pickle``/``.joblib`` file, object arrays), a type outside the
allow-lists, a newer ``format_version``, or an artifact of another major
version of talentgap.

Format versions: 2 (written now) names classes by their registry name
(:mod:`talentgap._registry`); 1 named them by module path. Format-1
artifacts still load: their class names are translated, and the prediction
caches they may hold are dropped (they are recomputed, identically).
Persistence sits above the estimators: it reads the registry and asks each
estimator for what only it knows (whether it is fitted, its input schema,
the parts of its data fingerprint); no estimator imports this module. The
directory itself (the atomic write, the checks on files, versions and
sha256 before anything is decoded, the refusal of pickle) is handled by
:mod:`talentgap.models._artifact_files`; how values are encoded, by
:mod:`talentgap.models._codec`.

Examples
--------
>>> import tempfile, pandas as pd, talentgap as tg
>>> df = pd.DataFrame({"id": "a", "period": pd.period_range("2020Q1", periods=8, freq="Q"),
...                    "value": [3.0, 4, 5, 4, 6, 7, 6, 8]})
>>> fc = tg.models.Drift().fit(df, keys=["id"])
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = fc.save(f"{tmp}/drift", config={"run": "2024-demo"})
...     same = tg.load(path)
...     metadata = read_metadata(path)
>>> pd.testing.assert_frame_equal(same.predict(4), fc.predict(4))
>>> metadata["estimator"], metadata["config"], sorted(metadata["files"])
('Drift', {'run': '2024-demo'}, ['arrays.npz', 'state.json'])
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from talentgap import _registry
from talentgap._version import __version__
from talentgap.errors import ArtifactError, ParameterError, warn
from talentgap.models._artifact_files import (
    ARRAYS,
    FORMAT,
    FORMAT_VERSION,
    METADATA,
    SKOPS,
    STATE,
    artifact_label,
    json_bytes,
    load_sklearn,
    metadata_hash,
    npz_bytes,
    parse_json,
    read_npz,
    read_stable,
    sha256,
    write_artifact,
)
from talentgap.models._codec import Decoder, Encoder, class_name
from talentgap.models._saving import install_saver

__all__ = ["save", "load", "load_with_metadata", "read_metadata", "data_fingerprint",
           "FORMAT", "FORMAT_VERSION"]

#: Format 1 named classes by module path; their registry names now.
_FORMAT_1_CLASSES = {
    **{f"talentgap.models.baselines.{name}": name
       for name in ("Naive", "SeasonalNaive", "Drift", "Mean")},
    "talentgap.models.ets.ETS": "ETS",
    "talentgap.models.theta.Theta": "Theta",
    "talentgap.models.gbm.GlobalBoosting": "GlobalBoosting",
    "talentgap.models.sarimax.SARIMAX": "SARIMAX",
    "talentgap.models.auto.AutoForecaster": "AutoForecaster",
    "talentgap.models.gap.GapForecaster": "GapForecaster",
    "talentgap.models._series.SeriesArrays": "SeriesArrays",
    "talentgap.models.ets.ETSForm": "ETSForm",
    "talentgap.models.gap._Side": "GapSide",
    "talentgap.models.hierarchy.Hierarchy": "Hierarchy",
}
#: Prediction caches format 1 saved with the fitted state; read, then dropped.
_FORMAT_1_CACHES = frozenset({"_calibration", "_cache"})


# ---- save -------------------------------------------------------------------------------------
def save(model, path: str | os.PathLike, *, config: dict | None = None) -> Path:
    """Save a fitted estimator as an artifact directory.

    Parameters
    ----------
    model : BaseForecaster or GapForecaster
        A fitted talentgap estimator (any class of
        :func:`talentgap._registry.all_estimators`).
    path : str or path-like
        Directory to write. It must not exist, be empty, or hold an earlier
        talentgap artifact (which is replaced).
    config : dict, optional
        The caller's configuration (JSON data: dicts with str keys, lists,
        str, finite numbers, bool, None), stored in ``metadata.json``.

    Returns
    -------
    pathlib.Path
        The artifact directory.

    Raises
    ------
    NotFittedError
        If the estimator has not been fitted.
    ArtifactError
        If part of the estimator has a type an artifact cannot hold (the
        message names the attribute), or ``path`` is an unrelated file or
        non-empty directory.
    ParameterError
        If ``config`` is not JSON data.

    Warns
    -----
    UserWarning
        For a gap model without a ``horizon``: the prediction service fixes
        one when it loads the artifact (two years of periods by default), so
        its answers can differ from this model's ``predict(h)``; the message
        says how to choose the span.

    Notes
    -----
    The files are written to a new hidden sibling directory first. An
    earlier artifact at ``path`` is then replaced in one atomic step where
    the system can swap two directories (Linux): a :func:`load` running at
    the same time, in this or another process, gets the old or the new
    model, never an error. Elsewhere the old directory is moved away and the
    new one moved in by two renames, with a brief moment between them when
    ``path`` does not exist.

    Examples
    --------
    >>> import tempfile, pandas as pd, talentgap as tg
    >>> df = pd.DataFrame({"id": "a", "period": pd.period_range("2020", periods=5, freq="Y"),
    ...                    "value": [1.0, 2, 3, 4, 5]})
    >>> fc = tg.models.Naive().fit(df, keys=["id"])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     sorted(p.name for p in save(fc, f"{tmp}/naive").iterdir())
    ['arrays.npz', 'metadata.json', 'state.json']
    """
    name = _registry.registry_name(type(model))
    if name is None or name not in dict(_registry.all_estimators()):
        known = ", ".join(name for name, _ in _registry.all_estimators())
        raise ArtifactError(f"cannot save a {class_name(type(model))}: only these estimators "
                            f"can be saved: {known}")
    model._check_fitted("save")
    if name in dict(_registry.all_estimators(kind="gap")) and model.horizon is None:
        _warn_no_horizon(name)
    if config is not None:
        if not isinstance(config, dict):
            raise ParameterError(f"config must be a dict, got {type(config).__name__}")
        _check_json(config, "config")
    encoder = Encoder()
    tree = encoder.encode(model, "model")
    files = {STATE: json_bytes(tree), ARRAYS: npz_bytes(encoder.arrays), **encoder.files}
    schema = _input_schema(model)
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "talentgap_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "estimator": name,
        "params": tree["params"],
        "input_schema": schema,
        "freq": model._artifact_schema()["freq"],
        "data_fingerprint": data_fingerprint(model),
        "config": config,
        "files": {file: sha256(data) for file, data in sorted(files.items())},
    }
    metadata["metadata_sha256"] = metadata_hash(metadata)
    files[METADATA] = json_bytes(metadata, indent=2)
    return write_artifact(Path(path), files)


def _warn_no_horizon(name: str) -> None:
    """Say that the service will fix the horizon of a gap model saved without one."""
    level, frame = 3, sys._getframe(2)  # the caller of save, past talentgap's own frames
    while frame is not None and frame.f_globals.get("__name__", "").startswith("talentgap."):
        level, frame = level + 1, frame.f_back
    warn(f"saving a {name} without a horizon (horizon=None): the prediction service "
         "(talentgap serve) fixes one when it loads the model, by default two years of its "
         "periods (8 quarters; at most the longest its backtests can calibrate; setting "
         "horizon_at_load), answers every request from one simulation of that span and "
         "refuses longer requests, so its numbers can differ from this model's predict(h), "
         "which calibrates each h on its own; to choose the span, call "
         "model.set_params(horizon=8) (or the periods clients will ask for) before save, no "
         "refit needed, or fit GapForecaster(horizon=8)", UserWarning, stacklevel=level)


def _check_json(value, path: str) -> None:
    """Refuse anything but plain JSON data, naming where it is."""
    if value is None or isinstance(value, (bool, str, int)):
        return
    if isinstance(value, float):
        if not np.isfinite(value):
            raise ParameterError(f"{path} == {value!r}: config numbers must be finite")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_json(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ParameterError(f"{path} has the key {key!r}: config keys must be str")
            _check_json(item, f"{path}[{key!r}]")
        return
    raise ParameterError(f"{path} is a {type(value).__name__}: config must hold only JSON "
                         "data (dicts with str keys, lists, str, numbers, bool, None)")


def _input_schema(model) -> dict:
    """Column names and dtypes of the input, from the estimator's ``_artifact_schema()``."""
    schema = model._artifact_schema()
    keys, time, target, exog = schema["keys"], schema["time"], schema["target"], schema["exog"]
    dtypes = {key: str(schema["ids"][key].dtype) for key in keys}
    dtypes[time] = f"period[{schema['freq']}]"
    for column in [*([target] if isinstance(target, str) else target), *exog]:
        dtypes[column] = "float64"
    return {"target": target, "time": time, "keys": keys, "exog": exog, "dtypes": dtypes}


def data_fingerprint(model) -> str:
    """sha256 of the data a fitted estimator was fitted on, in a canonical form.

    For a forecaster: the frequency, the series' key values as text, the
    target values (float64, little-endian, one NaN bit pattern, no negative
    zero), which values were observed, the series lengths, their last
    periods (ordinals) and any exogenous values. For a
    :class:`~talentgap.models.GapForecaster`: the frequency, the cells as
    text, the origin, and its demand, supply and respondent histories
    (cells x periods) and known future supply. The same data give the same
    fingerprint whatever the dtypes of the key columns.

    Returns
    -------
    str
        64 hexadecimal digits.

    Examples
    --------
    >>> import pandas as pd, talentgap as tg
    >>> df = pd.DataFrame({"id": "a", "period": ["2020", "2021", "2022"], "value": [1, 2, 3]})
    >>> one = data_fingerprint(tg.models.Naive().fit(df, keys=["id"]))
    >>> two = data_fingerprint(tg.models.Mean().fit(df.astype({"id": "category"}), keys=["id"]))
    >>> one == two, len(one)
    (True, 64)
    """
    model._check_fitted("data_fingerprint")
    digest = hashlib.sha256()

    def add(name: str, value) -> None:
        digest.update(name.encode() + b"\0")
        if isinstance(value, str):
            digest.update(value.encode())
        elif isinstance(value, pd.DataFrame):
            text = {str(c): [None if pd.isna(v) else str(v) for v in value[c].astype(object)]
                    for c in value.columns}
            digest.update(json.dumps(text, sort_keys=True).encode())
        else:
            array = np.asarray(value)
            if array.dtype.kind == "f":
                array = np.where(np.isnan(array), np.nan, array + 0.0).astype("<f8")
            elif array.dtype.kind in "iub":
                array = array.astype("<i8")
            digest.update(f"{array.dtype.str}{array.shape}".encode())
            digest.update(np.ascontiguousarray(array).tobytes())
        digest.update(b"\0")

    for name, value in model._fingerprint_parts():
        add(name, json.dumps(value) if isinstance(value, list) else value)
    return digest.hexdigest()


# ---- load -------------------------------------------------------------------------------------
def read_metadata(path: str | os.PathLike) -> dict:
    """The metadata of an artifact, after checking every file (without building the model).

    Parameters
    ----------
    path : str or path-like
        Artifact directory written by :func:`save`.

    Returns
    -------
    dict
        The contents of ``metadata.json`` (see the module docstring).

    Raises
    ------
    ArtifactError
        As :func:`load`, for the checks on files and versions.

    Examples
    --------
    >>> import tempfile, pandas as pd, talentgap as tg
    >>> df = pd.DataFrame({"id": "a", "period": ["2021", "2022", "2023"], "value": [1, 2, 3]})
    >>> fc = tg.models.Mean().fit(df, keys=["id"])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     metadata = read_metadata(fc.save(f"{tmp}/mean", config={"source": "demo"}))
    >>> metadata["input_schema"]["keys"], metadata["freq"], metadata["config"]
    (['id'], 'Y-DEC', {'source': 'demo'})
    """
    return read_stable(Path(path))[0]


def load(path: str | os.PathLike):
    """Load an estimator saved with ``save``, checking the artifact first.

    Parameters
    ----------
    path : str or path-like
        Artifact directory written by :func:`save` (``est.save(path)``).

    Returns
    -------
    BaseForecaster or GapForecaster
        The fitted estimator; it predicts exactly what the saved one did.

    Raises
    ------
    ArtifactError
        If a file is missing, extra, changed since saving (sha256), holds a
        pickle payload or a type outside the allow-lists, or the artifact was
        written in a newer format or by another major version of talentgap.
        The message names the file and the rule.

    Examples
    --------
    >>> import tempfile, pandas as pd, talentgap as tg
    >>> df = pd.DataFrame({"id": "a", "period": pd.period_range("2020", periods=5, freq="Y"),
    ...                    "value": [1.0, 2, 3, 4, 5]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     fc = load(tg.models.Naive().fit(df, keys=["id"]).save(f"{tmp}/naive"))
    >>> fc.predict(2)["mean"].tolist()
    [5.0, 5.0]
    """
    return load_with_metadata(path)[1]


def load_with_metadata(path: str | os.PathLike) -> tuple[dict, object]:
    """The metadata and the estimator of an artifact, from one read of its files.

    :func:`read_metadata` then :func:`load` read every file twice, and a save
    over the artifact in between would pair one edition's metadata with
    another's model. Here each file is read once: the estimator is built from
    the files whose sha256 the metadata lists, so both belong to one edition,
    even while the artifact is saved over (the read is tried again then).

    Parameters
    ----------
    path : str or path-like
        Artifact directory written by :func:`save`.

    Returns
    -------
    metadata : dict
        As :func:`read_metadata`.
    model : BaseForecaster or GapForecaster
        As :func:`load`.

    Raises
    ------
    ArtifactError
        As :func:`load`.

    Examples
    --------
    >>> import tempfile, pandas as pd, talentgap as tg
    >>> df = pd.DataFrame({"id": "a", "period": ["2021", "2022", "2023"], "value": [1, 2, 3]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = tg.models.Mean().fit(df, keys=["id"]).save(f"{tmp}/mean")
    ...     metadata, fc = load_with_metadata(path)
    >>> metadata["estimator"], type(fc).__name__
    ('Mean', 'Mean')
    """
    root = Path(path)
    metadata, contents = read_stable(root)

    def where(file: str) -> str:
        return f"{artifact_label(root)}/{file}"

    state = parse_json(contents[STATE], where(STATE))
    arrays = read_npz(contents[ARRAYS], where(ARRAYS))
    used_files: set[str] = set()

    def load_file(file: str, expected: str):
        if not isinstance(file, str) or not SKOPS.fullmatch(file) or file not in contents:
            raise ArtifactError(f"artifact {where(STATE)!r}: refers to {file!r}, which is not "
                                "an sklearn/<n>.skops file of the artifact")
        used_files.add(file)
        return load_sklearn(contents[file], where(file), expected)

    if not isinstance(state, dict) or state.get("__type__") != "estimator":
        raise ArtifactError(f"artifact {where(STATE)!r}: does not hold an estimator")
    if state.get("class") != metadata["estimator"] or state.get("params") != metadata["params"]:
        raise ArtifactError(f"artifact {where(STATE)!r}: its class or parameters differ from "
                            f"those in {where(METADATA)!r}")
    legacy = metadata["format_version"] == 1
    decoder = Decoder(arrays, load_file, where(STATE),
                      renamed=_FORMAT_1_CLASSES if legacy else None,
                      dropped=_FORMAT_1_CACHES if legacy else frozenset())
    try:
        model = decoder.decode(state, "model")
    except RecursionError:
        raise ArtifactError(f"artifact {where(STATE)!r}: values nested too deeply; save "
                            "never writes them") from None
    unused = sorted(set(arrays) - decoder.used)
    skops_unused = sorted(f for f in contents if SKOPS.fullmatch(f) and f not in used_files)
    if unused or skops_unused:
        raise ArtifactError(f"artifact {where(ARRAYS if unused else skops_unused[0])!r}: "
                            f"holds data the model does not use ({(unused or skops_unused)[:5]})")
    if data_fingerprint(model) != metadata["data_fingerprint"]:
        raise ArtifactError(f"artifact {where(METADATA)!r}: the loaded model's data "
                            "fingerprint differs from the recorded data_fingerprint")
    return metadata, model


install_saver(save)  # every estimator's ``save`` method calls :func:`save`
