"""Calibration within a design with a lonely PSU: the warning is left to the SE estimates."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, collect_warnings
from talentgap.features import SurveyDesign, estimate_cells
from talentgap.features.calibration import calibrate_weights

DESIGN = SurveyDesign(strata="stratum", psu="park")
TOTALS = {("region",): pd.DataFrame({"region": ["N", "S"], "count": [14, 30]})}


def _surveys() -> pd.DataFrame:
    """Stratum 'small' has PSUs P1 and P2; stratum 'large' one PSU, P3 (lonely)."""
    n = 6
    return pd.DataFrame({
        "period": "2024Q1", "enterprise_id": [f"E{i:03d}" for i in range(n)],
        "region": ["N", "N", "S", "S", "N", "S"], "industry": "textiles",
        "employees": np.arange(n) % 7 + 5, "vacancies": np.arange(n) % 3,
        "hard_to_fill": np.arange(n) % 2 * (np.arange(n) % 3 > 0),
        "reports_shortage": np.arange(n) % 2,
        "weight": [5.0, 5.0, 5.0, 5.0, 1.0, 1.0],
        "stratum": ["small"] * 4 + ["large"] * 2,
        "park": ["P1", "P1", "P2", "P2", "P3", "P3"]})


def test_the_lonely_psu_is_warned_about_where_the_ses_are_made():
    out = calibrate_weights(_surveys(), TOTALS, margins=["region"], design=DESIGN, bounds=None)
    with pytest.warns(DataQualityWarning, match=r"1 strata .* single sampled PSU"):
        estimate_cells(out, keys=("region",), design=DESIGN)


def test_calibration_itself_does_not_warn_about_it():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        out = calibrate_weights(_surveys(), TOTALS, margins=["region"], design=DESIGN,
                                bounds=None)
    assert [str(w.message) for w in seen if issubclass(w.category, DataQualityWarning)] == []
    np.testing.assert_allclose(out.groupby("region", observed=True)["weight"].sum(), [14, 30])


def test_nor_into_an_enclosing_collection_of_warnings():
    # a request of the service collects its warnings; calibration's design check adds none
    with collect_warnings() as caught:
        calibrate_weights(_surveys(), TOTALS, margins=["region"], design=DESIGN, bounds=None)
    assert [str(w) for w in caught] == []
