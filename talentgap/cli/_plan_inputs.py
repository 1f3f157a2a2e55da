"""Plan settings that name files: per-cell parameters, budgets per year, other CSV tables.

A ``[plan]`` setting such as ``cost_per_trainee``, ``capacity`` or
``budget`` is a number, or the path of a CSV that gives it per cell (or per
programme, or per year). These helpers read such files, with the key
columns kept as text, and say which setting and file are at fault when a
column is missing or not numeric.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from talentgap._checks import closest
from talentgap._numeric import number_hints, read_numbers
from talentgap.errors import ConfigError, ParameterError, SchemaError, warn
from talentgap.io import read_csv_file
from talentgap.planning._params import PARAMETER_RANGES

__all__ = ["read_plan_csv", "check_plan_csv", "plan_parameter", "plan_parameters",
           "check_free_places", "plan_budget", "budget_envelopes", "panel_absorption"]

#: The ``[plan]`` settings given per cell (or per programme) that every plan reads.
CELL_PARAMETERS = ("cost_per_trainee", "pass_rate", "absorption", "capacity", "min_quota")


def read_plan_csv(path: str, name: str, text_columns: list[str], *,
                  section: str = "plan", encoding: str = "auto") -> pd.DataFrame:
    """The CSV file a ``[section] name`` setting names, ``text_columns`` read as text.

    Read as the input tables are (:func:`talentgap.io.read_csv_file`: the
    encoding and separator detected, blank lines skipped), with
    ``attrs["line_numbers"]`` holding each row's line in the file.
    """
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"[{section}] {name}: no such file {path}")
    try:
        return read_csv_file(path, text_columns=text_columns, encoding=encoding)
    except (SchemaError, ParameterError) as exc:
        raise ConfigError(f"[{section}] {name}: {exc}") from None


#: Offending rows shown in a message.
_SHOWN = 3


def _lines(table: pd.DataFrame) -> np.ndarray:
    """Each row's line in its file: as read (blank lines skipped), else position + 2."""
    lines = table.attrs.get("line_numbers")
    if lines is not None and len(lines) == len(table):
        return np.asarray(lines, dtype=np.int64)
    return np.arange(len(table), dtype=np.int64) + 2


def _rows_words(table: pd.DataFrame, rows: np.ndarray, keys: list[str], name: str,
                shown: list[str]) -> str:
    """``1 row fails, e.g. line 5 (Amberfield, textiles): -500``: CSV lines count the header."""
    parts = []
    for i, what in zip(rows[:_SHOWN], shown, strict=False):
        ids = ", ".join("(blank)" if pd.isna(value := table[k].iloc[i]) else str(value)
                        for k in keys)
        parts.append(f"line {_lines(table)[i]}" + (f" ({ids})" if ids else "") + f": {what}")
    more = f"; and {rows.size - _SHOWN} more" if rows.size > _SHOWN else ""
    return (f"{rows.size} row{'' if rows.size == 1 else 's'} "
            f"fail{'s' if rows.size == 1 else ''}, e.g. " + "; ".join(parts) + more)


def check_plan_csv(table: pd.DataFrame, name: str, path: str, *, keys: list[str],
                   section: str = "plan", column: str | None = None) -> pd.DataFrame:
    """Check the rows of a plan parameter file; errors name the file and the lines at fault.

    The file holds the value column and key columns, as the planners look a
    per-cell (or per-programme) table up: by the key columns it has, each of
    which must be one of ``keys``. Any other column (a comment column such
    as ``note``, a misspelt key) is refused, naming it, rather than ignored
    or taken for a key: a misspelt key left out would match each row to
    every cell the remaining keys name. Then every failing rule is listed
    before the error is raised: key values that are missing (a totals row),
    values that are missing or not numbers (full-width digits are read, with
    a warning; other text is refused saying why, as in the input tables),
    values outside the parameter's range (the planners' own,
    :data:`~talentgap.planning._params.PARAMETER_RANGES`), and key values
    that repeat an earlier row. Line numbers are those of the CSV file, its
    header being line 1.

    Parameters
    ----------
    table : pandas.DataFrame
        The file as read, one row per line after the header.
    name : str
        The setting and the value column, e.g. ``"cost_per_trainee"``.
    path : str
        The file, as the configuration names it.
    keys : list of str
        The key columns the file may have: the plan's keys (``program``
        first with a crosswalk), and ``period`` where a value may change by
        funding period.
    section : str, default "plan"
        The configuration part the setting belongs to.
    column : str, optional
        The value column when it is not named like the setting (``budget``
        in the ``budget_envelopes`` file).

    Returns
    -------
    pandas.DataFrame
        ``table`` with its value column as numbers.

    Raises
    ------
    ConfigError
        When a row breaks a rule.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"region": ["A", "A", "B"], "industry": ["x", "x", "y"],
    ...                       "cost_per_trainee": [4000, -500, 6000]})
    >>> check_plan_csv(table, "cost_per_trainee", "cost.csv", keys=["region", "industry"])
    Traceback (most recent call last):
      ...
    talentgap.errors.ConfigError: [plan] cost_per_trainee: cost.csv: column 'cost_per_trainee' \
must be >= 0 and finite; 1 row fails, e.g. line 3 (A, x): -500; column 'region, industry' \
must not repeat an earlier row; 1 row fails, e.g. line 3 (A, x): repeats line 2
    >>> check_plan_csv(table.assign(note="2025 tender"), "cost_per_trainee", "cost.csv",
    ...                keys=["region", "industry"])
    Traceback (most recent call last):
      ...
    talentgap.errors.ConfigError: [plan] cost_per_trainee: cost.csv: column 'note' is neither \
the value column 'cost_per_trainee' nor a key column (region, industry): ...
    """
    setting, name = name, name if column is None else column
    _refuse_other_columns(table, name, path, keys, section, setting)
    keys = [c for c in table.columns if c != name]
    raw = table[name]
    values, wide = read_numbers(raw)  # spaces around dropped; full-width digits read
    problems = []
    for key in keys:  # a totals row (合计) leaves its other keys empty
        blank = np.flatnonzero(table[key].isna().to_numpy())
        if blank.size:
            problems.append(f"key column {key!r} must have a value (a totals row? leave "
                            "totals out of the file); "
                            + _rows_words(table, blank, keys, name, ["empty"] * blank.size))
    missing = np.flatnonzero(raw.isna().to_numpy())
    if missing.size:
        problems.append(f"column {name!r} must have a value; "
                        + _rows_words(table, missing, keys, name, ["empty"] * missing.size))
    wide = np.flatnonzero(wide)
    if wide.size:  # full-width digits (６０００) are read as the number they show
        warn(f"[{section}] {setting}: {path}: column {name!r}: {wide.size} value(s) "
             "written in full-width digits were read as the numbers they show, e.g. "
             + ", ".join(f"line {_lines(table)[i]}: {raw.iloc[i]!r}" for i in wide[:_SHOWN]))
    text = np.flatnonzero(np.isnan(values) & raw.notna().to_numpy())
    if text.size:
        problems.append(f"column {name!r} must be a number; "
                        + _rows_words(table, text, keys, name,
                                      number_hints(raw.iloc[text[:_SHOWN]].to_numpy(
                                          dtype=object)).tolist()))
    rule = PARAMETER_RANGES.get(name)
    out = np.flatnonzero(rule.outside(values)) if rule is not None else np.array([], int)
    if out.size:
        problems.append(f"column {name!r} must be {rule.words()}"
                        + ("" if rule.allow_inf else " and finite") * (not np.isfinite(rule.high))
                        + "; " + _rows_words(table, out, keys, name,
                                             [f"{values[i]:g}" for i in out[:_SHOWN]]))
    if keys:
        key_text = table[keys].astype(str)
        repeated = np.flatnonzero(key_text.duplicated().to_numpy())
        if repeated.size:
            first_line = pd.Series(_lines(table)).groupby(
                [key_text[k].to_numpy() for k in keys]).transform("min").to_numpy()
            problems.append(f"column {', '.join(keys)!r} must not repeat an earlier row; "
                            + _rows_words(table, repeated, keys, name,
                                          [f"repeats line {first_line[i]}"
                                           for i in repeated[:_SHOWN]]))
    if problems:
        raise ConfigError(f"[{section}] {setting}: {path}: " + "; ".join(problems))
    return table.assign(**{name: values})


def _refuse_other_columns(table: pd.DataFrame, name: str, path: str, keys: list[str],
                          section: str, setting: str | None = None) -> None:
    """A ConfigError naming the columns that are neither ``name`` nor one of ``keys``."""
    other = [str(c) for c in table.columns if c != name and c not in keys]
    if not other:
        return
    hints = [f"{c!r} (did you mean {near!r}?)" if (near := closest(c, keys)) else repr(c)
             for c in other]
    raise ConfigError(
        f"[{section}] {setting or name}: {path}: column{'s' if len(other) > 1 else ''} "
        f"{', '.join(hints)} {'are' if len(other) > 1 else 'is'} neither the value column "
        f"{name!r} nor a key column ({', '.join(keys)}): the table is looked up by its key "
        "columns, so remove other columns (such as notes) from the file, or rename a key "
        "column written differently")


def plan_parameter(value, name: str, id_columns: list[str], *, encoding: str = "auto"):
    """A plan parameter: a number as is, a string as a per-cell (or per-programme) CSV.

    The file (read in ``encoding``, ``[data] encoding``) is checked by
    :func:`check_plan_csv`, with ``id_columns`` and ``period`` as its
    possible key columns (the planners say which parameters may change by
    funding period).

    Examples
    --------
    >>> plan_parameter(0.67, "pass_rate", ["region", "industry"])
    0.67
    """
    if value is None or not isinstance(value, str):
        return value
    table = read_plan_csv(value, name, id_columns, encoding=encoding)
    if name not in table.columns:
        raise ConfigError(f"[plan] {name}: {value} has no column {name!r}; columns are "
                          f"{list(table.columns)}")
    return check_plan_csv(table, name, value, keys=[*id_columns, "period"])


def plan_parameters(config) -> tuple[pd.DataFrame | None, dict]:
    """The ``[plan]`` crosswalk (None without one) and the per-cell parameters.

    With a crosswalk the parameters belong to programmes, so their files are
    keyed by ``program`` and the cell keys; without one by the cell keys.
    Each parameter is a number or a checked table (:func:`plan_parameter`).
    """
    settings, keys = config.plan, list(config.data.keys)
    encoding = config.data.encoding
    crosswalk = None
    if settings.crosswalk is not None:  # places per programme: parameters keyed by program
        crosswalk = read_plan_csv(settings.crosswalk, "crosswalk", ["program", *keys],
                                  encoding=encoding)
    id_columns = ["program", *keys] if crosswalk is not None else keys
    params = {name: plan_parameter(getattr(settings, name), name, id_columns, encoding=encoding)
              for name in CELL_PARAMETERS}
    if not settings.free_places:
        check_free_places(params["cost_per_trainee"], settings.cost_per_trainee)
    return crosswalk, params


def check_free_places(cost, given) -> None:
    """A cost per place of 0 is an error unless ``[plan] free_places = true`` says it is meant.

    Places that cost nothing are not limited by the budget, and a blank
    cost read as 0 or a typo would fund them up to their capacity at no
    cost. ``cost`` is the checked parameter (a number or a table from
    :func:`plan_parameter`), ``given`` the setting (the CSV's name).

    Examples
    --------
    >>> check_free_places(0.0, 0.0)
    Traceback (most recent call last):
      ...
    talentgap.errors.ConfigError: [plan] cost_per_trainee = 0: a place that costs nothing ...
    """
    allow = ("; if places there really cost nothing (training paid from elsewhere), set "
             "[plan] free_places = true")
    if cost is None:
        return
    if not isinstance(cost, pd.DataFrame):
        if float(cost) == 0:
            raise ConfigError("[plan] cost_per_trainee = 0: a place that costs nothing is not "
                              "limited by the budget, so the plan would fund places up to the "
                              "capacities at no cost; give the cost of a place" + allow)
        return
    zero = np.flatnonzero(cost["cost_per_trainee"].to_numpy(dtype=float) == 0)
    if zero.size:
        keys = [c for c in cost.columns if c != "cost_per_trainee"]
        raise ConfigError(f"[plan] cost_per_trainee: {given}: column 'cost_per_trainee' must "
                          "be > 0 (a place that costs nothing is not limited by the budget; "
                          "a 0 is usually a value left blank or a typo); "
                          + _rows_words(cost, zero, keys, "cost_per_trainee",
                                        ["0"] * min(zero.size, _SHOWN)) + allow)


def plan_budget(value, *, encoding: str = "auto"):
    """``[plan] budget``: a number, or per year (``{"2026": money}`` or a CSV in ``encoding``).

    Examples
    --------
    >>> plan_budget({"2026": 1_000_000.0, "2027": 1_200_000.0})
      period     budget
    0   2026  1000000.0
    1   2027  1200000.0
    """
    if isinstance(value, dict):
        return pd.DataFrame({"period": list(value), "budget": list(value.values())})
    if isinstance(value, str):
        table = read_plan_csv(value, "budget", ["period"], encoding=encoding)
        if not {"period", "budget"} <= set(table.columns):
            raise ConfigError(f"[plan] budget: {value} needs columns 'period' and 'budget'; "
                              f"columns are {list(table.columns)}")
        return check_plan_csv(table, "budget", value, keys=["period"])
    return value


def budget_envelopes(path: str | None, id_columns: list[str], *,
                     encoding: str = "auto") -> pd.DataFrame | None:
    """``[plan] budget_envelopes``: money per group of cells, as ``POST /v1/plan`` takes it.

    The CSV has key columns (some of ``id_columns``, e.g. ``region``) naming
    each envelope's cells, ``budget`` and optionally ``period`` (a funding
    year: the envelope then limits that year only). Checked as the other
    plan files (:func:`check_plan_csv`): numbers >= 0, no other column, no
    two rows for the same cells (and year); a ``period`` left empty on some
    rows is refused, as the service refuses a period on some rows only.

    Examples
    --------
    >>> budget_envelopes(None, ["region", "industry"]) is None
    True
    """
    if path is None:
        return None
    name = "budget_envelopes"
    table = read_plan_csv(path, name, [*id_columns, "period"], encoding=encoding)
    if "budget" not in table.columns:
        raise ConfigError(f"[plan] {name}: {path} has no column 'budget'; columns are "
                          f"{list(table.columns)} (key columns such as region, then budget)")
    keys = [c for c in table.columns if c not in ("budget", "period")]
    if not keys:
        raise ConfigError(f"[plan] {name}: {path} needs key columns naming each envelope's "
                          f"cells (some of {', '.join(id_columns)}); columns are "
                          f"{list(table.columns)}")
    if "period" in table.columns:
        empty = np.flatnonzero(table["period"].isna().to_numpy())
        if empty.size:
            raise ConfigError(f"[plan] {name}: {path}: column 'period' must be given on every "
                              "row or on none; " + _rows_words(
                                  table, empty, keys, name, ["empty"] * empty.size))
    return check_plan_csv(table, name, path, keys=[*id_columns, "period"], column="budget")


def panel_absorption(config):
    """The absorption the supply of past training counts: a number, or a table per cell.

    ``[panel] absorption`` and ``[plan] absorption`` are one setting (see
    :mod:`talentgap.cli.config`), so the panel, the projections without a
    plan and an estimated exit rate count the same share of certified
    workers as the plan's places. A CSV is read as for the plan (keyed by
    the cells, or by ``program`` with ``[plan] crosswalk``); one that gives
    absorption by funding ``period`` is refused: past training has none.

    Examples
    --------
    >>> from talentgap.cli.config import Config
    >>> panel_absorption(Config.from_dict({"plan": {"absorption": 0.85}}))
    0.85
    """
    value = config.panel.absorption
    if not isinstance(value, str):
        return value
    keys = list(config.data.keys)
    id_columns = ["program", *keys] if config.plan.crosswalk is not None else keys
    table = plan_parameter(value, "absorption", id_columns, encoding=config.data.encoding)
    if "period" in table.columns:
        raise ConfigError(f"[plan] absorption: {value} has a 'period' column, but absorption "
                          "is one share per cell (or programme): the supply of past training "
                          "counts it too; drop the 'period' column")
    return table
