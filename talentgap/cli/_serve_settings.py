"""The settings of ``talentgap serve``: flags, ``TALENTGAP_*`` variables and a ``[serve]`` table.

Every setting of :class:`talentgap.service.ServiceSettings` (except the token,
which is a secret: ``TALENTGAP_API_TOKEN`` or ``token_file``) and the server's
``host``, ``port`` and ``token_file`` can be given four ways; the first found
wins:

1. a flag (``--plan-timeout 60``) or ``--set serve.KEY=VALUE`` (the flag wins);
2. an environment variable, ``TALENTGAP_`` and the key in capitals
   (``TALENTGAP_PLAN_TIMEOUT=60``; a list such as ``cors_origins`` separated by
   commas), for every key but ``host`` and ``port`` (a container platform sets
   ``TALENTGAP_PORT`` itself for a service named ``talentgap``, to an address);
3. the ``[serve]`` table of the ``--config`` file;
4. the default, :class:`~talentgap.service.ServiceSettings`'s (one home for each).

The ``[serve]`` table is checked as the run configuration's tables are (an
unknown key is refused with the closest known one); the run commands ignore it,
so one file can hold a run's settings and its server's.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from pathlib import Path

from talentgap.cli._config_checks import check_section, suggest
from talentgap.errors import ConfigError

__all__ = ["SERVE_TABLE", "ENV_PREFIX", "FLAG_KEYS", "serve_keys", "serve_settings",
           "port_number"]

#: The table of ``talentgap serve``'s settings in a TOML config file.
SERVE_TABLE = "serve"
#: The start of each setting's environment variable (``TALENTGAP_PLAN_TIMEOUT``).
ENV_PREFIX = "TALENTGAP_"
#: Flag (its ``argparse`` dest) -> the ``[serve]`` key it sets.
FLAG_KEYS = {"host": "host", "port": "port", "token_file": "token_file",
             "rate_limit": "rate_limit", "rate_window": "rate_window",
             "max_body": "max_body_bytes", "max_cells": "max_cells",
             "max_answer_size": "max_answer_size",
             "max_horizon": "max_horizon", "horizon_at_load": "horizon_at_load",
             "max_plan_size": "max_plan_size", "plan_workers": "plan_workers",
             "plan_queue": "plan_queue", "plan_timeout": "plan_timeout",
             "access_log": "access_log_level", "cors_origin": "cors_origins"}
#: Keys of ``[serve]`` that are the server's, not :class:`ServiceSettings` fields.
_SERVER_KEYS = [("host", str, dataclasses.field(default="127.0.0.1")),
                ("port", int, dataclasses.field(default=8000, metadata={"min": 0,
                                                                        "max": 65535})),
                ("token_file", str | None, dataclasses.field(default=None,
                                                             metadata={"path": True}))]

#: Keys read from no environment variable (Kubernetes sets ``<SERVICE>_PORT`` to an address).
_NO_VARIABLE = ("host", "port")


def port_number(text: str) -> int:
    """``--port``: a whole number from 0 to 65535 (0: any free port).

    Examples
    --------
    >>> port_number("8000")
    8000
    >>> port_number("99999")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: 99999 is not a port: use a whole number from 0 to 65535
    """
    import argparse

    if text.strip().isdigit() and int(text) <= 65535:
        return int(text)
    raise argparse.ArgumentTypeError(f"{text} is not a port: use a whole number from 0 to 65535")


def serve_keys(settings_class) -> type:
    """The ``[serve]`` table as a dataclass: the fields of ``settings_class``
    (:class:`~talentgap.service.ServiceSettings`) but the token, then host, port and
    token_file. Its defaults are the settings' own."""
    hints = typing.get_type_hints(settings_class)
    fields = [(f.name, hints[f.name], dataclasses.field(default=f.default)
               if f.default is not dataclasses.MISSING
               else dataclasses.field(default_factory=f.default_factory))
              for f in dataclasses.fields(settings_class) if f.name != "token"]
    return dataclasses.make_dataclass("ServeTable", [*fields, *_SERVER_KEYS], frozen=True)


def _read_config(path: Path, known_tables) -> dict:
    """The ``[serve]`` table of a TOML file (the run's tables are left to the run commands;
    a table no command knows is refused with the closest known name)."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    for name in raw:
        if name != SERVE_TABLE and name not in known_tables:
            raise ConfigError(f"{path}: unknown table [{name}]"
                              f"{suggest(name, [*known_tables, SERVE_TABLE])}")
    table = raw.get(SERVE_TABLE, {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [{SERVE_TABLE}] must be a table of settings")
    return table


def _env_value(text: str, hint):
    """An environment variable's text as the value of a key of type ``hint``: TOML when
    it reads as TOML (``60``, ``true``), else the text; a list from commas."""
    if typing.get_origin(hint) is tuple:
        return [item.strip() for item in text.split(",") if item.strip()]
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def serve_settings(settings_class, *, flags: dict, config: Path | None = None,
                   sets: typing.Sequence[tuple[str, object]] = (),
                   environ: typing.Mapping[str, str] | None = None) -> dict:
    """Every ``[serve]`` key's value: flag, else ``--set serve.KEY=VALUE``, else environment
    variable, else the config file's ``[serve]`` table, else the default.

    Parameters
    ----------
    settings_class : type
        :class:`~talentgap.service.ServiceSettings`.
    flags : dict
        ``{key: value}`` of the flags given (left out: not given).
    config : pathlib.Path, optional
        The ``--config`` file.
    sets : sequence of (str, object)
        ``--set serve.KEY=VALUE`` as (key, value read as TOML).
    environ : mapping, optional
        The environment (default ``os.environ``).

    Returns
    -------
    dict
        ``{key: value}`` for every key of :func:`serve_keys`, checked.

    Raises
    ------
    ConfigError
        An unknown key (with the closest known one), a value of the wrong type
        or out of range; the message names where the value came from.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Settings:
    ...     token: str | None = None
    ...     plan_timeout: float = 300.0
    >>> chosen = serve_settings(Settings, flags={}, environ={"TALENTGAP_PLAN_TIMEOUT": "30"})
    >>> chosen["plan_timeout"], chosen["port"]
    (30, 8000)
    >>> serve_settings(Settings, flags={}, sets=[("plan_timout", 3)], environ={})
    Traceback (most recent call last):
    ...
    talentgap.errors.ConfigError: --set: unknown key 'plan_timout' in [serve]; did you mean \
'plan_timeout'?
    """
    from talentgap.cli.config import Config  # the run's tables, which [serve] sits beside

    table = serve_keys(settings_class)
    hints = typing.get_type_hints(table)
    environ = os.environ if environ is None else environ
    chosen = {f.name: f.default if f.default is not dataclasses.MISSING else f.default_factory()
              for f in dataclasses.fields(table)}
    if config is not None:
        config = Path(config)
        known = [f.name for f in dataclasses.fields(Config)]
        chosen.update(check_section(SERVE_TABLE, table, _read_config(config, known),
                                    f"{config}: ", config.resolve().parent))
    for key in hints:
        if key in _NO_VARIABLE:
            continue
        text = environ.get(f"{ENV_PREFIX}{key.upper()}")
        if text is not None and text.strip():
            chosen.update(check_section(SERVE_TABLE, table, {key: _env_value(text, hints[key])},
                                        f"{ENV_PREFIX}{key.upper()}: ", Path.cwd()))
    for key, value in sets:
        chosen.update(check_section(SERVE_TABLE, table, {key: value}, "--set: ", Path.cwd()))
    chosen.update(flags)
    if isinstance(chosen.get("access_log_level"), str):
        chosen["access_log_level"] = chosen["access_log_level"].upper()
    return chosen
