"""The crossed hierarchy of cells that reconciliation works on, and its summing matrix.

Each key column (``region``, ``industry``, ...) has a chain of levels from
the bottom (the key itself) through its groupings to ``"all"``; a node is
one combination of one level per key (province x sector, region x all,
...). :class:`Hierarchy` lists the nodes in the layout of
:func:`talentgap.features.aggregate` and holds the sparse summing matrix
``S`` that maps bottom cells to every node. :func:`talentgap.models.reconcile`
uses it to make forecasts of all nodes add up.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from talentgap.errors import ParameterError
from talentgap.features.hierarchy import _levels_for

__all__ = ["Hierarchy"]


@dataclass(frozen=True, eq=False, repr=False)
class Hierarchy:
    """A crossed hierarchy of cells and its summing matrix.

    Build it with :meth:`from_mappings`. Each key has a chain of levels from
    the bottom (the key itself) through its groupings to ``"all"``; a node
    is one combination of one level per key (e.g. province x sector, region
    x all), labelled exactly as in :func:`talentgap.features.aggregate`.

    Attributes
    ----------
    keys : tuple of str
        The key columns, e.g. ``("region", "industry")``.
    levels : dict of str to tuple of str
        For each key its level names, bottom first, ending in ``"all"``.
    nodes : pandas.DataFrame
        One row per node: for each key ``k`` the columns ``k`` (label) and
        ``k_level`` (level name), then ``n_cells`` (bottom cells under the
        node). Rows are ordered like ``aggregate`` output: blocks of level
        combinations (bottom x bottom first, all x all last), each sorted by
        labels. The first ``n_bottom`` rows are the bottom cells, in the
        order of ``bottom``.
    bottom : pandas.DataFrame
        The distinct bottom cells (the key columns), sorted.
    S : scipy.sparse.csr_matrix
        Summing matrix, shape (n_nodes, n_bottom), entry 1 where the bottom
        cell (column) lies under the node (row). Never densified here.
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
            For each key, how bottom values group into higher levels, in the
            forms :func:`talentgap.features.aggregate` accepts: a DataFrame
            with the key column and one column per higher level (low to
            high), a Series indexed by bottom values (its name is the level),
            or a dict bottom -> parent (level ``<key>_group``). Keys without a
            mapping have only the bottom level and ``"all"``.
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
        keys = list(keys)
        if not keys:
            raise ParameterError("keys is empty; name at least one key column")
        levels = dict(levels or {})
        unknown = [k for k in levels if k not in keys]
        if unknown:
            raise ParameterError(f"levels given for {unknown}, which are not among keys {keys}")
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
        return self.S.shape[0]

    @property
    def n_bottom(self) -> int:
        return self.S.shape[1]

    def __repr__(self) -> str:
        chains = " x ".join(" -> ".join(self.levels[k]) for k in self.keys)
        return (f"Hierarchy({chains}; {self.n_bottom:,} bottom cells, "
                f"{self.n_nodes:,} nodes)")


# ---- finding the nodes of a table's rows ----------------------------------------------------
def _node_positions(frame: pd.DataFrame, hierarchy: Hierarchy, what: str) -> np.ndarray:
    columns = hierarchy.node_columns
    index = pd.MultiIndex.from_frame(hierarchy.nodes[columns].astype(object))
    target = pd.MultiIndex.from_frame(frame[columns].astype(object))
    where = index.get_indexer(target)
    unknown = where < 0
    if unknown.any():
        examples = frame.loc[unknown, columns].drop_duplicates().head(3)
        raise ParameterError(
            f"{what} has {int(unknown.sum())} rows for nodes that are not in the hierarchy, "
            f"e.g. {examples.astype(str).to_dict('records')}; check the level mappings")
    return where


def _describe(hierarchy: Hierarchy, positions: np.ndarray, limit: int = 3) -> str:
    rows = hierarchy.nodes.iloc[positions[:limit]][hierarchy.node_columns]
    return str(rows.astype(str).to_dict("records"))
