"""Synthetic labour-market data with a known ground truth.

:func:`make_synthetic` simulates a register of key enterprises, their
vacancies and hard-to-fill posts over time, a stratified shortage survey drawn
from them, vocational training cohorts and employment counts, and returns the
survey-style tables together with the population truth they were drawn from.
It is the test bed for every estimator in the package: an estimate can be
compared with ``truth`` instead of with another estimate.

This module checks the arguments and runs the steps in the order they draw
from the generator; each step (``talentgap.datasets._synthetic_steps``) says
what it draws, and the tables are assembled from the simulated arrays in
``talentgap.datasets._synthetic_tables``.

Examples
--------
>>> from talentgap.datasets import make_synthetic
>>> data = make_synthetic(n_regions=2, industries=2, n_periods=4, seed=3)
>>> data.surveys.columns.tolist()
['period', 'enterprise_id', 'region', 'industry', 'employees', 'vacancies', 'hard_to_fill',
 'reports_shortage', 'weight', 'size_band']
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentgap._arguments import check_count
from talentgap.datasets._detail import PROGRAM_LEVELS
from talentgap.datasets._simulate import _SIZE_BANDS, _with_new_trades
from talentgap.datasets._synthetic_steps import (
    _cell_parameters,
    _detail,
    _employment,
    _register,
    _Settings,
    _shortage,
    _survey,
    _training,
)
from talentgap.datasets._synthetic_tables import (
    _Axes,
    _drop_before_start,
    _frame_table,
    _params_table,
    _truth_table,
)
from talentgap.errors import ParameterError, SchemaError
from talentgap.features.design import SurveyDesign
from talentgap.periods import normalize_freq, parse_periods

__all__ = ["SyntheticData", "make_synthetic", "DEFAULT_INDUSTRIES", "REGION_NAMES",
           "SYNTHETIC_DESIGN"]

#: The industries used when ``industries`` is not given (snake_case codes).
DEFAULT_INDUSTRIES: tuple[str, ...] = (
    "construction_engineering",
    "electromechanical_technology",
    "textiles",
    "clothing_and_shoes",
    "general_equipment",
    "ecommerce",
    "live_streaming",
    "industrial_robotics",
)

#: Invented town names used for the first regions (alphabetical); further
#: regions are called ``region_025``, ``region_026``, ...
REGION_NAMES: tuple[str, ...] = (
    "Amberfield", "Ashmere", "Bluewater", "Brackenford", "Cedarholm", "Copperwick",
    "Dunhollow", "Elderbrook", "Fernmoor", "Foxhaven", "Glimmerdale", "Hazelcombe",
    "Ironmere", "Juniperton", "Kestrelford", "Larchwick", "Mossbury", "Nettlefield",
    "Oakhollow", "Pinewhistle", "Quillby", "Ravenmoor", "Silverlea", "Thistlecombe",
)

#: The design of ``make_synthetic(design=True).surveys``: size-band strata within
#: cells, the stratum's population count in column ``population``.
SYNTHETIC_DESIGN = SurveyDesign(strata=("region", "industry", "size_band"), fpc="population")

_SEASON_LENGTH = {"Y": 1, "Q": 4, "M": 12}
_LEVELS = PROGRAM_LEVELS


@dataclass(frozen=True, eq=False, repr=False)
class SyntheticData:
    """Tables simulated by :func:`make_synthetic`, with their ground truth.

    Attributes
    ----------
    surveys : pandas.DataFrame
        One row per sampled enterprise per period (canonical ``surveys`` columns);
        with ``detail=True`` one row per enterprise x period x occupation x
        ``skill_level`` (the long form).
    training : pandas.DataFrame
        One row per programme per period (canonical ``training`` columns).
    employment : pandas.DataFrame
        One row per cell per period (per ``skill_level`` too with
        ``detail=True``): ``employment``, ``skilled``, ``high_skilled``.
    truth : pandas.DataFrame
        Population values per cell per period (per ``skill_level`` too with
        ``detail=True``): ``demand``, ``supply``, ``gap``, ...
    frame : pandas.DataFrame
        The enterprise register the survey was drawn from.
    params : pandas.DataFrame
        The simulation parameters of each cell, keyed by ``region``, ``industry``.
    design : SurveyDesign or None
        The sampling design of ``surveys`` (:data:`SYNTHETIC_DESIGN`) when
        simulated with ``design=True``, else None.
    """

    surveys: pd.DataFrame
    training: pd.DataFrame
    employment: pd.DataFrame
    truth: pd.DataFrame
    frame: pd.DataFrame
    params: pd.DataFrame
    design: SurveyDesign | None = None

    def __repr__(self) -> str:
        return _describe(type(self).__name__, {
            name: getattr(self, name)
            for name in ("surveys", "training", "employment", "truth", "frame", "params")
        })


def _describe(name: str, tables: dict[str, pd.DataFrame | None]) -> str:
    """One line per table: ``name=<rows x columns>``."""
    parts = []
    for key, df in tables.items():
        shown = "None" if df is None else f"<DataFrame: {len(df):,} rows x {df.shape[1]} columns>"
        parts.append(f"    {key}={shown},")
    return f"{name}(\n" + "\n".join(parts) + "\n)"


def _resolve_industries(industries) -> list[str]:
    if industries is None:
        return list(DEFAULT_INDUSTRIES)
    if isinstance(industries, (numbers.Real, np.number)):  # 2.0 and True are refused
        k = check_count(industries, "industries", minimum=1)
        width = max(2, len(str(k)))
        extra = [f"industry_{j:0{width}d}" for j in range(len(DEFAULT_INDUSTRIES) + 1, k + 1)]
        return (list(DEFAULT_INDUSTRIES) + extra)[:k]
    if isinstance(industries, str):
        raise ParameterError("industries must be None, an integer or a list of names, not a str")
    names = list(industries)
    if not names or not all(isinstance(x, str) and x for x in names):
        raise ParameterError("industries must be a non-empty list of non-empty strings")
    if len(set(names)) != len(names):
        raise ParameterError(f"industries must be unique, got {names!r}")
    return names


def _region_names(n: int) -> list[str]:
    width = max(3, len(str(n)))
    extra = [f"region_{j:0{width}d}" for j in range(len(REGION_NAMES) + 1, n + 1)]
    return (list(REGION_NAMES) + extra)[:n]


def _resolve_start(start, freq: str) -> int:
    """Ordinal of the first period; a label of another frequency gives the
    period of ``freq`` containing its first day (``"2019Q1"`` -> ``2019``)."""
    if isinstance(start, pd.Period):
        return start.asfreq(freq, how="start").ordinal
    try:
        return int(parse_periods([start], freq=freq).asi8[0])
    except SchemaError:
        pass
    try:
        own = parse_periods([start])[0]
    except SchemaError as exc:
        raise ParameterError(f"start={start!r} is not a period label: {exc}") from None
    return own.asfreq(freq, how="start").ordinal


def _check_arguments(*, n_regions, industries, n_periods, start, freq, enterprises_per_cell,
                     sample_fraction, lead_time, new_trades, new_trade_start, new_trade_growth,
                     design) -> _Settings:
    """Check the arguments (raising :class:`ParameterError`, in this order) and resolve the
    names, the frequency and the periods. Draws nothing.

    ``new_trade_start`` and ``new_trade_growth`` are checked where they are used
    (``_new_trade_starts``, after the first draws), and only when there are new trades.
    """
    n_regions = check_count(n_regions, "n_regions", minimum=1)
    n_periods = check_count(n_periods, "n_periods", minimum=1)
    enterprises_per_cell = check_count(enterprises_per_cell, "enterprises_per_cell", minimum=1)
    lead_time = check_count(lead_time, "lead_time", minimum=0)
    if not (isinstance(sample_fraction, (int, float, np.floating))
            and 0 < sample_fraction <= 1):
        raise ParameterError(f"sample_fraction == {sample_fraction!r}, must be in (0, 1]")
    freq = normalize_freq(freq)
    industry_names = _resolve_industries(industries)
    industry_names, is_new_trade = _with_new_trades(industry_names, new_trades)
    region_names = _region_names(n_regions)
    first = _resolve_start(start, freq)
    axes = _Axes(ordinals=first + np.arange(n_periods, dtype=np.int64), freq=freq,
                 region=pd.CategoricalDtype(region_names),
                 industry=pd.CategoricalDtype(industry_names),
                 size_band=pd.CategoricalDtype(list(_SIZE_BANDS), ordered=True))
    return _Settings(n_regions=n_regions, enterprises_per_cell=enterprises_per_cell,
                     sample_fraction=sample_fraction, lead_time=lead_time,
                     season_length=_SEASON_LENGTH[freq], industries=industry_names,
                     new_trade_cells=np.tile(is_new_trade, n_regions),
                     new_trade_start=new_trade_start, new_trade_growth=new_trade_growth,
                     design=bool(design), axes=axes)


def _program_categories(industries: list[str], programs) -> list[str]:
    """Programme names ordered by industry, then basic before advanced."""
    ind_pos = {name: i for i, name in enumerate(industries)}
    lvl_pos = {name: i for i, name in enumerate(_LEVELS)}

    def key(name: str):
        ind, _, lvl = name.rpartition("/")
        return (ind_pos.get(ind, len(ind_pos)), ind, lvl_pos.get(lvl, len(lvl_pos)), lvl)

    return sorted(set(programs), key=key)


def make_synthetic(
    *,
    n_regions: int = 8,
    industries=None,
    n_periods: int = 24,
    start="2019Q1",
    freq: str = "Q",
    enterprises_per_cell: int = 120,
    sample_fraction: float = 0.15,
    lead_time: int = 1,
    seed=0,
    new_trades=(),
    new_trade_start=None,
    new_trade_growth: float = 0.3,
    design: bool = False,
    detail: bool = False,
) -> SyntheticData:
    """Simulate shortage surveys, training and employment with a known truth.

    The simulation is vectorised over cells and enterprises and loops only
    over periods, so ``n_regions=340, industries=100, n_periods=40`` runs on
    one machine. The same ``seed`` always gives identical tables.

    **Population.** Each cell (``region`` x ``industry``) holds ``N_c`` key
    enterprises (at least 1): ``enterprises_per_cell`` times the product of a
    lognormal region size factor (log-sd 0.5), industry size factor (0.4) and
    cell factor (0.25), scaled to mean 1; about 10% of cells are thin, with
    at most 2-12 enterprises. Enterprise sizes are
    lognormal (median 70 employees, log-sd 1), giving the ``size_band``
    ``small`` (< 50), ``medium`` (50-249) and ``large`` (>= 250) of the
    register (``frame``). Employees drift by a per-cell rate,
    ``N(2%, 3%)`` a year.

    **Shortage process.** Per cell, a latent index
    ``x_ct = trend_c * t + A_c * sin(2 pi s_t / m + phi_c) + a_ct + J_ct``
    with ``trend_c ~ N(4%, 6%)`` a year, ``A_c ~ U(0, 0.25)`` (no seasonality
    when ``m = 1``), ``s_t`` the season of period t, an AR(1) term ``a_ct``
    (``rho = 0.6`` per quarter, i.e. ``0.6**(4/m)`` per period, stationary sd
    0.2) and rare persistent jumps ``J_ct`` (0.1 a year, size ``N(0, 0.25)``).
    The vacancy rate is ``v_ct = exp(level_c + x_ct)`` open posts per employee
    (``level_c ~ N(log 0.037, 0.3)``) and the share of posts that are hard to
    fill is ``d_ct = logistic(b_c + x_ct)`` (``b_c ~ N(-0.2, 0.3)``). Each
    enterprise i in each period draws ``vacancies ~ Poisson(employees_i *
    v_ct)`` and ``hard_to_fill ~ Binomial(vacancies, d_ct)``, and reports a
    shortage if ``hard_to_fill > 0`` or, otherwise, with probability 5%.
    Vacancies are a stock observed at survey time, so the rates do not
    depend on ``freq``. About 70% of enterprises report shortages.

    **Survey.** Every period, an independent stratified simple random sample
    without replacement of ``n_c = min(N_c, max(1, round(sample_fraction *
    N_c)))`` enterprises per cell (rounded half to even, like :func:`round`;
    at the default fraction cells of fewer than 10 enterprises have one
    respondent), with design weight ``N_c / n_c``. With ``design=True`` the
    strata are cell x ``size_band`` instead: every large enterprise is
    surveyed (a take-all stratum), the other strata draw ``min(N_h, max(2,
    round(sample_fraction * N_h)))`` enterprises, the weight is ``N_h / n_h``
    and ``surveys`` gains the stratum's population count ``N_h`` as column
    ``population``; ``design`` is then :data:`SYNTHETIC_DESIGN`, to pass to
    :func:`talentgap.features.estimate_cells` for design-based standard errors.

    **Training.** Each cell runs one or two programmes (``"<industry>/basic"``
    and ``"<industry>/advanced"``, 60/40). The expected number trained per
    period is ``capacity_c = r_c * D_c / (p_c * a_c)`` (at least 1 per
    programme), where ``D_c`` is the cell's mean expected demand, ``r_c ~
    U(0.5, 1.4)`` (so gaps have both signs), ``p_c ~ Beta(40, 20)`` the
    pass rate (mean 2/3) and ``a_c ~ U(0.75, 0.95)`` the absorption. Then
    ``trained ~ Poisson(capacity * share * exp(N(0, 0.1)))`` and
    ``certified ~ Binomial(trained, p_c)``. Certified workers become
    available ``lead_time`` periods after the training period, and
    ``Binomial(certified, a_c)`` of them stay in the cell.

    **Employment.** ``employment`` is the key enterprises' employees divided
    by a coverage share ``U(0.32, 0.48)``; ``skilled ~ Binomial(employment,
    s_ct)`` with ``s_ct`` from ``U(0.21, 0.27)`` rising 0.3 points a year
    (capped at 0.29), ``high_skilled ~ Binomial(skilled, U(0.25, 0.32))``:
    both stay below the 30% and 35% policy targets.

    **Detail (occupations and skill levels).** With ``detail=True`` the same
    simulation is broken down further; every other draw comes first, so the
    totals per enterprise, cell and period equal those of ``detail=False``
    with the same seed. Each industry has 2-3 occupations (for example
    ``welder``, ``rebar_worker``, ``surveyor`` in construction engineering;
    industries outside :data:`DEFAULT_INDUSTRIES` get ``machine_operator``
    and ``maintenance_technician``) and posts come at two skill levels,
    lowest first ``skilled`` (ordinary skilled workers) and ``high_skilled``
    (senior technician and above). A
    post is high-skilled with a per-cell probability ``U(0.15, 0.40)``, with
    twice the odds for a hard-to-fill post; its occupation follows the
    enterprise's own shares (``Dirichlet`` around the cell's shares, so an
    enterprise hires mostly in one or two trades). Each enterprise's
    ``vacancies`` and ``hard_to_fill`` are split accordingly (hard-to-fill
    and other posts separately, so ``hard_to_fill <= vacancies`` on every
    row). ``surveys`` then has one row per enterprise x period x occupation x
    ``skill_level`` with posts, plus, for each level where the enterprise has
    none, one row with no posts and a blank ``occupation`` (so every
    surveyed enterprise is a respondent of both levels); the
    enterprise-level columns repeat on every row. ``training`` gains
    ``skill_level``: ``<industry>/basic`` trains ``skilled``,
    ``<industry>/advanced`` ``high_skilled``, and every cell runs both: in
    a cell with a single programme, ``Binomial(trained, 0.4)`` of each
    cohort (warm-up cohorts included) move to ``advanced``, with the
    cohort's certified workers split by a hypergeometric draw (which
    trainees passed), so ``certified <= trained`` on every row and
    ``trained`` and ``certified`` per cell and period are those of
    ``detail=False`` (``params["n_programs"]`` is then 2 everywhere).
    ``employment`` has one row per
    cell, period and ``skill_level`` -- ``unskilled`` (no skill certificate),
    ``skilled`` (ordinary skilled) and ``high_skilled`` -- splitting the
    cell's employment, with ``skilled`` and ``high_skilled`` per row as the
    level implies (the form :func:`talentgap.features.skilled_employment`
    reads with levels ``unskilled``, ``skilled``, ``high_skilled`` and
    ``unskilled=["unskilled"]``). ``truth`` has one row per cell, level and
    period: ``vacancies``, ``hard_to_fill``, ``demand``, ``supply`` and
    ``gap`` of the level (the sampled enterprises' own split plus a split
    of the cell's other posts with the same probabilities; supply split by
    which programme's certified workers stayed), and the cell's
    ``n_enterprises``, ``employees`` and ``shortage_rate`` on both rows.

    Parameters
    ----------
    n_regions : int, default 8
        Number of regions; the first 24 have invented town names
        (:data:`REGION_NAMES`), further ones are ``region_025``, ...
    industries : None, int or list of str, default None
        ``None`` for the 8 :data:`DEFAULT_INDUSTRIES`; an int k for the first
        k of them, extended with ``industry_09``, ... when k > 8; or names.
    n_periods : int, default 24
        Number of periods simulated.
    start : str or pandas.Period, default "2019Q1"
        First period. A label of another frequency than ``freq`` means the
        period of ``freq`` containing its first day (``"2019Q1"`` with
        ``freq="Y"`` starts in 2019, with ``freq="M"`` in 2019-01).
    freq : {"Y", "Q", "M"}, default "Q"
        Period frequency (aliases accepted); season length 1, 4 or 12.
    enterprises_per_cell : int, default 120
        Mean number of key enterprises per cell in the register (before the
        thin cells are thinned).
    sample_fraction : float, default 0.15
        Share of each cell's enterprises surveyed each period, in (0, 1].
    lead_time : int, default 1
        Periods between the end of training and the workers' availability.
    seed : int, numpy.random.Generator or None, default 0
        Passed to :func:`numpy.random.default_rng`.
    new_trades : sequence of str, default ()
        Industries that start part-way (appended to ``industries`` if not
        there): each of their cells starts at a period index drawn uniformly
        from ``new_trade_start`` and has no rows in any table before it.
        ``params["first_period"]`` records every cell's first period.
    new_trade_start : int, period label or a pair of them, optional
        The new trades' first period: a period index (0-based) or a label of
        ``freq`` (``"2023Q2"``), or an inclusive range ``(low, high)`` of
        them (``(6, 10)``, ``("2020Q3", "2021Q3")``); default the second
        half of the periods.
    new_trade_growth : float, default 0.3
        Yearly growth of a new trade's latent shortage index from its start
        (added to its drawn trend; 0.3 is about 8% more posts a quarter).
    design : bool, default False
        Draw the survey with size-band strata and take-all large enterprises
        (see **Survey**), adding ``population`` to ``surveys`` and setting
        ``design``. The population and its truth are the same either way.
    detail : bool, default False
        Break the tables down by occupation and skill level (see
        **Detail**): surveys in the long form, training (a basic and an
        advanced programme in every cell) and employment by
        ``skill_level``, the truth per cell and level. The totals per
        enterprise, cell and period equal those of ``detail=False`` with
        the same seed.

    Returns
    -------
    SyntheticData
        ``surveys`` (period, enterprise_id, region, industry, employees,
        vacancies, hard_to_fill, reports_shortage, weight, size_band),
        ``training`` (period, region, industry, program, trained, certified),
        ``employment`` (period, region, industry, employment, skilled,
        high_skilled), ``truth``, ``frame`` and ``params`` (see Notes).
        Periods are a ``period[<freq>]`` column; names are categoricals;
        counts are int64, ``weight`` float64, ``reports_shortage`` bool.
        Rows are sorted by period, region, industry, then enterprise or
        programme. With ``detail=True``, ``surveys`` also has
        ``occupation`` and ``skill_level`` (after ``industry``; an
        enterprise's rows level by level), ``training`` has ``skill_level``
        after ``program``, and ``employment`` and ``truth`` have one row per
        ``skill_level`` of each cell-period.

    Raises
    ------
    ParameterError
        If an argument is out of range.

    Notes
    -----
    ``truth`` has one row per cell and period over the *whole* population:
    ``n_enterprises``, ``employees``, ``vacancies``, ``hard_to_fill``,
    ``shortage_rate`` (share of enterprises reporting a shortage),
    ``demand`` (= total ``hard_to_fill``), ``supply`` (absorbed certified
    workers arriving in the period) and ``gap = demand - supply``. Supply in
    the first ``lead_time`` periods comes from warm-up cohorts trained in the
    ``lead_time`` periods before ``start``, simulated like the others but not
    part of ``training``; it is never an artificial zero.

    ``frame`` is the register: ``enterprise_id``, ``region``, ``industry``,
    ``size_band``, ``employees`` (size at registration), one row per
    enterprise. ``params`` has one row per cell with the parameters above
    (``n_enterprises``, ``n_sampled``, ``weight``, ``pass_rate``,
    ``absorption``, ``capacity``, ``capacity_ratio``, ``mean_demand``, ...)
    plus ``lead_time`` and ``season_length``.

    Examples
    --------
    >>> from talentgap.datasets import make_synthetic
    >>> data = make_synthetic(n_regions=3, industries=2, n_periods=8, seed=1)
    >>> data.surveys["period"].dtype
    period[Q-DEC]
    >>> data.training.columns.tolist()
    ['period', 'region', 'industry', 'program', 'trained', 'certified']
    >>> bool((data.surveys["hard_to_fill"] <= data.surveys["vacancies"]).all())
    True
    >>> truth = data.truth
    >>> bool((truth["gap"] == truth["demand"] - truth["supply"]).all())
    True
    >>> len(truth) == 3 * 2 * 8
    True
    >>> make_synthetic(n_regions=1, industries=["welding"], freq="Y", n_periods=3,
    ...                seed=1).employment["period"].astype(str).tolist()
    ['2019', '2020', '2021']

    With occupations and skill levels, the same totals broken down:

    >>> detailed = make_synthetic(n_regions=3, industries=2, n_periods=8, seed=1, detail=True)
    >>> detailed.surveys["skill_level"].cat.categories.tolist()
    ['skilled', 'high_skilled']
    >>> detailed.surveys["occupation"].cat.categories.tolist()
    ['welder', 'rebar_worker', 'surveyor', 'electrician', 'maintenance_fitter', 'plc_technician']
    >>> unit = ["period", "enterprise_id"]
    >>> totals = detailed.surveys.groupby(unit, observed=True)["hard_to_fill"].sum()
    >>> bool((totals.to_numpy() == data.surveys.set_index(unit)["hard_to_fill"]
    ...       .loc[totals.index].to_numpy()).all())
    True

    Every cell trains at both levels, with the cell's trainees unchanged:

    >>> cell_period = ["period", "region", "industry"]
    >>> t = detailed.training
    >>> bool((t.groupby(cell_period, observed=True)["skill_level"].nunique() == 2).all())
    True
    >>> trained = t.groupby(cell_period, observed=True)["trained"].sum()
    >>> bool((trained == data.training.groupby(cell_period, observed=True)["trained"]
    ...       .sum().loc[trained.index]).all())
    True
    """
    settings = _check_arguments(
        n_regions=n_regions, industries=industries, n_periods=n_periods, start=start,
        freq=freq, enterprises_per_cell=enterprises_per_cell, sample_fraction=sample_fraction,
        lead_time=lead_time, new_trades=new_trades, new_trade_start=new_trade_start,
        new_trade_growth=new_trade_growth, design=design)
    axes = settings.axes
    # Every step draws from one generator, in this order: reordering the steps (or the draws
    # inside them) changes every table for a given seed. New draws go last, like the detail.
    rng = np.random.default_rng(seed)
    cells = _cell_parameters(rng, settings)
    register = _register(rng, cells["n_enterprises"])
    shortage = _shortage(rng, settings, cells, register)
    cells["mean_demand"] = shortage.mean_demand
    survey = _survey(rng, settings, cells, register, shortage)
    training = _training(rng, settings, cells)
    cells["capacity"] = training.capacity
    tables = {
        "surveys": survey.table,
        "training": training.table,
        "employment": _employment(rng, settings, cells, survey.population["employees"]),
        "truth": _truth_table(axes, cells["n_enterprises"], survey.population, training.supply),
    }
    frame = _frame_table(axes, register.cell_of, register.band, register.base)
    params = _params_table(axes, cells, survey.n_sampled, survey.weight,
                           lead_time=settings.lead_time, season_length=settings.season_length,
                           trade_start=shortage.trade_start)
    if detail:  # drawn after everything else: the plain tables' draws are untouched
        tables = _detail(rng, tables, settings, survey, training)
        params["n_programs"] = len(PROGRAM_LEVELS)  # every cell trains at both levels
    if settings.new_trade_cells.any():
        tables = _drop_before_start(tables, shortage.trade_start, axes.n_industries,
                                    int(axes.ordinals[0]))
    return SyntheticData(**tables, frame=frame, params=params,
                         design=SYNTHETIC_DESIGN if design else None)
