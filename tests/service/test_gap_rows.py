"""The per-cell gap answers are predict()'s and explain()'s numbers for those cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import ParameterError

pytest.importorskip("fastapi", reason="the service extra is not installed")

from talentgap.service._gap_rows import GapAnswers, json_values

KEYS = ["region", "industry"]


@pytest.fixture(scope="module")
def answers(gap_model):
    return GapAnswers(gap_model, KEYS)


def _cells(gap_model, positions):
    return [{k: str(gap_model.cells_[k].iloc[i]) for k in KEYS} for i in positions]


def _expected(gap_model, horizon, level, positions):
    cells = pd.DataFrame(_cells(gap_model, positions))
    out = gap_model.predict(horizon, level=level, cells=cells)
    why = gap_model.explain(horizon).iloc[list(positions)].reset_index(drop=True)
    return out, why


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
@pytest.mark.parametrize(("positions", "level"),
                         [([4], [80]), ([5, 0, 2], [50, 95.5]), (range(6), [80, 90, 99])])
def test_rows_and_explanations_equal_predict_and_explain(gap_model, answers, positions, level):
    horizon = 3
    columns, rows, why = answers.answer(horizon, level, _cells(gap_model, positions))
    out, explain = _expected(gap_model, horizon, level, positions)
    assert columns == list(out.columns)
    got = pd.DataFrame(rows, columns=columns)
    assert got[KEYS].to_numpy().tolist() == out[KEYS].astype(str).to_numpy().tolist()
    assert got["period"].tolist() == out["period"].astype(str).tolist()
    assert got["flag"].tolist() == out["flag"].tolist()
    numbers = [c for c in columns if c not in (*KEYS, "period", "flag")]
    np.testing.assert_allclose(got[numbers].to_numpy(dtype=float),
                               out[numbers].to_numpy(dtype=float), rtol=1e-12, equal_nan=True)
    assert pd.DataFrame(why).astype(str).to_dict("records") == (
        explain.astype(str).to_dict("records"))


def test_all_cells_when_none_are_named(gap_model, answers):
    _, rows, why = answers.answer(2, [80], None)
    assert len(rows) == 2 * len(gap_model.cells_)
    assert len(why) == len(gap_model.cells_)


def test_explanation_flags_gather_the_codes_of_every_period(gap_model, answers):
    horizon = 4
    _, rows, why = answers.answer(horizon, [80], None)
    for i, entry in enumerate(why):
        codes = {c for row in rows[i * horizon:(i + 1) * horizon] for c in row["flag"].split(";")}
        assert set(filter(None, entry["flags"].split(";"))) == codes - {""}


def test_an_unknown_cell_is_named(answers):
    with pytest.raises(ParameterError, match="1 requested cell.*'region': 'Atlantis'"):
        answers.answer(2, [80], [{"region": "Atlantis", "industry": "textiles"}])


@pytest.mark.parametrize("entry", [{}, {"skill_level": "high_skilled"},
                                   {"region": "Amberfield", "industry": "textiles", "x": "1"}])
def test_an_entry_with_no_key_or_another_column_is_refused(answers, entry):
    with pytest.raises(ParameterError, match=r"cells: each entry must give the key columns"):
        answers.answer(2, [80], [entry])


def test_a_cell_named_twice_is_answered_once(gap_model, answers):
    cells = _cells(gap_model, [2, 0, 2])
    _, rows, why = answers.answer(2, [80], cells)
    assert [(w["region"], w["industry"]) for w in why] == [
        (c["region"], c["industry"]) for c in cells[:2]]
    assert len(rows) == 2 * 2


def test_prepare_builds_the_answers_of_a_horizon(gap_model):
    fresh = GapAnswers(gap_model, KEYS)
    fresh.prepare(3)
    assert fresh.prepared(3) and not fresh.prepared(5)


def test_json_values_turn_nan_and_missing_into_null():
    assert json_values(np.array([1.0, np.nan])) == [1.0, None]
    assert json_values(np.array(["a", None, np.nan], dtype=object)) == ["a", None, None]
    assert json_values(np.array([3, 4])) == [3, 4]
