"""Design-based standard errors from per-partition sums (strata, PSUs, population counts).

The partitioned counterpart of :class:`talentgap.features.design.DomainVariance`.
The table is shuffled by PSU (by enterprise without PSUs), so each partition
holds whole PSUs. Per partition, every PSU's total of each weighted value
``u in (w, w*s, w*e, w*v, w*h)`` within each domain (cell-period) is formed,
and per block (domain x stratum) the PSU count ``k``, sums ``A_u`` and centred
cross products ``C_uv`` over the PSUs of the block are kept; per stratum the
PSUs sampled ``n_h`` and the population count. Blocks combine across
partitions exactly as the cells do (Chan, Golub & LeVeque 1983). For a score
``z`` (``u`` itself for a total, ``(y - R x) / X`` for a ratio, so
``A_z = (A_y - R A_x) / X`` and ``C_zz = (C_yy - 2 R C_xy + R^2 C_xx) / X^2``),
the block adds ``scale_h * [C_zz + k (A_z/k - A_z/n_h)^2 + (n_h - k) (A_z/n_h)^2]``:
the squared deviations from the stratum mean of its ``n_h`` PSU totals, the
``n_h - k`` PSUs outside the domain counting with ``z = 0``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from talentgap.errors import SchemaError, collect_warnings, warn
from talentgap.features._domain_variance import _absent_lonely
from talentgap.features._groups import group_rows
from talentgap.features._variance import NOISE, ratio_scores
from talentgap.features.design import (
    SurveyDesign,
    design_index,
    lonely_strata,
    lonely_warning,
)
from talentgap.schema import DETAIL_COLUMNS, check_constant

__all__ = ["design_partial", "design_errors", "strata_prefix", "stratum_rows"]

_PREFIX = "_h_"  # strata columns in the partial frames (they may repeat a cell key)
#: Design rules a partition cannot judge alone: they need every row of a stratum.
_WHOLE_TABLE_RULES = {"fpc_varies", "fpc_below_sample"}


def strata_prefix(design: SurveyDesign) -> list[str]:
    """The strata columns of ``design`` as named in the block and strata frames."""
    return [_PREFIX + c for c in design.strata_columns]


def design_partial(table: pd.DataFrame, design: SurveyDesign, slot: np.ndarray,
                   domains: pd.DataFrame, keys: list[str], respondents) -> dict:
    """Block and stratum sums of one partition (``slot``: domain per row, -1 outside cells).

    ``respondents(rows)`` returns the merged respondents of the rows (slot, first
    row, weighted values). Raises :class:`SchemaError` for a design rule broken
    inside the partition (lines of the partition). Population counts that vary
    within a stratum or fall below its sample, and lonely PSUs, are judged on
    the whole table once the partitions are combined (:func:`design_errors`).
    """
    if any(c in table.columns for c in DETAIL_COLUMNS):
        check_constant(table, design.columns, line_numbers=table.index.to_numpy())
    local = replace(design, lonely_psu="certainty")  # lonely strata: judged after combining
    with collect_warnings():
        try:
            index = design_index(table, local)
        except SchemaError as error:
            if not set(error.failure_cases["rule"]) <= _WHOLE_TABLE_RULES:
                raise
            index = design_index(table, replace(local, fpc=None))
    strata = group_rows(table, [*design.strata_columns, "period"])
    n_strata = strata.n_groups
    stratum_frame = {_PREFIX + c: strata.frame[c].astype(object).to_numpy()
                     for c in design.strata_columns}
    stratum_frame["period"] = strata.frame["period"]
    stratum_frame["n_psu"] = index.n_psu
    first_line = np.full(n_strata, np.iinfo(np.int64).max)
    np.minimum.at(first_line, strata.codes, table.index.to_numpy(dtype=np.int64))
    stratum_frame["line"] = first_line
    if design.fpc is not None:
        population = pd.to_numeric(table[design.fpc]).to_numpy(dtype=np.float64)
        low = np.full(n_strata, np.inf)
        high = np.full(n_strata, -np.inf)
        np.minimum.at(low, strata.codes, population)
        np.maximum.at(high, strata.codes, population)
        stratum_frame["fpc_low"], stratum_frame["fpc_high"] = low, high
        stratum_frame["fpc_sum"] = np.bincount(strata.codes, weights=population,
                                               minlength=n_strata)
        stratum_frame["rows"] = np.bincount(strata.codes, minlength=n_strata)

    inside = np.flatnonzero(slot >= 0)
    unit_slot, first, values = respondents(inside)
    unit = index.unit[inside][first]  # PSU of each respondent
    size = len(domains)
    pairs, pair_of = np.unique(unit.astype(np.int64) * size + unit_slot, return_inverse=True)
    pair_of = pair_of.reshape(-1)
    pair_unit, pair_slot = np.divmod(pairs, size)
    pair_values = {name: np.bincount(pair_of, weights=v, minlength=pairs.size)
                   for name, v in values.items()}
    pair_stratum = index.stratum_of_unit[pair_unit]
    blocks, block_of = np.unique(pair_slot * n_strata + pair_stratum, return_inverse=True)
    block_slot, block_stratum = np.divmod(blocks, n_strata)
    block_frame = {k: domains[k].to_numpy()[block_slot] for k in keys}
    for c in design.strata_columns:
        block_frame[_PREFIX + c] = stratum_frame[_PREFIX + c][block_stratum]
    block_frame["period"] = domains["period"].array.take(block_slot)
    return {"strata": pd.DataFrame(stratum_frame),
            "blocks": (pd.DataFrame(block_frame), block_of.reshape(-1), blocks.size,
                       pair_values)}


def _stratum_checks(strata: pd.DataFrame, design: SurveyDesign, where, fail) -> dict:
    """Scale, lonely flags and take-all flags per stratum; design rules across partitions.

    As for one table, a broken rule names rows: every row of a stratum whose
    population count is below its sampled PSUs, or that has a lonely PSU
    (``lonely_psu="fail"``), and the rows whose count differs from their
    stratum's mean. ``fail`` gets those strata (see :func:`design_errors`).
    """
    n_psu = strata["n_psu"].to_numpy(dtype=np.float64)
    named = []  # the strata whose rows fail, with the rule, value and message
    if design.fpc is not None:
        low, high = strata["fpc_low"].to_numpy(), strata["fpc_high"].to_numpy()
        n_pop = strata["fpc_sum"].to_numpy() / strata["rows"].to_numpy()
        varies = (~np.isclose(low, n_pop, rtol=1e-12, atol=0.0)
                  | ~np.isclose(high, n_pop, rtol=1e-12, atol=0.0))
        if varies.any():
            named.append(strata[varies].assign(
                rule="fpc_varies", column=design.fpc, fpc_mean=n_pop[varies], value=None,
                message=""))
        below = ~varies & (n_pop < n_psu * (1 - 1e-12))
        if below.any():
            sampled = "PSUs" if design.psu is not None else "enterprises"
            named.append(strata[below].assign(
                rule="fpc_below_sample", column=design.fpc, fpc_mean=np.nan, message="",
                value=[f"{p:g} < {n:g} sampled {sampled}"
                       for p, n in zip(n_pop[below], n_psu[below], strict=True)]))
        keep = np.clip(1.0 - n_psu / n_pop, 0.0, 1.0)
    else:
        keep = np.ones(n_psu.size)
    period_of_stratum = np.unique(strata["period"].array.asi8, return_inverse=True)[1]
    scale, lonely, single, factor = lonely_strata(n_psu, keep, design.lonely_psu,
                                                  period_of_stratum.reshape(-1))
    if single.any() and design.lonely_psu == "fail" and not named:
        label = ", ".join([*design.strata_columns, "period"])
        named.append(strata[single].assign(
            rule="lonely_psu", fpc_mean=np.nan,
            column=design.strata_columns[0] if design.strata_columns else "period",
            value=f"stratum ({label}) has 1 PSU",
            message="choose lonely_psu='adjust', 'average', 'certainty' or 'remove', or "
                    "collapse strata"))
    if named:
        fail(pd.concat(named, ignore_index=True))
    if single.any():
        label = ", ".join([*design.strata_columns, "period"])
        examples = ", ".join(where(x) for x in strata["line"].to_numpy()[single][:5])
        warn(lonely_warning(int(single.sum()), label, design, examples), stacklevel=4)
    return {"n_psu": n_psu, "scale": scale, "lonely": lonely, "keep": keep, "factor": factor}


def design_errors(cells: pd.DataFrame, estimates: dict, blocks: pd.DataFrame,
                  strata: pd.DataFrame, keys: list[str], design: SurveyDesign,
                  where, fail) -> dict[str, np.ndarray]:
    """``*_se``, ``take_all`` and ``*_df`` per cell from the combined sums.

    ``where(line)`` names an encoded line; ``fail(named)`` raises for design
    rules broken across partitions: ``named`` holds the strata (rows of
    ``strata``) with ``rule, column, value, message`` and ``fpc_mean``, whose
    rows :func:`stratum_rows` finds.
    """
    hcols = strata_prefix(design)
    facts = _stratum_checks(strata, design, where, fail)
    # each block's domain (row of cells) and stratum (row of strata)
    domain_of = _positions(blocks, cells, [*keys, "period"])
    stratum_of = _positions(blocks, strata, [*hcols, "period"])
    n_domains = len(cells)
    n_h = facts["n_psu"][stratum_of]
    scale = facts["scale"][stratum_of]
    lonely = facts["lonely"][stratum_of]
    k = blocks["n"].to_numpy()
    # per period: PSUs; per domain: the lonely strata of its period it has no PSU in
    periods, period_of_stratum = np.unique(strata["period"].array.asi8, return_inverse=True)
    units = np.bincount(period_of_stratum, weights=facts["n_psu"], minlength=periods.size)
    period_of_domain = np.searchsorted(periods, cells["period"].array.asi8)
    domain_units = units[period_of_domain]
    absent_scale, absent_scale2 = _absent_lonely(
        facts["lonely"], facts["scale"], period_of_stratum.reshape(-1), periods.size,
        period_of_domain, domain_of, lonely, scale)
    any_lonely = bool(facts["lonely"].any())
    S = {u: blocks[f"S_{u}"].to_numpy() for u in "wsevh"}
    C = {p: blocks[f"C_{p}"].to_numpy() for p in ("ww", "ss", "sw", "ee", "vv", "hh", "ev",
                                                   "hv")}

    def ratio_parts(name, sy, sx, cyy, cxy, cxx):
        """Score sums and squares of a block, and their sizes before cancelling."""
        ratio = estimates[name][domain_of]
        total_x = np.bincount(domain_of, weights=sx, minlength=n_domains)[domain_of]
        a, size_a = ratio_scores(sy, sx, ratio, total_x)
        c = (cyy - 2 * ratio * cxy + ratio * ratio * cxx) / (total_x * total_x)
        size_c = (cyy + 2 * np.abs(ratio * cxy) + ratio * ratio * cxx) / (total_x * total_x)
        return a, c, size_a, size_c

    def total_parts(a, c):
        return a, c, np.abs(a), c

    scores = {
        "enterprises": lambda: total_parts(S["w"], C["ww"]),
        "employees": lambda: total_parts(S["e"], C["ee"]),
        "vacancies": lambda: total_parts(S["v"], C["vv"]),
        "demand": lambda: total_parts(S["h"], C["hh"]),
        "shortage_rate": lambda: ratio_parts("shortage_rate", S["s"], S["w"], C["ss"],
                                             C["sw"], C["ww"]),
        "vacancy_rate": lambda: ratio_parts("vacancy_rate", S["v"], S["e"] + S["v"], C["vv"],
                                            C["ev"] + C["vv"],
                                            C["ee"] + 2 * C["ev"] + C["vv"]),
        "ssv_density": lambda: ratio_parts("ssv_density", S["h"], S["v"], C["hh"], C["hv"],
                                           C["vv"]),
    }
    out = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for name, parts in scores.items():
            a, c, size_a, size_c = parts()
            mean = a / n_h
            ss = c + k * (a / k - mean) ** 2 + (n_h - k) * mean * mean
            # the squares the sums of the block came from: a ratio's score cancels (all
            # y = R x gives z = 0 up to rounding), so the sizes before cancelling
            squares = size_c + size_a * size_a / k
            ss[ss <= NOISE * squares] = 0.0
            contribution = scale * ss
            grand2 = 0.0
            if any_lonely:  # each lonely stratum: scale (z_h - g)^2, z_h = 0 where absent
                total = np.bincount(domain_of, weights=a, minlength=n_domains)
                grand = total / domain_units
                g = grand[domain_of]
                size_g = (np.bincount(domain_of, weights=size_a, minlength=n_domains)
                          / domain_units)
                contribution = np.where(lonely, scale * (a - g) ** 2, contribution)
                squares = np.where(lonely, (size_a + size_g[domain_of]) ** 2, squares)
                grand2 = grand * grand
            top = np.bincount(domain_of, weights=contribution, minlength=n_domains)
            top += absent_scale * grand2
            limit = np.bincount(domain_of, weights=scale * squares, minlength=n_domains)
            if any_lonely:
                limit += absent_scale * size_g * size_g
            top[top <= NOISE * limit] = 0.0  # rounding noise around an exact 0 (or below)
            variance = top.copy()
            if facts["factor"] is not None:  # "average": lonely strata at the others' mean
                variance *= facts["factor"][period_of_domain]
            out[f"{name}_se"] = np.sqrt(variance)
            df_block = np.where(lonely, 1.0, n_h - 1.0)
            share = np.where(df_block > 0, contribution * contribution / df_block, 0.0)
            bottom = np.bincount(domain_of, weights=share, minlength=n_domains)
            bottom += absent_scale2 * grand2 * grand2
            df = top * top / bottom
            df[~(top > 0)] = np.nan
            if facts["factor"] is not None:
                df[np.isnan(facts["factor"][period_of_domain])] = np.nan
            out[f"{name}_df"] = df
    sampled = np.bincount(domain_of, weights=facts["keep"][stratum_of] > 0,
                          minlength=n_domains)
    out["take_all"] = sampled == 0
    return out


def _positions(frame: pd.DataFrame, table: pd.DataFrame, on: list[str]) -> np.ndarray:
    """Row of ``table`` matching each row of ``frame`` on the columns ``on``."""
    left = frame[on].astype({c: object for c in on if c != "period"})
    right = table[on].astype({c: object for c in on if c != "period"}).assign(
        _tg_at=np.arange(len(table)))
    found = left.merge(right, on=on, how="left")["_tg_at"]
    return found.to_numpy(dtype=np.int64)


def stratum_rows(clean: pd.DataFrame, design: SurveyDesign, named: pd.DataFrame) -> pd.DataFrame:
    """The failing rows of ``clean`` in the strata ``named`` (see :func:`design_errors`).

    Every row of a named stratum fails, except under rule ``fpc_varies``,
    where only rows whose population count is not the stratum's mean
    ``fpc_mean`` do, as :func:`talentgap.features.design.design_index` names
    them. Returns ``line`` (the rows' index), ``column``, ``rule``, ``value``
    and ``message``.
    """
    hcols = strata_prefix(design)
    rows = clean[[*design.strata_columns, "period"]].astype(
        {c: object for c in design.strata_columns}).set_axis([*hcols, "period"], axis=1)
    wanted = named[[*hcols, "period", "rule", "column", "value", "message", "fpc_mean"]]
    found = rows.assign(_tg_at=np.arange(len(rows))).merge(
        wanted.astype({c: object for c in hcols}), on=[*hcols, "period"], how="inner")
    at = found["_tg_at"].to_numpy()
    mean = found["fpc_mean"].to_numpy(dtype=np.float64)
    value = found["value"].to_numpy(dtype=object)
    if design.fpc is not None:
        population = pd.to_numeric(clean[design.fpc]).to_numpy(dtype=np.float64)[at]
        varies = (found["rule"] == "fpc_varies").to_numpy()
        keep = ~varies | ~np.isclose(population, mean, rtol=1e-12, atol=0.0)
        value = np.where(varies, population.astype(object), value)
        found, at, value = found[keep], at[keep], value[keep]
    order = np.argsort(at, kind="stable")
    return pd.DataFrame({
        "line": clean.index[at[order]], "column": found["column"].to_numpy()[order],
        "rule": found["rule"].to_numpy()[order], "value": value[order],
        "message": found["message"].to_numpy()[order]})
