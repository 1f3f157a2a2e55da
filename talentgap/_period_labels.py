"""The written forms of period labels: what frequency and period each distinct label names.

Each distinct label (string, number, date or pandas ``Period``) is classified
as annual, quarterly or monthly with its ordinal, as a date, a far date, a
missing value or an unread label; an unread label gets a hint at how to write
it. Deciding one frequency for a column and reporting failures is
:func:`talentgap.periods.parse_period_values`.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from talentgap._far_dates import in_range, months_since_1970
from talentgap._frequencies import ALIASES
from talentgap._period_arithmetic import NO_PERIOD

__all__ = ["classify_uniques", "label_hint"]

_QUARTER_YEAR_FIRST = r"^(?P<y>\d{4})\s*[-/ ]?\s*[Qq](?P<q>[1-4])$"
_QUARTER_FIRST = r"^[Qq](?P<q>[1-4])\s*[-/ ]?\s*(?P<y>\d{4})$"
_MONTH = r"^(?P<y>\d{4})\s*(?:[-/]|[Mm])\s*(?P<m>\d{1,2})$"
_YEAR = r"^(?P<y>\d{4})$"
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.+\-Z]*)?$"
_UTC_OFFSET = r"^(\d{4}-\d{2}-\d{2}[T ][0-9:.]*?)\s*(?:Z|[+\-]\d{2}(?::?\d{2})?)$"
_HINT = "use e.g. '2024', '2024Q1', '2024-03' or an ISO date '2024-03-31'"
#: Chinese forms: 2024年 / 2024年度, 2024年3季度 / 2024年第三季度, 2024年3月.
_YEAR_CN = r"^(?P<y>\d{4})\s*年度?$"
_QUARTER_CN = r"^(?P<y>\d{4})\s*年\s*第?\s*(?P<q>[1-4一二三四])\s*季度?$"
_MONTH_CN = r"^(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月份?$"
_CN_QUARTERS = {"一": "1", "二": "2", "三": "3", "四": "4"}
#: Dates written otherwise than ISO: year first (one reading), or day and month first.
_OTHER_DATE = r"^(?P<y>\d{4})\s*(?:[/.]|年)\s*(?P<m>\d{1,2})\s*(?:[/.]|月)\s*(?P<d>\d{1,2})\s*日?$"
_DAY_MONTH_DATE = r"^\d{1,2}[/.]\d{1,2}[/.]\d{4}$"
#: A label that says it names a fiscal period: "FY2024", "FY 2024Q1", "FY24".
_FISCAL_LABEL = r"^[Ff][Yy]\s*['\-]?\s*\d"
_FISCAL_TEXT = ("it looks like a fiscal period, and labels name calendar periods ('2024Q1' "
                "is January to March 2024): give the calendar period it ends in (fiscal "
                "pandas Periods convert with .dt.asfreq('Q-DEC', how='end') for quarters, "
                ".dt.asfreq('Y-DEC', how='end') for years)")


def _wall_clock(text: pd.Series) -> pd.DatetimeIndex:
    """ISO date strings as local wall-clock timestamps (UTC offsets dropped), NaT if invalid.

    Offsets are cut off the text first, so that values with different offsets
    (which pandas refuses to parse together) each keep their own calendar date.
    """
    local = text.str.replace(_UTC_OFFSET, r"\1", regex=True)
    return pd.DatetimeIndex(pd.to_datetime(local, format="ISO8601", errors="coerce"))


def classify_uniques(uniques: pd.Index) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classify distinct labels.

    Returns ``kind`` (``"Y"``, ``"Q"``, ``"M"``, ``"date"``, ``"far_date"``,
    ``"missing"`` or ``"bad"``), ``ordinal`` (periods since 1970 in units of
    ``kind``; for dates, nanoseconds since the epoch; for a ``"far_date"``, a
    date outside the nanosecond range, months since 1970) and a printable form
    of each label.
    """
    n = len(uniques)
    kind = np.full(n, "bad", dtype=object)
    ordinal = np.full(n, NO_PERIOD, dtype=np.int64)
    values = np.asarray(uniques, dtype=object)

    is_missing = pd.isna(uniques)
    kind[is_missing] = "missing"
    is_period = np.array([isinstance(v, pd.Period) for v in values], dtype=bool)
    is_date = np.array([isinstance(v, (_dt.date, np.datetime64)) for v in values], dtype=bool)
    is_date &= ~is_missing & ~is_period
    is_number = np.array(
        [isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
         for v in values],
        dtype=bool,
    ) & ~is_missing

    for i in np.flatnonzero(is_period):  # distinct values only, usually a few dozen
        code = ALIASES.get(values[i].freqstr.lower())
        if code is not None:
            kind[i] = code
            ordinal[i] = values[i].ordinal
    if is_date.any():
        idx = np.flatnonzero(is_date)
        stamps = pd.DatetimeIndex(pd.to_datetime(values[is_date], errors="coerce"))
        ok = np.asarray(stamps.notna(), dtype=bool)
        near = ok & in_range(stamps)
        kind[idx[near]] = "date"
        ordinal[idx[near]] = stamps[near].as_unit("ns").asi8
        far = ok & ~near
        kind[idx[far]] = "far_date"
        ordinal[idx[far]] = months_since_1970(stamps[far])
    if is_number.any():
        nums = values[is_number].astype(float)
        ok = (nums == np.round(nums)) & (nums >= 1000) & (nums <= 9999)
        idx = np.flatnonzero(is_number)
        kind[idx[ok]] = "Y"
        ordinal[idx[ok]] = nums[ok].astype(np.int64) - 1970

    is_text = np.array([isinstance(v, str) for v in values], dtype=bool)
    if is_text.any():
        idx = np.flatnonzero(is_text)
        text = pd.Series(values[is_text], dtype=object).str.normalize("NFKC").str.strip()
        for pattern in (_QUARTER_YEAR_FIRST, _QUARTER_FIRST):
            m = text.str.extract(pattern)
            ok = m["y"].notna().to_numpy()
            kind[idx[ok]] = "Q"
            ordinal[idx[ok]] = (m["y"][ok].astype(int) - 1970) * 4 + m["q"][ok].astype(int) - 1
        m = text.str.extract(_MONTH)
        month = pd.to_numeric(m["m"], errors="coerce")
        ok = (m["y"].notna() & month.between(1, 12)).to_numpy()
        kind[idx[ok]] = "M"
        ordinal[idx[ok]] = (m["y"][ok].astype(int) - 1970) * 12 + month[ok].astype(int) - 1
        for pattern in (_YEAR, _YEAR_CN):
            m = text.str.extract(pattern)
            ok = m["y"].notna().to_numpy()
            kind[idx[ok]] = "Y"
            ordinal[idx[ok]] = m["y"][ok].astype(int) - 1970
        m = text.str.extract(_QUARTER_CN)
        ok = m["y"].notna().to_numpy()
        if ok.any():
            quarter = m["q"][ok].replace(_CN_QUARTERS).astype(int)
            kind[idx[ok]] = "Q"
            ordinal[idx[ok]] = (m["y"][ok].astype(int) - 1970) * 4 + quarter - 1
        m = text.str.extract(_MONTH_CN)
        month = pd.to_numeric(m["m"], errors="coerce")
        ok = (m["y"].notna() & month.between(1, 12)).to_numpy()
        kind[idx[ok]] = "M"
        ordinal[idx[ok]] = (m["y"][ok].astype(int) - 1970) * 12 + month[ok].astype(int) - 1
        iso = text.str.match(_ISO_DATE).to_numpy()
        if iso.any():
            stamps = _wall_clock(text[iso])
            ok = np.asarray(stamps.notna(), dtype=bool)
            near = ok & in_range(stamps)
            kind[idx[iso][near]] = "date"
            ordinal[idx[iso][near]] = stamps[near].as_unit("ns").asi8
            far = ok & ~near
            kind[idx[iso][far]] = "far_date"
            ordinal[idx[iso][far]] = months_since_1970(stamps[far])
        blank = (text == "").to_numpy()
        kind[idx[blank]] = "missing"

    shown = np.array([repr(v) if isinstance(v, str) else str(v) for v in values], dtype=object)
    return kind, ordinal, shown


def label_hint(value) -> str:
    """How to write a label that is not recognised: its ISO spelling if it is a date."""
    if not isinstance(value, str):
        return _HINT
    text = pd.Series([value], dtype=object).str.normalize("NFKC").str.strip()
    date = text.str.extract(_OTHER_DATE).iloc[0]
    if date.notna().all():
        iso = f"{date['y']}-{int(date['m']):02d}-{int(date['d']):02d}"
        return (f"it looks like a date: write it as an ISO date {iso!r} (the declared "
                f"frequency decides its period) or as a period label such as '2024Q3'")
    if text.str.match(_FISCAL_LABEL).iloc[0]:
        return _FISCAL_TEXT
    if text.str.match(_DAY_MONTH_DATE).iloc[0]:
        return ("it looks like a date whose day and month cannot be told apart: write it "
                "as an ISO date 'YYYY-MM-DD' or as a period label such as '2024Q3'")
    return _HINT
