"""The tables of a run configuration: one frozen dataclass per TOML table.

Each class lists its table's keys with their types and defaults; the metadata
of its fields holds the rules a value must keep (``choices``, ``min``,
``min_open``, ``max``, ``nonempty``, ``encoding``, ``path``, ``words``), which
:func:`~talentgap.cli._config_checks.check_section` reads. The whole
configuration, which gathers the tables and reads a TOML file into them, is
:class:`~talentgap.cli.config.Config` (whose module docstring documents every
key); every name here is importable from :mod:`talentgap.cli.config` too.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from talentgap._registry import config_names
from talentgap.cli._config_checks import TARGET_LEVELS

__all__ = [
    "MODEL_NAMES",
    "NumberOrPath",
    "Budget",
    "DataConfig",
    "SurveyConfig",
    "PanelConfig",
    "ForecastConfig",
    "BacktestConfig",
    "PlanConfig",
    "TargetsConfig",
    "OutputConfig",
]



@functools.cache
def _model_names() -> tuple[str, ...]:
    from talentgap import models  # noqa: F401  (the forecasters register when it loads)

    return tuple(sorted(config_names(), key=lambda name: (name != "auto", name)))


class _ModelNames(Sequence[str]):
    """The configuration names of the registered forecasters, read on first use.

    The forecasters register when :mod:`talentgap.models` loads; reading the
    registry only when a name is checked or listed keeps ``talentgap --help``
    and ``talentgap validate`` from loading the models. The defaults of
    ``[forecast] model`` and ``[backtest] baselines`` are known to be
    registered names, so a configuration that keeps them is checked without it.
    """

    defaults: frozenset[str] = frozenset()  # set below the tables that hold them

    def __contains__(self, name: object) -> bool:
        return name in self.defaults or name in _model_names()

    def __bool__(self) -> bool:
        return True  # never empty: "auto" is one of them

    def __getitem__(self, index):
        return _model_names()[index]

    def __len__(self) -> int:
        return len(_model_names())

    def __repr__(self) -> str:
        return repr(_model_names())


#: Forecaster names accepted by ``forecast.model`` and ``backtest.baselines``: the
#: configuration names of the registered forecasters, ``auto`` first.
MODEL_NAMES: Sequence[str] = _ModelNames()

NumberOrPath = float | str
#: ``[plan] budget``: a number, a per-year CSV, or a per-year table ``{2026 = 5e6, ...}``.
Budget = float | str | dict


def _choices(*values):
    return {"choices": values}


@dataclass(frozen=True)
class DataConfig:
    """``[data]``: the input files and their layout.

    ``surveys``, ``training`` and ``employment`` each name a file, or a folder
    or glob pattern (``surveys = "provinces/*.csv"``) of CSV or Excel files:
    each file is read as one would be (its own encoding, header and line
    numbers), then the tables are put together in memory, and a failing row
    is named by its file and line. For a table too large for one machine, use
    the Python API with a Dask DataFrame (``dask.dataframe.read_csv``).
    """

    surveys: str | None = field(default=None, metadata={"path": True})
    training: str | None = field(default=None, metadata={"path": True})
    employment: str | None = field(default=None, metadata={"path": True})
    freq: str = field(default="Q", metadata=_choices("Y", "Q", "M"))
    #: the employment table's own frequency when coarser than ``freq`` (None: its labels')
    employment_freq: str | None = field(default=None, metadata=_choices("Y", "Q", "M"))
    keys: tuple[str, ...] = field(default=("region", "industry"), metadata={"nonempty": True})
    on_invalid: str = field(default="error", metadata=_choices("error", "skip"))
    allow_missing_supply: bool = False
    allow_missing_demand: bool = False
    skill_levels: tuple[str, ...] = ()
    high_skilled: tuple[str, ...] = ()
    unskilled: tuple[str, ...] = ()
    encoding: str = field(default="auto", metadata={"encoding": True})
    surveys_sheet: str | int | None = field(default=None, metadata={"min": 1})
    training_sheet: str | int | None = field(default=None, metadata={"min": 1})
    employment_sheet: str | int | None = field(default=None, metadata={"min": 1})
    surveys_header_row: int | None = field(default=None, metadata={"min": 1})
    training_header_row: int | None = field(default=None, metadata={"min": 1})
    employment_header_row: int | None = field(default=None, metadata={"min": 1})
    surveys_columns: dict | None = None
    training_columns: dict | None = None
    employment_columns: dict | None = None

    def read_options(self, table: str) -> dict:
        """The layout options of ``table``'s file, as :func:`talentgap.io.read_table` takes them.

        Examples
        --------
        >>> DataConfig(surveys_sheet="数据", surveys_header_row=2).read_options("surveys")
        {'sheet': '数据', 'header_row': 2, 'columns': None}
        """
        return {option: getattr(self, f"{table}_{option}")
                for option in ("sheet", "header_row", "columns")}

    def levels(self):
        """The declared :class:`~talentgap.features.SkillLevels`, or None.

        Examples
        --------
        >>> DataConfig(skill_levels=("ordinary", "senior"), high_skilled=("senior",)).levels()
        SkillLevels(order=('ordinary', 'senior'), high_skilled=('senior',), unskilled=())
        >>> DataConfig().levels() is None
        True
        """
        if not self.skill_levels:
            return None
        from talentgap.features import SkillLevels  # only when used: reading a config stays light

        return SkillLevels(order=self.skill_levels, high_skilled=self.high_skilled,
                           unskilled=self.unskilled)


@dataclass(frozen=True)
class SurveyConfig:
    """``[survey]``: the sampling design of the surveys table, by column names.

    Examples
    --------
    >>> SurveyConfig(strata=("size_band",), fpc="population").describe()
    "Survey design: strata by size_band; enterprises as sampling units; finite-population \
correction from 'population'; lonely PSUs: adjust."
    >>> SurveyConfig().design() is None
    True
    """

    strata: tuple[str, ...] = ()
    psu: str | None = None
    fpc: str | None = None
    lonely_psu: str = field(default="adjust", metadata=_choices(
        "adjust", "average", "certainty", "remove", "fail"))
    nest: bool = False

    @property
    def declared(self) -> bool:
        """True when a stratum, PSU or population-count column is named."""
        return bool(self.strata) or self.psu is not None or self.fpc is not None

    def design(self):
        """The :class:`~talentgap.features.SurveyDesign` to estimate with, or None."""
        if not self.declared:
            return None
        from talentgap.features import SurveyDesign  # only when used: reading a config stays light

        return SurveyDesign(strata=self.strata or None, psu=self.psu, fpc=self.fpc,
                            lonely_psu=self.lonely_psu, nest=self.nest)

    def describe(self) -> str:
        """One sentence naming the design used for the survey estimates."""
        if not self.declared:
            return ("Survey design: none declared; each cell-period is treated as its own "
                    "stratum, sampled with replacement (no finite-population correction).")
        strata = f"strata by {' x '.join(self.strata)}" if self.strata else "one stratum"
        units = f"PSUs from {self.psu!r}" if self.psu else "enterprises as sampling units"
        if self.psu and self.nest:
            units += " (ids numbered within each stratum)"
        fpc = (f"finite-population correction from {self.fpc!r}" if self.fpc
               else "no finite-population correction")
        return f"Survey design: {strata}; {units}; {fpc}; lonely PSUs: {self.lonely_psu}."


@dataclass(frozen=True)
class PanelConfig:
    """``[panel]``: how certified training output becomes supply."""

    #: periods from certification to availability, or a CSV per cell or programme
    lead_time: int | str = field(default=1, metadata={"min": 0, "path": True})
    #: the same setting as ``[plan] absorption``: giving one sets both
    absorption: NumberOrPath = field(default=1.0, metadata={"min": 0.0, "max": 1.0,
                                                            "path": True})
    #: supply of the cell-periods no training row reaches (None: unknown, NaN)
    supply_fill: float | None = field(default=None, metadata={"min": 0.0})


@dataclass(frozen=True)
class ForecastConfig:
    """``[forecast]``: the gap forecast."""

    horizon: int = field(default=4, metadata={"min": 1})
    #: periods the gap model simulates (None: the longest span the run needs)
    max_horizon: int | None = field(default=None, metadata={"min": 1})
    levels: tuple[float, ...] = field(default=(80, 95), metadata={"nonempty": True})
    model: str = field(default="auto", metadata={"choices": MODEL_NAMES})
    season_length: int | None = field(default=None, metadata={"min": 1})
    n_samples: int = field(default=1000, metadata={"min": 10})
    random_state: int = field(default=0, metadata={"min": 0})
    n_jobs: int = 1
    intervals: str = field(default="population", metadata=_choices("population", "estimates"))
    #: "mask": values that look like data errors are masked before the fit (GapForecaster)
    outliers: str = field(default="keep", metadata=_choices("keep", "mask"))
    #: ``[forecast.analogues]``: new industry -> its analogue industry (model "auto")
    analogues: dict | None = None
    #: observations below which a declared new industry is forecast from its analogue
    min_history: int | None = field(default=None, metadata={"min": 0})


@dataclass(frozen=True)
class BacktestConfig:
    """``[backtest]``: rolling-origin accuracy against baselines."""

    n_windows: int = field(default=3, metadata={"min": 1})
    step: int = field(default=1, metadata={"min": 1})
    baselines: tuple[str, ...] = field(default=("naive", "seasonal_naive"),
                                       metadata={"choices": MODEL_NAMES})


@dataclass(frozen=True)
class PlanConfig:
    """``[plan]``: the training quota allocation."""

    budget: Budget | None = field(default=None, metadata={"min": 0.0, "path": True})
    cost_per_trainee: NumberOrPath | None = field(default=None, metadata={"path": True})
    #: None: the certified share of the training table's last year (else 1.0), see
    #: :func:`talentgap.cli._plan_inputs.observed_pass_rate`
    pass_rate: NumberOrPath | None = field(default=None, metadata={"path": True, "min": 0.0,
                                                                   "min_open": True,
                                                                   "max": 1.0})
    absorption: NumberOrPath = field(default=1.0, metadata={"path": True, "min": 0.0,
                                                           "max": 1.0})
    capacity: NumberOrPath | None = field(default=None, metadata={"path": True})
    min_quota: NumberOrPath = field(default=0.0, metadata={"path": True})
    min_class_size: NumberOrPath | None = field(default=None, metadata={"path": True,
                                                                        "min": 0.0})
    risk: str = field(default="expected", metadata=_choices("expected", "quantile"))
    # a probability strictly between 0 and 1; written as a percentage, a level a plan uses
    quantile: float | None = field(default=None, metadata={"min": 0.0, "max": 1.0, "open": True,
                                                           "percent_from": 50.0})
    surplus_penalty: float = field(default=0.0, metadata={"min": 0.0})
    integer: str | None = field(default=None, metadata=_choices("round", "exact", "none"))
    time_limit: float = field(default=60.0, metadata={"min": 0.0, "min_open": True})
    period: str | int | None = None  # an int is a year: period = 2025
    crosswalk: str | None = field(default=None, metadata={"path": True})
    years: tuple[int, ...] = field(default=(), metadata={"min": 1900, "max": 2999})
    lead_time: int = field(default=1, metadata={"min": 0})
    exit_rate: NumberOrPath = field(default=0.03, metadata={"min": 0.0, "max": 1.0,
                                                            "path": True,
                                                            "words": ("estimate",)})
    capacity_groups: str | None = field(default=None, metadata={"path": True})
    budget_envelopes: str | None = field(default=None, metadata={"path": True})
    committed: str | None = field(default=None, metadata={"path": True})
    policy_weight: float = field(default=1.0, metadata={"min": 0.0})
    hold_need: bool = False
    free_places: bool = False
    #: multi-year plans: solve again at 75% and 50% of every year's budget (the report
    #: says what each gives up)
    compare_budgets: bool = True


@dataclass(frozen=True)
class TargetsConfig:
    """``[targets]``: policy targets on the skilled shares (multi-year plans).

    Either ``file`` (a targets table, see :mod:`talentgap.planning.policy`)
    or the share keys, which stand for the table's rows: a ``*_share`` for
    the regions in ``*_share_regions`` (all regions when empty) and a
    ``*_delta_points`` for every other region.
    """

    file: str | None = field(default=None, metadata={"path": True})
    skilled_share: float | None = field(default=None, metadata={"min": 0.0, "max": 1.0})
    skilled_delta_points: float | None = None
    skilled_share_regions: tuple[str, ...] = ()
    high_skilled_share: float | None = field(default=None, metadata={"min": 0.0, "max": 1.0})
    high_skilled_delta_points: float | None = None
    high_skilled_share_regions: tuple[str, ...] = ()
    target_year: int | None = field(default=None, metadata={"min": 1900, "max": 2999})
    base_year: int | None = field(default=None, metadata={"min": 1900, "max": 2999})
    share_by: str = field(default="employment", metadata=_choices("employment", "demand"))
    plan_level: str | tuple[str, ...] = field(default="skilled",
                                              metadata=_choices("skilled", "high_skilled"))

    @property
    def plan_levels(self) -> tuple[str, ...]:
        """The levels whose targets the plan serves, lowest first.

        Examples
        --------
        >>> TargetsConfig(plan_level=["high_skilled", "skilled"]).plan_levels
        ('skilled', 'high_skilled')
        """
        given = (self.plan_level,) if isinstance(self.plan_level, str) else self.plan_level
        return tuple(level for level in TARGET_LEVELS if level in given)

    @property
    def given(self) -> bool:
        """True when targets are set (a file or at least one share)."""
        return self.file is not None or any(
            getattr(self, f"{level}_{kind}") is not None
            for level in TARGET_LEVELS for kind in ("share", "delta_points"))

    def rows(self) -> list[dict]:
        """The inline targets as rows of a targets table (``"*"``: every other region).

        Examples
        --------
        >>> TargetsConfig(skilled_share=0.3, target_year=2029).rows()
        [{'region': '*', 'skill_level': 'skilled', 'share': 0.3, 'target_year': 2029}]
        """
        out = []
        for level in TARGET_LEVELS:
            share = getattr(self, f"{level}_share")
            delta = getattr(self, f"{level}_delta_points")
            regions = getattr(self, f"{level}_share_regions") or ("*",)
            if share is not None:
                out += [{"region": r, "skill_level": level, "share": share} for r in regions]
            if delta is not None:
                out.append({"region": "*", "skill_level": level, "delta_points": delta})
        for row in out:
            row["target_year"] = self.target_year
            if self.base_year is not None:
                row["base_year"] = self.base_year
        return out


@dataclass(frozen=True)
class OutputConfig:
    """``[output]``: what is written, and where."""

    dir: str = field(default="talentgap-out", metadata={"path": True})
    parquet: bool | None = None
    charts: bool = True
    report: bool = True
    top: int = field(default=15, metadata={"min": 1})
    fan_charts: int = field(default=4, metadata={"min": 0})
    currency: str = ""
    csv_encoding: str = field(default="utf-8", metadata=_choices("utf-8", "utf-8-sig"))


_ModelNames.defaults = frozenset({ForecastConfig.model, *BacktestConfig.baselines})
