"""The tables of :func:`~talentgap.datasets.make_synthetic`, built from the simulated arrays.

Nothing here draws a random number: the functions turn the arrays of the
simulation (per cell, per cell x period, per enterprise, per programme) into the
``training``, ``employment``, ``truth``, ``frame`` and ``params`` tables, with
period columns and categorical names (:class:`_Axes`), and remove the rows of
new trades before their first period (:func:`_drop_before_start`). Cells are
numbered ``region * n_industries + industry``; tables per cell-period are
period-major, then region, then industry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap.datasets._detail import PROGRAM_LEVELS
from talentgap.datasets._simulate import _format_ids, _id_width
from talentgap.periods import period_array

__all__: list[str] = []


@dataclass(frozen=True, eq=False)
class _Axes:
    """The keys of the tables: the periods' ordinals and the names' categorical dtypes."""

    ordinals: np.ndarray
    freq: str
    region: pd.CategoricalDtype
    industry: pd.CategoricalDtype
    size_band: pd.CategoricalDtype

    @property
    def n_industries(self) -> int:
        return len(self.industry.categories)

    @property
    def n_cells(self) -> int:
        return len(self.region.categories) * self.n_industries

    def names(self, cell: np.ndarray) -> dict[str, pd.Categorical]:
        """``region`` and ``industry`` of each cell number."""
        n_ind = self.n_industries
        return {"region": pd.Categorical.from_codes(cell // n_ind, dtype=self.region),
                "industry": pd.Categorical.from_codes(cell % n_ind, dtype=self.industry)}

    def cell_keys(self, cell_index: np.ndarray | None = None) -> dict:
        """``period``, ``region``, ``industry`` of a table with one row per cell (or per
        ``cell_index`` entry) per period, period-major."""
        cell_index = np.arange(self.n_cells) if cell_index is None else cell_index
        n_periods = len(self.ordinals)
        return {
            "period": period_array(np.repeat(self.ordinals, len(cell_index)), self.freq),
            **self.names(np.tile(cell_index, n_periods)),
        }


def _training_table(axes: _Axes, cohorts: dict, lead_time: int) -> pd.DataFrame:
    """One row per programme per period: the cohorts after the ``lead_time`` warm-up ones."""
    prog_cell, prog_level = cohorts["prog_cell"], cohorts["prog_level"]
    trained = cohorts["trained"][:, lead_time:].T
    certified = cohorts["certified"][:, lead_time:].T
    all_programs = [f"{ind}/{lvl}" for ind in axes.industry.categories
                    for lvl in PROGRAM_LEVELS]
    programs = pd.Categorical.from_codes(
        np.tile((prog_cell % axes.n_industries) * len(PROGRAM_LEVELS) + prog_level,
                len(axes.ordinals)),
        categories=all_programs,
    ).remove_unused_categories()
    return pd.DataFrame({
        **axes.cell_keys(cell_index=prog_cell),
        "program": programs,
        "trained": trained.ravel(),
        "certified": certified.ravel(),
    })


def _employment_table(axes: _Axes, employment: dict[str, np.ndarray]) -> pd.DataFrame:
    """One row per cell per period: ``employment``, ``skilled``, ``high_skilled``."""
    return pd.DataFrame({**axes.cell_keys(), **{k: v.ravel() for k, v in employment.items()}})


def _truth_table(axes: _Axes, n_enterprises: np.ndarray, pop: dict[str, np.ndarray],
                 supply: np.ndarray) -> pd.DataFrame:
    """One row per cell per period: the population totals, demand, supply and gap."""
    n_periods = len(axes.ordinals)
    demand = pop["hard_to_fill"]
    truth = pd.DataFrame({
        **axes.cell_keys(),
        "n_enterprises": np.tile(n_enterprises, n_periods),
        "employees": pop["employees"].ravel(),
        "vacancies": pop["vacancies"].ravel(),
        "hard_to_fill": demand.ravel(),
        "shortage_rate": (pop["reporting"] / n_enterprises).ravel(),
        "demand": demand.ravel(),
        "supply": supply.ravel(),
        "gap": (demand - supply).ravel(),
    })
    return truth[["region", "industry", "period", *truth.columns[3:]]]


def _frame_table(axes: _Axes, cell_of: np.ndarray, band: np.ndarray,
                 base: np.ndarray) -> pd.DataFrame:
    """The register: one row per enterprise, numbered ``E0000001``, ... in cell order."""
    total = len(base)
    return pd.DataFrame({
        "enterprise_id": pd.array(_format_ids(np.arange(1, total + 1), _id_width(total)),
                                  dtype="str"),
        **axes.names(cell_of),
        "size_band": pd.Categorical.from_codes(band, dtype=axes.size_band),
        "employees": base.astype(np.int64),
    })


def _params_table(axes: _Axes, cells: dict[str, np.ndarray], n_sampled: np.ndarray,
                  weight: np.ndarray, *, lead_time: int, season_length: int,
                  trade_start: np.ndarray) -> pd.DataFrame:
    """One row per cell: its parameters (``cells``, in their order), sample and weight,
    ``lead_time``, ``season_length`` and ``first_period``."""
    params = pd.DataFrame({
        **axes.names(np.arange(axes.n_cells)),
        **{k: v for k, v in cells.items() if k not in ("n_enterprises", "n_sampled")},
    })
    params.insert(2, "n_enterprises", cells["n_enterprises"])
    params.insert(3, "n_sampled", n_sampled)
    params.insert(4, "weight", weight)
    params["lead_time"] = lead_time
    params["season_length"] = season_length
    params["first_period"] = period_array(axes.ordinals[0] + trade_start, axes.freq)
    return params


def _drop_before_start(tables: dict[str, pd.DataFrame], first: np.ndarray, n_ind: int,
                       origin: int) -> dict[str, pd.DataFrame]:
    """Remove the rows of every cell before its first period (index ``first`` of the cell,
    counted from the period with ordinal ``origin``), in every table."""

    def keep(df: pd.DataFrame) -> pd.DataFrame:
        cell = (df["region"].cat.codes.to_numpy(np.int64) * n_ind
                + df["industry"].cat.codes.to_numpy(np.int64))
        index = pd.PeriodIndex(df["period"]).asi8 - origin
        return df[index >= first[cell]].reset_index(drop=True)

    out = {name: keep(df) for name, df in tables.items()}
    ids = out["surveys"]["enterprise_id"]
    out["surveys"]["enterprise_id"] = ids.cat.remove_unused_categories()
    return out
