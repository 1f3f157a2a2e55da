"""Annual needs the long-table way: the reference for ``annual_sample_paths``.

The plans average a sub-annual model's sample paths over each calendar year,
path by path, on cells x years x samples arrays
(:func:`talentgap.planning._annual_needs.annual_sample_paths`). These two
functions give the same numbers from the long table of paths (one row per
cell, period and path) with pandas group means, written independently of the
array code, so tests can compare the two.
"""

from __future__ import annotations

import pandas as pd

from talentgap.errors import ParameterError

__all__ = ["annual_needs", "hold_need_years"]


def annual_needs(paths, *, keys, first_year: int | None = None,
                 columns=("demand", "gap")) -> pd.DataFrame:
    """Sample paths averaged over the periods of each calendar year, path by path.

    ``paths`` is a ``SamplePaths`` or its long table ``<keys...>, period,
    sample, <columns...>``. Returns ``<keys...>, period, sample, <columns...>``:
    one row per cell, year (an annual ``period``) and path, sorted by them; a
    year the paths cover only in part is the mean over the periods they hold.
    Raises ``ParameterError`` when no period lies in ``first_year`` or later.

    Examples
    --------
    >>> paths = pd.DataFrame({"region": "N", "industry": "A",
    ...                       "period": pd.PeriodIndex(["2025Q4", "2026Q1", "2026Q1",
    ...                                                 "2026Q2", "2026Q2"], freq="Q"),
    ...                       "sample": [0, 0, 1, 0, 1], "gap": [9.0, 10.0, 20.0, 30.0, 0.0]})
    >>> annual_needs(paths, keys=["region", "industry"], first_year=2026, columns=["gap"])
      region industry period  sample   gap
    0      N        A   2026       0  20.0
    1      N        A   2026       1  10.0
    """
    keys, columns = list(keys), list(columns)
    frame = paths.to_frame() if hasattr(paths, "to_frame") else paths
    frame = frame.assign(period=pd.PeriodIndex(frame["period"]).asfreq("Y"))
    if first_year is not None:
        frame = frame[frame["period"].dt.year >= int(first_year)]
        if frame.empty:
            raise ParameterError(f"first_year = {first_year}: the sample paths end before it")
    return (frame.groupby([*keys, "period", "sample"], observed=True, sort=True)[columns]
            .mean().reset_index())


def hold_need_years(annual: pd.DataFrame, years) -> pd.DataFrame:
    """The yearly needs with ``years`` past the paths' reach holding the last year's need.

    Each held year copies, per cell and sample path, the rows of the latest
    ``period`` of ``annual``.

    Examples
    --------
    >>> annual = pd.DataFrame({"region": "N", "period": pd.PeriodIndex(["2026"], freq="Y"),
    ...                        "sample": 0, "gap": [5.0]})
    >>> hold_need_years(annual, [2027])["period"].astype(str).tolist()
    ['2026', '2027']
    """
    years = [int(y) for y in years]
    if not years:
        return annual
    last = annual[annual["period"] == annual["period"].max()]
    return pd.concat([annual] + [last.assign(period=pd.Period(str(y), freq="Y"))
                                 for y in years], ignore_index=True)
