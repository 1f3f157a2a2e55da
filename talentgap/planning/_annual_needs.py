"""Annual needs from a sub-annual gap model: each year's periods averaged, per sample path.

A multi-year plan funds places per year against yearly needs. A quarterly
(or monthly) gap model's sample paths give one gap per cell, quarter and
path; the year's market need of a cell is the mean of its quarters' gaps on
the same path (persons short on average over the year), so the annual paths
keep the joint uncertainty of the quarterly ones. ``talentgap plan`` with
``[plan] years`` and ``POST /v1/plan`` with annual ``periods`` on a
quarterly model both plan on these needs, so the two give the same plan.
"""

from __future__ import annotations

import pandas as pd

from talentgap.errors import ParameterError

__all__ = ["annual_needs", "hold_need_years", "mark_held_years", "held_shares",
           "held_share_words", "held_need_words"]


def annual_needs(paths, *, keys, first_year: int | None = None,
                 columns=("demand", "gap")) -> pd.DataFrame:
    """Sample paths averaged over the periods of each calendar year, path by path.

    Parameters
    ----------
    paths : talentgap.models.SamplePaths or pandas.DataFrame
        The gap model's sample paths (``GapForecaster.sample_paths``), or
        their long table ``<keys...>, period, sample`` and ``columns``.
    keys : sequence of str
        The cell key columns.
    first_year : int, optional
        Leave out the years before this one (the first need year).
    columns : sequence of str, default ("demand", "gap")
        The columns averaged.

    Returns
    -------
    pandas.DataFrame
        ``<keys...>, period, sample, <columns...>``: one row per cell, year
        (an annual ``period``) and path, sorted by them; each value the mean
        of that path's values over the year's periods in ``paths``. A year
        the paths cover only in part is the mean over the periods they hold.

    Raises
    ------
    ParameterError
        No period of the paths lies in ``first_year`` or later.

    Examples
    --------
    Two quarters of 2026 on two paths: each path's year is its own mean.

    >>> import pandas as pd
    >>> paths = pd.DataFrame({"region": "N", "industry": "A",
    ...                       "period": pd.PeriodIndex(["2025Q4", "2026Q1", "2026Q1",
    ...                                                 "2026Q2", "2026Q2"], freq="Q"),
    ...                       "sample": [0, 0, 1, 0, 1], "gap": [9.0, 10.0, 20.0, 30.0, 0.0]})
    >>> annual_needs(paths, keys=["region", "industry"], first_year=2026, columns=["gap"])
      region industry period  sample   gap
    0      N        A   2026       0  20.0
    1      N        A   2026       1  10.0
    """
    keys, columns = list(keys), list(columns)
    frame = paths.to_frame() if hasattr(paths, "to_frame") else paths
    frame = frame.assign(period=pd.PeriodIndex(frame["period"]).asfreq("Y"))
    if first_year is not None:
        frame = frame[frame["period"].dt.year >= int(first_year)]
        if frame.empty:
            raise ParameterError(f"first_year = {first_year}: the sample paths end before it")
    return (frame.groupby([*keys, "period", "sample"], observed=True, sort=True)[columns]
            .mean().reset_index())


def hold_need_years(annual: pd.DataFrame, years) -> pd.DataFrame:
    """The yearly needs with ``years`` past the paths' reach holding the last year's need.

    Each held year copies, per cell and sample path, the need of the last
    year the paths reach (the latest ``period`` of ``annual``): a plan over
    more years than the model forecasts plans the later ones on that copy
    (:func:`mark_held_years` says so in the plan).

    Examples
    --------
    >>> annual = pd.DataFrame({"region": "N", "period": pd.PeriodIndex(["2026"], freq="Y"),
    ...                        "sample": 0, "gap": [5.0]})
    >>> hold_need_years(annual, [2027])["period"].astype(str).tolist()
    ['2026', '2027']
    """
    years = [int(y) for y in years]
    if not years:
        return annual
    last = annual[annual["period"] == annual["period"].max()]
    return pd.concat([annual] + [last.assign(period=pd.Period(str(y), freq="Y"))
                                 for y in years], ignore_index=True)


def mark_held_years(plan, held) -> None:
    """``need_basis`` in a multi-year plan's per-cell and per-year tables, and a note on the
    held need years' share of the need.

    ``need_basis`` is ``"forecast"``, or ``"held at <year>"`` for the need
    years ``held`` past the forecast (:func:`hold_need_years`). The plan's
    tables are changed in place; a plan without them is left as it is.
    """
    if plan.cells is None or plan.years is None or not len(plan.years):
        return
    held = [int(y) for y in held]
    for table in (plan.cells, plan.years):
        table["need_basis"] = "forecast"
    if not held:
        return
    last = min(held) - 1
    for table in (plan.cells, plan.years):
        table.loc[pd.PeriodIndex(table["period"]).year > last, "need_basis"] = f"held at {last}"
    years = plan.years
    carried = held_share_words(held_shares(years))
    span = str(held[0]) if len(held) == 1 else f"{held[0]}-{held[-1]}"
    what = (f"1 need year of {len(years)} ({span}) lies past the forecast and holds"
            if len(held) == 1 else
            f"{len(held)} need years of {len(years)} ({span}) lie past the forecast and hold")
    plan.notes.append(
        f"{what} its {last} market need, per sample path (need_basis \"held at {last}\" in "
        "the plan tables)" + (f"; they carry {carried}" if carried else "")
        + "; the plan's figures for those years rest on that copy")


#: The need columns of a multi-year plan's per-year table whose held share is told, in words.
_NEED_WORDS = {"shortfall_before": "expected market shortfall",
               "policy_shortfall_before": "policy need"}


def held_shares(years: pd.DataFrame) -> dict[str, float]:
    """The share of the need without the plan that the held need years carry.

    Parameters
    ----------
    years : pandas.DataFrame
        A multi-year plan's per-year table (``QuotaPlan.years``) marked by
        :func:`mark_held_years` (its ``need_basis`` column).

    Returns
    -------
    dict
        ``{column: share}`` (0-1) for ``shortfall_before`` (the expected
        market shortfall) and ``policy_shortfall_before`` (the policy need),
        those of the two the table has with a positive total; the held
        years' part of that total. Empty without held years.

    Examples
    --------
    >>> years = pd.DataFrame({"period": ["2026", "2027", "2028"],
    ...                       "shortfall_before": [30.0, 30.0, 40.0],
    ...                       "need_basis": ["forecast", "forecast", "held at 2027"]})
    >>> held_shares(years)
    {'shortfall_before': 0.4}
    """
    if years is None or "need_basis" not in years.columns:
        return {}
    copied = (years["need_basis"] != "forecast").to_numpy()
    if not copied.any():
        return {}
    shares = {}
    for column in _NEED_WORDS:
        if column in years.columns:
            values = pd.to_numeric(years[column]).to_numpy(dtype=float)
            total = float(values.sum())
            if total > 0:
                shares[column] = float(values[copied].sum()) / total
    return shares


def held_share_words(shares: dict) -> str:
    """:func:`held_shares`'s answer in words; ``""`` when it is empty.

    Examples
    --------
    >>> held_share_words({"shortfall_before": 0.39, "policy_shortfall_before": 0.5})
    '39% of the expected market shortfall and 50% of the policy need without the plan'
    """
    parts = [f"{share:.0%} of the {_NEED_WORDS[column]}" for column, share in shares.items()]
    return " and ".join(parts) + " without the plan" if parts else ""


def held_need_words(reach_year: int, held, years: pd.DataFrame | None, *,
                    where: str = "plan_years.csv") -> str:
    """The warning that need years past the forecast's reach hold its last year's need.

    One sentence for ``talentgap plan`` and ``POST /v1/plan``: the held years,
    the year whose need they hold and their share of the need without the
    plan (:func:`held_shares` of ``years``, the plan's per-year table marked
    by :func:`mark_held_years`); ``where`` names the table whose
    ``need_basis`` marks them. ``""`` without held years.

    Examples
    --------
    >>> years = pd.DataFrame({"period": ["2027", "2028", "2029"],
    ...                       "shortfall_before": [30.0, 30.0, 40.0],
    ...                       "need_basis": ["forecast", "forecast", "held at 2028"]})
    >>> print(held_need_words(2028, [2029], years))  # doctest: +NORMALIZE_WHITESPACE
    the gap model's sample paths reach 2028; the market need of 2029 is held at its 2028
    level (per sample path); the held years carry 40% of the expected market shortfall
    without the plan (need_basis in plan_years.csv)
    """
    held = [int(y) for y in held]
    if not held:
        return ""
    span = str(held[0]) if len(held) == 1 else f"{held[0]}-{held[-1]}"
    carried = held_share_words(held_shares(years))
    carry = f"; the held years carry {carried}" if carried else ""
    return (f"the gap model's sample paths reach {int(reach_year)}; the market need of {span} "
            f"is held at its {int(reach_year)} level (per sample path){carry} (need_basis in "
            f"{where})")
