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
the parts of its data fingerprint); no estimator imports this module.

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

import ctypes
import errno
import hashlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from talentgap import _registry
from talentgap._version import __version__
from talentgap.errors import ArtifactError, ParameterError
from talentgap.models._codec import SKLEARN_MODELS, SKOPS_TRUSTED, Decoder, Encoder, class_name
from talentgap.models._saving import install_saver

__all__ = ["save", "load", "read_metadata", "data_fingerprint", "FORMAT", "FORMAT_VERSION"]

#: The ``format`` field of every artifact.
FORMAT = "talentgap-model"
#: Version of the artifact layout written here; :func:`load` reads it and every earlier one.
FORMAT_VERSION = 2
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

_METADATA = "metadata.json"
_STATE = "state.json"
_ARRAYS = "arrays.npz"
_SKOPS = re.compile(r"sklearn/\d+\.skops")
_PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".pck")
#: Exceptions a malformed skops or npz file raises while being read.
_MALFORMED = (ValueError, KeyError, TypeError, OSError, EOFError, zipfile.BadZipFile,
              json.JSONDecodeError)


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
    if config is not None:
        if not isinstance(config, dict):
            raise ParameterError(f"config must be a dict, got {type(config).__name__}")
        _check_json(config, "config")
    encoder = Encoder()
    tree = encoder.encode(model, "model")
    files = {_STATE: _json_bytes(tree), _ARRAYS: _npz_bytes(encoder.arrays), **encoder.files}
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
        "files": {file: _sha256(data) for file, data in sorted(files.items())},
    }
    metadata["metadata_sha256"] = _metadata_hash(metadata)
    files[_METADATA] = _json_bytes(metadata, indent=2)
    return _write(Path(path), files)


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


def _json_bytes(value, indent: int | None = None) -> bytes:
    return (json.dumps(value, indent=indent, allow_nan=False, ensure_ascii=False)
            + "\n").encode("utf-8")


def _npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # the encoder stores no object arrays: nothing is pickled
    return buffer.getvalue()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _metadata_hash(metadata: dict) -> str:
    rest = {k: v for k, v in metadata.items() if k != "metadata_sha256"}
    return _sha256(json.dumps(rest, sort_keys=True, separators=(",", ":"),
                              allow_nan=False).encode("utf-8"))


def _write(target: Path, files: dict[str, bytes]) -> Path:
    """Write into a fresh sibling directory, then move it into place in one step.

    Replacing an earlier artifact is one atomic exchange of the two
    directories where the system offers it (Linux ``renameat2`` with
    ``RENAME_EXCHANGE``): the path always holds a complete artifact, the old
    one or the new one, and :func:`load` reads one of them (it reads again if
    the artifact was replaced while it was reading). Elsewhere the old
    directory is moved away and the new one moved in, two renames in a row.
    """
    if target.exists() and not target.is_dir():
        raise ArtifactError(f"cannot save to {str(target)!r}: it is a file, not a directory")
    replace = target.exists() and any(target.iterdir())
    if replace and not _is_artifact(target):
        raise ArtifactError(f"cannot save to {str(target)!r}: the directory is not empty and "
                            "does not hold a talentgap artifact; choose a new directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name, data in files.items():
            file = fresh / name
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(data)
        if not target.exists():
            os.replace(fresh, target)
        elif _exchange(fresh, target):
            pass  # the earlier artifact is now at ``fresh``, removed below
        else:
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, old / "artifact")
            try:
                os.replace(fresh, target)
            except OSError:
                os.replace(old / "artifact", target)  # put the earlier artifact back
                raise
            finally:
                shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return target


#: ``renameat2`` flag: swap the two paths atomically (Linux 3.15+).
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two directories in one atomic step; False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # no C library symbol (glibc < 2.28, musl)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    done = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                     _RENAME_EXCHANGE)
    if done == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # a file system without the exchange: rename in two steps
    raise OSError(error, os.strerror(error), str(second))


def _is_artifact(root: Path) -> bool:
    """Whether ``root`` holds only a talentgap artifact's files (safe to replace)."""
    if (root / _METADATA).is_symlink() or not (root / _METADATA).is_file():
        return False
    try:
        metadata = json.loads((root / _METADATA).read_text(encoding="utf-8"))
        listed = set(metadata["files"]) | {_METADATA}
        ok = metadata["format"] == FORMAT
    except (OSError, ValueError, KeyError, TypeError):
        return False
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if not p.is_dir()}
    return ok and present <= listed


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
    return _read_stable(Path(path))[0]


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
    root = Path(path)
    metadata, contents = _read_stable(root)

    def where(file: str) -> str:
        return f"{_label(root)}/{file}"

    state = _parse_json(contents[_STATE], where(_STATE))
    arrays = _read_npz(contents[_ARRAYS], where(_ARRAYS))
    used_files: set[str] = set()

    def load_file(file: str, expected: str):
        if not isinstance(file, str) or not _SKOPS.fullmatch(file) or file not in contents:
            raise ArtifactError(f"artifact {where(_STATE)!r}: refers to {file!r}, which is not "
                                "an sklearn/<n>.skops file of the artifact")
        used_files.add(file)
        return _load_sklearn(contents[file], where(file), expected)

    if not isinstance(state, dict) or state.get("__type__") != "estimator":
        raise ArtifactError(f"artifact {where(_STATE)!r}: does not hold an estimator")
    if state.get("class") != metadata["estimator"] or state.get("params") != metadata["params"]:
        raise ArtifactError(f"artifact {where(_STATE)!r}: its class or parameters differ from "
                            f"those in {where(_METADATA)!r}")
    legacy = metadata["format_version"] == 1
    decoder = Decoder(arrays, load_file, where(_STATE),
                      renamed=_FORMAT_1_CLASSES if legacy else None,
                      dropped=_FORMAT_1_CACHES if legacy else frozenset())
    try:
        model = decoder.decode(state, "model")
    except RecursionError:
        raise ArtifactError(f"artifact {where(_STATE)!r}: values nested too deeply; save "
                            "never writes them") from None
    unused = sorted(set(arrays) - decoder.used)
    skops_unused = sorted(f for f in contents if _SKOPS.fullmatch(f) and f not in used_files)
    if unused or skops_unused:
        raise ArtifactError(f"artifact {where(_ARRAYS if unused else skops_unused[0])!r}: "
                            f"holds data the model does not use ({(unused or skops_unused)[:5]})")
    if data_fingerprint(model) != metadata["data_fingerprint"]:
        raise ArtifactError(f"artifact {where(_METADATA)!r}: the loaded model's data "
                            "fingerprint differs from the recorded data_fingerprint")
    return model


#: Reads of an artifact that another process keeps replacing, before giving up.
_READ_ATTEMPTS = 5


def _read_stable(root: Path) -> tuple[dict, dict[str, bytes]]:
    """:func:`_read_verified` of one artifact, even while it is saved over.

    A read that passes the checks returns files that all belong to one
    artifact (each file's sha256 matches the metadata read first). A read
    that fails is tried again, up to :data:`_READ_ATTEMPTS` times, since a
    save that replaced the artifact while it was being read mixes the files
    of the two; an artifact that is really broken fails every time and its
    first error is raised.
    """
    first = None
    for _ in range(_READ_ATTEMPTS):
        try:
            return _read_verified(root)
        except ArtifactError as error:
            first = first or error
    raise first


def _read_verified(root: Path) -> tuple[dict, dict[str, bytes]]:
    """Metadata and the bytes of every listed file, after all file-level checks."""
    if not root.is_dir():
        raise ArtifactError(f"artifact {str(root)!r}: not a directory (load takes the "
                            "directory written by save)")
    where = f"{_label(root)}/{_METADATA}"
    if (root / _METADATA).is_symlink() or ((root / _METADATA).exists()
                                           and not (root / _METADATA).is_file()):
        # checked before reading: a link to /dev/zero or a named pipe would never end
        raise ArtifactError(f"artifact {where!r}: not a regular file; artifact files must be "
                            "regular files")
    try:
        raw = (root / _METADATA).read_bytes()
    except OSError:
        raise ArtifactError(f"artifact {where!r}: missing; a talentgap artifact starts with "
                            "its metadata.json") from None
    _refuse_pickle(where, raw)
    metadata = _parse_json(raw, where)
    _check_header(metadata, where)

    listed = metadata["files"]
    for name in listed:
        if name.lower().endswith(_PICKLE_SUFFIXES):
            raise ArtifactError(f"artifact '{_label(root)}/{name}': a pickle file; talentgap "
                                "artifacts never contain pickle, and it is not loaded")
        if name not in (_STATE, _ARRAYS) and not _SKOPS.fullmatch(name):
            raise ArtifactError(f"artifact {where!r}: lists {name!r}, which is not a file a "
                                "talentgap artifact holds (state.json, arrays.npz, "
                                "sklearn/<n>.skops)")
    for name in (_STATE, _ARRAYS):
        if name not in listed:
            raise ArtifactError(f"artifact {where!r}: does not list {name}")
    present = set()
    for file in sorted(root.rglob("*")):
        name = file.relative_to(root).as_posix()
        if file.is_symlink():
            raise ArtifactError(f"artifact '{_label(root)}/{name}': a symbolic link; artifact "
                                "files must be regular files")
        if file.is_file():
            present.add(name)
    extra = sorted(present - set(listed) - {_METADATA})
    if extra:
        kind = ("a pickle file; talentgap artifacts never contain pickle"
                if extra[0].lower().endswith(_PICKLE_SUFFIXES) else "an extra file")
        raise ArtifactError(f"artifact '{_label(root)}/{extra[0]}': {kind}, not listed in "
                            f"metadata.json; the artifact is not loaded")
    missing = sorted(set(listed) - present)
    if missing:
        raise ArtifactError(f"artifact '{_label(root)}/{missing[0]}': missing; metadata.json "
                            "lists it")
    contents = {}
    for name, expected in sorted(listed.items()):
        try:
            data = (root / name).read_bytes()
        except OSError as exc:
            raise ArtifactError(f"artifact '{_label(root)}/{name}': cannot be read ({exc}); if "
                                "it is being saved again, load it once that is done") from None
        got = _sha256(data)
        if got != expected:
            raise ArtifactError(f"artifact '{_label(root)}/{name}': sha256 mismatch (expected "
                                f"{str(expected)[:12]}..., got {got[:12]}...); the file was "
                                "changed after saving")
        _refuse_pickle(f"{_label(root)}/{name}", data)  # even with a matching (forged) hash
        contents[name] = data
    return metadata, contents


def _label(root: Path) -> str:
    """How messages name the artifact: its directory name."""
    return root.resolve().name or str(root)


def _check_header(metadata, where: str) -> None:
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        found = metadata.get("format") if isinstance(metadata, dict) else None
        raise ArtifactError(f"artifact {where!r}: not a talentgap model artifact (format "
                            f"{found!r}, expected {FORMAT!r})")
    version = metadata.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ArtifactError(f"artifact {where!r}: format_version {version!r} is not valid")
    if version > FORMAT_VERSION:
        raise ArtifactError(f"artifact {where!r}: format version {version} is newer than "
                            f"this talentgap ({__version__}) reads (up to {FORMAT_VERSION}); "
                            "upgrade talentgap to load it")
    written, ours = _major(metadata.get("talentgap_version")), _major(__version__)
    if written != ours:
        raise ArtifactError(f"artifact {where!r}: written by talentgap "
                            f"{metadata.get('talentgap_version')!r} (major version {written}); "
                            f"this talentgap {__version__} reads artifacts of major version "
                            f"{ours} only")
    needed = ("estimator", "params", "data_fingerprint", "files", "metadata_sha256")
    absent = [k for k in needed if k not in metadata]
    if absent or not isinstance(metadata["files"], dict):
        raise ArtifactError(f"artifact {where!r}: lacks the fields {absent or ['files']}")
    if metadata["metadata_sha256"] != _metadata_hash(metadata):
        raise ArtifactError(f"artifact {where!r}: metadata_sha256 mismatch; the file was "
                            "changed after saving")


def _major(version) -> int | None:
    match = re.match(r"(\d+)\.", version) if isinstance(version, str) else None
    return int(match.group(1)) if match else None


def _refuse_pickle(where: str, data: bytes) -> None:
    """Refuse data that is, or (zip) contains, a pickle payload."""
    if _is_pickle(data):
        raise ArtifactError(f"artifact {where!r}: holds a pickle payload (protocol {data[1]} "
                            "header); talentgap artifacts never contain pickle, and it is not "
                            "loaded")
    if not data.startswith(b"PK\x03\x04"):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                with archive.open(member) as handle:
                    head = handle.read(2)
                if member.filename.lower().endswith(_PICKLE_SUFFIXES) or _is_pickle(head):
                    raise ArtifactError(
                        f"artifact {where!r}: member {member.filename!r} holds a pickle "
                        "payload; talentgap artifacts never contain pickle, and it is not "
                        "loaded")
    except _MALFORMED as exc:
        raise ArtifactError(f"artifact {where!r}: not a readable zip file ({exc})") from None


def _is_pickle(data: bytes) -> bool:
    return len(data) >= 2 and data[0] == 0x80 and 2 <= data[1] <= 5


def _parse_json(data: bytes, where: str):
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ArtifactError(f"artifact {where!r}: not valid JSON ({exc})") from None
    except RecursionError:
        raise ArtifactError(f"artifact {where!r}: JSON nested too deeply; save never writes "
                            "it") from None


def _refuse_constant(name: str):
    """``NaN`` and ``Infinity`` are not JSON; save writes them as tagged strings."""
    raise ValueError(f"{name} is not a JSON value")


def _read_npz(data: bytes, where: str) -> dict[str, np.ndarray]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            packed = [m.filename for m in archive.infolist()
                      if m.compress_type != zipfile.ZIP_STORED]
    except _MALFORMED:
        packed = []  # np.load says what is wrong
    if packed:  # numpy.savez stores; a compressed member could expand without bound
        raise ArtifactError(f"artifact {where!r}: member {packed[0]!r} is compressed; save "
                            "writes arrays uncompressed")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except MemoryError:  # a header claiming more data than the file holds
        raise ArtifactError(f"artifact {where!r}: an array is larger than the file "
                            "holds") from None
    except AttributeError:  # a plain .npy: np.load returned an array, not an archive
        raise ArtifactError(f"artifact {where!r}: not an .npz archive") from None
    except ValueError as exc:
        raise ArtifactError(f"artifact {where!r}: {exc}; object arrays (pickle) are never "
                            "loaded") from None
    except _MALFORMED as exc:
        raise ArtifactError(f"artifact {where!r}: not a readable .npz file ({exc})") from None
    for name, array in arrays.items():
        if array.dtype.kind not in "biufcmMUS" or array.dtype.names is not None:
            raise ArtifactError(f"artifact {where!r}: array {name!r} has dtype {array.dtype}, "
                                "which an artifact does not hold")
    return arrays


def _load_sklearn(data: bytes, where: str, expected: str):
    """A scikit-learn model from skops bytes, trusting only the allow-listed types."""
    import skops.io

    try:
        untrusted = skops.io.get_untrusted_types(data=data)
    except _MALFORMED as exc:
        raise ArtifactError(f"artifact {where!r}: not a readable skops file ({exc})") from None
    refused = sorted(set(untrusted) - set(SKOPS_TRUSTED))
    if refused:
        raise ArtifactError(f"artifact {where!r}: holds types outside the allow-list "
                            f"({', '.join(refused)}); it is not loaded")
    try:
        model = skops.io.loads(data, trusted=list(untrusted))
    except _MALFORMED as exc:
        raise ArtifactError(f"artifact {where!r}: not a readable skops file ({exc})") from None
    if SKLEARN_MODELS.get(expected) is not type(model):
        raise ArtifactError(f"artifact {where!r}: holds a {class_name(type(model))}, expected "
                            f"{expected}")
    return model


install_saver(save)  # every estimator's ``save`` method calls :func:`save`
