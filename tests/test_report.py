"""The self-contained HTML report: escaping, embedded figures, tables, output file."""

from __future__ import annotations

import base64
import html
import io
import re
import struct
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.image import imread

from talentgap import __version__
from talentgap.errors import ParameterError
from talentgap.report import Report

STAMP = datetime(2025, 3, 1, 8, 15, tzinfo=UTC)
EVIL = '<script>alert("x")</script> & <b onmouseover=\'1\'>'
PNG_URI = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


class _Parsed(HTMLParser):
    """Tags, attributes and text of a document, as a browser's tokenizer sees them."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.feed(document)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def _tbody_rows(document: str) -> list[list[str]]:
    """Cell texts of every body row of every table, in order."""
    rows = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", document, flags=re.DOTALL):
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.DOTALL):
            rows.append([cell.replace("<wbr>", "")  # a line-break opportunity, not text
                         for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.DOTALL)])
    return rows


def _full_report() -> Report:
    rep = Report("Forecast", subtitle="demo data", generated_at=STAMP)
    rep.add_section("Summary", intro="Headline numbers.")
    rep.add_key_figures({"Cells": 120, "Shortfall": 1234.5})
    rep.add_text("First paragraph.\n\nSecond paragraph.")
    rep.add_section("Table")
    rep.add_table(pd.DataFrame({"industry": ["textiles"], "gap": [1.5]}), caption="Gaps")
    return rep


# -- escaping -----------------------------------------------------------------------------

def test_every_text_is_escaped():
    rep = Report(EVIL, subtitle=EVIL, generated_at=STAMP)
    rep.add_section(EVIL, intro=EVIL)
    rep.add_key_figures({EVIL: EVIL})
    rep.add_text(EVIL)
    rep.add_note(EVIL)
    rep.add_section("Second")
    rep.add_table(pd.DataFrame({EVIL: [EVIL], "n": [1]}).set_index(pd.Index([EVIL], name=EVIL)),
                  caption=EVIL)
    fig, ax = plt.subplots(figsize=(2, 1))
    rep.add_figure(fig, caption=EVIL, alt=EVIL)

    document = rep.to_html()
    parsed = _Parsed(document)

    assert "script" not in parsed.tags and "b" not in parsed.tags
    assert not any(name.startswith("on") for name, _ in parsed.attrs)
    assert "&lt;script&gt;" in document
    # <title> and <h1>, subtitle, section (contents and heading), intro, key figure
    # (label, value), text, note, table caption, index name, column name, index
    # value, cell, figure caption
    assert "".join(parsed.text).count(EVIL) == 16
    assert ("alt", EVIL) in parsed.attrs


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1).filter(str.strip))
def test_any_title_and_cell_text_comes_back_as_text(text):
    rep = Report(text, generated_at=STAMP)
    rep.add_table(pd.DataFrame({"name": [text]}))
    parsed = _Parsed(rep.to_html())

    assert set(parsed.tags) <= {"html", "head", "meta", "title", "style", "body", "div",
                                "header", "h1", "table", "thead", "tr", "th", "tbody", "td",
                                "wbr", "footer"}
    assert text in parsed.text  # the <title> and <h1> each hold it as one text node
    assert html.unescape(_tbody_rows(rep.to_html())[0][0]) == text


# -- figures -------------------------------------------------------------------------------

def test_each_figure_becomes_a_png_data_uri_of_the_right_size():
    rep = Report("Figures", generated_at=STAMP)
    fig1, ax1 = plt.subplots(figsize=(4, 3))
    ax1.plot([0, 1, 2], [1, 3, 2])
    fig2, ax2 = plt.subplots(figsize=(6, 2))
    ax2.bar(["a", "b"], [1, 2])
    rep.add_figure(fig1, caption="Line")
    rep.add_figure(ax2, caption="Bars from an Axes")  # what the plot functions return
    rep.add_figure(fig1, caption="Low resolution", dpi=50)

    payloads = PNG_URI.findall(rep.to_html())

    assert len(payloads) == 3
    sizes = []
    for payload in payloads:
        png = base64.b64decode(payload, validate=True)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        assert imread(io.BytesIO(png)).shape[:2] == (height, width)  # decodes in full
        assert b"matplotlib.org" not in png                       # no URL in PNG metadata
        sizes.append((width, height))
    assert sizes == [(440, 330), (660, 220), (200, 150)]
    document = rep.to_html()
    assert 'width="440" height="330"' in document
    assert "Figure 2. Bars from an Axes" in document


def test_add_figure_leaves_the_figure_open_and_snapshots_it():
    rep = Report("Figures", generated_at=STAMP)
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_title("Gap by industry")
    rep.add_figure(fig)
    before = rep.to_html()
    ax.plot([0, 1], [0, 1])  # changing the figure later does not change the report

    assert plt.fignum_exists(fig.number)
    assert rep.to_html() == before
    assert 'alt="Gap by industry"' in before  # default alt text: the Axes title


def test_add_figure_rejects_what_is_not_a_figure():
    with pytest.raises(ParameterError, match="Figure or Axes"):
        Report("x").add_figure(np.zeros((3, 3)))
    fig, _ = plt.subplots()
    with pytest.raises(ParameterError, match="dpi"):
        Report("x").add_figure(fig, dpi=0)


# -- self-contained ------------------------------------------------------------------------

def test_output_refers_to_nothing_outside_itself():
    rep = _full_report()
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([1, 2], [3, 4])
    rep.add_figure(fig, caption="Line")
    rep.add_note("Check the inputs.", kind="info")
    document = rep.to_html()
    outside_images = PNG_URI.sub("", document)

    assert not re.search(r"https?:|//|url\(|@import|<script|<link", outside_images, re.I)
    attrs = _Parsed(document).attrs
    assert all(v.startswith("data:image/png;base64,") for k, v in attrs if k == "src")
    assert all(v.startswith("#") for k, v in attrs if k == "href")


def test_table_of_contents_links_every_section():
    document = _full_report().to_html()

    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', document)
    assert [title for _, title in links] == ["Summary", "Table"]
    for anchor, _ in links:
        assert f'id="{anchor}"' in document


def test_footer_names_version_and_utc_time():
    east = timezone(timedelta(hours=8))
    document = Report("x", generated_at=datetime(2025, 3, 1, 16, 15, tzinfo=east)).to_html()
    assert f"talentgap {__version__} on 2025-03-01 08:15 UTC" in document
    naive = Report("x", generated_at=datetime(2025, 3, 1, 8, 15)).to_html()  # taken as UTC
    assert "on 2025-03-01 08:15 UTC" in naive


# -- tables --------------------------------------------------------------------------------

def test_max_rows_shows_the_first_rows_and_says_how_many_are_hidden():
    table = pd.DataFrame({"cell": [f"c{i}" for i in range(30)], "gap": np.arange(30) * 1.5})
    rep = Report("x")
    rep.add_table(table, max_rows=10)
    rep.add_table(table, max_rows=None)
    rep.add_table(table.head(10), max_rows=10)

    document = rep.to_html()
    rows = _tbody_rows(document)
    assert len(rows) == 10 + 30 + 10
    assert [r[0] for r in rows[:10]] == [f"c{i}" for i in range(10)]
    assert document.count("more not shown") == 1
    assert "Showing the first 10 of 30 rows; 20 more not shown." in document


def test_missing_values_are_shown_as_a_dash():
    table = pd.DataFrame({
        "gap": [1.25, np.nan],
        "count": pd.array([3, pd.NA], dtype="Int64"),
        "label": ["a", None],
        "when": pd.to_datetime(["2025-01-01", None]),
        "mixed": [2, None],
    })
    rep = Report("x")
    rep.add_table(table)
    rep.add_key_figures({"Shortfall": float("nan")})
    document = rep.to_html()

    assert _tbody_rows(document) == [["1.25", "3", "a", "2025-01-01", "2.00"],
                                      ["—"] * 5]
    assert '<td class="num na">—</td>' in document
    assert "<dd>—</dd>" in document
    assert not re.search(r">\s*(nan|NaN|None|<NA>|NaT)\s*<", document)


def test_numbers_are_formatted_and_right_aligned():
    table = pd.DataFrame({"industry": ["textiles", "construction"],
                          "employees": [123456, 7],
                          "gap": [1234.5678, -2.0],
                          "p_shortage": [0.8312, 0.05],
                          "flag": [True, False]})
    rep = Report("x")
    rep.add_table(table, float_format={"p_shortage": "{:.0%}"})
    rep.add_table(table[["gap"]], float_format=lambda v: f"{v:.1f} persons")
    document = rep.to_html()

    assert re.findall(r'<th scope="col"( class="num")?>(\w+)</th>', document)[:5] == [
        ("", "industry"), (' class="num"', "employees"), (' class="num"', "gap"),
        (' class="num"', "p_shortage"), ("", "flag")]
    rows = _tbody_rows(document)
    assert rows[0] == ["textiles", "123,456", "1,234.57", "83%", "yes"]
    assert rows[1] == ["construction", "7", "-2.00", "5%", "no"]
    assert rows[2] == ["1234.6 persons"]


def test_a_value_that_rounds_to_zero_shows_no_minus_sign():
    table = pd.DataFrame({"gap": [-0.3, -0.6, -0.04, 0.2]})
    rep = Report("x")
    rep.add_table(table, float_format="{:,.0f}")
    rep.add_table(table, float_format="{:.1f}")
    rows = _tbody_rows(rep.to_html())
    assert [r[0] for r in rows[:4]] == ["0", "-1", "0", "0"]
    assert [r[0] for r in rows[4:]] == ["-0.3", "-0.6", "0.0", "0.2"]


def test_index_is_shown_when_named():
    by_cell = pd.DataFrame({"region": ["N", "S"], "industry": ["t", "c"], "gap": [1, 2]})
    rep = Report("x")
    rep.add_table(by_cell.set_index(["region", "industry"]))
    rep.add_table(by_cell.iloc[::-1])  # an unnamed row number is not shown
    rep.add_table(by_cell.set_index("region"), index=False)
    rows = _tbody_rows(rep.to_html())

    assert rows[:2] == [["N", "t", "1"], ["S", "c", "2"]]
    assert rows[2:4] == [["S", "c", "2"], ["N", "t", "1"]]
    assert rows[4:] == [["t", "1"], ["c", "2"]]


def test_series_and_multiindex_columns_and_periods():
    wide = pd.DataFrame([[1.0, 2.0]], columns=pd.MultiIndex.from_tuples(
        [("gap", "lo_80"), ("gap", "hi_80")]))
    rep = Report("x")
    rep.add_table(wide)
    rep.add_table(pd.Series(pd.period_range("2025Q1", periods=2, freq="Q"), name="period"))
    document = rep.to_html()

    assert ">gap / lo_80</th>" in document
    assert [r for r in _tbody_rows(document)[1:]] == [["2025Q1"], ["2025Q2"]]


def test_empty_table_says_so():
    rep = Report("x")
    rep.add_table(pd.DataFrame({"gap": pd.Series([], dtype=float)}), caption="Nothing")
    assert "No rows." in rep.to_html()


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"table": [1, 2]}, "DataFrame or Series"),
    ({"max_rows": 0}, "max_rows"),
    ({"max_rows": 2.5}, "max_rows"),
    ({"float_format": "{:d}"}, "float_format"),
    ({"float_format": 3}, "float_format"),
    ({"float_format": {"gpa": "{:.1f}"}}, "'gpa'"),
    ({"caption": ""}, "caption"),
])
def test_add_table_rejects_bad_arguments(kwargs, match):
    args = {"table": pd.DataFrame({"gap": [1.0]}), **kwargs}
    with pytest.raises(ParameterError, match=match):
        Report("x").add_table(args.pop("table"), **args)


def test_other_bad_arguments():
    with pytest.raises(ParameterError, match="title"):
        Report("  ")
    with pytest.raises(ParameterError, match="kind"):
        Report("x").add_note("text", kind="error")
    with pytest.raises(ParameterError, match="figures"):
        Report("x").add_key_figures({})


# -- output file ---------------------------------------------------------------------------

def test_write_round_trip_in_utf8(tmp_path):
    rep = _full_report()
    rep.add_section("纺织 — textiles")
    rep.add_text("Zhōngshān: 1,234 vacancies")

    path = rep.write(tmp_path / "report.html")

    assert path == tmp_path / "report.html"
    assert path.read_bytes().decode("utf-8") == rep.to_html()
    assert "纺织 — textiles" in path.read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in rep.to_html()


def test_paragraphs_and_repr():
    rep = _full_report()
    document = rep.to_html()
    assert "<p>First paragraph.</p>\n<p>Second paragraph.</p>" in document
    assert repr(rep) == "Report('Forecast', sections=2, tables=1, figures=0)"


def test_printed_on_a4_with_wide_tables_wrapping_at_underscores():
    rep = Report("Print")
    rep.add_table(pd.DataFrame({"industry": ["electromechanical_technology"], "gap": [1.0]}))
    document = rep.to_html()
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", document)
    assert "<td>electromechanical_<wbr>technology</td>" in document
