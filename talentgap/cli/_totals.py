"""The totals of a gap forecast's last period that the report and the JSON summary both give.

One function computes them, so the report's key figures and the JSON
summary of a run cannot disagree.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["LIKELY_SHORT", "last_period_totals"]

#: A cell counts as likely short when its probability of a shortage is at least this.
LIKELY_SHORT = 0.8


def last_period_totals(forecast: pd.DataFrame) -> dict:
    """Totals over the cells of the last forecast period, each named for what it counts.

    Parameters
    ----------
    forecast : pandas.DataFrame
        A gap forecast: columns ``period``, ``gap`` (the expected gap of a
        cell, persons) and ``p_shortage`` (0-1), one row per cell and period.

    Returns
    -------
    dict
        ``last_period``; ``cells``; ``net_expected_gap`` (the expected gaps
        added over all cells: shortages minus surpluses); ``sum_positive_expected_gaps``
        (the expected gaps added over the cells whose expected gap is above 0
        only); ``cells_expected_short`` (how many such cells);
        ``likely_short_min_p_shortage`` (the threshold, 0-1) and
        ``cells_likely_short`` (cells whose probability of a shortage is at
        least that threshold).

    Examples
    --------
    >>> import pandas as pd
    >>> fc = pd.DataFrame({"period": pd.PeriodIndex(["2025Q4"] * 3, freq="Q"),
    ...                    "gap": [30.0, 10.0, -15.0], "p_shortage": [0.9, 0.6, 0.2]})
    >>> totals = last_period_totals(fc)
    >>> totals["net_expected_gap"], totals["sum_positive_expected_gaps"]
    (25.0, 40.0)
    >>> totals["likely_short_min_p_shortage"], totals["cells_likely_short"]
    (0.8, 1)
    """
    last = forecast[forecast["period"] == forecast["period"].max()]
    gap = pd.to_numeric(last["gap"], errors="coerce")
    return {
        "last_period": str(last["period"].iloc[0]) if len(last) else None,
        "cells": int(len(last)),
        "net_expected_gap": float(gap.sum()),
        "sum_positive_expected_gaps": float(gap.clip(lower=0).sum()),
        "cells_expected_short": int((gap > 0).sum()),
        "likely_short_min_p_shortage": LIKELY_SHORT,
        "cells_likely_short": int((last["p_shortage"] >= LIKELY_SHORT).sum()),
    }
