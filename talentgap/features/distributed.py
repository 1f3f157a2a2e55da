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
3. each partition is validated (failures name their input partition and
   row) and reduced to sufficient statistics per cell-period: the count of
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

Dask is an optional dependency (``pip install talentgap[dask]``); it is
imported only when a Dask frame arrives.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from talentgap._checks import FAILURE_COLUMNS, rule_text
from talentgap.errors import (
    DataQualityWarning,
    ParameterError,
    SchemaError,
    collect_warnings,
    warn,
)
from talentgap.features._distributed_design import design_errors, design_partial
from talentgap.features._groups import group_rows
from talentgap.features._variance import ratio_variance, snap_noise, variance_factor
from talentgap.features.design import _RULES as _DESIGN_RULES
from talentgap.features.design import SurveyDesign
from talentgap.periods import normalize_freq, parse_periods
from talentgap.schema import DETAIL_COLUMNS, get_schema, validate

__all__ = ["is_dask_frame", "estimate_partitions", "panel_from_partitions"]

#: Weighted values whose sums and centred cross products are kept per cell-period.
VALUES = ("w", "s", "e", "v", "h")
#: Cross products needed by the totals and the three ratios (``sw``: shortage x weight).
PAIRS = ("ww", "ss", "sw", "ee", "vv", "hh", "ev", "hv")
_SHIFT = 32  # encoded line: _BASE + (partition << 32 | row within the partition)
_ROW_MASK = (1 << _SHIFT) - 1
_BASE = 10**12  # every encoded line has 13+ digits, told apart from other numbers
_MAX_FAILURES = 1000  # failure rows kept per (column, rule)
#: Rules only the partitioned path checks, in words.
_PARTITION_RULES = {"enterprise_in_two_psus": "must be one PSU per enterprise and period"}
_FAN_IN = 8  # partial results combined per tree node
_MAX_NOTES = 20  # data-quality warnings relayed from the partitions
_LINE = "_tg_line"  # the encoded input partition and row of every row


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


def _line(partition, row):
    return _BASE + ((np.asarray(partition, dtype=np.int64) << _SHIFT)
                    | np.asarray(row, dtype=np.int64))


def _where(line: int) -> str:
    code = int(line) - _BASE
    return f"partition {code >> _SHIFT} row {code & _ROW_MASK}"


def _decode_text(text, lines: pd.Index) -> str:
    """Line numbers (of ``lines``) written by :func:`validate` in a message, as partition and row.

    Only numbers that are lines of the partition are rewritten, never a value.
    """
    def where(match: re.Match) -> str:
        number = int(match.group())
        return _where(number) if number in lines else match.group()

    text = re.sub(r"\b\d{13,}\b", where, str(text))
    return text.replace("lines partition", "partition").replace("line partition", "partition")


def _tag(frame: pd.DataFrame, partition_info=None) -> pd.DataFrame:
    number = partition_info["number"] if partition_info else 0
    return frame.assign(**{_LINE: _line(number, np.arange(len(frame)))})


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


def _failures(raw: pd.DataFrame, rejected: pd.DataFrame) -> pd.DataFrame:
    """Validation failures with the input partition and row of each."""
    line = rejected["line"].to_numpy(dtype=np.int64)
    out = pd.DataFrame({"partition": (line - _BASE) >> _SHIFT,
                        "row": (line - _BASE) & _ROW_MASK})
    labels = raw.loc[line, [c for c in ("enterprise_id", "period") if c in raw.columns]]
    out["label"] = labels.astype(str).agg(", ".join, axis=1).to_numpy()
    for name in ("column", "rule", "value"):
        out[name] = rejected[name].to_numpy()
    out["message"] = [_decode_text(m, raw.index) for m in rejected["message"]]
    return out.groupby(["column", "rule"], sort=False).head(_MAX_FAILURES)


def _partial(frame: pd.DataFrame, keys: list[str], freq: str, weight: str | None,
             skill_levels: list[str] | None, design: SurveyDesign | None = None) -> tuple:
    """Validate one partition and reduce it to statistics per cell-period.

    Returns ``(failures, None, notes)`` when a row breaks a rule, else
    ``(None, stats, notes)``; ``notes`` are the data-quality warnings of the
    partition (legal but unusual values), with partition and row.
    """
    if len(frame) == 0:
        return None, None, []
    line = frame[_LINE].to_numpy(dtype=np.int64)
    raw = frame.drop(columns=[_LINE])
    raw.index = line
    allowed = {"skill_level": skill_levels} if skill_levels is not None else None
    with collect_warnings() as caught:
        clean, report = validate(raw, table="surveys", freq=freq, errors="report",
                                 line_numbers=line, allowed=allowed)
    notes = [_decode_text(w, raw.index) for w in caught]
    failures, stats = _reduce(raw, clean, report.rejected, keys, weight, design)
    return failures, stats, notes


def _reduce(raw: pd.DataFrame, clean: pd.DataFrame, rejected: pd.DataFrame, keys: list[str],
            weight: str | None, design: SurveyDesign | None) -> tuple:
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
        return _failures(raw, rejected), None
    inside = np.ones(len(clean), dtype=bool)
    for key in keys:
        if key in DETAIL_COLUMNS:
            inside &= clean[key].array.codes >= 0
    rows = np.flatnonzero(inside)
    if rows.size == 0 and design is None:
        return None, None
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
            return _failures(raw, _design_cases(error)), None
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
    cases["line"] = np.where(line >= _BASE, line, row).astype(np.int64)
    return cases


def _combine(parts: list, keys: list[str]) -> tuple:
    """Combine partial results: failures and notes collected, statistics merged."""
    notes = [note for _, _, found in parts for note in found][:_MAX_NOTES]
    failures = [f for f, _, _ in parts if f is not None]
    if failures:
        found = pd.concat(failures, ignore_index=True)
        return found.groupby(["column", "rule"], sort=False).head(_MAX_FAILURES), None, notes
    stats = [s for _, s, _ in parts if s is not None]
    if not stats:
        return None, None, notes
    if len(stats) == 1:
        return None, stats[0], notes
    merged = {"cells": _merge([s["cells"] for s in stats], keys)}
    if "blocks" in stats[0]:
        hcols = [c for c in stats[0]["strata"].columns if c.startswith("_h_")]
        merged["blocks"] = _merge([s["blocks"] for s in stats], [*keys, *hcols])
        strata = pd.concat([s["strata"] for s in stats], ignore_index=True)
        how = {"n_psu": "sum", "line": "min"}
        if "fpc_low" in strata.columns:
            how |= {"fpc_low": "min", "fpc_high": "max"}
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
    line = table["line"].to_numpy(dtype=np.int64) - _BASE
    out = pd.DataFrame({
        "partition": line >> _SHIFT, "row": line & _ROW_MASK,
        "label": (table["enterprise"] + ", " + table["period"]).to_numpy(),
        "column": psu, "rule": "enterprise_in_two_psus", "value": table["psu"].to_numpy(),
        "message": ("enterprise " + table["enterprise"] + " in " + table["period"]
                    + " is under PSUs " + psus + "; this row under "
                    + table["psu"].map(repr)).to_numpy()})
    return out.head(_MAX_FAILURES)


def _decoded(cases: pd.DataFrame) -> pd.DataFrame:
    """Failure cases with encoded lines, as partition and row (labelled by their stratum)."""
    line = cases["line"].to_numpy(dtype=np.int64) - _BASE
    return cases.drop(columns="line").assign(partition=line >> _SHIFT, row=line & _ROW_MASK,
                                             label="stratum")


def _raise_failures(found: pd.DataFrame, n_rows: str) -> None:
    found = found.sort_values(["partition", "row"], kind="stable")
    lines = []
    for (column, rule), group in found.groupby(["column", "rule"], sort=False):
        examples = group.head(5)
        shown = "; ".join(
            f"partition {p} row {r} ({label}): {message if message else value}"
            for p, r, label, value, message in zip(
                examples["partition"], examples["row"], examples["label"], examples["value"],
                examples["message"], strict=True))
        many = f"{len(group)}{'+' if len(group) >= _MAX_FAILURES else ''}"
        noun = "row fails" if len(group) == 1 else "rows fail"
        text = _DESIGN_RULES.get(rule) or _PARTITION_RULES.get(rule) or rule_text(rule)
        lines.append(f"  - column {column!r} {text} [{rule}]; {many} {noun}, "
                     f"e.g. {shown}")
    cases = pd.DataFrame({
        "line": found["row"].to_numpy(), "row": found["row"].to_numpy(),
        "column": found["column"].to_numpy(), "rule": found["rule"].to_numpy(),
        "value": found["value"].to_numpy(), "message": found["message"].to_numpy()})
    cases.insert(0, "partition", found["partition"].to_numpy())
    first = found.iloc[0]
    raise SchemaError(
        f"surveys ({n_rows}, partitioned): rows fail validation; each is named by its "
        "input partition and its row position (from 0) in that partition:\n" + "\n".join(lines),
        column=str(first["column"]), reason=str(first["rule"]),
        failure_cases=cases[["partition", *FAILURE_COLUMNS]])


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
        partitions included). ``failure_cases`` has a ``partition`` column;
        ``line`` and ``row`` hold the row's position (from 0) in its input
        partition. Design rules broken across partitions (a population count
        that differs, a lonely PSU with ``lonely_psu="fail"``) name the first
        row of the stratum.
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
    import dask

    keys = list(keys)
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
    level = [dask.delayed(_partial)(part, keys, freq, weight, levels, design)
             for part in shuffled.to_delayed()]
    fan_in = _FAN_IN  # partials of a few rows' cells first, then pairs of merged ones
    while len(level) > 1:
        level = [dask.delayed(_combine)(level[i:i + fan_in], keys)
                 for i in range(0, len(level), fan_in)]
        fan_in = 2  # a merged part may hold every cell: keep two in memory at a time
    # the shuffle by PSU splits an enterprise-period filed under two PSUs over partitions,
    # where no partition sees both rows: a second, narrow shuffle by enterprise checks it
    conflicts = []
    if design is not None and design.psu is not None:
        pairs = tagged[["enterprise_id", "period", design.psu, _LINE]].shuffle(
            on="enterprise_id")
        conflicts = [dask.delayed(_psu_conflicts)(part, design.psu, freq)
                     for part in pairs.to_delayed()]
    (failures, stats, notes), conflicts = dask.compute(level[0], conflicts)
    for note in notes:
        warn(f"{note} (partitioned table)", DataQualityWarning, stacklevel=3)
    found = [part for part in [failures, *conflicts] if part is not None and len(part)]
    if found:
        _raise_failures(pd.concat(found, ignore_index=True), f"{surveys.npartitions} partitions")
    if stats is None:
        raise SchemaError("surveys: the table has no rows in any cell [empty_table]",
                          reason="empty_table")
    cells = stats["cells"]
    estimates = _estimates(cells)
    if design is not None:
        n_parts = f"{surveys.npartitions} partitions"
        estimates |= design_errors(cells, estimates, stats["blocks"], stats["strata"], keys,
                                   design, _where,
                                   lambda cases: _raise_failures(_decoded(cases), n_parts))
    return _frame(cells, estimates, keys, levels, design is not None)


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
    estimates. ``training`` and ``employment`` are pandas frames.
    """
    keys = list(keys)
    cells = estimate_partitions(surveys, keys=keys, freq=freq, design=design)
    placeholder = cells[[*keys, "period"]].assign(
        enterprise_id=[f"cell{i}" for i in range(len(cells))], employees=1, vacancies=0,
        hard_to_fill=0, reports_shortage=False)
    for name in ("region", "industry"):  # required columns that are not panel keys
        if name not in keys:
            placeholder[name] = "all"
    panel = build(placeholder, training, employment, freq=freq, keys=keys, **options)
    found = panel[[*keys, "period"]].astype({k: object for k in keys}).merge(
        cells.astype({k: object for k in keys}).assign(_tg_cell=np.arange(len(cells))),
        on=[*keys, "period"], how="left")["_tg_cell"].to_numpy(dtype=np.float64)
    hit = ~np.isnan(found)
    position = found[hit].astype(np.int64)
    survey_columns = [c for c in cells.columns
                      if c not in (*keys, "period") and c in panel.columns]
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
