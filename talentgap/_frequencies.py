"""Period frequencies: their codes, aliases and names in words, and joins across them.

:mod:`talentgap.periods` re-exports the public names (``FREQUENCIES``,
``normalize_freq``, ``describe_freq``, ``check_same_freq``, ``freq_name``,
``period_dtype_code``, ``check_calendar_labels``);
this module keeps them apart from the parsing of period labels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.errors import ParameterError, SchemaError

__all__ = ["FREQUENCIES", "ALIASES", "NAMES", "CALENDAR", "PER_YEAR", "normalize_freq",
           "canonical_freqstr", "describe_freq", "fiscal_fix", "fiscal_hint", "check_same_freq",
           "freq_name", "periods_per_year", "PERIOD_DTYPES", "period_dtype_code",
           "check_calendar_labels"]

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

#: The pandas Period dtype of each frequency code: calendar years, calendar quarters, months.
PERIOD_DTYPES = {code: pd.PeriodDtype(code) for code in PER_YEAR}
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


def fiscal_fix(freq: str) -> str:
    """The one wording of how to turn fiscal periods (``"Q-MAR"``) into calendar ones, or ``""``.

    Every refusal of fiscal periods ends with it: :func:`fiscal_hint` (a
    ``freq=`` argument, :func:`check_calendar_labels`: files, the panel, the
    needs of a plan) and validation's line of each fiscal period.

    Examples
    --------
    >>> fiscal_fix("Q-MAR")
    "convert with .dt.asfreq('Q-DEC', how='end') (the same quarters, relabelled)"
    >>> fiscal_fix("Q")
    ''
    """
    code = canonical_freqstr(freq)
    head, _, anchor = code.partition("-")
    target = CALENDAR.get(head)
    if target is None or not anchor or code == target:
        return ""
    same = ("the same quarters, relabelled" if head == "Q"
            else "each fiscal year becomes the calendar year it ends in")
    return f"convert with .dt.asfreq({target!r}, how='end') ({same})"


def fiscal_hint(freq: str) -> str:
    """Why periods of a fiscal frequency (``"Q-MAR"``) are refused and the fix, or ``""``.

    Examples
    --------
    >>> fiscal_hint("Y-JUN")
    "; fiscal years ending in June (Y-JUN) are not calendar periods: convert with \
.dt.asfreq('Y-DEC', how='end') (each fiscal year becomes the calendar year it ends in)"
    """
    fix = fiscal_fix(freq)
    return f"; {describe_freq(canonical_freqstr(freq))} are not calendar periods: {fix}" \
        if fix else ""


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


def period_dtype_code(dtype) -> str | None:
    """The frequency code of a dtype of calendar Periods, or ``None`` for any other dtype.

    The one test, wherever a table arrives already typed, of which pandas
    Periods a table may hold: calendar years (``period[Y-DEC]``), calendar
    quarters (``period[Q-DEC]``) and months (``period[M]``), the periods
    that text labels such as ``"2024"``, ``"2024Q1"`` and ``"2024-03"``
    name. Fiscal years and quarters (``period[Y-JUN]``, ``period[Q-MAR]``)
    are not among them: pandas labels the fiscal quarter of January to
    March 2024 ``"2024Q4"`` in ``Q-MAR``, the calendar quarter ``"2024Q1"``
    in ``Q-DEC``, so the same label would name different months in a table
    and in a file written from it.

    Parameters
    ----------
    dtype : dtype or object
        A column's dtype.

    Returns
    -------
    str or None
        ``"Y"``, ``"Q"`` or ``"M"``; ``None`` for fiscal, weekly or daily
        Periods and for dtypes that are not Periods.

    Examples
    --------
    >>> import pandas as pd
    >>> period_dtype_code(pd.PeriodDtype("Q")), period_dtype_code(pd.PeriodDtype("M"))
    ('Q', 'M')
    >>> period_dtype_code(pd.PeriodDtype("Q-MAR")) is None
    True
    >>> period_dtype_code(pd.Series(["2024Q1"]).dtype) is None
    True
    """
    if not isinstance(dtype, pd.PeriodDtype):
        return None
    return next((code for code, known in PERIOD_DTYPES.items() if known == dtype), None)


def check_calendar_labels(df: pd.DataFrame, *, what: str,
                          action: str = "writing them as labels") -> None:
    """Refuse fiscal Periods where a table's periods must be calendar periods.

    ``str(pd.Period("2024Q4", freq="Q-MAR"))`` is ``"2024Q4"``: January to
    March 2024 under the label of October to December 2024. Every reader of
    a period label (this library's included) takes it as a calendar period,
    so a table in fiscal years or quarters is written, forecast or planned
    only once converted: the refusal names the conversion.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; each column of pandas Periods is checked.
    what : str
        The table (``"panel"``) or file (``"plan.csv"``), for the message.
    action : str, default "writing them as labels"
        What would go wrong with them, for the message.

    Raises
    ------
    SchemaError
        Rule ``bad_period`` on the first column of fiscal Periods: the
        message names the column, the number of rows, a first row by its
        line (position + 2, as in :func:`talentgap.schema.validate`) and the
        conversion; ``failure_cases`` lists every row.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"period": pd.period_range("2024Q4", periods=2, freq="Q-MAR")})
    >>> check_calendar_labels(frame.assign(period=frame["period"].dt.asfreq("Q", how="end")),
    ...                       what="plan.csv")
    >>> check_calendar_labels(frame, what="plan.csv")
    Traceback (most recent call last):
    ...
    talentgap.errors.SchemaError: plan.csv: column 'period' holds fiscal quarters of years \
ending in March (Q-MAR) [bad_period]; 2 rows, e.g. line 2: 2024Q4 (calendar 2024Q1); ...
    """
    for name, dtype in df.dtypes.items():
        if not isinstance(dtype, pd.PeriodDtype):
            continue
        code = canonical_freqstr(dtype.freq.freqstr)
        hint = fiscal_hint(code)
        if not hint:
            continue
        periods = pd.PeriodIndex(df[name])
        calendar = periods.asfreq(CALENDAR[code[0]], how="end")
        rows = np.flatnonzero(~periods.isna())
        shown = periods[rows].astype(str).to_numpy(dtype=object)
        moved = calendar[rows].astype(str).to_numpy(dtype=object)
        cases = pd.DataFrame({
            "line": rows + 2, "row": df.index[rows], "column": str(name), "rule": "bad_period",
            "value": shown,
            "message": [f"{a} is {code}, calendar {b}" for a, b in zip(shown, moved, strict=True)],
        })
        example = (f", e.g. line {rows[0] + 2}: {shown[0]} (calendar {moved[0]})"
                   if rows.size else "")
        raise SchemaError(
            f"{what}: column {name!r} holds {describe_freq(code)} [bad_period]; "
            f"{rows.size} row{'s' if rows.size != 1 else ''}{example}; periods here are "
            f"calendar years, calendar quarters or months (a label such as '2024Q1' names "
            f"January to March 2024), and {action} would name other months{hint}",
            column=str(name), reason="bad_period", failure_cases=cases)


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
