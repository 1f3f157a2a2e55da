"""Tables the report shows in part: each says how many rows it leaves out, and where they are."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from talentgap.cli._report_plan_tables import funded_rows
from talentgap.cli._report_tables import add_table
from talentgap.errors import ParameterError
from talentgap.report import Report


def _text(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S).replace("<wbr>", "")
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def test_the_largest_gaps_table_counts_every_short_cell(naive_demo_out):
    forecast = pd.read_csv(naive_demo_out / "forecast.csv")
    last = forecast[forecast["period"] == forecast["period"].max()]
    short = int((last["gap"] > 0).sum())
    text = _text(naive_demo_out / "report.html")
    assert short > 15  # the demo has more short cells than the table's 15 rows
    line = (f"Showing the first 15 of {short:,} rows; {short - 15:,} more not shown; all "
            f"{short:,} rows are in forecast.csv, its rows of {last['period'].iloc[0]} with a gap "
            "above 0 (sheet forecast of results.xlsx).")
    at = text.index(line)
    assert text.index("Largest expected gaps in") < at
    assert at < text.index("Models, history and fallbacks of the largest gaps")


def test_a_cut_table_without_its_source_is_refused():
    result = type("R", (), {"forecast": None, "panel": None, "plan": None, "config": type(
        "C", (), {"output": type("O", (), {"currency": "yuan"})()})()})()
    frame = pd.DataFrame({"region": list("ABC"), "quota": [3.0, 2.0, 1.0]})
    with pytest.raises(ParameterError, match="source="):
        add_table(Report("t"), result, frame, caption="Places", max_rows=2)
    report = Report("t")
    add_table(report, result, frame, caption="Places", max_rows=2, source="quotas.csv")
    assert "Showing the first 2 of 3 rows; 1 more not shown; all 3 rows are in quotas.csv" \
        in report.to_html()


def test_funded_rows_with_equal_places_follow_the_need_then_the_keys():
    quotas = pd.DataFrame({
        "region": ["B", "A", "C", "A", "D", "E"],
        "period": ["2026", "2027", "2026", "2026", "2026", "2027"],
        "quota": [400.0, 400.0, 400.0, 400.0, 0.0, 120.0],
        "need_at_arrival": [10.0, 90.0, 50.0, 50.0, 999.0, 500.0]})
    rows, order = funded_rows(quotas.sample(frac=1.0, random_state=1), ["region"])
    # 400 places four times: need 90, then the two of need 50 by region, then 10; 0 places out
    assert list(zip(rows["region"], rows["period"], strict=True)) == [
        ("A", "2027"), ("A", "2026"), ("C", "2026"), ("B", "2026"), ("E", "2027")]
    assert order.startswith("most places first; equal places by the expected shortfall")
    single = quotas.drop(columns="need_at_arrival").assign(
        period="2026", gap_before=[5.0, 7.0, 7.0, 1.0, 3.0, 2.0])
    rows, order = funded_rows(single, ["region"])
    assert rows["region"].tolist() == ["A", "C", "B", "A", "E"]
    assert order == ("most places first; equal places by the expected gap before the plan, "
                     "largest first, then by cell")
