"""The simulation behind :func:`~talentgap.datasets.make_synthetic`.

Vectorised draws of the synthetic population, over cells and enterprises at once
(loops only over periods): per-cell parameters (:func:`_cells`), the latent shortage
process (:func:`_latent`), every enterprise's vacancies and the survey sample
(:func:`_simulate_enterprises`, :func:`_surveys_table`), training cohorts and the
supply they make (:func:`_simulate_training`), employment
(:func:`_simulate_employment`), trades that start part-way (:func:`_with_new_trades`,
:func:`_new_trade_starts`) and the stratified design (:func:`_design_strata`,
:func:`_with_design`). The model and its constants are described in the docstring
of ``make_synthetic``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentgap.errors import ParameterError, SchemaError
from talentgap.periods import parse_periods, period_array

__all__: list[str] = []

_SIZE_BANDS = ("small", "medium", "large")

# Model constants (see the docstring of make_synthetic for their meaning).
_SIZE_MEDIAN, _SIZE_SIGMA = 70.0, 1.0          # employees per key enterprise
_THIN_SHARE, _THIN_RANGE = 0.10, (2, 12)       # share of thin cells, their size range
_VACANCY_LEVEL, _LEVEL_SD = np.log(0.037), 0.30  # open posts per employee
_DENSITY_LOGIT, _DENSITY_SD, _DENSITY_LOAD = -0.2, 0.30, 1.0
_AR_RHO_QUARTER, _AR_SD = 0.6, 0.20
_JUMPS_PER_YEAR, _JUMP_SD = 0.10, 0.25
_REPORT_ANYWAY = 0.05
_PASS_A, _PASS_B = 40.0, 20.0                  # Beta prior of the pass rate, mean 2/3
_BASIC_SHARE = 0.6


def _id_width(n_enterprises: int) -> int:
    """Digits of the enterprise numbers: 7, or more for a register of 10 million or more."""
    return max(7, len(str(n_enterprises)))


def _format_ids(numbers: np.ndarray, width: int) -> np.ndarray:
    """``"E"`` + numbers zero-padded to ``width`` digits, built on a byte matrix."""
    chars = np.empty((len(numbers), width + 1), dtype=np.uint8)
    chars[:, 0] = ord("E")
    rest = np.asarray(numbers, dtype=np.int64).copy()
    for k in range(width, 0, -1):
        chars[:, k] = 48 + rest % 10
        rest //= 10
    return chars.view(f"S{width + 1}").ravel().astype(f"U{width + 1}")


def _cells(rng, n_regions, n_industries, enterprises_per_cell, sample_fraction, m):
    """Per-cell frame sizes and process parameters (arrays of length C)."""
    n_cells = n_regions * n_industries
    region_factor = rng.lognormal(0.0, 0.5, n_regions)
    industry_factor = rng.lognormal(0.0, 0.4, n_industries)
    cell_factor = rng.lognormal(0.0, 0.25, n_cells)
    size = np.repeat(region_factor, n_industries) * np.tile(industry_factor, n_regions)
    size *= cell_factor / np.mean(size * cell_factor)  # mean exactly 1
    n_ent = np.maximum(1, np.rint(enterprises_per_cell * size)).astype(np.int64)
    thin = rng.random(n_cells) < _THIN_SHARE
    n_thin = rng.integers(_THIN_RANGE[0], _THIN_RANGE[1] + 1, n_cells)
    n_ent = np.where(thin, np.minimum(n_ent, n_thin), n_ent)
    n_sample = np.minimum(n_ent, np.maximum(1, np.rint(sample_fraction * n_ent))).astype(np.int64)
    return {
        "n_enterprises": n_ent,
        "n_sampled": n_sample,
        "level": rng.normal(_VACANCY_LEVEL, _LEVEL_SD, n_cells),
        "trend_per_year": rng.normal(0.04, 0.06, n_cells),
        "seasonal_amplitude": rng.uniform(0.0, 0.25, n_cells) if m > 1 else np.zeros(n_cells),
        "seasonal_phase": rng.uniform(0.0, 2 * np.pi, n_cells),
        "density_logit": rng.normal(_DENSITY_LOGIT, _DENSITY_SD, n_cells),
        "employee_drift_per_year": rng.normal(0.02, 0.03, n_cells),
        "pass_rate": rng.beta(_PASS_A, _PASS_B, n_cells),
        "absorption": rng.uniform(0.75, 0.95, n_cells),
        "capacity_ratio": rng.uniform(0.5, 1.4, n_cells),
        "n_programs": rng.integers(1, 3, n_cells),
        "coverage": rng.uniform(0.32, 0.48, n_cells),
        "skilled_share": rng.uniform(0.21, 0.27, n_cells),
        "high_skilled_share": rng.uniform(0.25, 0.32, n_cells),
    }


def _latent(rng, cells, ordinals, m, offset=None):
    """Latent shortage index ``x`` (C x T), vacancy rate and hard-to-fill density.

    ``offset`` (C x T), if given, is added to ``x`` (the growth of new trades).
    """
    n_cells, n_periods = len(cells["level"]), len(ordinals)
    t = np.arange(n_periods)
    season = (ordinals % m) if m > 1 else np.zeros(n_periods, dtype=np.int64)
    rho = _AR_RHO_QUARTER ** (4 / m)
    innov = _AR_SD * np.sqrt(1 - rho**2)
    ar = np.empty((n_cells, n_periods))
    ar[:, 0] = rng.normal(0.0, _AR_SD, n_cells)
    shocks = rng.normal(0.0, innov, (n_cells, n_periods))
    for j in range(1, n_periods):  # recursion over time, vectorised over cells
        ar[:, j] = rho * ar[:, j - 1] + shocks[:, j]
    jump_hit = rng.random((n_cells, n_periods)) < min(0.5, _JUMPS_PER_YEAR / m)
    jumps = np.cumsum(jump_hit * rng.normal(0.0, _JUMP_SD, (n_cells, n_periods)), axis=1)
    x = (cells["trend_per_year"][:, None] * t / m
         + cells["seasonal_amplitude"][:, None]
         * np.sin(2 * np.pi * season / m + cells["seasonal_phase"][:, None])
         + ar + jumps)
    if offset is not None:
        x = x + offset
    vacancy_rate = np.exp(cells["level"][:, None] + x)
    density = 1 / (1 + np.exp(-(cells["density_logit"][:, None] + _DENSITY_LOAD * x)))
    growth = np.exp(cells["employee_drift_per_year"][:, None] * t / m)
    return vacancy_rate, density, growth


def _simulate_training(rng, cells, n_periods, lead_time):
    """Training cohorts and the supply they make.

    Returns the cohorts (a dict: ``prog_cell`` and ``prog_level`` of each of
    the P programmes, ``trained`` and ``certified`` as P x (``lead_time`` + T)
    arrays, the ``lead_time`` warm-up cohorts first, so cohort ``t`` supplies
    period ``t``), the absorbed supply (T x C) and the expected number
    trained per period in each cell (C).
    """
    n_cells = len(cells["level"])
    n_prog = cells["n_programs"]
    prog_cell = np.repeat(np.arange(n_cells), n_prog)
    prog_starts = np.concatenate([[0], np.cumsum(n_prog)[:-1]])
    prog_level = np.arange(len(prog_cell)) - np.repeat(prog_starts, n_prog)
    share = np.where(n_prog[prog_cell] == 1, 1.0,
                     np.where(prog_level == 0, _BASIC_SHARE, 1 - _BASIC_SHARE))
    capacity = (cells["capacity_ratio"] * cells["mean_demand"]
                / (cells["pass_rate"] * cells["absorption"]))
    expected = np.maximum(1.0, capacity[prog_cell] * share)
    capacity = np.bincount(prog_cell, weights=expected, minlength=n_cells)
    n_cohorts = n_periods + lead_time  # warm-up cohorts first, then the table's periods
    noise = np.exp(rng.normal(0.0, 0.1, (len(prog_cell), n_cohorts)))
    trained = rng.poisson(expected[:, None] * noise)
    certified = rng.binomial(trained, cells["pass_rate"][prog_cell][:, None])
    cert_cell = np.add.reduceat(certified, prog_starts, axis=0)  # programmes -> cells
    absorbed = rng.binomial(cert_cell, cells["absorption"][:, None])
    supply = absorbed[:, :n_periods].T.astype(np.int64)  # cohort t - lead_time arrives at t
    cohorts = {"prog_cell": prog_cell, "prog_level": prog_level,
               "trained": trained.astype(np.int64), "certified": certified.astype(np.int64)}
    return cohorts, supply, capacity


def _simulate_employment(rng, cells, key_employees, m):
    """Total, skilled and high-skilled employment (T x C integer arrays)."""
    t = np.arange(key_employees.shape[0])[:, None]
    employment = np.rint(key_employees / cells["coverage"][None, :]).astype(np.int64)
    skilled_share = np.minimum(0.29, cells["skilled_share"][None, :] + 0.003 * t / m)
    skilled = rng.binomial(employment, skilled_share)
    high = rng.binomial(skilled, np.broadcast_to(cells["high_skilled_share"], skilled.shape))
    return {"employment": employment, "skilled": skilled.astype(np.int64),
            "high_skilled": high.astype(np.int64)}


def _simulate_enterprises(rng, base, cell_of, starts, n_sample, vacancy_rate, density, growth,
                          strata=None):
    """Draw every enterprise in every period; total by cell; keep the sampled rows.

    Enterprises are stored contiguously by cell, so cell totals are
    ``np.add.reduceat`` over the blocks (a ``bincount`` by cell that stays in
    integers). Returns the population totals (T x C arrays) and, per period,
    the index and values of the sampled enterprises.
    """
    total, n_periods = len(base), vacancy_rate.shape[1]
    n_cells = len(starts)
    # position of each sorted slot inside its cell block: the first n_c slots are sampled
    in_sample_slot = (np.arange(total) - starts[cell_of]) < n_sample[cell_of]
    block_of = cell_of  # sampling blocks: cells, or the design's strata (see _design_strata)
    if strata is not None:
        block_of, block_sample, _ = strata
        sorted_block = np.sort(block_of)
        block_start = np.searchsorted(sorted_block, np.arange(block_sample.size))
        in_sample_slot = ((np.arange(total) - block_start[sorted_block])
                          < block_sample[sorted_block])
    pop = {k: np.empty((n_periods, n_cells), dtype=np.int64)
           for k in ("employees", "vacancies", "hard_to_fill", "reporting")}
    kept: dict[str, list[np.ndarray]] = {k: [] for k in ("index", "emp", "vac", "htf", "rep")}
    for j in range(n_periods):  # loop over time only; everything inside is vectorised
        emp = np.maximum(1.0, np.rint(base * growth[:, j][cell_of]))
        vac = rng.poisson(emp * vacancy_rate[:, j][cell_of])
        htf = rng.binomial(vac, density[:, j][cell_of])
        rep = (htf > 0) | (rng.random(total) < _REPORT_ANYWAY)
        pop["employees"][j] = np.add.reduceat(emp, starts)
        pop["vacancies"][j] = np.add.reduceat(vac, starts)
        pop["hard_to_fill"][j] = np.add.reduceat(htf, starts)
        pop["reporting"][j] = np.add.reduceat(rep.astype(np.int64), starts)
        # SRSWOR in every cell at once: sort by (cell, uniform key), keep the first n_c
        order = np.argsort(block_of + rng.random(total))
        chosen = np.zeros(total, dtype=bool)
        chosen[order[in_sample_slot]] = True
        idx = np.flatnonzero(chosen)
        kept["index"].append(idx.astype(np.int32))
        kept["emp"].append(emp[idx].astype(np.int32))
        kept["vac"].append(vac[idx].astype(np.int32))
        kept["htf"].append(htf[idx].astype(np.int32))
        kept["rep"].append(rep[idx])
    return pop, kept


def _surveys_table(kept, ordinals, freq, cell_of, band, weight, n_ind, dtypes):
    """Assemble the sampled rows of every period into the ``surveys`` table."""
    region_cat, industry_cat, band_cat = dtypes
    counts = np.array([len(a) for a in kept["index"]])  # one entry per period
    idx = np.concatenate(kept["index"]).astype(np.int64)
    ever = np.zeros(len(cell_of), dtype=bool)
    ever[idx] = True
    id_code = np.cumsum(ever) - 1  # enterprise index -> code among the ever-sampled
    cell = cell_of[idx]
    ids = _format_ids(np.flatnonzero(ever) + 1, _id_width(len(cell_of)))
    return pd.DataFrame({
        "period": period_array(np.repeat(ordinals, counts), freq),
        "enterprise_id": pd.Categorical.from_codes(id_code[idx], categories=ids),
        "region": pd.Categorical.from_codes(cell // n_ind, dtype=region_cat),
        "industry": pd.Categorical.from_codes(cell % n_ind, dtype=industry_cat),
        "employees": np.concatenate(kept["emp"]).astype(np.int64),
        "vacancies": np.concatenate(kept["vac"]).astype(np.int64),
        "hard_to_fill": np.concatenate(kept["htf"]).astype(np.int64),
        "reports_shortage": np.concatenate(kept["rep"]),
        "weight": weight[cell],
        "size_band": pd.Categorical.from_codes(band[idx], dtype=band_cat),
    })


# ---- new trades: cells that start part-way with fast growth ----------------------------------
def _with_new_trades(industries: list[str], new_trades) -> tuple[list[str], np.ndarray]:
    """Industries with the new trades appended (if missing), and which ones are new."""
    if isinstance(new_trades, str):
        raise ParameterError("new_trades must be a list of names, not a str")
    names = list(new_trades)
    if not all(isinstance(x, str) and x for x in names) or len(set(names)) != len(names):
        raise ParameterError(f"new_trades must be unique non-empty strings, got {names!r}")
    out = industries + [name for name in names if name not in industries]
    return out, np.isin(np.array(out, dtype=object), np.array(names, dtype=object))


def _new_trade_starts(rng, new_cells: np.ndarray, n_periods: int, m: int, start,
                      growth: float, *, first_period: pd.Period | None = None,
                      ) -> tuple[np.ndarray, np.ndarray | None]:
    """First period index of every cell (0 unless a new trade) and the growth offset (C x T).

    A new-trade cell starts at a uniform draw from ``start`` (``(low, high)``, both
    included; default the second half of the periods, leaving at least one) and its
    shortage index grows by ``growth`` a year from then on. ``start``, or each end of
    it, is a 0-based period index or a period label of the simulated frequency
    (``"2023Q2"``; ``first_period`` is the period of index 0).
    """
    first = np.zeros(len(new_cells), dtype=np.int64)
    if not new_cells.any():
        return first, None
    if start is None:
        low, high = n_periods // 2, n_periods - 1
    else:
        low, high = _start_range(start, n_periods, first_period)
    if not np.isfinite(growth):
        raise ParameterError(f"new_trade_growth == {growth!r}, must be finite")
    first[new_cells] = rng.integers(int(low), int(high) + 1, int(new_cells.sum()))
    t = np.arange(n_periods)[None, :]
    offset = np.where(new_cells[:, None], growth * (t - first[:, None]) / m, 0.0)
    return first, offset


def _start_range(start, n_periods: int, first_period: pd.Period | None) -> tuple[int, int]:
    """``new_trade_start`` as period indices ``(low, high)``, checked."""
    if first_period is None:
        labels = ""
    else:
        last, middle = first_period + (n_periods - 1), first_period + n_periods // 2
        labels = f", a period label {first_period}..{last} (e.g. '{middle}')"
    problem = (f"new_trade_start == {start!r}: must be a period index 0..{n_periods - 1}"
               f"{labels}, or a pair (low, high) of them with low <= high")
    one = (str, pd.Period, int, np.integer)
    if isinstance(start, one) and not isinstance(start, bool):
        pair = (start, start)
    elif isinstance(start, (tuple, list, np.ndarray)) and len(start) == 2:
        pair = tuple(start)
    else:
        raise ParameterError(problem)
    low, high = (_start_index(value, first_period, problem) for value in pair)
    if not (0 <= low <= high < n_periods):
        raise ParameterError(problem)
    return low, high


def _start_index(value, first_period: pd.Period | None, problem: str) -> int:
    """One end of ``new_trade_start`` as a period index (may be out of range)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (str, pd.Period)) and first_period is not None:
        try:
            period = parse_periods([value], freq=first_period.freqstr, name="new_trade_start")
        except SchemaError as exc:
            cases = exc.failure_cases
            why = cases["message"].iloc[0] if cases is not None and len(cases) else exc
            raise ParameterError(f"{problem}; {why}") from None
        return int(period.asi8[0] - first_period.ordinal)
    raise ParameterError(problem)


# ---- optional realistic design: size-band strata, take-all large enterprises ---------------
def _design_strata(cell_of, band, n_cells, sample_fraction):
    """Strata cell x size band: enterprise -> stratum, sampled and population counts.

    Large enterprises are taken with certainty; other strata draw
    ``min(N_h, max(2, round(sample_fraction * N_h)))`` enterprises, so a
    stratum has one sampled enterprise only when it has one in the register.
    """
    n_bands = len(_SIZE_BANDS)
    stratum_of = cell_of.astype(np.int64) * n_bands + band
    population = np.bincount(stratum_of, minlength=n_cells * n_bands)
    sample = np.minimum(population, np.maximum(2, np.rint(sample_fraction * population)))
    large = np.arange(population.size) % n_bands == n_bands - 1
    sample = np.where(large, population, sample).astype(np.int64)
    return stratum_of, sample, population


def _with_design(surveys, kept, strata):
    """The survey rows with their stratum's weight ``N_h / n_h`` and a ``population`` column."""
    stratum_of, sample, population = strata
    stratum = stratum_of[np.concatenate(kept["index"]).astype(np.int64)]
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = population / sample
    return surveys.assign(weight=weight[stratum], population=population[stratum])
