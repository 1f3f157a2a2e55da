"""``talentgap serve`` settings: the [serve] table, TALENTGAP_* variables, flags, the port."""

from __future__ import annotations

import socket

import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")

from talentgap.cli import main
from talentgap.cli._serve_settings import serve_settings
from talentgap.cli.config import load_config
from talentgap.errors import ConfigError
from talentgap.service import ServiceSettings


def _toml(tmp_path, text: str):
    path = tmp_path / "serve.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_setting_has_its_default_from_service_settings():
    chosen = serve_settings(ServiceSettings, flags={}, environ={})
    defaults = ServiceSettings()
    assert {key: chosen[key] for key in ("rate_limit", "plan_timeout", "max_horizon",
                                         "rate_window", "plan_workers", "cors_origins")} == {
        "rate_limit": defaults.rate_limit, "plan_timeout": defaults.plan_timeout,
        "max_horizon": defaults.max_horizon, "rate_window": defaults.rate_window,
        "plan_workers": defaults.plan_workers, "cors_origins": defaults.cors_origins}
    assert (chosen["host"], chosen["port"], chosen["token_file"]) == ("127.0.0.1", 8000, None)
    assert "token" not in chosen


def test_flag_beats_set_beats_environment_beats_config(tmp_path):
    config = _toml(tmp_path, "[serve]\nplan_timeout = 10\nrate_limit = 5\nmax_horizon = 12\n"
                             "rate_window = 30\n")
    environ = {"TALENTGAP_PLAN_TIMEOUT": "20", "TALENTGAP_RATE_LIMIT": "6",
               "TALENTGAP_MAX_HORIZON": "13"}
    chosen = serve_settings(ServiceSettings, flags={"plan_timeout": 40.0}, config=config,
                            sets=[("plan_timeout", 30), ("rate_limit", 7)], environ=environ)
    assert chosen["plan_timeout"] == 40.0  # the flag
    assert chosen["rate_limit"] == 7       # --set
    assert chosen["max_horizon"] == 13     # the environment
    assert chosen["rate_window"] == 30     # the config file
    settings = ServiceSettings(**{k: v for k, v in chosen.items()
                                  if k not in ("host", "port", "token_file")})
    assert (settings.plan_timeout, settings.rate_limit) == (40.0, 7)


def test_a_list_from_the_environment_is_separated_by_commas():
    chosen = serve_settings(ServiceSettings, flags={},
                            environ={"TALENTGAP_CORS_ORIGINS": "https://a.org, https://b.org"})
    assert chosen["cors_origins"] == ("https://a.org", "https://b.org")


def test_port_is_never_read_from_the_environment():
    # a container platform sets TALENTGAP_PORT=tcp://10.0.0.1:8000 for a service "talentgap"
    chosen = serve_settings(ServiceSettings, flags={},
                            environ={"TALENTGAP_PORT": "tcp://10.0.0.1:8000"})
    assert chosen["port"] == 8000


@pytest.mark.parametrize(("text", "message"), [
    ("[serve]\nplan_timout = 3\n", "unknown key 'plan_timout' in [serve]; did you mean "
                                   "'plan_timeout'?"),
    ("[serve]\nplan_timeout = 'soon'\n", "[serve] plan_timeout must be a number"),
    ("[serve]\nport = 70000\n", "[serve] port must be <= 65535"),
    ("[serve]\ntoken = 'x'\n", "unknown key 'token' in [serve]; did you mean 'token_file'?"),
    ("[serv]\nplan_timeout = 3\n", "unknown table [serv]; did you mean 'serve'?"),
])
def test_the_serve_table_is_checked_with_suggestions(tmp_path, text, message):
    with pytest.raises(ConfigError) as refused:
        serve_settings(ServiceSettings, flags={}, config=_toml(tmp_path, text), environ={})
    assert message in str(refused.value) and "serve.toml" in str(refused.value)


def test_a_bad_environment_value_names_its_variable():
    with pytest.raises(ConfigError, match="TALENTGAP_PLAN_TIMEOUT: .*must be a number"):
        serve_settings(ServiceSettings, flags={}, environ={"TALENTGAP_PLAN_TIMEOUT": "abc"})


def test_the_run_commands_accept_a_file_with_a_serve_table(tmp_path):
    config = load_config(_toml(tmp_path, "[forecast]\nhorizon = 6\n\n[serve]\nport = 9000\n"))
    assert config.forecast.horizon == 6
    with pytest.raises(ConfigError, match=r"unknown table \[serv\]; did you mean 'serve'\?"):
        load_config(_toml(tmp_path, "[serv]\nport = 9000\n"))


def test_a_port_out_of_range_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--model", "absent", "--port", "99999"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "99999 is not a port: use a whole number from 0 to 65535" in err
    assert "Traceback" not in err


def test_a_busy_port_is_exit_2_with_one_line(capsys):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        code = main(["serve", "--model", "absent", "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [f"talentgap: error: cannot listen on 127.0.0.1:{port}: "
                                        "the address is already in use (another server holds "
                                        "the port); choose another --port or stop that server"]


def test_serve_takes_only_serve_settings_from_set():
    assert main(["serve", "--model", "absent", "--set", "forecast.horizon=3"]) == 2


def test_help_shows_the_service_settings_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"is not counted (default {ServiceSettings().plan_timeout})" in text
    assert f"--rate-window (default {ServiceSettings().rate_limit}; 0: off)" in text


def test_the_service_guide_lists_every_key_with_its_one_default():
    import dataclasses
    import re
    from pathlib import Path

    from talentgap.cli._serve_settings import serve_keys

    guide = (Path(__file__).parents[2] / "docs" / "service.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| `--[^|]*\| ([^|]+) \|$", guide, re.MULTILINE))
    defaults = {f.name: f.default for f in dataclasses.fields(serve_keys(ServiceSettings))}
    assert set(rows) == set(defaults)
    for key, default in defaults.items():
        shown = re.match(r"`([^`]+)`", rows[key])
        expected = "none" if default in (None, ()) else str(default)
        assert (shown.group(1) if shown else rows[key].split()[0].rstrip(":")) == expected, key
