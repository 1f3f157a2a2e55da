"""Plan parameter CSVs: numbers and totals rows as the input tables handle them."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.cli._plan_inputs import check_plan_csv, read_plan_csv
from talentgap.errors import ConfigError, DataQualityWarning


def _cost(tmp_path, text: str) -> pd.DataFrame:
    path = tmp_path / "cost.csv"
    path.write_text(text, encoding="utf-8")
    return read_plan_csv(str(path), "cost_per_trainee", ["region", "industry"])


def test_full_width_digits_are_read_with_a_warning(tmp_path):
    table = _cost(tmp_path, "region,industry,cost_per_trainee\nA,x,６０００\nB,x,5000\u3000\n")
    with pytest.warns(DataQualityWarning, match=r"1 value\(s\) written in full-width digits.*"
                                                r"line 2: '６０００'"):
        checked = check_plan_csv(table, "cost_per_trainee", "cost.csv",
                                 keys=["region", "industry"])
    assert checked["cost_per_trainee"].tolist() == [6000.0, 5000.0]


def test_text_that_is_no_number_is_refused_with_the_reason(tmp_path):
    table = _cost(tmp_path, 'region,industry,cost_per_trainee\nA,x,"6,000"\nB,x,—\n')
    with pytest.raises(ConfigError, match=r"line 2 \(A, x\): '6,000': thousands separators "
                                          r"are not read; write 6000; line 3 \(B, x\): '—': "
                                          "a dash is not read"):
        check_plan_csv(table, "cost_per_trainee", "cost.csv", keys=["region", "industry"])


def test_a_totals_row_with_an_empty_key_names_its_line(tmp_path):
    table = _cost(tmp_path, "region,industry,cost_per_trainee\nA,x,6000\nB,x,5000\n"
                  "合计,,11000\n")
    with pytest.raises(ConfigError, match=r"cost.csv: key column 'industry' must have a value "
                                          r"\(a totals row\?.*line 4 \(合计, \(blank\)\): empty"):
        check_plan_csv(table, "cost_per_trainee", "cost.csv", keys=["region", "industry"])
