"""Annual needs from a sub-annual gap model: each year's periods averaged, per sample path.

A multi-year plan funds places per year against yearly needs. A quarterly
(or monthly) gap model's sample paths give one gap per cell, quarter and
path; the year's market need of a cell is the mean of its quarters' gaps on
the same path (persons short on average over the year), so the annual paths
keep the joint uncertainty of the quarterly ones. ``talentgap plan`` with
``[plan] years`` and ``POST /v1/plan`` with annual ``periods`` on a
quarterly model both plan on these needs (:func:`annual_sample_paths`, which
keeps them as cells x years x samples arrays), so the two give the same plan.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from talentgap._numeric import nanmean
from talentgap.errors import ParameterError

__all__ = ["annual_sample_paths", "path_means", "mark_held_years", "held_shares",
           "held_share_words", "held_need_words"]

#: float64 values converted at a time when averaging compact paths (64 MB): the
#: temporaries stay this small whatever the number of cells.
_BLOCK_VALUES = 1 << 23


def annual_sample_paths(paths, *, first_year: int | None = None, held=()):
    """Compact sample paths averaged over the periods of each calendar year, path by path.

    The yearly group means of the paths' long table (one row per cell, year
    and path) without building that table: the annual paths stay cells x
    years x samples arrays, which :func:`~talentgap.planning.allocate_quotas`
    plans on directly. A national
    plan (34,000 cells, 1,000 paths) thus never holds one row per cell,
    period and path.

    Parameters
    ----------
    paths : talentgap.models.SamplePaths
        The gap model's sample paths (``GapForecaster.sample_paths``).
    first_year : int, optional
        Leave out the years before this one (the first need year).
    held : sequence of int, default ()
        Need years past the paths' reach: each holds, per cell and path, the
        values of the last year the paths reach.

    Returns
    -------
    talentgap.models.SamplePaths
        The same cells; annual ``periods`` (the paths' years from
        ``first_year``, then ``held``); float64 ``demand`` and ``supply`` of
        shape (cells, years, samples), each the mean of that path's values
        over the year's periods (over the periods the paths hold of a year
        they cover in part; missing values left out, NaN where all are).
        Its gap (``demand - supply``) is the year's mean gap of each path
        wherever demand is missing for whole cells or not at all, as the
        gap model's paths have it.

    Raises
    ------
    ParameterError
        No period of the paths lies in ``first_year`` or later.

    Examples
    --------
    Two quarters of 2026 on two paths; 2027 holds 2026's need.

    >>> from talentgap.models import SamplePaths
    >>> paths = SamplePaths(
    ...     cells=pd.DataFrame({"region": ["N"], "industry": ["A"]}),
    ...     periods=pd.PeriodIndex(["2025Q4", "2026Q1", "2026Q2"], freq="Q"),
    ...     demand=np.array([[[9.0, 9.0], [10.0, 20.0], [30.0, 0.0]]], dtype=np.float32),
    ...     supply=np.zeros((1, 3, 2), dtype=np.float32))
    >>> annual = annual_sample_paths(paths, first_year=2026, held=[2027])
    >>> annual
    SamplePaths(1 cells x 2 periods x 2 samples, keys ['region', 'industry'], 2026..2027)
    >>> annual.gap()[0].tolist()
    [[20.0, 10.0], [20.0, 10.0]]
    """
    years = pd.PeriodIndex(paths.periods).asfreq("Y")
    kept = np.arange(len(years))
    if first_year is not None:
        kept = np.flatnonzero(years.year >= int(first_year))
        if not kept.size:
            raise ParameterError(f"first_year = {first_year}: the sample paths end before it")
    kept = kept[np.argsort(years.asi8[kept], kind="stable")]   # each year one run of periods
    ordinals = years.asi8[kept]
    starts = np.flatnonzero(np.r_[True, ordinals[1:] != ordinals[:-1]])
    held = [int(y) for y in held]
    labels = [str(y) for y in years.year[kept[starts]]] + [str(y) for y in held]
    n, samples = paths.demand.shape[0], paths.demand.shape[2]
    shape = (n, starts.size + len(held), samples)
    demand, supply = np.empty(shape), np.empty(shape)
    step = max(1, _BLOCK_VALUES // max(1, kept.size * samples))
    for lo in range(0, n, step):   # blocks of cells, each averaged at once
        for source, target in ((paths.demand, demand), (paths.supply, supply)):
            block = np.asarray(source[lo:lo + step][:, kept], dtype=np.float64)
            target[lo:lo + step, :starts.size] = _run_means(block, starts)
    if held:
        for target in (demand, supply):
            target[:, starts.size:] = target[:, starts.size - 1:starts.size]
    return dataclasses.replace(paths, periods=pd.PeriodIndex(labels, freq="Y"),
                               demand=demand, supply=supply)


def _run_means(block: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Means over axis 1 of ``block`` (cells x periods x samples) in runs beginning at
    ``starts``, missing values left out (NaN where a run has none)."""
    counts = np.diff(np.append(starts, block.shape[1]))
    missing = np.isnan(block)
    if not missing.any():
        return np.add.reduceat(block, starts, axis=1) / counts[None, :, None]
    total = np.add.reduceat(np.where(missing, 0.0, block), starts, axis=1)
    count = np.add.reduceat((~missing).astype(np.float64), starts, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def path_means(paths, name: str) -> pd.DataFrame:
    """The mean over the sample paths of one quantity, per cell and period.

    Parameters
    ----------
    paths : talentgap.models.SamplePaths
        Sample paths, e.g. :func:`annual_sample_paths`.
    name : {"demand", "supply"}
        The quantity.

    Returns
    -------
    pandas.DataFrame
        ``<keys...>, <time>, <name>``: one row per cell and period, sorted by
        them; the mean of the paths' values (float64; missing values left
        out, NaN where all are), as the long table's group means give it.

    Examples
    --------
    >>> from talentgap.models import SamplePaths
    >>> paths = SamplePaths(
    ...     cells=pd.DataFrame({"region": ["S", "N"]}),
    ...     periods=pd.PeriodIndex(["2026", "2027"], freq="Y"),
    ...     demand=np.zeros((2, 2, 2), dtype=np.float32),
    ...     supply=np.arange(8, dtype=np.float32).reshape(2, 2, 2))
    >>> path_means(paths, "supply")
      region period  supply
    0      N   2026     4.5
    1      N   2027     6.5
    2      S   2026     0.5
    3      S   2027     2.5
    """
    values = getattr(paths, name)
    n, horizon, samples = values.shape
    means = np.empty((n, horizon))
    step = max(1, _BLOCK_VALUES // max(1, horizon * samples))
    for lo in range(0, n, step):   # blocks of cells, each averaged at once
        means[lo:lo + step] = nanmean(values[lo:lo + step], axis=2)
    keys, time = list(paths.cells.columns), paths.time
    frame = paths.cells.iloc[np.repeat(np.arange(n), horizon)].reset_index(drop=True)
    frame[time] = pd.PeriodIndex(paths.periods).take(np.tile(np.arange(horizon), n))
    frame[name] = means.ravel()
    # one row per group: the group means of the long table, in their order
    return (frame.groupby([*keys, time], observed=True, sort=True)[name].mean()
            .reset_index())


def mark_held_years(plan, held) -> None:
    """``need_basis`` in a multi-year plan's per-cell and per-year tables, and a note on the
    held need years' share of the need.

    ``need_basis`` is ``"forecast"``, or ``"held at <year>"`` for the need
    years ``held`` past the forecast (``held`` of :func:`annual_sample_paths`). The
    plan's tables are changed in place; a plan without them is left as it is.
    """
    if plan.cells is None or plan.years is None or not len(plan.years):
        return
    held = [int(y) for y in held]
    for table in (plan.cells, plan.years):
        table["need_basis"] = "forecast"
        if "committed_workers" in table:   # a later column than need_basis: kept last
            table["committed_workers"] = table.pop("committed_workers")
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
