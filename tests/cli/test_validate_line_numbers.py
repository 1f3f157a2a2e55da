"""``talentgap validate``: line numbers of code mismatches under a title row or blank lines,
and ``[output] csv_encoding``."""

from __future__ import annotations

import pandas as pd
import pytest

from talentgap.cli import main
from talentgap.cli.config import load_config
from talentgap.errors import ConfigError

SURVEYS = """\
period,enterprise_id,region,industry,employees,vacancies,hard_to_fill,reports_shortage
2024Q1,E1,Ouhai,textiles,40,3,2,1
2024Q1,E2,Longwan,textiles,12,1,0,0
"""
# a title row above the header and a blank line between rows: the mismatch is on line 5
TRAINING = """\
2024年培训情况
period,region,industry,trained,certified
2024Q1,Ouhai,textiles,120,80

2024Q1,ouhai,textiles,50,30
"""


def test_a_code_mismatch_names_the_line_of_the_file(tmp_path, capsys):
    (tmp_path / "surveys.csv").write_text(SURVEYS)
    (tmp_path / "training.csv").write_text(TRAINING, encoding="utf-8")
    rejected = tmp_path / "rejected.csv"
    code = main(["validate", f"surveys={tmp_path / 'surveys.csv'}",
                 f"training={tmp_path / 'training.csv'}", "--rejected", str(rejected)])
    out, _ = capsys.readouterr()
    assert code == 2
    assert "'ouhai' in training (1 row, e.g. line 5)" in out
    failures = pd.read_csv(rejected)
    codes = failures[failures["rule"] == "code_mismatch"]
    assert codes["line"].tolist() == [5]


def test_output_csv_encoding_is_a_setting_with_two_choices(tmp_path):
    config = tmp_path / "run.toml"
    config.write_text('[output]\ncsv_encoding = "utf-8-sig"\n')
    assert load_config(config).output.csv_encoding == "utf-8-sig"
    config.write_text('[output]\ncsv_encoding = "latin-1"\n')
    with pytest.raises(ConfigError, match="csv_encoding"):
        load_config(config)


def test_the_rejected_file_of_validate_takes_the_configured_encoding(tmp_path):
    (tmp_path / "surveys.csv").write_text(SURVEYS)
    (tmp_path / "training.csv").write_text(TRAINING, encoding="utf-8")
    config = tmp_path / "run.toml"
    config.write_text('[data]\nsurveys = "surveys.csv"\ntraining = "training.csv"\n'
                      '[output]\ncsv_encoding = "utf-8-sig"\n')
    rejected = tmp_path / "rejected.csv"
    assert main(["validate", "--config", str(config), "--rejected", str(rejected)]) == 2
    assert rejected.read_bytes().startswith(b"\xef\xbb\xbffile,line")
