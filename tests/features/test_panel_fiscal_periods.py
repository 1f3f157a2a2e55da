"""Tables in fiscal quarters (``Q-MAR``) and calendar quarters (``Q-DEC``) are never joined by
label: pandas numbers the two differently, so the join would shift one against the other."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import ParameterError, SchemaError
from talentgap.periods import check_same_freq, describe_freq


@pytest.fixture(scope="module")
def tables():
    syn = tg.datasets.make_synthetic(seed=1, n_regions=2, industries=2, n_periods=8)
    return syn.surveys, syn.training, syn.employment


def _fiscal(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(period=df["period"].dt.asfreq("Q-MAR"))


def test_fiscal_surveys_with_calendar_training_are_refused(tables):
    surveys, training, employment = tables
    with pytest.raises(SchemaError, match="different frequencies") as caught:
        tg.features.build_panel(_fiscal(surveys), training, employment, lead_time=1)
    message = str(caught.value)
    assert caught.value.reason == "period_frequency"
    assert caught.value.column == "period"
    assert "surveys period[Q-MAR] (fiscal quarters of years ending in March)" in message
    assert "training period[Q-DEC] (calendar quarters)" in message
    assert "employment period[Q-DEC]" in message
    assert "surveys['period'].dt.asfreq('Q-DEC', how='end')" in message


def test_fiscal_training_and_employment_with_calendar_surveys_are_refused(tables):
    surveys, training, employment = tables
    with pytest.raises(SchemaError, match="convert training, employment first"):
        tg.features.build_panel(surveys, _fiscal(training), _fiscal(employment), lead_time=1)
    with pytest.raises(SchemaError, match=r"employment period\[Q-MAR\]"):
        tg.features.build_panel(surveys, training, _fiscal(employment), lead_time=1)


def test_converted_tables_give_the_calendar_panel(tables):
    """The suggested conversion gives the panel of the calendar tables, cell by cell."""
    surveys, training, employment = tables
    calendar = tg.features.build_panel(surveys, training, employment, lead_time=1)
    fiscal_training = _fiscal(training)
    converted = fiscal_training.assign(
        period=fiscal_training["period"].dt.asfreq("Q-DEC", how="end"))
    panel = tg.features.build_panel(surveys, converted, employment, lead_time=1)
    for column in ["demand", "supply", "employment", "gap"]:
        np.testing.assert_array_equal(panel[column].to_numpy(), calendar[column].to_numpy())


def test_every_table_in_fiscal_quarters_lines_up_by_date(tables):
    surveys, training, employment = tables
    calendar = tg.features.build_panel(surveys, training, employment, lead_time=1)
    panel = tg.features.build_panel(_fiscal(surveys), _fiscal(training), _fiscal(employment),
                                    lead_time=1)
    assert panel["period"].tolist() == calendar["period"].tolist()
    for column in ["supply", "employment"]:
        np.testing.assert_array_equal(panel[column].to_numpy(), calendar[column].to_numpy())


def test_quarters_and_years_are_told_to_aggregate():
    quarters = pd.Series(pd.period_range("2019Q1", periods=2, freq="Q"))
    years = pd.Series(pd.period_range("2019", periods=2, freq="Y"))
    with pytest.raises(SchemaError, match="aggregate them to one frequency"):
        check_same_freq({"surveys": quarters, "employment": years})
    check_same_freq({"surveys": quarters, "training": None, "labels": pd.Series(["2019Q1"])})


def test_describe_freq_names_the_fiscal_year_end():
    assert describe_freq("QE-MAR") == "fiscal quarters of years ending in March (Q-MAR)"
    assert describe_freq("A-DEC") == describe_freq("Y") == "calendar years (Y-DEC)"
    assert describe_freq("q") == "calendar quarters (Q-DEC)"


def test_validate_names_the_fiscal_convention_and_the_conversion(tables):
    _, training, _ = tables
    with pytest.raises(SchemaError) as caught:
        tg.schema.validate(_fiscal(training), table="training", freq="Q")
    message = str(caught.value)
    assert "not a recognised label" not in message
    assert "period 2019Q4 is labelled in fiscal quarters of years ending in March (Q-MAR)" \
        in message
    assert "calendar 2019Q1" in message
    assert ".dt.asfreq('Q-DEC', how='end')" in message


def test_plans_refuse_a_fiscal_forecast_with_the_conversion():
    needs = pd.DataFrame({"region": "N", "industry": ["textiles", "robots"],
                          "period": pd.PeriodIndex(["2026Q1"] * 2, freq="Q-MAR"),
                          "gap": [300.0, 100.0]})
    with pytest.raises(ParameterError, match=r"Q-MAR.*asfreq\('Q-DEC', how='end'\)"):
        tg.planning.allocate_quotas(needs, budget=1000, cost_per_trainee=10, pass_rate=1.0)
