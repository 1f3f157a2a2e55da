"""Numbers in the words a person reads: the one home of the number-to-text rules.

Every package (planning, evaluation, the report, the command line, the
service) writes numbers for people through these functions, each with one job:

- :func:`exact_number`: a value as it is, for messages and table cells
  (thousands separators; the given decimals, or whole numbers whole and up to
  four significant figures otherwise).
- :func:`rounded_number`: a value rounded for prose, to a number of
  significant figures (two by default).
- :func:`about`: the same rounding with millions and billions in words, for
  effects named next to a sum of money.
- :func:`money_words`: a sum of money in words.
- :func:`percent_text`: a probability as a whole percent.
- :func:`unsigned_zero`: the one rule for the sign of zero: a value that
  rounds to zero reads ``0``, never ``-0``.

Rounding to significant figures drops trailing zeros everywhere (``0.40``
reads ``0.4``, ``5.00 million`` reads ``5 million``), and no function writes
scientific notation.

Examples
--------
>>> exact_number(1234.567), rounded_number(1234.567), about(1234.567)
('1,234.6', '1,200', '1,200')
>>> exact_number(-0.4), rounded_number(-0.4), exact_number(-0.001, decimals=2)
('-0.4', '-0.4', '0.00')
>>> percentile_words(0.8), percentile_words(0.07), percentile_words(0.925)
('80th-percentile', '7th-percentile', '92.5th-percentile')
>>> money_words(812_496_666.7, "yuan"), money_words(45_260, "yuan")
('812 million yuan', '45,260 yuan')
"""

from __future__ import annotations

import math

__all__ = ["unsigned_zero", "exact_number", "rounded_number", "about", "money_words",
           "percent_text", "percentile_words", "count_words", "rows_fail", "lines_text",
           "or_words"]

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


def or_words(values) -> str:
    """Alternatives in words: ``'24'``, ``'23 or 24'``, ``'12, 16 or 18'``.

    Examples
    --------
    >>> or_words([24]), or_words([23, 24]), or_words([12, 16, 18])
    ('24', '23 or 24', '12, 16 or 18')
    """
    shown = [str(v) for v in values]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


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


def unsigned_zero(text: str) -> str:
    """The text of a number without the sign of a zero: ``'-0'`` -> ``'0'``.

    A small negative value rounded to nothing (``-0.3`` at no decimals,
    ``-0.001`` at two) would read as a negative count; it reads as zero.
    Every function here applies this rule, and so do callers that format
    with their own format strings.

    Parameters
    ----------
    text : str
        A number as text, with or without thousands separators.

    Returns
    -------
    str
        ``text`` without its minus sign when it has no non-zero digit.

    Examples
    --------
    >>> unsigned_zero("-0"), unsigned_zero("-0.00"), unsigned_zero("-0.01"), unsigned_zero("-inf")
    ('0', '0.00', '-0.01', '-inf')
    """
    if text[:1] == "-" and text[1:2].isdigit() and not any(d in text for d in "123456789"):
        return text[1:]
    return text


def _significant(value: float, figures: int) -> tuple[float, str]:
    """``value`` rounded to ``figures`` significant figures, and its text.

    Thousands separators, trailing zeros dropped, never an exponent, never ``-0``.
    """
    if value == 0:
        return 0.0, "0"
    digits = figures - 1 - math.floor(math.log10(abs(value)))
    rounded = round(value, digits)
    text = f"{rounded:,.{max(digits, 0)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return rounded, unsigned_zero(text)


def exact_number(value: float, decimals: int | None = None) -> str:
    """A value as it is, for messages and table cells: thousands separators, no rounding for prose.

    With ``decimals`` the value has exactly that many (a table column keeps
    its decimals). Without, a whole number is written whole and any other
    keeps up to four significant figures (one decimal from 1,000 up), so a
    message can say by how much a value misses its range. Never scientific
    notation; a value that rounds to zero reads without a sign
    (:func:`unsigned_zero`); NaN and infinities read ``nan``, ``inf``, ``-inf``.

    Parameters
    ----------
    value : float
        The number.
    decimals : int, optional
        Decimals to write; default as described above.

    Returns
    -------
    str

    Examples
    --------
    >>> exact_number(2_500_000), exact_number(1234.567), exact_number(0.123456)
    ('2,500,000', '1,234.6', '0.1235')
    >>> exact_number(0.35 - 0.3), exact_number(1.5e-7), exact_number(-0.0)
    ('0.05', '0.00000015', '0')
    >>> exact_number(0.5, decimals=2), exact_number(-0.3, decimals=0), exact_number(float("inf"))
    ('0.50', '0', 'inf')
    """
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if decimals is not None:
        return unsigned_zero(f"{value:,.{int(decimals)}f}")
    if value == round(value) and abs(value) < 1e15:
        return unsigned_zero(f"{value:,.0f}")
    if abs(value) >= 1000:
        return f"{value:,.1f}"
    return _significant(value, 4)[1]


def rounded_number(value: float, figures: int = 2) -> str:
    """A value rounded for prose: ``figures`` significant figures, thousands separators.

    What a sentence says a value is *about*: rounded to ``figures``
    significant figures (two by default), trailing zeros dropped (``0.40``
    reads ``0.4``), never scientific notation, never ``-0``. For a value as
    it is (a message, a table cell) use :func:`exact_number`; for millions
    and billions in words, :func:`about`.

    Parameters
    ----------
    value : float
        The number.
    figures : int, default 2
        Significant figures.

    Returns
    -------
    str

    Examples
    --------
    >>> rounded_number(12345.678), rounded_number(4.567), rounded_number(-0.01891)
    ('12,000', '4.6', '-0.019')
    >>> rounded_number(8.1234e-05), rounded_number(-0.4), rounded_number(2.46e6)
    ('0.000081', '-0.4', '2,500,000')
    >>> rounded_number(1234.567, figures=3), rounded_number(float("nan"))
    ('1,230', 'nan')
    """
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    return _significant(value, figures)[1]


def about(value: float, figures: int = 2) -> str:
    """A value rounded for prose, millions and billions in words: ``'0.81'``, ``'2.5 million'``.

    :func:`rounded_number`'s rounding written as :func:`money_words` writes
    money, so an effect and the sum of money that buys it read alike
    ("each extra 10,000 of it removes about 0.81 of the shortfall").

    Parameters
    ----------
    value : float
        The number.
    figures : int, default 2
        Significant figures.

    Returns
    -------
    str

    Examples
    --------
    >>> about(0.81234), about(12.6), about(0.000081234), about(-0.4)
    ('0.81', '13', '0.000081', '-0.4')
    >>> about(1234.5), about(2.46e6), about(-0.0)
    ('1,200', '2.5 million', '0')
    """
    return money_words(value, figures=figures)


def percent_text(p: float) -> str:
    """A probability (0-1) as the report shows it everywhere: whole percent, halves rounded up.

    Near 0 and 1 a probability that is not exact reads ``'<0.1%'`` or
    ``'>99.9%'``; exact 0 and 1 read ``'0%'`` and ``'100%'``. A missing
    value reads as an em dash.

    Parameters
    ----------
    p : float
        The probability, on 0-1.

    Returns
    -------
    str

    Examples
    --------
    >>> percent_text(0.975), percent_text(0.9999), percent_text(1.0), percent_text(0.0004)
    ('98%', '>99.9%', '100%', '<0.1%')
    >>> percent_text(0.125), percent_text(float("nan"))
    ('13%', '—')
    """
    p = float(p)
    if not math.isfinite(p):
        return "\N{EM DASH}"
    if 0.999 < p < 1:
        return ">99.9%"
    if 0 < p < 0.001:
        return "<0.1%"
    return f"{math.floor(round(100 * p, 6) + 0.5):.0f}%"


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
        rounded, text = round(value), unsigned_zero(f"{value:,.0f}")
    else:
        rounded, text = _significant(value / scale, figures or 3)
    if scale < 1e9 and abs(rounded) * scale >= (1e6 if scale == 1.0 else 1e9):
        # rounded up to the next word: 999,999.6 is 1 million, not 1,000,000
        return money_words(rounded * scale, currency, figures=figures)
    return f"{text}{word} {currency}".strip()
