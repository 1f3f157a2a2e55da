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
from talentgap._frequencies import periods_per_year
from talentgap._numeric import number_hints, read_numbers
from talentgap.cli._supply_crosswalk import past_supply_crosswalk
from talentgap.errors import ConfigError, ParameterError, SchemaError, warn
from talentgap.features.coverage import coverage_error, fed_occupations, unfed_rows
from talentgap.features.crosswalk import crosswalk_target
from talentgap.features.supply import pass_rates
from talentgap.io import read_csv_file
from talentgap.planning._params import PARAMETER_RANGES
from talentgap.schema import describe_schema

__all__ = ["read_plan_csv", "check_plan_csv", "plan_parameter", "plan_parameters",
           "plan_crosswalk", "panel_crosswalk", "supply_crosswalk", "spread_of", "FROM_TRAINING",
           "check_employment_keys",
           "observed_pass_rate", "check_free_places", "plan_budget",
           "budget_envelopes", "panel_absorption"]

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
    crosswalk = plan_crosswalk(config)  # places per programme: parameters keyed by program
    id_columns = ["program", *keys] if crosswalk is not None else keys
    params = {name: plan_parameter(getattr(settings, name), name, id_columns, encoding=encoding)
              for name in CELL_PARAMETERS}
    if not settings.free_places:
        check_free_places(params["cost_per_trainee"], settings.cost_per_trainee)
    return crosswalk, params


def plan_crosswalk(config) -> pd.DataFrame | None:
    """The ``[plan] crosswalk`` table (None without one), its key columns read as text.

    The same table spreads the training output of a table by programme over
    the occupations of a panel keyed by ``occupation`` (see
    :func:`talentgap.features.build_panel`) and plans places per programme.

    Examples
    --------
    >>> from talentgap.cli.config import Config
    >>> plan_crosswalk(Config()) is None
    True
    """
    if config.plan.crosswalk is None:
        return None
    return read_plan_csv(config.plan.crosswalk, "crosswalk",
                         ["program", *config.data.keys], encoding=config.data.encoding)


def observed_pass_rate(training: pd.DataFrame | None, freq: str) -> tuple[float, str]:
    """The pass rate a plan assumes when ``[plan] pass_rate`` is not set, and why, in words.

    The certified share of the people trained over the training table's last
    year (its last period and the periods before it within one year), all
    cells and programmes pooled (:func:`talentgap.features.pass_rates` with
    no keys): recent cohorts say more of the exam a planned place meets than
    older ones, and one rate pooled over the cells does not rest on the few
    trainees of one cell (a rate per cell or programme is a ``[plan]
    pass_rate`` CSV). Without a training table, or with nobody trained in
    that year, the rate is 1.0 (every trainee certifies), and the words say so.

    Parameters
    ----------
    training : pandas.DataFrame or None
        The validated ``training`` table (``period`` as periods).
    freq : str
        The periods' frequency (``[data] freq``).

    Returns
    -------
    rate : float
    basis : str
        Where the rate comes from, for the report.

    Examples
    --------
    >>> training = pd.DataFrame({
    ...     "period": pd.PeriodIndex(["2023Q4", "2024Q1", "2024Q4"], freq="Q"),
    ...     "region": "N", "industry": "textiles", "trained": [100, 60, 40],
    ...     "certified": [90, 42, 27]})
    >>> rate, basis = observed_pass_rate(training, "Q")
    >>> round(rate, 4), basis
    (0.69, 'observed: 69 of the 100 people trained in 2024Q1–2024Q4 (the last year of the \
training table) certified')
    >>> observed_pass_rate(None, "Q")[0]
    1.0
    """
    if training is None or not len(training):
        return 1.0, ("assumed: every trainee certifies, as there is no training table to "
                     "observe a pass rate in")
    periods = pd.PeriodIndex(training["period"])
    last = periods.max()
    recent = periods.asi8 > last.ordinal - periods_per_year(freq)
    pooled = pass_rates(training[recent], keys=(), freq=freq)
    trained, certified = int(pooled["trained"].sum()), int(pooled["certified"].sum())
    first = periods[recent].min()
    span = str(last) if first == last else f"{first}–{last}"
    if trained == 0:
        return 1.0, (f"assumed: every trainee certifies, as nobody is trained in {span} "
                     "(the last year of the training table)")
    return certified / trained, (f"observed: {certified:,} of the {trained:,} people trained "
                                 f"in {span} (the last year of the training table) certified")


def panel_crosswalk(tables: dict, config, report=None) -> pd.DataFrame | None:
    """The ``[plan] crosswalk`` where the panel needs it, after checking it covers the demand.

    A ``program, occupation, share`` crosswalk with ``occupation`` among
    ``[data] keys`` names the programmes that train for each occupation: a
    survey row with vacancies for an occupation it does not name is refused
    (rule ``not_in_crosswalk``, :mod:`talentgap.features.coverage`, with the
    row's line in its file), as no plan could meet them. When the training
    table has no column of the crosswalk's target (training by programme),
    the panel spreads each row's output over the programme's occupations
    (:func:`talentgap.features.build_panel` with ``crosswalk``); a training
    table that names them keeps its own. A ``program, industry, share``
    crosswalk spreads the output of the past training of the programmes it
    names as it spreads their new places: their recorded industry is
    replaced by the industries they feed; other programmes keep theirs
    (:func:`talentgap.cli._supply_crosswalk.past_supply_crosswalk`).
    Otherwise None: the crosswalk only plans places per programme. The
    table returned is :func:`supply_crosswalk`'s.
    """
    crosswalk = plan_crosswalk(config)
    if crosswalk is None or crosswalk_target(crosswalk) not in config.data.keys:
        return None
    target = crosswalk_target(crosswalk)
    surveys = tables["surveys"]
    if target == "occupation" and "occupation" in surveys.columns:
        unfed = unfed_rows(surveys, fed_occupations(crosswalk))
        if unfed.any():
            rows = np.flatnonzero(unfed)
            lines = _input_lines(surveys, report)
            where = config.data.surveys or "the demo surveys"
            error = coverage_error(np.asarray(surveys["occupation"].iloc[rows], dtype=object),
                                   lines[rows], rows, table=f"surveys ({where})")
            raise SchemaError(f"{error}; [plan] crosswalk ({config.plan.crosswalk}) names the "
                              "programmes that train for each occupation: add a row for each "
                              "occupation above (program, occupation, share), or correct its "
                              "code in the surveys", column=error.column, reason=error.reason,
                              failure_cases=error.failure_cases)
    return _past_crosswalk(crosswalk, tables.get("training"), config)


def supply_crosswalk(tables: dict, config) -> pd.DataFrame | None:
    """The crosswalk the output of past training is split by, as the panel's supply is.

    The table :func:`panel_crosswalk` passes to the panel (None: each
    training row keeps its recorded cell), for the other readers of past
    training's output, such as the stock inflows of ``[targets]``
    (:func:`talentgap.features.stock_pipeline`,
    :func:`talentgap.planning.pipeline_by_level`), so that they credit the
    industries the supply and the plan's places do.
    """
    crosswalk = plan_crosswalk(config)
    if crosswalk is None or crosswalk_target(crosswalk) not in config.data.keys:
        return None
    return _past_crosswalk(crosswalk, tables.get("training"), config)


#: Default of a ``spread`` argument: :func:`supply_crosswalk` read from the training table.
FROM_TRAINING = "from the training table"


def spread_of(spread, training: pd.DataFrame | None, config) -> pd.DataFrame | None:
    """``spread`` (a run's :func:`supply_crosswalk`, computed once and passed), or with
    :data:`FROM_TRAINING` that of ``training``."""
    if isinstance(spread, str):
        return supply_crosswalk({"training": training}, config)
    return spread


def _past_crosswalk(crosswalk: pd.DataFrame, training: pd.DataFrame | None,
                    config) -> pd.DataFrame | None:
    """The checked ``[plan] crosswalk`` as past training's output is split by it, or None."""
    target = crosswalk_target(crosswalk)
    if target == "industry":  # a programme's recorded industry is replaced, as for places
        return past_supply_crosswalk(crosswalk, training, config.plan.crosswalk)
    return crosswalk if training is not None and target not in training.columns else None


def _input_lines(table: pd.DataFrame, report=None) -> np.ndarray:
    """Each row's line in its input file: from its data-quality report (the reader's line
    numbers, by row label), else its position + 2 (a header line, no blank lines)."""
    keys = getattr(report, "row_keys", None)
    if keys is not None and "line" in keys.columns and table.index.isin(keys.index).all():
        return keys["line"].reindex(table.index).to_numpy(dtype=np.int64)
    return np.arange(len(table), dtype=np.int64) + 2


def check_employment_keys(employment: pd.DataFrame | None, config) -> None:
    """An employment table without a column of ``[data] keys``: a ConfigError saying what
    the run needs (the panel's employment and ``[targets]`` are counted per cell).

    An employment table has no ``occupation`` column (its schema,
    :func:`talentgap.schema.describe_schema`): a run keyed by occupation plans
    against the surveyed gap without it, or against targets by the other keys.

    Examples
    --------
    >>> from talentgap.cli.config import Config
    >>> config = Config.from_dict({"data": {"keys": ["region", "industry", "occupation"]}})
    >>> employment = pd.DataFrame(columns=["period", "region", "industry", "employment"])
    >>> check_employment_keys(employment, config)
    Traceback (most recent call last):
      ...
    talentgap.errors.ConfigError: [data] employment (the demo employment table) has no column \
'occupation', which [data] keys ['region', 'industry', 'occupation'] name, ...
    """
    keys = list(config.data.keys)
    missing = [] if employment is None else [k for k in keys if k not in employment.columns]
    if not missing:
        return
    rest = [k for k in keys if k not in missing]
    named = ", ".join(map(repr, missing))
    possible = set(describe_schema("employment")["column"])
    start = (f"[data] employment ({config.data.employment or 'the demo employment table'}) "
             f"has no column {named}, which [data] keys {keys} name, and employment is "
             "counted per cell (the panel's employment, the skilled shares and the policy need "
             "of [targets])")
    without = (f"plan by {', '.join(rest)} ([data] keys without {', '.join(missing)}), or "
               "leave [data] employment and [targets] out to plan against the surveyed gap "
               "alone")
    impossible = [k for k in missing if k not in possible]
    if impossible:
        raise ConfigError(f"{start}; an employment table is by period, region, industry and "
                          f"optionally skill_level, never by {', '.join(impossible)}: "
                          + without)
    raise ConfigError(f"{start}; give a row per period and cell, with columns period, "
                      f"{', '.join(keys)}, employment (it has "
                      f"{', '.join(str(c) for c in employment.columns)}), or " + without)


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
