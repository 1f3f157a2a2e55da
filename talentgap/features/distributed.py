"""Survey estimates from a partitioned (Dask) surveys table, without gathering its rows.

:func:`talentgap.features.estimate_cells` and
:func:`talentgap.features.build_panel` hand a Dask DataFrame (for example
``dask.dataframe.read_parquet`` over a folder of Parquet files) to this
module. The rows stay on the workers:

1. every row is tagged with its input partition and its position there;
2. the table is shuffled by ``enterprise_id`` (categorical columns travel as
   their integer codes, turned back into categories on arrival), so all rows of an enterprise
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
   ``C_uv = sum((u - S_u/n) (v - S_v/n))``
   (:mod:`talentgap.features._distributed_partition`);
4. the partial statistics are combined in a tree on the workers, exactly
   and stably (Chan, Golub & LeVeque 1983, for any number of parts):
   ``n = sum_p n_p``, ``S = sum_p S_p`` and
   ``C_uv = sum_p C_p,uv + sum_p n_p (m_p,u - m_u) (m_p,v - m_v)`` with
   ``m = S / n`` (:mod:`talentgap.features._distributed_moments`). Only one
   row per cell-period (and partition) travels.

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
(see :mod:`talentgap.features._distributed_failures`); a table read by
``dask.dataframe.read_csv(..., include_path_column=True)`` names them by
file and line there (exact with ``blocksize=None``: one file per
partition). Warnings are pooled into one per kind with the true count. The
result has the layout of the pandas path: its row order, key dtypes and
categories. Design rules that
need every row of a stratum (population counts, lonely PSUs) are judged
on the combined sums; only when one is broken does a second pass over the
partitions find the stratum's rows to name.

Dask is an optional dependency (``pip install talentgap[dask]``); it is
imported only when a Dask frame arrives.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from talentgap._arguments import key_list
from talentgap._failure_log import allowed_text
from talentgap._quality import note_text
from talentgap.errors import (
    DataQualityWarning,
    ParameterError,
    SchemaError,
    collect_warnings,
    warn,
)
from talentgap.features._detail_cells import detail_keys, undetailed_text, zero_domains
from talentgap.features._distributed_design import design_errors, strata_prefix
from talentgap.features._distributed_failures import (
    LINE,
    Lines,
    last_rows,
    pool,
    raise_failures,
    tag,
    value_rows,
)
from talentgap.features._distributed_moments import combine as _combine
from talentgap.features._distributed_moments import estimates as _estimates
from talentgap.features._distributed_moments import same_dtype
from talentgap.features._distributed_partition import canonical_meta
from talentgap.features._distributed_partition import partial as _partial
from talentgap.features._distributed_partition import psu_conflicts as _psu_conflicts
from talentgap.features._distributed_partition import stratum_failures as _stratum_failures
from talentgap.features._survey_moments import detail_cell_columns
from talentgap.features.codes import verify_codes
from talentgap.features.coverage import fed_occupations
from talentgap.features.crosswalk import crosswalk_target
from talentgap.features.design import _RULES as _DESIGN_RULES
from talentgap.features.design import SurveyDesign
from talentgap.features.skill_levels import skill_levels_of, skilled_employment
from talentgap.periods import normalize_freq
from talentgap.schema import get_schema

__all__ = ["is_dask_frame", "estimate_partitions", "panel_from_partitions"]

#: Rules other than the schema's, in words: the design's and the partitioned path's own.
_RULES = {**_DESIGN_RULES, "enterprise_in_two_psus": "must be one PSU per enterprise and period"}
_FAN_IN = 8  # partial results combined per tree node
_LINE = LINE  # the code (input partition and row) of every row
_tag = tag
_FILE = re.compile(r"\.(csv|tsv|txt|dat)(\.(gz|bz2|xz|zip|zst))?$", re.IGNORECASE)


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
        # the dtype's own frequency ("period[Q-DEC]" -> "Q"; PeriodDtype has no freqstr
        # in every pandas version, its name has the same form in all); fiscal periods
        # ("period[Q-MAR]") are then refused row by row, as validation refuses them
        freq = period.name.removeprefix("period[").removesuffix("]").partition("-")[0]
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
    return _estimate(surveys, keys=key_list(keys, time="period"), freq=freq, weight=weight,
                     design=design, skill_levels=skill_levels)[0]


def _estimate(surveys, *, keys: list[str], freq: str | None, weight: str | None, design,
              skill_levels, fed: pd.Index | None = None,
              key_values: bool = False) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """:func:`estimate_partitions`, and with ``key_values`` the rows and first lines of
    each key value (:func:`~talentgap.features._distributed_failures.summarise_values`,
    ``code`` as ``line``). With ``fed``, rows with vacancies for an occupation outside
    ``fed`` fail (rule ``not_in_crosswalk``) once every row is sound."""
    import dask

    freq = _check_arguments(surveys, keys, freq, design)
    declared = design is not None
    if not declared and detail_keys(keys):  # detail cells: domains of the other keys' cells
        others = tuple(k for k in keys if k not in detail_keys(keys))
        design = SurveyDesign(strata=others or None, lonely_psu="certainty")
    levels = None if skill_levels is None else list(skill_levels)
    if levels is not None and "skill_level" not in surveys.columns:
        raise ParameterError("skill_levels were declared but the surveys table has no "
                             "'skill_level' column")
    names = get_schema("surveys").names
    wanted = {*names, *keys, weight, *(design.columns if design is not None else ())}
    path = _path_column(surveys, wanted)
    used = [c for c in surveys.columns if c in wanted or c == path]
    # other columns need not travel; chosen inside the task, as a projection of a
    # read_csv(include_path_column=True) frame can still deliver its path column
    tagged = surveys.map_partitions(_tag_columns, used)
    # whole enterprises (whole PSUs with a design) in each partition; categoricals travel
    # as their integer codes (a piece of a shuffle would carry every category with it)
    unit = design.psu if design is not None and design.psu is not None else "enterprise_id"
    categories = _known_categories(tagged)
    shared = dask.delayed(categories, pure=True)  # one copy in the graph, not one per task
    encoded = (tagged.map_partitions(_encode, shared, meta=_encode(tagged._meta, categories))
               if categories else tagged)
    shuffled = encoded.shuffle(on=unit)
    parts = [dask.delayed(_decode)(part, shared) for part in shuffled.to_delayed()]
    canonical = canonical_meta(surveys._meta, freq, categories)  # values: per partition
    level = [dask.delayed(_partial)(part, keys, freq, weight, levels, design, fed, key_values,
                                    canonical)
             for part in parts]
    # the last row of each input partition any part holds: the lengths, for line numbers
    last = [dask.delayed(last_rows)(part, surveys.npartitions, path) for part in parts]
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
        pairs = encoded[["enterprise_id", "period", design.psu, _LINE]].shuffle(
            on="enterprise_id")
        conflicts = [dask.delayed(_psu_conflicts)(dask.delayed(_decode)(part, shared),
                                                  design.psu, freq)
                     for part in pairs.to_delayed()]
    (found, stats, notes), last, conflicts = dask.compute(level[0], last[0], conflicts)
    lines = Lines(last, files=None if path is None else list(categories[path].categories))
    for note in notes:  # worded as validation words them, the rows by line and partition
        text = note_text(note, (lines.where(code) for code in note.lines))
        warn(f"surveys: {text} (partitioned table)", DataQualityWarning, stacklevel=4)
    found = [part for part in [found, *conflicts] if part is not None and len(part)]
    if found:  # an undeclared level worded as the pandas path words it, its levels named
        raise_failures(pool(found), lines, surveys.npartitions, _RULES if levels is None else
                       {**_RULES, "unknown_code": allowed_text("skill_level", levels)})
    if stats is None or (not declared and len(stats["cells"]) == 0):
        raise SchemaError("surveys: the table has no rows in any cell [empty_table]",
                          reason="empty_table")
    if stats.get("undetailed"):  # as the pandas path words it
        warn(undetailed_text(stats["undetailed"], keys), stacklevel=4)
    cells = stats["cells"]
    estimates = _estimates(cells)
    if design is not None:
        def fail(named: pd.DataFrame) -> None:  # a second pass finds the strata's rows
            found = dask.compute([dask.delayed(_stratum_failures)(part, design, freq, named)
                                  for part in tagged.to_delayed()])[0]
            raise_failures(pool(found), lines, surveys.npartitions, _RULES)

        with collect_warnings() as caught:
            estimates |= design_errors(cells, estimates, stats["blocks"], stats["strata"],
                                       keys, design, lines.where, fail)
        for message in caught:  # the implied design's lonely strata get NaN SEs below
            if declared or "have a single sampled PSU" not in str(message):
                warn(str(message), type(message), stacklevel=4)
        if not declared:
            _lonely_strata_nan(cells, estimates, stats["strata"], design)
    values = None
    if key_values:
        values = stats["values"].assign(line=lines.line(stats["values"]["code"].to_numpy()))
    dtypes = stats.get("dtypes") or {}
    dtypes = dtypes.get("canonical") or dtypes.get("validated")
    return _frame(cells, estimates, keys, levels, declared, dtypes), values, stats.get("parents")


def _lonely_strata_nan(cells: pd.DataFrame, estimates: dict[str, np.ndarray],
                       strata: pd.DataFrame, design: SurveyDesign) -> None:
    """Without a design: NaN SEs for the detail cells of a stratum of one enterprise."""
    on = [*design.strata_columns, "period"]
    left = cells[on].astype({c: object for c in design.strata_columns})
    right = strata[[*strata_prefix(design), "period", "n_psu"]].rename(
        columns=dict(zip(strata_prefix(design), design.strata_columns, strict=True)))
    n_psu = left.merge(right.astype({c: object for c in design.strata_columns}), on=on,
                       how="left")["n_psu"].to_numpy(dtype=np.float64)
    lonely = ~(n_psu >= 2)
    for name in estimates:
        if name.endswith("_se"):
            estimates[name][lonely] = np.nan


def _tag_columns(frame: pd.DataFrame, columns: list[str], partition_info=None) -> pd.DataFrame:
    """:func:`~talentgap.features._distributed_failures.tag` of ``frame[columns]``."""
    return _tag(frame[columns], partition_info)


def _path_column(surveys, used) -> str | None:
    """The column naming each row's file: ``path``, or the column that
    ``dask.dataframe.read_csv(..., include_path_column=...)`` added (a categorical
    of file names); None when there is none."""
    from dask.dataframe.utils import has_known_categories

    for name, dtype in surveys.dtypes.items():
        if name in used or not isinstance(dtype, pd.CategoricalDtype):
            continue
        if not has_known_categories(surveys[name]):
            continue
        files = [str(c) for c in dtype.categories]
        if name == "path" or (files and all(_FILE.search(f) for f in files)):
            return name
    return None


def _known_categories(frame) -> dict[str, pd.CategoricalDtype]:
    """The categorical columns of a Dask frame whose categories its metadata knows."""
    from dask.dataframe.utils import has_known_categories

    return {name: dtype for name, dtype in frame.dtypes.items()
            if isinstance(dtype, pd.CategoricalDtype) and has_known_categories(frame[name])}


def _encode(frame: pd.DataFrame, categories: dict[str, pd.CategoricalDtype]) -> pd.DataFrame:
    """``frame`` with each column of ``categories`` as its codes in the declared dtype.

    The codes of one dtype are equal exactly when the values are, so the shuffle
    and every check after :func:`_decode` see the same values. A partition whose
    categories differ from the frame's metadata is recoded to them; a value the
    metadata does not list is an error, not a missing value.
    """
    out = {}
    for name, dtype in categories.items():
        values = frame[name]
        if not same_dtype(values.dtype, dtype):
            recoded = pd.Categorical(values.astype(object), dtype=dtype)
            lost = (recoded.codes < 0) & values.notna().to_numpy()
            if lost.any():
                raise SchemaError(
                    f"surveys: column {name!r} holds values its Dask metadata does not list "
                    f"as categories [unknown_category], e.g. {values[lost].iloc[0]!r}; call "
                    f".cat.as_unknown() on the column (or cast it to str) before passing "
                    f"the frame", column=name, reason="unknown_category")
            values = pd.Series(recoded, index=frame.index)
        out[name] = values.cat.codes
    return frame.assign(**out)


def _decode(frame: pd.DataFrame, categories: dict[str, pd.CategoricalDtype]) -> pd.DataFrame:
    """The columns :func:`_encode` coded back to their categorical values."""
    if not categories:
        return frame
    return frame.assign(**{
        name: pd.Categorical.from_codes(frame[name].to_numpy(), dtype=dtype)
        for name, dtype in categories.items() if name in frame.columns})


def _frame(stats: pd.DataFrame, estimates: dict[str, np.ndarray], keys: list[str],
           levels: list[str] | None, with_design: bool,
           dtypes: dict | None = None) -> pd.DataFrame:
    """Estimates in the layout of :func:`~talentgap.features.estimate_cells`.

    Each key keeps the dtype the validated rows have (``dtypes``): a categorical
    its categories and their order (unused ones too), other dtypes (an extra
    key read as text or integers) their own; rows are in the order of the
    pandas path, by category codes (else sorted values) of each key, then period.
    """
    out, codes = {}, []
    for key in keys:
        values = stats[key].astype(object)
        dtype = (dtypes or {}).get(key)
        if key == "skill_level" and levels is not None:
            dtype = pd.CategoricalDtype(levels, ordered=True)
        elif dtype is None or (isinstance(dtype, pd.CategoricalDtype)
                               and not set(values.unique()) <= set(dtype.categories)):
            dtype = pd.CategoricalDtype(pd.Index(values.unique()).sort_values())
        if isinstance(dtype, pd.CategoricalDtype):
            out[key] = pd.Categorical(values, dtype=dtype)
            codes.append(out[key].codes)
        else:
            column = values.astype(dtype)
            out[key] = column.array
            codes.append(pd.factorize(column, sort=True)[0])
    order = np.lexsort([stats["period"].array.asi8, *reversed(codes)])
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
    ``surveys`` with the lines of the pandas path. With detail keys, the
    partitions also count the enterprises of each cell of the other keys, so
    a detail cell-period of a surveyed cell with no respondent is 0, not
    missing, as in the pandas path
    (:func:`~talentgap.features._detail_cells.zero_domains`).

    Examples
    --------
    The surveys in three partitions give the panel of the pandas path:

    >>> import dask.dataframe as dd
    >>> import talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=4, seed=1)
    >>> parts = dd.from_pandas(data.surveys, npartitions=3)
    >>> panel = panel_from_partitions(tg.features.build_panel, parts, data.training, freq="Q")
    >>> local = tg.features.build_panel(data.surveys, data.training, freq="Q")
    >>> panel.shape == local.shape, panel["supply"].equals(local["supply"])
    (True, True)
    >>> bool(np.allclose(panel["demand_se"], local["demand_se"], rtol=1e-9, equal_nan=True))
    True
    """
    keys = key_list(keys, time="period")
    freq = normalize_freq(freq)  # as build_panel: a frequency is required, before any work
    crosswalk = options.get("crosswalk")
    fed = None  # occupations trained for: rows with vacancies for others fail, as in build
    if (crosswalk is not None and "occupation" in keys
            and crosswalk_target(crosswalk) == "occupation"):
        fed = fed_occupations(crosswalk)
    levels = skill_levels_of(options.get("skill_levels"))  # checked on the rows, as in build
    codes = options.pop("codes", "warn")  # the code check needs the rows: run below
    cells, values, parents = _estimate(
        surveys, keys=keys, freq=freq, weight="weight", design=design,
        skill_levels=levels if "skill_level" in surveys.columns else None, fed=fed,
        key_values=codes != "ignore" and (training is not None or employment is not None))
    cells = detail_cell_columns(cells, keys)  # the names build gives detail-key panels
    placeholder = cells[[*keys, "period"]].assign(
        enterprise_id=[f"cell{i}" for i in range(len(cells))], employees=1, vacancies=1,
        hard_to_fill=0, reports_shortage=False, weight=1.0)
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
    empty = ~hit
    if parents is not None:  # a detail cell of a surveyed stratum with no respondent: 0
        on = [*(k for k in keys if k not in detail_keys(keys)), "period"]
        found = panel[on].astype({k: object for k in on[:-1]}).merge(
            parents.astype({k: object for k in on[:-1]}), on=on, how="left")[
            "enterprises"].to_numpy(dtype=np.float64)
        where = empty & (found > 0)
        if "rows_missing" in panel.columns:  # cells only ``cells`` names stay missing
            where &= ~panel["rows_missing"].to_numpy()
        columns = {name: panel[name].to_numpy(copy=True) for name in survey_columns}
        zero_domains(columns, where, unknown=(found < 2) if design is None else None)
        for name, values in columns.items():
            panel[name] = values
        empty &= ~where
    panel["demand_missing"] = empty
    panel["gap"] = panel["demand"] - panel["supply"]
    return panel
