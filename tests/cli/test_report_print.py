"""The report on paper (A4, a page per section) and wide tables on a 1280-pixel screen."""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest
from _browser import _FLAGS, _run, find_chromium

from talentgap.report import Report

#: The headers of the report's totals per skill level: ten columns of long words.
WIDE_HEADERS = [
    "Skill level", "Cells", "Expected demand: hard-to-fill vacancies (persons per quarter)",
    "Expected supply: certified workers (persons per quarter)",
    "Expected gap, shortages minus surpluses (persons per quarter)",
    "Sum of positive expected gaps (persons per quarter)", "Training places", "Cost (yuan)",
    "Expected shortfall before the plan (persons)",
    "Expected shortfall after the plan (persons)"]


def _wide_table() -> pd.DataFrame:
    rows = [["skilled", 64, 16377, 14685, 1693, 3427, 533, 3198000, 4699, 4405],
            ["high-skilled", 64, 11788, 9666, 2121, 3221, 300, 1800000, 3983, 3817],
            ["all levels", 128, 28165, 24351, 3814, 6648, 833, 4998000, 8681, 8222]]
    return pd.DataFrame(rows, columns=WIDE_HEADERS)


def _report(n_sections: int = 3) -> Report:
    report = Report("Plan", subtitle="on paper")
    report.add_text("The summary.")
    for i in range(n_sections):
        report.add_section(f"Section {i + 1}", intro="A short section.")
        report.add_table(pd.DataFrame({"a": [1, 2], "b": [3.0, 4.0]}), caption="Small")
    return report


def test_print_css_starts_each_section_on_a_new_page():
    page = _report().to_html()
    style = re.search(r"@media print \{(.*?)\n\}", page, re.S).group(1)
    assert "section + section { break-before: page; }" in style
    assert re.search(r"figure, [^{]*\.table-wrap\.short \{ break-inside: avoid; \}", style)
    assert "@page { size: A4;" in page


def test_short_tables_are_kept_whole_and_long_ones_may_run_on():
    report = Report("Tables")
    report.add_table(pd.DataFrame({"a": range(5)}), caption="Short")
    report.add_table(pd.DataFrame({"a": range(200)}), caption="Long", max_rows=None)
    report.add_table(_wide_table(), caption="Wide")
    wraps = re.findall(r'<div class="([^"]*)"><table>', report.to_html())
    assert wraps == ["table-wrap short", "table-wrap", "table-wrap short wide"]


def _chromium(tmp_path, name: str, *args: str) -> None:
    browser = find_chromium()
    if browser is None:
        pytest.skip("no Chromium installed")
    _run([browser, *_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
         stdout_path=tmp_path / f"{name}.out", stderr_path=tmp_path / f"{name}.err",
         timeout=90)


def test_printed_report_has_a_page_per_section(tmp_path):
    path = _report(3).write(tmp_path / "report.html")
    pdf = tmp_path / "report.pdf"
    _chromium(tmp_path, "print", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
              path.as_uri())
    pages = re.findall(rb"/Type\s*/Page\b", pdf.read_bytes())
    # the summary and the first section share page 1; sections 2 and 3 start pages 2 and 3
    assert len(pages) == 3


_PROBE = """<script>window.addEventListener("load", () => {
  const rows = Array.from(document.querySelectorAll(".table-wrap"),
                          w => [w.scrollWidth, w.clientWidth]);
  const out = document.createElement("pre"); out.id = "probe";
  out.textContent = JSON.stringify(rows); document.body.appendChild(out);
});</script>"""


def test_a_table_of_ten_long_headers_fits_a_1280_pixel_window(tmp_path):
    report = Report("Totals by skill level")
    report.add_table(pd.DataFrame({"a": [1], "b": ["x"]}), caption="Narrow")
    report.add_table(_wide_table(), caption="Totals by skill level", float_format="{:,.0f}")
    page = report.to_html().replace("</body>", _PROBE + "</body>")
    path = tmp_path / "probe.html"
    path.write_text(page, encoding="utf-8")
    _chromium(tmp_path, "dom", "--window-size=1280,2000", "--virtual-time-budget=3000",
              "--dump-dom", path.as_uri())
    dom = (tmp_path / "dom.out").read_text(encoding="utf-8")
    widths = json.loads(html.unescape(re.search(r'<pre id="probe">(.*?)</pre>', dom,
                                                re.S).group(1)))
    assert len(widths) == 2
    assert all(scroll <= client for scroll, client in widths), widths
