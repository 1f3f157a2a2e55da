"""``on_invalid = "skip"``: Excel error values are skipped rows, and the report counts them
apart from the rows left out with their group."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import pytest

import talentgap as tg
from talentgap.cli import outputs, pipeline
from talentgap.cli._notes import skip_sentence, skip_warning
from talentgap.cli.config import load_config
from talentgap.cli.reporting import build_report


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("skip")
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=8, seed=5)
    text = {"period": str, "region": str, "industry": str}
    surveys, training = data.surveys.astype(text), data.training.astype(text)
    sizes = training.groupby(["period", "region", "industry"])["region"].transform("size")
    shared = sizes.to_numpy() == 2  # cohorts sharing their cell-period with one other
    first, second = (int(i) for i in training.index[shared][[0, 2]])
    training = training.astype({"certified": object, "trained": object})
    training.loc[first, "certified"] = "#REF!"   # takes its cell-period's other cohort along
    training.loc[second, "trained"] = "#VALUE!"  # and so does this one
    surveys.to_csv(folder / "surveys.csv", index=False)
    training.to_csv(folder / "training.csv", index=False)
    config = folder / "run.toml"
    config.write_text('[data]\nsurveys = "surveys.csv"\ntraining = "training.csv"\n'
                      'on_invalid = "skip"\n[forecast]\nmodel = "naive"\n'
                      f'[output]\ndir = "{(folder / "out").as_posix()}"\n')
    return pipeline.run(load_config(config), steps=("features",)), len(training)


def test_error_values_are_skipped_rows_listed_with_their_rule(run):
    result, n = run
    report = result.reports["training"]
    assert (report.rows_in, report.rows_kept, report.rows_rejected) == (n, n - 4, 4)
    rules = result.rejected.groupby("rule")["line"].count().to_dict()
    assert rules == {"excel_error": 2, "group_incomplete": 2}
    assert set(result.rejected.loc[result.rejected["rule"] == "excel_error", "value"]) == {
        "#REF!", "#VALUE!"}


def test_warning_json_and_report_give_both_counts(run):
    result, _ = run
    assert ("4 input rows skipped ([data] on_invalid = 'skip'): 2 break a rule, 2 more are "
            "left out with their cell-period; see rejected.csv") in result.notes
    inputs = outputs.summary(result, command="forecast", out=".", files=[])["inputs"]
    assert (inputs["training"]["rows_rejected"], inputs["training"]["rows_with_group"]) == (4, 2)
    page = build_report(result, {}, command="forecast").to_html()
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))
    assert ("2 input rows break a rule of their table and were left out (the configuration "
            "says to skip such rows); 2 more were left out with them because their "
            "cell-period would otherwise be undercounted") in text
    assert "4 input rows break a rule" not in text and "on_invalid" not in text


def _report(rejected: int, with_group: int):
    return SimpleNamespace(rows_rejected=rejected, rows_with_group=with_group)


def test_the_words_agree_in_number_and_name_each_group():
    reports = {"surveys": _report(3, 2), "training": _report(1, 0)}
    assert skip_sentence(reports).startswith(
        "2 input rows break a rule of their table and were left out")
    assert "2 more were left out with them because their enterprise-period would" in (
        skip_sentence(reports))
    one = {"training": _report(2, 1), "surveys": _report(2, 1)}
    assert "1 input row breaks" not in skip_sentence(one)
    assert "their cell-period or enterprise-period" in skip_sentence(one)
    alone = {"training": _report(1, 0)}
    assert skip_sentence(alone).startswith("1 input row breaks a rule of its table and was "
                                           "left out")
    assert skip_warning(alone) == ("1 input row skipped ([data] on_invalid = 'skip'): 1 "
                                   "breaks a rule; see rejected.csv")
    assert skip_sentence({"training": _report(0, 0)}) is None
    assert skip_warning({}) is None
