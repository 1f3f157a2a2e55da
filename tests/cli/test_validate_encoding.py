"""Encodings in the command line: ``[data] encoding``, ``validate --encoding``, side files."""

from __future__ import annotations

import pytest

from talentgap.cli import main
from talentgap.cli._plan_inputs import plan_budget, plan_parameter, read_plan_csv
from talentgap.cli.config import Config
from talentgap.errors import ConfigError

SURVEYS = """\
period,enterprise_id,region,industry,employees,vacancies,hard_to_fill,reports_shortage
2024Q1,E1,Zürich,textiles,40,3,2,1
2024Q1,E2,Genève,textiles,12,1,0,0
"""


@pytest.fixture
def latin1(tmp_path):
    path = tmp_path / "surveys.csv"
    path.write_bytes(SURVEYS.encode("latin-1"))
    return path


def test_a_wrong_guess_fails_validate_and_names_the_setting(latin1, capsys):
    assert main(["validate", f"surveys={latin1}"]) == 2
    out = capsys.readouterr()
    text = out.out + out.err
    assert "wrong_encoding" in text and "line 2" in text and "--encoding" in text


def test_validate_encoding_flag_and_config_setting_override_sniffing(latin1, tmp_path, capsys):
    assert main(["validate", f"surveys={latin1}", "--encoding", "latin-1"]) == 0
    config = tmp_path / "run.toml"
    config.write_text('[data]\nsurveys = "surveys.csv"\nencoding = "latin-1"\n')
    assert main(["validate", "--config", str(config)]) == 0
    assert "2 rows in, 2 kept" in capsys.readouterr().out


def test_config_refuses_an_unknown_encoding():
    with pytest.raises(ConfigError, match=r"\[data\] encoding .*'latin9x'"):
        Config.from_dict({"data": {"encoding": "latin9x"}})
    assert Config.from_dict({"data": {"encoding": "cp1252"}}).data.encoding == "cp1252"


@pytest.mark.parametrize("data", ["Zürich\nGenève\n".encode("utf-8-sig"),
                                  "Zürich\nGenève\n".encode("utf-16")])
def test_codes_lists_are_read_with_the_tables_sniffing(latin1, tmp_path, data):
    codes = tmp_path / "regions.txt"
    codes.write_bytes(data)
    assert main(["validate", f"surveys={latin1}", "--encoding", "latin-1",
                 "--codes", f"region={codes}"]) == 0


def test_gbk_codes_list_is_read(tmp_path):
    surveys = tmp_path / "surveys.csv"
    surveys.write_bytes(SURVEYS.replace("Zürich", "温州").replace("Genève", "杭州")
                        .encode("gbk"))
    codes = tmp_path / "regions.txt"
    codes.write_bytes("温州\n".encode("gbk"))
    rejected = tmp_path / "rejected.csv"
    assert main(["validate", f"surveys={surveys}", "--codes", f"region={codes}",
                 "--rejected", str(rejected)]) == 2
    assert "unknown_code" in rejected.read_text()  # 杭州 is not in the list


def test_an_undecodable_codes_list_is_a_config_error(latin1, tmp_path, capsys):
    codes = tmp_path / "regions.txt"
    codes.write_bytes(b"ok\n\xff\xfe\xff\n")  # no UTF-16 mark at the start
    assert main(["validate", f"surveys={latin1}", "--codes", f"region={codes}"]) == 2
    assert "regions.txt" in capsys.readouterr().err


def test_plan_csv_in_gbk_is_read(tmp_path):
    path = tmp_path / "cost.csv"
    path.write_bytes("region,industry,cost_per_trainee\n温州,纺织,4000\n".encode("gbk"))
    table = plan_parameter(str(path), "cost_per_trainee", ["region", "industry"])
    assert table["region"].tolist() == ["温州"]
    assert table["cost_per_trainee"].tolist() == [4000.0]


def test_plan_csv_lines_count_blank_lines(tmp_path):
    path = tmp_path / "cost.csv"
    path.write_text("region,industry,cost_per_trainee\nA,x,4000\n\nB,y,-5\n\n")
    with pytest.raises(ConfigError, match=r"line 4 \(B, y\): -5"):
        plan_parameter(str(path), "cost_per_trainee", ["region", "industry"])
    budget = tmp_path / "budget.csv"
    budget.write_text("period,budget\n2026,100\n\n2027,100\n\n2027,5\n")
    with pytest.raises(ConfigError, match="line 6 .*repeats line 4"):
        plan_budget(str(budget))


def test_unreadable_plan_csv_is_a_config_error_naming_the_setting(tmp_path):
    path = tmp_path / "cost.csv"
    path.write_bytes(b"region,cost_per_trainee\nA\xff\xff,4000\n")
    with pytest.raises(ConfigError, match=r"\[plan\] cost_per_trainee: .*cost.csv.*line 2"):
        read_plan_csv(str(path), "cost_per_trainee", ["region"])


def test_latin1_plan_csv_is_refused_rather_than_misread(tmp_path):
    path = tmp_path / "cost.csv"
    path.write_bytes("region,industry,cost_per_trainee\nZürich,textiles,4000\n"
                     .encode("latin-1"))
    with pytest.raises(ConfigError, match=r"cost_per_trainee: .*wrong_encoding.*line 2"):
        plan_parameter(str(path), "cost_per_trainee", ["region", "industry"])
    table = read_plan_csv(str(path), "cost_per_trainee", ["region"], encoding="latin-1")
    assert table["region"].tolist() == ["Zürich"]
