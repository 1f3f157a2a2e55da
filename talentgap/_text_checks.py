"""Blank and spaced text: the checks behind the key rules on written values.

A key value that is empty or whitespace only is missing (rule
``missing_value``); one that starts or ends with white space is refused
(rule ``surrounding_space``), never stripped silently. These functions find
both, on distinct values or on a column's categories, never on every row
when the distinct values will do; :mod:`talentgap._checks` turns them into
row failures.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = [
    "is_blank",
    "strip_text",
    "blank_text",
    "any_blank_text",
    "suspect_text",
    "blank_and_spaced",
    "spaced_text",
]


def is_blank(values: pd.Series) -> np.ndarray:
    """Missing values, and strings that are empty or whitespace only.

    Examples
    --------
    >>> is_blank(pd.Series(["Ouhai", "  ", None, ""])).tolist()
    [False, True, True, True]
    """
    blank = values.isna().to_numpy().copy()
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        present = np.flatnonzero(~blank)
        text = values.iloc[present].astype(str).to_numpy(dtype=str)
        blank[present[strip_text(text) == ""]] = True
    return blank


def strip_text(text: np.ndarray) -> np.ndarray:
    """``str.strip`` of every element of a numpy unicode array (vectorised on numpy >= 2).

    Examples
    --------
    >>> strip_text(np.array([" Ouhai", "Longwan\u3000"])).tolist()
    ['Ouhai', 'Longwan']
    """
    strings = getattr(np, "strings", None)
    if strings is not None:
        return strings.strip(text)
    return np.char.strip(text)  # numpy 1.26


def blank_text(text: np.ndarray) -> np.ndarray:
    """Empty or whitespace-only entries of a numpy unicode array.

    Examples
    --------
    >>> blank_text(np.array(["Ouhai", "", " \t"])).tolist()
    [False, True, True]
    """
    strings = getattr(np, "strings", None)
    if strings is not None:
        return (strings.str_len(text) == 0) | strings.isspace(text)
    return (np.char.str_len(text) == 0) | np.char.isspace(text)  # numpy 1.26


_BLANK_SEGMENT = re.compile(r"\x00\s*\x00")  # \s: the characters str.isspace accepts


def any_blank_text(strings: pd.Index) -> bool:
    """Whether any of ``strings`` (all ``str``) is empty or whitespace only.

    One regular-expression scan over the strings joined by NUL characters
    (far cheaper than a numpy unicode copy of many distinct strings); a NUL
    inside a string can only make the scan report a candidate, which is then
    checked string by string with :func:`blank_text`.
    """
    items = strings.to_numpy(dtype=object).tolist()
    if _BLANK_SEGMENT.search("\x00" + "\x00".join(items) + "\x00") is None:
        return False
    return bool(blank_text(np.asarray(items, dtype=str)).any()) if items else False


# after a NUL: an empty string or one starting with white space. Searched in the joined
# strings and in their reverse (strings ending with white space): a pattern that starts
# with a literal is found far faster than one that starts with a class.
_EDGE = re.compile(r"\x00[\x00\s]")


def suspect_text(strings: pd.Index) -> bool:
    """Whether any of ``strings`` (all ``str``) may be blank or start or end with a space.

    ``False`` proves that none is empty, whitespace only, or has surrounding
    white space. Text in Arrow storage is judged by its distinct first and
    last characters (sliced in Arrow, no Python string per value); other
    strings by two regular-expression scans over the strings joined by NUL
    characters, cheaper than a numpy unicode copy of many distinct strings.
    ``True`` only says the strings need a closer look (in the scans, a NUL
    inside a string can raise a false alarm): see :func:`spaced_text` and
    :func:`blank_text`.

    Examples
    --------
    >>> suspect_text(pd.Index(["Ouhai", "Longwan"])), suspect_text(pd.Index(["Longwan "]))
    (False, True)
    """
    if isinstance(strings.dtype, pd.StringDtype) and strings.dtype.storage == "pyarrow":
        # first and last characters ("" for an empty string), sliced in Arrow: a few
        # distinct ones to look at, and no Python string made per value
        edges = {*strings.str[:1].unique().tolist(), *strings.str[-1:].unique().tolist()}
        return any(isinstance(c, str) and (c == "" or c.isspace()) for c in edges)
    joined = "\x00" + "\x00".join(strings.to_numpy(dtype=object).tolist()) + "\x00"
    return _EDGE.search(joined) is not None or _EDGE.search(joined[::-1]) is not None


def blank_and_spaced(uniques: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Blank values (missing, empty, whitespace only) and text with surrounding spaces.

    Both per distinct value, from one ``strip``.

    Examples
    --------
    >>> blank, spaced = blank_and_spaced(pd.Index(["Ouhai", " ", None, "Longwan "]))
    >>> blank.tolist(), spaced.tolist()
    ([False, True, True, False], [False, False, False, True])
    """
    series = pd.Series(uniques, dtype=object)
    blank = series.isna().to_numpy().copy()
    spaced = np.zeros(len(series), dtype=bool)
    present = np.flatnonzero(~blank)
    text = series.iloc[present].astype(str).to_numpy(dtype=str)
    stripped = strip_text(text)
    empty = stripped == ""
    blank[present[empty]] = True
    differs = present[(stripped != text) & ~empty]
    if differs.size:  # only text counts (str() of another object is not its value)
        spaced[differs] = [isinstance(series.iloc[i], str) for i in differs]
    return blank, spaced


def spaced_text(values: pd.Index) -> np.ndarray:
    """Which of ``values`` are text that starts or ends with white space.

    Blank (whitespace-only) strings are not counted: they are missing
    values. Full-width spaces (U+3000) count as spaces.

    Examples
    --------
    >>> spaced_text(pd.Index(["Longwan ", "Longwan", " Ouhai", "   ", 7])).tolist()
    [True, False, True, False, False]
    """
    return blank_and_spaced(pd.Index(values, dtype=object))[1]
