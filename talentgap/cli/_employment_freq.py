"""The frequency an employment table is read at: the run's, or a coarser one of its own.

Employment enters a run only through the yearly workforce projections (the
employment forecast, the skilled stock and the policy need against
``[targets]``), so a yearly census can stand beside quarterly or monthly
surveys and training. :func:`read_employment` reads the table at

* ``[data] employment_freq`` when it is set (``"Y"`` for census dates such as
  ``2024-12-31``, which fall in any frequency's periods);
* else the frequency its labels name, when every label has one form (all
  years: ``"2024"`` or ``2024``) and it is the run's ``[data] freq`` or
  coarser;
* else the run's frequency, as every other table (dates, or mixed forms,
  which validation then names row by row).

A frequency finer than the run's is refused: a stock is an end-of-period
count, so monthly employment in a quarterly run is read at each quarter's
last month, and that choice is the user's, made in the file.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from talentgap._frequencies import NAMES, PER_YEAR, period_dtype_code
from talentgap.errors import ConfigError, SchemaError

__all__ = ["read_employment", "employment_freq", "coarser_employment", "employment_sentence",
           "employment_start"]


_UNITS = {"Y": "year", "Q": "quarter", "M": "month"}


def _finer_error(freq: str, run: str, where: str, source: str) -> ConfigError:
    return ConfigError(
        f"{where}: the employment periods are {NAMES[freq]} ({source}), finer than the run's "
        f"[data] freq = {run!r} ({NAMES[run]}); employment is read at the run's frequency or "
        f"a coarser one: keep each {_UNITS[run]}'s last count in the file (a stock is an "
        f"end-of-period count), or set [data] freq = {freq!r}")


def read_employment(read: Callable, data, where: str):
    """Read the employment table at the frequency it is given in (see the module's notes).

    Parameters
    ----------
    read : callable
        ``read(freq)`` returns ``(clean, report)`` of the table validated at
        ``freq`` (``None``: the frequency its labels name), every rule
        applied.
    data : DataConfig
        ``freq`` (the run's) and ``employment_freq`` (set or None).
    where : str
        The file (or ``"the demo employment table"``), for messages.

    Returns
    -------
    tuple
        ``(clean, report)``.

    Raises
    ------
    ConfigError
        If ``employment_freq`` or the labels' frequency is finer than the run's.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap import schema
    >>> from talentgap.cli.config import DataConfig
    >>> table = pd.DataFrame({"period": ["2023", "2024"], "region": "North",
    ...                       "industry": "textiles", "employment": [900, 950]})
    >>> def read(freq):
    ...     return schema.validate(table, table="employment", freq=freq, errors="report")
    >>> clean, report = read_employment(read, DataConfig(freq="Q"), "employment.csv")
    >>> clean["period"].dtype
    period[Y-DEC]
    >>> monthly = table.assign(period=["2024-11", "2024-12"])
    >>> read_employment(lambda freq: schema.validate(monthly, table="employment", freq=freq,
    ...                 errors="report"), DataConfig(freq="Q"), "employment.csv")
    Traceback (most recent call last):
    ...
    talentgap.errors.ConfigError: employment.csv: the employment periods are monthly (its \
labels), finer than the run's [data] freq = 'Q' (quarterly); employment is read at the run's \
frequency or a coarser one: keep each quarter's last count in the file (a stock is an \
end-of-period count), or set [data] freq = 'M'
    """
    run = data.freq
    declared = getattr(data, "employment_freq", None)
    if declared is not None:
        if PER_YEAR[declared] > PER_YEAR[run]:
            raise _finer_error(declared, run, where, "[data] employment_freq")
        return read(declared)
    try:
        clean, report = read(None)
    except SchemaError as error:  # dates or mixed forms: the run's frequency decides
        if error.column != "period":
            raise
        return read(run)
    freq = employment_freq(clean)
    if freq is None or freq == run:
        return (clean, report) if freq == run else read(run)
    if PER_YEAR[freq] > PER_YEAR[run]:
        raise _finer_error(freq, run, where, "its labels")
    return clean, report


def employment_freq(employment: pd.DataFrame | None) -> str | None:
    """The frequency code of an employment table's parsed periods, or None.

    Examples
    --------
    >>> import pandas as pd
    >>> employment_freq(pd.DataFrame({"period": pd.period_range("2023", periods=2, freq="Y")}))
    'Y'
    >>> employment_freq(None) is None
    True
    """
    if employment is None or "period" not in employment.columns:
        return None
    return period_dtype_code(employment["period"].dtype)


def coarser_employment(employment: pd.DataFrame | None, freq: str) -> bool:
    """True when the employment table's periods are coarser than the run's ``freq``.

    Such a table feeds the yearly workforce projections only, not the panel.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"period": pd.period_range("2023", periods=2, freq="Y")})
    >>> coarser_employment(table, "Q"), coarser_employment(table, "Y")
    (True, False)
    """
    own = employment_freq(employment)
    return own is not None and PER_YEAR[own] < PER_YEAR[freq]


def employment_start(report, keys) -> tuple[str, int, int] | None:
    """The last period of employment the stocks start from, and in how many cells.

    From a validated employment table's report (its kept rows' periods and
    key columns, ``row_keys``): the latest period, the cells observed in it
    and all cells (each cell's stock starts from its own last observed
    period, :func:`talentgap.planning.project_skilled_stock`). None without
    kept rows.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> rows = pd.DataFrame({"kept": True, "region": ["N", "N", "S"],
    ...                      "period": pd.PeriodIndex(["2021", "2022", "2021"], freq="Y")})
    >>> employment_start(SimpleNamespace(row_keys=rows), ["region"])
    ('2022', 1, 2)
    """
    rows = getattr(report, "row_keys", None)
    if rows is None or "period" not in rows.columns:
        return None
    rows = rows[rows["kept"].to_numpy(dtype=bool)] if "kept" in rows.columns else rows
    periods = rows["period"].dropna()
    if periods.empty:
        return None
    keys = [k for k in keys if k in rows.columns]
    last = periods.max()
    if not keys:
        return str(last), 1, 1
    ends = rows.groupby(keys, observed=True, sort=False)["period"].max()
    return str(last), int((ends == last).sum()), len(ends)


def employment_sentence(own: str | None, freq: str,
                        start: tuple[str, int, int] | None = None) -> str | None:
    """The report's words for employment given at ``own``, and the period the stocks start from.

    For employment coarser than the run's ``freq`` (a yearly census), how
    it is read; with ``start`` (:func:`employment_start`), the census or
    the last observed period the skilled stocks start from. None when
    there is nothing to say.

    Examples
    --------
    >>> employment_sentence("Y", "Q")
    "Employment is given by year: each year's figure is read as the count at the year's end \
(the skilled stock's starting point and the base of the target shares), and the quarterly \
surveys and training are summed into years."
    >>> employment_sentence("Y", "Q", ("2024", 64, 64)).split(". ")[-1]
    'The stocks start from employment from the census of 2024, the last year given.'
    >>> employment_sentence("Q", "Q", ("2024Q4", 60, 64))
    "The stocks start from employment in 2024Q4, the last observed period (each cell's own \
last observed period: 2024Q4 in 60 of the 64 cells, earlier in the others)."
    >>> employment_sentence("Q", "Q") is None
    True
    """
    coarser = own in PER_YEAR and PER_YEAR[own] < PER_YEAR.get(freq, 0)
    words = []
    if coarser:
        unit = _UNITS[own]
        words.append(f"Employment is given by {unit}: each {unit}'s figure is read as the count "
                     f"at the {unit}'s end (the skilled stock's starting point and the base of "
                     f"the target shares), and the {NAMES[freq]} surveys and training are "
                     f"summed into {unit}s.")
    if start is not None:
        last, at_last, cells = start
        where = (f"from the census of {last}, the last {_UNITS[own]} given" if coarser else
                 f"in {last}, the last observed period")
        some = ("" if at_last == cells else
                f" (each cell's own last observed period: {last} in {at_last} of the {cells} "
                "cells, earlier in the others)")
        words.append(f"The stocks start from employment {where}{some}.")
    return " ".join(words) or None
