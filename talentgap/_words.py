"""Numbers in the words a person reads, shared by the planning layer and the report.

Examples
--------
>>> percentile_words(0.8), percentile_words(0.07), percentile_words(0.925)
('80th-percentile', '7th-percentile', '92.5th-percentile')
>>> money_words(812_496_666.7, "yuan"), money_words(45_260, "yuan")
('812 million yuan', '45,260 yuan')
"""

from __future__ import annotations

import math

__all__ = ["percentile_words", "money_words", "count_words", "rows_fail", "lines_text"]

#: Money in words from these sums up: (scale, word), largest first.
_MONEY_SCALES = ((1e9, " billion"), (1e6, " million"))


def percentile_words(q: float) -> str:
    """A quantile on 0-1 as a percentile: ``0.8`` -> ``'80th-percentile'``.

    Whole percentiles (to rounding: ``0.07 * 100`` is ``7.000000000000001``)
    get their English suffix; others read ``'92.5th-percentile'``.
    """
    pct = 100 * q
    if abs(pct - round(pct)) > 1e-9:
        return f"{pct:g}th-percentile"
    n = int(round(pct))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}-percentile"


def count_words(n: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: ``'1 row'``, ``'3 rows'``.

    Parameters
    ----------
    n : int
        The count.
    noun : str
        The noun for one.
    plural : str, optional
        The noun for several (default ``noun + "s"``).

    Examples
    --------
    >>> count_words(1, "row"), count_words(3, "row"), count_words(0, "category", "categories")
    ('1 row', '3 rows', '0 categories')
    """
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"


def rows_fail(n: int) -> str:
    """How many rows break a rule, verb agreeing: ``'1 row fails'``, ``'2 rows fail'``.

    Examples
    --------
    >>> rows_fail(1), rows_fail(2)
    ('1 row fails', '2 rows fail')
    """
    return f"{n} row fails" if n == 1 else f"{n} rows fail"


def lines_text(lines) -> str:
    """Input lines, noun agreeing: ``'line 2'``, ``'lines 2, 5'``.

    Examples
    --------
    >>> lines_text([4]), lines_text([2, 5])
    ('line 4', 'lines 2, 5')
    """
    shown = [str(int(line)) for line in lines]
    return f"line{'s' if len(shown) != 1 else ''} {', '.join(shown)}"


def _significant(value: float, figures: int) -> tuple[float, str]:
    """``value`` rounded to ``figures`` significant figures, and its text (no exponent)."""
    if value == 0:
        return 0.0, "0"
    digits = figures - 1 - math.floor(math.log10(abs(value)))
    rounded = round(value, digits)
    text = f"{rounded:,.{max(digits, 0)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return rounded, "0" if text == "-0" else text


def money_words(value: float, currency: str = "", *, figures: int | None = None) -> str:
    """A sum of money in words a planner reads: ``'5 million yuan'``, ``'48,000 yuan'``.

    From a million up the sum is in millions or billions, at three
    significant figures; below a million it is in whole units, so a budget
    and the cost of one place can be compared exactly. ``figures`` rounds
    every sum to that many significant figures instead (a chart's legend,
    where short labels matter more). Never scientific notation.

    Parameters
    ----------
    value : float
        The sum of money.
    currency : str, default ""
        The unit written after the number (``"yuan"``); none when empty.
    figures : int, optional
        Significant figures of every sum; default three from a million up,
        whole units below.

    Returns
    -------
    str

    Examples
    --------
    >>> money_words(5e6, "yuan"), money_words(48_000, "yuan"), money_words(1.25e9)
    ('5 million yuan', '48,000 yuan', '1.25 billion')
    >>> money_words(-3.2e6), money_words(3.2e13), money_words(999_999_999)
    ('-3.2 million', '32,000 billion', '1 billion')
    >>> money_words(45_260.5, figures=3), money_words(80, figures=3)
    ('45,300', '80')
    """
    value = float(value)
    if not math.isfinite(value):
        return f"{value} {currency}".strip()
    scale, word = next(((s, w) for s, w in _MONEY_SCALES if abs(value) >= s), (1.0, ""))
    if scale == 1.0 and figures is None:
        rounded, text = round(value), f"{value:,.0f}"
        text = "0" if text == "-0" else text
    else:
        rounded, text = _significant(value / scale, figures or 3)
    if scale < 1e9 and abs(rounded) * scale >= (1e6 if scale == 1.0 else 1e9):
        # rounded up to the next word: 999,999.6 is 1 million, not 1,000,000
        return money_words(rounded * scale, currency, figures=figures)
    return f"{text}{word} {currency}".strip()
