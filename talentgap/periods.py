"""Parsing of period labels to one declared frequency.

Survey and training files label periods in many ways: ``"2024Q1"``,
``"2024-Q1"``, ``"2024-03"``, ``"2024"``, ISO dates, ``datetime64`` values or
pandas ``Period`` objects.  This module turns such labels into a pandas
``Period`` array of one frequency — annual (``"Y"``), quarterly (``"Q"``) or
monthly (``"M"``) — and refuses anything it would have to guess:

* a label of another frequency than the declared one (``"2024-03"`` when the
  table is quarterly: aggregate the months first);
* labels of mixed frequencies when no frequency is declared;
* dates when no frequency is declared (a date fits every frequency);
* day-first or month-first dates such as ``"03/04/2024"``;
* dates outside the years pandas holds timestamps for (1677-09-22 to
  2262-04-11: ``"2300-01-01"``, ``"0001-01-01"``, ``"9999-12-31"``), with
  the period label to write instead (``"2300Q1"``);
* fiscal periods: pandas Periods of fiscal years or quarters
  (``period[Y-JUN]``, ``period[Q-MAR]``) and labels that say they are
  fiscal (``"FY2024Q1"``). A label names a calendar period (``"2024Q1"``
  is January to March 2024), and pandas labels fiscal periods with the
  same words for other months, so each fiscal period is refused with its
  calendar period and the conversion
  (``.dt.asfreq("Q-DEC", how="end")``) rather than read under a label
  that would name other months once written to a file.

Labels in the forms Chinese statistical reports use are read too:
``"2024年"`` or ``"2024年度"`` (a year), ``"2024年3季度"``, ``"2024年第3季度"``
or ``"2024年第三季度"`` (a quarter) and ``"2024年3月"`` (a month); full-width
digits (``"２０２４Q３"``) are read as the digits they show. A date written
otherwise than ISO (``"2024/09/30"``, ``"2024年9月30日"``) is refused with the
ISO spelling to use.

Examples
--------
>>> from talentgap.periods import parse_periods
>>> parse_periods(["2024Q1", "2024-Q2", "Q3 2024"])
PeriodIndex(['2024Q1', '2024Q2', '2024Q3'], dtype='period[Q-DEC]')
>>> parse_periods(["2024-03-31", "2024-04-01"], freq="Q")
PeriodIndex(['2024Q1', '2024Q2'], dtype='period[Q-DEC]')
>>> parse_periods(["2024年3季度", "2024年第四季度"])
PeriodIndex(['2024Q3', '2024Q4'], dtype='period[Q-DEC]')
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap._far_dates import far_date_message
from talentgap._frequencies import (
    CALENDAR,
    FREQUENCIES,
    NAMES,
    canonical_freqstr,
    check_calendar_labels,
    check_same_freq,
    describe_freq,
    fiscal_fix,
    freq_name,
    normalize_freq,
    period_dtype_code,
)
from talentgap._period_arithmetic import NO_PERIOD as _NO_PERIOD
from talentgap._period_arithmetic import end_ordinals, period_array, year_end_ordinals
from talentgap._period_labels import classify_uniques, label_hint
from talentgap.errors import SchemaError

__all__ = ["FREQUENCIES", "NO_PERIOD", "normalize_freq", "parse_periods", "period_ordinals",
           "period_array", "end_ordinals", "year_end_ordinals", "freq_name", "describe_freq",
           "check_same_freq", "check_calendar_labels", "period_dtype_code"]

#: The ordinal pandas gives a missing Period (``NaT``), the smallest int64; also marks
#: "no period" in arrays of ordinals.
NO_PERIOD = _NO_PERIOD

#: First letter of an inferred timestamp frequency -> the period frequency it spaces.
_STAMP_FREQ = {"Y": "Y", "A": "Y", "Q": "Q", "M": "M", "B": "B", "D": "D", "W": "W"}


@dataclass(frozen=True)
class ParsedPeriods:
    """Result of :func:`parse_period_values`: one entry per input value.

    Attributes
    ----------
    periods : pandas.arrays.PeriodArray or None
        Parsed periods, ``NaT`` where parsing failed; ``None`` when the
        frequency could not be decided (see ``table_error``).
    freq : str or None
        The frequency used.
    failed : numpy.ndarray of bool
        Which values could not be parsed.
    rule : numpy.ndarray of object
        ``"missing_value"`` or ``"bad_period"`` where ``failed``, else ``None``.
    message : numpy.ndarray of object
        Why each failed value failed.
    table_error : str or None
        Set when the values as a whole are ambiguous (mixed frequencies, or
        dates with no declared frequency); then no row is parsed.
    """

    periods: pd.arrays.PeriodArray | None
    freq: str | None
    failed: np.ndarray
    rule: np.ndarray
    message: np.ndarray
    table_error: str | None = None


def _mixed_message(kind: np.ndarray, shown: np.ndarray, codes: np.ndarray) -> str:
    counts = []
    for k in ("Y", "Q", "M", "date"):
        rows = np.isin(codes, np.flatnonzero(kind == k))
        if rows.any():
            example = shown[codes[rows][0]]
            counts.append(f"{rows.sum()} {NAMES[k]} (e.g. {example})")
    return "mixed period forms: " + ", ".join(counts)


def _foreign_period_message(period: pd.Period) -> str:
    """Why a pandas Period of a frequency other than Y-DEC, Q-DEC or M fails, and the fix."""
    code = canonical_freqstr(period.freqstr)
    target = CALENDAR.get(code.partition("-")[0])
    if target is None:
        return (f"period {period} is a pandas Period of frequency {code!r}; periods are "
                "annual, quarterly or monthly: aggregate to one of those first")
    calendar = period.asfreq(target, how="end")
    return (f"period {period} is labelled in {describe_freq(code)}, calendar {calendar}: "
            f"{fiscal_fix(code)}")


def _code_of(dtype) -> str:
    """``"Y"`` for a dtype of fiscal years (``period[Y-JUN]``), ``"Q"`` for quarters or other."""
    if isinstance(dtype, pd.PeriodDtype):
        head = canonical_freqstr(dtype.freq.freqstr).partition("-")[0]
        if head in FREQUENCIES:
            return head
    return "Q"


def parse_period_values(values, *, freq: str | None = None) -> ParsedPeriods:
    """Parse labels row by row, recording failures instead of raising.

    This is the engine behind :func:`parse_periods` and table validation.

    Parameters
    ----------
    values : array-like
        Period labels (strings, integers, dates, ``Period`` objects).
    freq : {"Y", "Q", "M"} or alias, optional
        Declared frequency. When omitted it is taken from the labels, which
        must then all have the same form and must not be dates.

    Returns
    -------
    ParsedPeriods

    Examples
    --------
    >>> parsed = parse_period_values(["2024Q1", "2024-13", None], freq="Q")
    >>> parsed.failed.tolist(), parsed.rule.tolist()
    ([False, True, True], [None, 'bad_period', 'missing_value'])
    """
    declared = normalize_freq(freq) if freq is not None else None
    series = pd.Series(values, copy=False) if not isinstance(values, pd.Series) else values
    n = len(series)
    if isinstance(series.dtype, pd.PeriodDtype):
        codes, uniques = pd.factorize(series, use_na_sentinel=False)
        uniques = pd.Index(uniques.astype(object), dtype=object)
    elif pd.api.types.is_datetime64_any_dtype(series.dtype):
        stamps = series.dt.tz_localize(None) if series.dt.tz is not None else series
        codes, uniques = pd.factorize(stamps, use_na_sentinel=False)
        uniques = pd.Index(np.asarray(uniques.astype(object)), dtype=object)
    else:
        codes, uniques = pd.factorize(series.astype(object), use_na_sentinel=False)
        uniques = pd.Index(uniques, dtype=object)
    kind, ordinal, shown = classify_uniques(uniques)

    failed = np.zeros(n, dtype=bool)
    rule = np.full(n, None, dtype=object)
    message = np.full(n, None, dtype=object)

    row_kind = kind[codes]
    present = {k for k in ("Y", "Q", "M", "date") if (kind == k).any()}
    if (kind == "far_date").any():
        present.add("date")
    if declared is None:
        regular = present - {"date"}
        if len(present) > 1:
            detail = _mixed_message(kind, shown, codes)
            return ParsedPeriods(None, None, failed, rule, message,
                                 f"{detail}; declare one frequency with freq='Y', 'Q' or 'M'")
        if "date" in present:
            example = shown[codes[np.isin(row_kind, ("date", "far_date"))][0]]
            return ParsedPeriods(
                None, None, failed, rule, message,
                f"period values are dates (e.g. {example}) and no frequency was declared; "
                "pass freq='Y', 'Q' or 'M' to say which period each date falls in",
            )
        # no label read: the frequency a column of fiscal Periods stands for (Y for Y-JUN)
        declared = regular.pop() if regular else _code_of(series.dtype)

    unique_ordinal = np.full(len(uniques), NO_PERIOD, dtype=np.int64)
    same = kind == declared
    unique_ordinal[same] = ordinal[same]
    is_date = kind == "date"
    if is_date.any():
        stamps = pd.DatetimeIndex(ordinal[is_date].astype("datetime64[ns]"))
        unique_ordinal[is_date] = stamps.to_period(declared).asi8

    unique_rule = np.full(len(uniques), None, dtype=object)
    unique_message = np.full(len(uniques), None, dtype=object)
    for i in np.flatnonzero(unique_ordinal == NO_PERIOD):  # distinct failing labels only
        if kind[i] == "missing":
            unique_rule[i] = "missing_value"
            unique_message[i] = "period is missing"
        elif kind[i] == "far_date":
            unique_rule[i] = "bad_period"
            unique_message[i] = far_date_message(shown[i], ordinal[i], declared)
        elif kind[i] == "bad" and isinstance(uniques[i], pd.Period):
            unique_rule[i] = "bad_period"
            unique_message[i] = _foreign_period_message(uniques[i])
        elif kind[i] == "bad":
            unique_rule[i] = "bad_period"
            unique_message[i] = (f"period {shown[i]} is not a recognised label; "
                                 f"{label_hint(uniques[i])}")
        else:
            unique_rule[i] = "bad_period"
            unique_message[i] = (
                f"period {shown[i]} is {NAMES[kind[i]]} but the declared frequency is "
                f"{NAMES[declared]}"
                + ("; aggregate to one frequency first" if kind[i] != "date" else "")
            )

    row_ordinal = unique_ordinal[codes]
    failed = row_ordinal == NO_PERIOD
    rule = unique_rule[codes]
    message = unique_message[codes]
    periods = pd.arrays.PeriodArray(row_ordinal, dtype=pd.PeriodDtype(declared))
    return ParsedPeriods(periods, declared, failed, rule, message)


def parse_periods(values, *, freq: str | None = None, name: str = "period"):
    """Parse period labels to pandas ``Period`` values of one frequency.

    Parameters
    ----------
    values : array-like or pandas.Series
        Labels such as ``"2024Q1"``, ``"2024-Q1"``, ``"Q1 2024"``,
        ``"2024-03"``, ``"2024M3"``, ``"2024"`` or ``2024``, ISO dates,
        ``datetime64`` values, or ``Period`` objects.
    freq : {"Y", "Q", "M"} or alias, optional
        The frequency to parse to. Required when the labels are dates;
        otherwise taken from the labels, which must then share one form.
    name : str, default "period"
        Column name used in error messages.

    Returns
    -------
    pandas.Series or pandas.PeriodIndex
        A Series (same index and name) when given a Series, else a
        ``PeriodIndex``.

    Raises
    ------
    SchemaError
        If any label is missing, unrecognised, of another frequency than
        ``freq``, or the labels are ambiguous as a whole. The message lists
        up to five offending values; ``failure_cases`` lists them all.

    Examples
    --------
    >>> parse_periods(["2023", "2024"])
    PeriodIndex(['2023', '2024'], dtype='period[Y-DEC]')
    >>> parse_periods(["2024-01", "2024Q1"])
    Traceback (most recent call last):
    ...
    talentgap.errors.SchemaError: column 'period': mixed period forms: 1 quarterly ...
    """
    parsed = parse_period_values(values, freq=freq)
    if parsed.table_error is not None:
        raise SchemaError(
            f"column {name!r}: {parsed.table_error}", column=name, reason="ambiguous_period"
        )
    if parsed.failed.any():
        positions = np.flatnonzero(parsed.failed)
        cases = pd.DataFrame(
            {
                "line": positions + 1,
                "row": positions,
                "column": name,
                "rule": parsed.rule[positions],
                "value": np.asarray(pd.Series(values, copy=False), dtype=object)[positions],
                "message": parsed.message[positions],
            }
        )
        examples = "; ".join(
            f"position {p}: {m}" for p, m in zip(positions[:5], parsed.message[positions[:5]],
                                                  strict=True)
        )
        raise SchemaError(
            f"column {name!r}: {len(positions)} value(s) could not be parsed, e.g. {examples}",
            column=name,
            reason=str(parsed.rule[positions[0]]),
            failure_cases=cases,
        )
    if isinstance(values, pd.Series):
        return pd.Series(parsed.periods, index=values.index, name=values.name)
    return pd.PeriodIndex(parsed.periods, name=None)


def period_ordinals(df: pd.DataFrame, time: str) -> tuple[np.ndarray, str]:
    """Period ordinals of a long table's time column, and its pandas frequency.

    The time column of a forecasting table may hold:

    * pandas ``Period`` values of any one frequency (weekly and daily too),
      used as they are;
    * timestamps (``datetime64``) with a regular annual, quarterly, monthly,
      weekly, business-day or daily spacing, inferred from the distinct
      timestamps (at least three are needed);
    * period labels (``"2024Q1"``, ``"2024-03"``, ``"2024"``, ...) of one
      form, parsed by :func:`parse_period_values` with the frequency taken
      from the labels.

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    time : str
        Name of its time column.

    Returns
    -------
    ordinals : numpy.ndarray of int64
        Each row's period as a pandas period ordinal (``Period.ordinal``).
    freq : str
        pandas frequency string of the periods, e.g. ``"Q-DEC"``.

    Raises
    ------
    SchemaError
        If a period is missing or not a recognised label, the labels mix
        frequencies, or timestamps have no regular spacing. The error's
        ``column`` is ``time``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"period": ["2024Q3", "2024Q4", "2025Q1"]})
    >>> ordinals, freq = period_ordinals(df, "period")
    >>> freq, pd.PeriodIndex.from_ordinals(ordinals, freq=freq)[-1]
    ('Q-DEC', Period('2025Q1', 'Q-DEC'))
    >>> stamps = pd.DataFrame({"t": pd.date_range("2024-01-31", periods=3, freq="ME")})
    >>> period_ordinals(stamps, "t")[1]
    'M'
    >>> period_ordinals(pd.DataFrame({"period": ["2024Q1", "2024-03"]}), "period")
    Traceback (most recent call last):
    ...
    talentgap.errors.SchemaError: column 'period': mixed period forms: 1 quarterly ...
    """
    values = df[time]
    if isinstance(values.dtype, pd.PeriodDtype):
        if values.isna().any():
            raise SchemaError(f"column {time!r} has missing periods", column=time,
                              reason="missing_value")
        return values.array.asi8.copy(), values.array.freqstr
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        stamps = pd.DatetimeIndex(values.drop_duplicates().sort_values())
        guess = None
        if len(stamps) >= 3:
            with warnings.catch_warnings():  # pandas 3 announces an offset return type
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.simplefilter("ignore", FutureWarning)
                guess = pd.infer_freq(stamps)
            guess = getattr(guess, "freqstr", guess)
        code = _STAMP_FREQ.get((guess or "?")[0].upper())
        if code is None:
            raise SchemaError(
                f"column {time!r} holds timestamps without a regular annual, quarterly or "
                "monthly spacing; convert it to pandas Periods first", column=time,
                reason="bad_period")
        periods = pd.PeriodIndex(values, freq=code)
        return periods.asi8.copy(), periods.freqstr
    parsed = parse_period_values(values)
    if parsed.table_error is not None or parsed.failed.any():
        reason = parsed.table_error or parsed.message[np.flatnonzero(parsed.failed)[0]]
        raise SchemaError(f"column {time!r}: {reason}", column=time, reason="bad_period")
    return parsed.periods.asi8.copy(), parsed.periods.freqstr
