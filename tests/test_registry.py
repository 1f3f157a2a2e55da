"""The registry is the one list of estimators: exports, command line and artifacts read it."""

from __future__ import annotations

import pytest

import talentgap as tg
from talentgap import _registry
from talentgap.cli.config import MODEL_NAMES, Config
from talentgap.cli.pipeline import make_forecaster
from talentgap.errors import ParameterError


def test_every_registered_estimator_is_exported_by_tg_models():
    for name, cls in _registry.all_estimators():
        assert getattr(tg.models, name) is cls
        assert name in tg.models.__all__


def test_every_estimator_exported_by_tg_models_is_registered():
    exported = {name for name in tg.models.__all__
                if isinstance(getattr(tg.models, name), type)
                and issubclass(getattr(tg.models, name), (tg.models.BaseForecaster,
                                                          tg.models.GapForecaster))}
    exported.discard("BaseForecaster")  # the abstract base, not an estimator
    assert exported == {name for name, _ in _registry.all_estimators()}


def test_kinds_split_the_registry():
    forecasters = dict(_registry.all_estimators(kind="forecaster"))
    assert all(issubclass(cls, tg.models.BaseForecaster) for cls in forecasters.values())
    assert [name for name, _ in _registry.all_estimators(kind="gap")] == ["GapForecaster"]
    with pytest.raises(ParameterError,
                       match=r"kind == 'model', must be one of \['forecaster', 'gap'\] or None"):
        _registry.all_estimators(kind="model")
    with pytest.raises(ParameterError, match=r"kind == 'model', must be one of"):
        _registry.register("Model", kind="model")


def test_the_command_line_offers_the_registered_names():
    assert MODEL_NAMES[0] == "auto"
    assert set(MODEL_NAMES) == set(_registry.config_names())
    for name in MODEL_NAMES:
        assert type(make_forecaster(name, Config())) is _registry.config_names()[name]


def test_names_round_trip_and_are_unique():
    for name, cls in _registry.all_estimators():
        assert _registry.registry_name(cls) == name
        assert _registry.estimator_class(name) is cls
    assert _registry.dataclass_class("Hierarchy") is tg.models.Hierarchy
    with pytest.raises(KeyError):
        _registry.estimator_class("Hierarchy")  # a data class, not an estimator


def test_a_taken_name_is_refused():
    class Impostor:
        pass

    with pytest.raises(ParameterError,
                       match="name == 'ETS' is taken by talentgap.models.ets.ETS; registry "
                             "names must be unique: register .*Impostor under another name"):
        _registry.register("ETS")(Impostor)
    with pytest.raises(ParameterError,
                       match="name == 'not a name', must be a Python identifier"):
        _registry.register("not a name")(Impostor)
    with pytest.raises(ParameterError, match="name == '1st', must be a Python identifier"):
        _registry.register_dataclass("1st")(Impostor)
    assert _registry.estimator_class("ETS") is tg.models.ETS
