"""The run configuration of the ``talentgap`` command: a TOML file, then flags on top.

A configuration has eight tables, every key optional (defaults below); a
``[serve]`` table beside them holds the settings of ``talentgap serve`` (its
``--help`` lists them) and is ignored by the other commands::

    [data]       # input files and their layout
    surveys = "surveys.csv"        # paths are relative to the config file's folder; a folder
                                   # or a glob ("provinces/*.csv") reads every file in it
    training = "training.csv"
    employment = "employment.csv"  # by region and industry (and skill_level), never by
                                   # occupation: with "occupation" in keys, leave it
                                   # and [targets] out (an error says so)
    freq = "Q"                     # Y, Q or M
    employment_freq = "Y"          # Y, Q or M: the employment table's own frequency when
                                   # coarser than freq (a yearly census beside quarterly
                                   # surveys; it feeds the yearly projections only, each
                                   # year's figure read as its year-end count); default:
                                   # the labels' own when all have one form ("2024"),
                                   # else freq; set it for census dates ("2024-12-31")
    keys = ["region", "industry"]
    on_invalid = "error"           # "error": stop on the first bad file; "skip": drop
                                   # bad rows, list them in rejected.csv, go on
    allow_missing_supply = false   # true: accept survey codes (region, industry, ...)
                                   # missing from the training or employment table even
                                   # when they look like one of its codes written
                                   # differently (case, spaces, full-width, one-letter typo)
    allow_missing_demand = false   # true: the same for training or employment codes
                                   # missing from the surveys; codes with no look-alike
                                   # are always accepted and listed (cells without
                                   # supply or demand)
    skill_levels = ["ordinary", "senior", "technician", "senior_technician"]
                                   # the skill levels, lowest first (default: none
                                   # declared); a level outside them is an error
    high_skilled = ["technician", "senior_technician"]  # levels counted as high-skilled
    unskilled = []                 # levels not counted as skilled (every other is)
    encoding = "auto"              # text encoding of the CSV files above: "auto"
                                   # detects UTF-8, UTF-16 (with a byte-order mark) or
                                   # GB18030/GBK; else a name such as "latin-1",
                                   # "cp1252", "gb18030", "utf-8"
    surveys_sheet = "数据"          # Excel: the sheet to read, by name or position
                                   # counted from 1 (default: the first sheet)
    surveys_header_row = 2         # CSV and Excel: the row of the column names,
                                   # counted from 1 (default: row 1, or the one row of
                                   # the first 20 holding every required column name)
    surveys_columns = {"期间" = "period", "企业编号" = "enterprise_id"}
                                   # the file's column names (quoted) -> talentgap's
                                   # (training_* and employment_* likewise)

    [survey]     # the sampling design of the surveys file (absent: none declared; each
                 # cell-period is then its own stratum, sampled with replacement)
    strata = ["size_band"]         # column(s) whose combination is the stratum
    psu = "park"                   # column of the primary sampling unit (cluster)
    fpc = "population"             # column of the population count per stratum (of PSUs
                                   # with psu, else of enterprises): finite-population
                                   # correction; a take-all stratum adds no variance
    lonely_psu = "adjust"          # a stratum with one PSU: "adjust", "average",
                                   # "certainty", "remove", "fail" (R's lonely.psu)
    nest = false                   # true: psu ids are numbered within each stratum (the
                                   # same id in two strata is two PSUs, R's nest = TRUE)

    [panel]      # how training output becomes supply
    lead_time = 1                  # periods from certification (a training row's
                                   # period) to availability, or a CSV per cell or
                                   # programme: a lead_time column (whole periods)
                                   # and key columns among program, the keys and
                                   # skill_level; the supply of the periods after the
                                   # surveys that training already in the table
                                   # reaches is then known, not forecast (flag
                                   # known_supply in forecast.csv)
    absorption = 1.0               # the same setting as [plan] absorption (below):
                                   # set it in either table, or in both with the same value
    supply_fill = 0                # supply of the cell-periods no training row reaches
                                   # (default: none; their supply and gap are unknown,
                                   # blank in panel.csv, and the run's notes count them);
                                   # 0 when no row means no one certified there; it
                                   # fills from the first period any training output
                                   # arrives and, in each cell, from the cell's first
                                   # observed period (earlier periods stay unknown)

    [forecast]
    horizon = 4
    max_horizon = 8                # periods the gap model simulates: every forecast,
                                   # plan and saved model of the run is cut from that one
                                   # simulation, and a saved model answers up to it
                                   # (default: the longest span the configuration
                                   # needs: horizon, or to the end of the needs of the
                                   # [plan] years; shorter when backtests cannot reach)
    levels = [80, 95]
    model = "auto"                 # auto, ets, theta, boosting, naive, seasonal_naive,
                                   # drift, mean, croston, tsb (the last two for
                                   # intermittent series, mostly zeros: Croston's
                                   # method and Teunter-Syntetos-Babai)
    season_length = 4              # default: from the frequency
    n_samples = 1000
    random_state = 0
    n_jobs = 1
    intervals = "population"       # gap intervals for the true gap (the survey's
                                   # sampling error taken out) or "estimates" (for the
                                   # next survey estimate: sampling error kept in)
    outliers = "keep"              # "keep", or "mask": past demand and supply values
                                   # that look like data errors (a change more than 10
                                   # interquartile ranges beyond the cell's other
                                   # changes) are set to missing and interpolated before
                                   # the fit; the report names them, masked_values.csv
                                   # lists them
    min_history = 8                # with analogues: observations below which a new
                                   # trade's demand is forecast from its analogue
                                   # (default: what the models need, 8 quarters)

    [forecast.analogues]           # new trades (model "auto"): new industry = the
    live_streaming = "ecommerce"   # industry whose demand it follows, same region;
                                   # both must be industries of the data

    [backtest]
    n_windows = 3
    step = 1
    baselines = ["naive", "seasonal_naive"]
                                   # compared with the gap forecast: any [forecast]
                                   # model (naive, seasonal_naive, drift, mean, ets,
                                   # theta, boosting, croston, tsb, auto)

    [plan]
    budget = 5_000_000
    cost_per_trainee = 6000        # a number, or a CSV with the key columns and
    pass_rate = 0.67               # a column named like the parameter (with `years`,
                                   # cost, capacity and min_quota CSVs may add `period`);
                                   # a CSV keyed by fewer columns than [data] keys gives
                                   # its value to EACH cell it matches (industry alone:
                                   # every region's and level's cell of that industry,
                                   # every year); the plan's notes say how many cells;
                                   # not set: the certified share of those trained in
                                   # the training table's last year, all cells pooled
                                   # (recent cohorts; one rate, as a cell's own rests on
                                   # few trainees), 1.0 without training data; the
                                   # report's plan section and the log say which
    free_places = false            # true: a cost_per_trainee of 0 is meant (places that
                                   # cost nothing, not limited by the budget); otherwise
                                   # a cost of 0 is an error naming the cells or lines
    absorption = 1.0               # share of certified trainees who take jobs in their
                                   # trade (a number or a CSV per cell); one setting for
                                   # the supply of past training ([panel]) and of the
                                   # plan's places: set here, [panel] absorption follows
    capacity = "capacity.csv"      # places per cell at most; a CSV may list only some
                                   # cells: the others have no limit
    min_quota = 0                  # places per cell at least (per year with years); a
                                   # minimum for a group of cells (a trade in the whole
                                   # province) is capacity_groups' min_places, below
    min_class_size = 20            # the smallest class that can run: each cell (per
                                   # year with years) gets no places or at least this
                                   # many; a number or a CSV per cell, like capacity
    risk = "expected"              # "expected" or "quantile"
    quantile = 0.8                 # with risk = "quantile"
    surplus_penalty = 0.0
    integer = "round"              # "round" (the default: whole places), "exact"
                                   # (a mixed-integer solve) or "none" (places not
                                   # rounded: fractions, as the linear program gives them)
    time_limit = 60                # seconds integer = "exact" may search; then the best
                                   # whole plan found (not proven optimal: the plan's
                                   # notes say its gap), or the rounded plan if none
    period = "2025Q3"              # the funding period, or a year, 2025; default: the
                                   # last forecast period minus lead_time (below)
    crosswalk = "crosswalk.csv"    # plan places per training programme: columns
                                   # program, industry, share (and optionally region);
                                   # the past training of a programme it names counts
                                   # for those industries with those shares too (its
                                   # recorded industry replaced; without region), the
                                   # others for their own industry;
                                   # parameter CSVs are then keyed by program; with
                                   # years, places per programme and funding year;
                                   # program, occupation, share with "occupation" in
                                   # keys: training by programme (no occupation column)
                                   # is spread over the occupations, and a surveyed
                                   # occupation with vacancies no programme trains for
                                   # is an error (rule not_in_crosswalk, its lines)
    # multi-year plans (only with years):
    years = [2025, 2026, 2027]     # funding years; absent: the single-period plan above
    budget = 15_000_000            # with years: the whole plan's money, or per year as
                                   # a table {2025 = 5e6, 2026 = 5e6, ...} or a CSV
                                   # with columns period, budget; --budget on the
                                   # command line replaces a per-year budget with one
                                   # total for the whole plan (with a warning: money
                                   # may then move between years), --set
                                   # plan.budget.2026=5e6 changes one year's only
    lead_time = 1                  # years from funding to certification (without
                                   # years: periods; the single-period plan funds in
                                   # period and counts its places lead_time later)
    exit_rate = 0.03               # share of certified workers leaving per year; or a
                                   # CSV with some key columns and an exit_rate column;
                                   # or "estimate": from the observed skilled stock and
                                   # certified supply (needs [data] employment's skilled)
    capacity_groups = "groups.csv" # shared capacity: group, capacity and key columns
                                   # (and program, with a crosswalk); an optional
                                   # min_places column: the group's places per
                                   # funding year at least
    budget_envelopes = "env.csv"   # money per group of cells over the plan: key
                                   # columns (e.g. region) and budget, optionally
                                   # period (a funding year; then on every row); the
                                   # envelopes and the budget all hold
    committed = "committed.csv"    # places already funded (last year's plan): the key
                                   # columns (program first, with a crosswalk),
                                   # period (the funding year, at or before the first of
                                   # years) and places; their workers count against
                                   # every need before the plan's places, by the same
                                   # pass rate, absorption, lead time and exits, and
                                   # cost nothing in the budget; list last year's
                                   # funded places here when re-planning (places in
                                   # years still to be decided go in years instead)
    policy_weight = 1.0            # weight of a worker short of the targets, against
                                   # 1 for a worker short of the surveyed gap
    hold_need = false              # need years past the forecast's reach hold its last
                                   # year's need (marked "held at <year>" in the plan
                                   # tables); more held years than forecast years is an
                                   # error unless this is true
    compare_budgets = true         # solve the plan again at 75% and 50% of every
                                   # year's budget (and envelopes); the report says
                                   # what each gives up and plan_budget_cuts.csv holds
                                   # the figures (false: skip, saves 2 solves)

    [targets]    # policy targets (multi-year plans): a CSV, or the keys below
    file = "targets.csv"           # region, skill_level, share or delta_points,
                                   # target_year[, base_year]; "*" = every other region
    skilled_share = 0.30           # skilled workers as a share of employment
    skilled_delta_points = 2.5     # or: percentage points over the base year
    skilled_share_regions = []     # regions the share applies to (empty: all); the
                                   # others get skilled_delta_points
    high_skilled_share = 0.35      # high-skilled as a share of skilled workers,
    high_skilled_share_regions = ["Amberfield"]  # in these regions,
    high_skilled_delta_points = 2.5              # and +2.5 points elsewhere
    target_year = 2029             # a year the plan projects: from the first of [plan]
                                   # years to the last plus lead_time (2025-2028 for
                                   # the years above); another year is an error
    base_year = 2024               # default: the year of the last observed period,
                                   # which moves with each new year of data (the
                                   # report and target_path.csv's base_year_from say
                                   # which); set it to keep the paths' start fixed
    share_by = "employment"        # "employment" or "demand": how a region's need is
                                   # shared over its industries
    plan_level = "skilled"         # the need the plan serves: "skilled" or "high_skilled",
                                   # or both, ["skilled", "high_skilled"] (cells by
                                   # skill_level): high-skilled places count toward
                                   # both targets, the skilled need only its rest

    [output]
    dir = "talentgap-out"          # the output folder (--out); the commands of one
                                   # workflow may share it: a run warns of files of
                                   # its own steps it did not write this time (an
                                   # older run's), and leaves other commands' files;
                                   # those built on a result it changed (a plan's files
                                   # after another forecast; backtest, forecast and
                                   # plan files after another panel) it leaves too,
                                   # named in a warning and in the report's notes, as
                                   # they may not match it
    parquet = true                 # default: when pyarrow is installed
    charts = true
    report = true
    top = 15                       # cells in the ranked shortage chart and table
    fan_charts = 4                 # fan charts of the largest shortages
    currency = "yuan"              # unit of budgets and costs, shown in the report
    csv_encoding = "utf-8"         # of the CSV files written; "utf-8-sig" starts them
                                   # with a byte-order mark, so Excel on Chinese (or
                                   # any) Windows opens them without garbled text

Unknown tables or keys are errors with a suggestion ("did you mean
'horizon'?"); a value of the wrong type names the key and the type expected.
A share written as a percentage (``pass_rate = 67``) is refused with the share
meant (0.67); a number written as text (``budget = "1,200,000"``) is refused
rather than taken for a file name.

On the command line ``--set TABLE.KEY=VALUE`` sets any key on top of the file
(``--set forecast.levels=[80,95]``; the value is TOML, a bare word a string),
and ``--set TABLE.KEY.ENTRY=VALUE`` one entry of a table-valued setting, the
others kept (``--set plan.budget.2026=5e6``: one year's money); flags such as
``--budget`` win over both.

**Absorption** is the share of certified trainees who take jobs in the trade
they trained for. It is one quantity, used twice: the supply of past training
(``[panel]``, and with it the forecast gap, the projections without a plan and
an estimated exit rate) and the workers the plan's places yield (``[plan]``).
Set it once, in ``[plan] absorption`` or ``[panel] absorption``; the other
follows (a later layer, such as ``--set plan.absorption=0.9``, moves both).
Setting both to different values is an error naming both keys. With ``--model``
(a saved gap model), the absorption is the model's, saved with its run, as its
supply of past training was built with it: another value is an error too.

With ``--model``, the saved run's ``[forecast] horizon`` and the ``[plan]``
settings it holds as values (not files; a budget per year excepted) are the
defaults under the config file, ``--set`` and flags, as ``POST /v1/plan`` on
the same model takes them.

Examples
--------
>>> cfg = Config.from_dict({"forecast": {"horizon": 8}})
>>> cfg.forecast.horizon, cfg.forecast.levels
(8, (80, 95))
>>> Config.from_dict({"forecast": {"horizn": 8}})
Traceback (most recent call last):
...
talentgap.errors.ConfigError: unknown key 'horizn' in [forecast]; did you mean 'horizon'?
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from talentgap.cli._config_checks import (
    check_section,
    check_together,
    describe_value,
    suggest,
)
from talentgap.cli._config_rules import one_absorption
from talentgap.cli._config_tables import (
    MODEL_NAMES,
    BacktestConfig,
    DataConfig,
    ForecastConfig,
    OutputConfig,
    PanelConfig,
    PlanConfig,
    SurveyConfig,
    TargetsConfig,
)
from talentgap.errors import ConfigError

__all__ = [
    "Config",
    "DataConfig",
    "PanelConfig",
    "SurveyConfig",
    "ForecastConfig",
    "BacktestConfig",
    "PlanConfig",
    "TargetsConfig",
    "OutputConfig",
    "load_config",
    "MODEL_NAMES",
]

_SECTIONS = {
    "data": DataConfig,
    "survey": SurveyConfig,
    "panel": PanelConfig,
    "forecast": ForecastConfig,
    "backtest": BacktestConfig,
    "plan": PlanConfig,
    "targets": TargetsConfig,
    "output": OutputConfig,
}


@dataclass(frozen=True)
class Config:
    """A whole run configuration; every table has defaults.

    Build one with :func:`load_config` (a TOML file), :meth:`from_dict`, and
    :meth:`with_overrides` (flags on top).
    """

    data: DataConfig = field(default_factory=DataConfig)
    survey: SurveyConfig = field(default_factory=SurveyConfig)
    panel: PanelConfig = field(default_factory=PanelConfig)
    forecast: ForecastConfig = field(default_factory=ForecastConfig)
    backtest: BacktestConfig = field(default_factory=BacktestConfig)
    plan: PlanConfig = field(default_factory=PlanConfig)
    targets: TargetsConfig = field(default_factory=TargetsConfig)
    output: OutputConfig = field(default_factory=OutputConfig)

    @classmethod
    def from_dict(cls, raw: dict, *, source: str | None = None,
                  base: Path | None = None) -> Config:
        """Check a nested mapping (as read from TOML) and build the configuration.

        Parameters
        ----------
        raw : dict
            ``{table: {key: value}}``.
        source : str, optional
            Where ``raw`` came from, for messages (a file name).
        base : pathlib.Path, optional
            Folder that relative paths are resolved against (the config
            file's folder); default: left as given.

        Raises
        ------
        ConfigError
            Unknown table or key (with a suggestion), or a value of the
            wrong type or out of range.
        """
        return cls().with_overrides(raw, source=source, base=base)

    def with_overrides(self, raw: dict, *, source: str | None = None,
                       base: Path | None = None) -> Config:
        """A copy with the values in ``raw`` (``{table: {key: value}}``) replaced.

        Checked as in :meth:`from_dict`.
        """
        where = f"{source}: " if source else ""
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}expected tables of settings, got {type(raw).__name__}")
        changes = {}
        for name, values in raw.items():
            if name == "serve":  # the settings of talentgap serve, read by that command
                continue
            if name not in _SECTIONS:
                raise ConfigError(f"{where}unknown table [{name}]"
                                  f"{suggest(name, [*_SECTIONS, 'serve'])}")
            if not isinstance(values, dict):
                raise ConfigError(f"{where}[{name}] must be a table of settings, "
                                  f"got {describe_value(values)}")
            current = getattr(self, name)
            changes[name] = dataclasses.replace(
                current, **check_section(name, type(current), values, where, base))
        one_absorption(raw, changes, self, where)
        config = dataclasses.replace(self, **changes)
        check_together(config, where)
        return config

    def to_dict(self) -> dict:
        """The configuration as plain ``{table: {key: value}}`` (None values left out)."""
        out = {}
        for name in _SECTIONS:
            section = dataclasses.asdict(getattr(self, name))
            out[name] = {k: list(v) if isinstance(v, tuple) else v
                         for k, v in section.items() if v is not None}
        return out


def load_config(path: str | Path, *, defaults: Config | None = None) -> Config:
    """Read and check a TOML run configuration.

    Parameters
    ----------
    path : str or pathlib.Path
        The TOML file. Relative paths inside it are taken from its folder.
    defaults : Config, optional
        The settings the file's values replace (default: ``Config()``).

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        The file cannot be read or parsed, or a setting is unknown or invalid.
        The message starts with the file name.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "plan.toml"
    >>> _ = path.write_text('[forecast]\\nhorizon = "four"\\n')
    >>> load_config(path)
    Traceback (most recent call last):
    ...
    talentgap.errors.ConfigError: ...plan.toml: [forecast] horizon must be an integer, got...
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return (defaults or Config()).with_overrides(raw, source=str(path),
                                                 base=path.resolve().parent)

