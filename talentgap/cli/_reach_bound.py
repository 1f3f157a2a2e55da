"""Whether the run's capacities let a target be reached by its year at all.

The rough cost of reaching a target (places needed = workers short ÷ workers
per place) ignores capacities. Only places funded early enough to certify by
the target year (funding year + lead time <= target year) can count then,
and each cell takes at most its capacity per funding year.
:func:`capacity_bound` adds those capacities up from the plan's ``quotas``;
:func:`capacity_bound_words` says, when the places needed exceed what the
capacities leave, that the target cannot be reached by then.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["capacity_bound", "capacity_bound_words"]


def capacity_bound(quotas: pd.DataFrame, year: int) -> dict | None:
    """The places the capacities allow that certify by ``year``, and those the plan funds.

    Parameters
    ----------
    quotas : pandas.DataFrame
        A multi-year plan's quotas: ``period`` (funding year), ``quota``,
        ``capacity`` and ``lead_time`` per cell (or programme) and year.
    year : int
        The target year.

    Returns
    -------
    dict or None
        ``places`` (the capacities summed over the rows that certify by
        ``year``), ``planned`` (the plan's places on those rows), ``first``
        and ``last`` (their funding years). None when a column is missing,
        no row certifies by then, or a capacity is missing or unbounded.

    Examples
    --------
    >>> quotas = pd.DataFrame({"period": [2025, 2026, 2027], "quota": [10, 20, 30],
    ...                        "capacity": [100.0, 100.0, 100.0], "lead_time": 1})
    >>> capacity_bound(quotas, 2027)
    {'places': 200.0, 'planned': 30.0, 'first': 2025, 'last': 2026}
    """
    if not {"period", "quota", "capacity", "lead_time"} <= set(quotas.columns):
        return None
    funded = pd.to_numeric(quotas["period"].astype(str).str[:4], errors="coerce")
    ready = (funded + pd.to_numeric(quotas["lead_time"], errors="coerce")) <= year
    if not ready.any():
        return None
    capacity = quotas.loc[ready, "capacity"].to_numpy(dtype=np.float64)
    if not np.isfinite(capacity).all():
        return None
    years = funded[ready]
    return {"places": float(capacity.sum()),
            "planned": float(quotas.loc[ready, "quota"].to_numpy(dtype=np.float64).sum()),
            "first": int(years.min()), "last": int(years.max())}


def capacity_bound_words(quotas: pd.DataFrame, year: int, needed: float) -> str:
    """A sentence when ``needed`` more places exceed what the capacities leave by ``year``.

    "" when the capacities leave room for them, or without a bound.

    Examples
    --------
    >>> quotas = pd.DataFrame({"period": [2025, 2026, 2027], "quota": [10, 20, 30],
    ...                        "capacity": [100.0, 100.0, 100.0], "lead_time": 1})
    >>> print(capacity_bound_words(quotas, 2027, 500.0))
    The target cannot be reached by 2027 within the current capacities. Only places funded in 2025–2026 certify by then. The capacities allow at most 200 of them, 170 more than the plan funds, against about 500 more needed.
    >>> capacity_bound_words(quotas, 2027, 100.0)
    ''
    """  # noqa: E501
    bound = capacity_bound(quotas, year)
    if bound is None:
        return ""
    room = bound["places"] - bound["planned"]
    if needed <= room:
        return ""
    span = (str(bound["first"]) if bound["first"] == bound["last"]
            else f"{bound['first']}–{bound['last']}")
    return (f"The target cannot be reached by {year} within the current capacities. Only "
            f"places funded in {span} certify by then. The capacities allow at most "
            f"{bound['places']:,.0f} of them, {max(room, 0.0):,.0f} more than the plan funds, "
            f"against about {float(f'{needed:.3g}'):,.0f} more needed.")
