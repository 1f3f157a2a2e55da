"""Survey weights after enterprise-periods were left out as invalid (unit non-response).

When rows of the surveys are skipped as invalid, the whole enterprise-period
goes (rule ``group_incomplete``, :func:`talentgap.schema.reject_incomplete_groups`):
for the estimates it is a respondent that did not answer. The design weights
of the others still add up to the sample without it, so every total of its
class is short by the dropped unit's weight. :func:`adjust_nonresponse`
applies the standard weighting-class adjustment (Kalton & Flores-Cervantes
2003; Lohr, *Sampling*, 2019, section 8.5): within each class (a stratum
within a cell, or the cell, in one period) the kept units' weights are
multiplied by ``sum(all weights) / sum(kept weights)``, so the class's weight
total is the one the sample had. Classes never cross an estimation cell: a
respondent stands only for enterprises of its own cell. A class that kept no
unit is collapsed into a broader class of the same cell-period (its stratum
columns dropped from the right, never the cell's keys); a cell-period that
kept no unit at all has no survey estimate, and its weight is carried by no
one. Under a design with PSUs the classes are the same (cell x strata):
a PSU that spans cells (an industrial park holding several industries)
has its enterprises adjusted by the factors of their own cells, so its
weights may differ within it. The PSU column serves the variance only:
the Taylor-linearised variance sums ``w_i y_i`` over each PSU and needs no
equal weights inside it (R ``survey``'s ``svydesign(ids=~psu,
weights=~w)`` takes element weights as they are).

Variance: the standard errors computed on the adjusted weights treat them as
design weights, with ``n`` the kept units; the variability of the factor
itself is ignored. That is about right when units drop out at random within
their class, and understates the error when rows break for reasons linked
to the values they hold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._arguments import key_list
from talentgap.errors import ParameterError, warn
from talentgap.features.design import SurveyDesign
from talentgap.schema import DETAIL_COLUMNS

__all__ = ["adjust_nonresponse", "describe_nonresponse", "NONRESPONSE_COLUMNS", "CELL_KEYS",
           "ADJUSTED_MARK"]

#: Columns of the per-class table of :func:`adjust_nonresponse` after the class columns.
NONRESPONSE_COLUMNS = ("enterprises", "enterprises_kept", "weight_total", "weight_kept",
                       "weight_lost_share", "factor", "weights_imputed",
                       "weights_not_positive", "collapsed_into")

#: The enterprise-level keys of the estimation cells, by default.
CELL_KEYS = ("region", "industry")

#: ``attrs`` key set on a table whose weights :func:`adjust_nonresponse` changed.
ADJUSTED_MARK = "nonresponse_adjusted"

#: Factors above this (more than half of a class's weight carried for left-out units) warn.
LARGE_FACTOR = 2.0

_UNIT = ["enterprise_id", "period"]


def adjust_nonresponse(clean: pd.DataFrame, report, *, by: Sequence[str] | None = None,
                       cells: Sequence[str] | None = None,
                       raw: pd.DataFrame | None = None, weight: str = "weight",
                       design: SurveyDesign | None = None
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reweight the kept survey respondents for the enterprise-periods left out.

    Within each class (the ``cells`` keys, the ``by`` columns and the
    period), the weights of the kept enterprise-periods are multiplied by
    ``W_all / W_kept``: the weights of every enterprise-period of the class
    over those kept, so that the class's weight total (the enterprises it
    represents) is the one the sample had. Units are enterprise-periods; the
    rows of one unit (long form) share its weight.

    Classes never cross an estimation cell: the cell's keys are always class
    columns, so a respondent stands only for enterprises of its own cell and
    period. A class that kept no unit is collapsed into a broader class of
    the same cell-period: its ``by`` columns are dropped from the right
    (``region x industry x size_band`` -> ``region x industry``) until the
    broader class has kept units, and that whole class is adjusted with one
    factor (Kalton & Flores-Cervantes 2003, section 4). A cell-period that
    kept no unit at all is not collapsed further: its weight is carried by
    no one, it has no survey estimate (its cell-period is missing, flagged
    ``demand_missing`` in :func:`talentgap.features.build_panel`), and its
    rows in the class table have ``factor`` NaN.

    The standard errors later computed on the adjusted weights treat them
    as design weights with ``n`` the kept units: the variability of the
    factors is ignored. That is about right when units drop out at random
    within their class, not when rows break for reasons linked to their
    values.

    Parameters
    ----------
    clean : pandas.DataFrame
        The kept survey rows, as :func:`talentgap.schema.validate` with
        ``errors="report"`` (or :func:`talentgap.schema.reject_incomplete_groups`)
        returned them.
    report : DataQualityReport
        Its report (its ``row_keys`` say which input row belongs to which unit).
    by : sequence of str, optional
        Columns that split a cell's class further, besides the period
        (never ``occupation`` or ``skill_level``, which split an
        enterprise's rows; ``()``: the cell alone). Default: the strata of
        ``design`` when it declares some, otherwise ``()``.
    cells : sequence of str, optional
        The keys of the estimation cells (default ``("region",
        "industry")``, those of them that are columns of ``clean``). The
        detail columns ``occupation`` and ``skill_level`` among them are
        left out: an enterprise-period is kept or left out whole, with all
        its detail rows, so its class is the one of its enterprise-level keys.
    raw : pandas.DataFrame, optional
        The input table ``report`` describes, as given to ``validate``. A
        left-out unit's own weight is read as parsed from the report's
        ``row_keys`` (``validate`` keeps every input row's weight there, so
        the command line, which reads files, needs no ``raw``), else from
        ``raw``; class columns outside the report's keys are read from
        ``raw``. A weight the input gives as a number <= 0 (rule
        ``not_positive``: the schema requires a design weight > 0) stands
        for no enterprise: that unit adds 0 to its class's total and is
        counted in ``weights_not_positive``. Only where a left-out unit's
        weight cannot be read at all (missing or not a number in every row
        of the unit, or neither source has the column) is it imputed: the
        mean kept weight of its class, counted in ``weights_imputed``. A
        table without a weight column has weight 1 everywhere and needs no
        ``raw``.
    weight : str, default "weight"
        The design-weight column.
    design : SurveyDesign, optional
        The sampling design the weights belong to: its strata are the
        default ``by``. Its PSUs take no part in the classes: a PSU whose
        enterprises lie in several cells (or ``by`` classes) is adjusted
        class by class, so its weights may then differ within it. The
        design-based standard errors of
        :func:`talentgap.features.estimate_cells` with the same ``design``
        take such weights as they are: they sum ``w_i y_i`` over each PSU
        and need no equal weights inside it.
        ``adjusted.attrs["nonresponse_adjusted"]`` is set when a
        weight changed, which :func:`talentgap.features.calibrate_weights`
        reads (its rule that the weights agree within each PSU, under a
        design with ``psu`` and ``fpc``, is about the design weights before
        this adjustment).

    Returns
    -------
    adjusted : pandas.DataFrame
        ``clean`` with the weights of the classes that lost units multiplied
        by their factor (a ``weight`` column is added, 1 x factor, when the
        table had none); other rows unchanged.
    classes : pandas.DataFrame
        One row per class that lost a unit: the class columns (the cell keys,
        then ``by``), ``period``, ``enterprises`` (units in the sample),
        ``enterprises_kept``, ``weight_total`` (``W_all``), ``weight_kept``
        (``W_kept``, before the adjustment), ``weight_lost_share`` (``1 -
        W_kept / W_all``, on 0-1), ``factor`` (the factor applied to the
        class's kept units: ``W_all / W_kept`` of the class, or of the
        broader class of its cell it was collapsed into; NaN where its
        cell-period kept no unit), ``weights_imputed`` (left-out units whose
        weight was imputed: the mean kept weight of the class, or of the
        broader class; ``weight_total`` is NaN where such a unit has no kept
        unit to take a mean from), ``weights_not_positive`` (left-out units
        whose weight was given as a number <= 0, counted as 0) and
        ``collapsed_into`` (the broader class, e.g. ``"region=North,
        industry=textiles, any size_band, 2024Q1"``, for a class that kept no
        unit and for the classes it joined; ``""`` otherwise). Left-out rows
        whose period, enterprise or class could not be read, or was rejected
        by validation (a region ``' North '`` with spaces names no class), are
        in no class: they adjust no weight and are counted in
        ``classes.attrs["unassigned"]``. ``classes.attrs["by"]`` holds the
        class columns, ``classes.attrs["cells"]`` how many of them are the
        cell's keys.

    Raises
    ------
    ParameterError
        If ``clean`` and ``report`` do not belong together (``clean``'s rows
        are matched to the report's kept rows by index label, so they may be
        reordered but not re-indexed or filtered), a ``by`` or ``cells``
        column is missing, or ``raw`` is not the table ``report`` describes.

    Warns
    -----
    DataQualityWarning
        When a factor exceeds 2 (more than half of a class's weight is
        carried by the kept units for the left-out ones), naming the classes.

    Examples
    --------
    >>> import pandas as pd
    >>> import talentgap as tg
    >>> raw = pd.DataFrame({
    ...     "period": "2024Q1", "enterprise_id": ["E1", "E2", "E3", "E4"],
    ...     "region": "North", "industry": "textiles", "employees": 50,
    ...     "vacancies": 4, "hard_to_fill": ["2", "1", "x", "3"],
    ...     "reports_shortage": True, "weight": [2.0, 3.0, 5.0, 4.0]})
    >>> clean, report = tg.schema.validate(raw, table="surveys", errors="report")
    >>> adjusted, classes = adjust_nonresponse(clean, report, raw=raw)
    >>> adjusted["weight"].tolist()          # x (2 + 3 + 5 + 4) / (2 + 3 + 4)
    [3.111111111111111, 4.666666666666667, 6.222222222222222]
    >>> columns = ["enterprises", "enterprises_kept", "weight_lost_share"]
    >>> classes[columns].round(3).to_dict("records")
    [{'enterprises': 4, 'enterprises_kept': 3, 'weight_lost_share': 0.357}]

    A cell whose every respondent was left out keeps no estimate; another
    cell's respondents do not stand for it:

    >>> raw["region"] = ["North", "North", "South", "North"]
    >>> clean, report = tg.schema.validate(raw, table="surveys", errors="report")
    >>> adjusted, classes = adjust_nonresponse(clean, report)
    >>> adjusted["weight"].tolist()
    [2.0, 3.0, 4.0]
    >>> classes[["region", "enterprises_kept", "factor"]].to_dict("records")
    [{'region': 'South', 'enterprises_kept': 0, 'factor': nan}]
    """
    keys = getattr(report, "row_keys", None)
    if keys is None or int(keys["kept"].sum()) != len(clean):
        raise ParameterError("clean and report do not belong together: pass the two results "
                             "of one validate(..., errors='report') (or "
                             "reject_incomplete_groups) call")
    if raw is not None and len(raw) != len(keys):
        raise ParameterError(f"raw has {len(raw)} rows, the report {len(keys)}: pass the "
                             "table given to validate")
    cell_keys = _cell_keys(clean, cells)
    by = [c for c in key_list(_default_classes(design) if by is None else by, name="by")
          if c not in cell_keys]
    columns = [*cell_keys, *by]  # the class columns: the cell's keys first, never collapsed
    missing = [c for c in columns if c not in clean.columns]
    if missing:
        raise ParameterError(f"the surveys have no column {missing[0]!r} to form the "
                             "weighting classes; pass by= (and cells=) columns of the table")
    kept = keys["kept"].to_numpy(dtype=bool)
    aligned = clean.iloc[_kept_order(clean, keys.index[kept])]  # in the report's row order
    out = clean.copy()
    has_weight = weight in clean.columns
    rows = pd.DataFrame({"kept": kept}, index=keys.index)
    for column in [*_UNIT, *columns]:
        if column in keys.columns:
            rows[column] = keys[column].astype(object).where(keys[column].notna(), None)
        elif raw is not None and column in raw.columns:
            rows[column] = raw[column].to_numpy(dtype=object)
        else:  # only the kept rows say it
            rows[column] = None
            rows.loc[kept, column] = aligned[column].to_numpy(dtype=object)
    # a left-out row whose unit or class value validation rejected has no known class
    rejected = _rejected_values(report, keys, [*_UNIT, *columns]) & ~kept[:, None]
    for j, column in enumerate([*_UNIT, *columns]):  # a loop over class columns
        rows.loc[rejected[:, j], column] = None
    values = np.full(len(rows), np.nan)
    not_positive = np.zeros(len(rows), dtype=bool)
    if has_weight:
        values[kept] = aligned[weight].to_numpy(dtype=np.float64)
        source = (keys if weight in keys.columns  # as parsed, when the report keeps it
                  else raw if raw is not None and weight in raw.columns else None)
        if source is not None:
            read = pd.to_numeric(source[weight], errors="coerce").to_numpy(dtype=np.float64)
            not_positive = ~kept & np.isfinite(read) & (read <= 0)
            values[~kept] = np.where(np.isfinite(read) & (read > 0), read, np.nan)[~kept]
    else:
        values[:] = 1.0
    rows["weight"] = values
    rows["not_positive"] = not_positive
    # units: one per enterprise-period; its weight is the first readable one of its rows
    readable = rows[[*_UNIT, *columns]].notna().all(axis=1)
    units = (rows[readable].groupby(_UNIT, sort=False, dropna=False)
             .agg(**{c: (c, "first") for c in columns}, kept=("kept", "any"),
                  weight=("weight", "first"), not_positive=("not_positive", "any"))
             .reset_index())
    # a unit whose weight is given only as a number <= 0 represents no enterprise
    units["not_positive"] &= units["weight"].isna().to_numpy()
    units.loc[units["not_positive"], "weight"] = 0.0
    unassigned = int((~readable & ~rows["kept"]).sum())
    classes = _class_table(units, columns, len(cell_keys))
    classes.attrs["unassigned"] = unassigned
    classes.attrs["by"] = list(columns)
    classes.attrs["cells"] = len(cell_keys)
    if classes.empty:
        return out, classes
    factor = classes.set_index([*columns, "period"])["factor"]
    # every kept row of a class that lost a unit: its weight x the factor
    index = pd.MultiIndex.from_frame(clean[[*columns, "period"]].astype(object))
    position = pd.MultiIndex.from_frame(
        classes[[*columns, "period"]].astype(object)).get_indexer(index)
    scale = np.where(position >= 0, factor.to_numpy()[np.maximum(position, 0)], 1.0)
    scale = np.where(np.isfinite(scale), scale, 1.0)
    base = clean[weight].to_numpy(dtype=np.float64) if has_weight else np.ones(len(clean))
    out[weight] = base * scale
    if (scale != 1.0).any():  # read by calibrate_weights (weights may differ within a PSU)
        out.attrs[ADJUSTED_MARK] = True
    _warn_large(classes, columns)
    return out, classes


def _cell_keys(clean: pd.DataFrame, cells: Sequence[str] | None) -> list[str]:
    """The enterprise-level keys of the estimation cells (detail columns left out)."""
    if cells is None:
        return [c for c in CELL_KEYS if c in clean.columns]
    return [c for c in key_list(cells, name="cells") if c not in DETAIL_COLUMNS]


def _kept_order(clean: pd.DataFrame, labels: pd.Index) -> np.ndarray:
    """Position in ``clean`` of each row the report kept (``labels``: their input labels).

    Rows are matched by index label (``validate`` keeps the input's index),
    so a reordered ``clean`` still matches; a ``clean`` whose labels are not
    those of the kept rows (re-indexed, filtered, or another table) is refused.
    """
    if clean.index.equals(labels):
        return np.arange(len(clean))
    order = None
    if labels.is_unique and clean.index.is_unique:
        order = clean.index.get_indexer(labels)
    if order is None or (order < 0).any():
        missing = labels.difference(clean.index)[:3].tolist() if labels.is_unique else []
        extra = clean.index.difference(labels)[:3].tolist() if clean.index.is_unique else []
        detail = (f"e.g. rows {missing} kept by the report are not in clean" if missing else
                  f"e.g. rows {extra} of clean are not rows the report kept" if extra else
                  "the input's index repeats labels, so clean must keep the order "
                  "validate returned")
        raise ParameterError(
            "surveys: clean does not match the report's kept rows by index label "
            f"({detail}); pass clean as validate(..., errors='report') or "
            "reject_incomplete_groups returned it (rows may be reordered, not re-indexed, "
            "filtered or added)")
    return order


def _rejected_values(report, keys: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Which input rows (of ``keys``) had their value of each column rejected, (n_rows, n_cols).

    Such a value (``' North '`` with its spaces, say) names no class the kept
    rows know: the row's class is unknown.
    """
    found = np.zeros((len(keys), len(columns)), dtype=bool)
    cases = getattr(report, "rejected", None)
    if cases is None or not len(cases) or "line" not in keys.columns:
        return found
    lines = keys["line"].to_numpy()
    for j, column in enumerate(columns):  # a loop over class columns
        found[:, j] = np.isin(lines, cases.loc[cases["column"] == column, "line"].to_numpy())
    return found


def _default_classes(design: SurveyDesign | None) -> tuple[str, ...]:
    """Columns that split a cell's class: the design's strata, else none."""
    if design is not None and design.strata_columns:
        return design.strata_columns
    return ()


def _warn_large(classes: pd.DataFrame, by: list[str]) -> None:
    """Warn where the kept units carry more than twice their own weight."""
    factor = classes["factor"].to_numpy(dtype=np.float64) if len(classes) else np.array([])
    large = classes[np.isfinite(factor) & (factor > LARGE_FACTOR)
                    & (classes["enterprises_kept"].to_numpy() > 0)]
    if large.empty:
        return
    names = large["collapsed_into"].where(
        large["collapsed_into"] != "",
        large[[*by, "period"]].astype(str).agg(", ".join, axis=1) if by
        else large["period"].astype(str))
    shown = "; ".join(f"{name} (factor {f:.3g})" for name, f in
                      zip(names.drop_duplicates()[:5], large["factor"][
                          ~names.duplicated()].iloc[:5], strict=True))
    warn(f"surveys: in {names.nunique()} weighting class(es) the kept respondents' weights "
         f"were multiplied by more than {LARGE_FACTOR:g} (more than half of the class's "
         f"weight carried for units left out as invalid), e.g. {shown}; their estimates "
         "lean on few respondents, and their standard errors do not show it")


def _class_table(units: pd.DataFrame, by: list[str], n_cells: int) -> pd.DataFrame:
    """Per class whose weights change: counts, weight totals, the factor, collapsing.

    ``by`` are the class columns, the first ``n_cells`` of them the cell's
    keys. A class that kept no unit is collapsed into a broader one of its
    cell-period (Kalton & Flores-Cervantes 2003): its other class columns
    are dropped from the right (``region x industry x size_band`` ->
    ``region x industry``) until the broader class has kept units; every
    unit of that broader class is then adjusted together, with one factor.
    The cell's keys are never dropped: a cell-period that kept no unit has
    no factor (NaN), and its weight is carried by no other cell.
    """
    columns = [*by, "period", *NONRESPONSE_COLUMNS]
    if units["kept"].all():
        return pd.DataFrame(columns=columns)
    group = [*by, "period"]
    kept = units["kept"].to_numpy(dtype=bool)
    own_kept = units.groupby(group, sort=False, dropna=False)["kept"].transform("sum")
    emptied = own_kept.to_numpy() == 0
    depth = np.full(len(units), len(by))
    if emptied.any() and len(by) > n_cells:
        chosen, need = np.full(len(units), n_cells), emptied.copy()
        for d in range(len(by) - 1, n_cells - 1, -1):  # a loop over class columns
            prefix = [units[c] for c in [*by[:d], "period"]]
            found = units["kept"].groupby(prefix, dropna=False).transform("sum").to_numpy() > 0
            chosen[need & found] = d
            need &= ~found
        # still in need: the cell-period kept no unit; its classes join as one, unadjusted
        for d in range(len(by) - 1, n_cells - 1, -1):  # every unit under a collapsed class
            prefix = [units[c] for c in [*by[:d], "period"]]
            inside = pd.Series(emptied & (chosen == d), index=units.index)
            joins = inside.groupby(prefix, dropna=False).transform("any").to_numpy(dtype=bool)
            depth = np.where(joins, np.minimum(depth, d), depth)
    final = [units[c].where(pd.Series(depth > j, index=units.index)) for j, c in enumerate(by)]
    final_code = pd.Series(0, index=units.index).groupby(
        [*final, units["period"]], sort=False, dropna=False).ngroup().to_numpy()
    weight = units["weight"].to_numpy(dtype=np.float64)
    kept_weight = np.where(kept, weight, np.nan)
    n_final = final_code.max() + 1
    kept_sum = np.bincount(final_code, weights=np.nan_to_num(kept_weight), minlength=n_final)
    kept_n = np.bincount(final_code, weights=kept, minlength=n_final)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_kept = kept_sum / kept_n
    imputed = np.isnan(weight) & ~kept
    weight = np.where(imputed, mean_kept[final_code], weight)
    unknown = np.isnan(weight)  # left out, unreadable, and no kept unit to take a mean from
    total = np.bincount(final_code, weights=np.nan_to_num(weight), minlength=n_final)
    total[np.bincount(final_code, weights=unknown, minlength=n_final) > 0] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(kept_sum > 0, total / kept_sum, np.nan)
    touched = np.bincount(final_code, weights=~kept, minlength=n_final) > 0
    labels = _collapsed_labels(units, by, depth)
    labels[~np.isfinite(factor[final_code])] = ""  # a cell-period left without respondents
    hit = units.assign(kept_weight=kept_weight, weight=weight, imputed=imputed,
                       unknown=unknown, factor=factor[final_code], collapsed_into=labels)
    hit = hit[touched[final_code]]
    table = hit.groupby(group, sort=True, dropna=False).agg(
        enterprises=("kept", "size"), enterprises_kept=("kept", "sum"),
        weight_total=("weight", "sum"), weight_kept=("kept_weight", "sum"),
        weights_imputed=("imputed", "sum"), weights_not_positive=("not_positive", "sum"),
        unknown=("unknown", "any"), factor=("factor", "first"),
        collapsed_into=("collapsed_into", "first")).reset_index()
    table["weight_total"] = table["weight_total"].where(~table["unknown"])
    with np.errstate(invalid="ignore", divide="ignore"):
        share = 1.0 - table["weight_kept"] / table["weight_total"]
        table["weight_lost_share"] = np.where(table["enterprises_kept"] == 0, 1.0, share)
    for name in ("enterprises", "enterprises_kept", "weights_imputed", "weights_not_positive"):
        table[name] = table[name].astype(np.int64)
    return table[columns]


def _collapsed_labels(units: pd.DataFrame, by: list[str], depth: np.ndarray) -> np.ndarray:
    """The broader class each unit was collapsed into, as text ('' where not collapsed)."""
    labels = np.full(len(units), "", dtype=object)
    for d in np.unique(depth[depth < len(by)]):  # one pass per number of columns dropped
        rows = np.flatnonzero(depth == d)
        text = ", ".join(f"any {c}" for c in by[d:]) + ", " + (
            units["period"].iloc[rows].astype(str).to_numpy(dtype=object))
        for c in reversed(by[:d]):
            text = c + "=" + units[c].iloc[rows].astype(str).to_numpy(dtype=object) + ", " + text
        labels[rows] = text
    return labels


def describe_nonresponse(classes: pd.DataFrame, by: Sequence[str] | None = None) -> str | None:
    """One sentence on what :func:`adjust_nonresponse` adjusted or lost (None: nothing).

    Parameters
    ----------
    classes : pandas.DataFrame
        Its per-class table.
    by : sequence of str, optional
        Its class columns (default: ``classes.attrs["by"]``, as
        :func:`adjust_nonresponse` leaves them, the first
        ``classes.attrs["cells"]`` of which are the cell's keys; columns given
        here are all taken as the cell's keys).

    Examples
    --------
    >>> classes = pd.DataFrame({"region": ["N", "N", "S"], "size_band": ["big", "small", "big"],
    ...                         "period": "2024Q1", "enterprises": [1, 3, 2],
    ...                         "enterprises_kept": [0, 2, 0],
    ...                         "weight_total": [4.0, 10.0, 6.0], "weight_kept": [0.0, 5.0, 0.0],
    ...                         "weight_lost_share": [1.0, 0.5, 1.0],
    ...                         "factor": [2.8, 2.8, np.nan], "weights_imputed": 0,
    ...                         "weights_not_positive": 0,
    ...                         "collapsed_into": ["region=N, any size_band, 2024Q1"] * 2 + [""]})
    >>> classes.attrs.update(by=["region", "size_band"], cells=1)  # size_band splits a cell
    >>> print(describe_nonresponse(classes))
    surveys: 4 enterprise-periods left out as invalid are unit non-response; in 1 class (region x size_band x period) the kept respondents' design weights were multiplied by 2.8 so that the class keeps its weight total and carries that of the classes of its cell collapsed into it (9 of the 14 had been left out, 64%); 1 class lost every respondent (a weight of 4) and was collapsed into a broader class of its own cell whose kept respondents carry its weight (region=N, size_band=big, 2024Q1 into region=N, any size_band, 2024Q1); 1 cell-period lost every respondent (all its enterprise-periods were left out as invalid), so it has no survey estimate (demand missing) and its weight of 6 is carried by no other cell: region=S, 2024Q1.
    """  # noqa: E501 - a doctest's expected output is one line
    own = list(classes.attrs.get("by", []))
    by = own if by is None else list(by)
    n_cells = int(classes.attrs.get("cells", len(by))) if by == own else len(by)
    unassigned = int(classes.attrs.get("unassigned", 0))
    if classes.empty and not unassigned:
        return None
    lost_units = int((classes["enterprises"] - classes["enterprises_kept"]).sum())
    label = " x ".join([*by, "period"])
    factors = classes["factor"].to_numpy(dtype=np.float64)
    finite = np.isfinite(factors)
    changed = finite & ~np.isclose(factors, 1.0, rtol=1e-12, atol=0.0)
    emptied = classes["enterprises_kept"].to_numpy() == 0
    adjusted = classes[changed & ~emptied]
    many = lost_units != 1
    parts = [f"surveys: {lost_units} enterprise-period{'s' if many else ''} left out as "
             f"invalid {'are' if many else 'is'} unit non-response"]
    if len(adjusted):
        low, high = adjusted["factor"].min(), adjusted["factor"].max()
        factor = f"{low:.3g}" if np.isclose(low, high) else f"{low:.3g} to {high:.3g}"
        # over the classes whose kept units carry the weight: those adjusted and those
        # collapsed into them (one broader class per factor)
        carried = classes[changed]
        lost = float((carried["weight_total"] - carried["weight_kept"]).sum())
        total = float(carried["weight_total"].sum())
        many = len(adjusted) != 1
        joined = (" and carries that of the classes of its cell collapsed into it"
                  if (changed & emptied).any() else "")
        parts.append(f"in {len(adjusted)} class{'es' if many else ''} ({label}) the kept "
                     f"respondents' design weights were multiplied by {factor} so that "
                     f"{'each' if many else 'the'} class keeps its weight total{joined} "
                     f"({lost:,.3g} of the {total:,.3g} had been left out, {lost / total:.0%})")
    imputed = int(classes.loc[finite, "weights_imputed"].sum())
    if imputed:
        parts.append(f"{imputed} left-out weight{'s were' if imputed != 1 else ' was'} not "
                     "known (unreadable, or the input table not at hand) and counted as the "
                     "mean kept weight of the class")
    zero = int(classes["weights_not_positive"].sum()) if "weights_not_positive" in classes else 0
    if zero:
        many = zero != 1
        parts.append(f"{zero} left-out enterprise-period{'s' if many else ''} had a weight "
                     "<= 0 (not a design weight: weights must be > 0), so "
                     f"{'they' if many else 'it'} stand{'' if many else 's'} for no enterprise "
                     f"and {'add' if many else 'adds'} nothing to {'their' if many else 'its'} "
                     "class's weight total")
    collapsed = classes[finite & emptied]
    if len(collapsed):
        many = len(collapsed) != 1
        pairs = "; ".join(f"{a} into {b}" for a, b in zip(
            _names(collapsed, by)[:5], collapsed["collapsed_into"].iloc[:5], strict=True))
        weight = float(collapsed["weight_total"].sum())
        parts.append(f"{len(collapsed)} class{'es' if many else ''} lost every respondent "
                     f"(a weight of {weight:,.3g}) and {'were' if many else 'was'} collapsed "
                     "into a broader class of its own cell whose kept respondents carry "
                     f"{'their' if many else 'its'} weight ({pairs}"
                     f"{', ...' if len(collapsed) > 5 else ''})")
    gone = classes[~finite]
    if len(gone):
        names = pd.unique(_names(gone, by[:n_cells]))
        many = len(names) != 1
        weight = gone["weight_total"].to_numpy(dtype=np.float64)
        lost = (f"{'their' if many else 'its'} weight of {np.nansum(weight):,.3g}"
                if np.isfinite(weight).all() else "a weight that is not known")
        parts.append(f"{len(names)} cell-period{'s' if many else ''} lost every respondent "
                     f"(all {'their' if many else 'its'} enterprise-periods were left out as "
                     f"invalid), so {'they have' if many else 'it has'} no survey estimate "
                     f"(demand missing) and {lost} is carried by no other cell: "
                     f"{'; '.join(names[:5])}{', ...' if len(names) > 5 else ''}")
    if unassigned:
        many = unassigned != 1
        parts.append(f"{unassigned} left-out row{'s' if many else ''} "
                     f"name{'' if many else 's'} no readable period, enterprise or class (a "
                     "value missing, unreadable or rejected by validation), so "
                     f"{'their' if many else 'its'} class is unknown and "
                     f"{'they adjust' if many else 'it adjusts'} no weight")
    return "; ".join(parts) + "."


def _names(classes: pd.DataFrame, by: Sequence[str]) -> np.ndarray:
    """Each class as text: ``region=North, industry=textiles, 2024Q1``."""
    text = classes["period"].astype(str).to_numpy(dtype=object)
    for c in reversed(list(by)):
        text = c + "=" + classes[c].astype(str).to_numpy(dtype=object) + ", " + text
    return text
