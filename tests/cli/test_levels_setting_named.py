"""``[forecast] levels`` is checked with the library's rule, and the message names the setting.

A level given twice, a fraction, a level out of (0, 100) or two levels with the
same column label are refused when the configuration is read, as a
``ConfigError`` that starts with where the value came from and names
``[forecast] levels`` (not the library's ``level=`` argument).
"""

from __future__ import annotations

import pytest

from talentgap.cli.config import Config, load_config
from talentgap.cli.main import main
from talentgap.errors import ConfigError


@pytest.mark.parametrize(("levels", "rule"), [
    ([80, 80], "80 is given more than once"),
    ([0.8], "looks like a fraction; use 80"),
    ([80, 100], "every level must be in (0, 100)"),
    ([80, 80.0000001], "both give the columns lo_80/hi_80"),
])
def test_a_bad_level_names_the_setting(levels, rule):
    with pytest.raises(ConfigError) as caught:
        Config().with_overrides({"forecast": {"levels": levels}}, source="command line")
    message = str(caught.value)
    assert message.startswith("command line: [forecast] levels=")
    assert rule in message
    assert "level=" not in message.replace("levels=", "")


def test_a_config_file_is_named_with_the_setting(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text("[forecast]\nlevels = [95, 80, 95]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"run\.toml: \[forecast\] levels=\[95, 80, 95\]: "
                                          r"95 is given more than once; give each level once, "
                                          r"e\.g\. \[80, 95\]"):
        load_config(path)


def test_good_levels_are_kept_as_given():
    config = Config().with_overrides({"forecast": {"levels": [95, 80]}}, source="command line")
    assert config.forecast.levels == (95, 80)


def test_the_command_exits_2_naming_the_setting(tmp_path, capsys):
    code = main(["demo", "--set", "forecast.levels=[80,80]", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "[forecast] levels=[80, 80]: 80 is given more than once" in err
    assert not (tmp_path / "out").exists(), "refused before any work"
