"""Small numeric helpers: silent means, and numbers written as text.

``numpy.nanmean`` warns ("Mean of empty slice") on all-NaN slices, and silencing
it with :func:`warnings.catch_warnings` swaps process-wide state, which is not
safe while other threads run. :func:`nanmean` computes the same without any
warning.

Numbers in an input table are read strictly (``pandas.to_numeric``): the only
other spelling accepted is full-width digits (``１２０``, Unicode NFKC), which
can mean one number only. :func:`number_hints` says why other text is not a
number and how to write it: a thousands separator (``1,200``) or a decimal
comma (``2,5``) depends on the locale, so it is pointed out, never guessed.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = ["nanmean", "full_width_numbers", "number_hints"]

#: Plain and full-width characters of a number: digits, sign, point, exponent, spaces.
_FULL_WIDTH = re.compile(r"^[\s0-9+\-.eE\uff0b\uff0d\uff0e\uff10-\uff19\uff25\uff45]*$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    """Mean of the non-NaN values along ``axis``; NaN where there are none, and no warning.

    Examples
    --------
    >>> nanmean(np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan]]), axis=1)
    array([ 2., nan])
    """
    values = np.asarray(values, dtype=np.float64)
    count = np.sum(~np.isnan(values), axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(values, axis=axis) / count
    return np.where(count > 0, mean, np.nan)


def full_width_numbers(values: pd.Series) -> np.ndarray:
    """Values written with full-width digits (``１２０``) as numbers; NaN for any other.

    Only text made of full-width (or plain) digits, sign, point and spaces
    is read, through Unicode NFKC; text holding other characters that NFKC
    would turn into digits (``10²``) stays unread. Works on distinct values.

    Examples
    --------
    >>> full_width_numbers(pd.Series(["１２０", "１．５", "10²", "abc"])).tolist()
    [120.0, 1.5, nan, nan]
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    read = np.full(len(uniques) + 1, np.nan)
    for i, value in enumerate(uniques):  # distinct failing values only
        if isinstance(value, str) and not value.isascii() and _FULL_WIDTH.match(value):
            plain = unicodedata.normalize("NFKC", value).strip()
            read[i] = pd.to_numeric(plain, errors="coerce")
    return read[codes]


def number_hints(values) -> np.ndarray:
    """Why each of ``values`` (text that is not a number) is not one, and how to write it.

    Examples
    --------
    >>> number_hints(["1,200", "2,5", "１，２００", "abc"]).tolist()
    ["'1,200': thousands separators are not read; write 1200", "'2,5': a decimal comma is not read; write 2.5", "'１，２００': thousands separators are not read (full-width digits are); write 1200", "'abc'"]
    """  # noqa: E501 - a doctest's expected output is one line
    values = np.asarray(values, dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    hints = np.empty(len(uniques), dtype=object)
    for i, value in enumerate(uniques):  # distinct failing values only
        hints[i] = _hint(value)
    return hints[codes]


def _hint(value) -> str:
    shown = repr(value) if isinstance(value, str) else str(value)
    if not isinstance(value, str):
        return shown
    plain = unicodedata.normalize("NFKC", value).strip()
    wide = " (full-width digits are)" if plain != value.strip() else ""
    if _THOUSANDS.match(plain):
        return (f"{shown}: thousands separators are not read{wide}; "
                f"write {plain.replace(',', '')}")
    if _DECIMAL_COMMA.match(plain):
        return f"{shown}: a decimal comma is not read{wide}; write {plain.replace(',', '.')}"
    return shown
