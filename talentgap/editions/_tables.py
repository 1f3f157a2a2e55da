"""Forecast tables as checksummed bytes that round-trip every dtype the forecasts use.

A table is stored as compressed JSON: per column its name, a dtype
descriptor and its values. Periods are kept as ordinals with their
frequency, categoricals as codes with their categories, numpy numbers and
booleans with their dtype, pandas' string dtypes with their storage and
missing-value marker (``str`` and ``string`` stay apart, as do the python
and pyarrow storages), other nullable extension types by name, and text
of ``object`` dtype as ``object`` (pandas 3 would otherwise read it back
as ``str``); missing values are JSON ``null``. Nothing is pickled, so
reading a table never runs code. Floats are written with Python's
shortest exact representation, so values come back bit for bit.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"cell": pd.Categorical(["a", "b"]),
...                    "period": pd.period_range("2024Q1", periods=2, freq="Q"),
...                    "gap": [1.5, float("nan")], "flag": ["", "rising_demand"]})
>>> same = decode_table(encode_table(df))
>>> pd.testing.assert_frame_equal(same, df)
>>> str(same["period"].dtype)
'period[Q-DEC]'
>>> keys = pd.DataFrame({"region": pd.Series(["a", "b"], dtype=object)})
>>> decode_table(encode_table(keys))["region"].dtype
dtype('O')
"""

from __future__ import annotations

import json
import zlib

import numpy as np
import pandas as pd

from talentgap.errors import EditionError

__all__ = ["encode_table", "decode_table"]

#: Layout version of the encoded tables.
_VERSION = 1


def _plain(values) -> list:
    """A list of JSON values with ``None`` for every missing value."""
    return [None if pd.isna(v) else (v.item() if isinstance(v, np.generic) else v)
            for v in values]


def _encode_column(series: pd.Series) -> dict:
    dtype = series.dtype
    if isinstance(dtype, pd.PeriodDtype):
        ordinals = series.array.asi8
        missing = series.isna().to_numpy()
        return {"kind": "period", "freq": str(dtype)[len("period["):-1],
                "values": [None if m else int(o) for o, m in zip(ordinals, missing,
                                                                  strict=True)]}
    if isinstance(dtype, pd.CategoricalDtype):
        return {"kind": "category", "ordered": bool(dtype.ordered),
                "categories": _encode_column(pd.Series(dtype.categories)),
                "values": series.cat.codes.astype(int).tolist()}
    if isinstance(dtype, np.dtype) and dtype.kind in "fiub":
        return {"kind": "numpy", "dtype": dtype.str, "values": _plain(series.to_numpy())}
    if isinstance(dtype, pd.StringDtype):
        return {"kind": "string", "storage": dtype.storage,
                "na": "nan" if dtype.na_value is np.nan else "NA",
                "values": _plain(series.astype(object).to_numpy())}
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and not isinstance(
            dtype, pd.DatetimeTZDtype):
        return {"kind": "extension", "dtype": str(dtype),
                "values": _plain(series.astype(object).to_numpy())}
    if pd.api.types.is_object_dtype(dtype):
        values = series.to_numpy()
        if not all(v is None or isinstance(v, (str, bool, int, float)) or pd.isna(v)
                   for v in values):
            raise EditionError(f"column {series.name!r} holds values other than text and "
                               "numbers; an edition stores only plain tables")
        return {"kind": "object", "values": _plain(values)}
    raise EditionError(f"column {series.name!r} has dtype {dtype}, which an edition cannot "
                       "store; convert it to numbers, text, categories or periods")


def _decode_column(spec: dict) -> pd.Series:
    kind, values = spec["kind"], spec["values"]
    if kind == "period":
        ordinals = np.array([pd.NaT.value if v is None else v for v in values], dtype=np.int64)
        return pd.Series(pd.PeriodIndex.from_ordinals(ordinals, freq=spec["freq"]))
    if kind == "category":
        categories = _decode_column(spec["categories"])
        return pd.Series(pd.Categorical.from_codes(
            values, dtype=pd.CategoricalDtype(categories, ordered=spec["ordered"])))
    if kind == "numpy":
        dtype = np.dtype(spec["dtype"])
        fill = np.nan if dtype.kind == "f" else None
        return pd.Series(np.array([fill if v is None else v for v in values], dtype=dtype))
    if kind == "string":
        na_value = np.nan if spec["na"] == "nan" else pd.NA
        return pd.Series(pd.array(values, dtype=pd.StringDtype(spec["storage"],
                                                               na_value=na_value)))
    if kind == "extension":
        return pd.Series(pd.array(values, dtype=spec["dtype"]))
    if kind == "object":  # dtype=object: pandas 3 would infer its own ``str`` dtype
        return pd.Series(np.array(values, dtype=object), dtype=object)
    raise EditionError(f"stored column of unknown kind {kind!r}")


def encode_table(table: pd.DataFrame) -> bytes:
    """Encode a table (default index) as compressed JSON bytes.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns of numbers, booleans, text, categoricals or periods, with
        unique string names.

    Returns
    -------
    bytes

    Raises
    ------
    EditionError
        For a column of another dtype, or non-string or repeated column names.
    """
    names = list(table.columns)
    if not all(isinstance(c, str) for c in names) or len(set(names)) != len(names):
        raise EditionError(f"a stored table needs unique text column names, got {names}")
    doc = {"version": _VERSION, "n_rows": len(table),
           "columns": [{"name": c, **_encode_column(table[c])} for c in names]}
    return zlib.compress(json.dumps(doc, separators=(",", ":")).encode("utf-8"), 6)


def decode_table(data: bytes) -> pd.DataFrame:
    """Decode bytes written by :func:`encode_table` back to the same table.

    Raises
    ------
    EditionError
        If the bytes are not an encoded table of a known layout version.
    """
    try:
        doc = json.loads(zlib.decompress(data).decode("utf-8"))
        version, columns = doc["version"], doc["columns"]
    except (zlib.error, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise EditionError(f"a stored table cannot be read: {exc}") from exc
    if version != _VERSION:
        raise EditionError(f"a stored table has layout version {version}; this talentgap "
                           f"reads version {_VERSION}")
    out = pd.DataFrame({spec["name"]: _decode_column(spec) for spec in columns})
    if not columns:
        out = pd.DataFrame(index=pd.RangeIndex(doc["n_rows"]))
    return out
