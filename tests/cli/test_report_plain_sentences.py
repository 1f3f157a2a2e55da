"""The report a bureau director reads: short sentences, no internal names, every table a file.

The first screen (the key figures and the paragraphs under them) is read
first and in full: no sentence there runs over 30 words. Captions say what
a table or figure is, in a few words; how it is counted goes in the line
under it. Sentences say settings and columns in words; their names are in
the last section, for the analyst. The budget-cut table of a multi-year plan
is written as ``plan_budget_cuts.csv`` and a sheet of ``results.xlsx`` with
the figures the report shows.
"""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from _constant_cohorts import TWO_YEAR_PLAN_CONFIG, write_constant_cohorts

from talentgap.cli._output_files import TABLE_NAMES
from talentgap.cli.main import main

CONFIG = TWO_YEAR_PLAN_CONFIG + """[targets]
skilled_share = 0.3
target_year = 2023
plan_level = "skilled"

[output]
currency = "yuan"
"""

#: Words a sentence of the first screen has at most.
FIRST_SCREEN_WORDS = 30
#: Words a caption has at most (after its "Table 3." or "Figure 2.").
CAPTION_WORDS = 25
#: A setting of the configuration file named in a sentence: ``[plan] lead_time``.
SETTING = re.compile(r"\[(?:data|forecast|panel|backtest|plan|targets|output)\]\s*[a-z_]+")
#: A name with an underscore (``n_samples``, ``need_basis``), not a file name.
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b(?!\.(?:csv|parquet|xlsx))")


def _plain(fragment: str) -> str:
    fragment = fragment.replace("<wbr>", "")   # a break point inside a long name
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _paragraphs(page: str) -> list[str]:
    """The text of every paragraph (``<p>``) of the page, tables and captions left out."""
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return [_plain(p) for p in re.findall(r"<p\b[^>]*>(.*?)</p>", body, flags=re.S)]


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"])", text) if s.strip()]


def _words(sentence: str) -> int:
    """Words of a sentence: tokens with a letter or digit (a lone "/" or "→" is none)."""
    return sum(1 for token in sentence.split() if re.search(r"[A-Za-z0-9]", token))


def _first_screen(page: str) -> list[str]:
    head = page.split("<section", 1)[0]
    return [s for p in _paragraphs(head) for s in _sentences(p)
            if not p.startswith(("history ", "plan years"))]   # the subtitle


def _captions(page: str) -> list[str]:
    found = re.findall(r"<(?:caption|figcaption)[^>]*>(.*?)</(?:caption|figcaption)>", page,
                       flags=re.S)
    return [re.sub(r"^(?:Table|Figure) \d+\.\s*", "", _plain(c)) for c in found]


def _body_sentences(page: str) -> list[str]:
    """Every paragraph's sentences but those of the section for the analyst."""
    body = page.rsplit("For the analyst: settings and columns", 1)[0]   # its heading
    return [s for p in _paragraphs(body) for s in _sentences(p)]


def _key_values(out) -> set[str]:
    """The cells' key values (``clothing_and_shoes``) and the output tables' names (a sheet
    of ``results.xlsx``): data and file names, not internal names."""
    forecast = pd.read_csv(out / "forecast.csv")
    keys = [c for c in ("region", "industry", "skill_level", "occupation", "program")
            if c in forecast.columns]
    return {str(v) for c in keys for v in forecast[c].dropna().unique()} | set(TABLE_NAMES)


@pytest.fixture(scope="module")
def years_out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plain_sentences")
    write_constant_cohorts(folder, {"none": 3000, "ordinary": 700, "technician": 300},
                           {"ordinary": 36, "technician": 4})
    (folder / "plan.toml").write_text(CONFIG, encoding="utf-8")
    out = folder / "out"
    assert main(["plan", "--config", str(folder / "plan.toml"), "--out", str(out),
                 "--no-charts"]) == 0
    return out


def _page(out) -> str:
    return (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("which", ["years_out", "naive_demo_out"])
def test_first_screen_sentences_are_short(which, request):
    out = request.getfixturevalue(which)
    sentences = _first_screen(_page(out))
    assert len(sentences) > 5 and len(_body_sentences(_page(out))) > len(sentences) + 15
    long = [(_words(s), s) for s in sentences if _words(s) > FIRST_SCREEN_WORDS]
    assert not long, long


def test_the_years_headline_keeps_every_figure_in_short_sentences(years_out):
    page = _page(years_out)
    first = " ".join(_first_screen(page))
    years = pd.read_csv(years_out / "plan_years.csv")
    row = years[years["period"] == 2023].iloc[0]
    # one short sentence each: the workers present, the shortfall, the target's shortfall
    assert (f"By 2023, the target year, the plan's certified workers still in their trade are "
            f"expected to number {row['workers']:,.0f}.") in first
    assert (f"The expected shortfall in 2023 falls from {row['shortfall_before']:,.0f} to "
            f"{row['shortfall_after']:,.0f} persons") in first
    assert (f"The shortfall against the skilled target in 2023 falls from "
            f"{row['policy_shortfall_before']:,.0f} to {row['policy_shortfall_after']:,.0f} "
            "persons.") in first
    quotas = pd.read_csv(years_out / "quotas.csv")
    by_then = quotas.loc[quotas["arrival_period"].astype(str).str[:4].astype(int) <= 2023,
                         "expected_certified"].sum()
    assert f"By then {by_then:,.0f} will have certified and taken a job in their trade" in first


@pytest.mark.parametrize("which", ["years_out", "naive_demo_out"])
def test_captions_say_what_the_table_is_in_few_words(which, request):
    out = request.getfixturevalue(which)
    captions = _captions(_page(out))
    assert len(captions) > 4
    long = [(_words(c), c) for c in captions if _words(c) > CAPTION_WORDS]
    assert not long, long


def test_how_a_table_is_counted_stays_under_it(naive_demo_out):
    page = _page(naive_demo_out)
    notes = [_plain(n) for n in re.findall(r'<p class="table-note">(Notes:.*?)</p>', page,
                                           flags=re.S)]
    # the interval's meaning moved from the caption of the largest gaps to the line under it
    assert any("the gap lies between the low and the high end of its 80% interval with 80% "
               "probability" in n for n in notes), notes
    assert not any("80% probability" in c for c in _captions(page))


@pytest.mark.parametrize("which", ["years_out", "naive_demo_out"])
def test_sentences_name_no_setting_or_column(which, request):
    out = request.getfixturevalue(which)
    page = _page(out)
    values = _key_values(out)
    found = []
    for sentence in _body_sentences(page):
        found += SETTING.findall(sentence)
        found += [w for w in SNAKE.findall(sentence) if w not in values]
    assert not found, sorted(set(found))


def test_the_section_for_the_analyst_names_the_settings_with_their_values(years_out):
    page = _page(years_out)
    assert "For the analyst: settings and columns" in page
    analyst = _plain(page.rsplit("For the analyst: settings and columns", 1)[1])
    assert "[forecast] n_samples simulated futures of the gap behind every expected figure 50" \
        in analyst
    assert "[plan] policy_weight" in analyst and "[targets] share_by" in analyst
    assert "policy_need_skilled (policy_need.csv)" in analyst


def test_the_budget_cuts_table_is_a_file_and_a_sheet_with_the_reports_figures(years_out):
    cuts = pd.read_csv(years_out / "plan_budget_cuts.csv")
    summary = pd.read_csv(years_out / "plan_summary.csv").iloc[0]
    assert cuts["share"].tolist() == [1.0, 0.75, 0.5]
    # the plan's row is the plan itself; the smaller budgets cost less and leave more short
    assert cuts.loc[0, "places"] == pytest.approx(summary["places"])
    assert cuts.loc[0, "shortfall_after"] == pytest.approx(summary["shortfall_after"])
    assert cuts["budget"].tolist() == pytest.approx([summary["budget"] * s
                                                     for s in (1.0, 0.75, 0.5)])
    assert (cuts["shortfall_increase"]
            == cuts["shortfall_after"] - cuts.loc[0, "shortfall_after"]).all()
    assert (cuts["policy_shortfall_increase"]
            == cuts["policy_shortfall_after"] - cuts.loc[0, "policy_shortfall_after"]).all()
    assert (cuts["shortfall_increase"].iloc[1:] >= 0).all()
    # the report's table shows the file's figures, rounded
    page = _page(years_out)
    table = page[page.index("The plan at its full budget and at smaller budgets"):]
    table = table[:table.index("</table>")]
    rows = [[_plain(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, flags=re.S)]
            for r in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)]
    rows = [r for r in rows if r]
    assert len(rows) == len(cuts)
    for shown, (_, row) in zip(rows, cuts.iterrows(), strict=True):
        assert shown[0].startswith(f"{row['share']:.0%} (")
        assert shown[1:] == [f"{v:,.0f}" for v in (
            row["places"], row["expected_certified"], row["shortfall_after"],
            round(row["shortfall_increase"]), row["policy_shortfall_after"],
            round(row["policy_shortfall_increase"]))]
    assert "plan_budget_cuts.csv" in _plain(table)
    # a sheet of results.xlsx, listed on the contents sheet, and named where the report
    # says which tables are files
    sheet = pd.read_excel(years_out / "results.xlsx", sheet_name="plan_budget_cuts")
    pd.testing.assert_frame_equal(sheet, cuts, check_dtype=False, check_exact=False)
    contents = pd.read_excel(years_out / "results.xlsx", sheet_name="contents")
    assert "plan_budget_cuts" in contents["sheet"].tolist()
    first = " ".join(_first_screen(page))
    assert "CSV files (quotas.csv, forecast.csv, plan_budget_cuts.csv, ...)" in first


def test_no_budget_cuts_file_without_the_comparison(years_out, tmp_path):
    folder = years_out.parent
    for name in ("surveys.csv", "training.csv", "employment.csv"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    config = CONFIG.replace("capacity = 60\n", "capacity = 60\ncompare_budgets = false\n")
    assert config != CONFIG
    (tmp_path / "plan.toml").write_text(config, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["plan", "--config", str(tmp_path / "plan.toml"), "--out", str(out),
                 "--no-charts"]) == 0
    assert not (out / "plan_budget_cuts.csv").exists()
    assert "plan_budget_cuts.csv" not in _page(out)


@pytest.mark.slow
def test_the_national_example_reads_in_short_plain_sentences(national_out):
    page = _page(national_out)
    long = [(_words(s), s) for s in _first_screen(page) if _words(s) > FIRST_SCREEN_WORDS]
    assert not long, long
    values = _key_values(national_out)
    found = [w for s in _body_sentences(page)
             for w in [*SETTING.findall(s), *SNAKE.findall(s)] if w not in values]
    assert not found, sorted(set(found))
    assert (national_out / "plan_budget_cuts.csv").exists()
