"""Checks of the weights a raking calibration starts from.

The design weights of :func:`talentgap.features.calibrate_weights` must be
finite and > 0 and the margin columns complete (:func:`design_weights`); with
a design of PSUs and a population count of PSUs, design weights that differ
within a PSU are warned about (:func:`check_psu_weights`), here and in the
survey estimates (:func:`check_estimate_weights`). Every failing row of the
first check is listed in one :class:`~talentgap.errors.SchemaError`, as table
validation does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._checks import FailureLog, check_numeric
from talentgap._words import rows_fail
from talentgap.errors import DataQualityWarning, warn
from talentgap.features._calibrated_variance import CALIBRATION_MARK, DESIGN_WEIGHT
from talentgap.features._margins import table_error
from talentgap.features.nonresponse import ADJUSTED_MARK

__all__ = ["design_weights", "check_psu_weights", "check_estimate_weights"]


def check_psu_weights(table: pd.DataFrame, w0: np.ndarray, unit: np.ndarray, psu: str,
                      weight: str, fpc: str | None = None, *, stacklevel: int = 3) -> None:
    """Warn when design weights differ within a PSU (of a period), naming the rows.

    Weights may differ within a PSU (the ultimate-cluster variance sums
    ``w_i y_i`` over each PSU, as R's ``survey`` does), so this is a
    :class:`~talentgap.errors.DataQualityWarning` (rule
    ``weight_varies_in_psu``), not an error: with population counts of PSUs
    the correction ``1 - n_h / N_h`` is the whole variance only if each sampled
    PSU was taken whole, where every enterprise of a PSU has the PSU's weight.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from talentgap.errors import collect_warnings
    >>> table = pd.DataFrame({"enterprise_id": ["E1", "E2"], "period": ["2024Q1"] * 2,
    ...                       "park": ["P1", "P1"]})
    >>> with collect_warnings() as caught:
    ...     check_psu_weights(table, np.array([5.0, 6.0]), np.array([0, 0]), "park", "weight")
    >>> print(caught[0])  # doctest: +ELLIPSIS
    surveys: column 'weight' differs within a PSU [weight_varies_in_psu]; 1 row fails, e.g. \
line 3 (E2, 2024Q1, park P1): 6 vs 5 on line 2. With psu='park' and population counts ...
    """
    n_units = int(unit.max()) + 1 if unit.size else 0
    first = np.full(n_units, -1, dtype=np.int64)
    first[unit[::-1]] = np.arange(unit.size - 1, -1, -1)  # each PSU's first row
    reference = w0[first[unit]]
    bad = ~np.isclose(w0, reference, rtol=1e-9, atol=0.0)
    if not bad.any():
        return
    rows = np.flatnonzero(bad)
    shown = "; ".join(
        f"line {r + 2} ({table['enterprise_id'].iloc[r]}, {table['period'].iloc[r]}, "
        f"{psu} {table[psu].iloc[r]}): {w0[r]:g} vs {reference[r]:g} on line "
        f"{first[unit[r]] + 2}" for r in rows[:5])
    counts = f" ({fpc!r})" if fpc else ""
    warn(f"surveys: column {weight!r} differs within a PSU [weight_varies_in_psu]; "
         f"{rows_fail(rows.size)}, e.g. {shown}. With psu={psu!r} and population counts of "
         f"PSUs{counts}, the finite-population correction 1 - n_h/N_h assumes each sampled "
         "PSU was taken whole, where every enterprise of a PSU has the PSU's design weight; "
         "weights that differ within a PSU suggest enterprises subsampled within PSUs (a "
         "second stage whose variance the standard errors leave out) or weights already "
         "adjusted (non-response, calibration). The estimates and their standard errors are "
         "computed all the same (PSU totals of weight x value, as R's survey package does); "
         "if the PSUs were subsampled, leave out fpc (conservative standard errors)",
         DataQualityWarning, stacklevel=stacklevel)


def check_estimate_weights(table: pd.DataFrame, unit: np.ndarray, design,
                           weight: str | None) -> None:
    """The rule of :func:`check_psu_weights` for survey estimates with a design.

    Only with both ``psu`` and ``fpc``; the design weights are the
    ``design_weight`` column when the table has one (the weights a
    calibration started from), else ``weight``. Weights that
    :func:`~talentgap.features.adjust_nonresponse` or
    :func:`~talentgap.features.calibrate_weights` marked as theirs
    (``attrs``) are not checked.
    """
    if design is None or design.psu is None or design.fpc is None:
        return
    attrs = getattr(table, "attrs", {})
    if attrs.get(ADJUSTED_MARK) or attrs.get(CALIBRATION_MARK):
        return
    name = DESIGN_WEIGHT if DESIGN_WEIGHT in table.columns else weight
    if name is None or name not in table.columns:
        return
    check_psu_weights(table, table[name].to_numpy(dtype=np.float64), unit, design.psu, name,
                      design.fpc, stacklevel=6)  # the caller of estimate_cells


def design_weights(table: pd.DataFrame, weight: str, margin_columns: list[str]) -> np.ndarray:
    """The starting weights (1 without the column), checked with the margin columns.

    A weight column other than the schema's ``weight`` gets the schema's
    weight rules, and the margin columns must not be missing; every failing
    row is listed in one :class:`SchemaError`, as table validation does.
    """
    log = FailureLog(len(table))
    for col in dict.fromkeys(margin_columns):
        log.add(table[col].isna().to_numpy(), col, "missing_value", table[col], "missing")
    w0 = (check_numeric(table[weight], weight, "weight", log).astype(np.float64)
          if weight in table.columns else np.ones(len(table)))
    error = table_error("surveys", table, log, ["enterprise_id", "period"])
    if error is not None:
        raise error
    return w0
