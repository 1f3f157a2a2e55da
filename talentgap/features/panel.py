"""The cell x period panel: demand, supply and gap on a complete regular grid.

:func:`build_panel` joins the survey estimates (demand side), the training
supply and, optionally, employment counts into one long table with every
cell x period in range present exactly once. Cell-periods without data are
kept with NaN values and an explicit ``*_missing`` flag; nothing is filled
unless the caller asks for it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap.errors import ParameterError
from talentgap.features._calibrated_variance import calibration_margins
from talentgap.features._detail_cells import (
    detail_keys,
    detail_rows,
    detail_strata,
    stratum_enterprises,
    warn_undetailed,
    zero_domains,
)
from talentgap.features._groups import group_rows
from talentgap.features._inputs import canonical_table, spread_codes, surveys_table
from talentgap.features._panel_grid import (
    cell_codes,
    common_categories,
    grid_columns,
    scatter,
    sorted_unique,
    survey_cells,
)
from talentgap.features._supply_fill import supply_fill_span
from talentgap.features._survey_columns import warn_unused_survey_columns
from talentgap.features._survey_moments import detail_cell_columns
from talentgap.features.codes import verify_codes
from talentgap.features.coverage import check_coverage
from talentgap.features.crosswalk import crosswalk_target
from talentgap.features.design import SurveyDesign, mark_design
from talentgap.features.distributed import is_dask_frame, panel_from_partitions
from talentgap.features.skill_levels import check_skill_levels, skill_levels_of, skilled_employment
from talentgap.features.supply import training_supply
from talentgap.features.survey import check_key_names, estimate_arrays
from talentgap.periods import check_same_freq, normalize_freq

__all__ = ["build_panel", "input_cells"]

_SURVEY_COLUMNS = [
    "n_respondents", "demand", "demand_se", "shortage_rate", "shortage_rate_se",
    "vacancy_rate", "vacancy_rate_se", "ssv_density", "ssv_density_se", "enterprises",
    "employees", "vacancies", "single_respondent",
]
#: With a design, also carried: the take-all flag and the degrees of freedom of each SE.
_DESIGN_COLUMNS = ["take_all", *(c.replace("_se", "_df") for c in _SURVEY_COLUMNS
                                 if c.endswith("_se"))]
_SUPPLY_COLUMNS = ["supply", "trained", "certified", "pass_rate"]
_EMPLOYMENT_COLUMNS = ["employment", "skilled", "high_skilled"]
_OUTPUT_COLUMNS = [*_SURVEY_COLUMNS, *_DESIGN_COLUMNS, *_SUPPLY_COLUMNS, *_EMPLOYMENT_COLUMNS,
                   "gap", "demand_missing", "supply_missing", "employment_missing",
                   "rows_missing"]


def _employment_cells(employment: pd.DataFrame, keys: list[str], freq: str) -> pd.DataFrame:
    table = canonical_table(employment, "employment", freq=freq)
    missing = [k for k in keys if k not in table.columns]
    if missing:
        raise ParameterError(
            f"the employment table has no column {missing[0]!r}, which is a panel key; "
            "pass employment broken down by every key, or build the panel without it"
        )
    present = [c for c in _EMPLOYMENT_COLUMNS if c in table.columns]
    return table.groupby([*keys, "period"], observed=True, sort=False)[present].sum().reset_index()


def input_cells(reports, keys: Sequence[str] = ("region", "industry")) -> pd.DataFrame:
    """The cells of every input row, kept or rejected, from the tables' data-quality reports.

    The ``cells`` to pass to :func:`build_panel` after validating with
    ``errors="report"`` (or skipping invalid rows): a cell whose rows were
    all rejected still has its key values in its report
    (:attr:`~talentgap.schema.DataQualityReport.row_keys`), so the panel
    keeps it, with missing values, instead of losing it.

    Parameters
    ----------
    reports : iterable of DataQualityReport
        One per table. A report without ``row_keys`` or without one of the
        key columns (an employment table with no ``skill_level``) names no
        cell; neither does a row whose key value is blank or was itself
        rejected (a value the kept rows cannot share).
    keys : sequence of str, default ("region", "industry")
        The panel's key columns.

    Returns
    -------
    pandas.DataFrame
        The key columns, one row per distinct cell, in first-seen order.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.schema import validate
    >>> raw = pd.DataFrame({"period": ["2024Q1", "2024Q1"], "region": ["A", "B"],
    ...                     "industry": ["textiles", "textiles"], "trained": [10, 20],
    ...                     "certified": [5, 30]})
    >>> clean, report = validate(raw, table="training", errors="report")
    >>> clean["region"].tolist(), input_cells([report])["region"].tolist()
    (['A'], ['A', 'B'])
    """
    keys = list(keys)
    found = []
    for report in reports:  # a loop over the input tables
        rows = getattr(report, "row_keys", None)
        if rows is None or any(k not in rows.columns for k in keys):
            continue
        named = rows[keys].notna().all(axis=1).to_numpy()
        cases = report.rejected
        if cases is not None and len(cases) and "line" in rows.columns:
            bad = cases.loc[cases["column"].isin(keys), "line"].to_numpy()
            named = named & ~np.isin(rows["line"].to_numpy(), bad)
        found.append(rows.loc[named, keys].astype(object))
    if not found:
        return pd.DataFrame(columns=keys)
    return pd.concat(found, ignore_index=True).drop_duplicates(ignore_index=True)


def _declared_cells(cells: pd.DataFrame, keys: list[str], levels) -> pd.DataFrame:
    """The distinct cells of ``cells``: its key columns, rows with a blank key left out."""
    if not isinstance(cells, pd.DataFrame):
        raise ParameterError(f"cells must be a DataFrame with the key columns {keys}, "
                             f"got {type(cells).__name__}")
    missing = [k for k in keys if k not in cells.columns]
    if missing:
        raise ParameterError(f"cells has no column {missing[0]!r}, which is a panel key; "
                             f"pass one row per cell with the key columns {keys}")
    table = cells[keys]
    if levels is not None and "skill_level" in keys:
        check_skill_levels(table, levels, name="cells", columns=("skill_level",))
    named = table.notna().all(axis=1).to_numpy()
    return table[named].drop_duplicates(ignore_index=True)


def build_panel(
    surveys: pd.DataFrame,
    training: pd.DataFrame | None = None,
    employment: pd.DataFrame | None = None,
    *,
    freq: str = "Q",
    keys: Sequence[str] = ("region", "industry"),
    lead_time: int | pd.DataFrame = 0,
    absorption: float | pd.DataFrame = 1.0,
    crosswalk: pd.DataFrame | None = None,
    start=None,
    end=None,
    supply_fill: float | None = None,
    design: SurveyDesign | None = None,
    codes: str = "warn",
    skill_levels=None,
    cells: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Build the regular long panel of demand, supply and gap per cell and period.

    Parameters
    ----------
    surveys : pandas.DataFrame
        The ``surveys`` table (raw or validated), or a Dask DataFrame of it,
        whose rows stay on the workers (``talentgap.features.distributed``).
    training : pandas.DataFrame, optional
        The ``training`` table; without it supply and gap are missing.
    employment : pandas.DataFrame, optional
        The ``employment`` table, summed to the panel's keys.
    freq : {"Y", "Q", "M"}, default "Q"
        Period frequency of the inputs.
    keys : sequence of str, default ("region", "industry")
        Columns that define a cell.
    lead_time, absorption, crosswalk
        Passed to :func:`talentgap.features.training_supply`. The
        ``absorption`` (share of certified trainees who take jobs in their
        trade) is the one a plan on this panel's forecast should use too
        (``absorption=`` of :func:`talentgap.planning.allocate_quotas`):
        nothing checks that the two agree, and a panel at 1.0 under a plan
        at 0.85 counts past cohorts in full. A
        ``program, occupation, share`` crosswalk spreads the training output
        over the occupations each programme trains for (a panel keyed by
        ``occupation``); survey rows with vacancies for an occupation it
        does not name are then a :class:`~talentgap.errors.SchemaError`
        (rule ``not_in_crosswalk``, see
        :func:`talentgap.features.coverage.check_coverage`).
    start, end : period-like, optional
        First and last period of the panel (default: the survey's range).
    supply_fill : float, optional
        Value for cell-periods no training output reaches (for example 0:
        no training row means that no one certified there). By default they
        stay NaN. It fills only the cell-periods the training table speaks
        for (``talentgap.features._supply_fill``): from the first period any training
        output reaches, and in each cell from the first period its demand
        or supply is observed. Earlier periods stay NaN: before the first
        arrival the table holds no record at all (the certified workers of
        those periods trained before it starts), and before a cell is first
        observed (a new trade) it has no series to fill, so neither the
        supply nor the gap series starts with invented values.
        ``supply_missing`` flags every cell-period without training output,
        filled or not.
    design : SurveyDesign, optional
        The surveys' sampling design; the survey columns and their ``*_se``
        are then design-based, each cell-period a domain of its period's
        design, exactly as :func:`talentgap.features.estimate_cells` with the
        same ``design`` gives them (also when ``start``/``end`` cut periods
        off), with its ``take_all`` flag and the degrees of freedom
        ``demand_df``, ``shortage_rate_df``, ``vacancy_rate_df`` and
        ``ssv_density_df``. :func:`talentgap.features.shrink` (which keeps
        take-all cells) and :func:`talentgap.features.confidence_interval`
        (``t`` quantiles on those degrees of freedom) then give the answers
        they give on the ``estimate_cells`` output. Weights from
        :func:`~talentgap.features.calibrate_weights` (whose margins the
        table records in ``attrs``) give the calibration standard errors,
        as ``estimate_cells`` does.
    codes : {"warn", "raise", "ignore"}, default "warn"
        What to do when a key value of the training or employment table
        looks like a survey value written differently (letter case,
        surrounding spaces, full-width characters, a one-letter typo), which
        would split one cell in two: warn with every such value, its lines
        and a suggestion, raise :class:`~talentgap.errors.SchemaError`, or
        skip the check (see :func:`talentgap.features.codes.verify_codes`).
        Values with no look-alike (training for an industry not surveyed
        yet) are legitimate and pass.
    skill_levels : SkillLevels or sequence of str, optional
        The declared skill levels (:class:`talentgap.features.SkillLevels`;
        a bare sequence is the order, lowest first). A ``skill_level`` key
        then keeps the declared order (an ordered categorical) instead of
        the alphabetical one, a level of any table outside it is a
        :class:`~talentgap.errors.SchemaError` (rule ``unknown_code``, with
        the table, column and lines), and an employment table by skill
        level gets ``skilled`` and ``high_skilled`` derived from its levels
        (see :func:`talentgap.features.skilled_employment`). Training rows
        count as supply of their own ``skill_level`` when it is a key; in
        cells without a level key, upgrade training from a skilled level
        (a ``from_level`` not declared unskilled; any non-blank
        ``from_level`` without declared levels) is left out of the supply,
        as its workers already hold jobs in the cell
        (:func:`talentgap.features.training_supply`).
    cells : pandas.DataFrame, optional
        The complete set of cells: one row per cell with the key columns
        (other columns, such as ``period``, are ignored; repeated cells and
        rows with a blank key are fine). Every cell it names is in the panel
        for every period, also when no row of the surveys, training or
        employment table is in it: its values are then missing, its
        ``demand_missing`` and ``supply_missing`` flags True, and the
        ``rows_missing`` column (added only when ``cells`` is given) says
        so. Cells of the tables it does not name are kept too. Typical use:
        the cells of every input row, kept or rejected as invalid, so that a
        cell whose survey rows were all rejected still shows, with missing
        demand, instead of vanishing (the command line passes these).

    Returns
    -------
    pandas.DataFrame
        One row per cell x period for every cell seen in the surveys or
        the training table and every period from ``start`` to ``end``,
        sorted by ``keys`` then ``period``. Columns:

        ``<keys>``, ``period``
            The cell and period.
        ``demand``, ``demand_se``
            Design-weighted hard-to-fill vacancies and standard error (see
            :func:`talentgap.features.estimate_cells`, whose other
            indicators — ``shortage_rate``, ``vacancy_rate``,
            ``ssv_density``, ``enterprises``, ``employees``, ``vacancies``
            and their ``*_se`` — are carried along; with an ``occupation``
            or ``skill_level`` key, under its names: ``reporting_enterprises``,
            ``reporting_employees``, no ``vacancy_rate``).
        ``n_respondents``
            0 where the cell was not surveyed in that period, or (a cell
            keyed by ``occupation`` or ``skill_level``) where no enterprise
            reported vacancies in it: if the cell of the other keys was
            surveyed, that is a domain of size 0, with ``demand``,
            ``vacancies`` and the reporting totals 0 and their SEs 0 (NaN in
            a stratum of one enterprise without a design), the ratios and
            their SEs NaN, and ``demand_missing`` False.
        ``take_all``, ``demand_df``, ``shortage_rate_df``, ``vacancy_rate_df``, ``ssv_density_df``
            Only with ``design``, as in
            :func:`talentgap.features.estimate_cells`: True where every
            respondent is in a take-all stratum (False where the cell was not
            surveyed), and the Satterthwaite degrees of freedom of each SE
            (NaN where the SE is 0 or the cell was not surveyed).
        ``supply``, ``trained``, ``certified``, ``pass_rate``
            Certified workers arriving (x absorption), from the training table.
        ``gap``
            ``demand - supply`` (positive = shortage); NaN if either is missing.
        ``employment``, ``skilled``, ``high_skilled``
            When ``employment`` is given.
        ``demand_missing``, ``supply_missing``, ``employment_missing``
            True where the value is not observed (for ``demand``: the cell,
            or with detail keys the cell of the other keys, was not surveyed
            in the period).
        ``rows_missing``
            Only with ``cells``: True for every period of a cell that only
            ``cells`` names (no row of any table is in it).

    Raises
    ------
    SchemaError
        If an input table breaks its schema, or the design columns a
        design rule; with ``codes="raise"``, if key values are written
        differently across tables.
        If a table holds fiscal periods (``period[Q-MAR]``,
        ``period[Y-JUN]``): its validation refuses each row (rule
        ``bad_period``) with its calendar period and the conversion, e.g.
        ``df["period"].dt.asfreq("Q-DEC", how="end")``, so tables are never
        joined across frequencies (which pandas numbers differently).
    ParameterError
        If a key is missing from a table (for example ``skill_level`` from
        the training table of a panel keyed by it, or from ``cells``) or names a column of the
        panel (for example ``keys=["employees"]``), ``start`` is after
        ``end``, the design is malformed or ``skill_levels`` is.

    Warns
    -----
    DataQualityWarning
        With ``codes="warn"``, if key values are written differently across
        tables.

    Examples
    --------
    >>> import talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=6, seed=1)
    >>> panel = build_panel(data.surveys, data.training, data.employment, lead_time=1)
    >>> per_cell = panel.groupby(["region", "industry"], observed=True).size()
    >>> len(panel), int(per_cell.min()), int(per_cell.max())
    (24, 6, 6)
    >>> bool(panel["supply_missing"].iloc[0]), bool(panel["supply_missing"].iloc[1])
    (True, False)

    A cell no table has a row for (here: every survey row of it was
    rejected) stays in the panel when ``cells`` names it:

    >>> every = data.surveys[["region", "industry"]]
    >>> kept = data.surveys[data.surveys["region"] != data.surveys["region"].iloc[0]]
    >>> panel = build_panel(kept, cells=every)
    >>> lost = panel[panel["rows_missing"]]
    >>> len(lost), bool(lost["demand_missing"].all()), bool(lost["demand"].isna().all())
    (12, True, True)
    """
    keys = check_key_names(keys, _OUTPUT_COLUMNS, "build_panel")
    warn_unused_survey_columns(surveys, design=design)
    if is_dask_frame(surveys):  # survey estimates from per-partition sums on the cluster
        return mark_design(detail_cell_columns(panel_from_partitions(
            build_panel, surveys, training, employment, freq=freq, keys=keys,
            lead_time=lead_time, absorption=absorption, crosswalk=crosswalk, start=start,
            end=end, supply_fill=supply_fill, design=design, codes=codes,
            skill_levels=skill_levels, cells=cells), keys), design)
    freq = normalize_freq(freq)
    levels = skill_levels_of(skill_levels)
    table = surveys_table(surveys, freq=freq, keys=keys, blank_details=True,
                          skill_levels=levels if levels and "skill_level" in surveys else None)
    if levels is not None and training is not None:
        check_skill_levels(training, levels, name="training")
    if (crosswalk is not None and "occupation" in keys
            and crosswalk_target(crosswalk) == "occupation"):
        check_coverage(surveys, crosswalk)
    inside = detail_rows(table, keys)  # blank detail or no vacancies: in no detail cell
    warn_undetailed(table, keys, "weight")
    groups = group_rows(table if inside is None else table[[*keys, "period"]].iloc[inside],
                        [*keys, "period"])
    surveyed, groups_per_cell, step, cell_numbers = survey_cells(groups, keys)
    declared = None if cells is None else _declared_cells(cells, keys, levels)
    # Each other part: the (keys, period) of its rows, its value columns, its missing flag.
    parts: list[tuple[pd.DataFrame, dict[str, np.ndarray], str]] = []
    if training is not None:
        supply = training_supply(training, keys=keys, freq=freq, lead_time=lead_time,
                                 absorption=absorption, crosswalk=crosswalk,
                                 skill_levels=levels)
        parts.append((supply, {c: supply[c].to_numpy() for c in _SUPPLY_COLUMNS},
                      "supply_missing"))
    if employment is not None:
        if levels is not None and "skill_level" in employment.columns:
            employment = skilled_employment(employment, skill_levels=levels, keys=None,
                                            freq=freq)
        jobs = _employment_cells(employment, keys, freq)
        columns = {c: jobs[c].to_numpy() for c in _EMPLOYMENT_COLUMNS if c in jobs.columns}
        parts.append((jobs, columns, "employment_missing"))
    verify_codes({"surveys": table, "training": training, "employment": employment},
                 keys=keys, codes=codes)
    # Rows land on the grid by period ordinal, which pandas counts per frequency.
    check_same_freq({"surveys": table["period"],
                     "training": supply["period"] if training is not None else None,
                     "employment": jobs["period"] if employment is not None else None},
                    action="joining them into the panel")

    survey_periods = groups.labels[-1]  # first to last surveyed period
    first = pd.Period(start, freq=freq) if start is not None else survey_periods[0]
    last = pd.Period(end, freq=freq) if end is not None else survey_periods[-1]
    if first > last:
        raise ParameterError(f"start {first} is after end {last}")
    periods = pd.period_range(first, last, freq=freq)

    # Cells: every key combination seen in the surveys or the training table, or declared.
    frames = [surveyed] + ([supply] if training is not None else [])
    others = [] if declared is None else [declared]
    dtypes = {k: common_categories(frames + others, k) for k in keys}
    if levels is not None and "skill_level" in dtypes:
        dtypes["skill_level"] = levels.dtype  # the declared order, not the alphabet
    frame_codes = [cell_codes(f, keys, dtypes) for f in frames]
    declared_codes = [cell_codes(f, keys, dtypes) for f in others]
    cell_ids = sorted_unique(np.concatenate(frame_codes + declared_codes))
    n_cells, n_periods = cell_ids.size, len(periods)

    panel = grid_columns(cell_ids, keys, dtypes, periods)  # dict of columns, built up below
    size = n_cells * n_periods
    named = None
    if declared is not None:  # cells no table has a row for: only ``cells`` names them
        named = np.zeros(n_cells + 1, dtype=bool)
        rest = [cell_codes(f, keys, dtypes) for f, _, _ in parts[len(frames) - 1:]]
        for codes in [*frame_codes, *rest]:  # a loop over the tables
            named[np.searchsorted(cell_ids, codes[codes >= 0])] = True
        named = named[:n_cells]

    # Survey estimates: each row goes straight to its grid slot, so the sums
    # come out in grid order. Rows outside the period range go to one extra
    # slot, dropped at the end.
    shift = survey_periods[0].ordinal - first.ordinal
    step += shift
    first_slot = np.searchsorted(cell_ids, frame_codes[0]) * n_periods  # per surveyed cell
    slot_of_group = np.repeat(first_slot, groups_per_cell)
    slot_of_group += step
    outside = (step < 0) | (step >= n_periods)
    row_slots = None
    if outside.any():
        slot_of_group[outside] = size
    else:  # every row's slot is its cell's first slot + its period step: no gather per row
        first_of_cell = np.zeros(int(cell_numbers[-1]) + 1 if cell_numbers.size else 0,
                                 dtype=np.int64)
        first_of_cell[cell_numbers] = first_slot
        row_slots = groups.map_rows_by_last(first_of_cell, shift)
    n = np.zeros(size + 1)
    n[slot_of_group] = groups.counts
    n[size] = 0  # the slot of every group outside the range
    if row_slots is None:
        row_slots = groups.map_rows(slot_of_group)
    row_slots = spread_codes(row_slots, inside, len(table), size)
    wanted = _SURVEY_COLUMNS if design is None else [*_SURVEY_COLUMNS, *_DESIGN_COLUMNS]
    margins = calibration_margins(surveys, None, weight="weight", function="build_panel")
    estimates = estimate_arrays(table, row_slots, n, columns=wanted, design=design,
                                calibration=margins,
                                strata=None if design is not None else detail_strata(table, keys))
    estimates = {name: values[:size] for name, values in estimates.items()}
    empty = n[:size] == 0
    if detail_keys(keys) and empty.any():  # looked and found none: 0, not missing
        found = _surveyed_parents(table, keys, dtypes, cell_ids, first, n_periods, named)
        zero_domains(estimates, empty & (found > 0),
                     unknown=(found < 2) if design is None else None)
        empty &= found == 0
    panel.update(estimates)
    panel["demand_missing"] = empty

    for index, (frame, columns, flag) in enumerate(parts, start=1):
        codes = frame_codes[index] if index < len(frames) else cell_codes(frame, keys, dtypes)
        cell = np.minimum(np.searchsorted(cell_ids, codes), n_cells - 1)
        step = frame["period"].array.asi8 - first.ordinal
        inside = (cell_ids[cell] == codes) & (step >= 0) & (step < n_periods)
        position = cell[inside] * n_periods + step[inside]
        if position.size == size and inside.all() and (np.diff(position) == 1).all():
            # rows already are the grid, in grid order
            panel.update(columns)
            panel[flag] = np.zeros(size, dtype=bool)
            continue
        for name, values in columns.items():
            panel[name] = scatter(values[inside], position, size)
        panel[flag] = ~scatter(np.ones(position.size, dtype=bool), position, size)
    if training is None:
        panel["supply"] = np.full(size, np.nan)
        panel["supply_missing"] = np.ones(size, dtype=bool)
    if supply_fill is not None:  # within the training table's reach and the cell's span
        fill = panel["supply_missing"] & supply_fill_span(
            np.repeat(np.arange(n_cells), n_periods),
            np.tile(np.arange(n_periods), n_cells), ~panel["demand_missing"],
            ~panel["supply_missing"])
        panel["supply"] = np.where(fill, supply_fill, panel["supply"])
    panel["gap"] = panel["demand"] - panel["supply"]
    if named is not None:
        panel["rows_missing"] = np.repeat(~named, n_periods)
    # copy=False: the columns are fresh arrays; skip consolidating them into one block.
    return mark_design(detail_cell_columns(pd.DataFrame(_order_columns(panel, keys), copy=False),
                                           keys), design)


def _surveyed_parents(table: pd.DataFrame, keys: list[str], dtypes: dict, cell_ids: np.ndarray,
                      first: pd.Period, n_periods: int, seen: np.ndarray | None) -> np.ndarray:
    """Per grid slot, the enterprises surveyed in its cell of the keys other than details.

    0 where that cell was not surveyed in the period, and for cells not
    ``seen`` (named only by ``cells``). Enterprises are counted per period.
    """
    others = [k for k in keys if k not in detail_keys(keys)]
    digits, remainder = {}, cell_ids
    for key in reversed(keys):
        remainder, digits[key] = np.divmod(remainder, len(dtypes[key].categories))
    parent = np.zeros(cell_ids.size, dtype=np.int64)
    for key in others:
        parent = parent * len(dtypes[key].categories) + digits[key]
    step = table["period"].array.asi8 - first.ordinal
    row_parent = cell_codes(table, others, dtypes)
    row_slot = np.where((row_parent >= 0) & (step >= 0) & (step < n_periods),
                        row_parent * n_periods + step, -1)
    found = stratum_enterprises(table, row_slot, np.repeat(parent * n_periods, n_periods)
                                + np.tile(np.arange(n_periods, dtype=np.int64), cell_ids.size))
    if seen is not None:
        found[~np.repeat(seen, n_periods)] = 0
    return found


def _order_columns(panel: dict, keys: list[str]) -> dict:
    first = [*keys, "period", "demand", "demand_se", "supply", "gap"]
    flags = [c for c in panel if c.endswith("_missing")]
    rest = [c for c in panel if c not in first and c not in flags]
    return {c: panel[c] for c in [c for c in first if c in panel] + rest + flags}
