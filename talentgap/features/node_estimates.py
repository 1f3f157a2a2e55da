"""Survey estimates of every node of a crossed hierarchy, straight from the surveys.

A node of the hierarchy (province x sector, region x all, all x all, ...) is
a union of bottom cells. Its estimates are sums of the cells' estimates, but
its standard errors are not always sums of their variances: under a sampling
design whose strata and PSUs cut across the cells, the cells are domains of
one design and their totals covary (an industrial park sampled as one PSU
lifts or lowers every cell it holds together). :func:`estimate_nodes`
therefore estimates each node as a domain of the whole design, exactly as
:func:`talentgap.features.estimate_cells` does for a cell (Lohr, *Sampling*,
2019, section 4.3; R ``survey::svyby``): one call of the estimator per level
combination, with the node labels as the cells. Without a design each
bottom cell-period is its own stratum, as in ``estimate_cells``, and a
node's variance is the sum of its cells' variances; a cell with a single
respondent has no variance estimate, so by default the SEs of every node
above it are NaN (``lonely_cell="nan"``, with a warning naming the cells) or,
with ``lonely_cell="certainty"``, the cell adds 0 variance (R ``survey``'s
``lonely.psu = "certainty"``), which understates the node's SE.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from talentgap.errors import DataQualityWarning, ParameterError, collect_warnings, warn
from talentgap.features._calibrated_variance import calibration_margins
from talentgap.features._detail_cells import detail_rows
from talentgap.features._inputs import surveys_table
from talentgap.features._survey_columns import warn_unused_survey_columns
from talentgap.features._survey_moments import detail_cell_columns
from talentgap.features.design import SurveyDesign
from talentgap.features.hierarchy import Hierarchy
from talentgap.features.survey import (
    DF_COLUMNS,
    ESTIMATE_COLUMNS,
    check_key_names,
    check_weight_column,
    estimate_arrays,
)
from talentgap.schema import DETAIL_COLUMNS

__all__ = ["estimate_nodes"]

_LONELY = "have a single sampled PSU"  # the design's lonely-PSU warning, implied design only

#: What a single-respondent cell adds to its nodes' variances without a design.
LONELY_CELL = ("nan", "certainty")

#: How many single-respondent cells a warning names.
_EXAMPLES = 3


def estimate_nodes(surveys: pd.DataFrame, *, levels: Mapping[str, object] | None = None,
                   keys: Sequence[str] = ("region", "industry"), freq: str | None = None,
                   weight: str | None = "weight", design: SurveyDesign | None = None,
                   skill_levels: Sequence[str] | None = None,
                   lonely_cell: str = "nan", calibration=None) -> pd.DataFrame:
    """Design-based estimates of every node of the crossed hierarchy of the cells.

    Each node-period (e.g. province x all in 2024Q1) is estimated as a
    domain of the whole design of its period: its respondents are those of
    the cells under it, and its standard errors keep every stratum and PSU
    of the period, so the covariance between the cells' totals is in them.
    Use this, not :func:`talentgap.features.aggregate`, for the standard
    errors of totals of a panel built with a design.

    Parameters
    ----------
    surveys : pandas.DataFrame
        The ``surveys`` table (as for :func:`talentgap.features.estimate_cells`).
    levels : mapping of str to DataFrame, Series or dict, optional
        How bottom values group into higher levels, as for
        :meth:`talentgap.features.Hierarchy.from_mappings`.
    keys : sequence of str, default ("region", "industry")
        The columns of a bottom cell.
    freq : {"Y", "Q", "M"}, optional
        Period frequency for parsing raw period labels.
    weight : str or None, default "weight"
        Design-weight column, as for ``estimate_cells``.
    design : SurveyDesign, optional
        The sampling design. Without it each bottom cell-period is its own
        stratum (as in ``estimate_cells``): a node's variance of a total is
        the sum of its cells' variances (see ``lonely_cell`` for cells with a
        single respondent, whose variance is unknown). Without a design the
        keys must be enterprise-level (not ``occupation`` or ``skill_level``).
    skill_levels : sequence of str, optional
        The declared order of the skill levels, as for ``estimate_cells``.
    lonely_cell : {"nan", "certainty"}, default "nan"
        Without a design: what a bottom cell-period with a single respondent
        adds to the variance of the nodes above it. ``"nan"``: it is
        unknown, so every SE of those nodes is NaN. ``"certainty"``: 0, as
        if the cell were taken whole (R ``survey``'s ``lonely.psu =
        "certainty"``); the nodes' SEs then understate their error by that
        cell's unknown share, and a node whose every cell has a single
        respondent keeps NaN SEs. Either way a
        :class:`~talentgap.errors.DataQualityWarning` names the cells. With a
        ``design`` its ``lonely_psu`` rule applies instead.
    calibration : list of tuple of str, False or None, default None
        The margins the weights were calibrated to, for calibration (GREG)
        standard errors; None reads them from ``surveys.attrs`` (as
        :func:`~talentgap.features.estimate_cells` does), False ignores them.

    Returns
    -------
    pandas.DataFrame
        One row per node and period with respondents, nodes in the order of
        :attr:`Hierarchy.nodes` (as in :func:`~talentgap.features.aggregate`),
        periods sorted within a node: for each key ``k`` the columns ``k``
        (label, ``"all"`` at the top) and ``k_level``, then ``period``,
        ``n_cells`` (bottom cells under the node with respondents in the
        period) and every column of ``estimate_cells`` for the node
        (``n_respondents``, ``demand``, ``demand_se``, the rates and their
        SEs; with ``design`` also ``take_all`` and the ``*_df`` degrees of
        freedom). The bottom-level rows equal ``estimate_cells`` with the
        same design.

    Raises
    ------
    ParameterError
        A key is missing, a mapping is malformed (see
        :meth:`Hierarchy.from_mappings`), a detail key is used without a
        design, or ``lonely_cell`` is not one of its values.

    Warns
    -----
    DataQualityWarning
        Without a design, when a cell-period with a single respondent lies
        under a node of several cells: names the cells and says what its
        nodes' SEs are (NaN, or understated).
    SchemaError
        The table or its design columns break a rule (as for ``estimate_cells``).

    Examples
    --------
    Two parks (PSUs) of one stratum each hold enterprises of two regions;
    the regions' totals covary, so the top total's SE (41.57) is larger
    than the root sum of squares of theirs (29.9).

    >>> import pandas as pd
    >>> surveys = pd.DataFrame({
    ...     "period": "2024Q1", "enterprise_id": ["E1", "E2", "E3", "E4", "E5", "E6"],
    ...     "region": ["N", "S", "N", "S", "N", "S"], "industry": "textiles",
    ...     "employees": 50, "vacancies": 9, "hard_to_fill": [8, 7, 1, 2, 5, 4],
    ...     "reports_shortage": True, "weight": 4.0, "park": ["A", "A", "B", "B", "C", "C"]})
    >>> design = SurveyDesign(psu="park")
    >>> nodes = estimate_nodes(surveys, keys=["region"], design=design)
    >>> nodes[["region", "demand", "demand_se"]].round(2).to_dict("records")
    [{'region': 'N', 'demand': 56.0, 'demand_se': 24.33}, {'region': 'S', 'demand': 52.0, 'demand_se': 17.44}, {'region': 'all', 'demand': 108.0, 'demand_se': 41.57}]

    Without a design, region S's single respondent has no variance: the
    total's SE is NaN, or, with ``lonely_cell="certainty"``, N's alone.

    >>> two = surveys.iloc[:4].assign(region=["N", "S", "N", "N"])
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     nan = estimate_nodes(two, keys=["region"])
    ...     zero = estimate_nodes(two, keys=["region"], lonely_cell="certainty")
    >>> nan["demand_se"].round(2).tolist(), zero["demand_se"].round(2).tolist()
    ([26.23, nan, nan], [26.23, nan, 26.23])
    >>> "region=S in 2024Q1" in str(caught[0].message)
    True
    """  # noqa: E501 - a doctest's expected output is one line
    keys = check_key_names(keys, [*ESTIMATE_COLUMNS, "take_all", *DF_COLUMNS], "estimate_nodes")
    if lonely_cell not in LONELY_CELL:
        raise ParameterError(f"estimate_nodes: lonely_cell={lonely_cell!r}, must be one of "
                             f"{', '.join(map(repr, LONELY_CELL))}")
    check_weight_column(surveys.columns, weight)
    warn_unused_survey_columns(surveys, weight=weight, design=design)
    margins = calibration_margins(surveys, calibration, weight=weight, function="estimate_nodes")
    detail = [k for k in keys if k in DETAIL_COLUMNS]
    if design is None and detail:
        raise ParameterError(
            f"estimate_nodes: without a design the cells are the strata, and {detail} "
            "splits an enterprise's rows across cells; pass design= (e.g. SurveyDesign() "
            "for one stratum per period) or keys of the enterprise only")
    table = surveys_table(surveys, freq=freq, keys=keys, blank_details=True,
                          skill_levels=skill_levels)
    rows = detail_rows(table, keys, empty_ok=True)  # blank detail or no vacancies: in no
    inside = np.ones(len(table), dtype=bool)  # cell, still in the design
    if rows is not None:
        inside[:] = False
        inside[rows] = True
    if not inside.any():
        raise ParameterError("estimate_nodes: the surveys have no row with every key")
    hierarchy = Hierarchy.from_mappings(table.loc[inside, keys], levels, keys=keys)
    cell = np.where(inside, hierarchy.cell_positions(table), -1)
    period, periods = pd.factorize(table["period"], sort=True)
    n_periods = len(periods)
    by_cell = hierarchy.S.tocsc()
    by_cell.sort_indices()  # per bottom cell: its node in each level block, blocks in order
    node_of_cell = by_cell.indices.reshape(hierarchy.n_bottom, -1)
    columns = ESTIMATE_COLUMNS if design is None else [*ESTIMATE_COLUMNS, "take_all",
                                                        *DF_COLUMNS]
    used = design if design is not None else SurveyDesign(strata=tuple(keys),
                                                          lonely_psu="certainty")
    pieces: list[dict[str, np.ndarray]] = []
    with collect_warnings() as caught:
        for block in node_of_cell.T:  # one estimator call per level combination
            first, size = int(block.min()), int(block.max() - block.min() + 1)
            slots = size * n_periods  # node x period of the block; one extra slot: no cell
            codes = np.where(cell >= 0, (block[np.maximum(cell, 0)] - first) * n_periods
                             + period, slots)
            n = np.bincount(codes, minlength=slots + 1).astype(np.float64)
            n[slots] = 0.0
            found = estimate_arrays(table, codes, n, weight=weight, columns=columns,
                                    design=used, calibration=margins)
            pieces.append({name: values[:slots] for name, values in found.items()})
    for message in caught:  # the implied design's one-respondent cells are handled below
        if design is not None or _LONELY not in str(message):
            warn(str(message), type(message))
    estimates = {name: np.concatenate([p[name] for p in pieces]) for name in columns}

    respondents = (np.bincount(cell[inside] * n_periods + period[inside],
                               minlength=hierarchy.n_bottom * n_periods)
                   .reshape(hierarchy.n_bottom, n_periods))
    n_cells = hierarchy.sum_to_nodes(respondents > 0).reshape(-1)
    if design is None:  # a cell with one respondent has no variance estimate
        lonely = respondents == 1
        single = hierarchy.sum_to_nodes(lonely).reshape(-1)
        unknown = single > 0 if lonely_cell == "nan" else single == n_cells
        for name in columns:
            if name.endswith("_se"):
                estimates[name][unknown] = np.nan
        _warn_lonely(hierarchy, periods, lonely, (single > 0) & (n_cells > 1), lonely_cell)
    keep = np.flatnonzero(estimates["n_respondents"] > 0)
    node, at = np.divmod(keep, n_periods)
    out = hierarchy.nodes[hierarchy.node_columns].iloc[node].reset_index(drop=True)
    out = out.infer_objects()
    out["period"] = periods.take(at)
    out["n_cells"] = n_cells[keep].astype(np.int64)
    for name in columns:
        out[name] = estimates[name][keep]
    return detail_cell_columns(out, keys)


def _warn_lonely(hierarchy: Hierarchy, periods: pd.Index, lonely: np.ndarray,
                 touched: np.ndarray, lonely_cell: str) -> None:
    """Name the single-respondent cells whose unknown variance reaches a node of several cells."""
    if not touched.any():
        return
    cells, at = np.nonzero(lonely)
    labels = hierarchy.bottom[list(hierarchy.keys)].iloc[cells[:_EXAMPLES]]
    names = [", ".join(f"{k}={v}" for k, v in zip(hierarchy.keys, row, strict=True))
             for row in labels.itertuples(index=False)]  # a few examples
    shown = "; ".join(f"{name} in {periods[p]}" for name, p in
                      zip(names, at[:_EXAMPLES], strict=True))
    more = f" and {cells.size - _EXAMPLES} more" if cells.size > _EXAMPLES else ""
    effect = ("their SEs are NaN (pass lonely_cell='certainty' to count such a cell's "
              "variance as 0, an understatement)" if lonely_cell == "nan" else
              "such a cell adds 0 variance (lonely_cell='certainty'), so their SEs "
              "understate the error")
    warn(f"surveys: {cells.size} cell-period(s) have a single respondent, whose variance "
         f"is unknown, e.g. {shown}{more}; {int(touched.sum())} node-period(s) of several "
         f"cells lie above them and {effect}; pass a design= whose strata span the cells "
         "for SEs that use every respondent", DataQualityWarning, stacklevel=3)
