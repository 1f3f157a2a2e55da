"""Partial results of the partitioned survey estimates: sums per cell-period and their merging.

Each partition of :mod:`talentgap.features.distributed` reduces its rows to
sufficient statistics per cell-period: the count of respondents ``n``, the
sums ``S_u`` of the weighted values ``u in (w, w*s, w*e, w*v, w*h)`` and their
centred cross products ``C_uv`` (:func:`statistics`). The partial results are
combined in a tree (:func:`combine`), exactly and stably (Chan, Golub &
LeVeque 1983): ``n = sum_p n_p``, ``S = sum_p S_p`` and
``C_uv = sum_p C_p,uv + sum_p n_p (m_p,u - m_u) (m_p,v - m_v)`` with
``m = S / n``. :func:`estimates` turns the combined statistics into the
columns of :func:`talentgap.features.estimate_cells`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.features._detail_cells import merge_undetailed
from talentgap.features._distributed_failures import merge_notes, merge_values, pool
from talentgap.features._groups import group_rows
from talentgap.features._variance import ratio_variance, snap_noise, variance_factor

__all__ = ["VALUES", "PAIRS", "statistics", "combine", "merge_dtypes", "same_dtype",
           "estimates"]

#: Weighted values whose sums and centred cross products are kept per cell-period.
VALUES = ("w", "s", "e", "v", "h")
#: Cross products needed by the totals and the three ratios (``sw``: shortage x weight).
PAIRS = ("ww", "ss", "sw", "ee", "vv", "hh", "ev", "hv")


def statistics(slot: np.ndarray, size: int, values: dict[str, np.ndarray]) -> dict:
    """``n``, sums and centred cross products per slot (two passes over the rows)."""
    n = np.bincount(slot, minlength=size).astype(np.float64)
    out = {"n": n}
    deviation = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for name in VALUES:
            total = np.bincount(slot, weights=values[name], minlength=size)
            out[f"S_{name}"] = total
            deviation[name] = values[name] - (total / n)[slot]
    for pair in PAIRS:
        a, b = deviation[pair[0]], deviation[pair[1]]
        out[f"C_{pair}"] = np.bincount(slot, weights=a * b, minlength=size)
    return out


def combine(parts: list, keys: list[str]) -> tuple:
    """Combine partial results: failures and notes collected, statistics merged."""
    notes = merge_notes([note for _, _, found in parts for note in found])
    found = [f for f, _, _ in parts if f is not None]
    if found:
        return pool(found), None, notes
    stats = [s for _, s, _ in parts if s is not None]
    if not stats:
        return None, None, notes
    if len(stats) == 1:
        return None, stats[0], notes
    merged = {"cells": _merge([s["cells"] for s in stats], keys),
              "dtypes": _pool_dtypes([s["dtypes"] for s in stats])}
    if "values" in stats[0]:
        merged["values"] = merge_values([s["values"] for s in stats])
    if "parents" in stats[0]:  # enterprises per stratum of a detail cell (whole in a part)
        parents = pd.concat([s["parents"] for s in stats], ignore_index=True)
        on = list(parents.columns.drop("enterprises"))
        merged["parents"] = parents.groupby(on, sort=False, dropna=False, observed=True)[
            "enterprises"].sum().reset_index()
        merged["undetailed"] = merge_undetailed([s["undetailed"] for s in stats])
    if "blocks" in stats[0]:
        hcols = [c for c in stats[0]["strata"].columns if c.startswith("_h_")]
        merged["blocks"] = _merge([s["blocks"] for s in stats], [*keys, *hcols])
        strata = pd.concat([s["strata"] for s in stats], ignore_index=True)
        how = {"n_psu": "sum", "line": "min"}
        if "fpc_low" in strata.columns:
            how |= {"fpc_low": "min", "fpc_high": "max", "fpc_sum": "sum", "rows": "sum"}
        merged["strata"] = strata.groupby([*hcols, "period"], sort=False, dropna=False,
                                          observed=True).agg(how).reset_index()
    return None, merged, notes


def _pool_dtypes(parts: list[dict]) -> dict:
    """Key dtypes of parts (see :func:`~talentgap.features._distributed_partition.key_dtypes`):
    the table is canonical only if every part is."""
    canonical = [p["canonical"] for p in parts]
    return {"canonical": None if any(c is None for c in canonical) else merge_dtypes(canonical),
            "validated": merge_dtypes([p["validated"] for p in parts])}


def merge_dtypes(dtypes: list[dict]) -> dict:
    """The key dtypes of several parts as one (per key, the dtype of the whole table).

    Parts validated alike share a dtype; categoricals whose categories differ (each
    part's own sorted values, or unknown categories of a Dask frame) pool their
    categories sorted, as one table's values would be.

    Examples
    --------
    >>> a, b = pd.CategoricalDtype(["x", "z"]), pd.CategoricalDtype(["y"])
    >>> list(merge_dtypes([{"k": a}, {"k": b}])["k"].categories)
    ['x', 'y', 'z']
    >>> merge_dtypes([{"k": a}, {"k": a}])["k"] is a
    True
    """
    out = {}
    for key in dtypes[0]:
        found = [d[key] for d in dtypes]
        first = found[0]
        if all(same_dtype(d, first) for d in found[1:]):
            out[key] = first
        elif all(isinstance(d, pd.CategoricalDtype) for d in found):
            union = pd.Index(np.concatenate([np.asarray(d.categories, dtype=object)
                                             for d in found])).unique()
            out[key] = pd.CategoricalDtype(union.sort_values(), ordered=first.ordered)
        else:  # mixed kinds: the values as they come
            out[key] = np.dtype(object)
    return out


def same_dtype(a, b) -> bool:
    """Equal dtypes, categories in the same order (``==`` ignores their order)."""
    if isinstance(a, pd.CategoricalDtype) and isinstance(b, pd.CategoricalDtype):
        return a.ordered == b.ordered and a.categories.equals(b.categories)
    return a == b


def _merge(stats: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    """Statistics of the same groups (``keys`` and period) from several parts, pooled."""
    frame = pd.concat(stats, ignore_index=True)
    groups = group_rows(frame, [*keys, "period"])
    code, size = groups.codes, groups.n_groups
    n_part = frame["n"].to_numpy()
    n = np.bincount(code, weights=n_part, minlength=size)
    out = {k: groups.frame[k].to_numpy() for k in keys}
    out["period"] = groups.frame["period"]
    out["n"] = n
    shift = {}
    for name in VALUES:
        part_sum = frame[f"S_{name}"].to_numpy()
        total = np.bincount(code, weights=part_sum, minlength=size)
        out[f"S_{name}"] = total
        with np.errstate(invalid="ignore", divide="ignore"):
            shift[name] = part_sum / n_part - (total / n)[code]  # m_p - m
    for pair in PAIRS:
        a, b = shift[pair[0]], shift[pair[1]]
        out[f"C_{pair}"] = (np.bincount(code, weights=frame[f"C_{pair}"].to_numpy(),
                                        minlength=size)
                            + np.bincount(code, weights=n_part * a * b, minlength=size))
    return pd.DataFrame(out)


def estimates(stats: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns of :data:`talentgap.features.survey.ESTIMATE_COLUMNS` from the statistics."""
    n = stats["n"].to_numpy()
    S = {name: stats[f"S_{name}"].to_numpy() for name in VALUES}
    C = {pair: stats[f"C_{pair}"].to_numpy() for pair in PAIRS}
    factor = variance_factor(n)
    out: dict[str, np.ndarray] = {"n_respondents": n.astype(np.int64)}
    with np.errstate(invalid="ignore", divide="ignore"):
        for name, value in {"enterprises": "w", "employees": "e", "vacancies": "v",
                            "demand": "h"}.items():
            pair = value + value
            out[name] = S[value]
            # centred sums of equal values are ~1e-32 of the raw squares, true spread more
            noise = 1e-24 * (C[pair] + S[value] * S[value] / n)
            out[f"{name}_se"] = np.sqrt(snap_noise(C[pair].copy(), noise, factor))
        ratios = {  # (S_y, S_x, C_yy, C_xy, C_xx): centred moments, as the raw ones
            "shortage_rate": (S["s"], S["w"], C["ss"], C["sw"], C["ww"]),
            "vacancy_rate": (S["v"], S["e"] + S["v"], C["vv"], C["ev"] + C["vv"],
                             C["ee"] + 2 * C["ev"] + C["vv"]),
            "ssv_density": (S["h"], S["v"], C["hh"], C["hv"], C["vv"]),
        }
        for name, moments in ratios.items():
            out[name], variance = ratio_variance(*moments, factor)
            out[f"{name}_se"] = np.sqrt(variance)
    out["single_respondent"] = n == 1
    return out
