"""Calibrated weights with occupation keys and no design: the implied strata's GREG SEs.

Without a design, a detail cell is a domain of the cell of the other keys, so
the calibration (GREG) standard errors are those of the declared design with
those strata, ``SurveyDesign(strata="region")``, which
``tests/features/test_calibrated_variance.py`` checks against a residual oracle.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning
from talentgap.features import SurveyDesign, build_panel, calibrate_weights, estimate_cells

COLUMNS = ["period", "enterprise_id", "region", "industry", "occupation", "employees",
           "vacancies", "hard_to_fill", "reports_shortage", "weight"]
KEYS = ["region", "occupation"]
TOTALS = {("region",): pd.DataFrame({"region": ["North", "South"], "count": [40.0, 55.0]})}


def _long(seed: int = 1, n_firms: int = 24) -> pd.DataFrame:
    """Two regions, two periods, 1-3 occupations per enterprise, some of 0 vacancies."""
    rng = np.random.default_rng(seed)
    rows = []
    for period in ("2024Q1", "2024Q2"):
        for e in range(n_firms):
            firm = [period, f"E{e:02d}", "North" if e % 2 else "South", "mfg",
                    int(rng.integers(10, 200))]
            flags = [bool(rng.random() < 0.6), float(rng.uniform(1, 9))]
            for occupation in rng.choice(["welder", "cnc", "robot"], int(rng.integers(1, 4)),
                                         replace=False):
                v = int(rng.integers(0, 6))
                rows.append([*firm[:4], occupation, firm[4], v, int(rng.integers(0, v + 1)),
                             *flags])
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.fixture(scope="module")
def calibrated() -> pd.DataFrame:
    return calibrate_weights(_long(), TOTALS, margins=["region"], bounds=None, tol=1e-12)


def test_equal_to_the_declared_design_of_the_other_keys(calibrated):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)  # no "ignored" warning any more
        implied = estimate_cells(calibrated, keys=KEYS)
    declared = estimate_cells(calibrated, keys=KEYS, design=SurveyDesign(strata="region"))
    pd.testing.assert_frame_equal(implied, declared[implied.columns], check_exact=False,
                                  rtol=1e-10)
    # the calibration moved them: not the SEs of the final weights taken as design weights
    plain = estimate_cells(calibrated, keys=KEYS, calibration=False)
    assert not np.allclose(implied["vacancies_se"], plain["vacancies_se"], rtol=1e-3)
    # a margin category's total is fixed: the reporting enterprises of every occupation of a
    # region add to more than it, but the region's own total has SE 0
    by_region = estimate_cells(calibrated, keys=["region"])
    assert by_region["enterprises_se"].max() < 1e-9


def test_explicit_margins_and_the_panel_agree(calibrated):
    explicit = estimate_cells(calibrated.copy(), keys=KEYS, calibration=["region"])
    pd.testing.assert_frame_equal(explicit, estimate_cells(calibrated, keys=KEYS))
    panel = build_panel(calibrated, keys=("region", "industry", "occupation"), freq="Q")
    cells = estimate_cells(calibrated, keys=["region", "industry", "occupation"])
    np.testing.assert_allclose(panel["demand_se"], cells["demand_se"], rtol=1e-12)
