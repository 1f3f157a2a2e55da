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

Each of these reads the distinct values as one string (joined by NUL
characters). Within :func:`shared_text` (as :func:`talentgap.schema.validate`
runs), that string is made once per index of distinct values, however many
checks read it.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import unicodedata
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "is_blank",
    "strip_text",
    "suspect_text",
    "plain_ascii_text",
    "blank_and_spaced",
    "fold_codes",
    "folds_apart",
    "TOTALS_LABELS",
    "totals_labels",
    "nfc_text",
    "nfc_codes",
    "line_broken",
    "shared_text",
]

#: The labels of a totals or subtotal row, in their :func:`fold_codes` form with every
#: space taken out (``Grand Total`` -> ``grandtotal``; traditional characters included).
#: A value that holds a label word at its start or end is one too (:func:`totals_labels`).
TOTALS_LABELS = frozenset({"合计", "小计", "总计", "总计数", "总数", "全部", "所有", "全市",
                           "全行业", "累计", "合計", "小計", "總計", "總計數", "總數", "全行業",
                           "累計", "total", "subtotal", "sum", "grandtotal"})


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


# after a NUL: an empty string or one starting with white space. Searched in the joined
# strings and in their reverse (strings ending with white space): a pattern that starts
# with a literal is found far faster than one that starts with a class.
_EDGE = re.compile(r"\x00[\x00\s]")


def suspect_text(strings: pd.Index) -> bool:
    """Whether any of ``strings`` (all ``str``) may be blank or start or end with a space.

    ``False`` proves that none is empty, whitespace only, or has surrounding
    white space. Text in Arrow storage is judged by the first and last byte
    of each string, read from the Arrow buffers (no Python string per
    value); where one of those bytes is not ASCII, by its distinct first and
    last characters, sliced in Arrow. Other strings are judged by two
    regular-expression scans over the strings joined by NUL characters,
    cheaper than a numpy unicode copy of many distinct strings. ``True``
    only says the strings need a closer look (in the scans, a NUL inside a
    string can raise a false alarm): see :func:`blank_and_spaced`.

    Examples
    --------
    >>> suspect_text(pd.Index(["Ouhai", "Longwan"])), suspect_text(pd.Index(["Longwan "]))
    (False, True)
    """
    if isinstance(strings.dtype, pd.StringDtype) and strings.dtype.storage == "pyarrow":
        edges = _arrow_edge_bytes(strings)
        if edges is not None and not (edges >= 0x80).any():
            return bool(_ASCII_SPACE[edges].any())  # an empty string gave a 0x20
        # first and last characters ("" for an empty string), sliced in Arrow: a few
        # distinct ones to look at, and no Python string made per value
        edges = {*strings.str[:1].unique().tolist(), *strings.str[-1:].unique().tolist()}
        return any(isinstance(c, str) and (c == "" or c.isspace()) for c in edges)
    _, joined, _ = _joined_items(strings)
    joined = "\x00" + joined + "\x00"
    return _EDGE.search(joined) is not None or _EDGE.search(joined[::-1]) is not None


#: The ASCII characters :meth:`str.isspace` calls white space, by byte value.
_ASCII_SPACE = np.array([chr(code).isspace() for code in range(128)], dtype=bool)


def _arrow_edge_bytes(strings: pd.Index) -> np.ndarray | None:
    """The first and last byte of every string of an Arrow-backed text index.

    An empty string gives a space (``0x20``), so that it reads as blank; a
    missing value an ``A``. ``None`` when the storage is not plain (large)
    Arrow strings.
    """
    import pyarrow as pa  # present: the index is stored in Arrow

    array = pa.array(strings)
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    found = [np.zeros(0, dtype=np.uint8)]
    for chunk in chunks:  # a loop over Arrow chunks, usually one
        if pa.types.is_large_string(chunk.type):
            width = np.int64
        elif pa.types.is_string(chunk.type):
            width = np.int32
        else:
            return None
        _, offsets, data = chunk.buffers()
        offsets = np.frombuffer(offsets, dtype=width)[chunk.offset:chunk.offset + len(chunk) + 1]
        start, end = offsets[:-1], offsets[1:]
        empty = end <= start
        if empty.all():  # no characters at all (the data buffer may be absent)
            first = last = np.full(len(chunk), 0x20, dtype=np.uint8)
        else:
            data = np.frombuffer(data, dtype=np.uint8)
            first = data[np.where(empty, 0, start)]
            last = data[np.where(empty, 0, end - 1)]
            first[empty] = last[empty] = 0x20
        if chunk.null_count:
            missing = chunk.is_null().to_numpy(zero_copy_only=False)
            first, last = np.where(missing, 0x41, first), np.where(missing, 0x41, last)
        found.extend((first, last))
    return np.concatenate(found).astype(np.uint8, copy=False)


def plain_ascii_text(strings: pd.Index, *, ids: bool = False) -> bool:
    """Whether Arrow-backed text is plain ASCII that no text rule of a key can catch.

    Read from the Arrow buffers, with no Python string per value: printable
    ASCII only (so in NFC, without line breaks, and not an Excel error value,
    which starts with ``#``), no empty string and no space at either end, no
    ``total`` nor ``sum`` anywhere, spaces and letter case aside (so no
    totals label), and with ``ids=True`` written in one letter case without
    runs of spaces (so no two fold alike, :func:`folds_apart`). ``False``
    only says the strings need the checks themselves (:func:`suspect_text`,
    :func:`nfc_text`, :func:`line_broken`, :func:`totals_labels`, ...);
    other storage gives ``False``.

    Examples
    --------
    >>> text = pd.Index(["Ouhai", "Longwan"], dtype="string[pyarrow]")
    >>> plain_ascii_text(text), plain_ascii_text(pd.Index(["Ouhai", "Longwan"], dtype=object))
    (True, False)
    >>> [plain_ascii_text(pd.Index(["Ouhai", bad], dtype="string[pyarrow]"))
    ...  for bad in ["Sub Total", "#N/A", "a\\nb", "Longwan "]]
    [False, False, False, False]
    """
    if not (isinstance(strings.dtype, pd.StringDtype) and strings.dtype.storage == "pyarrow"):
        return False
    import pyarrow as pa  # present: the index is stored in Arrow

    array = pa.array(strings)
    parts = []
    for chunk in (array.chunks if isinstance(array, pa.ChunkedArray) else [array]):
        if chunk.null_count or not (pa.types.is_string(chunk.type)
                                    or pa.types.is_large_string(chunk.type)):
            return False
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        _, offsets, data = chunk.buffers()
        offsets = np.frombuffer(offsets, dtype=width)[chunk.offset:chunk.offset + len(chunk) + 1]
        if len(chunk) and offsets[-1] > offsets[0]:
            parts.append(np.frombuffer(data, dtype=np.uint8)[offsets[0]:offsets[-1]])
    data = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)
    text = data.tobytes()
    # printable ASCII (two reductions), and no '#' (one C scan)
    if data.size and (data.min() < 0x20 or data.max() >= 0x7F) or b"#" in text:
        return False
    edges = _arrow_edge_bytes(strings)  # an empty string reads as a space
    if edges is None or (edges == 0x20).any():
        return False
    caseless = data | 0x20  # ASCII letters in lower case (and nothing else becomes one)
    if (caseless == ord("t")).any() or (caseless == ord("s")).any():
        folded = text.lower()  # a letter of 'total' or 'sum': look for the words
        bare = folded.replace(b" ", b"") if b" " in folded else folded
        if b"total" in bare or b"sum" in bare:  # a totals label may hide here: look closer
            return False
    if not ids:
        return True
    letters = (caseless >= ord("a")) & (caseless <= ord("z"))
    if (letters & (data < ord("a"))).any() and (letters & (data >= ord("a"))).any():
        return False  # both letter cases: folding may join two ids
    space = data == ord(" ")
    return not (space[1:] & space[:-1]).any()  # a run of spaces folds to one


_SHARED: contextvars.ContextVar[dict | None] = contextvars.ContextVar("shared_text",
                                                                      default=None)


@contextlib.contextmanager
def shared_text() -> Iterator[None]:
    """Within the block, read the text of an index of distinct values once.

    The checks of this module each join the text values into one string;
    inside the block that string is kept per index (the same object), so a
    column's categories checked for totals labels, composed characters,
    line breaks and look-alike ids are turned into Python strings once. The
    strings are released when the outermost block ends: a block inside
    another one keeps using the strings of the outer one. Usable as a
    decorator.

    Examples
    --------
    >>> values = pd.Index(["E1", "E2"])
    >>> with shared_text():
    ...     totals_labels(values).tolist(), line_broken(values).tolist()
    ([False, False], [False, False])
    """
    if _SHARED.get() is not None:  # inside another block: share its strings
        yield
        return
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _joined_items(values: pd.Index) -> tuple[np.ndarray, str, int]:
    """Which of ``values`` are text, those joined by NUL characters, and how many.

    Made once per index inside :func:`shared_text`.
    """
    shared = _SHARED.get()
    if shared is not None:
        found = shared.get(id(values))
        if found is not None and found[0] is values:  # the same object, kept alive
            return found[1:]
    text, items = _text_items(values)
    result = (text, "\x00".join(items), len(items))
    if shared is not None:
        shared[id(values)] = (values, *result)
    return result


def _split_items(values: pd.Index, joined: str, count: int) -> list[str]:
    """The text values of ``values`` back from :func:`_joined_items`."""
    items = joined.split("\x00") if count else []
    if len(items) != count:  # rare: a NUL inside a value
        items = _text_items(values)[1]
    return items


def _as_index(values) -> pd.Index:
    """``values`` as an index; an index is returned as it is (the same object)."""
    return values if isinstance(values, pd.Index) else pd.Index(values)


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


_SPACE_RUN = re.compile(r"[^\S\x00]+")  # white space other than the NUL separator
_SPACE_AT_EDGE = re.compile(r" ?\x00 ?")
_FINAL_COLON = re.compile(r":(?=\x00)")
#: The white space NFKC leaves as it is, other than the plain space.
_OTHER_SPACE = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u1680\u2028\u2029"
#: Every totals label, folded and without spaces, holds one of these.
_TOTALS_ANCHORS = ("合", "小", "总", "全", "總", "汇总", "匯總", "彙總", "其中", "所有", "累计",
                   "累計", "total", "sum")
#: A totals word in a value, folded and without spaces, that ends the value or is followed
#: by a bracket, a punctuation mark or 数 (``鹿城区小计``, ``小计(鹿城区)``, ``本页合计``,
#: ``合计数``, ``合计(万人)``), and ``其中`` ("of which") opening one; not a word that
#: only holds the characters (``综合计量``, ``合计厂``).
_TOTALS_WORD = re.compile(
    r"^[\W_]*其中"
    r"|(?<![综联结混组整复适配融集])(?:合[计計]|小[计計]|总计|總計|汇总|匯總|彙總)(?=[数數\W_]|$)")
#: The words :data:`_TOTALS_WORD` looks for, wherever they are.
_TOTALS_WORD_ANYWHERE = re.compile("合[计計]|小[计計]|总计|總計|汇总|匯總|彙總|其中")
#: The brackets and colon that may stand next to the word ``total`` in a totals label.
_TOTALS_MARKS = r"()\[\]{}<>【】〔〕「」『』《》〈〉:"
#: ``Total`` or ``Subtotal`` opening or closing a value (``Total (Lucheng)``,
#: ``Subtotal Lucheng``, ``Lucheng total``), folded with spaces kept. Only white space, a
#: bracket, a colon or the end of the text may follow an opening ``total`` (a bracket, a
#: colon or the end when no ``sub`` or ``grand`` comes first), and only white space, a
#: bracket, a colon or the start of the text may come before a closing one: not
#: ``totally``, ``Total quality``, ``Total-Station Surveying``, ``Total.Co`` nor
#: ``Total1 Logistics``.
_TOTALS_ENGLISH = re.compile(
    rf"^\W*(?:(?:grand|sub)[ -]?totals?(?=[\s{_TOTALS_MARKS}]|$)"
    rf"|totals?(?=\s*(?:[{_TOTALS_MARKS}]|$)))"
    rf"|(?:^|(?<=[\s{_TOTALS_MARKS}]))(?:sub[ -]?)?totals?\W*$")


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
    return _fold_text("\x00".join(items))


def _fold_text(joined: str) -> str:
    """:func:`fold_codes` of text values joined by NUL characters, joined the same way."""
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
    values = _as_index(values)
    _, joined, count = _joined_items(values)
    if (joined.isascii() and (joined.upper() == joined or joined.lower() == joined)
            and not _needs_spacing(joined)):
        return True
    return len(set(fold_codes(_split_items(values, joined, count)))) == count


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
    (``合　计``, ``TOTAL``, ``Grand total:``). A value holding ``合计``,
    ``小计``, ``总计`` or ``汇总`` at its end or before a bracket or
    punctuation mark, or starting with ``其中`` ("of which"), is one too
    (``鹿城区小计``, ``小计(鹿城区)``, ``本页合计``, ``合计（万人）``), and so
    is one that opens or closes with the word ``Total`` or ``Subtotal``
    set off by a space, a bracket or a colon (``Total (Lucheng)``,
    ``Lucheng subtotal``; not ``Total-Station Surveying`` nor ``Total.Co``).
    Only text can be a label.

    Examples
    --------
    >>> totals_labels(pd.Index(["E1", "合　计", " Total ", "小计：", "totally", 3])).tolist()
    [False, True, True, True, False, False]
    >>> totals_labels(pd.Index(["鹿城区小计", "合计（万人）", "其中：", "全市", "综合计量所",
    ...                         "合计厂", "Total (Lucheng)", "total quality"])).tolist()
    [True, True, True, True, False, False, True, False]
    >>> totals_labels(pd.Index(["Total-Station Surveying", "Total1 Logistics", "Total:"])).tolist()
    [False, False, True]
    """
    values = _as_index(values)
    text, joined, count = _joined_items(values)
    out = np.zeros(len(values), dtype=bool)
    if not count:
        return out
    joined = _fold_text(joined)
    if joined.count("\x00") != count - 1:  # rare: a NUL inside a value
        joined = "\x00".join(fold_codes(_split_items(values, joined, count)))
    bare = joined.replace(" ", "")
    if not any(anchor in bare for anchor in _TOTALS_ANCHORS):
        return out  # the usual case: no value can be a label
    if ":" in bare:
        bare = _FINAL_COLON.sub("", bare + "\x00")[:-1]
    labels = pd.Index(bare.split("\x00"))
    hit = labels.isin(list(TOTALS_LABELS))
    if _TOTALS_WORD_ANYWHERE.search(bare) is not None:  # one scan; rare
        hit |= np.asarray(labels.str.contains(_TOTALS_WORD), dtype=bool)
    if "total" in bare:  # the word, in the text with its spaces
        hit |= np.asarray(pd.Index(joined.split("\x00")).str.contains(_TOTALS_ENGLISH),
                          dtype=bool)
    out[text] = hit
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
    values = _as_index(values)
    text, joined, count = _joined_items(values)
    if joined.isascii() or unicodedata.is_normalized("NFC", joined):
        return None
    composed = unicodedata.normalize("NFC", joined).split("\x00")
    if len(composed) != count:  # rare: a NUL inside a value
        composed = [unicodedata.normalize("NFC", s)
                    for s in _split_items(values, joined, count)]
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
    values = _as_index(values)
    text, joined, count = _joined_items(values)
    out = np.zeros(len(values), dtype=bool)
    breaks = _LINE_BREAKS if not joined.isascii() else _LINE_BREAKS[:7]  # the ASCII ones
    if not any(ch in joined for ch in breaks):  # one C scan each (NUL is no break)
        return out
    items = _split_items(values, joined, count)
    out[np.flatnonzero(text)] = [any(ch in s for ch in _LINE_BREAKS) for s in items]
    return out
