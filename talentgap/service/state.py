"""The served model: loaded once from an artifact or an edition store, then only read."""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path

import pandas as pd

from talentgap.editions import EditionStore
from talentgap.errors import ConfigError, ParameterError, collect_warnings
from talentgap.models import GapForecaster
from talentgap.models.persistence import load_with_metadata
from talentgap.planning._saved_run import saved_place_entrants, saved_plan_settings
from talentgap.service._forecast_rows import ForecastAnswers
from talentgap.service._gap_rows import GapAnswers
from talentgap.service._horizon import forecastable_horizon, horizon_at_load
from talentgap.service._saved_targets import need_weights, saved_policy_need, saved_targets
from talentgap.service.schemas import MAX_FORECAST_HORIZON

__all__ = ["LoadedModel", "plan_defaults", "interval_kind"]

logger = logging.getLogger("talentgap.service")

#: Horizon and level of a request that gives none (GapRequest, ForecastRequest).
_REQUEST_HORIZON, _REQUEST_LEVEL = 4, (80.0,)


class LoadedModel:
    """The served model and its artifact metadata, loaded once and then only read.

    Requests share one instance and call the model at the same time, without
    a lock: calls after ``fit`` are pure functions of the fitted state.
    Give ``path`` (an artifact directory) or ``store`` (an edition store
    file, serving ``edition`` or its latest edition).

    Loading also builds what requests read: the positions of the cells or
    series by key values, the model's sample-path statistics, explanations
    and period labels (a gap model) or the forecast table (a forecaster) of
    the requests' default horizon (the saved run's ``[forecast] horizon``,
    else 4) and level (80), so the first request after a (re)load is as fast
    as later ones.

    Parameters
    ----------
    path : str or pathlib.Path, optional
    store : str or pathlib.Path, optional
    edition : str, optional
    answers : bool, default True
        Build the request answers (False: the model and metadata only, as a
        plan worker process needs).
    horizon_cap : int, default MAX_FORECAST_HORIZON
        The most periods the service forecasts (its ``max_horizon``
        setting).
    horizon_rule : {"two_years", "longest"} or int, default "two_years"
        The horizon a gap model saved without one (``GapForecaster(
        horizon=None)``, by library code) gets here (the service's
        ``horizon_at_load`` setting): two years of its periods and at least
        the requests' default horizon, the longest span its backtests can
        calibrate, or a number of periods; at most ``horizon_cap`` and that
        longest span (:func:`~talentgap.service._horizon.horizon_at_load`).
        Every answer is then cut from one simulation of that span, so a
        period's numbers do not change with the horizon a request asks for.
        A plan worker loads with the same cap and rule, so it fixes the
        same horizon.

    Attributes
    ----------
    signature : str
        Names the edition loaded: the artifact's ``metadata_sha256`` (with
        the edition name, from a store). Two loads with equal signatures
        hold the same model.
    fingerprint : str
        The artifact's ``metadata_sha256`` (answered in the
        ``X-Model-Fingerprint`` header and GET /v1/model).
    prepared_horizon : int or None
        The horizon whose answers were built at load.
    max_horizon : int
        The most periods the model can forecast (at most ``horizon_cap``):
        a gap model's horizon (the span it simulates), else the longest
        horizon its backtests can calibrate, from its fitted series' lengths
        (see :func:`~talentgap.service._horizon.forecastable_horizon`).
    horizon_fixed_at_load : bool
        True when the gap model had no horizon and got one at load (see
        ``horizon_rule``).
    calibratable_horizon : int or None
        For such a model, the longest span its backtests can calibrate
        (within ``horizon_cap``), which a longer fixed horizon could reach.
    saved_targets : dict or None
        The saved run's ``[targets]`` and the policy need its plan was made
        against, as GET /v1/model shows them
        (:func:`~talentgap.service._saved_targets.saved_targets`); None when
        the model was saved without one.
    """

    def __init__(self, path: str | Path | None = None, *, store: str | Path | None = None,
                 edition: str | None = None, answers: bool = True,
                 horizon_cap: int = MAX_FORECAST_HORIZON,
                 horizon_rule: str | int = "two_years") -> None:
        if (path is None) == (store is None):
            raise ConfigError("serve a model artifact (model_dir) or an edition store "
                              "(store), one of them")
        if store is not None:
            editions = EditionStore(store)
            self.edition = edition or editions.latest()
            self.metadata, self.model = editions.model_with_metadata(self.edition)
            self.signature = f"{self.edition}:{self.metadata['metadata_sha256']}"
        else:
            if edition is not None:
                raise ConfigError("edition needs an edition store (store)")
            self.edition = None
            # one read of the files: the metadata and the model of one edition
            self.metadata, self.model = load_with_metadata(path)
            self.signature = self.metadata["metadata_sha256"]
        self.fingerprint = str(self.metadata["metadata_sha256"])
        self.horizon_cap = max(1, min(int(horizon_cap), MAX_FORECAST_HORIZON))
        #: where the model came from; the named edition pinned once resolved (and the cap
        #: its horizon is fixed with, so a plan worker loads the same model)
        self.source = (path, store, edition)
        self.horizon_rule = horizon_rule
        self.pinned_source = (path, store, self.edition, self.horizon_cap, horizon_rule)
        config, keys = self.metadata.get("config"), self.metadata["input_schema"]["keys"]
        #: read once here (a saved policy need as a table): the requests only read them
        self.plan_defaults = plan_defaults(config, keys=keys)
        #: the saved run's shares of a place's workers new to its cell (upgrade training),
        #: which every plan scales its places' absorption by, as the run's plan did
        self.place_entrants = saved_place_entrants(config)
        #: the saved run's targets and the policy need it planned against (GET /v1/model)
        self.saved_targets = saved_targets(config, self.plan_defaults.get("policy_need"))
        self.horizon_fixed_at_load = self._fix_horizon()
        self.max_horizon = forecastable_horizon(self.model, self.horizon_cap)
        self.caveats = self._simulation_caveats()
        self.intervals = interval_kind(self.model)
        self.gap_answers = self.forecast_answers = None
        self.prepared_horizon = None
        if answers:
            #: per-cell answers of a gap model (cell positions kept once, here)
            if isinstance(self.model, GapForecaster):
                self.gap_answers = GapAnswers(self.model, keys)
            else:  #: per-series answers of a forecaster (series positions kept once, here)
                self.forecast_answers = ForecastAnswers(self.model, keys)
            self._prepare()
        logger.info("loaded %s%s (origin %s, horizon %s)", type(self.model).__name__,
                    f", edition {self.edition}" if self.edition else "",
                    getattr(self.model, "origin_", None), getattr(self.model, "horizon", None))

    def _fix_horizon(self) -> bool:
        """Give a gap model saved without a horizon one by :attr:`horizon_rule` (up to
        :attr:`horizon_cap`); True when it got one."""
        model = self.model
        self.calibratable_horizon = None
        if not isinstance(model, GapForecaster) or model.horizon is not None:
            return False
        self.calibratable_horizon = forecastable_horizon(model, self.horizon_cap)
        span = horizon_at_load(model, self.horizon_cap, rule=self.horizon_rule,
                               least=self.plan_defaults.get("horizon", _REQUEST_HORIZON))
        if span < 1:  # it forecasts nothing: every request is refused
            return False
        model.set_params(horizon=span)
        logger.info("the model was saved without a horizon: fixed at load to %d periods "
                    "(horizon_at_load = %r; its backtests can calibrate up to %d within the "
                    "service's max_horizon %d); every answer is cut from one simulation of "
                    "that span", span, self.horizon_rule, self.calibratable_horizon,
                    self.horizon_cap)
        return True

    def _simulation_caveats(self) -> list[str]:
        """The data-quality warnings of the gap model's one simulation, each once.

        A gap model answers every request from one simulation of its
        horizon, built once and kept (:meth:`~talentgap.models.GapForecaster.
        prepare`); what it warns while it is built (intervals and paths likely
        too narrow for short histories, a small error pool) concerns every
        answer cut from it, but would be raised only on the first. It is built
        here, first, so the warnings are kept and every answer returns them.
        A forecaster warns on each forecast table it builds (kept with the
        table): none here.
        """
        model = self.model
        if not isinstance(model, GapForecaster) or model.horizon is None or model.horizon < 1:
            return []
        with collect_warnings() as caught:
            try:
                model.prepare(int(model.horizon))
            except ParameterError:  # each request says why it cannot be answered
                return []
        return list(dict.fromkeys(str(item) for item in caught
                                  if isinstance(item, UserWarning)))

    def horizon_reason(self, limit: int) -> str:
        """Why requests stop at ``limit`` periods (``max_horizon`` of GET /v1/model).

        ``limit`` is the smaller of the service's maximum and :attr:`max_horizon`.
        """
        fixed = getattr(self.model, "horizon", None) if self.is_gap_model else None
        if fixed is not None and not self.horizon_fixed_at_load and 0 < int(fixed) <= limit:
            return (f"the served model's horizon: it simulates {int(fixed)} periods, once, "
                    "for every answer; for more, refit it with a larger [forecast] "
                    "max_horizon")
        if limit < self.max_horizon or limit >= self.horizon_cap:
            return "the most periods this service forecasts"
        if self.horizon_fixed_at_load and limit < (self.calibratable_horizon or 0):
            more = self.calibratable_horizon
            return (f"fixed at load for a model saved without a horizon; for up to {more}, "
                    f"save after model.set_params(horizon={more}) (no refit) or fit "
                    f"GapForecaster(horizon={more})")
        saved = " (it was saved without a horizon)" if self.horizon_fixed_at_load else ""
        return ("the longest the served model can forecast: its series are too short for "
                f"rolling-origin backtests of more periods{saved}")

    def _prepare(self) -> None:
        """Build the cell table, key values and the default request's answers."""
        horizon = min(self.plan_defaults.get("horizon", _REQUEST_HORIZON), self.max_horizon)
        self.key_values = {k: sorted(self.cells[k].unique()) for k in self.cells.columns}
        if horizon < 1:  # the model forecasts nothing: every request is refused
            return
        with collect_warnings():  # the requests report their own warnings
            if self.gap_answers is not None:
                self.gap_answers.prepare(horizon)
            else:
                self.forecast_answers.prepare(horizon, _REQUEST_LEVEL)
        self.prepared_horizon = horizon

    def describe(self) -> str:
        """Which model this is, for the log: class, source, edition, fingerprint, origin,
        e.g. ``GapForecaster from out/model (fingerprint 3f2a..., origin 2024Q4)``."""
        path, store, _ = self.source
        where = (f"edition {self.edition} of store {store}" if store is not None
                 else f"{path}")
        return (f"{type(self.model).__name__} from {where} (fingerprint {self.fingerprint}, "
                f"origin {getattr(self.model, 'origin_', None)})")

    def reloaded(self) -> LoadedModel:
        """The same source loaded again, as it is now.

        The artifact directory as last saved, or the edition store's latest
        edition (the named edition when one was asked for). This instance is
        left as it was, so requests still holding it finish on it.

        Raises
        ------
        ArtifactError, EditionError
            As when the model was first loaded.
        """
        path, store, edition = self.source
        return LoadedModel(path, store=store, edition=edition, horizon_cap=self.horizon_cap,
                           horizon_rule=self.horizon_rule)

    @cached_property
    def cells(self) -> pd.DataFrame:
        """Every cell (or series) of the model, key values as text, one row each (kept)."""
        model = self.model
        keys = list(self.metadata["input_schema"]["keys"])
        cells = model.cells_ if isinstance(model, GapForecaster) else model.fitted_summary_[keys]
        return cells[keys].astype(str).drop_duplicates().reset_index(drop=True)

    @property
    def is_gap_model(self) -> bool:
        """True when the model is a gap model (it answers /v1/gap and /v1/plan)."""
        return isinstance(self.model, GapForecaster)

    @property
    def model_labels(self) -> dict[str, str]:
        """What produces the forecasts, by side."""
        model = self.model
        if isinstance(model, GapForecaster):
            return {side: type(getattr(model, f"{side}_model_", None)).__name__
                    for side in ("demand", "supply")}
        return {"forecast": type(model).__name__}


def interval_kind(model) -> str | None:
    """What a served model's intervals are for: ``"population"``, ``"estimates"`` or None.

    ``"population"``: a gap model fitted with the survey's standard errors
    (``sampling_se``, ``[forecast] intervals = "population"``) took their
    sampling variance out of its demand paths, so its intervals are for the
    true values in the population and exclude the sampling error of the
    survey's estimates (a later estimate falls outside them more often than
    the level says). ``"estimates"``: a gap model without them, whose
    intervals are for the values as the survey estimates them. None: a
    forecaster, whose intervals are for its series as fitted.

    Examples
    --------
    >>> import talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=0)
    >>> panel = tg.features.build_panel(data.surveys, data.training, lead_time=1)
    >>> gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=20)
    >>> interval_kind(gap.fit(panel)), interval_kind(gap.set_params(sampling_se=None).fit(panel))
    ('population', 'estimates')
    """
    if not isinstance(model, GapForecaster):
        return None
    return "estimates" if getattr(model, "demand_se_", None) is None else "population"


def plan_defaults(config: dict | None, *, keys: list[str] | None = None) -> dict:
    """The plan settings of a saved run configuration that are values, not file paths.

    Parameters
    ----------
    config : dict or None
        ``{table: {key: value}}`` as ``talentgap forecast --save-model`` saves it.
    keys : list of str, optional
        The model's key columns, which a saved policy need's must be.

    Returns
    -------
    dict
        ``horizon`` (from ``[forecast]``) and the numeric (or ``risk``) settings
        of ``[plan]`` (those of
        :func:`~talentgap.planning._saved_run.saved_plan_settings`, which
        ``talentgap plan --model`` starts from too), in the form of the
        request's fields: ``budget`` (one
        number) or ``budget_per_period`` (``[{"period": "2026", "budget": ...}]``,
        from a budget per year), and ``exit_rate`` as one number or, for
        ``exit_rate = "estimate"``, the per-cell rates the run's plan used
        (``[{"cell": {...}, "value": ...}]``, saved as ``exit_rate_estimated``).
        With ``[targets]``, the policy need the run's multi-year plan was
        made against (``policy_need``: a table ``<keys...>, period,
        policy_need``, one row per cell and need year, read and checked here
        from ``[plan] policy_need_planned`` by
        :func:`~talentgap.service._saved_targets.saved_policy_need`; plans
        filter it by their need years) and the ``need_weights`` it used
        (market 1, policy ``[plan] policy_weight``); an older model saved
        without that need, or with one that is not of that form (logged),
        has neither.
        A setting held in a file (a CSV of costs, capacities, budgets, ...) is
        left out, and so are settings the service cannot honour: ``integer``,
        ``crosswalk`` and ``capacity_groups``.
        ``hold_need`` (True only) lets a yearly plan hold more need years
        past the forecast than it forecasts.

    Examples
    --------
    >>> saved = plan_defaults({"forecast": {"horizon": 4}, "plan": {
    ...     "budget": {"2026": 5e6, "2027": 6e6}, "exit_rate": "estimate", "lead_time": 1,
    ...     "exit_rate_estimated": [{"cell": {"region": "N"}, "value": 0.02}]}})
    >>> saved["budget_per_period"], saved["exit_rate"], saved["lead_time"]
    ([{'period': '2026', 'budget': 5000000.0}, {'period': '2027', 'budget': 6000000.0}], \
[{'cell': {'region': 'N'}, 'value': 0.02}], 1)
    """
    config = config or {}
    saved = saved_plan_settings(config)   # the settings plans against the model start from
    out: dict = dict(saved.get("forecast", {}))
    for name, value in saved.get("plan", {}).items():
        if name == "budget" and isinstance(value, dict):   # a budget per year
            out["budget_per_period"] = [{"period": year, "budget": money}
                                        for year, money in value.items()]
        else:
            out[name] = value
    plan = config.get("plan") or {}
    estimated = plan.get("exit_rate_estimated")
    if plan.get("exit_rate") == "estimate" and isinstance(estimated, list) and estimated and all(
            isinstance(e, dict) and isinstance(e.get("cell"), dict) and _number(e.get("value"))
            for e in estimated):
        out["exit_rate"] = [{"cell": dict(e["cell"]), "value": e["value"]} for e in estimated]
    need = saved_policy_need(plan, keys)
    if need is not None:  # [targets]: the need the run's plan was made against
        out["policy_need"] = need
        out["need_weights"] = need_weights(plan)
    return out


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
