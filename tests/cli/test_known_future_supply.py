"""Supply the training table already holds after the surveys' last period: known, not forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.cli import outputs
from talentgap.cli._known_supply import run_counts, summary_line
from talentgap.cli.config import Config
from talentgap.cli.pipeline import run

KEYS = ["region", "industry"]


def _training(periods, cells: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Two programmes per cell and quarter, with certified counts that change every quarter."""
    rng = np.random.default_rng(seed)
    frames = []
    for program in ("welding", "sewing"):
        rows = cells.merge(pd.DataFrame({"period": periods}), how="cross")
        certified = rng.integers(3, 40, size=len(rows))
        frames.append(rows.assign(program=program, trained=certified + 5, certified=certified))
    return pd.concat(frames, ignore_index=True)


def _write(folder, *, later: int = 0, skip: int = 0, seed: int = 3) -> pd.DataFrame:
    """Surveys of 2 x 2 cells over 12 quarters; training to the last quarter, and ``later``
    quarters after it (starting ``skip`` quarters after the surveys' last one)."""
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=5)
    cells = data.surveys[KEYS].drop_duplicates().reset_index(drop=True)
    quarters = pd.period_range(pd.Period(str(data.surveys["period"].max()), freq="Q") - 11,
                               periods=12, freq="Q")
    after = pd.period_range(quarters[-1] + 1 + skip, periods=later, freq="Q")
    training = pd.concat([_training(quarters, cells, seed),
                          _training(after, cells, seed + 1)], ignore_index=True)
    training["period"] = training["period"].astype(str)
    tg.io.write_table(data.surveys, folder / "surveys.csv")
    tg.io.write_table(training, folder / "training.csv")
    return training


def _config(folder, *, horizon: int = 4, **panel) -> Config:
    return Config.from_dict({"data": {"surveys": "surveys.csv", "training": "training.csv",
                                      "freq": "Q", "keys": KEYS},
                             "panel": {"lead_time": 1, **panel},
                             "plan": {"absorption": 0.5},
                             "forecast": {"model": "naive", "n_samples": 200,
                                          "horizon": horizon, "max_horizon": horizon}},
                            base=folder)


def _arrivals(training: pd.DataFrame, period: str, absorption: float = 0.5) -> pd.Series:
    """Hand count: certified x absorption of the rows dated ``period``, per cell."""
    rows = training[training["period"] == period]
    return rows.groupby(KEYS)["certified"].sum() * absorption


def _rows(forecast: pd.DataFrame, period) -> pd.DataFrame:
    out = forecast[forecast["period"] == period].astype({"region": str, "industry": str})
    return out.set_index(KEYS)


def test_lead_one_makes_the_next_quarters_supply_known_exactly(tmp_path):
    training = _write(tmp_path)
    result = run(_config(tmp_path), steps=("forecast",))
    last = result.panel["period"].max()
    first = _rows(result.forecast, last + 1)
    expected = _arrivals(training, str(last)).reindex(first.index)
    # the cohorts certified in the last surveyed quarter, not a forecast of them
    np.testing.assert_array_equal(first["supply"].to_numpy(), expected.to_numpy())
    for lo, hi in (("supply_lo_80", "supply_hi_80"), ("supply_lo_95", "supply_hi_95")):
        np.testing.assert_allclose(first[lo], expected.to_numpy(), rtol=1e-6)
        np.testing.assert_allclose(first[hi], expected.to_numpy(), rtol=1e-6)
    assert first["flag"].str.contains("known_supply").all()
    # the quarter after is forecast: not flagged, and its supply paths spread
    second = _rows(result.forecast, last + 2)
    assert not second["flag"].str.contains("known_supply").any()
    assert (second["supply_hi_80"] > second["supply_lo_80"]).any()
    counts = run_counts(result)
    assert counts["rows_known"] == 8 and counts["cell_periods"] == 4  # 4 cells x 2 programmes
    assert counts["periods"] == [str(last + 1)] * 2
    assert any(f"the supply of 4 cell-periods in {last + 1} is known" in n for n in result.notes)


def test_training_rows_after_the_surveys_end_change_the_forecast(tmp_path):
    base = tmp_path / "base"
    more = tmp_path / "more"
    base.mkdir()
    more.mkdir()
    _write(base)
    training = _write(more, later=1)
    before = run(_config(base), steps=("forecast",))
    after = run(_config(more), steps=("forecast",))
    last = after.panel["period"].max()
    assert before.panel.equals(after.panel)  # the rows are after the surveys
    known = _rows(after.forecast, last + 2)
    expected = _arrivals(training, str(last + 1)).reindex(known.index)
    np.testing.assert_array_equal(known["supply"].to_numpy(), expected.to_numpy())
    assert known["flag"].str.contains("known_supply").all()
    assert not np.allclose(_rows(before.forecast, last + 2)["supply"], known["supply"])
    counts = run_counts(after)
    assert (counts["rows_known"], counts["cell_periods"]) == (16, 8)
    doc = outputs.summary(after, command="forecast", out=more, files=[])
    assert doc["forecast"]["known_supply"]["rows_known"] == 16
    assert summary_line(doc["forecast"]["known_supply"]) == (
        f"known supply: {last + 1}..{last + 2} (8 cell-periods, not forecast) from 16 "
        "training rows")


def test_a_row_after_the_horizon_is_reported(tmp_path):
    _write(tmp_path, later=1)
    result = run(_config(tmp_path, horizon=1), steps=("forecast",))
    last = result.panel["period"].max()
    counts = run_counts(result)
    # the rows of the quarter after the surveys arrive after the one quarter simulated
    assert counts["rows_after_forecast"] == 8 and counts["rows_known"] == 8
    assert any(f"8 training rows arrive after {last + 1}, the last period the gap model "
               "simulates, and are not used" in note for note in result.notes)
    assert summary_line(counts).endswith("; 8 later training rows not used (see the notes)")
    # kept with the model all the same: a model simulating further uses them
    assert int(result.gap_model.known_supply_[1].max()) == 2


def test_rows_after_a_quarter_without_training_are_not_taken_as_complete(tmp_path):
    _write(tmp_path, later=1, skip=1)  # no row in the quarter after the surveys
    result = run(_config(tmp_path), steps=("forecast",))
    last = result.panel["period"].max()
    flagged = result.forecast["flag"].str.contains("known_supply")
    assert set(result.forecast.loc[flagged, "period"]) == {last + 1}
    assert run_counts(result)["rows_not_determined"] == 8
    assert any(f"no training row is dated {last + 1}, so the table is taken as complete to "
               f"{last} only" in note for note in result.notes)


def test_a_lead_time_per_programme_knows_up_to_the_shortest(tmp_path):
    training = _write(tmp_path)
    (tmp_path / "lead.csv").write_text("program,lead_time\nwelding,2\nsewing,1\n")
    result = run(_config(tmp_path, lead_time="lead.csv"), steps=("forecast",))
    last = result.panel["period"].max()
    first = _rows(result.forecast, last + 1)
    # sewing of the last quarter, welding of the one before
    rows = training[((training["program"] == "sewing") & (training["period"] == str(last)))
                    | ((training["program"] == "welding")
                       & (training["period"] == str(last - 1)))]
    expected = (rows.groupby(KEYS)["certified"].sum() * 0.5).reindex(first.index)
    np.testing.assert_array_equal(first["supply"].to_numpy(), expected.to_numpy())
    # welding of the last quarter arrives in a quarter sewing does not reach yet
    assert not _rows(result.forecast, last + 2)["flag"].str.contains("known_supply").any()
    assert run_counts(result)["rows_not_determined"] == 4


@pytest.mark.parametrize(("fill", "known"), [(None, False), (0, True)])
def test_a_cell_without_training_in_the_last_quarter_follows_supply_fill(tmp_path, fill,
                                                                          known):
    training = _write(tmp_path)
    last = training["period"].max()
    first = training[KEYS].iloc[0]
    gone = ((training["period"] == last) & (training["region"] == first["region"])
            & (training["industry"] == first["industry"]))
    tg.io.write_table(training[~gone], tmp_path / "training.csv")
    settings = {} if fill is None else {"supply_fill": fill}
    result = run(_config(tmp_path, **settings), steps=("forecast",))
    row = _rows(result.forecast, pd.Period(last, freq="Q") + 1).loc[tuple(first)]
    assert ("known_supply" in row["flag"]) is known
    if known:
        assert row["supply"] == 0.0 and row["supply_hi_95"] == 0.0


def test_a_saved_model_keeps_the_known_supply(tmp_path):
    _write(tmp_path)
    config = _config(tmp_path)
    result = run(config, steps=("forecast",))
    result.gap_model.save(tmp_path / "model")
    loaded = tg.load(tmp_path / "model")
    for mine, theirs in zip(result.gap_model.known_supply_, loaded.known_supply_, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    again = run(config, steps=("forecast",), gap_model=loaded)
    pd.testing.assert_frame_equal(again.forecast[["supply", "flag"]],
                                  result.forecast[["supply", "flag"]])
    assert again.known_supply is None  # a given model's known supply is its own
