"""Period frequencies: their codes, aliases and names in words, and joins across them.

:mod:`talentgap.periods` re-exports the public names (``FREQUENCIES``,
``normalize_freq``, ``describe_freq``, ``check_same_freq``, ``freq_name``);
this module keeps them apart from the parsing of period labels.
"""

from __future__ import annotations

import pandas as pd

from talentgap.errors import ParameterError, SchemaError

__all__ = ["FREQUENCIES", "ALIASES", "NAMES", "CALENDAR", "PER_YEAR", "normalize_freq",
           "canonical_freqstr", "describe_freq", "fiscal_hint", "check_same_freq", "freq_name",
           "periods_per_year"]

#: Canonical frequency codes and the aliases accepted for each.
FREQUENCIES: dict[str, tuple[str, ...]] = {
    "Y": ("y", "a", "y-dec", "a-dec", "ye", "annual", "year", "yearly"),
    "Q": ("q", "q-dec", "qe", "quarter", "quarterly"),
    "M": ("m", "me", "month", "monthly"),
}
ALIASES = {alias: code for code, aliases in FREQUENCIES.items() for alias in aliases}
NAMES = {"Y": "annual", "Q": "quarterly", "M": "monthly", "date": "dates"}

#: Periods per year of each frequency code.
PER_YEAR = {"Y": 1, "Q": 4, "M": 12}

#: The calendar anchor of each anchored pandas frequency.
CALENDAR = {"Q": "Q-DEC", "Y": "Y-DEC", "A": "Y-DEC"}
_MONTHS = {"JAN": "January", "FEB": "February", "MAR": "March", "APR": "April", "MAY": "May",
           "JUN": "June", "JUL": "July", "AUG": "August", "SEP": "September",
           "OCT": "October", "NOV": "November", "DEC": "December"}


def normalize_freq(freq: str) -> str:
    """Return the canonical code (``"Y"``, ``"Q"`` or ``"M"``) of a frequency.

    Parameters
    ----------
    freq : str
        A code or alias, case-insensitive: ``"Q"``, ``"quarterly"``,
        ``"Q-DEC"``, ``"A"``, ``"annual"``, ``"M"``, ...

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        If ``freq`` names no supported frequency.

    Examples
    --------
    >>> normalize_freq("quarterly"), normalize_freq("A"), normalize_freq("M")
    ('Q', 'Y', 'M')
    """
    if isinstance(freq, str) and freq.strip().lower() in ALIASES:
        return ALIASES[freq.strip().lower()]
    fiscal = fiscal_hint(freq) if isinstance(freq, str) else ""
    raise ParameterError(
        f"freq={freq!r} is not supported; use 'Y' (annual), 'Q' (quarterly) or 'M' (monthly)"
        + fiscal
    )


def canonical_freqstr(freq: str) -> str:
    """``"Q-MAR"`` for ``"Q-MAR"``, ``"QE-MAR"`` or ``"q-mar"``; ``"Y-DEC"`` for ``"A"``."""
    text = freq.strip().upper()
    head, _, anchor = text.partition("-")
    head = {"QE": "Q", "YE": "Y", "A": "Y", "AE": "Y", "ME": "M"}.get(head, head)
    if head in ("Q", "Y") and not anchor:
        anchor = "DEC"  # pandas' default year end
    return f"{head}-{anchor}" if anchor else head


def describe_freq(freq: str) -> str:
    """Say in words which periods a pandas frequency string labels.

    Parameters
    ----------
    freq : str
        A pandas frequency string such as ``"Q-DEC"``, ``"Q-MAR"``, ``"Y-JUN"`` or ``"M"``.

    Returns
    -------
    str

    Examples
    --------
    >>> describe_freq("Q-DEC"), describe_freq("Q-MAR")
    ('calendar quarters (Q-DEC)', 'fiscal quarters of years ending in March (Q-MAR)')
    >>> describe_freq("Y-JUN"), describe_freq("M")
    ('fiscal years ending in June (Y-JUN)', 'months (M)')
    """
    code = canonical_freqstr(freq)
    words = _freq_words(code)
    return f"{words} ({code})" if words else code


def _freq_words(code: str) -> str:
    """``"calendar quarters"`` for ``"Q-DEC"``; ``""`` for a frequency without words here."""
    head, _, anchor = code.partition("-")
    if head == "Q":
        what = ("calendar quarters" if anchor == "DEC"
                else f"fiscal quarters of years ending in {_MONTHS.get(anchor, anchor)}")
    elif head == "Y":
        what = ("calendar years" if anchor == "DEC"
                else f"fiscal years ending in {_MONTHS.get(anchor, anchor)}")
    elif head == "M":
        what = "months"
    else:
        what = ""
    return what


def fiscal_hint(freq: str) -> str:
    """How to turn periods of a fiscal frequency (``"Q-MAR"``) into calendar ones, or ``""``."""
    code = canonical_freqstr(freq)
    head, _, anchor = code.partition("-")
    target = CALENDAR.get(head)
    if target is None or not anchor or code == target:
        return ""
    same = ("the same quarters, relabelled" if head == "Q"
            else "each fiscal year becomes the calendar year it ends in")
    return (f"; {describe_freq(code)} are not calendar periods: convert them with "
            f".dt.asfreq({target!r}, how='end') ({same})")


def check_same_freq(periods, *, action: str = "combining them") -> None:
    """Refuse period columns of different frequencies that are about to be joined.

    pandas numbers the periods of each frequency on its own scale: the
    calendar quarter ``2019Q1`` (``Q-DEC``) and the fiscal quarter
    ``2019Q4`` of a year ending in March (``Q-MAR``) are the same three
    months, but neither their labels nor their ordinals agree. Joining
    tables by either would shift one table against the other without any
    sign, so tables are combined only when their period columns share one
    frequency.

    Parameters
    ----------
    periods : mapping of str to pandas.Series or None
        Each table's name and its period column; ``None`` entries and
        columns that are not pandas Periods (labels still to be parsed to
        the declared frequency) are skipped.
    action : str, default "combining them"
        What the caller does with the tables, for the message.

    Raises
    ------
    SchemaError
        If two period columns have different frequencies (rule
        ``period_frequency``, column ``period``); the message names every
        table's frequency and how to convert.

    Examples
    --------
    >>> import pandas as pd
    >>> calendar = pd.Series(pd.period_range("2019Q1", periods=2, freq="Q"))
    >>> check_same_freq({"surveys": calendar, "training": calendar})
    >>> fiscal = calendar.dt.asfreq("Q-MAR")
    >>> check_same_freq({"surveys": fiscal, "training": calendar})
    Traceback (most recent call last):
    ...
    talentgap.errors.SchemaError: the tables label periods at different frequencies: surveys \
period[Q-MAR] (fiscal quarters of years ending in March), training period[Q-DEC] ...
    """
    found = {name: canonical_freqstr(column.array.freqstr) for name, column in periods.items()
             if column is not None and isinstance(column.dtype, pd.PeriodDtype)}
    if len(set(found.values())) <= 1:
        return
    listed = ", ".join(f"{name} period[{code}] ({_freq_words(code) or code})"
                       for name, code in found.items())
    codes = list(found.values())
    calendar = [c for c in codes if c in CALENDAR.values() or c == "M"]
    target = calendar[0] if calendar else codes[0]
    convert = [name for name, code in found.items() if code != target]
    example = convert[0]
    if len({c.partition("-")[0] for c in codes}) > 1:  # quarters and years, say
        how = "aggregate them to one frequency first"
    else:
        how = (f"convert {', '.join(convert)} first, e.g. {example}['period'] = "
               f"{example}['period'].dt.asfreq({target!r}, how='end'), or read every table "
               f"with the same freq")
    raise SchemaError(
        f"the tables label periods at different frequencies: {listed}; pandas numbers the "
        f"periods of each frequency differently, so {action} by period would shift one "
        f"table against another; {how}",
        column="period", reason="period_frequency")


def freq_name(freq: str) -> str:
    """Return the English adjective of a frequency code (``"Q"`` -> ``"quarterly"``).

    Examples
    --------
    >>> freq_name("Y")
    'annual'
    """
    return NAMES[normalize_freq(freq)]


def periods_per_year(freq: str) -> int:
    """Periods per year of an annual, quarterly or monthly frequency (:data:`PER_YEAR`).

    Parameters
    ----------
    freq : str
        A code or alias (``"Q"``, ``"quarterly"``) or a pandas frequency
        string, anchored at any month (``"Q-DEC"``, ``"Q-MAR"``, ``"Y-JUN"``).

    Returns
    -------
    int

    Raises
    ------
    ParameterError
        If ``freq`` is not annual, quarterly or monthly.

    Examples
    --------
    >>> periods_per_year("Q-DEC"), periods_per_year("Q-MAR"), periods_per_year("monthly")
    (4, 4, 12)
    >>> periods_per_year("W")
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: freq='W' is not supported; use 'Y' (annual), 'Q' \
(quarterly) or 'M' (monthly)
    """
    head = canonical_freqstr(freq).partition("-")[0] if isinstance(freq, str) else freq
    return PER_YEAR[normalize_freq(head)]
