"""Survey estimates from a partitioned (Dask) surveys table, without gathering its rows.

:func:`talentgap.features.estimate_cells` and
:func:`talentgap.features.build_panel` hand a Dask DataFrame (for example
``dask.dataframe.read_parquet`` over a folder of Parquet files) to this
module. The rows stay on the workers:

1. every row is tagged with its input partition and its position there;
2. the table is shuffled by ``enterprise_id``, so all rows of an enterprise
   (every period, every detail row of the long form) sit in one partition:
   the uniqueness of ``enterprise_id, period`` (and detail columns), the
   rule that enterprise-level columns are equal within an
   enterprise-period, and the merging of the detail rows of an
   enterprise-period within a cell are then exact per partition;
3. each partition is put back in the table's row order, validated and
   reduced to sufficient statistics per cell-period: the count of
   respondents ``n``, the sums ``S_u`` of the weighted values
   ``u in (w, w*s, w*e, w*v, w*h)`` (weight, shortage report, employees,
   vacancies, hard-to-fill) and their centred cross products
   ``C_uv = sum((u - S_u/n) (v - S_v/n))``;
4. the partial statistics are combined in a tree on the workers, exactly
   and stably (Chan, Golub & LeVeque 1983, for any number of parts):
   ``n = sum_p n_p``, ``S = sum_p S_p`` and
   ``C_uv = sum_p C_p,uv + sum_p n_p (m_p,u - m_u) (m_p,v - m_v)`` with
   ``m = S / n``. Only one row per cell-period (and partition) travels.

The estimates follow from these statistics as in
:mod:`talentgap.features.survey` (each cell-period its own stratum, sampled
with replacement): ``V(T_u) = n/(n-1) C_uu`` for a total and, for a ratio
``R = S_y / S_x``, ``V(R) = n/(n-1) (C_yy - 2 R C_xy + R^2 C_xx) / S_x^2``
(the linearised scores sum to zero, so their centred and raw second moments
agree). Centred moments keep full precision when the values are large and
their spread small.

With a sampling design (:class:`~talentgap.features.SurveyDesign`) the
shuffle is by PSU (by enterprise without PSUs), so each partition holds whole
PSUs, and the domain variances come from per-partition sums per domain x
stratum (see :mod:`talentgap.features._distributed_design`). With a PSU
column, an enterprise-period filed under two different PSUs lands in two
partitions; a second, narrow shuffle by enterprise (enterprise, period, PSU
and the row's position only) finds it and the error names the enterprise, the
PSUs and each row's partition and row (rule ``enterprise_in_two_psus``).

Errors and warnings name the rows as the pandas path does, by their line in
the whole table and their label, followed by the input partition and row
(see :mod:`talentgap.features._distributed_failures`). Design rules that
need every row of a stratum (population counts, lonely PSUs) are judged
on the combined sums; only when one is broken does a second pass over the
partitions find the stratum's rows to name.

Dask is an optional dependency (``pip install talentgap[dask]``); it is
imported only when a Dask frame arrives.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from talentgap.errors import (
    DataQualityWarning,
    ParameterError,
    SchemaError,
    collect_warnings,
    warn,
)
from talentgap.features._distributed_design import design_errors, design_partial, stratum_rows
from talentgap.features._distributed_failures import (
    BASE,
    LINE,
    Lines,
    coverage_failures,
    failures,
    last_rows,
    mark_text,
    merge_values,
    pool,
    raise_failures,
    summarise_values,
    tag,
    value_rows,
)
from talentgap.features._groups import group_rows
from talentgap.features._variance import ratio_variance, snap_noise, variance_factor
from talentgap.features.codes import verify_codes
from talentgap.features.coverage import fed_occupations
from talentgap.features.crosswalk import crosswalk_target
from talentgap.features.design import _RULES as _DESIGN_RULES
from talentgap.features.design import SurveyDesign
from talentgap.features.skill_levels import skill_levels_of, skilled_employment
from talentgap.periods import normalize_freq, parse_periods
from talentgap.schema import DETAIL_COLUMNS, get_schema, validate

__all__ = ["is_dask_frame", "estimate_partitions", "panel_from_partitions"]

#: Weighted values whose sums and centred cross products are kept per cell-period.
VALUES = ("w", "s", "e", "v", "h")
#: Cross products needed by the totals and the three ratios (``sw``: shortage x weight).
PAIRS = ("ww", "ss", "sw", "ee", "vv", "hh", "ev", "hv")
#: Rules other than the schema's, in words: the design's and the partitioned path's own.
_RULES = {**_DESIGN_RULES, "enterprise_in_two_psus": "must be one PSU per enterprise and period"}
_FAN_IN = 8  # partial results combined per tree node
_MAX_NOTES = 20  # data-quality warnings relayed from the partitions
_LINE = LINE  # the code (input partition and row) of every row
_tag = tag


def is_dask_frame(obj) -> bool:
    """Whether ``obj`` is a Dask collection (False without importing Dask).

    Examples
    --------
    >>> import pandas as pd
    >>> is_dask_frame(pd.DataFrame())
    False
    """
    dask = sys.modules.get("dask")  # a Dask frame cannot exist before Dask is imported
    return dask is not None and bool(dask.is_dask_collection(obj))


# --------------------------------------------------------------------------- per partition

def _weighted_values(table: pd.DataFrame, weight: str | None) -> dict[str, np.ndarray]:
    if weight is not None and weight in table.columns:
        w = table[weight].to_numpy(dtype=np.float64)
    else:
        w = np.ones(len(table))
    return {"w": w, "s": w * table["reports_shortage"].to_numpy(dtype=bool),
            "e": w * table["employees"].to_numpy(dtype=np.float64),
            "v": w * table["vacancies"].to_numpy(dtype=np.float64),
            "h": w * table["hard_to_fill"].to_numpy(dtype=np.float64)}


def _respondents(table: pd.DataFrame, slot: np.ndarray, size: int,
                 weight: str | None) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Slot, first row and weighted values of each respondent (long form: rows merged).

    The detail rows of one enterprise-period in one slot are one respondent:
    its vacancies and hard-to-fill are their sums, every other value (equal
    on each row by rule) is taken once.
    """
    values = _weighted_values(table, weight)
    every = np.arange(len(table))
    if not any(c in table.columns for c in DETAIL_COLUMNS):
        return slot, every, values
    unit = pd.factorize(pd.MultiIndex.from_arrays(
        [table["enterprise_id"].to_numpy(), table["period"].array.asi8]))[0]
    _, first, inverse = np.unique(unit.astype(np.int64) * np.int64(size) + slot,
                                  return_index=True, return_inverse=True)
    if first.size == len(table):
        return slot, every, values
    inverse = inverse.reshape(-1)
    merged = {name: values[name][first] for name in ("w", "s", "e")}
    for name in ("v", "h"):  # weights are equal within the unit: sum(w x) = w sum(x)
        merged[name] = np.bincount(inverse, weights=values[name], minlength=first.size)
    return slot[first], first, merged


def _statistics(slot: np.ndarray, size: int, values: dict[str, np.ndarray]) -> dict:
    """``n``, sums and centred cross products per slot (two passes over the rows)."""
    n = np.bincount(slot, minlength=size).astype(np.float64)
    out = {"n": n}
    deviation = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for name in VALUES:
            total = np.bincount(slot, weights=values[name], minlength=size)
            out[f"S_{name}"] = total
            deviation[name] = values[name] - (total / n)[slot]
    for pair in PAIRS:
        a, b = deviation[pair[0]], deviation[pair[1]]
        out[f"C_{pair}"] = np.bincount(slot, weights=a * b, minlength=size)
    return out


def _partial(frame: pd.DataFrame, keys: list[str], freq: str, weight: str | None,
             skill_levels: list[str] | None, design: SurveyDesign | None = None,
             fed: pd.Index | None = None, key_values: bool = False) -> tuple:
    """Validate one partition and reduce it to statistics per cell-period.

    Returns ``(failures, None, notes)`` when a row breaks a rule (or, with
    ``fed``, has vacancies for an occupation outside ``fed``), else
    ``(None, stats, notes)``; ``notes`` are the data-quality warnings of the
    partition (legal but unusual values), their rows marked for
    :meth:`~talentgap.features._distributed_failures.Lines.text`. With
    ``key_values``, ``stats["values"]`` summarises the key values (see
    :func:`~talentgap.features._distributed_failures.key_values`).
    """
    if len(frame) == 0:
        return None, None, []
    line = frame[_LINE].to_numpy(dtype=np.int64)
    if (np.diff(line) < 0).any():  # the shuffle mixes rows: back to the table's order, so
        order = np.argsort(line, kind="stable")  # "first" and "earlier" mean what they do
        frame, line = frame.iloc[order], line[order]  # in the pandas path
    labels = frame.index  # the rows' labels in the user's table
    raw = frame.drop(columns=[_LINE])
    raw.index = line
    allowed = {"skill_level": skill_levels} if skill_levels is not None else None
    with collect_warnings() as caught:
        clean, report = validate(raw, table="surveys", freq=freq, errors="report",
                                 line_numbers=line, allowed=allowed)
    notes = [mark_text(w, raw.index) for w in caught]
    found, stats = _reduce(raw, labels, clean, report.rejected, keys, weight, design, fed)
    if stats is not None and key_values:
        stats["values"] = summarise_values(clean, keys)
    return found, stats, notes


def _reduce(raw: pd.DataFrame, labels: pd.Index, clean: pd.DataFrame, rejected: pd.DataFrame,
            keys: list[str], weight: str | None, design: SurveyDesign | None,
            fed: pd.Index | None) -> tuple:
    """Failures of a validated partition, or its statistics (a dict of frames)."""
    for key in keys:  # cell keys other than the details must be filled in
        if key in DETAIL_COLUMNS or key not in clean.columns:
            continue
        missing = clean[key].isna().to_numpy()
        if missing.any():
            rejected = pd.concat([rejected, pd.DataFrame({
                "line": clean.index[missing].to_numpy(), "row": clean.index[missing],
                "column": key, "rule": "missing_value", "value": None,
                "message": "a cell key must not be missing"})], ignore_index=True)
    if len(rejected):
        return failures(raw, labels, rejected), None
    if fed is not None:  # checked once the rows are sound, as in build_panel
        unfed = coverage_failures(raw, labels, fed)
        if unfed is not None:
            return unfed.assign(n_bad=np.int64(0)), None
    inside = np.ones(len(clean), dtype=bool)
    for key in keys:
        if key in DETAIL_COLUMNS:
            inside &= clean[key].array.codes >= 0
    rows = np.flatnonzero(inside)
    slot = np.full(len(clean), -1, dtype=np.int64)
    if rows.size:
        groups = group_rows(clean.iloc[rows], [*keys, "period"])
        slot[rows] = groups.codes
        n_slots = groups.n_groups
        cells = {k: groups.frame[k].astype(object).to_numpy() for k in keys}
        cells["period"] = groups.frame["period"]
    else:  # no row in a cell, but its PSUs still count in their strata
        n_slots = 0
        cells = {k: np.array([], dtype=object) for k in keys}
        cells["period"] = clean["period"].array[:0]

    def respondents(at: np.ndarray):
        return _respondents(clean.iloc[at], slot[at], n_slots, weight)

    unit_slot, _, values = respondents(rows)
    out = {"cells": pd.DataFrame({**cells, **_statistics(unit_slot, n_slots, values)})}
    if design is not None:
        try:
            found = design_partial(clean, design, slot, out["cells"], keys, respondents)
        except SchemaError as error:  # a design rule broken within the partition
            return failures(raw, labels, _design_cases(error)), None
        frame, block_of, n_blocks, pair_values = found["blocks"]
        out["blocks"] = pd.DataFrame({**{c: frame[c] for c in frame.columns},
                                      **_statistics(block_of, n_blocks, pair_values)})
        out["strata"] = found["strata"]
    return None, out


def _design_cases(error: SchemaError) -> pd.DataFrame:
    """The failure cases of a design error raised inside a partition, with encoded lines."""
    cases = error.failure_cases.copy()
    line = cases["line"].to_numpy(dtype=np.int64)
    row = pd.to_numeric(cases["row"], errors="coerce").to_numpy(dtype=np.float64)
    cases["line"] = np.where(line >= BASE, line, row).astype(np.int64)
    return cases


def _combine(parts: list, keys: list[str]) -> tuple:
    """Combine partial results: failures and notes collected, statistics merged."""
    notes = [note for _, _, found in parts for note in found][:_MAX_NOTES]
    found = [f for f, _, _ in parts if f is not None]
    if found:
        return pool(found), None, notes
    stats = [s for _, s, _ in parts if s is not None]
    if not stats:
        return None, None, notes
    if len(stats) == 1:
        return None, stats[0], notes
    merged = {"cells": _merge([s["cells"] for s in stats], keys)}
    if "values" in stats[0]:
        merged["values"] = merge_values([s["values"] for s in stats])
    if "blocks" in stats[0]:
        hcols = [c for c in stats[0]["strata"].columns if c.startswith("_h_")]
        merged["blocks"] = _merge([s["blocks"] for s in stats], [*keys, *hcols])
        strata = pd.concat([s["strata"] for s in stats], ignore_index=True)
        how = {"n_psu": "sum", "line": "min"}
        if "fpc_low" in strata.columns:
            how |= {"fpc_low": "min", "fpc_high": "max", "fpc_sum": "sum", "rows": "sum"}
        merged["strata"] = strata.groupby([*hcols, "period"], sort=False, dropna=False,
                                          observed=True).agg(how).reset_index()
    return None, merged, notes


def _merge(stats: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    """Statistics of the same groups (``keys`` and period) from several parts, pooled."""
    frame = pd.concat(stats, ignore_index=True)
    groups = group_rows(frame, [*keys, "period"])
    code, size = groups.codes, groups.n_groups
    n_part = frame["n"].to_numpy()
    n = np.bincount(code, weights=n_part, minlength=size)
    out = {k: groups.frame[k].to_numpy() for k in keys}
    out["period"] = groups.frame["period"]
    out["n"] = n
    shift = {}
    for name in VALUES:
        part_sum = frame[f"S_{name}"].to_numpy()
        total = np.bincount(code, weights=part_sum, minlength=size)
        out[f"S_{name}"] = total
        with np.errstate(invalid="ignore", divide="ignore"):
            shift[name] = part_sum / n_part - (total / n)[code]  # m_p - m
    for pair in PAIRS:
        a, b = shift[pair[0]], shift[pair[1]]
        out[f"C_{pair}"] = (np.bincount(code, weights=frame[f"C_{pair}"].to_numpy(),
                                        minlength=size)
                            + np.bincount(code, weights=n_part * a * b, minlength=size))
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- estimates

def _estimates(stats: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns of :data:`talentgap.features.survey.ESTIMATE_COLUMNS` from the statistics."""
    n = stats["n"].to_numpy()
    S = {name: stats[f"S_{name}"].to_numpy() for name in VALUES}
    C = {pair: stats[f"C_{pair}"].to_numpy() for pair in PAIRS}
    factor = variance_factor(n)
    out: dict[str, np.ndarray] = {"n_respondents": n.astype(np.int64)}
    with np.errstate(invalid="ignore", divide="ignore"):
        for name, value in {"enterprises": "w", "employees": "e", "vacancies": "v",
                            "demand": "h"}.items():
            pair = value + value
            out[name] = S[value]
            # centred sums of equal values are ~1e-32 of the raw squares, true spread more
            noise = 1e-24 * (C[pair] + S[value] * S[value] / n)
            out[f"{name}_se"] = np.sqrt(snap_noise(C[pair].copy(), noise, factor))
        ratios = {  # (S_y, S_x, C_yy, C_xy, C_xx): centred moments, as the raw ones
            "shortage_rate": (S["s"], S["w"], C["ss"], C["sw"], C["ww"]),
            "vacancy_rate": (S["v"], S["e"] + S["v"], C["vv"], C["ev"] + C["vv"],
                             C["ee"] + 2 * C["ev"] + C["vv"]),
            "ssv_density": (S["h"], S["v"], C["hh"], C["hv"], C["vv"]),
        }
        for name, moments in ratios.items():
            out[name], variance = ratio_variance(*moments, factor)
            out[f"{name}_se"] = np.sqrt(variance)
    out["single_respondent"] = n == 1
    return out


def _psu_conflicts(frame: pd.DataFrame, psu: str, freq: str) -> pd.DataFrame | None:
    """Rows of enterprise-periods filed under more than one PSU, as failure cases.

    ``frame`` holds every row of its enterprises (shuffled by enterprise). Rows
    whose period does not parse are left to the validation of their partition.
    """
    if len(frame) == 0:
        return None
    try:
        with collect_warnings():
            period = parse_periods(frame["period"], freq=freq).astype(str).to_numpy()
    except (SchemaError, ValueError, TypeError):
        return None
    table = pd.DataFrame({"enterprise": frame["enterprise_id"].astype(str).to_numpy(),
                          "period": period, "psu": frame[psu].astype(str).to_numpy(),
                          "line": frame[_LINE].to_numpy(dtype=np.int64)})
    counts = table.groupby(["enterprise", "period"], sort=False)["psu"].transform("nunique")
    table = table[counts.to_numpy() > 1]
    if table.empty:
        return None
    table = table.sort_values(["enterprise", "period", "line"], kind="stable")
    psus = table.groupby(["enterprise", "period"], sort=False)["psu"].transform(
        lambda values: ", ".join(repr(v) for v in pd.unique(values)))
    first = ~table.duplicated(["enterprise", "period", "psu"]).to_numpy()
    table, psus = table[first], psus[first]
    raw = frame.drop(columns=[_LINE]).set_axis(frame[_LINE].to_numpy(dtype=np.int64))
    return failures(raw, frame.index, pd.DataFrame({
        "line": table["line"].to_numpy(), "column": psu, "rule": "enterprise_in_two_psus",
        "value": table["psu"].to_numpy(),
        "message": ("enterprise " + table["enterprise"] + " in " + table["period"]
                    + " is under PSUs " + psus + "; this row under "
                    + table["psu"].map(repr)).to_numpy()}))


def _stratum_failures(frame: pd.DataFrame, design: SurveyDesign, freq: str,
                      named: pd.DataFrame) -> pd.DataFrame | None:
    """Rows of an input partition failing a design rule judged on whole strata."""
    if len(frame) == 0:
        return None
    line = frame[_LINE].to_numpy(dtype=np.int64)
    raw = frame.drop(columns=[_LINE]).set_axis(line)
    with collect_warnings():  # every row passed already
        clean, _ = validate(raw, table="surveys", freq=freq, errors="report",
                            line_numbers=line)
    cases = stratum_rows(clean, design, named)
    return failures(raw, frame.index, cases) if len(cases) else None


def _check_arguments(surveys, keys: list[str], freq: str | None,
                     design: SurveyDesign | None) -> str:
    columns = list(surveys.columns)
    if design is not None:
        design.check_parameters()
        absent = [c for c in design.columns if c not in columns]
        if absent:
            raise SchemaError(
                f"surveys: design column {absent[0]!r} is not a column of the table "
                f"[missing_column]; columns are {columns}",
                column=absent[0], reason="missing_column")
    missing = [k for k in keys if k not in columns]
    if missing:
        raise ParameterError(
            f"keys {missing} are not columns of the surveys table; columns are {columns}")
    if "period" in keys:
        raise ParameterError("keys must not include 'period': estimates are always per period")
    required = [c.name for c in get_schema("surveys").columns if c.required]
    absent = [c for c in required if c not in columns]
    if absent:
        raise SchemaError(
            f"surveys: required column {absent[0]!r} is missing [missing_column]; columns "
            f"are {columns}", column=absent[0], reason="missing_column")
    if freq is None:
        period = surveys.dtypes.get("period")
        if not isinstance(period, pd.PeriodDtype):
            raise ParameterError(
                "freq is required for a Dask surveys table (each partition is parsed on its "
                "own, so the frequency cannot be inferred from all labels): pass freq='Q', "
                "'M' or 'Y'")
        freq = period.freqstr
    return normalize_freq(freq)


def estimate_partitions(
    surveys,
    *,
    keys: Sequence[str] = ("region", "industry"),
    freq: str | None = None,
    weight: str | None = "weight",
    design=None,
    skill_levels: Sequence[str] | None = None,
) -> pd.DataFrame:
    """:func:`talentgap.features.estimate_cells` for a Dask DataFrame.

    Called by :func:`~talentgap.features.estimate_cells` when ``surveys`` is
    a Dask DataFrame; the arguments and the result are the same (equal to
    the pandas result up to rounding, within 1e-9 relative). Runs on the
    active ``dask.distributed`` client, or Dask's default scheduler.

    Raises
    ------
    SchemaError
        If rows break the surveys schema (anywhere: duplicates split over two
        partitions included). The message and ``failure_cases`` name the
        same lines (position in the whole table + 2) and rows (labels) as
        :func:`~talentgap.features.estimate_cells` on the computed table,
        and each row's input partition and position there (columns
        ``partition`` and ``partition_row``), also for design rules broken
        across partitions (a population count that differs within a stratum
        or is below its sample, a lonely PSU with ``lonely_psu="fail"``).
    ParameterError
        For a malformed ``design``, a key that is not a column, or a missing
        ``freq`` when periods are not Periods yet.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=4, seed=1)
    >>> parts = dd.from_pandas(data.surveys, npartitions=3)
    >>> cells = tg.features.estimate_cells(parts, freq="Q")
    >>> local = tg.features.estimate_cells(data.surveys, freq="Q")
    >>> bool(np.allclose(cells["demand_se"], local["demand_se"], rtol=1e-9, equal_nan=True))
    True
    """
    return _estimate(surveys, keys=list(keys), freq=freq, weight=weight, design=design,
                     skill_levels=skill_levels)[0]


def _estimate(surveys, *, keys: list[str], freq: str | None, weight: str | None, design,
              skill_levels, fed: pd.Index | None = None,
              key_values: bool = False) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """:func:`estimate_partitions`, and with ``key_values`` the rows and first lines of
    each key value (:func:`~talentgap.features._distributed_failures.summarise_values`,
    ``code`` as ``line``). With ``fed``, rows with vacancies for an occupation outside
    ``fed`` fail (rule ``not_in_crosswalk``) once every row is sound."""
    import dask

    freq = _check_arguments(surveys, keys, freq, design)
    levels = None if skill_levels is None else list(skill_levels)
    if levels is not None and "skill_level" not in surveys.columns:
        raise ParameterError("skill_levels were declared but the surveys table has no "
                             "'skill_level' column")
    names = get_schema("surveys").names
    wanted = {*names, *keys, weight, *(design.columns if design is not None else ())}
    used = [c for c in surveys.columns if c in wanted]
    tagged = surveys[used].map_partitions(_tag)  # other columns need not travel
    # whole enterprises (whole PSUs with a design) in each partition
    unit = design.psu if design is not None and design.psu is not None else "enterprise_id"
    shuffled = tagged.shuffle(on=unit)
    parts = shuffled.to_delayed()
    level = [dask.delayed(_partial)(part, keys, freq, weight, levels, design, fed, key_values)
             for part in parts]
    # the last row of each input partition any part holds: the lengths, for line numbers
    last = [dask.delayed(last_rows)(part, surveys.npartitions) for part in parts]
    fan_in = _FAN_IN  # partials of a few rows' cells first, then pairs of merged ones
    while len(level) > 1:
        level = [dask.delayed(_combine)(level[i:i + fan_in], keys)
                 for i in range(0, len(level), fan_in)]
        last = [dask.delayed(np.maximum.reduce)(last[i:i + fan_in])
                for i in range(0, len(last), fan_in)]
        fan_in = 2  # a merged part may hold every cell: keep two in memory at a time
    # the shuffle by PSU splits an enterprise-period filed under two PSUs over partitions,
    # where no partition sees both rows: a second, narrow shuffle by enterprise checks it
    conflicts = []
    if design is not None and design.psu is not None:
        pairs = tagged[["enterprise_id", "period", design.psu, _LINE]].shuffle(
            on="enterprise_id")
        conflicts = [dask.delayed(_psu_conflicts)(part, design.psu, freq)
                     for part in pairs.to_delayed()]
    (found, stats, notes), last, conflicts = dask.compute(level[0], last[0], conflicts)
    lines = Lines(last)
    for note in notes:
        warn(f"{lines.text(note)} (partitioned table)", DataQualityWarning, stacklevel=4)
    found = [part for part in [found, *conflicts] if part is not None and len(part)]
    if found:
        raise_failures(pool(found), lines, surveys.npartitions, _RULES)
    if stats is None or (design is None and len(stats["cells"]) == 0):
        raise SchemaError("surveys: the table has no rows in any cell [empty_table]",
                          reason="empty_table")
    cells = stats["cells"]
    estimates = _estimates(cells)
    if design is not None:
        def fail(named: pd.DataFrame) -> None:  # a second pass finds the strata's rows
            found = dask.compute([dask.delayed(_stratum_failures)(part, design, freq, named)
                                  for part in tagged.to_delayed()])[0]
            raise_failures(pool(found), lines, surveys.npartitions, _RULES)

        estimates |= design_errors(cells, estimates, stats["blocks"], stats["strata"], keys,
                                   design, lines.where, fail)
    values = None
    if key_values:
        values = stats["values"].assign(line=lines.line(stats["values"]["code"].to_numpy()))
    return _frame(cells, estimates, keys, levels, design is not None), values


def _frame(stats: pd.DataFrame, estimates: dict[str, np.ndarray], keys: list[str],
           levels: list[str] | None, with_design: bool) -> pd.DataFrame:
    """Estimates in the layout of :func:`~talentgap.features.estimate_cells`."""
    out = {}
    for key in keys:
        values = stats[key].astype(object)
        if key == "skill_level" and levels is not None:
            dtype = pd.CategoricalDtype(levels, ordered=True)
        else:
            dtype = pd.CategoricalDtype(pd.Index(values.unique()).sort_values())
        out[key] = pd.Categorical(values, dtype=dtype)
    order = np.lexsort([stats["period"].array.asi8, *(out[k].codes for k in reversed(keys))])
    out = {k: v.take(order) for k, v in out.items()}
    out["period"] = stats["period"].array.take(order)
    columns = ["n_respondents",
               "enterprises", "enterprises_se", "employees", "employees_se",
               "vacancies", "vacancies_se", "demand", "demand_se",
               "shortage_rate", "shortage_rate_se", "vacancy_rate", "vacancy_rate_se",
               "ssv_density", "ssv_density_se", "single_respondent"]
    if with_design:
        columns += ["take_all", *(c.replace("_se", "_df") for c in columns if c.endswith("_se"))]
    out.update({name: estimates[name][order] for name in columns})
    return pd.DataFrame(out)


def panel_from_partitions(build: Callable[..., pd.DataFrame], surveys, training=None,
                          employment=None, *, freq: str = "Q",
                          keys: Sequence[str] = ("region", "industry"),
                          design=None, **options) -> pd.DataFrame:
    """:func:`talentgap.features.build_panel` for a Dask surveys table.

    The survey estimates come from :func:`estimate_partitions`. The grid,
    supply and employment parts come from ``build`` (``build_panel``) run
    on one placeholder respondent per surveyed cell-period, so cells,
    periods, ``start``/``end``, key checks and supply are exactly those of
    the pandas path; the survey columns are then replaced by the
    estimates. ``training`` and ``employment`` are pandas frames. The checks
    of the survey rows themselves (schema, declared skill levels, the
    coverage of an occupation crosswalk) run on the partitions, and the key
    codes are compared with the other tables on each survey value's count
    and first lines gathered there, so errors and warnings name the rows of
    ``surveys`` with the lines of the pandas path.
    """
    keys = list(keys)
    crosswalk = options.get("crosswalk")
    fed = None  # occupations trained for: rows with vacancies for others fail, as in build
    if (crosswalk is not None and "occupation" in keys
            and crosswalk_target(crosswalk) == "occupation"):
        fed = fed_occupations(crosswalk)
    levels = skill_levels_of(options.get("skill_levels"))  # checked on the rows, as in build
    codes = options.pop("codes", "warn")  # the code check needs the rows: run below
    cells, values = _estimate(
        surveys, keys=keys, freq=freq, weight="weight", design=design,
        skill_levels=levels if "skill_level" in surveys.columns else None, fed=fed,
        key_values=codes != "ignore" and (training is not None or employment is not None))
    placeholder = cells[[*keys, "period"]].assign(
        enterprise_id=[f"cell{i}" for i in range(len(cells))], employees=1, vacancies=0,
        hard_to_fill=0, reports_shortage=False)
    for name in ("region", "industry"):  # required columns that are not panel keys
        if name not in keys:
            placeholder[name] = "all"
    panel = build(placeholder, training, employment, freq=freq, keys=keys, codes="ignore",
                  **options)
    if values is not None:  # the surveys' key values with their counts and first lines
        table, lines, counts = value_rows(values, keys)
        if (employment is not None and levels is not None
                and "skill_level" in employment.columns):  # as build compares it
            employment = skilled_employment(employment, skill_levels=levels, keys=None,
                                            freq=freq)
        verify_codes({"surveys": table, "training": training, "employment": employment},
                     keys=keys, codes=codes, line_numbers={"surveys": lines},
                     row_counts={"surveys": counts})
    found = panel[[*keys, "period"]].astype({k: object for k in keys}).merge(
        cells.astype({k: object for k in keys}).assign(_tg_cell=np.arange(len(cells))),
        on=[*keys, "period"], how="left")["_tg_cell"].to_numpy(dtype=np.float64)
    hit = ~np.isnan(found)
    position = found[hit].astype(np.int64)
    survey_columns = [c for c in cells.columns
                      if c not in (*keys, "period") and c in panel.columns]
    if design is not None:  # the take-all flag and the df of each SE, after the survey columns
        extra = ["take_all", *(c.replace("_se", "_df") for c in panel.columns
                               if c.endswith("_se") and c in cells.columns)]
        at = panel.columns.get_loc("single_respondent") + 1
        for offset, name in enumerate(extra):
            panel.insert(at + offset, name, False if name == "take_all" else np.nan)
        survey_columns += extra
    for name in survey_columns:
        values = cells[name].to_numpy()
        if values.dtype == bool:
            column = np.zeros(len(panel), dtype=bool)
        elif name == "n_respondents":
            column = np.zeros(len(panel), dtype=np.int64)
        else:
            column = np.full(len(panel), np.nan)
        column[hit] = values[position]
        panel[name] = column
    panel["demand_missing"] = ~hit
    panel["gap"] = panel["demand"] - panel["supply"]
    return panel
