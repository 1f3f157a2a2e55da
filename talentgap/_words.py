"""Numbers in the words a person reads, shared by the planning layer and the report.

Examples
--------
>>> percentile_words(0.8), percentile_words(0.07), percentile_words(0.925)
('80th-percentile', '7th-percentile', '92.5th-percentile')
"""

from __future__ import annotations

__all__ = ["percentile_words"]


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
