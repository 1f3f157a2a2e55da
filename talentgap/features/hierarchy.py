"""Totals of a panel along crossed hierarchies (region -> province -> all, ...).

Each key column gets a chain of levels, from the bottom (the key itself)
through the groupings of a user-supplied mapping to ``"all"``. The panel is
summed for every combination of one level per key, which gives every node
of the crossed hierarchy (e.g. province x sector, region x all, all x all).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from talentgap.errors import ParameterError

__all__ = ["aggregate", "ADDITIVE_COLUMNS", "TOP"]

#: Label of the top node of every hierarchy.
TOP = "all"

#: Panel columns that add up across cells (rates and shares do not).
ADDITIVE_COLUMNS = (
    "demand", "supply", "gap", "trained", "certified", "n_respondents", "enterprises",
    "employees", "vacancies", "employment", "skilled", "high_skilled",
)


def _levels_for(key: str, mapping, bottom: pd.Index) -> tuple[list[str], pd.DataFrame]:
    """The level names of one key, bottom first, and a table bottom value -> each level."""
    if mapping is None:
        table = pd.DataFrame({key: bottom})
    elif isinstance(mapping, pd.Series):
        name = mapping.name if mapping.name not in (None, key) else f"{key}_group"
        table = pd.DataFrame({key: mapping.index, name: mapping.to_numpy()})
    elif isinstance(mapping, pd.DataFrame):
        if key not in mapping.columns:
            raise ParameterError(f"the mapping for {key!r} needs a column {key!r}; "
                                 f"it has {list(mapping.columns)}")
        table = mapping[[key, *[c for c in mapping.columns if c != key]]]
    elif isinstance(mapping, Mapping):
        table = pd.DataFrame({key: list(mapping), f"{key}_group": list(mapping.values())})
    else:
        raise ParameterError(f"the mapping for {key!r} must be a DataFrame, Series or dict")
    table = table.astype({c: object for c in table.columns})
    repeated = table[key][table[key].duplicated()].unique()
    if len(repeated):
        raise ParameterError(f"the mapping for {key!r} lists {list(repeated)[:5]} more than "
                             "once; each value needs exactly one parent")
    unmapped = bottom.difference(pd.Index(table[key]))
    if len(unmapped):
        raise ParameterError(f"the mapping for {key!r} has no entry for "
                             f"{list(unmapped)[:5]} ({len(unmapped)} values in the panel)")
    table = table.set_index(key).reindex(pd.Index(bottom, name=key))
    no_parent = table.index[table.isna().any(axis=1).to_numpy()]
    if len(no_parent):  # a missing parent would drop the value from that level's totals
        raise ParameterError(f"the mapping for {key!r} gives no parent (a missing value) for "
                             f"{list(no_parent)[:5]} ({len(no_parent)} values in the panel)")
    levels = [key, *table.columns, TOP]
    table = table.reset_index()
    table[TOP] = TOP
    return levels, table


def aggregate(panel: pd.DataFrame, *, levels: Mapping[str, object] | None = None,
              keys: Sequence[str] = ("region", "industry"), values: Sequence[str] | None = None,
              time: str = "period") -> pd.DataFrame:
    """Sum a panel to every node of the crossed hierarchy of its keys.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per bottom cell and period (e.g. from
        :func:`talentgap.features.build_panel`).
    levels : mapping of str to DataFrame, Series or dict, optional
        For each key, how bottom values group into higher levels: a
        DataFrame with the key column and one column per higher level (from
        low to high, e.g. ``region, province``); a Series indexed by the
        bottom values whose name is the level; or a dict bottom -> parent
        (level ``<key>_group``). Keys without a mapping have only the bottom
        level and ``"all"``.
    keys : sequence of str, default ("region", "industry")
    values : sequence of str, optional
        Columns to sum; default: the panel's :data:`ADDITIVE_COLUMNS`.
        ``demand_se`` is combined as ``sqrt(sum(se^2))`` (cells are
        independent strata) when present.
    time : str, default "period"

    Returns
    -------
    pandas.DataFrame
        One row per node and period: for each key ``k`` a column ``k``
        (the node's label, ``"all"`` at the top) and ``k_level`` (the
        level's name), then ``time``, ``n_cells`` and the summed values.
        A sum is NaN when any of its cells is NaN (a total is never
        silently partial).

    Examples
    --------
    >>> import pandas as pd
    >>> panel = pd.DataFrame({"region": ["a", "b", "c"], "industry": ["x", "x", "x"],
    ...                       "period": pd.PeriodIndex(["2024"] * 3, freq="Y"),
    ...                       "gap": [1.0, 2.0, 4.0]})
    >>> out = aggregate(panel, levels={"region": {"a": "north", "b": "north", "c": "south"}})
    >>> out[out["industry_level"] == "industry"][["region", "gap"]].values.tolist()
    [['a', 1.0], ['b', 2.0], ['c', 4.0], ['north', 3.0], ['south', 4.0], ['all', 7.0]]
    """
    keys = list(keys)
    levels = dict(levels or {})
    unknown = [k for k in levels if k not in keys]
    if unknown:
        raise ParameterError(f"levels given for {unknown}, which are not among keys {keys}")
    missing = [c for c in [*keys, time] if c not in panel.columns]
    if missing:
        raise ParameterError(f"columns {missing} are not in the panel")
    blank = [c for c in [*keys, time] if panel[c].isna().any()]
    if blank:  # groupby would drop those rows from some levels but not others
        raise ParameterError(f"columns {blank} have missing values; every row needs "
                             "its cell and period")
    if values is None:
        values = [c for c in ADDITIVE_COLUMNS if c in panel.columns]
    values = list(values)
    with_se = "demand_se" in panel.columns and "demand" in values

    chains, tables = {}, {}
    for key in keys:
        bottom = pd.Index(pd.unique(panel[key].astype(object)))
        chains[key], tables[key] = _levels_for(key, levels.get(key), bottom)

    base = panel[[*keys, time]].astype({k: object for k in keys})
    numbers = panel[values].astype(np.float64)
    if with_se:
        numbers["demand_se"] = panel["demand_se"].astype(np.float64) ** 2
    gaps = numbers.isna().astype(np.int64).add_suffix(" missing")
    pieces = []
    for combo in itertools.product(*(chains[k] for k in keys)):
        labels = {}
        for key, level in zip(keys, combo, strict=True):
            lookup = tables[key].set_index(key)[level] if level != key else None
            labels[key] = base[key] if lookup is None else base[key].map(lookup)
        frame = pd.DataFrame(labels).assign(**{time: base[time]})
        grouped = pd.concat([frame, numbers, gaps], axis=1).groupby([*keys, time], sort=True)
        totals = grouped.sum()
        summed = totals[list(numbers.columns)].mask(totals[list(gaps.columns)].to_numpy() > 0)
        summed.insert(0, "n_cells", grouped.size())
        summed = summed.reset_index()
        for key, level in zip(keys, combo, strict=True):
            summed.insert(summed.columns.get_loc(key) + 1, f"{key}_level", level)
        pieces.append(summed)
    out = pd.concat(pieces, ignore_index=True)
    if with_se:
        out["demand_se"] = np.sqrt(out["demand_se"])
    return out
