"""``backtest_residuals()``: the rolling-origin errors as the long table reconcile takes."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.features import aggregate
from talentgap.models import AutoForecaster, Hierarchy, reconcile
from talentgap.models import reconciliation as reconciliation_module

pytestmark = pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")


def test_rows_are_the_cv_errors_with_their_periods():
    rng = np.random.default_rng(0)
    frames = [pd.DataFrame({"id": name, "period": pd.period_range(end="2024Q4", periods=n,
                                                                  freq="Q"),
                            "value": 50 + np.cumsum(rng.normal(0, 2, n))})
              for name, n in (("a", 12), ("b", 7))]
    df = pd.concat(frames, ignore_index=True)
    fc = tg.models.Naive(n_windows=3).fit(df, keys=["id"])
    out = fc.backtest_residuals(2)
    assert out.columns.tolist() == ["id", "period", "horizon_step", "residual"]
    errors = fc.cv_errors(2)
    assert len(out) == np.isfinite(errors).sum()
    # by hand: origin k of series "a" holds out its last 2 + k quarters; naive forecasts
    y = frames[0]["value"].to_numpy()
    periods = frames[0]["period"]
    rows = []
    for k in range(3):
        origin = len(y) - 2 - k
        rows += [("a", periods[origin + j], j + 1, y[origin + j] - y[origin - 1])
                 for j in range(2)]
    hand = pd.DataFrame(rows, columns=out.columns)
    pd.testing.assert_frame_equal(out[out["id"] == "a"].reset_index(drop=True), hand)


def test_horizon_is_checked():
    df = pd.DataFrame({"id": "a", "period": pd.period_range("2020Q1", periods=8, freq="Q"),
                       "value": np.arange(8.0)})
    with pytest.raises(tg.errors.ParameterError, match="horizon"):
        tg.models.Naive().fit(df, keys=["id"]).backtest_residuals(0)


def _docs_example() -> str:
    """The code block of the reconciliation module's docstring, as written."""
    doc = reconciliation_module.__doc__
    block = doc.split("Typical use, with the node layout of")[1].split("::", 1)[1]
    lines = []
    for line in block.splitlines()[1:]:
        if line and not line.startswith("    "):
            break
        lines.append(line)
    return textwrap.dedent("\n".join(lines))


def test_the_documented_workflow_runs_and_equals_residuals_built_by_hand():
    rng = np.random.default_rng(0)
    periods = pd.period_range("2019Q1", periods=20, freq="Q")
    panel = pd.concat([pd.DataFrame({"region": r, "industry": i, "period": periods,
                                     "gap": (100 + np.cumsum(rng.normal(0, 5, 20))).round()})
                       for r in ("r1", "r2", "r3") for i in ("a", "b")], ignore_index=True)
    namespace = {"panel": panel, "provinces": {"r1": "N", "r2": "N", "r3": "S"},
                 "sectors": {"a": "x", "b": "x"}, "Hierarchy": Hierarchy,
                 "aggregate": aggregate, "AutoForecaster": AutoForecaster,
                 "reconcile": reconcile}
    code = _docs_example()
    assert "backtest_residuals" in code
    exec(compile(code, "reconciliation-docs", "exec"), namespace)
    fc, hier, base = namespace["fc"], namespace["hier"], namespace["base"]

    # the same residuals by hand, from the (n_series, n_windows, horizon) array
    errors = fc.cv_errors(4)
    ids = fc.arrays_.ids  # every node ends in the panel's last quarter
    rows = []
    for s in range(errors.shape[0]):
        for k in range(errors.shape[1]):
            for j in range(4):
                if np.isfinite(errors[s, k, j]):
                    period = periods[-1] - (4 + k - 1 - j)
                    rows.append({**ids.iloc[s].to_dict(), "period": period,
                                 "horizon_step": j + 1, "residual": errors[s, k, j]})
    by_hand = pd.DataFrame(rows)
    expected = reconcile(base, hier, method="wls_var", residuals=by_hand)
    pd.testing.assert_frame_equal(namespace["res"].forecasts, expected.forecasts)
    top = expected.forecasts
    total = top[(top["region"] == "all") & (top["industry"] == "all")]
    assert not np.allclose(total["mean"].to_numpy(),
                           base.loc[total.index, "mean"].to_numpy())  # it did reconcile
