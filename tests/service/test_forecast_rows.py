"""The per-series forecast answers are predict()'s numbers for those series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import DataQualityWarning, ParameterError, collect_warnings

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.service import create_app
from talentgap.service._forecast_rows import ForecastAnswers

KEYS = ["region", "sector"]


@pytest.fixture(scope="module")
def forecaster():
    """Six series of uneven length (two short ones), quarterly, non-negative counts."""
    rng = np.random.default_rng(3)
    frames = []
    for i, length in enumerate([16, 16, 14, 12, 5, 3]):
        periods = pd.period_range(end="2024Q4", periods=length, freq="Q")
        frames.append(pd.DataFrame({
            "region": f"R{i % 3}", "sector": f"S{i // 3}", "period": periods,
            "value": rng.poisson(20 + 5 * i, length).astype(float)}))
    df = pd.concat(frames, ignore_index=True)
    return tg.models.SeasonalNaive(season_length=4, n_windows=3).fit(
        df, target="value", keys=KEYS)


def _series(model, positions):
    ids = model.arrays_.ids[KEYS].astype(str)
    return [dict(ids.iloc[i]) for i in positions]


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
@pytest.mark.parametrize(("positions", "level"),
                         [([4], [80]), ([5, 0, 2], [50, 95.5]), (range(6), [80, 90, 99])])
def test_rows_equal_predict_for_the_series_asked(forecaster, positions, level):
    answers = ForecastAnswers(forecaster, KEYS)
    horizon = 5
    columns, rows, _ = answers.answer(horizon, level, _series(forecaster, positions))
    out = forecaster.predict(horizon, level=level)
    expected = out.iloc[np.concatenate([np.arange(p * horizon, (p + 1) * horizon)
                                        for p in positions])].reset_index(drop=True)
    assert columns == list(out.columns)
    got = pd.DataFrame(rows, columns=columns)
    assert got[KEYS].to_numpy().tolist() == expected[KEYS].astype(str).to_numpy().tolist()
    assert got["period"].tolist() == expected["period"].astype(str).tolist()
    numbers = [c for c in columns if c not in (*KEYS, "period")]
    np.testing.assert_allclose(got[numbers].to_numpy(dtype=float),
                               expected[numbers].to_numpy(dtype=float), rtol=1e-12,
                               atol=1e-12, equal_nan=True)


def test_every_series_when_none_are_named(forecaster):
    _, rows, _ = ForecastAnswers(forecaster, KEYS).answer(2, [80], None)
    assert len(rows) == 2 * forecaster.arrays_.n_series


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_a_second_request_does_not_forecast_again(forecaster, monkeypatch):
    answers = ForecastAnswers(forecaster, KEYS)
    calls = []
    predict = forecaster.predict
    monkeypatch.setattr(forecaster, "predict",
                        lambda *a, **k: calls.append(a) or predict(*a, **k))
    first = answers.answer(3, [80], _series(forecaster, [1]))
    second = answers.answer(3, [80], _series(forecaster, [1]))
    assert first == second
    assert len(calls) == 1
    answers.answer(3, [80, 95], _series(forecaster, [1]))  # other levels: another table
    assert len(calls) == 2


def test_kept_tables_stay_within_the_byte_bound(forecaster):
    answers = ForecastAnswers(forecaster, KEYS, max_bytes=4_000)
    for horizon in range(1, 9):
        answers.answer(horizon, [80], _series(forecaster, [0]))
        assert 0 < answers.kept_bytes <= 4_000
    tiny = ForecastAnswers(forecaster, KEYS, max_bytes=10)  # nothing fits: built, not kept
    _, rows, _ = tiny.answer(2, [80], _series(forecaster, [0]))
    assert len(rows) == 2 and tiny.kept_bytes == 0


def test_warnings_come_back_with_every_answer(forecaster):
    answers = ForecastAnswers(forecaster, KEYS)
    for _ in range(2):  # the second answer comes from the kept table
        with collect_warnings() as caught:
            answers.answer(4, [99.9], _series(forecaster, [0]))
        assert any("too few rolling-origin errors for 99.9%" in str(w) for w in caught)
        assert all(isinstance(w, DataQualityWarning) for w in caught)


def test_an_unknown_series_is_named(forecaster):
    with pytest.raises(ParameterError, match=r"series: 1 requested series.*'region': 'R9'"):
        ForecastAnswers(forecaster, KEYS).answer(2, [80], [{"region": "R9", "sector": "S0"}])


@pytest.mark.parametrize("entry", [{}, {"x": "1"}, {"region": "R0", "sector": "S0", "x": "1"}])
def test_an_entry_with_no_key_or_another_column_is_refused(forecaster, entry):
    with pytest.raises(ParameterError, match=r"series: each entry must give the key columns"):
        ForecastAnswers(forecaster, KEYS).answer(2, [80], [entry])


def test_an_entry_with_some_keys_selects_every_series_with_those_values(forecaster):
    ids = forecaster.arrays_.ids[KEYS].astype(str)
    _, rows, _ = ForecastAnswers(forecaster, KEYS).answer(
        1, [80], [{"sector": "S1"}, {"region": "R0"}])
    in_s1 = ids.index[ids["sector"] == "S1"].tolist()
    in_r0 = [i for i in ids.index[ids["region"] == "R0"] if i not in in_s1]
    wanted = ids.iloc[in_s1 + in_r0]
    assert [(r["region"], r["sector"]) for r in rows] == list(wanted.itertuples(index=False))
    with pytest.raises(ParameterError, match=r"series: 1 requested series.*'sector': 'S7'"):
        ForecastAnswers(forecaster, KEYS).answer(1, [80], [{"sector": "S7"}])


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_v1_forecast_answers_predicts_numbers_in_full_precision(forecaster, tmp_path):
    client = TestClient(create_app(forecaster.save(tmp_path / "fc")))
    series = _series(forecaster, [3, 1])
    reply = client.post("/v1/forecast", json={"horizon": 2, "level": [80], "series": series})
    assert reply.status_code == 200, reply.text
    got = pd.DataFrame(reply.json()["rows"])
    out = forecaster.predict(2, level=[80]).iloc[[6, 7, 2, 3]]
    assert got["sector"].tolist() == out["sector"].astype(str).tolist()
    np.testing.assert_allclose(got[["mean", "lo_80", "hi_80"]].to_numpy(dtype=float),
                               out[["mean", "lo_80", "hi_80"]].to_numpy(dtype=float),
                               rtol=1e-12, atol=1e-12)
    unknown = client.post("/v1/forecast", json={"horizon": 2,
                                                "series": [{"region": "R9", "sector": "S0"}]})
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "series"]
