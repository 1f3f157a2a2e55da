"""The multi-year plan through the command line: [plan] years, [targets], outputs, report."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from talentgap.cli import main
from talentgap.cli.config import Config, load_config
from talentgap.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "national_targets.toml"


@pytest.fixture(scope="module")
def national(national_out):
    """``talentgap plan`` on the national-target example, once."""
    return national_out


@pytest.mark.slow
def test_plan_years_has_one_row_per_year_within_budget(national):
    years = pd.read_csv(national / "plan_years.csv")
    config = load_config(EXAMPLE)
    funded = years[years["period"].isin(config.plan.years)]
    assert funded["period"].tolist() == list(config.plan.years)
    assert (funded["cost"] <= funded["budget"] * (1 + 1e-9)).all()
    assert funded["places"].sum() > 0
    quotas = pd.read_csv(national / "quotas.csv")
    assert set(quotas["period"]) == set(config.plan.years)


@pytest.mark.slow
def test_policy_need_and_target_path_are_written(national):
    need = pd.read_csv(national / "policy_need.csv")
    assert (need["policy_need_skilled"] >= 0).all()
    path = pd.read_csv(national / "target_path.csv")
    at_target = path[(path["period"] == 2029) & (path["skill_level"] == "skilled")
                     & (path["region"] != "all regions")]  # the regions, not their sum
    assert len(at_target) == 8
    assert (at_target["target_share"] == 0.30).all()
    assert (at_target["share_with_plan"] >= at_target["share_without_plan"]).all()
    east = path[(path["period"] == 2029) & (path["skill_level"] == "high_skilled")
                & path["region"].isin(["Amberfield", "Ashmere"])]
    assert (east["target_share"] == 0.35).all()


@pytest.mark.slow
def test_the_skilled_share_picks_up_where_it_ends_and_the_stock_grows_without_the_plan(
        national):
    # the stock takes the forecast certified supply as inflow and exits estimated from the
    # data, so the projection picks up where the observed shares end (no jump) and, with
    # the forecast supply above the exits, skilled workers keep growing in every region;
    # the observed rise of the share need not carry on: run at the frequency its exit rate
    # is estimated at, a constant rate with a level supply grows the stock by less each
    # year, and the example's history does not follow that identity
    path = pd.read_csv(national / "target_path.csv")
    skilled = path[(path["skill_level"] == "skilled") & (path["region"] != "all regions")]
    observed = skilled.groupby("period")["observed_share"].mean().dropna()
    projected = skilled.groupby("period")["share_without_plan"].mean().dropna()
    first = projected.index.min()
    assert abs(projected[first] - observed.iloc[-1]) < 0.02
    workers = skilled.pivot_table(index="period", columns="region",
                                  values="workers_without_plan").dropna()
    assert len(workers) >= 3 and workers.shape[1] == 8
    assert (workers.diff().iloc[1:] > 0).all().all()


@pytest.mark.slow
def test_report_has_the_target_path_section(national):
    html = (national / "report.html").read_text(encoding="utf-8")
    assert "Target path per region" in html
    assert "Plan over the years" in html
    assert "The plan funds" in html


@pytest.mark.slow
def test_report_says_where_needs_are_held_past_the_forecast(national):
    """The forecast's sample paths stop before the last need year: subtitle, headline and
    the years table say so where the numbers are read, not only in a closing warning."""
    html = (national / "report.html").read_text(encoding="utf-8")
    subtitle = re.search(r'<p class="subtitle">(.*?)</p>', html).group(1)
    match = re.search(r"plan years 2025–2029, plan needs counted 2025–2030 and forecast to "
                      r"(\d{4})Q4 \(needs after (\d{4}) held at (\d{4})&#x27;s level\)",
                      subtitle)
    assert match, subtitle
    reach = int(match.group(1))
    assert reach < 2029 and match.group(2) == match.group(3) == str(reach)
    # the headline speaks of the target year, 2029, whose need is held too
    assert "By 2029, the target year, the plan" in html
    assert (f"The expected shortfall in 2029 (needs after {reach} held at {reach}&#x27;s "
            "level) falls from") in html
    # the table and the notes under it, which say how it is counted
    table = re.search(r"<caption>Table \d+\. Per year: .*?</div>", html, re.S).group(0)
    assert f"the forecast reaches only to {reach}" in table
    marked = re.findall(r"<td>(\d{4}) \*</td>", table)
    assert marked == [str(y) for y in range(reach + 1, 2031)]
    assert f"<td>{reach}</td>" in table


def _rows(page: str, caption: str) -> list[list[str]]:
    """The body cells of the table whose caption contains ``caption``, as text."""
    table = re.search(rf"<caption>[^<]*{re.escape(caption)}.*?</table>", page, re.S).group(0)
    body = table.split("<tbody>")[1]
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in
             re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in body.split("<tr>")[1:]]


@pytest.mark.slow
def test_largest_gaps_and_models_tables_show_the_same_flags(national):
    """The largest-gaps table showed the last period's flags, the models table those of any
    period: one cell read two ways. Both show the flags of any forecast period and say so."""
    page = (national / "report.html").read_text(encoding="utf-8")
    forecast = pd.read_csv(national / "forecast.csv")
    first, last = forecast["period"].min(), forecast["period"].max()
    assert f"warning flags: those raised in any forecast period ({first}–{last})" in page
    largest = {tuple(row[:2]): row[-1] for row in _rows(page, "Largest expected gaps")}
    models = {tuple(row[:2]): row[-1] for row in _rows(page, "Models, history")}
    assert largest.keys() == models.keys() and any(largest.values())
    assert largest == models
    # each cell's flags are those of every forecast period together, not the last period's
    raised = forecast.assign(flag=forecast["flag"].fillna("").str.split(";")).explode("flag")
    raised = raised[raised["flag"] != ""].groupby(["region", "industry"])["flag"].agg(set)
    for cell, flags in largest.items():
        shown = {word.strip().replace(" ", "_") for word in flags.split(";") if word.strip()}
        assert shown == raised.get(cell, set()), cell


def _write(tmp_path, text: str) -> Path:
    path = tmp_path / "plan.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "match"), [
    ("[targets]\nskiled_share = 0.3\n", "did you mean 'skilled_share'"),
    ("[plan]\nyears = [2026]\n[targets]\nskilled_share = 1.3\ntarget_year = 2029\n",
     r"\[targets\] skilled_share must be <= 1"),
    ("[plan]\nyears = [2026]\n[targets]\nskilled_share = 0.3\n",
     r"\[targets\] target_year is required"),
    ("[plan]\nyears = [2027, 2026]\n", r"\[plan\] years must be increasing"),
    ("[plan]\nyears = [2026]\nbudget = { 2027 = 1e6 }\n", r"\[plan\] budget: key '2027'"),
    ("[plan]\nbudget = { 2026 = 1e6 }\n", r"budget per year .* needs \[plan\] years"),
    ("[plan]\nyears = [2026]\nintegr = 'none'\n", "did you mean 'integer'"),
    ("[targets]\nskilled_share = 0.3\ntarget_year = 2029\n", r"\[targets\] needs a multi-year"),
])
def test_bad_keys_are_config_errors(tmp_path, text, match):
    with pytest.raises(ConfigError, match=match):
        load_config(_write(tmp_path, text))


def test_bad_targets_exit_with_code_2(tmp_path, capsys):
    path = _write(tmp_path, "[plan]\nyears = [2026]\n[targets]\nshare_by = 'jobs'\n")
    assert main(["plan", "--config", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "[targets] share_by must be one of" in capsys.readouterr().err


def test_inline_targets_become_table_rows():
    config = Config.from_dict({"plan": {"years": [2028]}, "targets": {
        "skilled_share": 0.3, "high_skilled_share": 0.35,
        "high_skilled_share_regions": ["East"], "high_skilled_delta_points": 2.5,
        "target_year": 2029}})
    rows = pd.DataFrame(config.targets.rows())
    assert rows[["region", "skill_level"]].values.tolist() == [
        ["*", "skilled"], ["East", "high_skilled"], ["*", "high_skilled"]]
    assert rows["delta_points"].iloc[2] == 2.5


@pytest.mark.slow
def test_the_forecast_table_and_the_plan_come_from_one_simulation():
    """The report's forecast and the multi-year plan's paths agree on the periods they share."""
    import numpy as np

    from talentgap.cli import pipeline

    config = load_config(EXAMPLE)
    result = pipeline.run(config, steps=["features", "forecast", "plan"])
    model, horizon = result.gap_model, config.forecast.horizon
    assert model.horizon is not None and model.horizon >= horizon
    paths = model.sample_paths(model.horizon)
    gap = (paths.demand.astype(np.float64).mean(axis=-1)
           - paths.supply.astype(np.float64).mean(axis=-1))[:, :horizon]
    np.testing.assert_allclose(result.forecast["gap"].to_numpy(), gap.ravel(), atol=1e-3)
