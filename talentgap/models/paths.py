"""Compact sample paths: cells x periods x samples arrays of demand and supply.

:meth:`talentgap.models.GapForecaster.sample_paths` returns a
:class:`SamplePaths`. A national model (34,000 cells, 4 periods, 1,000 paths)
holds 136 million values per quantity; as a long table with one row per cell,
period and path that is several gigabytes, as two float32 arrays it is 1.1 GB.

Only demand and supply are stored. The gap is ``demand - supply`` and is
computed when asked (:meth:`SamplePaths.gap`), for the cells and periods asked
only: a plan needs one period per cell, so it never materialises a third
cells x periods x samples array. :func:`talentgap.planning.allocate_quotas`
takes the object directly; :meth:`SamplePaths.to_frame` gives the long table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap.errors import ParameterError

__all__ = ["SamplePaths"]

_QUANTITIES = ("demand", "supply", "gap")


@dataclass(frozen=True, eq=False, repr=False)
class SamplePaths:
    """Joint sample paths of demand and supply per cell, period and path.

    Attributes
    ----------
    cells : pandas.DataFrame
        The key columns, one row per cell (row ``i`` is cell ``i`` of the arrays).
    periods : pandas.PeriodIndex
        The forecast periods (axis 1 of the arrays).
    demand, supply : numpy.ndarray
        float32 arrays of shape (n_cells, n_periods, n_samples), persons. Path
        ``k`` of a cell is one draw over all periods (so sums over periods keep
        the dependence between steps); cells are independent draws. Cells
        without demand data hold NaN demand.
    time : str
        Name of the period column of :meth:`to_frame`.

    Raises
    ------
    ParameterError
        If ``demand`` or ``supply`` is not 3-D with one row per cell and one
        column per period, or the two shapes differ.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> paths = SamplePaths(
    ...     cells=pd.DataFrame({"region": ["N", "S"], "industry": ["textiles", "robots"]}),
    ...     periods=pd.period_range("2026Q1", periods=2, freq="Q"),
    ...     demand=np.full((2, 2, 3), 10, dtype=np.float32),
    ...     supply=np.arange(12, dtype=np.float32).reshape(2, 2, 3))
    >>> paths
    SamplePaths(2 cells x 2 periods x 3 samples, keys ['region', 'industry'], 2026Q1..2026Q2)
    >>> paths.gap()[1, 1].tolist()
    [1.0, 0.0, -1.0]
    >>> frame = paths.to_frame()
    >>> list(frame.columns), len(frame) == len(paths) == 12
    (['region', 'industry', 'period', 'sample', 'demand', 'supply', 'gap'], True)
    """

    cells: pd.DataFrame
    periods: pd.PeriodIndex
    demand: np.ndarray
    supply: np.ndarray
    time: str = "period"

    def __post_init__(self) -> None:
        shape = (len(self.cells), len(self.periods))
        for name in ("demand", "supply"):
            values = getattr(self, name)
            shape_of = getattr(values, "shape", None)
            if shape_of is None or len(shape_of) != 3 or tuple(shape_of[:2]) != shape:
                raise ParameterError(
                    f"{name} must be an array of shape (n_cells, n_periods, n_samples) = "
                    f"{shape + ('n_samples',)}: one row per row of cells ({shape[0]}), one "
                    f"column per period ({shape[1]}), one layer per sample path; got "
                    f"{'no array' if shape_of is None else f'shape {tuple(shape_of)}'}")
        if self.demand.shape != self.supply.shape:
            raise ParameterError(f"demand and supply must have the same shape (the same "
                                 f"paths), got demand {self.demand.shape} and supply "
                                 f"{self.supply.shape}")

    # ---- sizes ---------------------------------------------------------------------------
    @property
    def keys(self) -> list[str]:
        """The cell key columns."""
        return list(self.cells.columns)

    @property
    def n_cells(self) -> int:
        return self.demand.shape[0]

    @property
    def n_periods(self) -> int:
        return self.demand.shape[1]

    @property
    def n_samples(self) -> int:
        return self.demand.shape[2]

    @property
    def nbytes(self) -> int:
        """Bytes held by the demand and supply arrays."""
        return int(self.demand.nbytes + self.supply.nbytes)

    def __len__(self) -> int:
        """Rows of :meth:`to_frame`: cells x periods x samples."""
        return int(np.prod(self.demand.shape))

    def __repr__(self) -> str:
        span = (f"{self.periods[0]}..{self.periods[-1]}" if len(self.periods) else "no periods")
        return (f"SamplePaths({self.n_cells} cells x {self.n_periods} periods x "
                f"{self.n_samples} samples, keys {self.keys}, {span})")

    # ---- values --------------------------------------------------------------------------
    def values(self, name: str, cells=None, steps=None) -> np.ndarray:
        """One quantity's paths, float64, optionally at selected cells and steps only.

        Parameters
        ----------
        name : {"demand", "supply", "gap"}
            The quantity; ``gap`` is ``demand - supply``, computed here.
        cells, steps : array of int, optional
            Row of :attr:`cells` and position in :attr:`periods` of each wanted
            cell-period (broadcast against each other; ``cells`` defaults to
            every cell in order). Without either, every cell and period: shape
            (n_cells, n_periods, n_samples); with ``cells`` only, those cells'
            (len(cells), n_periods, n_samples); with ``steps``, shape
            ``broadcast(cells, steps).shape + (n_samples,)``.

        Returns
        -------
        numpy.ndarray
            float64 (the stored float32 values, and their exact difference for
            the gap), so ``gap == demand - supply`` holds exactly.

        Raises
        ------
        ParameterError
            If ``name`` is not ``"demand"``, ``"supply"`` or ``"gap"``.
        """
        if not isinstance(name, str) or name not in _QUANTITIES:
            raise ParameterError(f"name == {name!r}, must be one of {list(_QUANTITIES)}")

        def pick(array: np.ndarray) -> np.ndarray:   # float32, a view when nothing is picked
            if cells is None and steps is None:
                return array
            if steps is None:
                return array[np.asarray(cells, dtype=np.int64)]
            rows = (np.arange(self.n_cells) if cells is None
                    else np.asarray(cells, dtype=np.int64))
            return array[rows, np.asarray(steps, dtype=np.int64)]

        if name == "supply":
            return pick(self.supply).astype(np.float64)
        out = pick(self.demand).astype(np.float64)
        if name == "gap":
            np.subtract(out, pick(self.supply), out=out)   # no float64 copy of supply
        return out

    def gap(self, cells=None, steps=None) -> np.ndarray:
        """``demand - supply`` (float64), as :meth:`values` with ``name="gap"``."""
        return self.values("gap", cells, steps)

    # ---- the long table --------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """The paths as a long table (several GB at national scale: plan from the object).

        Returns
        -------
        pandas.DataFrame
            ``<keys...>, <time>, sample, demand, supply, gap``: one row per
            cell, period and path, ordered by cell, period, then sample;
            ``demand``, ``supply`` and ``gap`` float64.
        """
        n, horizon, samples = self.demand.shape
        per_cell = horizon * samples
        out = self.cells.iloc[np.repeat(np.arange(n), per_cell)].reset_index(drop=True)
        steps = np.tile(np.repeat(np.arange(horizon), samples), n)
        out[self.time] = pd.PeriodIndex(self.periods).take(steps)
        out["sample"] = np.tile(np.arange(samples, dtype=np.int64), n * horizon)
        out["demand"] = self.demand.astype(np.float64).ravel()
        out["supply"] = self.supply.astype(np.float64).ravel()
        out["gap"] = out["demand"].to_numpy() - out["supply"].to_numpy()
        return out
