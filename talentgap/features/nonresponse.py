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
one the sample had.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._arguments import key_list
from talentgap.errors import ParameterError

__all__ = ["adjust_nonresponse", "describe_nonresponse", "NONRESPONSE_COLUMNS"]

#: Columns of the per-class table of :func:`adjust_nonresponse` after the class columns.
NONRESPONSE_COLUMNS = ("enterprises", "enterprises_kept", "weight_total", "weight_kept",
                       "weight_lost_share", "factor", "weights_imputed")

_UNIT = ["enterprise_id", "period"]


def adjust_nonresponse(clean: pd.DataFrame, report, *, by: Sequence[str] = ("region",
                                                                             "industry"),
                       raw: pd.DataFrame | None = None, weight: str = "weight"
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reweight the kept survey respondents for the enterprise-periods left out.

    Within each class (the ``by`` columns and the period), the weights of the
    kept enterprise-periods are multiplied by ``W_all / W_kept``: the
    weights of every enterprise-period of the class over those kept, so
    that the class's weight total (the enterprises it represents) is the
    one the sample had. Units are enterprise-periods; the rows of one unit
    (long form) share its weight.

    Parameters
    ----------
    clean : pandas.DataFrame
        The kept survey rows, as :func:`talentgap.schema.reject_incomplete_groups`
        (or :func:`talentgap.schema.validate` with ``errors="report"``) returned them.
    report : DataQualityReport
        Its report (its ``row_keys`` say which input row belongs to which unit).
    by : sequence of str, default ("region", "industry")
        Columns of the weighting class, besides the period: the strata of
        the design when it declares some, otherwise the cell's
        enterprise-level keys (never ``occupation`` or ``skill_level``,
        which split an enterprise's rows).
    raw : pandas.DataFrame, optional
        The input table ``report`` describes, as given to ``validate``: the
        weights (and class columns outside the report's keys) of the rows
        left out are read from it, unless the report's ``row_keys`` carry
        the weight column. Without either, or where a left-out unit's
        weight cannot be read (not a number > 0 in any of its rows), the
        unit is given the mean kept weight of its class, and counted in
        ``weights_imputed``. A table without a weight column has weight 1
        everywhere and needs no ``raw``.
    weight : str, default "weight"
        The design-weight column.

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
        0-1), ``factor`` (``W_all / W_kept``; NaN when no unit of the class
        is left: its weight is lost, the cell-period has no estimate) and
        ``weights_imputed`` (left-out units whose weight was imputed;
        ``weight_total`` is NaN where such a unit has no kept unit to take
        a mean from). Units
        whose period, enterprise or class could not be read are in no class
        and are counted in ``classes.attrs["unassigned"]``.

    Raises
    ------
    ParameterError
        If ``clean`` and ``report`` do not belong together, a ``by`` column
        is missing, or ``raw`` is not the table ``report`` describes.

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
    by = key_list(by)
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
    out = clean.copy()
    has_weight = weight in clean.columns
    rows = pd.DataFrame({"kept": kept}, index=keys.index)
    for column in [*_UNIT, *by]:
        if column in keys.columns:
            rows[column] = keys[column].astype(object).where(keys[column].notna(), None)
        elif raw is not None and column in raw.columns:
            rows[column] = raw[column].to_numpy(dtype=object)
        else:  # only the kept rows say it
            rows[column] = None
            rows.loc[kept, column] = clean[column].to_numpy(dtype=object)
    values = np.full(len(rows), np.nan)
    if has_weight:
        values[kept] = clean[weight].to_numpy(dtype=np.float64)
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
                  weight=("weight", "first")).reset_index())
    unassigned = int((~readable & ~rows["kept"]).sum())
    lost_units = units[~units["kept"]]
    classes = _class_table(units, lost_units, by)
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
    return out, classes


def _class_table(units: pd.DataFrame, lost: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per class with a left-out unit: counts, weight totals, the factor and imputations."""
    columns = [*by, "period", *NONRESPONSE_COLUMNS]
    if lost.empty:
        return pd.DataFrame(columns=columns)
    group = [*by, "period"]
    hit = units.merge(lost[group].drop_duplicates(), on=group, how="inner")
    kept_weight = hit["weight"].where(hit["kept"])
    mean_kept = kept_weight.groupby([hit[c] for c in group], sort=False).transform("mean")
    imputed = hit["weight"].isna() & ~hit["kept"]
    hit = hit.assign(weight=hit["weight"].fillna(mean_kept), imputed=imputed,
                     kept_weight=kept_weight)
    hit["unknown"] = hit["weight"].isna()  # left out, unreadable, and no kept unit
    table = hit.groupby(group, sort=True, dropna=False).agg(
        enterprises=("kept", "size"), enterprises_kept=("kept", "sum"),
        weight_total=("weight", "sum"), weight_kept=("kept_weight", "sum"),
        weights_imputed=("imputed", "sum"), unknown=("unknown", "any")).reset_index()
    table["weight_total"] = table["weight_total"].where(~table["unknown"])
    all_lost = table["enterprises_kept"] == 0
    # all units gone: the total is the left-out units' weights as read (no mean to impute)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["weight_lost_share"] = np.where(
            all_lost, 1.0, 1.0 - table["weight_kept"] / table["weight_total"])
        table["factor"] = np.where(all_lost, np.nan,
                                   table["weight_total"] / table["weight_kept"])
    table["enterprises"] = table["enterprises"].astype(np.int64)
    table["enterprises_kept"] = table["enterprises_kept"].astype(np.int64)
    table["weights_imputed"] = table["weights_imputed"].astype(np.int64)
    return table[columns]


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
    ...                         "weight_lost_share": [0.5, 1.0], "factor": [2.0, np.nan],
    ...                         "weights_imputed": [0, 0]})
    >>> print(describe_nonresponse(classes, ["region"]))
    surveys: 2 enterprise-periods left out as invalid are unit non-response; in 1 class (region x period) the kept respondents' design weights were multiplied by 2 so that the class keeps its weight total (5 of its 10 had been left out, 50%); 1 class lost every respondent, and its weight of 4 with it (no estimate there: the cell-period has no demand).
    """  # noqa: E501 - a doctest's expected output is one line
    unassigned = int(classes.attrs.get("unassigned", 0))
    if classes.empty and not unassigned:
        return None
    lost_units = int((classes["enterprises"] - classes["enterprises_kept"]).sum())
    label = " x ".join([*by, "period"])
    adjusted = classes[np.isfinite(classes["factor"].to_numpy(dtype=np.float64))]
    many = lost_units != 1
    parts = [f"surveys: {lost_units} enterprise-period{'s' if many else ''} left out as "
             f"invalid {'are' if many else 'is'} unit non-response"]
    if len(adjusted):
        low, high = adjusted["factor"].min(), adjusted["factor"].max()
        factor = f"{low:.3g}" if np.isclose(low, high) else f"{low:.3g} to {high:.3g}"
        lost = float((adjusted["weight_total"] - adjusted["weight_kept"]).sum())
        total = float(adjusted["weight_total"].sum())
        many = len(adjusted) != 1
        parts.append(f"in {len(adjusted)} class{'es' if many else ''} ({label}) the kept "
                     f"respondents' design weights were multiplied by {factor} so that "
                     f"{'each' if many else 'the'} class keeps its weight total ({lost:,.3g} "
                     f"of {'their' if many else 'its'} {total:,.3g} had been left out, "
                     f"{lost / total:.0%})")
    imputed = int(adjusted["weights_imputed"].sum()) if len(adjusted) else 0
    if imputed:
        parts.append(f"{imputed} left-out weight{'s were' if imputed != 1 else ' was'} not "
                     "known (unreadable, or the input table not at hand) and counted as the "
                     "mean kept weight of the class")
    gone = classes[~np.isfinite(classes["factor"].to_numpy(dtype=np.float64))]
    if len(gone):
        many = len(gone) != 1
        weight = gone["weight_total"].to_numpy(dtype=np.float64)
        lost = (f"{'their' if many else 'its'} weight of {np.nansum(weight):,.3g} with it"
                if np.isfinite(weight).all() else "a weight that is not known")
        parts.append(f"{len(gone)} class{'es' if many else ''} lost every respondent, and "
                     f"{lost} (no estimate there: the cell-period has no demand)")
    if unassigned:
        parts.append(f"{unassigned} left-out rows name no readable period, enterprise or "
                     "class and adjust no weight")
    return "; ".join(parts) + "."
