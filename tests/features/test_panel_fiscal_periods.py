"""Tables in fiscal years or quarters (``Y-JUN``, ``Q-MAR``) are refused on every path.

pandas labels the fiscal quarter of January to March 2019 ``2019Q4`` in ``Q-MAR`` and the
calendar quarter ``2019Q1`` in ``Q-DEC``; a table's periods are calendar periods, so a
typed table of fiscal Periods is refused with its calendar periods and the conversion,
whether it has canonical dtypes (the fast path of ``canonical_table``), is validated, or
arrives as a Dask frame; the conversion gives the panel of the calendar tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import talentgap as tg
from talentgap.errors import SchemaError
from talentgap.features._distributed_partition import canonical_meta
from talentgap.features._inputs import canonical_table
from talentgap.periods import check_same_freq, describe_freq


@pytest.fixture(scope="module")
def tables():
    syn = tg.datasets.make_synthetic(seed=1, n_regions=2, industries=2, n_periods=8)
    return syn.surveys, syn.training, syn.employment


@pytest.fixture(scope="module")
def years():
    syn = tg.datasets.make_synthetic(seed=1, n_regions=2, industries=2, n_periods=3, freq="Y")
    return syn.surveys, syn.training


def _fiscal(df: pd.DataFrame, freq: str = "Q-MAR") -> pd.DataFrame:
    return df.assign(period=df["period"].dt.asfreq(freq))


def test_fiscal_surveys_are_refused_by_build_panel_with_lines_and_the_conversion(tables):
    surveys, training, employment = tables
    with pytest.raises(SchemaError) as caught:
        tg.features.build_panel(_fiscal(surveys), training, employment, lead_time=1)
    error = caught.value
    assert (error.column, error.reason) == ("period", "bad_period")
    assert str(error).startswith(f"surveys: {len(surveys)} of {len(surveys)} rows fail")
    first = surveys["period"].iloc[0]
    head = surveys.head(5)
    assert (head["period"] == first).all()  # one period: its advice is said once for the five
    examples = ", ".join(f"line {line} ({firm}, {period.asfreq('Q-MAR')})" for line, firm, period
                         in zip(range(2, 7), head["enterprise_id"], head["period"], strict=True))
    assert (f"e.g. {examples}: period {first.asfreq('Q-MAR')} is labelled in fiscal quarters "
            f"of years ending in March (Q-MAR), calendar {first}: convert with "
            ".dt.asfreq('Q-DEC', how='end')" in str(error))
    assert error.failure_cases["line"].tolist() == list(range(2, len(surveys) + 2))


def test_rows_of_different_fiscal_periods_each_keep_their_own_conversion(tables):
    surveys, training, employment = tables
    mixed = surveys.drop_duplicates("period").head(5).reset_index(drop=True)
    assert mixed["period"].nunique() == 5
    with pytest.raises(SchemaError) as caught:
        tg.features.build_panel(_fiscal(mixed), training, employment, lead_time=1)
    text = str(caught.value)
    for line, (firm, period) in enumerate(zip(mixed["enterprise_id"], mixed["period"],
                                              strict=True), start=2):
        fiscal = period.asfreq("Q-MAR")
        assert (f"line {line} ({firm}, {fiscal}): period {fiscal} is labelled in fiscal quarters "
                f"of years ending in March (Q-MAR), calendar {period}: convert with "
                ".dt.asfreq('Q-DEC', how='end')") in text
    assert text.count("(Q-MAR), calendar ") == 5  # each row's own calendar period, none merged


def test_fiscal_training_or_employment_alone_is_refused_by_name(tables):
    surveys, training, employment = tables
    with pytest.raises(SchemaError, match=r"(?s)^training: .*Q-MAR") as caught:
        tg.features.build_panel(surveys, _fiscal(training), employment, lead_time=1)
    assert caught.value.reason == "bad_period"
    with pytest.raises(SchemaError, match=r"(?s)^employment: .*Q-MAR"):
        tg.features.build_panel(surveys, training, _fiscal(employment), lead_time=1)


def test_every_table_in_fiscal_quarters_is_refused_not_relabelled(tables):
    """Fiscal tables that agree with each other are still not calendar tables."""
    surveys, training, employment = tables
    with pytest.raises(SchemaError, match=r"(?s)^surveys: .*fiscal quarters"):
        tg.features.build_panel(_fiscal(surveys), _fiscal(training), _fiscal(employment),
                                lead_time=1)


def test_converted_tables_give_the_calendar_panel(tables):
    """The conversion in the message gives the panel of the calendar tables, cell by cell."""
    surveys, training, employment = tables
    calendar = tg.features.build_panel(surveys, training, employment, lead_time=1)
    back = [f.assign(period=f["period"].dt.asfreq("Q-DEC", how="end"))
            for f in (_fiscal(surveys), _fiscal(training), _fiscal(employment))]
    panel = tg.features.build_panel(*back, lead_time=1)
    assert panel["period"].tolist() == calendar["period"].tolist()
    for column in ["demand", "supply", "employment", "gap"]:
        np.testing.assert_array_equal(panel[column].to_numpy(), calendar[column].to_numpy())


@pytest.mark.parametrize("freq", ["Q-MAR", "Q-JUN", "Q-SEP"])
def test_the_fast_path_refuses_canonical_fiscal_tables_as_validation_does(tables, freq):
    """Canonical dtypes but fiscal quarters: the fast path gives validation's error."""
    surveys, training, _ = tables
    for name, table in (("surveys", surveys), ("training", training)):
        fiscal = _fiscal(table, freq)
        with pytest.raises(SchemaError) as fast:
            canonical_table(fiscal, name, freq="Q")
        with pytest.raises(SchemaError) as raw:
            tg.schema.validate(fiscal, table=name, freq="Q")
        assert str(fast.value) == str(raw.value)
        assert fast.value.reason == "bad_period"
        pd.testing.assert_frame_equal(fast.value.failure_cases, raw.value.failure_cases)
    with pytest.raises(SchemaError, match=freq):
        tg.features.estimate_cells(_fiscal(surveys, freq), freq="Q")
    with pytest.raises(SchemaError, match=freq):
        tg.features.training_supply(_fiscal(training, freq), freq="Q")


def test_fiscal_years_are_refused_and_calendar_years_and_months_pass(years, tables):
    surveys, training = years
    assert canonical_table(surveys, "surveys", freq="Y") is surveys
    with pytest.raises(SchemaError, match=r"fiscal years ending in June \(Y-JUN\), calendar "
                                          r"\d{4}: convert with .dt.asfreq\('Y-DEC'"):
        canonical_table(_fiscal(surveys, "Y-JUN"), "surveys", freq="Y")
    with pytest.raises(SchemaError, match="Y-JUN") as caught:
        tg.features.estimate_cells(_fiscal(surveys, "Y-JUN"))
    assert caught.value.reason == "bad_period"
    monthly = tables[0].assign(period=tables[0]["period"].dt.asfreq("M", how="end"))
    assert canonical_table(monthly, "surveys", freq="M") is monthly


def test_validate_without_freq_reports_the_frequency_the_fiscal_column_stands_for(years):
    surveys, _ = years
    clean, report = tg.schema.validate(_fiscal(surveys, "Y-JUN"), table="surveys",
                                       errors="report")
    assert clean.empty and report.rows_rejected == len(surveys)
    assert report.freq == "Y"
    assert set(report.rejected["rule"]) == {"bad_period"}


def test_the_dask_path_refuses_fiscal_periods_with_validations_rule(tables):
    dd = pytest.importorskip("dask.dataframe")
    surveys = tables[0]
    fiscal = _fiscal(surveys)
    known = {c: d for c, d in surveys.dtypes.items() if isinstance(d, pd.CategoricalDtype)}
    assert canonical_meta(surveys.iloc[:0], "Q", known)
    assert not canonical_meta(fiscal.iloc[:0], "Q", known)
    for freq in ("Q", None):
        with pytest.raises(SchemaError, match="fiscal quarters of years ending in March") as got:
            tg.features.estimate_cells(dd.from_pandas(fiscal, npartitions=2), freq=freq)
        assert got.value.reason == "bad_period"
        assert got.value.failure_cases["line"].min() == 2


def test_quarters_and_years_are_told_to_aggregate():
    quarters = pd.Series(pd.period_range("2019Q1", periods=2, freq="Q"))
    years = pd.Series(pd.period_range("2019", periods=2, freq="Y"))
    with pytest.raises(SchemaError, match="aggregate them to one frequency"):
        check_same_freq({"surveys": quarters, "employment": years})
    check_same_freq({"surveys": quarters, "training": None, "labels": pd.Series(["2019Q1"])})


def test_check_same_freq_names_each_table_and_the_conversion():
    calendar = pd.Series(pd.period_range("2019Q1", periods=2, freq="Q"))
    with pytest.raises(SchemaError, match="different frequencies") as caught:
        check_same_freq({"surveys": calendar.dt.asfreq("Q-MAR"), "training": calendar})
    message = str(caught.value)
    assert caught.value.reason == "period_frequency"
    assert "surveys period[Q-MAR] (fiscal quarters of years ending in March)" in message
    assert "training period[Q-DEC] (calendar quarters)" in message
    assert "surveys['period'].dt.asfreq('Q-DEC', how='end')" in message


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
    with pytest.raises(SchemaError, match=r"^needs: column 'period' holds .*Q-MAR.*asfreq"
                       r"\('Q-DEC', how='end'\)"):
        tg.planning.allocate_quotas(needs, budget=1000, cost_per_trainee=10, pass_rate=1.0)
