"""A multi-year plan's gap scenarios read from a long table of sample paths, in linear time.

A table of sample paths (``<keys...>, period, sample, gap``) with the same
number of samples at every cell and need period is a (targets x samples)
block once its rows are in target order (a target is a cell at a need
period, index ``cell * n_need + period``). Tables written cell by cell, as
the forecasters and the benchmarks write them, are in that order already;
others are put in it by one stable sort of integer target numbers. Each row
of the block is then sorted along the samples, which is the per-target
order :class:`~talentgap.planning._problem.Scenarios` keeps: no sort of
the whole table by (target, value). The numbers are the same as
:func:`~talentgap.planning._problem.target_scenarios` gives; any table it
would reject (a missing or non-finite value, a repeated sample number,
unequal sample counts) is left to it, so its messages name the rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.planning._problem import Forecast, Scenarios

__all__ = ["grid_scenarios"]


def grid_scenarios(fc: Forecast, need: np.ndarray, quantile: float | None
                   ) -> tuple[Scenarios, Scenarios, str] | None:
    """The scenarios of every target from a long table of sample paths, or None.

    Parameters
    ----------
    fc : Forecast
        The checked needs table (from :func:`~talentgap.planning._problem.read_forecast`);
        every cell must have rows at every need period (checked before).
    need : numpy.ndarray
        The need periods' ordinals, sorted.
    quantile : float or None
        With a quantile, the planned scenarios are each target's quantile gap.

    Returns
    -------
    tuple or None
        ``(scenarios reported on, scenarios planned on, "samples")`` as
        :func:`~talentgap.planning._problem.target_scenarios` returns them,
        or None when the table is not a full block of sample paths with
        finite values and distinct sample numbers (the caller then reads it
        the general way, which names what is wrong).

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.planning._problem import read_forecast
    >>> table = pd.DataFrame({"region": "N", "industry": ["A"] * 4 + ["B"] * 4,
    ...                       "period": ["2027", "2027", "2028", "2028"] * 2,
    ...                       "sample": [0, 1] * 4,
    ...                       "gap": [5.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 7.0]})
    >>> fc = read_forecast(table, ["region", "industry"], "gap")
    >>> evaluate, planned, source = grid_scenarios(fc, fc.periods.asi8[[0, 2]], None)
    >>> evaluate.value.tolist(), source
    ([1.0, 5.0, 2.0, 3.0, 4.0, 6.0, 7.0, 8.0], 'samples')
    """
    table = fc.table
    if table is None or "sample" not in table.columns:
        return None
    n_t = need.size
    n = len(fc.cells) * n_t
    target = fc.codes.astype(np.int64) * n_t + np.searchsorted(need, fc.periods.asi8)
    count = np.bincount(target, minlength=n)
    k = int(count[0]) if n else 0
    if k == 0 or (count != k).any():
        return None
    gap = pd.to_numeric(table[fc.value], errors="coerce").to_numpy(dtype=np.float64,
                                                                  na_value=np.nan)
    if not np.isfinite(gap).all():
        return None
    in_order = bool((target[1:] >= target[:-1]).all())
    order = None if in_order else np.argsort(target, kind="stable")
    if _repeats_a_sample(table["sample"], order, n, k):
        return None
    values = (gap.copy() if order is None else gap[order]).reshape(n, k)
    values.sort(axis=1)
    evaluate, plan = Scenarios.from_grid(values).with_plan(quantile)
    return evaluate, plan, "samples"


def _repeats_a_sample(sample: pd.Series, order: np.ndarray | None, n: int, k: int) -> bool:
    """Whether a sample number repeats within a target (rows in target order by ``order``)."""
    values = sample.to_numpy()
    if not (np.issubdtype(values.dtype, np.integer) or np.issubdtype(values.dtype, np.floating)):
        values = pd.factorize(sample)[0]
    elif np.issubdtype(values.dtype, np.floating) and np.isnan(values).any():
        return True
    block = (values if order is None else values[order]).reshape(n, k)
    head = np.sort(block[0])
    if (head[1:] != head[:-1]).all() and (block == block[0]).all():
        return False    # every target lists the first one's distinct samples in its order
    block = block.copy()
    block.sort(axis=1)
    return bool((block[:, 1:] == block[:, :-1]).any())
