"""Plots: the artists drawn, drawing into a given Axes, NaN handling, errors, readable PNGs."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")  # before pyplot is imported: never open a window

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgb
from matplotlib.container import BarContainer
from matplotlib.image import imread

from talentgap.errors import ParameterError
from talentgap.evaluation.plots import error_by_horizon, fan_chart, gap_heatmap, top_shortages

INDUSTRIES = [
    "construction_engineering", "electromechanical_technology", "textiles",
    "clothing_and_shoe_making", "general_equipment_manufacturing", "ecommerce",
    "live_streaming_operations", "industrial_robot_operation", "logistics",
    "elderly_care", "automotive_repair", "food_processing",
]
REGIONS = ["Northvale", "Southmere", "Eastbrook", "Westholm", "Amberfield", "Bluewater",
           "Cedarholm", "Dunhollow", "Elderbrook", "Fernmoor"]


@pytest.fixture(autouse=True)
def _close_figures(monkeypatch):
    def no_show(*args, **kwargs):
        raise AssertionError("plots must never call plt.show()")

    monkeypatch.setattr(plt, "show", no_show)
    yield
    plt.close("all")


@pytest.fixture
def gap_forecast() -> pd.DataFrame:
    """GapForecaster-shaped output: 12 industries x 10 regions x 2 quarters, a few NaN."""
    rng = np.random.default_rng(7)
    cells = pd.MultiIndex.from_product([REGIONS, INDUSTRIES, pd.period_range(
        "2025Q3", periods=2, freq="Q")], names=["region", "industry", "period"]).to_frame(
        index=False)
    demand = rng.gamma(4.0, 120.0, len(cells))
    supply = rng.gamma(4.0, 110.0, len(cells))
    gap = demand - supply
    spread = 0.4 * demand
    out = cells.assign(demand=demand, supply=supply, gap=gap,
                       gap_lo_80=gap - spread, gap_hi_80=gap + spread,
                       gap_lo_95=gap - 1.6 * spread, gap_hi_95=gap + 1.6 * spread,
                       p_shortage=1 / (1 + np.exp(-gap / spread)), flag="")
    nan_rows = [3, 50, 121]
    for column in ("demand", "gap", "gap_lo_80", "gap_hi_80", "gap_lo_95", "gap_hi_95",
                   "p_shortage"):
        out.loc[nan_rows, column] = np.nan
    return out


@pytest.fixture
def history() -> pd.DataFrame:
    """Panel-shaped history of every cell, 2022Q1..2025Q2, with missing gaps."""
    rng = np.random.default_rng(3)
    panel = pd.MultiIndex.from_product([REGIONS, INDUSTRIES, pd.period_range(
        "2022Q1", "2025Q2", freq="Q")], names=["region", "industry", "period"]).to_frame(
        index=False)
    panel["gap"] = rng.normal(50.0, 120.0, len(panel))
    panel.loc[::9, "gap"] = np.nan
    return panel


@pytest.fixture
def forecast() -> pd.DataFrame:
    """AutoForecaster-shaped output for every cell, 4 quarters ahead."""
    cells = pd.MultiIndex.from_product([REGIONS, INDUSTRIES, pd.period_range(
        "2025Q3", periods=4, freq="Q")], names=["region", "industry", "period"]).to_frame(
        index=False)
    step = np.tile(np.arange(1, 5), len(cells) // 4)
    mean = 40.0 + 5 * step
    return cells.assign(mean=mean, lo_80=mean - 30 * step, hi_80=mean + 30 * step,
                        lo_95=mean - 50 * step, hi_95=mean + 50 * step)


CELL = {"region": "Northvale", "industry": "textiles"}


def _cell(frame: pd.DataFrame) -> pd.DataFrame:
    mask = (frame["region"] == CELL["region"]) & (frame["industry"] == CELL["industry"])
    return frame[mask].reset_index(drop=True)


def _bands(ax) -> list[PolyCollection]:
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def _zero_lines(ax, axis: str = "y") -> list:
    index = 1 if axis == "y" else 0
    return [line for line in ax.get_lines()
            if np.allclose(np.asarray(line.get_data()[index], float), 0.0)
            and len(line.get_data()[index]) == 2]


def _png(ax, path) -> np.ndarray:
    ax.figure.savefig(path, dpi=60)
    assert path.stat().st_size > 8_000
    pixels = imread(path)
    assert pixels.ndim == 3 and pixels[..., :3].std() > 0.05  # not a blank canvas
    return pixels


def _assert_readable(ax, which: str) -> None:
    """Tick labels of one axis lie inside the figure and do not overlap one another."""
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    axis = ax.xaxis if which == "x" else ax.yaxis
    low, high = sorted(axis.get_view_interval())
    index = 0 if which == "x" else 1
    labels = [t for t in axis.get_ticklabels() if t.get_text() and t.get_visible()
              and low - 1e-9 <= t.get_position()[index] <= high + 1e-9]  # ticks drawn
    assert labels
    inside = fig.bbox.expanded(1.0, 1.0).padded(1)
    for label in labels:
        box = label.get_window_extent(renderer)
        assert inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1), (
            f"tick label {label.get_text()!r} is cut off at the figure edge")
    rotation = labels[0].get_rotation() % 180
    if rotation in (0, 90):
        boxes = sorted((t.get_window_extent(renderer) for t in labels),
                       key=lambda b: (b.x0, b.y0))
        for a, b in zip(boxes, boxes[1:], strict=False):
            assert not a.overlaps(b), "tick labels overlap"
    else:  # parallel rotated labels are clear when their spacing across the text >= its height
        anchors = np.sort([ax.transData.transform((t.get_position()[0], 0))[0]
                           for t in labels])
        height = labels[0].get_fontsize() * fig.dpi / 72
        assert np.min(np.diff(anchors)) * np.sin(np.radians(rotation)) >= height


# ---- fan_chart --------------------------------------------------------------------------------
def test_fan_chart_draws_history_forecast_and_one_band_per_level(history, forecast):
    ax = fan_chart(history, forecast, keys=CELL, levels=(80, 95))
    assert isinstance(ax, matplotlib.axes.Axes)
    bands = _bands(ax)
    assert len(bands) == 2
    labels = {line.get_label() for line in ax.get_lines()}
    assert {"observed gap", "forecast"} <= labels
    assert "Northvale" in ax.get_title() and "textiles" in ax.get_title()
    assert ax.get_ylabel() == "gap (persons)"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["observed gap", "forecast", "80% interval", "95% interval"]
    # the widest band is drawn first (underneath) and is the lightest
    wide, narrow = bands
    assert wide.get_label() == "95% interval" and narrow.get_label() == "80% interval"
    assert sum(to_rgb(wide.get_facecolor()[0])) > sum(to_rgb(narrow.get_facecolor()[0]))
    # the 95% band spans the 95% bounds of the cell (it starts at the last observation)
    fc = _cell(forecast)
    ys = wide.get_paths()[0].vertices[:, 1]
    assert ys.min() <= fc["lo_95"].min() + 1e-9 and ys.max() >= fc["hi_95"].max() - 1e-9
    assert np.isclose(ys.max(), fc["hi_95"].max())


def test_fan_chart_places_periods_on_one_axis_with_period_labels(history, forecast):
    ax = fan_chart(history, forecast, keys=CELL)
    observed, predicted = ax.get_lines()[:2]
    assert observed.get_xdata()[-1] == pd.Period("2025Q2", freq="Q").ordinal
    assert predicted.get_xdata()[-1] == pd.Period("2026Q2", freq="Q").ordinal
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and all(len(t) == 6 and t[4] == "Q" for t in ticks)
    _assert_readable(ax, "x")


def test_fan_chart_reads_gap_forecaster_output(history, gap_forecast):
    ax = fan_chart(history, gap_forecast, keys=CELL)  # mean="gap", bounds gap_lo_<level>
    assert [b.get_label() for b in _bands(ax)] == ["95% interval", "80% interval"]
    ax = fan_chart(history, gap_forecast, keys=CELL, mean="gap", levels=[80],
                   lo="gap_lo_{level}", hi="gap_hi_{level}", title="mine", units=None)
    assert len(_bands(ax)) == 1 and ax.get_title() == "mine" and ax.get_ylabel() == "gap"


def test_fan_chart_zero_line_only_when_values_cross_zero():
    periods = pd.period_range("2020", periods=4, freq="Y")
    hist = pd.DataFrame({"period": periods, "gap": [10.0, 12, 15, 14]})
    fc = pd.DataFrame({"period": pd.period_range("2024", periods=2, freq="Y"),
                       "mean": [15.0, 16], "lo_80": [11.0, 9], "hi_80": [19.0, 23]})
    assert _zero_lines(fan_chart(hist, fc)) == []
    fc["lo_80"] = [-2.0, -5]
    assert len(_zero_lines(fan_chart(hist, fc))) == 1


def test_fan_chart_handles_nan_and_string_periods(tmp_path):
    hist = pd.DataFrame({"period": ["2023Q1", "2023Q2", "2023Q3", "2023Q4"],
                         "gap": [5.0, np.nan, 8.0, 9.0]})
    fc = pd.DataFrame({"period": pd.period_range("2024Q1", periods=3, freq="Q"),
                       "mean": [10.0, np.nan, 12.0], "lo_80": [6.0, np.nan, 5.0],
                       "hi_80": [14.0, np.nan, 19.0]})
    ax = fan_chart(hist, fc)
    assert ax.get_lines()[0].get_xdata()[0] == pd.Period("2023Q1", freq="Q").ordinal
    assert len(_bands(ax)) == 1
    _png(ax, tmp_path / "fan.png")


def test_fan_chart_without_intervals_and_monthly_labels():
    hist = pd.DataFrame({"period": pd.period_range("2020-01", periods=40, freq="M"),
                         "gap": np.arange(40.0)})
    fc = pd.DataFrame({"period": pd.period_range("2023-05", periods=6, freq="M"),
                       "mean": np.full(6, np.nan)})  # all missing: drawn as a gap
    ax = fan_chart(hist, fc)
    assert _bands(ax) == [] and len(ax.get_legend().get_texts()) == 2
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "2021-01" in ticks and all(t.endswith(("-01", "-07")) for t in ticks)


def test_fan_chart_single_step_without_history_still_has_a_visible_band():
    fc = pd.DataFrame({"period": [pd.Period("2025Q1", freq="Q")], "mean": [5.0],
                       "lo_80": [1.0], "hi_80": [9.0]})
    ax = fan_chart(None, fc)
    (band,) = _bands(ax)
    xs = band.get_paths()[0].vertices[:, 0]
    assert xs.max() - xs.min() > 0.5


def test_fan_chart_draws_into_given_axes(history, forecast):
    fig, (left, right) = plt.subplots(1, 2)
    out = fan_chart(history, forecast, keys=CELL, ax=right)
    assert out is right and len(fig.axes) == 2 and len(_bands(right)) == 2
    assert not left.lines and not left.collections


def test_fan_chart_errors(history, forecast):
    with pytest.raises(ParameterError, match="'hi_99'"):
        fan_chart(history, forecast, keys=CELL, levels=[99])
    with pytest.raises(ParameterError, match="'demand'"):
        fan_chart(history, forecast, keys=CELL, value="demand")
    with pytest.raises(ParameterError, match="several rows per period"):
        fan_chart(history, forecast)
    with pytest.raises(ParameterError, match="no rows of forecast match"):
        fan_chart(history, forecast, keys={"region": "Atlantis", "industry": "textiles"})
    with pytest.raises(ParameterError, match="'sector'"):
        fan_chart(history, forecast, keys={"sector": "textiles"})
    with pytest.raises(ParameterError, match="same frequency"):
        annual = _cell(history).assign(period=pd.period_range("2000", periods=14, freq="Y"))
        fan_chart(annual, forecast, keys=CELL)
    with pytest.raises(ParameterError, match="levels"):
        fan_chart(history, forecast, keys=CELL, levels=[150])
    with pytest.raises(ParameterError, match="ax must be"):
        fan_chart(history, forecast, keys=CELL, ax="left")
    with pytest.raises(ParameterError, match="mean='gap'"):
        fan_chart(history, forecast.rename(columns={"mean": "gap"}), keys=CELL, mean="mean")


# ---- gap_heatmap ------------------------------------------------------------------------------
def test_gap_heatmap_grid_colorbar_and_labels(gap_forecast):
    ax = gap_heatmap(gap_forecast)
    (image,) = ax.images
    assert image.get_array().shape == (len(INDUSTRIES), len(REGIONS))
    assert image.colorbar is not None
    assert image.colorbar.ax.get_ylabel() == "gap (persons)"
    assert image.norm.vmin == -image.norm.vmax  # diverging, centred at 0
    assert image.get_cmap().name.startswith("RdBu_r")
    assert "2025Q4" in ax.get_title()  # default: the last period
    assert [t.get_text() for t in ax.get_yticklabels()] == sorted(INDUSTRIES)
    assert [t.get_text() for t in ax.get_xticklabels()] == sorted(REGIONS)
    # values land in their cells; NaN cells are masked
    last = gap_forecast[gap_forecast["period"] == pd.Period("2025Q4", freq="Q")]
    row = last[(last["industry"] == "textiles") & (last["region"] == "Westholm")].iloc[0]
    grid = image.get_array()
    i, j = sorted(INDUSTRIES).index("textiles"), sorted(REGIONS).index("Westholm")
    assert grid[i, j] == pytest.approx(row["gap"])
    assert int(np.ma.getmaskarray(grid).sum()) == int(last["gap"].isna().sum()) > 0
    # small enough to annotate: one number per finite cell
    assert len(ax.texts) == int(last["gap"].notna().sum())


def test_gap_heatmap_is_readable_for_12_industries_by_10_regions(gap_forecast, tmp_path):
    ax = gap_heatmap(gap_forecast)
    _assert_readable(ax, "x")
    _assert_readable(ax, "y")
    width, height = ax.figure.get_size_inches()
    small = gap_heatmap(gap_forecast[gap_forecast["region"].isin(REGIONS[:2])
                                     & gap_forecast["industry"].isin(INDUSTRIES[:3])])
    assert width > small.figure.get_size_inches()[0]  # the figure grows with the grid
    assert height > small.figure.get_size_inches()[1]
    _png(ax, tmp_path / "heatmap.png")


def test_gap_heatmap_probability_scale_and_period_choice(gap_forecast):
    ax = gap_heatmap(gap_forecast, value="p_shortage", period="2025Q3", annotate=False)
    image = ax.images[0]
    assert (image.norm.vmin, image.norm.vmax) == (0.0, 1.0)
    assert image.colorbar.ax.get_ylabel() == "probability of shortage (0-1)"
    assert "2025Q3" in ax.get_title() and len(ax.texts) == 0


def test_gap_heatmap_many_categories_thins_labels():
    rows = [f"industry_{i:03d}" for i in range(120)]
    frame = pd.DataFrame([(r, c) for r in rows for c in REGIONS], columns=["industry", "region"])
    frame["period"] = "2026"
    frame["gap"] = np.linspace(-50, 80, len(frame))
    ax = gap_heatmap(frame)
    assert ax.images[0].get_array().shape == (120, 10)
    assert len(ax.get_yticklabels()) < 120 and len(ax.texts) == 0
    _assert_readable(ax, "y")


def test_gap_heatmap_draws_into_given_axes(gap_forecast):
    fig, ax = plt.subplots(layout="constrained")
    assert gap_heatmap(gap_forecast, ax=ax) is ax
    assert len(fig.axes) == 2  # the axes and its colour bar


def test_gap_heatmap_errors(gap_forecast):
    with pytest.raises(ParameterError, match="'p_surplus'"):
        gap_heatmap(gap_forecast, value="p_surplus")
    with pytest.raises(ParameterError, match="2030Q1"):
        gap_heatmap(gap_forecast, period="2030Q1")
    with pytest.raises(ParameterError, match="several rows"):
        gap_heatmap(gap_forecast.assign(period=pd.Period("2025Q4", freq="Q")))
    with pytest.raises(ParameterError, match="numeric"):
        gap_heatmap(gap_forecast, value="flag")
    with pytest.raises(ParameterError, match="cmap"):
        gap_heatmap(gap_forecast, cmap="no_such_map")


# ---- error_by_horizon -------------------------------------------------------------------------
@pytest.fixture
def bt_forecasts() -> pd.DataFrame:
    """Backtest-shaped forecasts of two models, two series, two windows, 3 steps."""
    rows = []
    for model, offset in (("naive", 0.0), ("ets", 1.0)):
        for sid in ("a", "b"):
            for w, cutoff in enumerate(pd.period_range("2023Q4", periods=2, freq="Q")):
                for h in (1, 2, 3):
                    actual = 10.0 * (sid == "b") + h + w
                    rows.append({"model": model, "series_id": sid, "cutoff": cutoff,
                                 "period": cutoff + h, "horizon_step": h,
                                 "mean": actual + offset + h * (sid == "a"), "actual": actual})
    return pd.DataFrame(rows)


def test_error_by_horizon_computes_metric_per_step_and_group(bt_forecasts):
    ax = error_by_horizon(bt_forecasts, metric="mae", by="model")
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"naive", "ets"}
    # naive: errors h on series a, 0 on b -> mae h/2; ets: h + 1 on a, 1 on b -> (h + 2) / 2
    assert lines["naive"].get_ydata().tolist() == [0.5, 1.0, 1.5]
    assert lines["ets"].get_ydata().tolist() == [1.5, 2.0, 2.5]
    assert lines["naive"].get_xdata().tolist() == [1, 2, 3]
    assert ax.get_ylabel() == "MAE (persons)"
    assert ax.get_xlabel() == "horizon (quarters ahead)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["naive", "ets"]


def test_error_by_horizon_rmse_pooled_or_mean_over_series(bt_forecasts):
    naive = bt_forecasts[bt_forecasts["model"] == "naive"]
    pooled = error_by_horizon(naive, metric="rmse").get_lines()[0].get_ydata()
    per_series = error_by_horizon(naive, metric="rmse", keys=["series_id"])
    steps = np.array([1.0, 2.0, 3.0])
    assert np.allclose(pooled, np.sqrt(steps**2 / 2))      # errors h and 0, pooled
    assert np.allclose(per_series.get_lines()[0].get_ydata(), steps / 2)  # (h + 0) / 2


def test_error_by_horizon_bias_has_zero_line_and_nan_actuals_are_left_out(bt_forecasts):
    frame = bt_forecasts[bt_forecasts["model"] == "naive"].copy()
    frame.loc[frame["horizon_step"] == 3, "actual"] = np.nan
    ax = error_by_horizon(frame, metric="bias")
    y = ax.get_lines()[0].get_ydata()
    assert y[:2].tolist() == [0.5, 1.0] and np.isnan(y[2])
    assert len(_zero_lines(ax)) == 1


def test_error_by_horizon_matches_a_backtest_summary():
    from talentgap.evaluation.backtest import backtest
    from talentgap.models import Drift, Naive

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"series_id": np.repeat(["a", "b"], 16),
                       "period": np.tile(pd.period_range("2020Q1", periods=16, freq="Q"), 2),
                       "value": rng.normal(100, 10, 32).cumsum()})
    runs = {name: backtest(model, df, target="value", keys=["series_id"], horizon=3,
                           n_windows=2) for name, model in (("naive", Naive()),
                                                            ("drift", Drift()))}
    ax = error_by_horizon(runs["naive"], metric="rmse")
    expected = runs["naive"].summary.loc["rmse", ["h1", "h2", "h3"]].to_numpy(float)
    assert np.allclose(ax.get_lines()[0].get_ydata(), expected)
    ax = error_by_horizon(runs, metric="mase")  # one line per model, from the summaries
    assert [line.get_label() for line in ax.get_lines()[:2]] == ["naive", "drift"]
    assert ax.get_ylabel().startswith("MASE")
    fig, own = plt.subplots()
    assert error_by_horizon(runs["drift"].forecasts, metric="smape", ax=own) is own


def test_error_by_horizon_reads_a_long_metrics_table():
    table = pd.DataFrame({"horizon_step": [1, 2, 1, 2], "metric": ["mae", "mae", "rmse", "rmse"],
                          "value": [1.0, 2.0, 3.0, 4.0]})
    ax = error_by_horizon(table, metric="rmse")
    assert ax.get_lines()[0].get_ydata().tolist() == [3.0, 4.0]


def test_error_by_horizon_errors(bt_forecasts):
    with pytest.raises(ParameterError, match="mase"):
        error_by_horizon(bt_forecasts, metric="mase")
    with pytest.raises(ParameterError, match="'actual'"):
        error_by_horizon(bt_forecasts.drop(columns="actual"))
    with pytest.raises(ParameterError, match="'segment'"):
        error_by_horizon(bt_forecasts, by="segment")
    with pytest.raises(ParameterError, match="empty"):
        error_by_horizon({})


# ---- top_shortages ----------------------------------------------------------------------------
def test_top_shortages_ranks_n_bars_largest_on_top(gap_forecast):
    ax = top_shortages(gap_forecast, n=15)
    assert len(ax.patches) == 15
    widths = [bar.get_width() for bar in sorted(ax.patches, key=lambda p: p.get_y())]
    last = gap_forecast[gap_forecast["period"] == pd.Period("2025Q4", freq="Q")]
    assert widths == pytest.approx(sorted(last["gap"].dropna(), reverse=True)[:15])
    assert ax.yaxis_inverted()  # rank 1 at the top
    top = last.loc[last["gap"].idxmax()]
    assert ax.get_yticklabels()[0].get_text() == f"{top['industry']} — {top['region']}"
    assert ax.get_xlabel() == "gap (persons)" and "2025Q4" in ax.get_title()


def test_top_shortages_is_readable_and_grows_with_n(gap_forecast, tmp_path):
    ax = top_shortages(gap_forecast, n=25, interval=80)
    _assert_readable(ax, "y")
    _assert_readable(ax, "x")
    assert ax.figure.get_size_inches()[1] > top_shortages(gap_forecast, n=5).figure \
        .get_size_inches()[1]
    _png(ax, tmp_path / "top.png")


def test_top_shortages_error_bars_span_the_interval(gap_forecast):
    ax = top_shortages(gap_forecast, n=3, period="2025Q3", interval=("gap_lo_95", "gap_hi_95"))
    (container,) = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert container.errorbar is not None
    segments = container.errorbar.lines[2][0].get_segments()
    first = gap_forecast[gap_forecast["period"] == pd.Period("2025Q3", freq="Q")]
    first = first.sort_values("gap", ascending=False).iloc[0]
    assert segments[0][:, 0] == pytest.approx([first["gap_lo_95"], first["gap_hi_95"]])
    assert "2025Q3" in ax.get_title()


def test_top_shortages_only_shortages_and_nan_left_out():
    frame = pd.DataFrame({"industry": ["a", "b", "c", "d"], "region": "R", "period": "2025",
                          "gap": [5.0, -3.0, np.nan, 0.0]})
    ax = top_shortages(frame, n=10)
    assert len(ax.patches) == 1
    ax = top_shortages(frame.assign(gap=-1.0), n=10)
    assert len(ax.patches) == 0 and "no shortage" in ax.texts[0].get_text()


def test_top_shortages_draws_into_given_axes(gap_forecast):
    fig, ax = plt.subplots()
    assert top_shortages(gap_forecast, n=4, ax=ax) is ax and len(ax.patches) == 4


def test_top_shortages_errors(gap_forecast):
    with pytest.raises(ParameterError, match="n == 0"):
        top_shortages(gap_forecast, n=0)
    with pytest.raises(ParameterError, match="'gap_lo_90'"):
        top_shortages(gap_forecast, interval=90)
    with pytest.raises(ParameterError, match="several rows per cell"):
        top_shortages(gap_forecast, keys=("industry",))
    with pytest.raises(ParameterError, match="must be a pandas DataFrame"):
        top_shortages(gap_forecast.to_dict())


# ---- shared conventions -----------------------------------------------------------------------
def test_plots_change_no_global_matplotlib_state(history, forecast, gap_forecast, bt_forecasts):
    before = dict(matplotlib.rcParams)
    backend = matplotlib.get_backend()
    fan_chart(history, forecast, keys=CELL)
    gap_heatmap(gap_forecast)
    error_by_horizon(bt_forecasts, by="model")
    top_shortages(gap_forecast)
    assert dict(matplotlib.rcParams) == before and matplotlib.get_backend() == backend


def test_plots_accept_nullable_and_categorical_columns(gap_forecast):
    frame = gap_forecast.astype({"gap": "Float64", "region": "category",
                                 "industry": "category"})
    ax = gap_heatmap(frame)
    assert ax.images[0].get_array().shape == (len(INDUSTRIES), len(REGIONS))
    assert len(top_shortages(frame, n=6).patches) == 6
