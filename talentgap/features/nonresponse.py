"""Survey weights after enterprise-periods were left out as invalid (unit non-response).

When rows of the surveys are skipped as invalid, the whole enterprise-period
goes (rule ``group_incomplete``, :func:`talentgap.schema.reject_incomplete_groups`):
for the estimates it is a respondent that did not answer. The design weights
of the others still add up to the sample without it, so every total of its
class is short by the dropped unit's weight. :func:`adjust_nonresponse`
applies the standard weighting-class adjustment (Kalton & Flores-Cervantes
2003; Lohr, *Sampling*, 2019, section 8.5): within each class (a stratum,
or a cell, in one period) the kept units' weights are multiplied by
``sum(all weights) / sum(kept weights)``, so the class's weight total is the
one the sample had. A class that kept no unit is collapsed into a broader
one (its class columns dropped from the right, down to the period alone)
before the factor is taken there. Under a design with PSUs the classes must
keep a PSU's weights equal (a one-stage cluster sample takes PSUs whole):
classes are then unions of strata.

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

__all__ = ["adjust_nonresponse", "describe_nonresponse", "NONRESPONSE_COLUMNS"]

#: Columns of the per-class table of :func:`adjust_nonresponse` after the class columns.
NONRESPONSE_COLUMNS = ("enterprises", "enterprises_kept", "weight_total", "weight_kept",
                       "weight_lost_share", "factor", "weights_imputed", "collapsed_into")

#: Factors above this (more than half of a class's weight carried for left-out units) warn.
LARGE_FACTOR = 2.0

_UNIT = ["enterprise_id", "period"]


def adjust_nonresponse(clean: pd.DataFrame, report, *, by: Sequence[str] | None = None,
                       raw: pd.DataFrame | None = None, weight: str = "weight",
                       design: SurveyDesign | None = None
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reweight the kept survey respondents for the enterprise-periods left out.

    Within each class (the ``by`` columns and the period), the weights of the
    kept enterprise-periods are multiplied by ``W_all / W_kept``: the
    weights of every enterprise-period of the class over those kept, so
    that the class's weight total (the enterprises it represents) is the
    one the sample had. Units are enterprise-periods; the rows of one unit
    (long form) share its weight. A class that kept no unit is collapsed
    into a broader one: its class columns are dropped from the right
    (``region x industry`` -> ``region`` -> the period alone) until the
    broader class has kept units, and that whole class is adjusted with
    one factor (Kalton & Flores-Cervantes 2003, section 4).

    The standard errors later computed on the adjusted weights treat them
    as design weights with ``n`` the kept units: the variability of the
    factors is ignored. That is about right when units drop out at random
    within their class, not when rows break for reasons linked to their
    values.

    Parameters
    ----------
    clean : pandas.DataFrame
        The kept survey rows, as :func:`talentgap.schema.reject_incomplete_groups`
        (or :func:`talentgap.schema.validate` with ``errors="report"``) returned them.
    report : DataQualityReport
        Its report (its ``row_keys`` say which input row belongs to which unit).
    by : sequence of str, optional
        Columns of the weighting class, besides the period (never
        ``occupation`` or ``skill_level``, which split an enterprise's
        rows; ``()``: the period alone). Default: the strata of ``design``
        when it declares some; the period alone when it has PSUs but no
        strata; otherwise ``("region", "industry")``.
    raw : pandas.DataFrame, optional
        The input table ``report`` describes, as given to ``validate``. A
        left-out unit's own weight is read as parsed from the report's
        ``row_keys`` (``validate`` keeps every input row's weight there, so
        the command line, which reads files, needs no ``raw``), else from
        ``raw``; class or PSU columns outside the report's keys are read
        from ``raw``. Only where a left-out unit's weight cannot be read
        (not a number > 0 in any of its rows, or neither source has the
        column) is it imputed: the mean kept weight of its class, counted in
        ``weights_imputed``. A table without a weight column has weight 1
        everywhere and needs no ``raw``.
    weight : str, default "weight"
        The design-weight column.
    design : SurveyDesign, optional
        The sampling design the weights belong to. With PSUs, every
        ``by`` column must be the same for all enterprises of a PSU in a
        period (its kept and left-out ones), so that a PSU's weights stay
        equal, as :func:`talentgap.features.calibrate_weights` with the same
        design requires.

    Returns
    -------
    adjusted : pandas.DataFrame
        ``clean`` with the weights of the classes that lost units multiplied
        by their factor (a ``weight`` column is added, 1 x factor, when the
        table had none); other rows unchanged.
    classes : pandas.DataFrame
        One row per class that lost a unit: the ``by`` columns, ``period``,
        ``enterprises`` (units in the sample), ``enterprises_kept``,
        ``weight_total`` (``W_all``), ``weight_kept`` (``W_kept``, before
        the adjustment), ``weight_lost_share`` (``1 - W_kept / W_all``, on
        0-1), ``factor`` (the factor applied to the class's kept units:
        ``W_all / W_kept`` of the class, or of the broader class it was
        collapsed into; NaN only when the whole period lost every unit),
        ``weights_imputed`` (left-out units whose weight was imputed: the
        mean kept weight of the class, or of the broader class; ``weight_total``
        is NaN where such a unit has no kept unit to take a mean from) and
        ``collapsed_into`` (the broader class, e.g. ``"region=North, any
        industry, 2024Q1"``, for a class that kept no unit and for the
        classes it joined; ``""`` otherwise). Left-out rows whose period,
        enterprise or class could not be read, or was rejected by validation
        (a region ``' North '`` with spaces names no class), are in no class:
        they adjust no weight and are counted in ``classes.attrs["unassigned"]``.

    Raises
    ------
    ParameterError
        If ``clean`` and ``report`` do not belong together (``clean``'s rows
        are matched to the report's kept rows by index label, so they may be
        reordered but not re-indexed or filtered), a ``by`` column
        is missing, ``raw`` is not the table ``report`` describes, or a
        ``by`` column varies within a PSU of ``design``.

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
    """
    by = key_list(_default_classes(design) if by is None else by, name="by")
    keys = getattr(report, "row_keys", None)
    if keys is None or int(keys["kept"].sum()) != len(clean):
        raise ParameterError("clean and report do not belong together: pass the two results "
                             "of one validate(..., errors='report') (or "
                             "reject_incomplete_groups) call")
    if raw is not None and len(raw) != len(keys):
        raise ParameterError(f"raw has {len(raw)} rows, the report {len(keys)}: pass the "
                             "table given to validate")
    missing = [c for c in by if c not in clean.columns]
    if missing:
        raise ParameterError(f"the surveys have no column {missing[0]!r} to form the "
                             "weighting classes; pass by= columns of the table")
    kept = keys["kept"].to_numpy(dtype=bool)
    aligned = clean.iloc[_kept_order(clean, keys.index[kept])]  # in the report's row order
    out = clean.copy()
    has_weight = weight in clean.columns
    rows = pd.DataFrame({"kept": kept}, index=keys.index)
    psu = design.psu if design is not None else None
    if psu is not None and psu not in clean.columns:
        raise ParameterError(f"the surveys have no PSU column {psu!r} of the design")
    extra = [psu] if psu is not None and psu not in by else []
    for column in [*_UNIT, *by, *extra]:
        if column in keys.columns:
            rows[column] = keys[column].astype(object).where(keys[column].notna(), None)
        elif raw is not None and column in raw.columns:
            rows[column] = raw[column].to_numpy(dtype=object)
        else:  # only the kept rows say it
            rows[column] = None
            rows.loc[kept, column] = aligned[column].to_numpy(dtype=object)
    # a left-out row whose unit or class value validation rejected has no known class
    rejected = _rejected_values(report, keys, [*_UNIT, *by, *extra]) & ~kept[:, None]
    for j, column in enumerate([*_UNIT, *by, *extra]):  # a loop over class columns
        rows.loc[rejected[:, j], column] = None
    values = np.full(len(rows), np.nan)
    if has_weight:
        values[kept] = aligned[weight].to_numpy(dtype=np.float64)
        source = (keys if weight in keys.columns  # as parsed, when the report keeps it
                  else raw if raw is not None and weight in raw.columns else None)
        if source is not None:
            read = pd.to_numeric(source[weight], errors="coerce").to_numpy(dtype=np.float64)
            read = np.where(np.isfinite(read) & (read > 0), read, np.nan)
            values[~kept] = read[~kept]
    else:
        values[:] = 1.0
    rows["weight"] = values
    # units: one per enterprise-period; its weight is the first readable one of its rows
    readable = rows[[*_UNIT, *by]].notna().all(axis=1)
    units = (rows[readable].groupby(_UNIT, sort=False, dropna=False)
             .agg(**{c: (c, "first") for c in by}, kept=("kept", "any"),
                  weight=("weight", "first"),
                  **({"_psu": (psu, "first")} if psu is not None else {})).reset_index())
    if psu is not None and by:
        _check_psu_classes(units, by, psu)
    unassigned = int((~readable & ~rows["kept"]).sum())
    classes = _class_table(units, by)
    classes.attrs["unassigned"] = unassigned
    if classes.empty:
        return out, classes
    factor = classes.set_index([*by, "period"])["factor"]
    # every kept row of a class that lost a unit: its weight x the factor
    index = pd.MultiIndex.from_frame(clean[[*by, "period"]].astype(object))
    position = pd.MultiIndex.from_frame(
        classes[[*by, "period"]].astype(object)).get_indexer(index)
    scale = np.where(position >= 0, factor.to_numpy()[np.maximum(position, 0)], 1.0)
    scale = np.where(np.isfinite(scale), scale, 1.0)
    base = clean[weight].to_numpy(dtype=np.float64) if has_weight else np.ones(len(clean))
    out[weight] = base * scale
    _warn_large(classes, by)
    return out, classes


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
    """Weighting classes that keep a PSU's weights equal: strata, or the period alone."""
    if design is not None and design.strata_columns:
        return design.strata_columns
    if design is not None and design.psu is not None:
        return ()
    return ("region", "industry")


def _check_psu_classes(units: pd.DataFrame, by: list[str], psu: str) -> None:
    """Refuse classes that split a PSU: its enterprises would get different factors."""
    known = units[units["_psu"].notna()]
    spread = known.groupby(["_psu", "period"], sort=True, dropna=False)[by].nunique()
    split = spread[(spread > 1).any(axis=1)]
    if split.empty:
        return
    column = next(c for c in by if (split[c] > 1).any())
    (unit_psu, period) = split.index[0]
    values = known.loc[(known["_psu"] == unit_psu) & (known["period"] == period), column]
    raise ParameterError(
        f"surveys: weighting class column {column!r} takes {values.nunique()} values "
        f"({sorted(map(str, values.unique()))[:3]}) within PSU {unit_psu!r} ({period}) of "
        f"the design's psu={psu!r}; {len(split)} PSU-period(s) are split. Classes must keep "
        "a PSU's weights equal (a one-stage cluster sample takes PSUs whole): use by= the "
        "design's strata, or by=() for the whole sample of each period")


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


def _class_table(units: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per class whose weights change: counts, weight totals, the factor, collapsing.

    A class that kept no unit is collapsed into a broader one (Kalton &
    Flores-Cervantes 2003): its class columns are dropped from the right
    (``region x industry`` -> ``region`` -> the period alone) until the
    broader class has kept units; every unit of that broader class is then
    adjusted together, with one factor.
    """
    columns = [*by, "period", *NONRESPONSE_COLUMNS]
    if units["kept"].all():
        return pd.DataFrame(columns=columns)
    group = [*by, "period"]
    kept = units["kept"].to_numpy(dtype=bool)
    own_kept = units.groupby(group, sort=False, dropna=False)["kept"].transform("sum")
    emptied = own_kept.to_numpy() == 0
    depth = np.full(len(units), len(by))
    if emptied.any():
        chosen, need = np.full(len(units), len(by)), emptied.copy()
        for d in range(len(by) - 1, -1, -1):  # a loop over class columns, not classes
            prefix = [units[c] for c in [*by[:d], "period"]]
            found = units["kept"].groupby(prefix, dropna=False).transform("sum").to_numpy() > 0
            chosen[need & found] = d
            need &= ~found
        for d in range(len(by) - 1, -1, -1):  # every unit under a collapsed class joins it
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
    hit = units.assign(kept_weight=kept_weight, weight=weight, imputed=imputed,
                       unknown=unknown, factor=factor[final_code],
                       collapsed_into=_collapsed_labels(units, by, depth))
    hit = hit[touched[final_code]]
    table = hit.groupby(group, sort=True, dropna=False).agg(
        enterprises=("kept", "size"), enterprises_kept=("kept", "sum"),
        weight_total=("weight", "sum"), weight_kept=("kept_weight", "sum"),
        weights_imputed=("imputed", "sum"), unknown=("unknown", "any"),
        factor=("factor", "first"), collapsed_into=("collapsed_into", "first")).reset_index()
    table["weight_total"] = table["weight_total"].where(~table["unknown"])
    with np.errstate(invalid="ignore", divide="ignore"):
        share = 1.0 - table["weight_kept"] / table["weight_total"]
        table["weight_lost_share"] = np.where(table["enterprises_kept"] == 0, 1.0, share)
    for name in ("enterprises", "enterprises_kept", "weights_imputed"):
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


def describe_nonresponse(classes: pd.DataFrame, by: Sequence[str]) -> str | None:
    """One sentence on what :func:`adjust_nonresponse` adjusted or lost (None: nothing).

    Parameters
    ----------
    classes : pandas.DataFrame
        Its per-class table.
    by : sequence of str
        Its class columns.

    Examples
    --------
    >>> classes = pd.DataFrame({"region": ["N", "S"], "period": ["2024Q1", "2024Q1"],
    ...                         "enterprises": [3, 1], "enterprises_kept": [2, 0],
    ...                         "weight_total": [10.0, 4.0], "weight_kept": [5.0, 0.0],
    ...                         "weight_lost_share": [0.5, 1.0], "factor": [2.8, 2.8],
    ...                         "weights_imputed": [0, 0],
    ...                         "collapsed_into": ["any region, 2024Q1"] * 2})
    >>> print(describe_nonresponse(classes, ["region"]))
    surveys: 2 enterprise-periods left out as invalid are unit non-response; in 1 class (region x period) the kept respondents' design weights were multiplied by 2.8 so that the class keeps its weight total and carries that of the classes collapsed into it (5 of its 10 had been left out, 50%); 1 class lost every respondent (a weight of 4) and was collapsed into a broader class whose kept respondents carry its weight (region=S, 2024Q1 into any region, 2024Q1).
    """  # noqa: E501 - a doctest's expected output is one line
    unassigned = int(classes.attrs.get("unassigned", 0))
    if classes.empty and not unassigned:
        return None
    lost_units = int((classes["enterprises"] - classes["enterprises_kept"]).sum())
    label = " x ".join([*by, "period"])
    finite = np.isfinite(classes["factor"].to_numpy(dtype=np.float64))
    emptied = classes["enterprises_kept"].to_numpy() == 0
    adjusted = classes[finite & ~emptied]
    many = lost_units != 1
    parts = [f"surveys: {lost_units} enterprise-period{'s' if many else ''} left out as "
             f"invalid {'are' if many else 'is'} unit non-response"]
    if len(adjusted):
        low, high = adjusted["factor"].min(), adjusted["factor"].max()
        factor = f"{low:.3g}" if np.isclose(low, high) else f"{low:.3g} to {high:.3g}"
        lost = float((adjusted["weight_total"] - adjusted["weight_kept"]).sum())
        total = float(adjusted["weight_total"].sum())
        many = len(adjusted) != 1
        carried = (" and carries that of the classes collapsed into it" if (finite & emptied)
                   .any() else "")
        parts.append(f"in {len(adjusted)} class{'es' if many else ''} ({label}) the kept "
                     f"respondents' design weights were multiplied by {factor} so that "
                     f"{'each' if many else 'the'} class keeps its weight total{carried} "
                     f"({lost:,.3g} of {'their' if many else 'its'} {total:,.3g} had been "
                     f"left out, {lost / total:.0%})")
    imputed = int(classes.loc[finite, "weights_imputed"].sum())
    if imputed:
        parts.append(f"{imputed} left-out weight{'s were' if imputed != 1 else ' was'} not "
                     "known (unreadable, or the input table not at hand) and counted as the "
                     "mean kept weight of the class")
    collapsed = classes[finite & emptied]
    if len(collapsed):
        many = len(collapsed) != 1
        names = (collapsed[[*by, "period"]].astype(str)
                 .apply(lambda row: ", ".join(f"{c}={row[c]}" for c in by) + (", " if by else "")
                        + row["period"], axis=1))
        pairs = "; ".join(f"{a} into {b}" for a, b in zip(
            names.iloc[:5], collapsed["collapsed_into"].iloc[:5], strict=True))
        weight = float(collapsed["weight_total"].sum())
        parts.append(f"{len(collapsed)} class{'es' if many else ''} lost every respondent "
                     f"(a weight of {weight:,.3g}) and {'were' if many else 'was'} collapsed "
                     "into a broader class whose kept respondents carry "
                     f"{'their' if many else 'its'} weight ({pairs}"
                     f"{', ...' if len(collapsed) > 5 else ''})")
    gone = classes[~finite]
    if len(gone):
        many = len(gone) != 1
        weight = gone["weight_total"].to_numpy(dtype=np.float64)
        lost = (f"{'their' if many else 'its'} weight of {np.nansum(weight):,.3g} with it"
                if np.isfinite(weight).all() else "a weight that is not known")
        periods = ", ".join(map(str, pd.unique(gone["period"])[:5]))
        parts.append(f"{len(gone)} class{'es' if many else ''} lost every respondent, as did "
                     f"every class of {'their' if many else 'its'} period, and {lost} (no "
                     f"survey estimate for {periods})")
    if unassigned:
        many = unassigned != 1
        parts.append(f"{unassigned} left-out row{'s' if many else ''} "
                     f"name{'' if many else 's'} no readable period, enterprise or class (a "
                     "value missing, unreadable or rejected by validation), so "
                     f"{'their' if many else 'its'} class is unknown and "
                     f"{'they adjust' if many else 'it adjusts'} no weight")
    return "; ".join(parts) + "."
