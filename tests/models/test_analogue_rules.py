"""AutoForecaster's declared analogues: when one is used, why one is not, and its level ratio.

Also the rule that decides when an ETS form is too short, which the damped
candidate's label depends on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, ParameterError
from talentgap.models import ETS, AutoForecaster
from talentgap.models._analogues import window_means
from talentgap.models._ets_state_space import fit_form
from talentgap.models.ets import FORMS

KEYS = ["region", "industry"]
END = "2025Q4"


def quarters(region: str, industry: str, values, end: str = END) -> pd.DataFrame:
    periods = pd.period_range(end=end, periods=len(values), freq="Q")
    return pd.DataFrame({"region": region, "industry": industry, "period": periods,
                         "value": np.asarray(values, dtype=float)})


def long_series(level: float = 100.0, n: int = 20, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return level * (1 + 0.02 * np.arange(n)) * np.exp(rng.normal(0, 0.03, n))


def fit(table: pd.DataFrame, **kwargs) -> AutoForecaster:
    return AutoForecaster(n_windows=2, **kwargs).fit(table, keys=KEYS)


# ---- a declared analogue that is not used says so -----------------------------------------------
def test_an_analogue_value_no_series_has_is_an_error():
    table = pd.concat([quarters("R1", "a", long_series()), quarters("R1", "new", [20, 25, 30])])
    with pytest.raises(ParameterError, match=r"analogues\['industry'\]\['new'\] == 'zzz'"):
        fit(table, analogues={"industry": {"new": "zzz"}}, min_history=8)


@pytest.mark.parametrize(("case", "expected"), [
    ("short", "the analogue has 5 observations, fewer than min_history=8"),
    ("other_region", "no series industry=a with the same region"),
    ("ends_earlier", "the analogue's last period is 2025Q2, the series' 2025Q4"),
    ("zero_series", "the series' mean over its last 4 periods is 0"),
])
def test_an_unused_analogue_is_named_with_its_reason(case, expected):
    analogue = {"short": quarters("R1", "a", long_series(n=5)),
                "other_region": quarters("R2", "a", long_series()),
                "ends_earlier": quarters("R1", "a", long_series(), end="2025Q2")}.get(
        case, quarters("R1", "a", long_series()))
    new = quarters("R1", "new", [0, 0, 0] if case == "zero_series" else [20, 25, 30])
    with pytest.warns(DataQualityWarning) as caught:
        fc = fit(pd.concat([analogue, new]), analogues={"industry": {"new": "a"}},
                 min_history=8)
    summary = fc.fitted_summary_.set_index(KEYS)
    reason = summary.loc[("R1", "new"), "fallback_reason"]
    assert reason.startswith(f"declared analogue industry=a not used: {expected}; ")
    assert reason.endswith("3 observations; naive forecast used")
    assert not summary.loc[("R1", "new"), "model"].startswith("analogue")
    message = " ".join(str(w.message) for w in caught)
    assert "1 series cannot use their declared analogue and is forecast" in message
    assert "R1 / new" in message and expected in message


@pytest.mark.filterwarnings("ignore:.*too short for some candidate models")
def test_min_history_defaults_to_what_the_candidates_need():
    table = pd.concat([quarters("R1", "a", long_series()), quarters("R1", "new", [20, 25, 30])])
    with pytest.warns(DataQualityWarning, match="1 series is forecast from their declared"):
        fc = fit(table, analogues={"industry": {"new": "a"}})
    # the damped candidate needs 8 quarters, more than any other default candidate
    assert fc.min_history_ == 8 == max(m.min_observations() for m in fc.candidates_.values())
    assert fc.fitted_summary_.loc[1, "model"].startswith("analogue industry=a x ")
    with pytest.warns(DataQualityWarning, match="min_history=0: .* never used"):
        off = fit(table, analogues={"industry": {"new": "a"}}, min_history=0)
    assert (off.analogue_rows_ == -1).all()


# ---- the row of an analogue's series describes the analogue's forecast --------------------------
@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_an_analogue_row_shows_no_candidate_weights_and_one_reason():
    table = pd.concat([quarters("R1", "a", long_series()), quarters("R1", "new", [40.0])])
    fc = fit(table, analogues={"industry": {"new": "a"}}, min_history=8)
    row = fc.fitted_summary_.set_index(KEYS).loc[("R1", "new")]
    weights = row[[c for c in row.index if c.startswith("weight_")]]
    assert (weights == 0).all()
    assert row["fallback_reason"] == ("1 observation < min_history=8: forecast from the "
                                      "analogue industry=a scaled to the series' level")
    assert row["model"].endswith("(1 observation < min_history 8)")


# ---- the level ratio ----------------------------------------------------------------------------
def test_the_levels_are_the_series_last_season_and_the_analogues_last_two():
    series = np.array([[np.nan, np.nan, np.nan, np.nan, np.nan, 4.0, 6.0, 8.0, 10.0, 12.0],
                       [np.nan] * 9 + [5.0]])
    analogue = np.vstack([np.arange(1.0, 11.0), np.r_[np.full(9, 7.0), np.nan]])
    mine, other = window_means(series, analogue, 4)
    # by hand: (6 + 8 + 10 + 12) / 4 and (3 + ... + 10) / 8; the second analogue has no
    # value in its last period, so the mean of its other 7 of the last 8
    np.testing.assert_allclose(mine, [9.0, 5.0])
    np.testing.assert_allclose(other, [6.5, 7.0])


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
def test_the_ratio_does_not_rest_on_the_analogues_one_overlapping_value():
    level = 100 + 2.0 * np.arange(20)
    wild = level.copy()
    wild[-1] = 10.0                                   # a survey estimate far off the level
    table = pd.concat([quarters("R1", "a", wild), quarters("R1", "new", [69.0])])
    fc = fit(table, analogues={"industry": {"new": "a"}}, min_history=8)
    # by hand: 69 / the mean of the analogue's last 8 quarters (124, ..., 136, 10) = 69 / 115;
    # from the overlapping quarter alone it would be 69 / 10
    assert fc.analogue_ratio_[1] == pytest.approx(69.0 / 115.0, rel=1e-12)
    out = fc.predict(2).set_index(KEYS)
    np.testing.assert_allclose(out.loc[("R1", "new"), "mean"].to_numpy(),
                               out.loc[("R1", "a"), "mean"].to_numpy() * 0.6, rtol=1e-9)


# ---- an ETS form is fitted exactly from the length its minimum says -----------------------------
@pytest.mark.parametrize("name", ["ANN", "AAN", "AAdN", "ANA", "AAdA", "log-ANN"])
def test_fit_form_scores_a_form_from_its_minimum_length_on(name):
    form, m = FORMS[name], 4
    least = form.min_length(m)
    y = 50 + np.random.default_rng(1).normal(0, 5, (1, least + 1))
    stops = np.array([[least - 1, least, least + 1]])
    score = fit_form(form, m, y, np.log(y), np.abs(y).mean(axis=1), stops).score
    assert np.isinf(score[0, 0]) and np.isfinite(score[0, 1:]).all()


@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
@pytest.mark.parametrize("n", [5, 6, 7, 8])
def test_damped_ets_is_too_short_below_eight_quarters_not_non_finite(n):
    values = [238.5, 602.9, 967.2, 602.9, 874.5, 954.0, 990.0, 1010.0][:n]
    table = pd.DataFrame({"k": "x", "value": values,
                          "period": pd.period_range("2019Q1", periods=n, freq="Q")})
    model = ETS(forms=("AAdN", "AAdA")).fit(table, keys=["k"])
    assert model.min_observations() == 8
    reason = model.fitted_summary_["fallback_reason"][0]
    if n < 8:
        assert reason == "ETS needs 8 observations; naive forecast"
    else:
        assert reason is None and model.fitted_summary_["ets_form"][0] == "AAdN"
