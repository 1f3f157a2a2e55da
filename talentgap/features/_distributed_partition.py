"""The work on one partition of a partitioned surveys table: rows in, partial results out.

:mod:`talentgap.features.distributed` shuffles the table so that each
partition holds whole enterprises (whole PSUs with a design), then runs
:func:`partial` on every partition: the rows are put back in the table's
order, validated as the pandas path validates them and reduced to the
statistics of :func:`talentgap.features._distributed_moments.statistics` per
cell-period (with a design, also the per-block and per-stratum sums of
:func:`talentgap.features._distributed_design.design_partial`).
:func:`psu_conflicts` and :func:`stratum_failures` are the checks that need
another view of the rows: an enterprise filed under two PSUs, and the rows of
a stratum that breaks a rule judged on the combined sums.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._checks import categories_pass
from talentgap.errors import SchemaError, collect_warnings
from talentgap.features._detail_cells import detail_keys, detail_rows, undetailed
from talentgap.features._distributed_design import design_partial, stratum_rows
from talentgap.features._distributed_failures import (
    BASE,
    LINE,
    coverage_failures,
    failures,
    summarise_values,
)
from talentgap.features._distributed_moments import statistics
from talentgap.features._groups import group_rows
from talentgap.features.design import SurveyDesign
from talentgap.periods import normalize_freq, parse_periods, period_dtype_code
from talentgap.schema import DETAIL_COLUMNS, get_schema, validate

__all__ = ["partial", "canonical_meta", "key_dtypes", "psu_conflicts", "stratum_failures"]

_LINE = LINE  # the code (input partition and row) of every row


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


def canonical_meta(meta: pd.DataFrame, freq: str, known: dict) -> bool:
    """Whether a Dask frame's dtypes (its ``_meta``) are those validation returns.

    Decided once, on the client: every surveys column present has the dtype
    :func:`~talentgap.schema.validate` gives it (periods of ``freq``, ids and
    keys categorical with ``known`` categories passing the text rules, counts
    int64, weights float64, flags bool). The values are judged by each
    partition's validation (see :func:`partial`); a table canonical in both
    is used as it is by the pandas path, categories and their order kept.

    Examples
    --------
    >>> import talentgap as tg
    >>> surveys = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=2,
    ...                                      seed=0).surveys
    >>> known = {c: d for c, d in surveys.dtypes.items() if isinstance(d, pd.CategoricalDtype)}
    >>> canonical_meta(surveys.iloc[:0], "Q", known)
    True
    >>> canonical_meta(surveys.iloc[:0].astype({"region": str}), "Q", known)
    False
    """
    if not meta.columns.is_unique:
        return False
    for col in get_schema("surveys").columns:
        if col.name not in meta.columns:
            if col.required:
                return False
            continue
        dtype = meta[col.name].dtype
        if col.kind == "period":
            if period_dtype_code(dtype) != normalize_freq(freq):
                return False  # calendar periods only: each partition's validation refuses fiscal
        elif col.kind in ("id", "key"):
            if (col.name not in known or not isinstance(dtype, pd.CategoricalDtype)
                    or not categories_pass(known[col.name].categories, ids=col.kind == "id")):
                return False
        elif ((col.kind == "count" and dtype != np.int64)
              or (col.kind == "weight" and dtype != np.float64)
              or (col.kind == "flag" and dtype != np.bool_)):
            return False
    return True


def partial(frame: pd.DataFrame, keys: list[str], freq: str, weight: str | None,
            skill_levels: list[str] | None, design: SurveyDesign | None = None,
            fed: pd.Index | None = None, key_values: bool = False,
            canonical: bool = False) -> tuple:
    """Validate one partition and reduce it to statistics per cell-period.

    Returns ``(failures, None, notes)`` when a row breaks a rule (or, with
    ``fed``, has vacancies for an occupation outside ``fed``), else
    ``(None, stats, notes)``; ``notes`` are the data-quality notes of the
    partition (legal but unusual values, :class:`~talentgap._quality.QualityNote`),
    their rows named by their codes. With ``key_values``, ``stats["values"]``
    summarises the key values (see
    :func:`~talentgap.features._distributed_failures.summarise_values`).
    ``canonical``: the frame's dtypes are canonical (:func:`canonical_meta`).
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
    with collect_warnings():  # pooled over the partitions, worded on the client
        clean, report = validate(raw, table="surveys", freq=freq, errors="report",
                                 line_numbers=line, allowed=allowed)
    notes = report.notes
    own = report.rejected[report.rejected["rule"] != "group_incomplete"]  # rules broken
    found, stats = _reduce(raw, labels, clean, own, keys, weight, design, fed)
    if stats is not None:
        # every rule holds without a note: the values are canonical too
        stats["dtypes"] = key_dtypes(raw, clean, keys,
                                     canonical and len(report.rejected) == 0 and not notes)
    if stats is not None and key_values:
        stats["values"] = summarise_values(clean, keys)
    return found, stats, notes


def key_dtypes(raw: pd.DataFrame, clean: pd.DataFrame, keys: list[str],
               canonical: bool) -> dict:
    """The dtype of each key in the result, as the pandas path gives it for these rows.

    A canonical table (``canonical``: dtypes and values as validation returns
    them) is used as it is there, so its categoricals keep their categories
    and their order, unused ones too; any other table is validated, and its
    keys take the validated dtypes. ``{"canonical": dtypes or None,
    "validated": dtypes}``;
    :func:`~talentgap.features._distributed_moments.combine` pools the parts.
    """
    return {"canonical": {k: raw[k].dtype for k in keys} if canonical else None,
            "validated": {k: clean[k].dtype for k in keys}}


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
    rows = detail_rows(clean, keys, empty_ok=True)  # blank detail, no vacancies: in no cell
    rows = np.arange(len(clean)) if rows is None else rows
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
    out = {"cells": pd.DataFrame({**cells, **statistics(unit_slot, n_slots, values)})}
    if detail_keys(keys):  # the strata's enterprises (empty domains), vacancies without detail
        out["parents"] = _parents(clean, keys)
        out["undetailed"] = undetailed(clean, keys, weight, order=clean.index.to_numpy())
    if design is not None:
        try:
            found = design_partial(clean, design, slot, out["cells"], keys, respondents)
        except SchemaError as error:  # a design rule broken within the partition
            return failures(raw, labels, _design_cases(error)), None
        frame, block_of, n_blocks, pair_values = found["blocks"]
        out["blocks"] = pd.DataFrame({**{c: frame[c] for c in frame.columns},
                                      **statistics(block_of, n_blocks, pair_values)})
        out["strata"] = found["strata"]
    return None, out


def _parents(clean: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Enterprises per cell of the keys other than details and period (whole enterprises)."""
    others = [k for k in keys if k not in DETAIL_COLUMNS]
    units = clean[[*others, "period", "enterprise_id"]].drop_duplicates()
    groups = group_rows(units, [*others, "period"])
    return pd.DataFrame({**{k: groups.frame[k].astype(object).to_numpy() for k in others},
                         "period": groups.frame["period"],
                         "enterprises": np.asarray(groups.counts, dtype=np.int64)})


def _design_cases(error: SchemaError) -> pd.DataFrame:
    """The failure cases of a design error raised inside a partition, with encoded lines."""
    cases = error.failure_cases.copy()
    line = cases["line"].to_numpy(dtype=np.int64)
    row = pd.to_numeric(cases["row"], errors="coerce").to_numpy(dtype=np.float64)
    cases["line"] = np.where(line >= BASE, line, row).astype(np.int64)
    return cases


def psu_conflicts(frame: pd.DataFrame, psu: str, freq: str) -> pd.DataFrame | None:
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


def stratum_failures(frame: pd.DataFrame, design: SurveyDesign, freq: str,
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
