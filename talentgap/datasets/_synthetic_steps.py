"""The steps of :func:`~talentgap.datasets.make_synthetic`, in the order they draw.

``make_synthetic`` checks its arguments into a :class:`_Settings`, then calls,
with one generator: :func:`_cell_parameters` (per-cell sizes and parameters),
:func:`_register` (the enterprises), :func:`_shortage` (the latent shortage
process), :func:`_survey` (every enterprise's posts in every period and the
survey sample), :func:`_training` (cohorts and supply), :func:`_employment`,
and, with ``detail=True``, :func:`_detail` last. Each step says what it draws,
in order; the kernels are vectorised over cells and enterprises
(``talentgap.datasets._simulate``, ``talentgap.datasets._detail``) and the
tables are assembled in ``talentgap.datasets._synthetic_tables``. The model is
described in the docstring of ``make_synthetic``. Reordering the steps, or the
draws inside them, changes every table for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap.datasets._detail import with_detail
from talentgap.datasets._simulate import (
    _SIZE_BANDS,
    _SIZE_MEDIAN,
    _SIZE_SIGMA,
    _cells,
    _design_strata,
    _latent,
    _new_trade_starts,
    _simulate_employment,
    _simulate_enterprises,
    _simulate_training,
    _surveys_table,
    _with_design,
)
from talentgap.datasets._synthetic_tables import _Axes, _employment_table, _training_table

__all__: list[str] = []


@dataclass(frozen=True, eq=False)
class _Settings:
    """The checked arguments of :func:`make_synthetic` and what follows from them."""

    n_regions: int
    enterprises_per_cell: int
    sample_fraction: float
    lead_time: int
    season_length: int
    industries: list[str]
    new_trade_cells: np.ndarray  # bool per cell: the cell's industry is a new trade
    new_trade_start: object  # checked by _new_trade_starts, where it is used
    new_trade_growth: float  # checked by _new_trade_starts, where it is used
    design: bool
    axes: _Axes

    @property
    def n_periods(self) -> int:
        return len(self.axes.ordinals)


def _cell_parameters(rng, settings: _Settings) -> dict[str, np.ndarray]:
    """Draw every cell's size and parameters (:func:`_cells`; vectors of length C,
    keyed by the ``params`` column names).

    In order: lognormal size factors of the regions (log-sd 0.5), industries
    (0.4) and cells (0.25); a uniform per cell that makes 10% of the cells thin,
    and an integer cap in 2-12 per cell (applied to the thin ones); then per
    cell ``level ~ N(log 0.037, 0.3)``, ``trend_per_year ~ N(0.04, 0.06)``,
    ``seasonal_amplitude ~ U(0, 0.25)`` (not drawn for yearly data),
    ``seasonal_phase ~ U(0, 2 pi)``, ``density_logit ~ N(-0.2, 0.3)``,
    ``employee_drift_per_year ~ N(0.02, 0.03)``, ``pass_rate ~ Beta(40, 20)``,
    ``absorption ~ U(0.75, 0.95)``, ``capacity_ratio ~ U(0.5, 1.4)``,
    ``n_programs`` in {1, 2}, ``coverage ~ U(0.32, 0.48)``,
    ``skilled_share ~ U(0.21, 0.27)``, ``high_skilled_share ~ U(0.25, 0.32)``.
    """
    return _cells(rng, settings.n_regions, settings.axes.n_industries,
                  settings.enterprises_per_cell, settings.sample_fraction,
                  settings.season_length)


@dataclass(frozen=True, eq=False)
class _Register:
    """The key enterprises, stored contiguously by cell (cell = region * n_industries +
    industry)."""

    cell_of: np.ndarray  # int32, the cell of each enterprise
    starts: np.ndarray  # index of each cell's first enterprise
    base: np.ndarray  # float, employees at registration
    band: np.ndarray  # int8, size band code (small, medium, large)
    base_sum: np.ndarray  # employees at registration per cell


def _register(rng, n_enterprises: np.ndarray) -> _Register:
    """Draw the register: ``n_enterprises[c]`` enterprises per cell, each of
    ``max(1, round(LogNormal(log 70, 1)))`` employees (one vector draw over all
    enterprises), banded ``small`` (< 50), ``medium`` (50-249), ``large`` (>= 250)."""
    total = int(n_enterprises.sum())
    cell_of = np.repeat(np.arange(len(n_enterprises), dtype=np.int32), n_enterprises)
    starts = np.concatenate([[0], np.cumsum(n_enterprises)[:-1]])
    base = np.maximum(1, np.rint(rng.lognormal(np.log(_SIZE_MEDIAN), _SIZE_SIGMA, total)))
    band = np.digitize(base, [50, 250]).astype(np.int8)
    return _Register(cell_of=cell_of, starts=starts, base=base, band=band,
                     base_sum=np.add.reduceat(base, starts))


@dataclass(frozen=True, eq=False)
class _Shortage:
    """The shortage process of every cell (C x T arrays, per-cell vectors of length C)."""

    trade_start: np.ndarray  # first period index of each cell (0 unless a new trade)
    vacancy_rate: np.ndarray  # open posts per employee
    density: np.ndarray  # share of posts that are hard to fill
    growth: np.ndarray  # employees relative to registration
    mean_demand: np.ndarray  # mean expected hard-to-fill posts of each cell


def _shortage(rng, settings: _Settings, cells: dict, register: _Register) -> _Shortage:
    """Draw each cell's shortage process (see **Shortage process** in :func:`make_synthetic`).

    First each new-trade cell's first period, uniform on ``new_trade_start``
    (:func:`_new_trade_starts`); then the latent index of every cell-period
    (:func:`_latent`): the AR(1) start ``N(0, 0.2)`` and innovations, then the
    jump times (uniform) and sizes ``N(0, 0.25)``. The vacancy rate is
    ``exp(level_c + x_ct)``, the hard-to-fill density ``logistic(b_c + x_ct)``;
    the expected demand of a cell-period, registered employees x growth x rate x
    density, is averaged into ``mean_demand`` (which sizes the training).
    """
    first_period = pd.Period(ordinal=int(settings.axes.ordinals[0]), freq=settings.axes.freq)
    trade_start, offset = _new_trade_starts(rng, settings.new_trade_cells, settings.n_periods,
                                            settings.season_length, settings.new_trade_start,
                                            settings.new_trade_growth, first_period=first_period)
    vacancy_rate, density, growth = _latent(rng, cells, settings.axes.ordinals,
                                            settings.season_length, offset)
    expected_demand = register.base_sum[:, None] * growth * vacancy_rate * density
    return _Shortage(trade_start=trade_start, vacancy_rate=vacancy_rate, density=density,
                     growth=growth, mean_demand=expected_demand.mean(axis=1))


@dataclass(frozen=True, eq=False)
class _Survey:
    """The surveyed rows and the population totals they were drawn from."""

    table: pd.DataFrame  # the ``surveys`` table
    population: dict[str, np.ndarray]  # T x C totals: employees, vacancies, hard_to_fill, ...
    n_sampled: np.ndarray  # respondents per cell (in every period)
    weight: np.ndarray  # N_c / n_c per cell


def _survey(rng, settings: _Settings, cells: dict, register: _Register,
            shortage: _Shortage) -> _Survey:
    """Draw every enterprise in every period and the survey sample (see **Shortage
    process** and **Survey** in :func:`make_synthetic`).

    Period by period (:func:`_simulate_enterprises`): ``vacancies ~
    Poisson(employees x v_ct)``, ``hard_to_fill ~ Binomial(vacancies, d_ct)``, a
    uniform per enterprise (without hard-to-fill posts it reports a shortage with
    probability 5%), then a uniform sort key per enterprise that picks the simple
    random sample without replacement of each cell (with ``design=True``, of each
    cell x size band stratum, every large enterprise taken).
    """
    axes = settings.axes
    n_sampled = cells["n_sampled"]
    strata = None
    if settings.design:
        strata = _design_strata(register.cell_of, register.band, axes.n_cells,
                                settings.sample_fraction)
        # cells hold the sum of their strata's samples
        n_sampled = np.add.reduceat(strata[1], np.arange(0, strata[1].size, len(_SIZE_BANDS)))
    population, kept = _simulate_enterprises(rng, register.base, register.cell_of,
                                             register.starts, n_sampled, shortage.vacancy_rate,
                                             shortage.density, shortage.growth, strata=strata)
    weight = (cells["n_enterprises"] / n_sampled).astype(np.float64)
    surveys = _surveys_table(kept, axes.ordinals, axes.freq, register.cell_of, register.band,
                             weight, axes.n_industries, (axes.region, axes.industry,
                                                         axes.size_band))
    if strata is not None:
        surveys = _with_design(surveys, kept, strata)
    return _Survey(table=surveys, population=population, n_sampled=n_sampled, weight=weight)


@dataclass(frozen=True, eq=False)
class _Training:
    """The training programmes, their cohorts and the supply they make."""

    table: pd.DataFrame  # the ``training`` table
    cohorts: dict[str, np.ndarray]  # programmes, trained and certified (warm-up cohorts first)
    supply: np.ndarray  # T x C absorbed certified workers arriving in each period
    capacity: np.ndarray  # expected number trained per period in each cell


def _training(rng, settings: _Settings, cells: dict) -> _Training:
    """Draw the training cohorts and the supply (see **Training** in :func:`make_synthetic`).

    For every programme and cohort (the ``lead_time`` warm-up cohorts first,
    :func:`_simulate_training`): the noise ``exp(N(0, 0.1))`` of all cohorts, then
    ``trained ~ Poisson(capacity x share x noise)``, ``certified ~ Binomial(trained,
    p_c)``, and per cell ``Binomial(certified, a_c)`` who stay (the supply).
    """
    cohorts, supply, capacity = _simulate_training(rng, cells, settings.n_periods,
                                                   settings.lead_time)
    return _Training(table=_training_table(settings.axes, cohorts, settings.lead_time),
                     cohorts=cohorts, supply=supply, capacity=capacity)


def _employment(rng, settings: _Settings, cells: dict,
                key_employees: np.ndarray) -> pd.DataFrame:
    """Draw employment (see **Employment** in :func:`make_synthetic`) into its table.

    ``employment`` is the key enterprises' employees (T x C) over the cell's
    ``coverage`` (no draw); then ``skilled ~ Binomial(employment, s_ct)``, with
    ``s_ct`` the cell's ``skilled_share`` plus 0.3 points a year (at most 0.29), and
    ``high_skilled ~ Binomial(skilled, high_skilled_share)``
    (:func:`_simulate_employment`).
    """
    counts = _simulate_employment(rng, cells, key_employees, settings.season_length)
    return _employment_table(settings.axes, counts)


def _detail(rng, tables: dict[str, pd.DataFrame], settings: _Settings, survey: _Survey,
            training: _Training) -> dict[str, pd.DataFrame]:
    """Draw the breakdown by occupation and skill level (see **Detail** in
    :func:`make_synthetic`) and return the four tables in the long form.

    Drawn after every other step (:func:`~talentgap.datasets._detail.with_detail`):
    per cell the occupation shares (``Dirichlet``) and the high-skilled probability
    ``U(0.15, 0.40)``; per surveyed enterprise the level of its posts (binomial) and
    their occupations (its own shares, ``Dirichlet`` around the cell's, then
    multinomial); the single programmes' split into basic and advanced (binomial,
    certified workers hypergeometric); the supply by level (hypergeometric); the level
    of the posts not surveyed (binomial), for the truth.
    """
    return with_detail(rng, **tables, industries=settings.industries,
                       n_regions=settings.n_regions,
                       first_ordinal=int(settings.axes.ordinals[0]),
                       pop=survey.population, supply=training.supply,
                       cohorts=training.cohorts, lead_time=settings.lead_time)
