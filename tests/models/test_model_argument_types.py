"""Arguments of the wrong type get a ParameterError naming them, not a bare Python error."""

from __future__ import annotations

import pandas as pd
import pytest

import talentgap as tg
from talentgap._arguments import is_integer
from talentgap.errors import ParameterError


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=10, seed=5)
    return tg.features.build_panel(data.surveys, data.training)


@pytest.mark.parametrize(("seed", "accepted"), [
    ("a", False), (1.5, False), (-1, False), (True, False), (None, True), (7, True),
])
def test_gap_model_random_state(panel, seed, accepted):
    model = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=20,
                                    random_state=seed)
    if accepted:
        assert model.fit(panel).seed_ >= 0
    else:
        with pytest.raises(ParameterError, match="random_state == "):
            model.fit(panel)


@pytest.mark.parametrize(("params", "message"), [
    ({"n_jobs": "x"}, "n_jobs == 'x'"),
    ({"n_windows": "5"}, "n_windows == '5'"),
    ({"top": "2"}, "top == '2'"),
    ({"candidates": [tg.models.Naive()]}, "candidates must be a dict"),
    ({"candidates": {"naive": "Naive"}}, "candidates must be a dict"),
])
def test_auto_forecaster_arguments_of_the_wrong_type(panel, params, message):
    with pytest.raises(ParameterError, match=message):
        tg.models.AutoForecaster(**params).fit(panel, target="demand", keys=["region", "industry"])


def test_is_integer():
    assert [is_integer(v) for v in (3, 3.0, 2.5, "3", True, None)] == [
        True, False, False, False, False, False]


def test_an_unknown_reconcile_method_is_refused_without_a_hierarchy_too(panel):
    with pytest.raises(ParameterError, match="reconcile == 'bogus'"):
        tg.models.GapForecaster(forecaster=tg.models.Naive(), reconcile="bogus").fit(panel)
