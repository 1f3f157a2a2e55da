"""Reconciliation over a hierarchy when some cells have no training: the error names the fix."""

from __future__ import annotations

import pytest

import talentgap as tg
from talentgap.errors import ParameterError
from talentgap.models import GapForecaster, Naive


def _panel(**options):
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=3)
    first = data.training[["region", "industry"]].iloc[0]
    training = data.training[~((data.training["region"] == first["region"])
                               & (data.training["industry"] == first["industry"]))]
    return tg.features.build_panel(data.surveys, training, lead_time=1, **options)


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_a_cell_without_training_names_supply_fill_and_filling_it_fits():
    panel = _panel()
    gap = GapForecaster(forecaster=Naive(), hierarchy={}, n_samples=20)
    with pytest.raises(ParameterError, match=r"needs supply at every node .*"
                                             r"build_panel\(\.\.\., supply_fill=0\)"):
        gap.fit(panel)
    filled = GapForecaster(forecaster=Naive(), hierarchy={}, n_samples=20).fit(
        _panel(supply_fill=0))
    assert filled.predict(2)["supply"].notna().all()
