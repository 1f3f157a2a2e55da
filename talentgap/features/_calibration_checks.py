"""Checks of the weights a raking calibration starts from.

The design weights of :func:`talentgap.features.calibrate_weights` must be
finite and > 0 and the margin columns complete (:func:`design_weights`); with
a design of PSUs and a population count of PSUs, the design weights must agree
within each PSU (:func:`check_psu_weights`). Every failing row is listed in
one :class:`~talentgap.errors.SchemaError`, as table validation does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._checks import FailureLog, check_numeric
from talentgap._words import rows_fail
from talentgap.errors import SchemaError
from talentgap.features._margins import table_error

__all__ = ["design_weights", "check_psu_weights"]


def check_psu_weights(table: pd.DataFrame, w0: np.ndarray, unit: np.ndarray, psu: str,
                      weight: str) -> None:
    """Design weights must agree within each PSU (of a period): every row listed."""
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
    cases = pd.DataFrame({"line": rows + 2, "row": table.index[rows], "column": weight,
                          "rule": "weight_varies_in_psu", "value": w0[rows],
                          "message": [f"{w0[r]:g} vs {reference[r]:g} on line "
                                      f"{first[unit[r]] + 2}" for r in rows]})
    raise SchemaError(
        f"column {weight!r} must be the same for every enterprise of a PSU "
        f"[weight_varies_in_psu] (a design with psu={psu!r} and a population count of PSUs "
        f"takes each sampled PSU whole); {rows_fail(rows.size)}, e.g. {shown}. Weights "
        "that differ within a PSU are not design weights of such a sample (they suggest "
        "enterprises subsampled within PSUs); weights adjusted for non-response pass "
        "when they come straight from adjust_nonresponse, which marks its output",
        column=weight, reason="weight_varies_in_psu", failure_cases=cases)


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
