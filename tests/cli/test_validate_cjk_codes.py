"""``talentgap validate`` and ``plan`` on Chinese codes that differ between files."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import pytest

from talentgap.cli import _targets, main
from talentgap.errors import SchemaError

SURVEYS = """\
period,enterprise_id,region,industry,employees,vacancies,hard_to_fill,reports_shortage,weight
2024Q1,E1,鹿城区,纺织,40,3,2,1,1
2024Q1,E2,龙湾区,纺织,12,1,0,0,1
2024Q1,E3,瓯海区,电子商务,30,2,1,1,1
"""
TRAINING = """\
period,region,industry,trained,certified
2024Q1,鹿城区,纺织,120,80
2024Q1,龙湾区,纺织,50,30
2024Q1,瓯海区,电子商务,60,40
"""


def _validate(folder, training: str, *options: str) -> int:
    (folder / "surveys.csv").write_text(SURVEYS, encoding="utf-8")
    (folder / "training.csv").write_text(training, encoding="utf-8")
    return main(["validate", f"surveys={folder / 'surveys.csv'}",
                 f"training={folder / 'training.csv'}", "--freq", "Q", *options])


@pytest.mark.parametrize(("old", "new", "reason"), [
    ("瓯海区", "欧海区", "one-character typo"),
    ("鹿城区", "鹿城", "shortened name"),
    ("电子商务", "电商", "shortened name"),
])
def test_chinese_look_alike_codes_are_errors(tmp_path, capsys, old, new, reason):
    assert _validate(tmp_path, TRAINING.replace(old, new)) == 2
    out = capsys.readouterr().out
    assert (f"error: column '{'industry' if old == '电子商务' else 'region'}': '{new}' in "
            f"training (1 row, e.g. line ") in out
    assert f"is not in surveys (did you mean '{old}'? {reason}) [code_mismatch]" in out


def test_codes_only_in_one_file_each_are_a_warning(tmp_path, capsys):
    assert _validate(tmp_path, TRAINING.replace("鹿城区", "Lucheng")) == 0
    out = capsys.readouterr().out
    assert ("warning: column 'region': '鹿城区' only in surveys (1 row, e.g. line 2) and "
            "'Lucheng' only in training (1 row, e.g. line 2) [unpaired_codes]: maybe one code "
            "written two ways") in out
    assert _validate(tmp_path, TRAINING.replace("鹿城区", "Lucheng"), "--format", "json") == 0
    codes = json.loads(capsys.readouterr().out)[-1]
    assert codes["ok"] is True
    assert [(p["value"], p["other_value"]) for p in codes["unpaired"]] == [("鹿城区", "Lucheng")]


def test_a_cell_only_in_one_file_is_no_warning(tmp_path, capsys):
    assert _validate(tmp_path, TRAINING.replace("2024Q1,瓯海区,电子商务,60,40\n", "")) == 0
    out = capsys.readouterr().out
    assert "note: column 'region': '瓯海区' in surveys" in out and "warning" not in out


def test_targets_name_employment_rows_of_cells_not_surveyed():
    employment = pd.DataFrame({"region": ["鹿城区", "鹿城区", "鹿城区"],
                               "industry": ["纺织", "行业总体", "行业总体"]},
                              index=pd.Index([0, 7, 8]))
    paths = pd.DataFrame({"region": ["鹿城区"], "industry": ["纺织"]})
    need = pd.DataFrame({"region": ["鹿城区", "鹿城区"], "industry": ["纺织", "行业总体"]})
    config = SimpleNamespace(data=SimpleNamespace(employment="emp.csv"))
    with pytest.raises(SchemaError, match=r"emp.csv: employment: 2 row\(s\) name 1 cell\(s\) "
                                          r"\(region, industry\) that the surveys do not have, "
                                          r"e.g. line 9 \(鹿城区, 行业总体\); line 10 ") as info:
        _targets._check_surveyed(employment, need, paths, ["region", "industry"], config)
    assert info.value.failure_cases["line"].tolist() == [9, 10]
    assert info.value.reason == "cell_not_surveyed"
    _targets._check_surveyed(employment, need.iloc[:1], paths, ["region", "industry"], config)
