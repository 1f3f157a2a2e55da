"""Values of one key column written several ways: which spelling is meant.

The spellings of a code are the values sharing one near-miss form
(:func:`normal_form`: NFKC, spaces collapsed, case-folded, digits read as a
number). :func:`spellings` takes the commonest over all tables as the
intended one and reports every other spelling; :func:`within_table` says
which of them sit in one table next to another spelling of the same code.
:func:`talentgap.features.check_codes` reads both.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping

from talentgap._text_checks import fold_codes

__all__ = ["normal_form", "normal_forms", "spelling_difference", "spellings", "within_table"]


def normal_form(text: str) -> str:
    """The form two near-miss codes share.

    NFKC, spaces collapsed (none around, one between words), case-folded
    (:func:`talentgap._text_checks.fold_codes`), and a code of digits only
    read as a number (``0101`` and ``101`` share ``101``).
    """
    return normal_forms([text])[0]


def normal_forms(texts: list[str]) -> list[str]:
    """:func:`normal_form` of each of ``texts``, folded together."""
    return [(normal.lstrip("0") or "0") if normal.isascii() and normal.isdigit() else normal
            for normal in fold_codes(texts)]


def spelling_difference(value: str, match: str) -> str:
    """How two codes with the same :func:`normal_form` form differ, in words."""
    reasons = []
    if value != value.strip() or match != match.strip():
        reasons.append("surrounding spaces")
    wide_value = unicodedata.normalize("NFKC", value).strip()
    wide_match = unicodedata.normalize("NFKC", match).strip()
    if wide_value != value.strip() or wide_match != match.strip():
        reasons.append("full-width characters")
    one_value, one_match = " ".join(wide_value.split()), " ".join(wide_match.split())
    if one_value != wide_value or one_match != wide_match:
        reasons.append("spaces between words")
    if one_value != one_match and one_value.casefold() == one_match.casefold():
        reasons.append("letter case")
    if (one_value != one_match and one_value.isascii() and one_value.isdigit()
            and one_match.isascii() and one_match.isdigit()):
        reasons.append("leading zeros")
    return " and ".join(reasons)


def _tidy(text: str) -> bool:
    """Whether ``text`` is written plainly: NFKC already, single spaces between words only."""
    return text == " ".join(unicodedata.normalize("NFKC", text).split())


def spellings(key: str, codes: Mapping[str, object]) -> list[tuple]:
    """Values of one key column written several ways, over every table holding it.

    ``codes``: per table, the column's codes as :func:`~talentgap.features.check_codes`
    reads them (their distinct ``text``, ``normal_text``, ``counts``, ``present``,
    ``all_values`` and ``lines_of``). Rows as in its report: ``(column, table,
    None, value, rows, lines, intended spelling, how they differ, True)``.

    The values sharing a :func:`normal_form` form are one code; the spelling
    with the most rows over all tables (on a tie a plainly written one, then
    the first in sort order) is taken as the intended one, and every other
    spelling is reported in each table holding it, with ``absent_from``
    missing.
    """
    totals: dict[str, dict[str, int]] = {}
    for own in codes.values():  # distinct values only
        for value, form, count in zip(own.text, own.normal_text,
                                      own.counts[own.present].tolist(), strict=True):
            spellings = totals.setdefault(form, {})
            spellings[value] = spellings.get(value, 0) + int(count)
    canonical = {}
    for spellings in totals.values():
        if len(spellings) > 1:
            best = min(spellings, key=lambda value: (-spellings[value], not _tidy(value),
                                                     value))
            canonical.update({value: best for value in spellings if value != best})
    rows = []
    if not canonical:
        return rows
    for name, own in codes.items():
        odd = [i for i, value in enumerate(own.text) if value in canonical]
        positions = own.present[odd]
        for position, lines in zip(positions, own.lines_of(positions), strict=True):
            value = str(own.all_values[position])
            match = canonical[value]
            rows.append((key, name, None, value, int(own.counts[position]), lines, match,
                         spelling_difference(value, match), True))
    return rows


def within_table(spelled: list[tuple], codes: Mapping[str, object]
                 ) -> set[tuple[str, str]]:
    """The ``(table, value)`` of the ``spelled`` rows whose table also holds another
    spelling of the code (the same :func:`normal_form` form), over distinct values only."""
    twice = {name: {form for form, n in Counter(own.normal_text).items() if n > 1}
             for name, own in codes.items()}
    return {(row[1], row[3]) for row in spelled if normal_form(row[3]) in twice[row[1]]}
