"""Small numeric helpers: silent means, and numbers written as text.

``numpy.nanmean`` warns ("Mean of empty slice") on all-NaN slices, and silencing
it with :func:`warnings.catch_warnings` swaps process-wide state, which is not
safe while other threads run. :func:`nanmean` computes the same without any
warning.

Numbers in an input table are read strictly (``pandas.to_numeric``): the only
other spelling accepted is full-width digits (``１２０``, Unicode NFKC), which
can mean one number only. :func:`number_hints` says why other text is not a
number and how to write it: a thousands separator (``1,200``) or a decimal
comma (``2,5``) depends on the locale, so it is pointed out, never guessed;
a dash (``—``) is pointed out as maybe meaning 0, never read as 0.
:func:`read_numbers` reads a column this way, Unicode spaces around a number
(``28\u3000``) dropped as pandas drops ASCII ones.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = ["nanmean", "full_width_numbers", "number_hints", "read_numbers"]

#: Plain and full-width characters of a number: digits, sign, point, exponent, spaces.
_FULL_WIDTH = re.compile(r"^[\s0-9+\-.eE\uff0b\uff0d\uff0e\uff10-\uff19\uff25\uff45]*$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
#: Dashes a table writes for "none": hyphen, en and em dashes, minus, full-width forms.
_DASHES = re.compile(r"^[-\u2010-\u2015\u2212\u30fc\uff0d\u2500\u2014\s]+$")


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
    >>> number_hints(["1,200", "2,5", "１，２００", "abc", "—"]).tolist()
    ["'1,200': thousands separators are not read; write 1200", "'2,5': a decimal comma is not read; write 2.5", "'１，２００': thousands separators are not read (full-width digits are); write 1200", "'abc'", "'—': a dash is not read as a number; if it means none, write 0 (leave the cell empty if the number is unknown)"]
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
    if _DASHES.match(plain):
        return (f"{shown}: a dash is not read as a number; if it means none, write 0 "
                "(leave the cell empty if the number is unknown)")
    return shown


def read_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Text or numbers as numbers, and which were written in full-width digits.

    Unicode spaces around a value are dropped first (``"28\u3000"``, a
    full-width space as Chinese input methods type it, is 28, as ``" 28 "``
    is); a space inside (``"1 234"``) stays and the value is unread. Then
    ``pandas.to_numeric`` reads the values, and text of full-width digits
    (``１２０``) that it cannot read is read by :func:`full_width_numbers`:
    only those rows are flagged, never a value that differed by spaces
    alone. Works on distinct values.

    Returns
    -------
    numbers : numpy.ndarray of float
        NaN where a value is missing or not a number.
    widened : numpy.ndarray of bool
        The rows read from full-width digits.

    Examples
    --------
    >>> numbers, widened = read_numbers(pd.Series(["28\u3000", " 3", "1 234", None, 7, "１２"],
    ...                                           dtype=object))
    >>> numbers.tolist(), widened.tolist()
    ([28.0, 3.0, nan, nan, 7.0, 12.0], [False, False, False, False, False, True])
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    text = distinct.map(type).eq(str).to_numpy()
    if text.any():  # str.strip drops every Unicode space, U+3000 too
        distinct[text] = distinct[text].str.strip()
    read = np.array(pd.to_numeric(distinct, errors="coerce"), dtype=float)
    wide = np.zeros(len(read), dtype=bool)
    unread = np.isnan(read) & text
    if unread.any():
        read[unread] = full_width_numbers(distinct[unread])
        wide = unread & ~np.isnan(read)
    return np.append(read, np.nan)[codes], np.append(wide, False)[codes]
