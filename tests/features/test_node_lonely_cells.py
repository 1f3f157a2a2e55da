"""estimate_nodes without a design: a single-respondent cell's unknown variance is named in a
warning, and lonely_cell="certainty" counts it as 0 (checked by hand)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, ParameterError
from talentgap.features import estimate_cells, estimate_nodes


def _surveys() -> pd.DataFrame:
    # North: three respondents, South: one, in 2024Q1; both two respondents in 2024Q2
    return pd.DataFrame({
        "period": ["2024Q1"] * 4 + ["2024Q2"] * 4,
        "enterprise_id": ["E1", "E2", "E3", "E4"] * 2,
        "region": ["N", "S", "N", "N", "N", "S", "S", "N"], "industry": "textiles",
        "employees": 50, "vacancies": 9, "hard_to_fill": [8, 7, 1, 2, 3, 5, 4, 6],
        "reports_shortage": True, "weight": [4.0, 4.0, 2.0, 1.0, 1.0, 2.0, 3.0, 1.0]})


def _by_hand(weights, values) -> float:
    """With-replacement SE of a total in one stratum: sqrt(n/(n-1) sum (z - mean z)^2)."""
    z = np.asarray(weights) * np.asarray(values)
    return float(np.sqrt(z.size / (z.size - 1) * np.sum((z - z.mean()) ** 2)))


def _run(**kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = estimate_nodes(_surveys(), keys=["region"], **kwargs)
    return out.set_index(["region", "period"])["demand_se"], [str(w.message) for w in caught
                                                              if w.category is DataQualityWarning]


def test_nan_by_default_with_a_warning_naming_the_cell():
    se, said = _run()
    assert np.isnan(se[("all", pd.Period("2024Q1", "Q"))])
    assert np.isnan(se[("S", pd.Period("2024Q1", "Q"))])
    assert len(said) == 1 and "region=S in 2024Q1" in said[0] and "lonely_cell" in said[0]
    # 2024Q2 has no single-respondent cell: its total's SE is the root sum of squares
    q2 = pd.Period("2024Q2", "Q")
    expected = np.hypot(_by_hand([1.0, 1.0], [3, 6]), _by_hand([2.0, 3.0], [5, 4]))
    assert se[("all", q2)] == pytest.approx(expected)


def test_certainty_counts_the_single_cell_as_no_variance():
    se, said = _run(lonely_cell="certainty")
    q1 = pd.Period("2024Q1", "Q")
    north = _by_hand([4.0, 2.0, 1.0], [8, 1, 2])
    assert se[("N", q1)] == pytest.approx(north)
    assert se[("all", q1)] == pytest.approx(north)   # South adds 0: an understatement
    assert np.isnan(se[("S", q1)])                    # its own SE stays unknown
    assert len(said) == 1 and "understate" in said[0]
    cells = estimate_cells(_surveys(), keys=["region"]).set_index(["region", "period"])
    assert np.isnan(cells.loc[("S", q1), "demand_se"])  # the bottom rows still agree


def test_lonely_cell_is_checked():
    with pytest.raises(ParameterError, match="lonely_cell"):
        estimate_nodes(_surveys(), keys=["region"], lonely_cell="adjust")
