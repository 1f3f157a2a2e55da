"""The crossed hierarchy of cells (region -> province -> all x industry -> ...) and its totals.

Each key column (``region``, ``industry``, ...) gets a chain of levels, from
the bottom (the key itself) through the groupings of a user-supplied mapping
to ``"all"``. A node is one combination of one level per key (province x
sector, region x all, all x all, ...). :class:`Hierarchy` is the one place
that knows the levels of every key, lists the nodes, holds the sparse summing
matrix ``S`` that maps bottom cells to nodes and sums a cells x periods array
to every node. :func:`aggregate` uses it to sum a panel to every node;
:func:`talentgap.models.reconcile` uses it to make forecasts of all nodes add up.
Standard errors of node totals under a survey design (cells sharing strata
and PSUs) come from the microdata: :func:`talentgap.features.estimate_nodes`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from talentgap._arguments import key_list
from talentgap._registry import register_dataclass
from talentgap.errors import ParameterError, warn

__all__ = ["Hierarchy", "aggregate", "ADDITIVE_COLUMNS", "TOP"]

#: Label of the top node of every hierarchy.
TOP = "all"

#: Panel columns that add up across cells (rates and shares do not).
ADDITIVE_COLUMNS = (
    "demand", "supply", "gap", "trained", "certified", "n_respondents", "enterprises",
    "employees", "vacancies", "employment", "skilled", "high_skilled",
)


# ---- the levels of one key ------------------------------------------------------------------
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


def _check_levels(levels: Mapping[str, object] | None, keys: list[str]) -> dict:
    levels = dict(levels or {})
    unknown = [k for k in levels if k not in keys]
    if unknown:
        raise ParameterError(f"levels given for {unknown}, which are not among keys {keys}")
    return levels


# ---- the hierarchy ----------------------------------------------------------------------------
@register_dataclass("Hierarchy")
@dataclass(frozen=True, eq=False, repr=False)
class Hierarchy:
    """A crossed hierarchy of cells and its summing matrix.

    Build it with :meth:`from_mappings`. Each key has a chain of levels from
    the bottom (the key itself) through its groupings to ``"all"``; a node
    is one combination of one level per key (e.g. province x sector, region
    x all), labelled exactly as in :func:`aggregate`.

    Attributes
    ----------
    keys : tuple of str
        The key columns, e.g. ``("region", "industry")``.
    levels : dict of str to tuple of str
        For each key its level names, bottom first, ending in ``"all"``.
    nodes : pandas.DataFrame
        One row per node: for each key ``k`` the columns ``k`` (label) and
        ``k_level`` (level name), then ``n_cells`` (bottom cells under the
        node). Rows are ordered like :func:`aggregate` output: blocks of
        level combinations (bottom x bottom first, all x all last), each
        sorted by labels. The first ``n_bottom`` rows are the bottom cells,
        in the order of ``bottom``.
    bottom : pandas.DataFrame
        The distinct bottom cells (the key columns), sorted.
    S : scipy.sparse.csr_matrix
        Summing matrix, shape (n_nodes, n_bottom), entry 1 where the bottom
        cell (column) lies under the node (row). Never densified here.

    Examples
    --------
    Two regions of one industry: the cells, each region over all
    industries, the industry over all regions, and the total.

    >>> import pandas as pd
    >>> hier = Hierarchy.from_mappings(pd.DataFrame({"region": ["a", "b"],
    ...                                              "industry": ["x", "x"]}))
    >>> hier.nodes[["region", "industry", "n_cells"]].to_numpy().tolist()
    [['a', 'x', 1], ['b', 'x', 1], ['a', 'all', 1], ['b', 'all', 1], ['all', 'x', 2], \
['all', 'all', 2]]
    >>> hier.S.toarray()[-1].tolist()  # the total sums both cells
    [1.0, 1.0]
    """

    keys: tuple[str, ...]
    levels: dict[str, tuple[str, ...]]
    nodes: pd.DataFrame
    bottom: pd.DataFrame
    S: sparse.csr_matrix

    @classmethod
    def from_mappings(cls, bottom: pd.DataFrame,
                      levels: Mapping[str, object] | None = None, *,
                      keys: Sequence[str] = ("region", "industry")) -> Hierarchy:
        """Build the crossed hierarchy of the cells in ``bottom``.

        Parameters
        ----------
        bottom : pandas.DataFrame
            The bottom cells: a table with the ``keys`` columns (other columns
            are ignored and repeated cells count once, so a whole panel works).
        levels : mapping of str to DataFrame, Series or dict, optional
            For each key, how bottom values group into higher levels: a
            DataFrame with the key column and one column per higher level
            (low to high, e.g. ``region, province``); a Series indexed by the
            bottom values whose name is the level; or a dict bottom -> parent
            (level ``<key>_group``). Keys without a mapping have only the
            bottom level and ``"all"``.
        keys : sequence of str, default ("region", "industry")

        Returns
        -------
        Hierarchy

        Raises
        ------
        ParameterError
            A key column is missing or has missing values, or a mapping lacks
            a bottom value, lists one twice or gives it no parent.

        Examples
        --------
        >>> import pandas as pd
        >>> cells = pd.DataFrame({"region": ["a", "b", "c"], "industry": ["x", "x", "y"]})
        >>> hier = Hierarchy.from_mappings(cells, {"region": {"a": "N", "b": "N", "c": "S"}})
        >>> hier.levels["region"], hier.n_bottom, hier.n_nodes
        (('region', 'region_group', 'all'), 3, 13)
        >>> hier.nodes.tail(2)[["region", "industry", "n_cells"]].to_numpy().tolist()
        [['all', 'y', 1], ['all', 'all', 3]]
        """
        keys = key_list(keys, allow_empty=False, distinct=True)
        levels = _check_levels(levels, keys)
        missing = [k for k in keys if k not in bottom.columns]
        if missing:
            raise ParameterError(f"bottom lacks the key columns {missing}; it has "
                                 f"{list(bottom.columns)[:10]}")
        blank = [k for k in keys if bottom[k].isna().any()]
        if blank:
            raise ParameterError(f"key columns {blank} of bottom have missing values")
        cells = bottom[keys].astype(object).drop_duplicates()
        cells = cells.sort_values(keys, kind="stable").reset_index(drop=True)
        if cells.empty:
            raise ParameterError("bottom has no rows")

        chains, lookups = {}, {}
        for key in keys:
            values = pd.Index(pd.unique(cells[key]))
            chain, table = _levels_for(key, levels.get(key), values)
            chains[key] = tuple(chain)
            where = pd.Index(table[key]).get_indexer(cells[key])
            lookups[key] = {level: table[level].to_numpy(dtype=object)[where]
                            for level in chain}

        n_bottom = len(cells)
        blocks, rows, offset = [], [], 0
        for combo in itertools.product(*(chains[k] for k in keys)):
            labels = pd.DataFrame({k: lookups[k][level]
                                   for k, level in zip(keys, combo, strict=True)})
            grouped = labels.groupby(keys, sort=True)
            codes = grouped.ngroup().to_numpy()
            block = grouped.size().rename("n_cells").reset_index()
            for key, level in zip(keys, combo, strict=True):
                block.insert(block.columns.get_loc(key) + 1, f"{key}_level", level)
            blocks.append(block)
            rows.append(offset + codes)
            offset += len(block)
        nodes = pd.concat(blocks, ignore_index=True)
        node_columns = [c for k in keys for c in (k, f"{k}_level")]
        nodes = nodes.astype({c: object for c in node_columns})
        nodes["n_cells"] = nodes["n_cells"].astype(np.int64)
        summing = sparse.csr_matrix(
            (np.ones(n_bottom * len(rows)), (np.concatenate(rows),
                                             np.tile(np.arange(n_bottom), len(rows)))),
            shape=(len(nodes), n_bottom))
        return cls(keys=tuple(keys), levels=chains, nodes=nodes, bottom=cells, S=summing)

    @property
    def node_columns(self) -> list[str]:
        """The columns that name a node: ``<key>, <key>_level`` for every key."""
        return [c for k in self.keys for c in (k, f"{k}_level")]

    @property
    def n_nodes(self) -> int:
        """Number of nodes (rows of ``S``)."""
        return self.S.shape[0]

    @property
    def n_bottom(self) -> int:
        """Number of bottom cells (columns of ``S``)."""
        return self.S.shape[1]

    def sum_to_nodes(self, values: np.ndarray) -> np.ndarray:
        """Sum bottom-cell values to every node; a node is NaN where any of its cells is.

        Parameters
        ----------
        values : array-like, shape (n_bottom,) or (n_bottom, n_columns)
            One row per bottom cell, in the order of ``bottom`` (e.g. cells x
            periods); NaN marks a missing value.

        Returns
        -------
        numpy.ndarray of float64, shape (n_nodes,) or (n_nodes, n_columns)
            ``S @ values`` in the order of ``nodes``, NaN in every column
            where a cell under the node is NaN (a total is never silently
            partial).

        Raises
        ------
        ParameterError
            ``values`` does not have one row per bottom cell.

        Examples
        --------
        >>> import numpy as np
        >>> import pandas as pd
        >>> cells = pd.DataFrame({"region": ["a", "b"], "industry": ["x", "x"]})
        >>> hier = Hierarchy.from_mappings(cells, keys=["region"])
        >>> hier.sum_to_nodes(np.array([[1.0, 2.0], [4.0, np.nan]])).tolist()
        [[1.0, 2.0], [4.0, nan], [5.0, nan]]
        """
        values = np.asarray(values, dtype=np.float64)
        if values.ndim not in (1, 2) or values.shape[0] != self.n_bottom:
            raise ParameterError(f"values must have one row per bottom cell, shape "
                                 f"({self.n_bottom},) or ({self.n_bottom}, n); got "
                                 f"{values.shape}")
        missing = np.isnan(values)
        totals = np.asarray(self.S @ np.where(missing, 0.0, values), dtype=np.float64)
        if missing.any():
            totals[(self.S @ missing.astype(np.float64)) > 0] = np.nan
        return totals

    def cell_positions(self, frame: pd.DataFrame) -> np.ndarray:
        """The bottom cell (row of ``bottom``) of each row of ``frame``, -1 if not a cell.

        Parameters
        ----------
        frame : pandas.DataFrame
            A table with the ``keys`` columns.

        Returns
        -------
        numpy.ndarray of int64, shape (len(frame),)

        Examples
        --------
        >>> import pandas as pd
        >>> cells = pd.DataFrame({"region": ["a", "b"], "industry": ["x", "x"]})
        >>> hier = Hierarchy.from_mappings(cells)
        >>> hier.cell_positions(pd.DataFrame({"region": ["b", "c"], "industry": ["x", "x"]}))
        array([ 1, -1])
        """
        keys = list(self.keys)
        index = pd.MultiIndex.from_frame(self.bottom[keys].astype(object))
        where = index.get_indexer(pd.MultiIndex.from_frame(frame[keys].astype(object)))
        return where.astype(np.int64)

    def node_positions(self, frame: pd.DataFrame, *, what: str = "the table") -> np.ndarray:
        """The node (row of ``nodes``) of each row of ``frame``.

        Parameters
        ----------
        frame : pandas.DataFrame
            A table with the :attr:`node_columns`, as in :func:`aggregate` output.
        what : str, default "the table"
            How error messages name ``frame``.

        Returns
        -------
        numpy.ndarray of int64, shape (len(frame),)

        Raises
        ------
        ParameterError
            Some rows name nodes that are not in the hierarchy.

        Examples
        --------
        >>> import pandas as pd
        >>> cells = pd.DataFrame({"region": ["a", "b"], "industry": ["x", "x"]})
        >>> hier = Hierarchy.from_mappings(cells, keys=["region"])
        >>> hier.node_positions(pd.DataFrame({"region": ["all", "b"],
        ...                                   "region_level": ["all", "region"]}))
        array([2, 1])
        """
        columns = self.node_columns
        index = pd.MultiIndex.from_frame(self.nodes[columns].astype(object))
        target = pd.MultiIndex.from_frame(frame[columns].astype(object))
        where = index.get_indexer(target)
        unknown = where < 0
        if unknown.any():
            examples = frame.loc[unknown, columns].drop_duplicates().head(3)
            raise ParameterError(
                f"{what} has {int(unknown.sum())} rows for nodes that are not in the "
                f"hierarchy, e.g. {examples.astype(str).to_dict('records')}; check the "
                "level mappings")
        return where.astype(np.int64)

    def node_examples(self, positions: np.ndarray, *, limit: int = 3) -> str:
        """The labels of the first ``limit`` nodes at ``positions``, for error messages.

        Examples
        --------
        >>> import pandas as pd
        >>> cells = pd.DataFrame({"region": ["a", "b"], "industry": ["x", "x"]})
        >>> Hierarchy.from_mappings(cells, keys=["region"]).node_examples([2])
        "[{'region': 'all', 'region_level': 'all'}]"
        """
        rows = self.nodes.iloc[np.asarray(positions)[:limit]][self.node_columns]
        return str(rows.astype(str).to_dict("records"))

    def __repr__(self) -> str:
        chains = " x ".join(" -> ".join(self.levels[k]) for k in self.keys)
        return (f"Hierarchy({chains}; {self.n_bottom:,} bottom cells, "
                f"{self.n_nodes:,} nodes)")


# ---- summing a panel to every node -------------------------------------------------------------
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
        ``demand_se`` is combined as ``sqrt(sum(se^2))`` when present: right
        when each cell is its own stratum (a panel built without a design).
        A panel built with a design (it has ``take_all`` or ``*_df`` columns,
        or ``attrs["survey_design"]``) gets NaN ``demand_se`` on nodes of
        more than one cell, and a warning:
        its cells are domains sharing strata and PSUs, their totals covary,
        and only the microdata give a node's standard error (use
        :func:`talentgap.features.estimate_nodes`).
    time : str, default "period"

    Returns
    -------
    pandas.DataFrame
        One row per node and period: for each key ``k`` a column ``k``
        (the node's label, ``"all"`` at the top) and ``k_level`` (the
        level's name), then ``time``, ``n_cells`` and the summed values.
        Nodes come in the order of :attr:`Hierarchy.nodes` (built by
        :meth:`Hierarchy.from_mappings` from the same panel and levels),
        periods sorted within a node; a node-period is listed when at least
        one of its cells has a row. ``n_cells`` counts those rows. A sum is
        NaN when any of its cells is NaN (a total is never silently partial).

    Raises
    ------
    ParameterError
        A key or time column is missing or has missing values, or a mapping
        is malformed (see :meth:`Hierarchy.from_mappings`).

    Warns
    -----
    DataQualityWarning
        The panel was built with a survey design and has ``demand_se``: the
        ``demand_se`` of nodes of several cells are NaN (see ``values``).

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
    keys = key_list(keys, distinct=True, time=time,
                    reserved={c: "a value column" for c in (values or ())})
    levels = _check_levels(levels, keys)
    missing = [c for c in [*keys, time] if c not in panel.columns]
    if missing:
        raise ParameterError(f"columns {missing} are not in the panel")
    blank = [c for c in [*keys, time] if panel[c].isna().any()]
    if blank:  # such a row would have no node or no period
        raise ParameterError(f"columns {blank} have missing values; every row needs "
                             "its cell and period")
    if values is None:
        values = [c for c in ADDITIVE_COLUMNS if c in panel.columns]
    numbers = panel[list(values)].astype(np.float64)
    with_se = "demand_se" in panel.columns and "demand" in numbers.columns
    if with_se:
        numbers["demand_se"] = panel["demand_se"].astype(np.float64) ** 2
        design = _design_marks(panel)
        if design:  # cells are domains of one design: their variances do not add up
            warn(f"aggregate: the panel was built with a survey design ({design}); its "
                 "cells are domains sharing strata and PSUs, so a node's demand_se is not "
                 "the root sum of its cells' squared SEs and is left NaN where the node has "
                 "several cells. Estimate the "
                 "nodes from the surveys with talentgap.features.estimate_nodes(surveys, "
                 "levels=..., design=...) for design-based SEs")
    if panel.empty:
        return _empty_totals(panel, keys, time, numbers.columns)

    hierarchy = Hierarchy.from_mappings(panel, levels, keys=keys)
    cell = hierarchy.cell_positions(panel)
    period, periods = pd.factorize(panel[time], sort=True)
    n_periods, n_values = len(periods), numbers.shape[1]
    # rows -> cell x period sums (NaN if any row is NaN; 0 where the cell has no row)
    rows = sparse.csr_matrix((np.ones(len(panel)), (cell * n_periods + period,
                                                    np.arange(len(panel)))),
                             shape=(hierarchy.n_bottom * n_periods, len(panel)))
    cells = np.asarray(rows @ numbers.to_numpy(dtype=np.float64))
    counts = hierarchy.sum_to_nodes(np.asarray(rows.sum(axis=1)).reshape(-1, n_periods))
    totals = hierarchy.sum_to_nodes(cells.reshape(hierarchy.n_bottom, n_periods * n_values))
    totals = totals.reshape(hierarchy.n_nodes, n_periods, n_values)

    node, at = np.nonzero(counts > 0)  # node by node, periods sorted within each
    out = hierarchy.nodes[hierarchy.node_columns].iloc[node].reset_index(drop=True)
    out = out.infer_objects()  # text labels as pandas' string dtype, like a groupby gives
    out[time] = periods.take(at)
    out["n_cells"] = counts[node, at].astype(np.int64)
    for j, column in enumerate(numbers.columns):
        out[column] = totals[node, at, j]
    if with_se:
        out["demand_se"] = np.sqrt(out["demand_se"])
        if design:  # a node of one cell keeps that cell's design-based SE
            out.loc[out["n_cells"] > 1, "demand_se"] = np.nan
    return out


def _design_marks(panel: pd.DataFrame) -> str:
    """What shows that ``panel`` was estimated with a survey design ('' if nothing)."""
    marks = [c for c in panel.columns if c == "take_all" or str(c).endswith("_df")]
    if panel.attrs.get("survey_design"):
        marks.insert(0, f"attrs['survey_design'] = {panel.attrs['survey_design']}")
    return ", ".join(marks[:3])


def _empty_totals(panel: pd.DataFrame, keys: list[str], time: str,
                  values: pd.Index) -> pd.DataFrame:
    """The columns and types of :func:`aggregate` output for a panel without rows."""
    columns = {}
    for key in keys:
        columns[key] = pd.Series(dtype=object)
        columns[f"{key}_level"] = pd.Series(dtype=str)
    columns[time] = panel[time].iloc[:0].reset_index(drop=True)
    columns["n_cells"] = pd.Series(dtype=np.int64)
    columns.update({c: pd.Series(dtype=np.float64) for c in values})
    return pd.DataFrame(columns)
