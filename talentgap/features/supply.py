"""Training supply: certified workers who become available to a cell in a period.

A training cohort of ``trained`` people in period ``t`` yields ``certified``
people who pass the skill-certification exam. A share ``a`` of them (the
*absorption*: graduates who stay in the cell and take jobs there) becomes
available ``L`` periods later (the *lead time*), so the cohort adds

``supply = certified * a``  at period  ``t + L``

to its cell. Lead times and absorption may be one number or a table per
cell or programme. A *crosswalk* splits a programme's output over the
industries it feeds, ``supply_j = certified * share_j * a_j``.

Supply counts the certified workers who enter the cell's set of skill levels
from outside it. A cohort of *upgrade training* (a ``from_level``: workers
who held a certificate before) enters the level it leads to, so a cell keyed
by ``skill_level`` counts it; a cell without a level key holds every level,
and an upgrade from a skilled level moves a worker who already held a skilled
job there, so it counts only cohorts whose ``from_level`` is blank or a level
declared unskilled (:func:`upgrades_within`).

Pass rates pooled over periods, ``sum(certified) / sum(trained)``, can be
shrunk toward the overall rate ``p0`` with a beta prior of ``k``
pseudo-trainees, ``(certified + k*p0) / (trained + k)``: the posterior mean
of the beta-binomial model (Gelman et al., *Bayesian Data Analysis*, 3rd ed.,
2013, sec. 2.4 and 5.3).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._arguments import check_count, key_list
from talentgap._words import count_words, lines_text, rows_fail
from talentgap.errors import ParameterError, SchemaError
from talentgap.features._groups import group_rows, group_sum
from talentgap.features._inputs import canonical_table
from talentgap.features._upgrades import label_new_trainees, upgrades_within
from talentgap.features.crosswalk import check_crosswalk, crosswalk_target
from talentgap.schema import get_schema

__all__ = ["training_supply", "pass_rates", "upgrades_within"]

_MAX_SHOWN = 5
#: Columns the supply reads besides the keys, with their role: no key may name one.
_READ = {"trained": "a count column", "certified": "a count column",
         "enrolled": "a count column", "share": "the crosswalk's share column",
         "lead_time": "the lead-time column", "absorption": "the absorption column"}


# --------------------------------------------------------------------------- helpers


def _label(columns: Sequence[str], values: Sequence) -> str:
    """``region='North', industry='textiles'``."""
    return ", ".join(f"{c}={v!r}" for c, v in zip(columns, values, strict=True))


def _cells_text(cells: pd.DataFrame, columns: Sequence[str]) -> str:
    """The first few cells of a table, for messages: ``region='North', ...; ...``."""
    return "; ".join(_label(columns, row)
                     for row in cells.head(_MAX_SHOWN).itertuples(index=False))


def _value(value) -> object:
    """Plain Python scalar for messages (``np.str_('a')`` -> ``'a'``)."""
    return value.item() if isinstance(value, np.generic) else value


def _cell_rows(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """A new frame with the columns the supply needs; every key column categorical.

    ``table`` may be the caller's frame (canonical tables are passed through),
    so it is only read.
    """
    missing = [k for k in keys if k not in table.columns]
    if missing:
        raise ParameterError(
            f"keys {missing} are not columns of the training table; "
            f"columns are {list(table.columns)}"
        )
    schema_keys = get_schema("training").keys
    wanted = list(dict.fromkeys(
        [*keys, *(c for c in schema_keys if c in table.columns),
         "period", "trained", "certified"]
    ))
    rows = table[wanted].reset_index(drop=True)  # a new frame (copy-on-write)
    for key in keys:
        if key == "from_level":  # blank = new trainees: a cell of their own
            rows[key] = label_new_trainees(rows[key])
        blank = rows[key].isna().to_numpy()
        if blank.any():
            lines = np.flatnonzero(blank)[:_MAX_SHOWN] + 2
            raise SchemaError(
                f"key column {key!r} must not be missing; {rows_fail(int(blank.sum()))}, "
                f"e.g. {lines_text(lines)}",
                column=key, reason="missing_value",
            )
        if not isinstance(rows[key].dtype, pd.CategoricalDtype):
            rows[key] = pd.Categorical(rows[key])
    return rows


def _check_scalar_lead_time(value) -> int:
    if isinstance(value, numbers.Real):  # the whole-number rule: 1.0 and True are refused
        return check_count(value, "lead_time", minimum=0,
                           detail=" (periods) or a DataFrame with key columns and a "
                                  "'lead_time' column")
    raise ParameterError(
        "lead_time must be a whole number of periods (int >= 0) or a DataFrame with "
        f"key columns and a 'lead_time' column, got {value!r}"
    )


def _check_scalar_absorption(value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterError(
            "absorption must be a number in [0, 1] or a DataFrame with key columns and an "
            f"'absorption' column, got {value!r}"
        )
    if not (np.isfinite(value) and 0.0 <= value <= 1.0):
        raise ParameterError(f"absorption == {value!r}, must be in [0, 1]")
    return float(value)


def _table_label(table: pd.DataFrame, name: str) -> str:
    """How messages name a per-cell table: ``attrs["source"]`` (e.g. the setting and file it
    was read from), else ``the <name> table``."""
    source = table.attrs.get("source")
    return str(source) if source else f"the {name} table"


def _table_rows(table: pd.DataFrame, rows: np.ndarray, key_columns: list[str]) -> list[str]:
    """Rows of a per-cell table for messages: ``line 3 (program='sewing')`` when
    ``attrs["line_numbers"]`` holds each row's input line, else ``row 'x' (...)``."""
    lines = table.attrs.get("line_numbers")
    known = lines is not None and len(lines) == len(table)
    return [f"{f'line {int(lines[i])}' if known else f'row {_value(table.index[i])!r}'} "
            f"({_label(key_columns, table[key_columns].iloc[i])})" for i in rows]


def _check_per_cell_values(table: pd.DataFrame, name: str, key_columns: list[str]) -> np.ndarray:
    """The ``name`` column of a per-cell table as float, every row checked."""
    raw = table[name]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        if name == "lead_time":
            ok = np.isfinite(values) & (values >= 0) & (values == np.round(values))
            rule = "must be a whole number of periods >= 0"
        else:
            ok = np.isfinite(values) & (values >= 0) & (values <= 1)
            rule = "must be in [0, 1]"
    if ok.all():
        return values
    bad = np.flatnonzero(~ok)[:_MAX_SHOWN]
    shown = "; ".join(f"{where}: {name} == {_value(raw.iloc[i])!r}"
                      for where, i in zip(_table_rows(table, bad, key_columns), bad,
                                          strict=True))
    raise ParameterError(
        f"{_table_label(table, name)}: {count_words(int((~ok).sum()), 'row')} out of range "
        f"({name} {rule}): {shown}"
    )


def _per_row(rows: pd.DataFrame, table: pd.DataFrame, name: str) -> np.ndarray:
    """Look up a per-cell parameter table for every row of ``rows``.

    The table's key columns are all its columns but ``name``; each must be a
    key column of ``rows``. Rows whose cell is absent raise, naming the cells.
    Messages name the table by ``attrs["source"]`` and its rows by
    ``attrs["line_numbers"]`` when the caller set them (the file a setting
    names, and each row's line in it).
    """
    label = _table_label(table, name)
    if name not in table.columns:
        raise ParameterError(
            f"{label} needs a {name!r} column; it has {list(table.columns)}"
        )
    key_columns = [c for c in table.columns if c != name]
    allowed = [c for c in rows.columns if isinstance(rows[c].dtype, pd.CategoricalDtype)]
    if not key_columns:
        raise ParameterError(
            f"{label} has no key columns; give one or more of {allowed} next to "
            f"{name!r}, or pass a single number"
        )
    unknown = [c for c in key_columns if c not in allowed]
    if unknown:
        example = f", e.g. {_table_rows(table, [0], key_columns)[0]}" if len(table) else ""
        raise ParameterError(
            f"{label}: columns {unknown} are not key columns of the training table "
            f"(after any crosswalk), so its rows match no training row; use columns from "
            f"{allowed}{example}"
        )
    if len(table) == 0:
        raise ParameterError(f"{label} has no rows")
    values = _check_per_cell_values(table, name, key_columns)
    repeated = table.duplicated(subset=key_columns, keep=False).to_numpy()
    if repeated.any():
        cells = table.loc[repeated, key_columns].drop_duplicates()
        shown = "; ".join(_table_rows(table, np.flatnonzero(repeated)[:_MAX_SHOWN],
                                      key_columns))
        raise ParameterError(
            f"{label} has more than one row for {len(cells)} "
            f"{'cell' if len(cells) == 1 else 'cells'} (each {'/'.join(key_columns)} must "
            f"have one {name}): {shown}"
        )
    # integer codes of the table's keys in the training table's categories (-1: not there)
    table_codes = [rows[c].cat.categories.get_indexer(np.asarray(table[c], dtype=object))
                   for c in key_columns]
    usable = np.logical_and.reduce([code >= 0 for code in table_codes])
    index = pd.MultiIndex.from_arrays([code[usable] for code in table_codes])
    row_codes = [rows[c].cat.codes.to_numpy() for c in key_columns]
    position = index.get_indexer(pd.MultiIndex.from_arrays(row_codes))
    absent = position < 0
    if absent.any():
        cells = rows.loc[absent, key_columns].drop_duplicates()
        shown = _cells_text(cells, key_columns)
        raise ParameterError(
            f"{label} has no row for {len(cells)} "
            f"{'cell' if len(cells) == 1 else 'cells'} of the training table "
            f"({count_words(int(absent.sum()), 'training row')}): every training row needs "
            f"the {name} of its {'/'.join(key_columns)}, e.g. {shown}"
        )
    return values[usable][position]


def _sorted_labels(values: pd.Index) -> pd.Index:
    try:
        return values.sort_values()
    except TypeError:  # mixed types: order by their text
        return values[np.argsort(values.astype(str))]


def _apply_crosswalk(rows: pd.DataFrame, cw: pd.DataFrame,
                     target: str = "industry") -> tuple[pd.DataFrame, np.ndarray]:
    """One row per training row and industry (occupation) it feeds; the rows and their shares."""
    if "program" not in rows.columns:
        raise ParameterError(
            f"a crosswalk maps programmes to {target} values, so the training table needs a "
            "'program' column"
        )
    programs = rows["program"].cat.categories
    cw_program = pd.Index(programs).get_indexer(cw["program"].to_numpy())
    cw = cw[cw_program >= 0]  # programmes not trained here are ignored
    cw_program = cw_program[cw_program >= 0]
    order = np.argsort(cw_program, kind="stable")
    cw, cw_program = cw.iloc[order], cw_program[order]
    per_program = np.bincount(cw_program, minlength=len(programs))
    first = np.cumsum(per_program) - per_program

    row_program = rows["program"].cat.codes.to_numpy()
    fan_out = per_program[row_program]
    if (fan_out == 0).any():
        absent = pd.unique(rows["program"].to_numpy()[fan_out == 0])
        shown = ", ".join(repr(_value(p)) for p in absent[:_MAX_SHOWN])
        raise ParameterError(
            f"{len(absent)} training programme{'s' if len(absent) != 1 else ''} missing from "
            f"the crosswalk: {shown}"
        )
    source = np.repeat(np.arange(len(rows)), fan_out)
    within = np.arange(source.size) - np.repeat(np.cumsum(fan_out) - fan_out, fan_out)
    cw_row = first[row_program][source] + within

    own = rows[target].cat if target in rows.columns else None
    industry = own.categories if own is not None else pd.Index([], dtype=object)
    new = pd.Index(pd.unique(cw[target].to_numpy()), dtype=object)
    categories = industry.append(_sorted_labels(new[~new.isin(industry)]))
    dtype = pd.CategoricalDtype(categories, ordered=own is not None and own.ordered)
    out = rows.iloc[source].reset_index(drop=True)
    out[target] = pd.Categorical(cw[target].to_numpy()[cw_row], dtype=dtype)
    return out, cw["share"].to_numpy()[cw_row]


# --------------------------------------------------------------------------- public API


def training_supply(
    training: pd.DataFrame,
    *,
    keys: Sequence[str] = ("region", "industry"),
    freq: str | None = None,
    lead_time: int | pd.DataFrame = 0,
    absorption: float | pd.DataFrame = 1.0,
    crosswalk: pd.DataFrame | None = None,
    skill_levels=None,
) -> pd.DataFrame:
    """Certified workers who become available to each cell, per period.

    Each training row (a programme's cohort certified in period ``t``, its
    ``period``) contributes
    ``certified * absorption`` workers to its cell at period ``t + lead_time``
    (pandas ``Period`` arithmetic: ``Period("2024Q4") + 1 == Period("2025Q1")``).
    Supply counts the certified who enter the cell's set of skill levels from
    outside it: a cell keyed by ``skill_level`` counts upgrade training into
    its level; a cell without a level key leaves out upgrade training between
    skilled levels (a ``from_level`` that is not blank and not declared
    unskilled, :func:`upgrades_within`), whose workers already hold jobs in
    the cell. Such a cohort adds nothing to ``trained``, ``certified``,
    ``supply`` or ``n_programs``.

    Parameters
    ----------
    training : pandas.DataFrame
        The ``training`` table (``period, region, industry, trained,
        certified``; optional ``program``, ``skill_level``, ``enrolled``).
        A validated table is used as is; any other frame is validated first,
        and a :class:`~talentgap.errors.SchemaError` lists its problems. The
        frame is never modified.
    keys : sequence of str, default ("region", "industry")
        Columns defining a cell (e.g. add ``"skill_level"``, or use
        ``("region", "program")``). Not ``period`` or a count column. With
        ``"from_level"`` as a key, the rows with a blank ``from_level`` (new
        trainees) form the cells labelled ``"new trainees"``.
    freq : {"Y", "Q", "M"}, optional
        Period frequency for parsing raw period labels.
    lead_time : int or pandas.DataFrame, default 0
        Periods between the training period and the period the certified
        workers become available (>= 0). A DataFrame gives one lead time per
        cell or programme: its ``lead_time`` column holds whole numbers >= 0
        and every other column is a key matched against the training rows
        (any of ``keys``, ``program``, ``skill_level``, ``region``,
        ``industry``). Errors name the table by its ``attrs["source"]``
        (e.g. the setting and file it was read from) and its rows by
        ``attrs["line_numbers"]`` when they are set.
    absorption : float or pandas.DataFrame, default 1.0
        Share (0-1) of certified graduates who stay in the cell and take jobs
        there. A DataFrame gives one share per cell or programme, with an
        ``absorption`` column and key columns as for ``lead_time``.
    crosswalk : pandas.DataFrame, optional
        Columns ``program, industry, share``: the industries each programme
        feeds and the share (>= 0) of its output going to each; the shares of
        a programme sum to 1 (checked by
        :func:`talentgap.features.crosswalk.check_crosswalk`). When given,
        each training row's output is split over the crosswalk's industries,
        and **the row's own ``industry`` is replaced** by them (a programme
        recorded under ``textiles`` that feeds ``clothing_and_shoes`` only
        counts for ``clothing_and_shoes``). A ``program, occupation, share``
        crosswalk does the same for occupations: each row's output is split
        over the occupations its programme trains for, for a supply keyed by
        ``occupation`` (the training table needs no ``occupation`` column).
        Per-cell ``lead_time`` and ``absorption`` tables keyed by
        ``industry`` are then matched on the industries fed. Industries not
        in the training table's categories are appended to them. Needs a
        ``program`` column; crosswalk rows with share 0 and programmes that
        are not trained are ignored.
    skill_levels : SkillLevels or sequence of str, optional
        The declared levels. Only the levels declared ``unskilled`` matter:
        upgrade training from one of them (from no certificate to a skilled
        level) is new supply to a cell without a level key. Without them
        every non-blank ``from_level`` is an upgrade between skilled levels.

    Returns
    -------
    pandas.DataFrame
        One row per cell and period in which some cohort's output becomes
        available, sorted by ``keys`` then ``period`` (cell-periods with no
        arriving cohort are absent, not zero). Columns:

        ``<keys>``, ``period``
            The cell (categorical) and the period the supply becomes
            available, i.e. training period + lead time.
        ``trained``, ``certified``
            People trained and certified in the cohorts whose output arrives
            in this period (these cohorts' training periods may differ when
            lead times differ by programme). Float: a crosswalk splits people
            by share.
        ``pass_rate``
            ``certified / trained`` (0-1; NaN where ``trained == 0``).
        ``supply``
            ``sum(certified * share * absorption)`` (persons, float).
        ``n_programs``
            Distinct programmes contributing (training rows when the table
            has no ``program`` column).

    Raises
    ------
    SchemaError
        If the table breaks the ``training`` schema, or the crosswalk is not
        a sound ``program, industry, share`` table (a missing value, a share
        that is negative or not a number, a repeated programme-industry pair,
        or a programme's shares not summing to 1; naming the rows).
    ParameterError
        If a key is not a column; ``lead_time`` is negative or not whole;
        ``absorption`` is outside [0, 1] (naming the table row); a per-cell
        table lacks a cell or programme of the training table (naming it) or
        has two rows for one; or a trained programme is missing from the
        crosswalk.

    Examples
    --------
    >>> import pandas as pd
    >>> training = pd.DataFrame({
    ...     "period": ["2024Q3", "2024Q4", "2024Q4"], "region": ["North"] * 3,
    ...     "industry": ["textiles", "textiles", "construction"],
    ...     "program": ["sewing", "sewing", "welding"],
    ...     "trained": [100, 50, 40], "certified": [80, 30, 20]})
    >>> out = training_supply(training, lead_time=1, absorption=0.5)
    >>> out[["industry", "period", "certified", "supply"]]
           industry  period  certified  supply
    0  construction  2025Q1       20.0    10.0
    1      textiles  2024Q4       80.0    40.0
    2      textiles  2025Q1       30.0    15.0

    Per-programme lead times and a crosswalk sending 70% of the welders to
    construction and 30% to general equipment:

    >>> lead = pd.DataFrame({"program": ["sewing", "welding"], "lead_time": [1, 2]})
    >>> crosswalk = pd.DataFrame({
    ...     "program": ["sewing", "welding", "welding"],
    ...     "industry": ["textiles", "construction", "general_equipment"],
    ...     "share": [1.0, 0.7, 0.3]})
    >>> out = training_supply(training, lead_time=lead, crosswalk=crosswalk)
    >>> out[["industry", "period", "supply", "n_programs"]]
                industry  period  supply  n_programs
    0       construction  2025Q2    14.0           1
    1           textiles  2024Q4    80.0           1
    2           textiles  2025Q1    30.0           1
    3  general_equipment  2025Q2     6.0           1

    (``general_equipment`` is new to the table, so it is appended after the
    training table's industries.)
    """
    keys = key_list(keys, distinct=True, strings=True, time="period", reserved=_READ)
    if not isinstance(lead_time, pd.DataFrame):
        lead_time = _check_scalar_lead_time(lead_time)
    if not isinstance(absorption, pd.DataFrame):
        absorption = _check_scalar_absorption(absorption)
    target = crosswalk_target(crosswalk)
    cw = None if crosswalk is None else check_crosswalk(crosswalk, target=target)

    table = canonical_table(training, "training", freq=freq)
    fed = cw is not None and target not in table.columns  # the crosswalk supplies the column
    rows = _cell_rows(table, [k for k in keys if not (fed and k == target)])
    moved = upgrades_within(table, keys=keys, skill_levels=skill_levels)
    if moved.any():  # workers already in the cell: their cohorts count as no supply
        rows = rows.assign(trained=np.where(moved, 0, rows["trained"]),
                           certified=np.where(moved, 0, rows["certified"]), _moved=moved)
    if cw is None:
        share = np.ones(len(rows))
    else:
        rows, share = _apply_crosswalk(rows, cw, target)

    if isinstance(lead_time, pd.DataFrame):
        lead = _per_row(rows, lead_time, "lead_time").astype(np.int64)
    else:
        lead = np.full(len(rows), lead_time, dtype=np.int64)
    if isinstance(absorption, pd.DataFrame):
        absorbed = _per_row(rows, absorption, "absorption")
    else:
        absorbed = np.full(len(rows), absorption)

    period = rows["period"]
    arrival = pd.arrays.PeriodArray(period.array.asi8 + lead, dtype=period.dtype)
    cells = pd.DataFrame({**{k: rows[k] for k in keys}, "period": arrival})
    groups = group_rows(cells, [*keys, "period"])
    codes, n_groups = groups.codes, groups.n_groups

    trained = group_sum(codes, n_groups, rows["trained"].to_numpy(dtype=np.float64) * share)
    certified_share = rows["certified"].to_numpy(dtype=np.float64) * share
    certified = group_sum(codes, n_groups, certified_share)
    supply = group_sum(codes, n_groups, certified_share * absorbed)
    counted = ~rows["_moved"].to_numpy() if "_moved" in rows.columns else slice(None)
    if "program" in rows.columns:
        cells["program"] = rows["program"]
        by_program = group_rows(cells[counted], [*keys, "period", "program"])
        group_of = np.empty(by_program.n_groups, dtype=np.int64)
        group_of[by_program.codes] = codes[counted]
        n_programs = np.bincount(group_of, minlength=n_groups)
    else:
        n_programs = np.bincount(codes[counted], minlength=n_groups)

    out = groups.frame
    out["trained"] = trained
    out["certified"] = certified
    with np.errstate(invalid="ignore", divide="ignore"):
        out["pass_rate"] = np.where(trained > 0, certified / trained, np.nan)
    out["supply"] = supply
    out["n_programs"] = n_programs.astype(np.int64)
    return out


def pass_rates(
    training: pd.DataFrame,
    *,
    keys: Sequence[str] = ("region", "industry"),
    prior_strength: float = 0.0,
    freq: str | None = None,
) -> pd.DataFrame:
    """Certification pass rates per cell, pooled over periods, optionally shrunk.

    The raw rate of cell ``c`` is ``p_c = C_c / T_c`` with ``C_c`` and
    ``T_c`` the certified and trained totals over all periods. With
    ``prior_strength = k > 0`` the rate is the posterior mean under a
    ``Beta(k*p0, k*(1-p0))`` prior centred on the overall rate
    ``p0 = sum(C) / sum(T)``:

    ``pass_rate_c = (C_c + k*p0) / (T_c + k)``,

    i.e. the prior counts as ``k`` pseudo-trainees who pass at the overall
    rate, so cells with few trainees move toward ``p0`` and large cells keep
    their own rate (beta-binomial model; Gelman et al., *Bayesian Data
    Analysis*, 3rd ed., 2013, sec. 2.4).

    Parameters
    ----------
    training : pandas.DataFrame
        The ``training`` table (validated first unless already canonical;
        never modified).
    keys : sequence of str, default ("region", "industry")
        Columns defining a cell; ``("program",)`` gives per-programme rates,
        ``("from_level",)`` the rates of upgrade training by the level held
        before, with new trainees (blank ``from_level``) labelled
        ``"new trainees"``. An empty sequence gives the overall rate.
    prior_strength : float, default 0.0
        ``k``, the prior's weight in pseudo-trainees (>= 0); 0 returns the
        raw rates.
    freq : {"Y", "Q", "M"}, optional
        Period frequency for parsing raw period labels.

    Returns
    -------
    pandas.DataFrame
        One row per cell present, sorted by ``keys``: ``<keys>``
        (categorical), ``trained``, ``certified`` (int64 totals over all
        periods), ``raw_pass_rate`` (``C/T``, NaN where ``T == 0``) and
        ``pass_rate`` (the shrunk rate; equal to ``raw_pass_rate`` when
        ``prior_strength == 0``; ``p0`` where ``T == 0`` and ``k > 0``).

    Raises
    ------
    SchemaError
        If the table breaks the ``training`` schema.
    ParameterError
        If a key is not a column or ``prior_strength`` is negative or not finite.

    Examples
    --------
    >>> import pandas as pd
    >>> training = pd.DataFrame({
    ...     "period": ["2024", "2025", "2024"], "region": ["North"] * 3,
    ...     "industry": ["textiles", "textiles", "welding"],
    ...     "trained": [60, 40, 10], "certified": [45, 35, 2]})
    >>> pass_rates(training)[["industry", "trained", "certified", "pass_rate"]]
       industry  trained  certified  pass_rate
    0  textiles      100         80        0.8
    1   welding       10          2        0.2

    With 10 pseudo-trainees at the overall rate ``82/110``:

    >>> pass_rates(training, prior_strength=10)["pass_rate"].round(4).tolist()
    [0.7951, 0.4727]
    """
    keys = key_list(keys, distinct=True, strings=True, time="period", reserved=_READ)
    if (isinstance(prior_strength, bool) or not isinstance(prior_strength, numbers.Real)
            or not np.isfinite(prior_strength) or prior_strength < 0):
        raise ParameterError(
            f"prior_strength == {prior_strength!r}, must be a finite number >= 0 "
            "(pseudo-trainees)"
        )
    table = canonical_table(training, "training", freq=freq)
    rows = _cell_rows(table, keys)
    groups = group_rows(rows, keys)
    codes, n_groups = groups.codes, groups.n_groups
    trained = group_sum(codes, n_groups, rows["trained"].to_numpy(dtype=np.float64))
    certified = group_sum(codes, n_groups, rows["certified"].to_numpy(dtype=np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = np.where(trained > 0, certified / trained, np.nan)
        total = trained.sum()
        overall = certified.sum() / total if total > 0 else np.nan
        k = float(prior_strength)
        shrunk = raw if k == 0 else (certified + k * overall) / (trained + k)

    out = groups.frame if keys else pd.DataFrame(index=pd.RangeIndex(n_groups))
    out["trained"] = trained.astype(np.int64)
    out["certified"] = certified.astype(np.int64)
    out["raw_pass_rate"] = raw
    out["pass_rate"] = shrunk
    return out
