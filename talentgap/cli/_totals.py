"""Totals the report, the output files and the JSON summary give: one function for each.

The last forecast period's totals (:func:`last_period_totals`), the plan's
places and cost per region and funding period (:func:`region_places`, and
spread over one column per period for the report, :func:`region_totals`) and the shares of
all regions together (:func:`national_shares`): each computed once, so the
report, the files and the summary of a run cannot disagree.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ALL_REGIONS", "LIKELY_SHORT", "last_period_totals", "national_shares",
           "region_places", "region_totals", "split_national"]

#: The ``region`` of the rows that add up all regions (the report's tables, the target path
#: of a run; the files keep them apart: ``target_path_national.csv``).
ALL_REGIONS = "all regions"

#: A cell counts as likely short when its probability of a shortage is at least this.
LIKELY_SHORT = 0.8


def last_period_totals(forecast: pd.DataFrame) -> dict:
    """Totals over the cells of the last forecast period, each named for what it counts.

    Parameters
    ----------
    forecast : pandas.DataFrame
        A gap forecast: columns ``period``, ``gap`` (the expected gap of a
        cell, persons) and ``p_shortage`` (0-1), one row per cell and period.

    Returns
    -------
    dict
        ``last_period``; ``cells``; ``net_expected_gap`` (the expected gaps
        added over all cells: shortages minus surpluses); ``sum_positive_expected_gaps``
        (the expected gaps added over the cells whose expected gap is above 0
        only); ``cells_expected_short`` (how many such cells);
        ``likely_short_min_p_shortage`` (the threshold, 0-1) and
        ``cells_likely_short`` (cells whose probability of a shortage is at
        least that threshold).

    Examples
    --------
    >>> import pandas as pd
    >>> fc = pd.DataFrame({"period": pd.PeriodIndex(["2025Q4"] * 3, freq="Q"),
    ...                    "gap": [30.0, 10.0, -15.0], "p_shortage": [0.9, 0.6, 0.2]})
    >>> totals = last_period_totals(fc)
    >>> totals["net_expected_gap"], totals["sum_positive_expected_gaps"]
    (25.0, 40.0)
    >>> totals["likely_short_min_p_shortage"], totals["cells_likely_short"]
    (0.8, 1)
    """
    last = forecast[forecast["period"] == forecast["period"].max()]
    gap = pd.to_numeric(last["gap"], errors="coerce")
    return {
        "last_period": str(last["period"].iloc[0]) if len(last) else None,
        "cells": int(len(last)),
        "net_expected_gap": float(gap.sum()),
        "sum_positive_expected_gaps": float(gap.clip(lower=0).sum()),
        "cells_expected_short": int((gap > 0).sum()),
        "likely_short_min_p_shortage": LIKELY_SHORT,
        "cells_likely_short": int((last["p_shortage"] >= LIKELY_SHORT).sum()),
    }


def region_places(quotas: pd.DataFrame, keys=("region",)) -> pd.DataFrame | None:
    """A plan's places and cost per region (or first key) and funding period: a long table.

    What ``plan_regions.csv`` holds: the same columns whatever periods the
    plan funds, so a script can read every run's file alike.

    Parameters
    ----------
    quotas : pandas.DataFrame
        The plan's places: ``<key>, quota, cost`` and ``period`` (the
        funding period).
    keys : sequence of str, default ("region",)
        The cells' keys: the places are added up by ``region`` when the
        plan has it, else by the first of ``keys`` it has.

    Returns
    -------
    pandas.DataFrame or None
        None when ``quotas`` has none of those columns, or no ``cost``.
        Else one row per ``key`` value and funding period: ``<key>``,
        ``period`` (as the plan names it: ``2025Q3`` for a plan funded in
        that quarter, ``2026`` for a year), ``places`` and ``cost`` (in the
        plan's money); without ``period`` in ``quotas``, one row per ``key``
        value. Rows in the order of the key's values, then of the periods;
        no total row: the rows add up.

    Examples
    --------
    >>> quotas = pd.DataFrame({"region": ["B", "B", "A", "A"],
    ...                        "period": pd.PeriodIndex(["2025", "2026"] * 2, freq="Y"),
    ...                        "industry": ["x", "x", "y", "y"], "quota": [5, 0, 10, 20],
    ...                        "cost": [50.0, 0.0, 100.0, 200.0]})
    >>> region_places(quotas)
      region period  places   cost
    0      A   2025      10  100.0
    1      A   2026      20  200.0
    2      B   2025       5   50.0
    3      B   2026       0    0.0
    """
    key = next((k for k in ("region", *keys) if k in quotas.columns), None)
    if key is None or not {"quota", "cost"} <= set(quotas.columns):
        return None
    by = [key, *(["period"] if "period" in quotas.columns else [])]
    summed = quotas.groupby(by, observed=True, sort=True)[["quota", "cost"]].sum()
    return summed.rename(columns={"quota": "places"}).reset_index()


def region_totals(quotas: pd.DataFrame, keys=("region",), *,
                  total: bool = True) -> pd.DataFrame | None:
    """A plan's places and cost per region (or first key), one column per funding period.

    The report's table of places and cost per region: :func:`region_places`
    (what ``plan_regions.csv`` holds) spread over one column per funding
    period, for display.

    Parameters
    ----------
    quotas : pandas.DataFrame
        The plan's places: ``<key>, quota, cost`` and ``period``.
    keys : sequence of str, default ("region",)
        As :func:`region_places`.
    total : bool, default True
        Start with the row :data:`ALL_REGIONS` adding them all up (the
        report's table); False: the regions only.

    Returns
    -------
    pandas.DataFrame or None
        None when :func:`region_places` is. Else one row per ``key`` value:
        ``<key>`` (text), per funding period ``places_<period>`` and
        ``cost_<period>`` (the period as the plan names it: ``places_2025Q3``;
        without ``period``: none), then ``places`` and ``cost`` over all
        periods and ``share_of_cost`` (0-1); first (with ``total``) a row
        :data:`ALL_REGIONS` adding them all up, then the values of ``key``,
        largest cost first.

    Examples
    --------
    >>> quotas = pd.DataFrame({"region": ["A", "A", "B", "B"], "period": [2025, 2026] * 2,
    ...                        "quota": [10.0, 20.0, 5.0, 0.0],
    ...                        "cost": [100.0, 200.0, 50.0, 0.0]})
    >>> table = region_totals(quotas)
    >>> table[["region", "places_2025", "places_2026", "cost", "share_of_cost"]].round(3)
            region  places_2025  places_2026   cost  share_of_cost
    0  all regions         15.0         20.0  350.0          1.000
    1            A         10.0         20.0  300.0          0.857
    2            B          5.0          0.0   50.0          0.143
    >>> region_totals(quotas, total=False)["region"].tolist()
    ['A', 'B']
    """
    long = region_places(quotas, keys)
    if long is None:
        return None
    key = long.columns[0]
    long = long.assign(**{key: long[key].astype(str)})
    frame = pd.DataFrame(index=pd.Index(sorted(long[key].unique()), name=key))
    if "period" in long.columns:
        wide = long.pivot_table(index=key, columns="period", values=["places", "cost"],
                                aggfunc="sum", sort=True, observed=True)
        for period in wide.columns.get_level_values("period").unique():
            for column in ("places", "cost"):
                frame[f"{column}_{period}"] = wide[(column, period)].reindex(
                    frame.index, fill_value=0.0).fillna(0.0)
    summed = long.groupby(key)[["places", "cost"]].sum().reindex(frame.index, fill_value=0.0)
    frame["places"], frame["cost"] = summed["places"], summed["cost"]
    spent = float(frame["cost"].sum())
    frame["share_of_cost"] = frame["cost"] / spent if spent > 0 else 0.0
    frame = frame.sort_values("cost", ascending=False, kind="stable")
    if not total:
        return frame.reset_index()
    everything = frame.sum().to_frame(ALL_REGIONS).T
    everything.index.name = key
    return pd.concat([everything, frame]).reset_index()


def national_shares(path: pd.DataFrame, observed: pd.DataFrame) -> pd.DataFrame:
    """A target path's shares of all regions together, from summed counts, not averaged shares.

    Projected years: the regions' workers and denominators (``workers_*``,
    ``denominator_*``) summed per level and year, and the share their
    ratio. Observed years: the summed employment, skilled and high-skilled
    workers of each year (as given: the cells' counts at their last observed
    period of the year), and the share their ratio. No target
    share: the targets are the regions'.

    Parameters
    ----------
    path : pandas.DataFrame
        A target path per region (:func:`talentgap.cli._targets.target_paths`).
    observed : pandas.DataFrame
        The employment table by cell: ``period`` (annual), ``employment``,
        ``skilled`` (and ``high_skilled``).

    Returns
    -------
    pandas.DataFrame
        The columns of ``path`` it can fill, ``region`` :data:`ALL_REGIONS`.

    Examples
    --------
    >>> y = pd.PeriodIndex(["2025", "2025"], freq="Y")
    >>> path = pd.DataFrame({"region": ["A", "B"], "skill_level": "skilled", "period": y,
    ...                      "share_of": "employment", "workers_without_plan": [10.0, 90.0],
    ...                      "workers_with_plan": [20.0, 90.0],
    ...                      "denominator_without_plan": [100.0, 300.0],
    ...                      "denominator_with_plan": [100.0, 300.0]})
    >>> observed = pd.DataFrame({"period": pd.PeriodIndex(["2024"] * 2, freq="Y"),
    ...                          "employment": [100, 300], "skilled": [20, 60]})
    >>> national_shares(path, observed)[["period", "observed_share", "share_without_plan",
    ...                                  "share_with_plan"]]
      period  observed_share  share_without_plan  share_with_plan
    0   2024             0.2                 NaN              NaN
    1   2025             NaN                0.25            0.275
    """
    counts = ["workers_without_plan", "workers_with_plan", "denominator_without_plan",
              "denominator_with_plan"]
    projected = path.dropna(subset=counts, how="all")
    years = observed.groupby("period", observed=True)[
        [c for c in ("employment", "skilled", "high_skilled") if c in observed]].sum()
    frames = []
    for (level, share_of), rows in projected.groupby(["skill_level", "share_of"], sort=False):
        numerator = "skilled" if level == "skilled" else "high_skilled"
        if numerator not in years.columns:
            continue
        denominator = "employment" if level == "skilled" else "skilled"
        past = years[numerator] / years[denominator].where(years[denominator] > 0)
        sums = rows.groupby("period", observed=True)[counts].sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            future = pd.DataFrame({
                "share_without_plan": sums["workers_without_plan"]
                / sums["denominator_without_plan"].where(sums["denominator_without_plan"] > 0),
                "share_with_plan": sums["workers_with_plan"]
                / sums["denominator_with_plan"].where(sums["denominator_with_plan"] > 0),
                **{c: sums[c] for c in counts}})
        frames.append(pd.concat([past.rename("observed_share").reset_index(),
                                 future.reset_index()], ignore_index=True)
                      .assign(skill_level=level, share_of=share_of))
    if not frames:
        return pd.DataFrame(columns=["region", "skill_level", "period"])
    out = pd.concat(frames, ignore_index=True).assign(region=ALL_REGIONS, target_share=np.nan)
    return out.sort_values(["skill_level", "period"], kind="stable").reset_index(drop=True)


def split_national(path: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A run's target path as its two files: the regions', and all regions' together.

    Parameters
    ----------
    path : pandas.DataFrame
        :attr:`RunResult.target_path <talentgap.cli.pipeline.RunResult>`: the
        regions' rows, then those of region :data:`ALL_REGIONS`
        (:func:`national_shares`).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        ``target_path.csv``: the regions' rows only, so that workers summed
        over them count no one twice; ``target_path_national.csv``: the rows
        of all regions together, without ``region`` and the target columns
        (``target_share``, ``target_year``, ``base_period``, ``base_share``:
        the targets are the regions').

    Examples
    --------
    >>> path = pd.DataFrame({"region": ["A", "B", ALL_REGIONS], "period": "2026",
    ...                      "target_share": [0.3, 0.4, np.nan],
    ...                      "share_with_plan": [0.2, 0.5, 0.35]})
    >>> regions, national = split_national(path)
    >>> regions["region"].tolist(), national.columns.tolist()
    (['A', 'B'], ['period', 'share_with_plan'])
    """
    together = (path["region"] == ALL_REGIONS).to_numpy()
    national = path[together].drop(columns=["region", "target_share", "target_year",
                                            "base_period", "base_share"], errors="ignore")
    return (path[~together].reset_index(drop=True), national.reset_index(drop=True))
