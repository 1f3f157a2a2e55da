"""Estimated exit rates just outside [0, 1]: noise is clipped quietly, the rest summarised."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import collect_warnings
from talentgap.planning import estimate_exit_rate
from talentgap.planning.workforce import EXIT_CLIP_TOLERANCE

QUARTERS = [f"{y}Q{q}" for y in range(2021, 2025) for q in range(1, 5)]


def _stock_growing_by(shares: dict[str, float]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One cell per industry whose stock grows by ``-share`` a quarter with no inflow.

    The exit share of each quarter is then exactly ``share`` (negative: the stock
    grew beyond what the inflows explain), so the mean is ``share``.
    """
    stock, inflows = [], []
    for industry, share in shares.items():
        level = 1000.0 * (1.0 - share) ** np.arange(len(QUARTERS))
        stock.append(pd.DataFrame({"industry": industry, "period": QUARTERS, "skilled": level}))
        inflows.append(pd.DataFrame({"industry": industry, "period": QUARTERS[1:],
                                     "supply": 0.0}))
    return pd.concat(stock, ignore_index=True), pd.concat(inflows, ignore_index=True)


def test_the_tolerance_is_half_a_point_a_year_as_a_rate_per_quarter():
    per_quarter = 1 - (1 - EXIT_CLIP_TOLERANCE) ** 0.25
    assert EXIT_CLIP_TOLERANCE == 0.005 and per_quarter == pytest.approx(0.0012523, abs=1e-7)
    inside, outside = -0.99 * per_quarter, -1.01 * per_quarter
    stock, inflows = _stock_growing_by({"a": inside, "b": outside})
    with collect_warnings() as caught:
        rates = estimate_exit_rate(stock, inflows, keys=["industry"])
    clipped = [str(w) for w in caught if "outside [0, 1]" in str(w)]
    assert len(clipped) == 1 and "in 1 cell and" in clipped[0]
    assert "b: " in clipped[0] and "a: " not in clipped[0]
    assert rates["exit_rate"].tolist() == [0.0, 0.0]  # both clipped to 0


def test_noise_is_clipped_without_a_warning():
    stock, inflows = _stock_growing_by({"a": -0.0002, "b": -0.0001, "c": 0.02})
    with collect_warnings() as caught:
        rates = estimate_exit_rate(stock, inflows, keys=["industry"])
    assert not [w for w in caught if "outside [0, 1]" in str(w)]
    assert rates["exit_rate"].iloc[:2].tolist() == [0.0, 0.0]
    assert rates["exit_rate"].iloc[2] == pytest.approx(1 - 0.98 ** 4)


def test_the_warning_gives_the_count_and_the_furthest_cells_first():
    shares = {"a": -0.002, "b": -0.03, "c": -0.0001, "d": -0.01, "e": -0.005, "f": -0.004}
    stock, inflows = _stock_growing_by(shares)
    with collect_warnings() as caught:
        estimate_exit_rate(stock, inflows, keys=["industry"])
    (message,) = [str(w) for w in caught if "outside [0, 1]" in str(w)]
    # 5 cells beyond the tolerance (c is noise); the three furthest, furthest first
    assert "outside [0, 1] in 5 cells and is clipped" in message
    assert message.index("b: -0.03") < message.index("d: -0.01") < message.index("e: -0.005")
    assert "a: " not in message and "f: " not in message and "c: " not in message
    assert "; and 2 more (the furthest first; shares within 0.001252 of [0, 1] per period, " \
           "0.005 a year, are clipped without a warning)" in message
