"""The horizon a gap model saved without one gets at load: the ``horizon_at_load`` setting
(and ``talentgap serve --horizon-at-load``), and the warning given when such a model is saved."""

from __future__ import annotations

import argparse
import copy
import warnings

import pytest

import talentgap as tg
from talentgap.errors import ConfigError
from talentgap.service._horizon import horizon_at_load

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.cli.serve import add_serve
from talentgap.service import ServiceSettings, create_app


def _info(model_dir, **settings) -> dict:
    app = create_app(model_dir, settings=ServiceSettings(plan_workers=0, **settings))
    return TestClient(app).get("/v1/model").json()


@pytest.mark.parametrize(("settings", "fixed"), [
    ({}, 8),  # two years of quarters
    ({"horizon_at_load": "longest"}, 14),  # the longest its backtests calibrate
    ({"horizon_at_load": "longest", "max_horizon": 10}, 10),  # capped by the service's maximum
    ({"horizon_at_load": 6}, 6),
    ({"horizon_at_load": 30}, 14),  # no longer than its backtests can calibrate
    ({"max_horizon": 5}, 5)])
def test_the_setting_chooses_the_horizon_fixed_at_load(model_dir, settings, fixed):
    info = _info(model_dir, **settings)
    assert (info["model_horizon"], info["max_horizon"], info["horizon_fixed_at_load"]) == (
        fixed, fixed, True)


def test_two_years_cover_the_saved_runs_default_horizon(gap_model):
    unfixed = copy.copy(gap_model).set_params(horizon=None)
    assert horizon_at_load(unfixed, 40) == 8
    assert horizon_at_load(unfixed, 40, least=12) == 12  # [forecast] horizon = 12
    assert horizon_at_load(unfixed, 40, least=20) == 14  # at most what it can calibrate


def test_a_model_saved_with_a_horizon_keeps_it_whatever_the_setting(gap_model, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # saved with a horizon: no warning
        path = copy.copy(gap_model).set_params(horizon=6).save(tmp_path / "six")
    info = _info(path, horizon_at_load="longest")
    assert (info["model_horizon"], info["horizon_fixed_at_load"]) == (6, False)


@pytest.mark.parametrize("rule", ["never", "two years", 0, -3, 2.5, True])
def test_an_unknown_rule_is_refused(rule):
    with pytest.raises(ConfigError, match="horizon_at_load == .*'two_years' or 'longest'"):
        ServiceSettings(horizon_at_load=rule)


def test_serve_passes_the_option_to_the_settings(model_dir, monkeypatch):
    from talentgap.cli import serve as serve_command

    parser = argparse.ArgumentParser()
    add_serve(parser.add_subparsers())
    seen = []

    def stop(*args, settings, **kwargs):
        seen.append(settings.horizon_at_load)
        raise KeyboardInterrupt  # before anything is served

    monkeypatch.setattr("talentgap.service.create_app", stop)
    for given in ([], ["--horizon-at-load", "longest"], ["--horizon-at-load", "12"]):
        with pytest.raises(KeyboardInterrupt):
            serve_command._run_serve(parser.parse_args(["serve", "--model", str(model_dir),
                                                        "--port", "0", *given]))
    assert seen == ["two_years", "longest", 12]
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--model", str(model_dir), "--horizon-at-load", "0"])


def test_saving_a_gap_model_without_a_horizon_warns_how_to_choose_it(gap_model, tmp_path):
    unfixed = copy.copy(gap_model).set_params(horizon=None)
    for save in (unfixed.save, lambda path: tg.models.persistence.save(unfixed, path)):
        with pytest.warns(UserWarning, match="without a horizon") as caught:
            save(tmp_path / "model")
        message = str(caught[0].message)
        assert "two years" in message and "model.set_params(horizon=8)" in message
        assert caught[0].filename == __file__  # points at the caller's line


def test_the_warnings_advice_gives_the_model_of_a_fit_with_that_horizon(gap_model, tmp_path):
    """``set_params(horizon=...)`` after fit, then save: served as if fitted with it."""
    data = tg.datasets.make_synthetic(n_regions=2, industries=3, n_periods=16, seed=2)
    panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=200,
                                         horizon=12).fit(panel).predict(12, level=[80])
    later = copy.copy(gap_model).set_params(horizon=12)
    client = TestClient(create_app(later.save(tmp_path / "twelve"),
                                   settings=ServiceSettings(plan_workers=0)))
    info = client.get("/v1/model").json()
    assert (info["model_horizon"], info["horizon_fixed_at_load"]) == (12, False)
    rows = client.post("/v1/gap", json={"horizon": 12, "level": [80]}).json()["rows"]
    assert [r["gap"] for r in rows] == pytest.approx(fitted["gap"].tolist())
