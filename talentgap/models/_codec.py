"""Encode a fitted estimator as JSON plus numeric arrays, and back, without pickle.

The encoder walks an estimator's constructor parameters and instance
attributes and turns every value into JSON. Arrays go into a separate
mapping (saved as one ``.npz`` file) and are referenced by name;
scikit-learn models go through :mod:`skops.io` into files of their own.
Every other value is one of a short list of types, each written as a JSON
object with a ``"__type__"`` tag:

============================  ===================================================
value                         JSON
============================  ===================================================
None, bool, int, str          as is
float                         as is; ``{"__type__": "float", "value": "nan"}``
                              for NaN and infinities
list                          array
dict with str keys            object (tagged ``dict`` with ``items`` otherwise)
tuple                         ``tuple`` with ``items``
numpy scalar                  ``numpy.scalar``: dtype and value
numpy array                   ``ndarray``: name of the array in the ``.npz``;
                              object arrays (text, None) as a JSON list
pandas Period                 ``pandas.Period``: frequency and ordinal
pandas Index/Series/DataFrame ``pandas.*``: index, column labels, one entry per
                              column (numpy, Period, Categorical, datetime with
                              time zone, string and nullable dtypes)
scipy sparse CSR/CSC matrix   ``scipy.sparse``: shape and three arrays
numpy Generator               ``numpy.Generator``: bit generator name and state
numpy RandomState             ``numpy.RandomState``: bit generator name and state
talentgap estimator           ``estimator``: registry name, ``params``, ``state``
talentgap dataclass           ``dataclass``: registry name and fields
scikit-learn model            ``sklearn``: file written with skops
an object met before          ``ref``: path of its first occurrence
============================  ===================================================

An estimator's state is every instance attribute besides its parameters
(learned ``*_`` attributes and private ones alike), except the caches its
class lists in ``_transient_attributes``, which are not saved at all: an
artifact's bytes depend on the fitted state only, never on the calls made
between ``fit`` and ``save``.

Classes are named by their registry name (:mod:`talentgap._registry`), so a
class can move between modules without breaking saved files. Decoding accepts
only these tags, only registered estimators and data classes and the classes
in :data:`SKLEARN_MODELS`: nothing named in a file is imported or called.
Anything else raises :class:`~talentgap.errors.ArtifactError` naming the
attribute path (when saving) or the file (when loading).
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import zipfile
from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingRegressor

from talentgap import _registry
from talentgap.errors import ArtifactError

__all__ = ["Encoder", "Decoder", "SKLEARN_MODELS", "SKOPS_TRUSTED", "class_name",
           "canonical_skops"]


def class_name(cls: type) -> str:
    """Dotted name of a class, e.g. ``"sklearn.ensemble....HistGradientBoostingRegressor"``."""
    return f"{cls.__module__}.{cls.__qualname__}"


#: scikit-learn models stored with skops (the root object of a ``.skops`` file).
SKLEARN_MODELS = {class_name(cls): cls for cls in (HistGradientBoostingRegressor,)}
#: Types skops does not trust by default that these models need (the tree predictors,
#: and the input check of the categorical-feature preprocessor).
SKOPS_TRUSTED = (
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "functools.partial",
    "sklearn.utils.validation.check_array",
)
#: Bit generators a ``numpy.random.Generator`` may use.
_BIT_GENERATORS = {cls.__name__: cls for cls in (np.random.PCG64, np.random.PCG64DXSM,
                                                 np.random.Philox, np.random.SFC64,
                                                 np.random.MT19937)}
#: Array kinds stored in the ``.npz`` (bool, integers, floats, complex, datetimes, text).
_NPZ_KINDS = set("biufcmMUS")
#: pandas nullable dtypes, stored as values plus a missing-value mask.
_MASKED = {"boolean", "Float32", "Float64", *(f"{s}Int{b}" for s in ("", "U")
                                              for b in (8, 16, 32, 64))}
_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def canonical_skops(data: bytes) -> bytes:
    """The same skops file with its run-dependent details made deterministic.

    skops names objects (``__id__``) and array members by ``id()`` and stamps
    the zip members with the current time, so two dumps of one model differ.
    Here the ids are renumbered in order of first appearance (a one-to-one
    renaming, so shared references stay shared), array members are named
    after their new ids and the members are written in that order with a
    fixed timestamp: the same model always gives the same bytes, and
    :func:`skops.io.loads` reads them as before.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        schema = json.loads(archive.read("schema.json"))
        members = {info.filename: archive.read(info) for info in archive.infolist()
                   if info.filename != "schema.json"}
    ids: dict[int, int] = {}
    files: dict[str, str] = {}

    def renumber(node):
        if isinstance(node, dict):
            for key, item in node.items():
                if key == "__id__" and isinstance(item, int):
                    node[key] = ids.setdefault(item, len(ids))
                elif key == "file" and isinstance(item, str) and item in members:
                    node[key] = files.setdefault(item, f"{len(files)}.npy")
                else:
                    renumber(item)
        elif isinstance(node, list):
            for item in node:
                renumber(item)

    renumber(schema)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        fixed = (1980, 1, 1, 0, 0, 0)
        archive.writestr(zipfile.ZipInfo("schema.json", fixed),
                         json.dumps(schema, indent=2).encode("utf-8"))
        for old, new in files.items():
            archive.writestr(zipfile.ZipInfo(new, fixed), members[old])
        unnamed = sorted(set(members) - set(files))
        for name in unnamed:  # none in files skops writes today; kept, not dropped
            archive.writestr(zipfile.ZipInfo(name, fixed), members[name])
    return out.getvalue()


class Encoder:
    """Turns values into JSON; collects arrays and skops files on the way.

    Attributes
    ----------
    arrays : dict of str to numpy.ndarray
        Arrays to write to the ``.npz`` file, by name (``a0``, ``a1``, ...).
    files : dict of str to bytes
        Other files (skops) by path inside the artifact.
    """

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.files: dict[str, bytes] = {}
        self._seen: dict[int, tuple[str, object]] = {}

    def encode(self, value, path: str):
        """JSON for ``value``; ``path`` names it in error messages (``"states_[0]"``)."""
        if value is None:
            return None
        if isinstance(value, np.generic):  # before str and float: np.str_, np.float64
            return self._scalar(value, path)
        if isinstance(value, (bool, str)):
            return value
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value) if math.isfinite(value) else {"__type__": "float",
                                                              "value": str(value)}
        if isinstance(value, list):
            return [self.encode(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, tuple) and not hasattr(value, "_fields"):
            return {"__type__": "tuple",
                    "items": [self.encode(v, f"{path}[{i}]") for i, v in enumerate(value)]}
        if type(value) is dict:
            return self._dict(value, path)
        if isinstance(value, pd.Period):
            return {"__type__": "pandas.Period", "freq": value.freqstr,
                    "ordinal": int(value.ordinal), "value": str(value)}
        if isinstance(value, (np.random.Generator, np.random.RandomState)):
            return self._generator(value, path)
        seen = self._seen.get(id(value))
        if seen is not None and seen[1] is value:
            return {"__type__": "ref", "to": seen[0]}
        encoded = self._shared(value, path)
        self._seen[id(value)] = (path, value)  # keeps `value` alive while encoding
        return encoded

    def _shared(self, value, path: str):
        """Values whose identity is kept: a second occurrence becomes a ``ref``."""
        if type(value) is np.ndarray:  # not subclasses (masked arrays, matrices)
            return self._ndarray(value, path)
        if isinstance(value, pd.DataFrame):
            return {"__type__": "pandas.DataFrame",
                    "index": self.encode(value.index, f"{path}.index"),
                    "columns": self.encode(value.columns, f"{path}.columns"),
                    "data": [self._values(value.iloc[:, i], f"{path}[{value.columns[i]!r}]")
                             for i in range(value.shape[1])],
                    "attrs": self._dict(value.attrs, f"{path}.attrs")}
        if isinstance(value, pd.Series):
            return {"__type__": "pandas.Series", "name": self.encode(value.name, f"{path}.name"),
                    "index": self.encode(value.index, f"{path}.index"),
                    "values": self._values(value, path)}
        if isinstance(value, pd.RangeIndex):
            return {"__type__": "pandas.RangeIndex", "start": value.start, "stop": value.stop,
                    "step": value.step, "name": self.encode(value.name, f"{path}.name")}
        if isinstance(value, pd.MultiIndex):
            raise ArtifactError(f"cannot save {path}: a pandas MultiIndex is not supported; "
                                "reset it to columns first")
        if isinstance(value, pd.Index):
            return {"__type__": "pandas.Index", "name": self.encode(value.name, f"{path}.name"),
                    "values": self._values(value, path)}
        if sparse.issparse(value) and value.format in ("csr", "csc"):
            return {"__type__": "scipy.sparse", "format": value.format,
                    "array": isinstance(value, sparse.sparray), "shape": list(value.shape),
                    "data": self._store(value.data, f"{path}.data"),
                    "indices": self._store(value.indices, f"{path}.indices"),
                    "indptr": self._store(value.indptr, f"{path}.indptr")}
        registered = _registry.registry_name(type(value))
        if registered is not None and dataclasses.is_dataclass(value):
            return {"__type__": "dataclass", "class": registered,
                    "fields": {f.name: self.encode(getattr(value, f.name), f"{path}.{f.name}")
                               for f in dataclasses.fields(value)}}
        if registered is not None:
            return self._estimator(value, registered, path)
        name = class_name(type(value))
        if name in SKLEARN_MODELS and type(value) is SKLEARN_MODELS[name]:
            import skops.io

            file = f"sklearn/{len(self.files)}.skops"
            self.files[file] = canonical_skops(skops.io.dumps(value))
            return {"__type__": "sklearn", "class": name, "file": file}
        what = ("a scikit-learn estimator" if isinstance(value, BaseEstimator)
                else "an object")
        raise ArtifactError(
            f"cannot save {path}: {what} of type {name} is not one of the types a talentgap "
            "artifact stores (JSON values, numpy arrays, pandas tables, talentgap estimators, "
            f"{', '.join(SKLEARN_MODELS)})")

    def _estimator(self, value: BaseEstimator, name: str, path: str) -> dict:
        params = value.get_params(deep=False)
        transient = getattr(type(value), "_transient_attributes", ())
        state = {k: v for k, v in vars(value).items()
                 if k not in params and k not in transient}
        return {"__type__": "estimator", "class": name,
                "params": {k: self.encode(v, f"{path}.{k}") for k, v in params.items()},
                "state": {k: self.encode(v, f"{path}.{k}") for k, v in state.items()}}

    def _dict(self, value: dict, path: str) -> dict:
        items = [(k, self.encode(v, f"{path}[{k!r}]")) for k, v in value.items()]
        if all(type(k) is str for k in value) and "__type__" not in value:
            return dict(items)
        return {"__type__": "dict",
                "items": [[self.encode(k, f"{path}.keys()[{i}]"), v]
                          for i, (k, v) in enumerate(items)]}

    def _scalar(self, value: np.generic, path: str) -> dict:
        if value.dtype.kind not in "biufU" or (value.dtype.kind == "f"
                                                and value.dtype.itemsize > 8):
            raise ArtifactError(f"cannot save {path}: numpy scalar of dtype {value.dtype} is "
                                "not supported")
        return {"__type__": "numpy.scalar", "dtype": value.dtype.str,
                "value": self.encode(value.item(), path)}

    def _generator(self, value: np.random.Generator | np.random.RandomState,
                   path: str) -> dict:
        legacy = isinstance(value, np.random.RandomState)
        state = value.get_state(legacy=False) if legacy else value.bit_generator.state
        name = state["bit_generator"]
        if name not in _BIT_GENERATORS:
            raise ArtifactError(f"cannot save {path}: bit generator {name} is not supported")
        return {"__type__": "numpy.RandomState" if legacy else "numpy.Generator",
                "bit_generator": name, "state": self.encode(state, f"{path}.state")}

    def _store(self, array: np.ndarray, path: str) -> str:
        if array.dtype.kind not in _NPZ_KINDS or array.dtype.names is not None:
            raise ArtifactError(f"cannot save {path}: arrays of dtype {array.dtype} are not "
                                "supported")
        name = f"a{len(self.arrays)}"
        self.arrays[name] = array
        return name

    def _ndarray(self, array: np.ndarray, path: str) -> dict:
        if array.dtype.kind == "O":
            flat = array.ravel(order="C")
            return {"__type__": "ndarray", "dtype": "object", "shape": list(array.shape),
                    "items": [self.encode(v, f"{path}[{i}]") for i, v in enumerate(flat)]}
        return {"__type__": "ndarray", "ref": self._store(array, path)}

    def _values(self, values: pd.Series | pd.Index, path: str) -> dict:
        """One column (or index) by its dtype."""
        dtype = values.dtype
        if isinstance(dtype, np.dtype):
            return {"kind": "numpy", "array": self._ndarray(values.to_numpy(), path)}
        if isinstance(dtype, pd.PeriodDtype):
            return {"kind": "period", "freq": values.array.freqstr,
                    "ordinals": self._store(np.asarray(values.array.asi8), path)}
        if isinstance(dtype, pd.CategoricalDtype):
            return {"kind": "categorical", "ordered": bool(dtype.ordered),
                    "categories": self.encode(dtype.categories, f"{path}.categories"),
                    "codes": self._store(np.asarray(values.array.codes), path)}
        if isinstance(dtype, pd.DatetimeTZDtype):
            naive = pd.DatetimeIndex(values).tz_convert("UTC").tz_localize(None)
            return {"kind": "datetime_tz", "tz": str(dtype.tz),
                    "utc": self._store(naive.to_numpy(), path)}
        if isinstance(dtype, pd.StringDtype):
            missing = np.asarray(values.isna())
            items = values.to_numpy(dtype=object)
            return {"kind": "string", "storage": dtype.storage,
                    "na": "NA" if dtype.na_value is pd.NA else "nan",
                    "items": [None if m else str(v) for v, m in zip(items, missing, strict=True)]}
        if dtype.name in _MASKED:
            mask = np.asarray(values.isna())
            fill = False if dtype.name == "boolean" else 0
            data = values.array.to_numpy(dtype=dtype.numpy_dtype, na_value=fill)
            return {"kind": "masked", "dtype": dtype.name, "data": self._store(data, path),
                    "mask": self._store(mask, f"{path}.mask")}
        raise ArtifactError(f"cannot save {path}: pandas dtype {dtype} is not supported")


class Decoder:
    """Rebuilds values from the JSON written by :class:`Encoder`.

    Parameters
    ----------
    arrays : mapping of str to numpy.ndarray
        The arrays of the ``.npz`` file.
    load_file : callable
        ``load_file(path, class_name)`` returns the scikit-learn model stored
        in the artifact file ``path`` (checked against the allow-list).
    where : str
        Name of the file being decoded, for error messages.
    renamed : mapping of str to str, optional
        Registry names of classes that older artifacts named otherwise (format 1
        used dotted module paths).
    dropped : set of str, optional
        Estimator attributes that older artifacts saved but estimators no
        longer keep (caches): read, so that their arrays count as used, and
        not set.
    """

    def __init__(self, arrays, load_file: Callable[[str, str], object], where: str,
                 renamed: dict[str, str] | None = None,
                 dropped: frozenset[str] = frozenset()) -> None:
        self.arrays = arrays
        self._renamed = renamed or {}
        self._dropped = dropped
        self.used: set[str] = set()
        self._load_file = load_file
        self._where = where
        self._done: dict[str, object] = {}

    def _fail(self, path: str, problem: str):
        raise ArtifactError(f"artifact {self._where!r}: {path}: {problem}")

    def decode(self, value, path: str):
        """The value ``value`` (JSON) stands for; ``path`` as in :meth:`Encoder.encode`."""
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, list):
            return [self.decode(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if not isinstance(value, dict):
            self._fail(path, f"unexpected JSON value of type {type(value).__name__}")
        tag = value.get("__type__")
        if tag is None:
            return {k: self.decode(v, f"{path}[{k!r}]") for k, v in value.items()}
        handler = _HANDLERS.get(tag) if isinstance(tag, str) else None
        if handler is None:
            self._fail(path, f"unknown value type {tag!r}")
        try:
            out = handler(self, value, path)
        except ArtifactError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError,
                OverflowError) as exc:
            self._fail(path, f"malformed {tag!r} entry ({type(exc).__name__}: {exc})")
        if tag in _SHARED_TAGS:
            self._done[path] = out
        return out

    def _array(self, name, path: str) -> np.ndarray:
        if not isinstance(name, str) or name not in self.arrays:
            self._fail(path, f"array {name!r} is not in the arrays file")
        self.used.add(name)
        return self.arrays[name]

    # ---- one method per tag ------------------------------------------------------------
    def _float(self, value, path):
        return _FLOATS[value["value"]]

    def _tuple(self, value, path):
        return tuple(self.decode(v, f"{path}[{i}]") for i, v in enumerate(value["items"]))

    def _dict_items(self, value, path):
        out = {}
        for i, (key, item) in enumerate(value["items"]):
            key = self.decode(key, f"{path}.keys()[{i}]")
            out[key] = self.decode(item, f"{path}[{key!r}]")
        return out

    def _scalar(self, value, path):
        dtype = np.dtype(value["dtype"])
        if dtype.kind not in "biufU":
            self._fail(path, f"numpy scalar of dtype {dtype} is not supported")
        return dtype.type(self.decode(value["value"], path))

    def _period(self, value, path):
        return pd.PeriodIndex.from_ordinals([int(value["ordinal"])], freq=value["freq"])[0]

    def _generator(self, value, path):
        cls = _BIT_GENERATORS.get(value["bit_generator"])
        if cls is None:
            self._fail(path, f"bit generator {value['bit_generator']!r} is not supported")
        bit_generator = cls()
        bit_generator.state = self.decode(value["state"], f"{path}.state")
        if value["__type__"] == "numpy.RandomState":
            return np.random.RandomState(bit_generator)
        return np.random.Generator(bit_generator)

    def _ref(self, value, path):
        target = value["to"]
        if target not in self._done:
            self._fail(path, f"reference to {target!r}, which comes later or does not exist")
        return self._done[target]

    def _ndarray(self, value, path):
        if "ref" in value:
            return self._array(value["ref"], path)
        if value["dtype"] != "object":
            self._fail(path, f"inline arrays must have dtype object, not {value['dtype']!r}")
        items = [self.decode(v, f"{path}[{i}]") for i, v in enumerate(value["items"])]
        out = np.empty(len(items), dtype=object)
        out[:] = items
        return out.reshape([int(n) for n in value["shape"]])

    def _values(self, value: dict, path: str):
        """A column's values as an array pandas takes without re-inferring the dtype."""
        kind = value["kind"]
        if kind == "numpy":
            return self.decode(value["array"], path)
        if kind == "period":
            ordinals = self._array(value["ordinals"], path)
            return pd.PeriodIndex.from_ordinals(ordinals, freq=value["freq"]).array
        if kind == "categorical":
            categories = self.decode(value["categories"], f"{path}.categories")
            dtype = pd.CategoricalDtype(categories, ordered=bool(value["ordered"]))
            return pd.Categorical.from_codes(self._array(value["codes"], path), dtype=dtype)
        if kind == "datetime_tz":
            utc = pd.DatetimeIndex(self._array(value["utc"], path)).tz_localize("UTC")
            return utc.tz_convert(value["tz"]).array
        if kind == "string":
            if value["na"] == "NA":
                dtype = pd.StringDtype(value["storage"])
            else:
                dtype = pd.StringDtype(value["storage"], na_value=np.nan)
            return pd.array(list(value["items"]), dtype=dtype)
        if kind == "masked" and value["dtype"] in _MASKED:
            dtype = pd.api.types.pandas_dtype(value["dtype"])
            data = self._array(value["data"], path)
            mask = self._array(value["mask"], f"{path}.mask")
            return dtype.construct_array_type()(data.astype(dtype.numpy_dtype, copy=True),
                                                mask.astype(bool, copy=True))
        self._fail(path, f"unknown column kind {kind!r}")

    def _index(self, value, path):
        values = self._values(value["values"], path)
        return pd.Index(values, name=self.decode(value["name"], f"{path}.name"),
                        dtype=values.dtype, copy=False)

    def _range_index(self, value, path):
        return pd.RangeIndex(int(value["start"]), int(value["stop"]), int(value["step"]),
                             name=self.decode(value["name"], f"{path}.name"))

    def _series(self, value, path):
        index = self.decode(value["index"], f"{path}.index")
        values = self._values(value["values"], path)
        return pd.Series(values, index=index, name=self.decode(value["name"], f"{path}.name"),
                         copy=False)

    def _frame(self, value, path):
        index = self.decode(value["index"], f"{path}.index")
        columns = self.decode(value["columns"], f"{path}.columns")
        if len(value["data"]) != len(columns):
            self._fail(path, f"{len(columns)} column labels but {len(value['data'])} columns")
        data = [self._values(v, f"{path}[{label!r}]")
                for label, v in zip(columns, value["data"], strict=True)]
        # each column as a Series of its own dtype: pandas would infer ``str`` for text
        # held in object arrays, and a loaded model must hold the dtypes it was saved with
        frame = pd.DataFrame({i: pd.Series(values, index=index, dtype=values.dtype,
                                           copy=False)
                              for i, values in enumerate(data)}, index=index)
        frame.columns = columns
        frame.attrs = self.decode(value["attrs"], f"{path}.attrs")
        return frame

    def _sparse(self, value, path):
        parts = [self._array(value[k], f"{path}.{k}") for k in ("data", "indices", "indptr")]
        kinds = {("csr", False): sparse.csr_matrix, ("csc", False): sparse.csc_matrix,
                 ("csr", True): sparse.csr_array, ("csc", True): sparse.csc_array}
        cls = kinds[(value["format"], bool(value["array"]))]
        return cls(tuple(parts), shape=tuple(int(n) for n in value["shape"]))

    def _registered(self, name, lookup, what: str, path: str) -> type:
        name = self._renamed.get(name, name)
        try:
            return lookup(name)
        except (KeyError, TypeError):
            self._fail(path, f"class {name!r} is not a talentgap {what}")

    def _estimator(self, value, path):
        cls = self._registered(value["class"], _registry.estimator_class, "estimator", path)
        params = {k: self.decode(v, f"{path}.{k}") for k, v in value["params"].items()}
        estimator = cls(**params)
        for name, item in value["state"].items():
            decoded = self.decode(item, f"{path}.{name}")
            if name not in self._dropped:
                setattr(estimator, name, decoded)
        return estimator

    def _dataclass(self, value, path):
        cls = self._registered(value["class"], _registry.dataclass_class, "data class", path)
        return cls(**{k: self.decode(v, f"{path}.{k}") for k, v in value["fields"].items()})

    def _sklearn(self, value, path):
        if value["class"] not in SKLEARN_MODELS:
            self._fail(path, f"scikit-learn class {value['class']!r} is not allowed")
        return self._load_file(value["file"], value["class"])


_HANDLERS = {
    "float": Decoder._float, "tuple": Decoder._tuple, "dict": Decoder._dict_items,
    "numpy.scalar": Decoder._scalar, "pandas.Period": Decoder._period,
    "numpy.Generator": Decoder._generator, "numpy.RandomState": Decoder._generator,
    "ref": Decoder._ref, "ndarray": Decoder._ndarray,
    "pandas.DataFrame": Decoder._frame, "pandas.Series": Decoder._series,
    "pandas.RangeIndex": Decoder._range_index, "pandas.Index": Decoder._index,
    "scipy.sparse": Decoder._sparse, "estimator": Decoder._estimator,
    "dataclass": Decoder._dataclass, "sklearn": Decoder._sklearn,
}
#: Tags of values :class:`Encoder` may refer back to.
_SHARED_TAGS = {"ndarray", "pandas.DataFrame", "pandas.Series", "pandas.RangeIndex",
                "pandas.Index", "scipy.sparse", "estimator", "dataclass", "sklearn"}

