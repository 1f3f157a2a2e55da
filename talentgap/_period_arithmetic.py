"""Arithmetic on pandas period ordinals: periods from ordinals, and the end of each period.

Code that works on period ordinals (int64 counts of periods since 1970, as
pandas numbers them) turns them back into Periods and moves them to a coarser
or finer frequency here. :mod:`talentgap.periods` re-exports the public names
(``NO_PERIOD``, ``period_array``, ``end_ordinals``, ``year_end_ordinals``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["NO_PERIOD", "period_array", "end_ordinals", "year_end_ordinals"]

#: The ordinal pandas gives a missing Period (``NaT``), the smallest int64; also marks
#: "no period" in arrays of ordinals.
NO_PERIOD = np.iinfo(np.int64).min


def period_array(ordinals, freq: str) -> pd.arrays.PeriodArray:
    """Periods of frequency ``freq`` from their pandas ordinals (:data:`NO_PERIOD`: missing).

    Parameters
    ----------
    ordinals : array-like of int
        Ordinals as pandas counts them (periods since 1970 of that frequency).
    freq : str
        A frequency pandas knows, e.g. ``"Y"``, ``"Q"`` or ``"M"``.

    Returns
    -------
    pandas.arrays.PeriodArray

    Examples
    --------
    >>> period_array([216, 217], "Q")
    <PeriodArray>
    ['2024Q1', '2024Q2']
    Length: 2, dtype: period[Q-DEC]
    >>> period_array([NO_PERIOD], "Y").isna().tolist()
    [True]
    """
    return pd.arrays.PeriodArray(np.asarray(ordinals, dtype=np.int64),
                                 dtype=pd.PeriodDtype(freq))


def end_ordinals(ordinals, source: str, freq: str) -> np.ndarray:
    """Ordinals at ``freq`` of the last ``freq`` period of each ``source`` period.

    A year's last quarter, a quarter's last month; with ``freq`` no finer
    than ``source``, the period that holds the source period's end.

    Parameters
    ----------
    ordinals : array-like of int
        Periods of frequency ``source`` as pandas ordinals.
    source, freq : str
        Frequencies pandas knows (``"Y"``, ``"Q-DEC"``, ``"M"``, ...).

    Returns
    -------
    numpy.ndarray of int64

    Examples
    --------
    >>> q = end_ordinals([54, 55], "Y", "Q")       # the years 2024 and 2025
    >>> [str(p) for p in period_array(q, "Q")]
    ['2024Q4', '2025Q4']
    >>> [str(p) for p in period_array(end_ordinals(q, "Q", "M"), "M")]
    ['2024-12', '2025-12']
    """
    return pd.PeriodIndex(period_array(ordinals, source)).asfreq(freq, how="end").asi8


def year_end_ordinals(years, freq: str) -> np.ndarray:
    """Ordinals at ``freq`` of the last period of each calendar year.

    Parameters
    ----------
    years : int or array-like of int
        Calendar years, e.g. ``2026``.
    freq : str
        A frequency pandas knows (``"Y"``, ``"Q-DEC"``, ``"M"``, ...).

    Returns
    -------
    numpy.ndarray of int64
        One ordinal per year (:func:`end_ordinals` of the years).

    Examples
    --------
    >>> import pandas as pd
    >>> last = year_end_ordinals([2026, 2027], "Q")
    >>> [str(p) for p in period_array(last, "Q")]
    ['2026Q4', '2027Q4']
    >>> int(year_end_ordinals(2026, "M")[0] - pd.Period("2025-06", freq="M").ordinal)
    18
    """
    years = np.atleast_1d(np.asarray(years, dtype=np.int64))
    return end_ordinals(years - 1970, "Y", freq)
