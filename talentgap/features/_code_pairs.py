"""Codes of two tables that may be one code: the rules for names written in CJK characters.

Helpers of :mod:`talentgap.features.codes`:

* :func:`one_edit` and :func:`deletions` -- two codes one edit apart, and
  the keys of the index that finds them without comparing every pair.
* :func:`cjk_typo` and :class:`CjkCandidates` -- the
  near-miss rules for names written in CJK ideographs, where each character
  carries a word and names are two or three characters long (``瓯海区``,
  ``纺织``): a one-character typo in a name of two characters or more
  (``欧海区`` / ``瓯海区``; found through the same index as a one-letter
  typo), and a shortened name, one name contained in the other (``鹿城`` /
  ``鹿城区``, ``通用设备`` / ``通用设备制造``) or written with some of its
  characters left out (``电商`` / ``电子商务``, same first character; found
  through an index by first character and by piece). Characters that tell
  members of a series apart (numerals, directions, ``初``/``中``/``高``)
  never make a typo nor a shortening: ``初级工`` and ``中级工``, ``技师``
  and ``高级技师`` are different codes.
* :func:`pair_unmatched` and :func:`unpaired_codes` -- values of a key
  column found only in one table of a pair while other values are found only
  in the other, paired by likeness: each pair may be one code written two
  ways, look-alike or not (:func:`describe_unpaired`, :func:`unpaired_warning`
  say so). Too many such values to compare are listed alone, never paired
  at random.

Both work on the distinct values, never per row.

Examples
--------
>>> cjk_typo("欧海区", "瓯海区"), cjk_typo("纺织", "服装"), cjk_typo("初级工", "中级工")
(True, False, False)
>>> CjkCandidates(["电子商务", "直播"]).shortened("电商")
'电子商务'
>>> pair_unmatched(["鹿城区", "纺织"], ["龙湾区", "鹿城"])
[(0, 1), (1, 0)]
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = ["ideographic", "one_edit", "deletions", "cjk_typo", "CjkCandidates",
           "pair_unmatched", "unpaired_codes", "describe_unpaired", "unpaired_warning",
           "UNPAIRED_COLUMNS"]

#: CJK unified ideographs (with extension A, compatibility ideographs, and the
#: supplementary planes), after NFKC.
_IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
#: Characters that tell members of a series apart: numerals, directions, ranks and
#: grades. Changing, adding or leaving out one of them makes another code.
_SERIES = frozenset("〇零一二三四五六七八九十百千万壹贰叁肆伍陆柒捌玖拾两"
                    "东南西北上中下前后左右内外初高甲乙丙丁正副")
#: Pairs compared by likeness at most; beyond it, unmatched values are listed unpaired.
_MAX_COMPARED = 10_000
#: Names longer than this are indexed by first character only (:class:`CjkCandidates`).
_MAX_PARTS = 16


def ideographic(text: str) -> bool:
    """Whether ``text`` holds a CJK ideograph.

    Examples
    --------
    >>> ideographic("鹿城区"), ideographic("Lucheng"), ideographic("E区")
    (True, False, True)
    """
    return _IDEOGRAPH.search(text) is not None


def _word(char: str) -> bool:
    """Whether ``char`` is an ideograph that is not one of a series (:data:`_SERIES`)."""
    return char not in _SERIES and _IDEOGRAPH.fullmatch(char) is not None


def one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one insertion, deletion, replacement or swap.

    Examples
    --------
    >>> one_edit("textlies", "textiles"), one_edit("纺识", "纺织"), one_edit("ab", "ba c")
    (True, True, False)
    """
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    start = 0
    while start < len(a) and a[start] == b[start]:
        start += 1
    if len(a) < len(b):  # one insertion into a
        return a[start:] == b[start + 1:]
    if a[start + 1:] == b[start + 1:]:  # one replacement
        return True
    return (start + 1 < len(a) and a[start] == b[start + 1] and a[start + 1] == b[start]
            and a[start + 2:] == b[start + 2:])  # two neighbours swapped


def deletions(text: str) -> list[str]:
    """``text`` and every string one character shorter (the symmetric-deletion keys).

    Two texts one edit apart (:func:`one_edit`) share one of these keys, so an
    index of the keys of many texts finds the near misses of one without
    comparing it with each.

    Examples
    --------
    >>> deletions("纺织")
    ['纺织', '织', '纺']
    """
    return [text, *(text[:i] + text[i + 1:] for i in range(len(text)))]


def cjk_typo(a: str, b: str) -> bool:
    """Whether CJK names ``a`` and ``b``, one edit apart, are a one-character typo.

    Of the same length (one character replaced, or two neighbours swapped;
    a character added or left out is a shortened name) and the characters
    that differ are ideographs none of a series: ``初级工`` and ``中级工`` are
    two grades, not a typo.

    Examples
    --------
    >>> cjk_typo("欧海区", "瓯海区"), cjk_typo("初级工", "中级工"), cjk_typo("鹿城", "鹿城区")
    (True, False, False)
    """
    return len(a) == len(b) and one_edit(a, b) and all(
        _word(x) and _word(y) for x, y in zip(a, b, strict=True) if x != y)


def _shortened(short: str, long: str) -> bool:
    """Whether ``short`` is ``long`` with characters left out.

    ``short`` (two characters or more) is contained in ``long``, or is made
    of characters of ``long`` in order starting with the same one (``电商``,
    ``电子商务``); the characters left out are ideographs none of a series.
    """
    if len(short) < 2 or len(short) >= len(long):
        return False
    at = long.find(short)
    if at >= 0:
        left_out = long[:at] + long[at + len(short):]
    else:
        if short[0] != long[0]:
            return False
        left_out, start = [], 0
        for char in short:
            found = long.find(char, start)
            if found < 0:
                return False
            left_out.append(long[start:found])
            start = found + 1
        left_out = "".join(left_out) + long[start:]
    return all(_word(char) for char in left_out)


def _parts(text: str) -> list[str]:
    """The pieces of ``text`` of two characters or more (of a text of at most
    :data:`_MAX_PARTS` characters; none of a longer one)."""
    if len(text) > _MAX_PARTS:
        return []
    return [text[i:j] for i in range(len(text)) for j in range(i + 2, len(text) + 1)]


class CjkCandidates:
    """The CJK names a value may be a shortened form of, or shorten, found by index.

    ``names`` (in their normal form) are the codes of the other table that
    the table of the value does not hold. A name shortened by another shares
    its first character (``电商``, ``电子商务``) or is a piece of it (``城区``,
    ``鹿城区``): the names are indexed by first character and by piece, so
    each value is compared with those few names only, never with all.

    Examples
    --------
    >>> names = CjkCandidates(["电子商务", "鹿城区", "直播", "Lucheng"])
    >>> names.shortened("电商"), names.shortened("城区"), names.shortened("纺织")
    ('电子商务', '鹿城区', None)
    >>> "直播" in names, "Lucheng" in names
    (True, False)
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(name for name in names if ideographic(name))
        self._first: dict[str, list[str]] = {}
        self._pieces: dict[str, list[str]] = {}
        for name in sorted(self.names):
            self._first.setdefault(name[0], []).append(name)
            for piece in _parts(name):
                self._pieces.setdefault(piece, []).append(name)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def shortened(self, value: str) -> str | None:
        """The name ``value`` shortens or is shortened from, closest in length, then first."""
        if len(value) < 2 or not ideographic(value):
            return None
        near = {*self._first.get(value[0], ()), *self._pieces.get(value, ()),
                *(piece for piece in _parts(value) if piece in self.names)}
        found = [name for name in near if _shortened(value, name) or _shortened(name, value)]
        if not found:
            return None
        return min(found, key=lambda name: (abs(len(name) - len(value)), name))


def pair_unmatched(left: Sequence[str], right: Sequence[str]) -> list[tuple[int, int]]:
    """Values found only in one table paired with values found only in the other.

    The most alike pairs first (``difflib`` ratio of the two texts), each
    value in one pair at most: ``min(len(left), len(right))`` pairs of
    positions ``(i, j)``, sorted by ``i``. Beyond :data:`_MAX_COMPARED`
    comparisons, none: values that are not compared are not paired.

    Examples
    --------
    >>> pair_unmatched(["Lucheng"], ["Ruian", "Lucheng district"])
    [(0, 1)]
    >>> pair_unmatched([f"E{i}" for i in range(101)], [f"F{i}" for i in range(100)])
    []
    """
    if len(left) * len(right) > _MAX_COMPARED:
        return []
    scored = sorted((-difflib.SequenceMatcher(None, a, b).ratio(), i, j)
                    for i, a in enumerate(left) for j, b in enumerate(right))
    used_left, used_right, pairs = set(), set(), []
    for _, i, j in scored:
        if i not in used_left and j not in used_right:
            used_left.add(i)
            used_right.add(j)
            pairs.append((i, j))
    return sorted(pairs)


UNPAIRED_COLUMNS = ["column", "table", "value", "rows", "lines", "other", "other_value",
                    "other_rows", "other_lines"]


def _rank(table: str) -> tuple[bool, str]:
    return table != "surveys", table


def unpaired_codes(report: pd.DataFrame) -> pd.DataFrame:
    """Values found only in one table paired with values found only in the other.

    For each key column and pair of tables of a
    :func:`~talentgap.features.codes.check_codes` report that has values of
    the first table missing from the second *and* values of the second
    missing from the first, none of them a near miss, the values are paired
    by likeness (each in one pair at most): a pair may be one code written
    two ways that no near-miss rule recognises (``Lucheng`` for ``鹿城区``,
    a district renamed in one file). The ``surveys`` table, when in a
    pair, is ``table``. When there are too many such values to compare
    (over 10,000 pairs of them for one column and pair of tables), each is
    listed alone instead: ``other_value`` missing, ``other_rows`` 0.

    Parameters
    ----------
    report : pandas.DataFrame
        As returned by :func:`~talentgap.features.codes.check_codes`.

    Returns
    -------
    pandas.DataFrame
        One row per pair, sorted by column, table and value. Columns:
        ``column``, ``table``, ``value``, ``rows``, ``lines`` (of the value
        in ``table``), ``other``, ``other_value``, ``other_rows``,
        ``other_lines`` (of the value it is paired with, in ``other``; for a
        value of ``other`` listed alone, ``value`` is missing and ``other_*``
        describe it).

    Examples
    --------
    >>> import pandas as pd
    >>> surveys = pd.DataFrame({"region": ["鹿城区", "龙湾区"], "industry": ["纺织"] * 2})
    >>> training = pd.DataFrame({"region": ["鹿城", "龙湾区"], "industry": ["纺织"] * 2})
    >>> from talentgap.features.codes import check_codes
    >>> pairs = unpaired_codes(check_codes({"surveys": surveys, "training": training}))
    >>> pairs.empty  # 鹿城 is a shortened 鹿城区: a near miss, not an unpaired code
    True
    >>> training["region"] = ["Lucheng", "龙湾区"]
    >>> pairs = unpaired_codes(check_codes({"surveys": surveys, "training": training}))
    >>> pairs[["column", "table", "value", "other", "other_value"]].values.tolist()
    [['region', 'surveys', '鹿城区', 'training', 'Lucheng']]
    """
    plain = report[report["absent_from"].notna() & ~report["near_miss"].astype(bool)]
    found = []
    groups = {name: group for name, group in plain.groupby(
        ["column", "table", "absent_from"], sort=True)}
    for (column, table, other), left in groups.items():
        right = groups.get((column, other, table))
        if right is None or _rank(other) < _rank(table):
            continue  # each pair of tables once, the surveys first
        a, b = left["value"].tolist(), right["value"].tolist()
        if len(a) * len(b) > _MAX_COMPARED:  # too many to pair by likeness: each alone
            found.extend((column, table, value, int(rows), lines, other, None, 0, "")
                         for value, rows, lines in zip(a, left["rows"], left["lines"],
                                                       strict=True))
            found.extend((column, table, None, 0, "", other, value, int(rows), lines)
                         for value, rows, lines in zip(b, right["rows"], right["lines"],
                                                       strict=True))
            continue
        for i, j in pair_unmatched(a, b):
            one, two = left.iloc[i], right.iloc[j]
            found.append((column, table, a[i], int(one["rows"]), one["lines"], other, b[j],
                          int(two["rows"]), two["lines"]))
    columns = list(zip(*found, strict=True)) if found else [()] * len(UNPAIRED_COLUMNS)
    return pd.DataFrame({
        name: np.array(values, dtype=np.int64 if name.endswith("rows") else object)
        for name, values in zip(UNPAIRED_COLUMNS, columns, strict=True)})


def describe_unpaired(pairs: pd.DataFrame) -> list[str]:
    """One sentence per row of an :func:`unpaired_codes` table.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.features.codes import check_codes
    >>> report = check_codes({"surveys": pd.DataFrame({"region": ["鹿城区"]}),
    ...                       "training": pd.DataFrame({"region": ["Lucheng"]})})
    >>> describe_unpaired(unpaired_codes(report))
    ["column 'region': '鹿城区' only in surveys (1 row, e.g. line 2) and 'Lucheng' only in \
training (1 row, e.g. line 2) [unpaired_codes]"]
    """
    def where(rows: int, lines: str) -> str:
        noun = "row" if rows == 1 else "rows"
        return f"{rows} {noun}, e.g. {'line' if ',' not in lines else 'lines'} {lines}"

    def alone(column: str, value: str, table: str, rows: int, lines: str, other: str) -> str:
        return (f"column {column!r}: {value!r} only in {table} ({where(rows, lines)}), "
                f"one of too many values found only in {table} or only in {other} to pair "
                "by likeness [unpaired_codes]")

    found = []
    for row in pairs.itertuples(index=False):
        if pd.isna(row.other_value):
            found.append(alone(row.column, row.value, row.table, row.rows, row.lines,
                               row.other))
        elif pd.isna(row.value):
            found.append(alone(row.column, row.other_value, row.other, row.other_rows,
                               row.other_lines, row.table))
        else:
            found.append(f"column {row.column!r}: {row.value!r} only in {row.table} "
                         f"({where(row.rows, row.lines)}) and {row.other_value!r} only in "
                         f"{row.other} ({where(row.other_rows, row.other_lines)}) "
                         "[unpaired_codes]")
    return found


def unpaired_warning(pairs: pd.DataFrame) -> str:
    """The warning text for an :func:`unpaired_codes` table (one line per row).

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.features.codes import check_codes
    >>> report = check_codes({"surveys": pd.DataFrame({"region": ["鹿城区", "龙湾区"]}),
    ...                       "training": pd.DataFrame({"region": ["Lucheng", "龙湾区"]})})
    >>> print(unpaired_warning(unpaired_codes(report)))  # doctest: +NORMALIZE_WHITESPACE
    1 pair(s) of key values found each in one table only, for the same column: if a pair is
    one code written two ways, its cell is split in two (the surveyed cell loses its supply
    and the other forms a cell without demand); write the code one way in every file, or
    leave it if they really differ:
      - column 'region': '鹿城区' only in surveys (1 row, e.g. line 2) and 'Lucheng' only in
      training (1 row, e.g. line 2) [unpaired_codes]
    """
    paired = pairs["value"].notna() & pairs["other_value"].notna()
    alone = len(pairs) - int(paired.sum())
    counts = " and ".join(filter(None, [
        f"{int(paired.sum())} pair(s) of key values found each in one table only"
        if paired.any() else "",
        f"{alone} key value(s) found in one table only, too many to pair" if alone else ""]))
    return (f"{counts}, for the same column: if a pair is one code written two ways, its "
            "cell is split in two (the surveyed cell loses its supply and the other forms a "
            "cell without demand); write the code one way in every file, or leave it if they "
            "really differ:\n"
            + "\n".join(f"  - {text}" for text in describe_unpaired(pairs)))
