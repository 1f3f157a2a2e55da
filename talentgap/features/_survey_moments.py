"""The per-slot arithmetic of the in-memory survey estimates.

:func:`talentgap.features.survey.estimate_arrays` gives every row a slot (a
cell-period, one stratum each) and computes its estimates here: the detail
rows of an enterprise-period in one slot are first merged into one
respondent (:func:`merge_detail_rows`), then per-slot sums of the weighted
values, their squares and cross products (:func:`moments`) give the totals,
ratios and their with-replacement variances (:func:`moment_estimates`; the
formulas are in :mod:`talentgap.features.survey`). With a sampling design the
standard errors come instead from the linearised row scores of each slot,
a domain of the whole design (:func:`design_errors`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.features._calibrated_variance import DESIGN_WEIGHT, CalibratedVariance
from talentgap.features._variance import (
    ratio_scores,
    ratio_variance,
    total_variance,
    variance_factor,
)
from talentgap.features.design import DomainVariance
from talentgap.schema import DETAIL_COLUMNS, unit_codes

__all__ = ["RATIO_NAMES", "moments", "moment_estimates", "merge_detail_rows", "design_errors",
           "take_all", "DETAIL_RENAMES", "DETAIL_DROPPED", "detail_cell_columns"]

#: The ratio estimates, whose values the design's ratio scores need.
RATIO_NAMES = ["shortage_rate", "vacancy_rate", "ssv_density"]


#: With ``occupation`` or ``skill_level`` keys, the enterprise-level totals of a cell are those
#: of the enterprises reporting vacancies in it (an enterprise counts in every detail cell it
#: reports in, so they do not add up across the cells): named so.
DETAIL_RENAMES = {"enterprises": "reporting_enterprises", "employees": "reporting_employees"}

#: Left out with detail keys: the survey has no employees per occupation or skill level, so
#: ``vacancies / (employees + vacancies)`` would divide by every employee of the reporting
#: enterprises.
DETAIL_DROPPED = ("vacancy_rate",)


def detail_cell_columns(frame: pd.DataFrame, keys) -> pd.DataFrame:
    """``frame`` with the detail-key names: renamed totals, no ``vacancy_rate`` columns.

    Applies only when a key is a detail column (``occupation``,
    ``skill_level``); ``<name>_se`` and ``<name>_df`` follow their estimate.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame(columns=["occupation", "enterprises", "enterprises_se",
    ...                               "employees", "vacancy_rate", "vacancy_rate_se"])
    >>> list(detail_cell_columns(cells, ["occupation"]).columns)
    ['occupation', 'reporting_enterprises', 'reporting_enterprises_se', 'reporting_employees']
    """
    if not any(k in DETAIL_COLUMNS for k in keys):
        return frame
    suffixes = ("", "_se", "_df")
    dropped = [f"{n}{s}" for n in DETAIL_DROPPED for s in suffixes if f"{n}{s}" in frame]
    return frame.drop(columns=dropped).rename(columns={
        f"{old}{s}": f"{new}{s}" for old, new in DETAIL_RENAMES.items() for s in suffixes})


def _as_numbers(values: pd.Series) -> np.ndarray:
    """A numeric numpy view of ``values`` (no float copy: ufuncs cast integers on the fly)."""
    array = values.to_numpy()
    return array if array.dtype.kind in "iuf" else values.to_numpy(dtype=np.float64)


def moments(table: pd.DataFrame, codes: np.ndarray, size: int,
            weight: str | None) -> dict[str, np.ndarray]:
    """Per-group sums of the weighted values, their squares and cross products.

    One bincount each over ``size`` groups. Products go to two reused
    row-sized buffers, so no row-sized temporary is allocated per sum. The
    variances follow from these moments (see :mod:`talentgap.features.survey`).
    """
    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=values, minlength=size)

    rows = len(table)
    if weight is not None and weight in table.columns:
        w = table[weight].to_numpy(dtype=np.float64)
    else:
        w = np.ones(rows)
    a, b = np.empty(rows), np.empty(rows)
    shortage = table["reports_shortage"].to_numpy(dtype=bool)
    sums = {"w": total(w), "ww": total(np.multiply(w, w, out=a))}
    # reports are 0/1 and weights finite, so w * s is where(s, w, 0) exactly
    sums["ss"] = total(np.multiply(a, shortage, out=b))
    sums["s"] = total(np.multiply(w, shortage, out=b))
    we = np.multiply(w, _as_numbers(table["employees"]), out=a)
    sums["e"], sums["ee"] = total(we), total(np.multiply(we, we, out=b))
    wv = np.multiply(w, _as_numbers(table["vacancies"]), out=b)
    sums["v"] = total(wv)
    sums["ev"] = total(np.multiply(we, wv, out=a))  # last use of we
    sums["vv"] = total(np.multiply(wv, wv, out=a))
    wh = np.multiply(w, _as_numbers(table["hard_to_fill"]), out=a)
    sums["h"] = total(wh)
    sums["hv"] = total(np.multiply(wh, wv, out=b))  # last use of wv
    sums["hh"] = total(np.multiply(wh, wh, out=a))
    return sums


def moment_estimates(sums: dict[str, np.ndarray], n: np.ndarray,
                     columns: list[str]) -> dict[str, np.ndarray]:
    """The ``columns`` (of :data:`~talentgap.features.survey.ESTIMATE_COLUMNS`) from the
    moments of each group."""
    factor = variance_factor(n)
    wanted = set(columns)
    out = {}
    for name, (value, squares) in {"enterprises": ("w", "ww"), "employees": ("e", "ee"),
                                   "vacancies": ("v", "vv"), "demand": ("h", "hh")}.items():
        if name in wanted:
            out[name] = sums[value]
        if f"{name}_se" in wanted:
            variance = total_variance(sums[value], sums[squares], factor, n)
            out[f"{name}_se"] = np.sqrt(variance, out=variance)
    ratios = {
        # shortage: y = reports (0/1), x = 1, so (w y)^2 = w^2 y = (w y)(w x)
        "shortage_rate": lambda: (sums["s"], sums["w"], sums["ss"], sums["ss"], sums["ww"]),
        # vacancy rate: y = vacancies, x = employees + vacancies
        "vacancy_rate": lambda: (sums["v"], sums["e"] + sums["v"], sums["vv"],
                                 sums["ev"] + sums["vv"],
                                 sums["ee"] + 2 * sums["ev"] + sums["vv"]),
        # density: y = hard_to_fill, x = vacancies
        "ssv_density": lambda: (sums["h"], sums["v"], sums["hh"], sums["hv"], sums["vv"]),
    }
    for name, moments in ratios.items():
        if name in wanted or f"{name}_se" in wanted:
            ratio, variance = ratio_variance(*moments(), factor)
            out[name], out[f"{name}_se"] = ratio, np.sqrt(variance, out=variance)
    if "n_respondents" in wanted:
        out["n_respondents"] = n.astype(np.int64)
    if "single_respondent" in wanted:
        out["single_respondent"] = n == 1
    return {name: out[name] for name in columns}


def merge_detail_rows(table: pd.DataFrame, codes: np.ndarray,
                      size: int) -> tuple[np.ndarray, pd.DataFrame] | None:
    """Merge the detail rows of one enterprise-period that fall in the same slot.

    In the long form an enterprise-period has several rows (one per
    occupation and/or skill level). Within a slot (cell-period) they are
    one respondent: its ``vacancies`` and ``hard_to_fill`` are the sums of
    its rows there, every other column (enterprise-level, so equal on every
    row) is taken from its first row there. Returns the first row of each
    merged unit (ascending, so input order is kept) and the merged table,
    or None when every enterprise-period already has one row per slot.
    """
    if not any(c in table.columns for c in DETAIL_COLUMNS):
        return None  # one row per enterprise-period (the schema's unique key)
    unit = unit_codes(table[["enterprise_id", "period"]])
    pair = unit * np.int64(size) + codes
    _, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
    if first.size == len(table):
        return None
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    inverse = rank[inverse.reshape(-1)]
    first = first[order]
    merged = table.iloc[first]
    sums = {name: np.bincount(inverse, weights=table[name].to_numpy(dtype=np.float64),
                              minlength=first.size).astype(np.int64)
            for name in ("vacancies", "hard_to_fill")}
    return first, merged.assign(**sums)


def design_errors(table: pd.DataFrame, codes: np.ndarray, size: int, weight: str | None,
                  estimates: dict[str, np.ndarray], index,
                  wanted: list[str], *, calibration=None,
                  empty: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Design-based standard errors (and degrees of freedom) of the ``wanted`` columns.

    Linearised row scores (``w y`` for a total; ``w (y - R x) / X`` for a
    ratio, with the slot's ``R`` and ``X``) go through the domain variance
    of :class:`~talentgap.features.design.DomainVariance`; with
    ``calibration`` (the margins the weights were calibrated to) their
    calibration residuals do, through
    :class:`~talentgap.features._calibrated_variance.CalibratedVariance`
    (slots flagged in ``empty`` are left out).
    """
    codes = np.asarray(codes)
    if weight is not None and weight in table.columns:
        w = table[weight].to_numpy(dtype=np.float64)
    else:
        w = np.ones(len(table))
    if calibration is None:
        variance_of = DomainVariance(index, codes, size)
    else:
        start = (table[DESIGN_WEIGHT].to_numpy(dtype=np.float64)
                 if DESIGN_WEIGHT in table.columns else None)  # the weights B is fitted with
        variance_of = CalibratedVariance(index, codes, size, table, calibration, w, empty,
                                         design_weights=start)
    employees = w * _as_numbers(table["employees"])
    vacancies = w * _as_numbers(table["vacancies"])
    hard = w * _as_numbers(table["hard_to_fill"])
    shortage = w * table["reports_shortage"].to_numpy(dtype=bool)

    def ratio_score(name: str, y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        denominator = np.bincount(codes, weights=x, minlength=size)
        return ratio_scores(y, x, estimates[name][codes], denominator[codes])

    scores = {  # each score, and its size before cancelling (None: |score|)
        "enterprises_se": lambda: (w, None), "employees_se": lambda: (employees, None),
        "vacancies_se": lambda: (vacancies, None), "demand_se": lambda: (hard, None),
        "shortage_rate_se": lambda: ratio_score("shortage_rate", shortage, w),
        "vacancy_rate_se": lambda: ratio_score("vacancy_rate", vacancies,
                                               employees + vacancies),
        "ssv_density_se": lambda: ratio_score("ssv_density", hard, vacancies),
    }
    out, variances = {}, {}
    for name in wanted:
        se_name = name.replace("_df", "_se")
        score, score_size = scores[se_name]()
        with np.errstate(invalid="ignore", divide="ignore"):
            if name.endswith("_df"):  # NaN where the variance is 0
                out[name] = variance_of.degrees_of_freedom(score, score_size,
                                                           variance=variances.get(se_name))
                continue
            variances[name] = variance_of(score, score_size)  # a ratio with X = 0: NaN
        out[name] = np.sqrt(variances[name])  # exactly 0 where the design variance is
    return out


def take_all(codes: np.ndarray, size: int, index) -> np.ndarray:
    """Slots whose every row is in a take-all stratum of the design."""
    if index.take_all is None:
        return np.zeros(size, dtype=bool)
    sampled = ~index.take_all[index.stratum_of_unit[index.unit]]
    return np.bincount(codes, weights=sampled, minlength=size) == 0

