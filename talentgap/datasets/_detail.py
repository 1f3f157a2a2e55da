"""Occupations and skill levels for the synthetic data (``make_synthetic(detail=True)``).

The detail is drawn *after* every other random number of
:func:`~talentgap.datasets.make_synthetic`, and only splits counts the plain
simulation already made, so the tables with and without detail hold the
same enterprises, periods and totals for the same seed:

* each surveyed enterprise's ``vacancies`` and ``hard_to_fill`` are split
  over the two skill levels (binomial, with a per-cell probability; a
  hard-to-fill post is more often high-skilled) and then over the
  occupations of its industry (multinomial, with the enterprise's own
  shares drawn around the cell's), hard-to-fill posts and the other posts
  separately, so that ``hard_to_fill <= vacancies`` on every detail row;
* the population truth per cell is split by skill level consistently with
  the sample: the sampled enterprises' own split plus a binomial split of
  the rest of the cell's posts with the same per-cell probabilities (exact,
  because the level of a post does not depend on the enterprise);
* every cell trains at both levels: where the plain simulation runs a
  single programme in a cell, each cohort's trainees are split between a
  ``basic`` programme (``skilled``) and an ``advanced`` one
  (``high_skilled``): ``Binomial(trained, 0.4)`` go to ``advanced`` (the
  40% share of cells that run two programmes), and the cohort's certified
  workers are split by which of the trainees passed (hypergeometric), so
  ``certified <= trained`` on every row, each cell-period keeps its
  ``trained`` and ``certified`` totals, and the warm-up cohorts that supply
  the first periods are split the same way;
* the absorbed supply of a cell is split between its ``basic`` programme
  (``skilled``) and its ``advanced`` programme (``high_skilled``) by which
  certified workers stayed (hypergeometric);
* employment rows by level: ``unskilled`` (no skill certificate),
  ``skilled`` (ordinary skilled) and ``high_skilled``, with per-row
  ``skilled`` and ``high_skilled`` counts that agree with the level.

Everything is vectorised over enterprises and cells; the only loops run over
the (at most six) occupation x level categories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["OCCUPATIONS", "GENERIC_OCCUPATIONS", "SKILL_LEVELS", "EMPLOYMENT_LEVELS",
           "PROGRAM_LEVELS", "occupation_categories", "with_detail"]

#: Occupations of the default industries (snake_case codes, 2-3 per industry).
OCCUPATIONS: dict[str, tuple[str, ...]] = {
    "construction_engineering": ("welder", "rebar_worker", "surveyor"),
    "electromechanical_technology": ("electrician", "maintenance_fitter", "plc_technician"),
    "textiles": ("spinner", "loom_operator"),
    "clothing_and_shoes": ("sewing_machinist", "pattern_maker", "shoe_assembler"),
    "general_equipment": ("cnc_operator", "machinist", "assembly_fitter"),
    "ecommerce": ("online_store_operator", "customer_service_agent"),
    "live_streaming": ("streaming_host", "live_stream_operator", "video_editor"),
    "industrial_robotics": ("robot_operator", "robot_maintenance_technician"),
}
#: Occupations of any other industry.
GENERIC_OCCUPATIONS: tuple[str, ...] = ("machine_operator", "maintenance_technician")
#: Skill levels of vacancies and training, lowest first: ordinary skilled workers, then
#: high-skilled workers (senior technician and above).
SKILL_LEVELS: tuple[str, ...] = ("skilled", "high_skilled")
#: Skill levels of the employment rows: workers without a skill certificate first.
EMPLOYMENT_LEVELS: tuple[str, ...] = ("unskilled", *SKILL_LEVELS)
#: Programme name suffix (``<industry>/basic``) of each skill level, in the same order.
PROGRAM_LEVELS: tuple[str, ...] = ("basic", "advanced")

_MAX_OCCUPATIONS = 3
_OCCUPATION_CONCENTRATION = 4.0       # Dirichlet parameter of a cell's occupation shares
_FIRM_CONCENTRATION = 1.0             # Dirichlet concentration of an enterprise's shares
_HIGH_SHARE = (0.15, 0.40)            # share of a cell-occupation's posts that are high-skilled
_HIGH_HARD_ODDS = 2.0                 # high-skilled posts are harder to fill: odds ratio
_ADVANCED_SHARE = 0.4                 # trainees of a one-programme cell moved to advanced


def _occupations_of(industry: str) -> tuple[str, ...]:
    return OCCUPATIONS.get(industry, GENERIC_OCCUPATIONS)


def occupation_categories(industries) -> list[str]:
    """Every occupation of ``industries``, in industry order, each once.

    Examples
    --------
    >>> occupation_categories(["textiles", "welding"])
    ['spinner', 'loom_operator', 'machine_operator', 'maintenance_technician']
    """
    return list(dict.fromkeys(o for ind in industries for o in _occupations_of(ind)))


def _level_dtype(levels) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(pd.Index(list(levels), dtype="str"))


def _split(rng, n: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """Multinomial split of counts ``n`` (length N) over the columns of ``probs`` (N x K).

    Drawn as conditional binomials, one column at a time (vectorised over rows).
    """
    out = np.zeros(probs.shape, dtype=np.int64)
    left = np.asarray(n, dtype=np.int64).copy()
    mass = probs.sum(axis=1)
    for k in range(probs.shape[1] - 1):
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(mass > 0, probs[:, k] / mass, 0.0)
        out[:, k] = rng.binomial(left, np.clip(p, 0.0, 1.0))
        left -= out[:, k]
        mass = mass - probs[:, k]
    out[:, -1] = left
    return out


def _cell_probabilities(rng, industries: list[str], n_regions: int):
    """Per cell: the mean occupation shares of its posts (C x 3, zero past the industry's
    occupations) and the share of its hard-to-fill and other posts that are high-skilled."""
    n_ind = len(industries)
    n_cells = n_regions * n_ind
    k_occ = np.array([len(_occupations_of(ind)) for ind in industries])
    valid = np.arange(_MAX_OCCUPATIONS)[None, :] < np.tile(k_occ, n_regions)[:, None]
    share = rng.gamma(_OCCUPATION_CONCENTRATION, 1.0, (n_cells, _MAX_OCCUPATIONS)) * valid
    share /= share.sum(axis=1, keepdims=True)
    high = rng.uniform(*_HIGH_SHARE, n_cells)
    high_hard = _HIGH_HARD_ODDS * high / (1 - high + _HIGH_HARD_ODDS * high)
    return share, high_hard, high


def _by_level(values: np.ndarray) -> np.ndarray:
    """(N x 2*3) level-major detail counts -> (N x 2) per level."""
    return values.reshape(len(values), len(SKILL_LEVELS), _MAX_OCCUPATIONS).sum(axis=2)


def _surveys(surveys: pd.DataFrame, hard: np.ndarray, easy: np.ndarray,
             industries: list[str]) -> pd.DataFrame:
    """One row per enterprise x period x occupation x skill level with posts, plus one row
    with a blank occupation and no posts for each level where the enterprise has none."""
    n_rows, n_occ = len(surveys), _MAX_OCCUPATIONS
    width = n_occ + 1  # per level: the occupations, then the "no posts at this level" row
    vac = np.zeros((n_rows, len(SKILL_LEVELS) * width), dtype=np.int64)
    htf = np.zeros_like(vac)
    for level in range(len(SKILL_LEVELS)):
        src = slice(level * n_occ, (level + 1) * n_occ)
        dst = slice(level * width, level * width + n_occ)
        vac[:, dst] = hard[:, src] + easy[:, src]
        htf[:, dst] = hard[:, src]
    keep = vac > 0
    level_total = _by_level(hard + easy)
    keep[:, n_occ::width] = level_total == 0
    row, col = np.nonzero(keep)  # row-major: an enterprise's rows, level by level
    level, slot = np.divmod(col, width)

    categories = occupation_categories(industries)
    code = np.full((len(industries), width), -1, dtype=np.int64)
    for i, industry in enumerate(industries):  # a few industries, not rows
        occ = [categories.index(o) for o in _occupations_of(industry)]
        code[i, :len(occ)] = occ
    industry_code = surveys["industry"].cat.codes.to_numpy(np.int64)[row]
    out = surveys.take(row).reset_index(drop=True)
    out["vacancies"] = vac[row, col]
    out["hard_to_fill"] = htf[row, col]
    at = out.columns.get_loc("industry") + 1
    out.insert(at, "occupation", pd.Categorical.from_codes(
        code[industry_code, slot], dtype=pd.CategoricalDtype(categories)))
    out.insert(at + 1, "skill_level", pd.Categorical.from_codes(
        level, dtype=_level_dtype(SKILL_LEVELS)))
    return out


def _both_programs(rng, prog_cell: np.ndarray, prog_level: np.ndarray, trained: np.ndarray,
                   certified: np.ndarray, n_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Cohort counts (P x cohorts) of the plain programmes -> (2C x cohorts), one basic and
    one advanced programme per cell (row ``2 * cell + level``).

    A cell's existing programmes keep their counts; a cell with a single programme has its
    trainees split: ``Binomial(trained, 0.4)`` advanced, and the certified among them a
    hypergeometric draw from the cohort's certified workers (so both programmes keep
    ``certified <= trained``).
    """
    n_levels = len(PROGRAM_LEVELS)
    row = n_levels * np.asarray(prog_cell, dtype=np.int64) + prog_level
    out_trained = np.zeros((n_levels * n_cells, trained.shape[1]), dtype=np.int64)
    out_certified = np.zeros_like(out_trained)
    out_trained[row] = trained
    out_certified[row] = certified
    single = np.bincount(prog_cell, minlength=n_cells)[prog_cell] == 1
    n, c = trained[single], certified[single]
    high = rng.binomial(n, _ADVANCED_SHARE)
    high_cert = rng.hypergeometric(high, n - high, c)
    basic = row[single]  # a lone programme is the cell's basic one
    out_trained[basic] -= high
    out_trained[basic + 1] = high
    out_certified[basic] -= high_cert
    out_certified[basic + 1] = high_cert
    return out_trained, out_certified


def _training(training: pd.DataFrame, trained: np.ndarray, certified: np.ndarray,
              industries: list[str], first_ordinal: int) -> pd.DataFrame:
    """The training table with both programmes of every cell (``trained`` and ``certified``
    T x 2C, programmes ordered by cell, then basic before advanced)."""
    n_periods, n_prog = trained.shape
    n_ind = len(industries)
    prog = np.tile(np.arange(n_prog), n_periods)
    cell, level = np.divmod(prog, len(PROGRAM_LEVELS))
    names = [f"{ind}/{lvl}" for ind in industries for lvl in PROGRAM_LEVELS]
    ordinals = first_ordinal + np.repeat(np.arange(n_periods, dtype=np.int64), n_prog)
    return pd.DataFrame({
        "period": pd.arrays.PeriodArray(ordinals, dtype=training["period"].dtype),
        "region": pd.Categorical.from_codes(cell // n_ind, dtype=training["region"].dtype),
        "industry": pd.Categorical.from_codes(cell % n_ind, dtype=training["industry"].dtype),
        "program": pd.Categorical.from_codes((cell % n_ind) * len(PROGRAM_LEVELS) + level,
                                             categories=names),
        "skill_level": pd.Categorical.from_codes(level, dtype=_level_dtype(SKILL_LEVELS)),
        "trained": trained.ravel(),
        "certified": certified.ravel(),
    })


def _supply_by_level(rng, supply: np.ndarray, certified: np.ndarray, prog_cell: np.ndarray,
                     prog_level: np.ndarray) -> np.ndarray:
    """Split the absorbed supply (T x C) by the level of the programme that trained it
    (T x C x 2): which of the cell's certified workers stayed is hypergeometric."""
    n_periods, n_cells = supply.shape
    cert = np.zeros((n_periods, n_cells, len(SKILL_LEVELS)), dtype=np.int64)
    np.add.at(cert, (slice(None), prog_cell, prog_level), certified)
    high = rng.hypergeometric(cert[..., 1], cert[..., 0], supply)
    return np.stack([supply - high, high], axis=-1)


def _truth(truth: pd.DataFrame, rng, sampled: dict, pop: dict, supply: np.ndarray,
           high_hard: np.ndarray, high_easy: np.ndarray) -> pd.DataFrame:
    """The truth per cell x level x period: the sampled enterprises' split plus a
    binomial split of the cell's other posts with the same probabilities."""
    n_levels = len(SKILL_LEVELS)
    rest_hard = pop["hard_to_fill"] - sampled["hard"].sum(axis=2)
    rest_easy = pop["vacancies"] - pop["hard_to_fill"] - sampled["easy"].sum(axis=2)
    high = rng.binomial(rest_hard, np.broadcast_to(high_hard, rest_hard.shape))
    hard = sampled["hard"] + np.stack([rest_hard - high, high], axis=-1)
    high = rng.binomial(rest_easy, np.broadcast_to(high_easy, rest_easy.shape))
    easy = sampled["easy"] + np.stack([rest_easy - high, high], axis=-1)

    rows = np.repeat(np.arange(len(truth)), n_levels)  # truth is period-major, then cell
    out = truth.take(rows).reset_index(drop=True)
    out.insert(2, "skill_level", pd.Categorical.from_codes(
        np.tile(np.arange(n_levels), len(truth)), dtype=_level_dtype(SKILL_LEVELS)))
    demand = hard.reshape(-1)
    out["vacancies"] = (hard + easy).reshape(-1)
    out["hard_to_fill"] = demand
    out["demand"] = demand
    out["supply"] = supply.reshape(-1)
    out["gap"] = demand - out["supply"].to_numpy()
    return out


def _employment(employment: pd.DataFrame) -> pd.DataFrame:
    """Rows by level (unskilled, skilled, high-skilled) that split each cell's employment."""
    total = employment["employment"].to_numpy(np.int64)
    skilled = employment["skilled"].to_numpy(np.int64)
    high = employment["high_skilled"].to_numpy(np.int64)
    zero = np.zeros_like(total)
    n_levels = len(EMPLOYMENT_LEVELS)
    out = employment[["period", "region", "industry"]].take(
        np.repeat(np.arange(len(employment)), n_levels)).reset_index(drop=True)
    out["skill_level"] = pd.Categorical.from_codes(
        np.tile(np.arange(n_levels), len(employment)), dtype=_level_dtype(EMPLOYMENT_LEVELS))
    out["employment"] = np.stack([total - skilled, skilled - high, high], axis=1).reshape(-1)
    out["skilled"] = np.stack([zero, skilled - high, high], axis=1).reshape(-1)
    out["high_skilled"] = np.stack([zero, zero, high], axis=1).reshape(-1)
    return out


def with_detail(rng, *, surveys: pd.DataFrame, training: pd.DataFrame,
                employment: pd.DataFrame, truth: pd.DataFrame, industries: list[str],
                n_regions: int, first_ordinal: int, pop: dict, supply: np.ndarray,
                cohorts: dict, lead_time: int) -> dict[str, pd.DataFrame]:
    """The four tables of :func:`make_synthetic` broken down by occupation and skill level.

    ``pop`` holds the population totals ``vacancies`` and ``hard_to_fill``
    (T x C), ``supply`` the absorbed supply (T x C), ``cohorts`` the plain
    programmes: ``prog_cell`` and ``prog_level`` (P, level 0 basic, 1
    advanced), ``trained`` and ``certified`` per programme and cohort
    (P x (``lead_time`` + T), the warm-up cohorts first). Returns the new
    ``surveys``, ``training`` (two programmes per cell), ``employment`` and
    ``truth``.
    """
    n_ind = len(industries)
    share, high_hard, high_easy = _cell_probabilities(rng, industries, n_regions)
    cell = (surveys["region"].cat.codes.to_numpy(np.int64) * n_ind
            + surveys["industry"].cat.codes.to_numpy(np.int64))
    vac = surveys["vacancies"].to_numpy(np.int64)
    htf = surveys["hard_to_fill"].to_numpy(np.int64)
    # the level of a post: cell probabilities, so the population split below is exact
    high = rng.binomial(htf, high_hard[cell])
    hard_levels = np.stack([htf - high, high], axis=1)
    high = rng.binomial(vac - htf, high_easy[cell])
    easy_levels = np.stack([vac - htf - high, high], axis=1)
    # its occupation: each enterprise hires mostly in a few trades (shares around the cell's)
    firm = surveys["enterprise_id"].cat.codes.to_numpy(np.int64)
    firm_cell = np.zeros(len(surveys["enterprise_id"].cat.categories), dtype=np.int64)
    firm_cell[firm] = cell
    firm_share = rng.gamma(_FIRM_CONCENTRATION * share[firm_cell])
    total = firm_share.sum(axis=1, keepdims=True)
    firm_share = np.where(total > 0, firm_share / np.where(total > 0, total, 1.0),
                          share[firm_cell])[firm]
    hard = np.concatenate([_split(rng, hard_levels[:, k], firm_share)
                           for k in range(len(SKILL_LEVELS))], axis=1)
    easy = np.concatenate([_split(rng, easy_levels[:, k], firm_share)
                           for k in range(len(SKILL_LEVELS))], axis=1)

    n_periods, n_cells = supply.shape
    slot = (surveys["period"].array.asi8 - first_ordinal) * n_cells + cell
    sampled = {name: np.stack([np.bincount(slot, weights=part[:, k],
                                           minlength=n_periods * n_cells)
                               for k in range(len(SKILL_LEVELS))], axis=1)
               .astype(np.int64).reshape(n_periods, n_cells, -1)
               for name, part in (("hard", hard_levels), ("easy", easy_levels))}
    trained, certified = _both_programs(rng, cohorts["prog_cell"], cohorts["prog_level"],
                                        cohorts["trained"], cohorts["certified"], n_cells)
    prog_cell, prog_level = np.divmod(np.arange(len(trained)), len(PROGRAM_LEVELS))
    arriving = certified[:, :n_periods].T  # cohort t - lead_time supplies period t
    supply_levels = _supply_by_level(rng, supply, arriving, prog_cell, prog_level)
    table = slice(lead_time, lead_time + n_periods)
    return {
        "surveys": _surveys(surveys, hard, easy, industries),
        "training": _training(training, trained[:, table].T, certified[:, table].T,
                              industries, first_ordinal),
        "employment": _employment(employment),
        "truth": _truth(truth, rng, sampled, pop, supply_levels, high_hard, high_easy),
    }
