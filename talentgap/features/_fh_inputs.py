"""Inputs of the Fay-Herriot model: column checks, the design matrix, take-all cells.

Helpers of :func:`talentgap.features.shrink` (:mod:`talentgap.features.small_area`):
the checks of its columns and values, which rows are take-all cells, the design
matrix of its covariates and the collinearity test over the fitted cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap._words import rows_fail
from talentgap.errors import ParameterError, SchemaError

__all__ = ["TAKE_ALL", "check_columns", "check_values", "collinear", "design", "take_all"]

TAKE_ALL = "take_all"  # estimate_cells' flag of cells with no sampling error


def _is_categorical(values: pd.Series) -> bool:
    dtype = values.dtype
    return (isinstance(dtype, (pd.CategoricalDtype, pd.PeriodDtype))
            or pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
            or pd.api.types.is_bool_dtype(dtype))


def _levels(values: pd.Series) -> list:
    """Distinct values in a stable order: category order, else sorted."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna().unique())
        return [c for c in values.cat.categories if c in present]
    uniques = values.dropna().unique()
    try:
        return sorted(uniques)
    except TypeError:
        return sorted(uniques, key=str)


def design(frame: pd.DataFrame, covariates: list[str],
            fit: np.ndarray) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Design matrix: intercept, numeric covariates, one-hot categoricals (first level dropped).

    The levels of a categorical covariate are those of the fitted rows
    (``fit``); rows of other levels cannot be predicted and are flagged in
    the returned ``unknown`` mask. Missing covariate values are an error.
    """
    n = len(frame)
    blocks, names = [np.ones((n, 1))], ["intercept"]
    unknown = np.zeros(n, dtype=bool)
    for name in covariates:
        values = frame[name]
        missing = values.isna().to_numpy()
        if missing.any():
            raise ParameterError(
                f"covariate {name!r} must not be missing; {int(missing.sum())} rows are, "
                f"e.g. row {frame.index[np.flatnonzero(missing)[0]]!r}")
        if _is_categorical(values):
            levels = _levels(values[fit])
            unknown |= ~values.isin(levels).to_numpy()
            dummies = np.column_stack([(values == level).to_numpy(dtype=np.float64)
                                       for level in levels[1:]]) if len(levels) > 1 else None
            if dummies is not None:
                blocks.append(dummies)
                names += [f"{name}[{level}]" for level in levels[1:]]
        else:
            x = values.to_numpy(dtype=np.float64)
            bad = ~np.isfinite(x)
            if bad.any():
                raise ParameterError(
                    f"covariate {name!r} must be finite; {int(bad.sum())} rows are "
                    f"infinite, e.g. row {frame.index[np.flatnonzero(bad)[0]]!r}")
            blocks.append(x[:, None])
            names.append(name)
    return np.hstack(blocks), names, unknown


def collinear(X: np.ndarray) -> bool:
    """Whether the columns of ``X`` are (numerically) linearly dependent.

    Uses the eigenvalues of the Gram matrix of the unit-norm columns (cheap
    for tall ``X``); dependent when the smallest is below 1e-10 of the largest.
    """
    norms = np.linalg.norm(X, axis=0)
    if np.any(norms == 0):
        return True
    Xn = X / norms
    eig = np.linalg.eigvalsh(Xn.T @ Xn)
    return bool(eig[0] <= 1e-10 * eig[-1])


def take_all(estimates: pd.DataFrame) -> np.ndarray:
    """The ``take_all`` flag of each row (False without the column)."""
    if TAKE_ALL not in estimates.columns:
        return np.zeros(len(estimates), dtype=bool)
    flag = estimates[TAKE_ALL]
    if not pd.api.types.is_bool_dtype(flag.dtype) or flag.isna().any():
        raise ParameterError(f"column {TAKE_ALL!r} must hold True/False without missing "
                             f"values, got dtype {flag.dtype}")
    return flag.to_numpy(dtype=bool)


def check_columns(estimates: pd.DataFrame, target: str, se: str,
                   covariates: list[str], by: list[str], benchmark_by: list[str]) -> None:
    """Every named column is in the table; the target and its SE are numeric."""
    for role, names in (("target", [target]), ("se", [se]), ("covariates", covariates),
                        ("by", by), ("benchmark_by", benchmark_by)):
        for name in names:
            if name not in estimates.columns:
                raise ParameterError(f"{role} column {name!r} is not in the table; columns "
                                     f"are {list(estimates.columns)}")
    for name in (target, se):
        if not pd.api.types.is_numeric_dtype(estimates[name].dtype) or \
                pd.api.types.is_bool_dtype(estimates[name].dtype):
            raise ParameterError(f"column {name!r} must be numeric, got {estimates[name].dtype}")


def check_values(estimates: pd.DataFrame, y: np.ndarray, s: np.ndarray,
                  target: str, se: str) -> None:
    """Negative or infinite standard errors and infinite estimates are schema errors."""
    problems = [(se, "negative", s < 0, "must be >= 0"),
                (se, "not_finite", np.isinf(s), "must be finite or missing"),
                (target, "not_finite", np.isinf(y), "must be finite or missing")]
    rows = []
    for column, rule, mask, text in problems:
        for pos in np.flatnonzero(mask):
            value = s[pos] if column == se else y[pos]
            rows.append({"line": pos + 2, "row": estimates.index[pos], "column": column,
                         "rule": rule, "value": value,
                         "message": f"{column!r} {text}, got {value}"})
    if rows:
        cases = pd.DataFrame(rows)
        first = cases.iloc[0]
        shown = cases[(cases["column"] == first["column"]) & (cases["rule"] == first["rule"])]
        examples = "; ".join(f"line {r.line}: {r.value}" for r in shown.head(5).itertuples())
        text = dict(zip(("negative", "not_finite"), ("must be >= 0", "must be finite"),
                        strict=True))[first["rule"]]
        raise SchemaError(
            f"column {first['column']!r} {text} [{first['rule']}]; {rows_fail(len(shown))}, "
            f"e.g. {examples}"
            + (f" ({len(cases)} failures in all)" if len(cases) > len(shown) else ""),
            column=str(first["column"]), reason=str(first["rule"]), failure_cases=cases)
