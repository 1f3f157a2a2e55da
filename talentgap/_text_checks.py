"""Blank and spaced text: the checks behind the key rules on written values.

A key value that is empty or whitespace only is missing (rule
``missing_value``); one that starts or ends with white space is refused
(rule ``surrounding_space``), never stripped silently. These functions find
both, on distinct values or on a column's categories, never on every row
when the distinct values will do; :mod:`talentgap._checks` turns them into
row failures.

:func:`fold_codes` gives the form two spellings of one code share (letter
case, full-width characters and spaces set aside): the codes of different
tables are compared in it (:mod:`talentgap.features.codes`), and so are the
enterprise ids of one period. :func:`totals_labels` finds the labels of a
totals or subtotal row (``合计``, ``小计``, ``Total``).

:func:`nfc_text` writes text keys in Unicode's composed form (NFC), so that
``"é"`` typed as one character and as ``e`` plus a combining accent (as
macOS file names and some exports give it) are one code at every input
boundary; :func:`line_broken` finds codes holding a line break (a cell of
a sheet written on two lines, rule ``line_break_in_code``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "is_blank",
    "strip_text",
    "blank_text",
    "suspect_text",
    "blank_and_spaced",
    "spaced_text",
    "fold_codes",
    "folds_apart",
    "TOTALS_LABELS",
    "totals_labels",
    "nfc_text",
    "nfc_codes",
    "line_broken",
]

#: The labels of a totals or subtotal row, in their :func:`fold_codes` form with every
#: space taken out (``Grand Total`` -> ``grandtotal``; traditional characters included).
TOTALS_LABELS = frozenset({"合计", "小计", "总计", "总计数", "全部", "合計", "小計", "總計",
                           "總計數", "total", "subtotal", "sum", "grandtotal"})


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


_SPACE_RUN = re.compile(r"[^\S\x00]+")  # white space other than the NUL separator
_SPACE_AT_EDGE = re.compile(r" ?\x00 ?")
_FINAL_COLON = re.compile(r":(?=\x00)")
#: The white space NFKC leaves as it is, other than the plain space.
_OTHER_SPACE = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u1680\u2028\u2029"
#: Every totals label, folded and without spaces, holds one of these.
_TOTALS_ANCHORS = ("合", "小", "总", "全", "總", "total", "sum")


def _needs_spacing(joined: str) -> bool:
    """Whether NUL-joined (NFKC) text has white space that folding changes.

    A few substring scans (``in`` runs in C), so that the regular-expression
    pass is only made when some value has a run of spaces, a space at an
    edge, or other white space.
    """
    if " " in joined and ("  " in joined or " \x00" in joined or "\x00 " in joined
                          or joined[:1] == " " or joined[-1:] == " "):
        return True
    return any(ch in joined for ch in _OTHER_SPACE)


def _fold_joined(items: list[str]) -> str:
    """:func:`fold_codes` of ``items`` (no NUL in them), joined by NUL characters."""
    joined = "\x00".join(items)
    if not joined.isascii():
        joined = unicodedata.normalize("NFKC", joined)  # NUL is a starter: no mixing
    joined = joined.casefold()
    if not _needs_spacing(joined):
        return joined
    return _SPACE_AT_EDGE.sub("\x00", _SPACE_RUN.sub(" ", joined)).strip(" ")


def _text_items(values: pd.Index) -> tuple[np.ndarray, list[str]]:
    """Which of ``values`` are text, and those values as a list of ``str``."""
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        text = ~np.asarray(values.isna())  # a string dtype: every present value is text
    elif pd.api.types.infer_dtype(values, skipna=False) == "string":
        text = np.ones(len(values), dtype=bool)
    else:
        text = np.array([isinstance(v, str) for v in values], dtype=bool)
    items = (values if text.all() else values[text]).tolist()
    return text, items


def folds_apart(values: pd.Index) -> bool:
    """Whether no two of ``values`` (distinct text) share a :func:`fold_codes` form.

    Decided from the joined text without folding each value when it can be:
    plain ASCII text written in one letter case throughout, without white
    space that folding changes, is folded one to one. Otherwise the folded
    forms are compared.

    Examples
    --------
    >>> folds_apart(pd.Index(["E001", "E002"])), folds_apart(pd.Index(["E001", "e001"]))
    (True, False)
    """
    _, items = _text_items(pd.Index(values))
    joined = "\x00".join(items)
    if (joined.isascii() and (joined.upper() == joined or joined.lower() == joined)
            and not _needs_spacing(joined)):
        return True
    return len(set(fold_codes(items))) == len(items)


def fold_codes(strings: Sequence[str]) -> list[str]:
    """The form spellings of one code share: NFKC, case-folded, spaces collapsed.

    Full-width and other compatibility characters become their plain form
    (Unicode NFKC: ``Ｅ００１`` -> ``E001``), letter case is folded, runs of
    white space become one space and none is kept around the text. The
    strings are joined by NUL characters and folded in one pass, so the work
    is done in C, not per value (a string holding a NUL is folded alone).

    Parameters
    ----------
    strings : sequence of str
        Distinct values, usually (the categories of a key column).

    Returns
    -------
    list of str
        The folded form of each string, in order.

    Examples
    --------
    >>> fold_codes(["E001", "e001", "Ｅ００１", " North  vale "])
    ['e001', 'e001', 'e001', 'north vale']
    """
    items = list(strings)
    if not items:
        return []
    folded = _fold_joined(items).split("\x00")
    if len(folded) == len(items):
        return folded
    return [_fold_joined([s.replace("\x00", " ")]) for s in items]  # rare: a NUL inside


def totals_labels(values: pd.Index) -> np.ndarray:
    """Which of ``values`` label a totals or subtotal row (:data:`TOTALS_LABELS`).

    Compared in the :func:`fold_codes` form with every space and a final
    colon taken out: case, full-width characters and spaces do not matter
    (``合　计``, ``TOTAL``, ``Grand total:``). Only text can be a label.

    Examples
    --------
    >>> totals_labels(pd.Index(["E1", "合　计", " Total ", "小计：", "totally", 3])).tolist()
    [False, True, True, True, False, False]
    """
    values = pd.Index(values)
    text, items = _text_items(values)
    out = np.zeros(len(values), dtype=bool)
    if not items:
        return out
    joined = _fold_joined(items)
    if joined.count("\x00") != len(items) - 1:  # rare: a NUL inside a value
        joined = "\x00".join(fold_codes(items))
    bare = joined.replace(" ", "")
    if not any(anchor in bare for anchor in _TOTALS_ANCHORS):
        return out  # the usual case: no value can be a label
    if ":" in bare:
        bare = _FINAL_COLON.sub("", bare + "\x00")[:-1]
    out[text] = pd.Index(bare.split("\x00")).isin(list(TOTALS_LABELS))
    return out


def nfc_text(values) -> pd.Index | None:
    """``values`` with their text in Unicode NFC, or None when it already is (the usual case).

    Decided on the text joined by NUL characters (a starter, so nothing
    composes across two values): ASCII text, or text already in NFC, is
    returned as None without a copy. Values that are not text are kept.

    Examples
    --------
    >>> import unicodedata
    >>> nfc_text(pd.Index(["Zürich", "Bern"])) is None
    True
    >>> nfc_text(pd.Index([unicodedata.normalize("NFD", "Zürich"), 3])).tolist()
    ['Zürich', 3]
    """
    values = pd.Index(values)
    text, items = _text_items(values)
    joined = "\x00".join(items)
    if joined.isascii() or unicodedata.is_normalized("NFC", joined):
        return None
    composed = unicodedata.normalize("NFC", joined).split("\x00")
    if len(composed) != len(items):  # rare: a NUL inside a value
        composed = [unicodedata.normalize("NFC", s) for s in items]
    out = values.to_numpy(dtype=object).copy()
    out[text] = composed
    return pd.Index(out, dtype=object)


def nfc_codes(codes: np.ndarray, uniques) -> tuple[np.ndarray, pd.Index]:
    """Factorized values (codes, -1 = missing, and distinct values) with the values in NFC.

    Distinct values that are one text once composed (:func:`nfc_text`)
    become one value, and the codes are renumbered to match.

    Examples
    --------
    >>> import unicodedata
    >>> codes, uniques = nfc_codes(np.array([0, 1, -1]), ["é", unicodedata.normalize("NFD", "é")])
    >>> codes.tolist(), uniques.tolist()
    ([0, 0, -1], ['é'])
    """
    uniques = pd.Index(uniques, dtype=object)
    composed = nfc_text(uniques)
    if composed is None:
        return codes, uniques
    renumber, merged = pd.factorize(composed)
    return np.append(renumber, -1)[codes], pd.Index(merged, dtype=object)


#: The characters :meth:`str.splitlines` breaks a line at.
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def line_broken(values: pd.Index) -> np.ndarray:
    """Which of ``values`` are text holding a line break (``"machine\\nbuilding"``).

    A quoted CSV field, or a sheet cell typed with Alt+Enter, can hold one;
    such a code reads as one name on screen but matches no other table.

    Examples
    --------
    >>> line_broken(pd.Index(["machine\\nbuilding", "textiles", 3])).tolist()
    [True, False, False]
    """
    values = pd.Index(values)
    text, items = _text_items(values)
    out = np.zeros(len(values), dtype=bool)
    joined = "".join(items)
    if joined.isprintable() or not any(ch in joined for ch in _LINE_BREAKS):
        return out
    out[np.flatnonzero(text)] = [any(ch in s for ch in _LINE_BREAKS) for s in items]
    return out
