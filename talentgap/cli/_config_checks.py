"""Checking a run configuration: each table's keys and values, then the rules across tables.

:class:`~talentgap.cli.config.Config` reads a layer of settings (a TOML file,
``--set`` flags) through :func:`check_section`, one table at a time: unknown
keys (with a suggestion), the type each key takes and the rules written in
the metadata of the section's fields (``choices``, ``min``, ``min_open``,
``max``, ``nonempty``, ``encoding``, ``path``, ``words``). Then
:func:`check_together` checks the whole configuration: rules that tie
several keys together. Every message starts with the file (when there is one)
and names ``[table] key``.
"""

from __future__ import annotations

import codecs
import dataclasses
import difflib
import math
import os
import typing
from pathlib import Path

from talentgap._arguments import check_levels
from talentgap.cli._config_analogues import check_analogues
from talentgap.cli._config_rules import number_text, refuse_number_text
from talentgap.errors import ConfigError, ParameterError

__all__ = ["TARGET_LEVELS", "suggest", "describe_value", "check_section", "check_together"]

#: The two skill levels of ``[targets]``: each has a ``*_share``, a ``*_delta_points`` and a
#: ``*_share_regions`` key.
TARGET_LEVELS = ("skilled", "high_skilled")


def suggest(name: str, known) -> str:
    """The end of an unknown-name message: the closest known name, else every known one.

    Examples
    --------
    >>> suggest("horizn", ["horizon", "levels"])
    "; did you mean 'horizon'?"
    >>> suggest("xyz", ["horizon", "levels"])
    '; known: horizon, levels'
    """
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; known: {', '.join(sorted(known))}"


def check_section(section: str, cls, values: dict, where: str, base: Path | None) -> dict:
    """The checked values of one table ``[section]``, as keyword arguments of ``cls``.

    Parameters
    ----------
    section : str
        The table's name, for messages (``"forecast"``).
    cls : type
        The table's dataclass; the metadata of its fields holds the rules.
    values : dict
        ``{key: value}`` as read from TOML.
    where : str
        The start of every message (``"plan.toml: "``, or ``""``).
    base : pathlib.Path or None
        Folder that relative paths are resolved against (None: left as given).

    Returns
    -------
    dict
        The values, lists turned into tuples and paths resolved against ``base``.

    Raises
    ------
    ConfigError
        An unknown key (with a suggestion), a value of the wrong type, or one
        outside its choices or range.

    Examples
    --------
    >>> from talentgap.cli.config import ForecastConfig
    >>> check_section("forecast", ForecastConfig, {"levels": [80, 95]}, "", None)
    {'levels': (80, 95)}
    >>> check_section("forecast", ForecastConfig, {"horizon": 0}, "plan.toml: ", None)
    Traceback (most recent call last):
    ...
    talentgap.errors.ConfigError: plan.toml: [forecast] horizon must be >= 1, got 0
    """
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    checked = {}
    for key, value in values.items():
        if key not in fields:
            raise ConfigError(f"{where}unknown key {key!r} in [{section}]"
                              f"{suggest(key, fields)}")
        meta = fields[key].metadata
        label = f"{where}[{section}] {key}"
        value = _check_type(value, hints[key], label)
        if meta.get("path") and isinstance(value, str) and value not in meta.get("words", ()):
            refuse_number_text(value, hints[key], label)
        _check_value(value, meta, label)
        if (meta.get("path") and isinstance(value, str) and base is not None
                and value not in meta.get("words", ())):
            value = value if Path(value).is_absolute() else os.path.normpath(base / value)
        checked[key] = value
    return checked


_TYPE_WORDS = {int: "an integer", float: "a number", str: "a string", bool: "true or false",
               dict: "a table", type(None): "nothing"}


def _describe_type(hint) -> str:
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple:
        return f"a list of {_describe_type(args[0]).split(' ', 1)[1]}s"
    if args:  # a union
        words = [_describe_type(a) for a in args if a is not type(None)]
        if float in args and str in args:
            table = " or a table" if dict in args else ""
            return f"a number{table} or a string (a CSV file)"
        if set(args) == {int, str}:  # a whole number or a CSV path ([panel] lead_time)
            return "an integer or a string (a CSV file)"
        return " or ".join(words)
    return _TYPE_WORDS[hint]


def describe_value(value) -> str:
    """A value as a message shows it, with its TOML kind.

    Examples
    --------
    >>> describe_value("1,200"), describe_value(True)
    ("'1,200' (a string)", 'True (true/false)')
    """
    kind = {bool: "true/false", int: "an integer", float: "a number", str: "a string",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)
    return f"{value!r} ({kind})"


def _matches(value, hint) -> bool:
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is type(None):
        return value is None
    return isinstance(value, hint)


def _check_type(value, hint, label: str):
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is tuple:
        item = args[0]
        if not isinstance(value, list) or not all(_matches(v, item) for v in value):
            raise ConfigError(f"{label} must be {_describe_type(hint)}, "
                              f"got {describe_value(value)}")
        return tuple(float(v) if item is float and not float(v).is_integer() else v
                     for v in value)
    options = args or (hint,)
    listed = [a for a in options if typing.get_origin(a) is tuple]
    if listed and isinstance(value, list):   # a union with a list: "a" or ["a", "b"]
        if not value or len(set(value)) != len(value):
            raise ConfigError(f"{label} must be a non-empty list without repeats, "
                              f"got {describe_value(value)}")
        return _check_type(value, listed[0], label)
    for option in options:
        if typing.get_origin(option) is tuple:
            continue
        if _matches(value, option):
            return float(value) if option is float and isinstance(value, float) else value
    raise ConfigError(f"{label} must be {_describe_type(hint)}, got {describe_value(value)}")


def _check_value(value, meta, label: str) -> None:
    items = value if isinstance(value, tuple) else (value,)
    if meta.get("nonempty") and not items:
        raise ConfigError(f"{label} must not be empty")
    choices = meta.get("choices")
    if meta.get("encoding") and value != "auto":
        try:
            codecs.lookup(value)
        except LookupError:
            raise ConfigError(f"{label} must be 'auto' or a text encoding such as 'utf-8', "
                              f"'gb18030', 'latin-1', 'cp1252'; got {value!r}") from None
    for item in items:
        if choices and item not in choices:
            raise ConfigError(f"{label} must be one of {', '.join(map(repr, choices))}; "
                              f"got {item!r}{suggest(str(item), choices)}")
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            if meta.get("open") and not meta["min"] < item < meta["max"]:
                raise ConfigError(f"{label} must be in ({meta['min']:g}, {meta['max']:g}), "
                                  f"got {item!r}{_percent_hint(item, meta)}")
            if meta.get("min_open") and item <= meta["min"]:
                raise ConfigError(f"{label} must be > {meta['min']}, got {item!r}")
            if "min" in meta and item < meta["min"]:
                raise ConfigError(f"{label} must be >= {meta['min']}, got {item!r}")
            if "max" in meta and item > meta["max"]:
                raise ConfigError(f"{label} must be <= {meta['max']}, got "
                                  f"{item!r}{_percent_hint(item, meta)}")


def _percent_hint(item, meta) -> str:
    """The share (or probability) meant by a value written as a percentage, or "".

    A share's value in (1, 100] reads as a percentage (``pass_rate = 67``:
    0.67). A probability level (``"open"`` bounds, such as ``[plan]
    quantile``) reads as one only from its ``"percent_from"`` up (``quantile
    = 80``: 0.8; ``quantile = 1.5`` means no 1.5% level a plan would use).

    Examples
    --------
    >>> _percent_hint(67, {"max": 1.0})
    '; a share, not a percentage: did you mean 0.67?'
    >>> _percent_hint(1.5, {"max": 1.0})
    '; a share, not a percentage: did you mean 0.015?'
    >>> quantile = {"min": 0.0, "max": 1.0, "open": True, "percent_from": 50.0}
    >>> _percent_hint(80, quantile), _percent_hint(1.5, quantile), _percent_hint(100, quantile)
    ('; a probability, not a percentage: did you mean 0.8?', '', '')
    """
    if meta.get("max") != 1.0 or not meta.get("percent_from", 1.0) <= item <= 100 or item <= 1:
        return ""
    meant = item / 100
    if meta.get("open") and not meta.get("min", 0.0) < meant < meta["max"]:
        return ""
    noun = "a probability" if meta.get("open") else "a share"
    return f"; {noun}, not a percentage: did you mean {meant:g}?"


def check_together(config, where: str) -> None:
    """Rules that tie several keys together (checked on the whole configuration).

    ``config`` is a :class:`~talentgap.cli.config.Config`; ``where`` starts
    every message.

    Examples
    --------
    >>> from talentgap.cli.config import Config, PlanConfig
    >>> check_together(Config(plan=PlanConfig(years=(2026, 2025))), "")
    Traceback (most recent call last):
    ...
    talentgap.errors.ConfigError: [plan] years must be increasing without repeats, got \
[2026, 2025]
    """
    plan, targets = config.plan, config.targets
    survey = config.survey
    _check_interval_levels(config.forecast.levels, where)
    _check_declared_levels(config.data, where)
    check_analogues(config.forecast, config.data.keys, where)
    _check_column_names(config.data, where)
    named = [*survey.strata, *(c for c in (survey.psu, survey.fpc) if c is not None)]
    if "period" in named:
        raise ConfigError(f"{where}[survey] 'period' is not a design column: each period is "
                          "its own sample already")
    if len(set(named)) != len(named):
        raise ConfigError(f"{where}[survey] strata, psu and fpc must name different columns, "
                          f"got {named}")
    if len(set(plan.years)) != len(plan.years) or list(plan.years) != sorted(plan.years):
        raise ConfigError(f"{where}[plan] years must be increasing without repeats, "
                          f"got {list(plan.years)}")
    if plan.years:
        if plan.period is not None:
            raise ConfigError(f"{where}[plan] period cannot be combined with [plan] years "
                              f"(a multi-year plan funds every year listed)")
    else:
        if isinstance(plan.budget, (str, dict)):
            raise ConfigError(f"{where}[plan] budget must be a number for a single-period "
                              f"plan, got {describe_value(plan.budget)}; a budget per year "
                              "(a table or a CSV) needs [plan] years")
        for name in ("capacity_groups", "budget_envelopes", "committed"):
            if getattr(plan, name) is not None:
                raise ConfigError(f"{where}[plan] {name} needs [plan] years")
        if targets.given:
            raise ConfigError(f"{where}[targets] needs a multi-year plan: set [plan] years")
    _check_min_class(plan, where)
    if isinstance(plan.budget, dict):
        for year, money in plan.budget.items():
            if not (year.isdigit() and int(year) in plan.years):
                raise ConfigError(f"{where}[plan] budget: key {year!r} is not one of "
                                  f"[plan] years {list(plan.years)}")
            if isinstance(money, str) and (number := number_text(money)) is not None:
                raise ConfigError(f"{where}[plan] budget.{year} must be a number "
                                  f"({number:.0f} or {number:_.0f}, without quotes), got "
                                  f"{describe_value(money)}")
            if not _matches(money, float) or money < 0:
                raise ConfigError(f"{where}[plan] budget.{year} must be a number >= 0, "
                                  f"got {describe_value(money)}")
        missing = [y for y in plan.years if str(y) not in plan.budget]
        if missing:
            raise ConfigError(f"{where}[plan] budget: no money for year(s) {missing}; a "
                              "per-year budget names every year of [plan] years")
    _check_targets(targets, where)
    _check_target_year(plan, targets, where)


def _check_min_class(plan, where: str) -> None:
    """``[plan] min_class_size``: a finite number no larger than a number capacity.

    A CSV is checked when it is read (its rows against the planners' range);
    the planners then name any cell whose class is above its capacity.

    Examples
    --------
    >>> from talentgap.cli.config import PlanConfig
    >>> _check_min_class(PlanConfig(min_class_size=20.0, capacity=15.0), "")
    Traceback (most recent call last):
    ...
    talentgap.errors.ConfigError: [plan] min_class_size = 20 is above [plan] capacity = 15: ...
    """
    size = plan.min_class_size
    if size is None:
        return
    if plan.crosswalk is not None and not plan.years:
        raise ConfigError(f"{where}[plan] min_class_size with [plan] crosswalk needs [plan] "
                          "years (classes per programme and funding year)")
    if isinstance(size, str):
        return
    if not math.isfinite(size):
        raise ConfigError(f"{where}[plan] min_class_size must be a finite number of places "
                          f">= 0 (or a CSV per cell), got {describe_value(size)}")
    cap = plan.capacity
    if _matches(cap, float) and size > cap:
        raise ConfigError(f"{where}[plan] min_class_size = {size:g} is above [plan] capacity "
                          f"= {cap:g}: no class could run anywhere; lower min_class_size or "
                          "raise capacity")


def _check_target_year(plan, targets, where: str) -> None:
    """``[targets] target_year`` within the years the plan's projections reach.

    The policy need and the shares are projected over the need years, from
    the first of ``[plan] years`` to the last plus ``[plan] lead_time`` (the
    year its last places certify); no projection is made outside them, and
    no other year's share may stand in for the target's.

    Examples
    --------
    >>> from talentgap.cli.config import PlanConfig, TargetsConfig
    >>> plan = PlanConfig(years=(2026, 2027, 2028), lead_time=1)
    >>> _check_target_year(plan, TargetsConfig(skilled_share=0.3, target_year=2029), "")
    >>> _check_target_year(plan, TargetsConfig(skilled_share=0.3, target_year=2045), "")
    Traceback (most recent call last):
    ...
    talentgap.errors.ConfigError: [targets] target_year = 2045 is after the last year the plan projects: ...
    """  # noqa: E501
    year = targets.target_year
    if year is None or not plan.years or not targets.given:
        return
    first = int(plan.years[0])
    last = int(plan.years[-1]) + int(plan.lead_time)
    span = (f"[plan] years = {list(plan.years)} with lead_time = {plan.lead_time} project "
            f"{first}-{last}, so target_year must be in {first}-{last}")
    if year < first:
        raise ConfigError(f"{where}[targets] target_year = {year} is before the first of "
                          f"[plan] years ({first}): the plan cannot act on it. {span}; to "
                          "plan for an earlier target, start [plan] years earlier")
    if year > last:
        raise ConfigError(f"{where}[targets] target_year = {year} is after the last year the "
                          f"plan projects: {span}; to plan towards {year}, extend [plan] "
                          f"years to {year - int(plan.lead_time)} (with a budget for each "
                          "year), or set the target year the plan can reach")


def _check_column_names(data, where: str) -> None:
    """``[data] <table>_columns`` map names to names: strings, no name given twice."""
    for table in ("surveys", "training", "employment"):
        names = getattr(data, f"{table}_columns")
        if names is None:
            continue
        bad = [(k, v) for k, v in names.items() if not isinstance(v, str) or not v.strip()]
        if bad:
            raise ConfigError(f"{where}[data] {table}_columns maps the file's column names "
                              f"to talentgap's, each a string; got {bad[0][0]} = "
                              f"{describe_value(bad[0][1])}")
        targets = [v.strip() for v in names.values()]
        twice = sorted({v for v in targets if targets.count(v) > 1})
        if twice:
            raise ConfigError(f"{where}[data] {table}_columns names {twice[0]!r} for more "
                              "than one column of the file")


def _check_interval_levels(levels, where: str) -> None:
    """``[forecast] levels`` by the library's rule (:func:`talentgap._arguments.check_levels`),
    as a ConfigError naming the setting: a level given twice, a fraction, a level out of
    (0, 100) or two levels with the same column label.

    Examples
    --------
    >>> _check_interval_levels((80, 80), "command line: ")
    Traceback (most recent call last):
    ...
    talentgap.errors.ConfigError: command line: [forecast] levels=[80, 80]: 80 is given more \
than once; give each level once, e.g. [80]
    """
    try:
        check_levels(list(levels), name="[forecast] levels")
    except ParameterError as err:
        raise ConfigError(f"{where}{err}") from None


def _check_declared_levels(data, where: str) -> None:
    """The rules of :class:`~talentgap.features.SkillLevels` for ``[data]``, as ConfigError
    naming the section (without importing features: reading a config stays light)."""
    order = data.skill_levels
    if len(set(order)) != len(order):
        raise ConfigError(f"{where}[data] skill_levels repeat a level: {list(order)}")
    for key in ("high_skilled", "unskilled"):
        unknown = [v for v in getattr(data, key) if v not in order]
        if unknown:
            raise ConfigError(f"{where}[data] {key} level {unknown[0]!r} is not one of "
                              f"[data] skill_levels {list(order)}")
    both = set(data.high_skilled) & set(data.unskilled)
    if both:
        raise ConfigError(f"{where}[data] level {sorted(both)[0]!r} cannot be both "
                          "high_skilled and unskilled")


def _check_targets(targets, where: str) -> None:
    inline = [f"{level}_{kind}" for level in TARGET_LEVELS for kind in ("share", "delta_points")
              if getattr(targets, f"{level}_{kind}") is not None]
    if targets.file is not None and inline:
        raise ConfigError(f"{where}[targets] file and {inline[0]} cannot both be set: give "
                          "the targets as a table or as keys")
    for level in TARGET_LEVELS:
        share = getattr(targets, f"{level}_share")
        delta = getattr(targets, f"{level}_delta_points")
        regions = getattr(targets, f"{level}_share_regions")
        if regions and share is None:
            raise ConfigError(f"{where}[targets] {level}_share_regions needs {level}_share")
        if share is not None and delta is not None and not regions:
            raise ConfigError(f"{where}[targets] {level}_share and {level}_delta_points both "
                              f"cover every region; list the regions of the share in "
                              f"{level}_share_regions")
    if inline and targets.target_year is None:
        raise ConfigError(f"{where}[targets] target_year is required with {inline[0]}")
    if (targets.base_year is not None and targets.target_year is not None
            and targets.target_year < targets.base_year):
        raise ConfigError(f"{where}[targets] target_year ({targets.target_year}) must not be "
                          f"before base_year ({targets.base_year})")
    for level in targets.plan_levels:
        _check_plan_level(level, targets, inline, where)


def _check_plan_level(level: str, targets, inline: list[str], where: str) -> None:
    """A level of ``[targets] plan_level`` needs a target of its own among the inline ones."""
    if inline and not any(name.startswith(f"{level}_") for name in inline):
        other = "high_skilled" if level == "skilled" else "skilled"
        raise ConfigError(f"{where}[targets] plan_level = {level!r} (the default is "
                          f"'skilled'), but no {level} target is set, only {inline[0]}: the "
                          f"plan would serve no target; set plan_level = {other!r}, or add a "
                          f"{level}_share or {level}_delta_points")
