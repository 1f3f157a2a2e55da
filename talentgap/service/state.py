"""The served model: loaded once from an artifact or an edition store, then only read."""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path

import pandas as pd

from talentgap.editions import EditionStore
from talentgap.errors import ConfigError
from talentgap.models import GapForecaster, load
from talentgap.models.persistence import read_metadata
from talentgap.service._forecast_rows import ForecastAnswers
from talentgap.service._gap_rows import GapAnswers

__all__ = ["LoadedModel", "plan_defaults"]

logger = logging.getLogger("talentgap.service")

#: Plan settings of the saved run configuration that POST /v1/plan takes as defaults.
_PLAN_DEFAULTS = ("cost_per_trainee", "pass_rate", "absorption", "capacity", "min_quota",
                  "risk", "quantile", "lead_time", "exit_rate")


class LoadedModel:
    """The served model and its artifact metadata, loaded once and then only read.

    Requests share one instance and call the model at the same time, without
    a lock: calls after ``fit`` are pure functions of the fitted state.
    Give ``path`` (an artifact directory) or ``store`` (an edition store
    file, serving ``edition`` or its latest edition).

    Parameters
    ----------
    path : str or pathlib.Path, optional
    store : str or pathlib.Path, optional
    edition : str, optional
    """

    def __init__(self, path: str | Path | None = None, *, store: str | Path | None = None,
                 edition: str | None = None) -> None:
        if (path is None) == (store is None):
            raise ConfigError("serve a model artifact (model_dir) or an edition store "
                              "(store), one of them")
        self._source = (path, store, edition)
        if store is not None:
            editions = EditionStore(store)
            self.edition = edition or editions.latest()
            self.metadata = editions.metadata(self.edition)
            self.model = editions.model(self.edition)
        else:
            if edition is not None:
                raise ConfigError("edition needs an edition store (store)")
            self.edition = None
            self.metadata = read_metadata(path)
            self.model = load(path)
        self.plan_defaults = plan_defaults(self.metadata.get("config"))
        #: per-cell answers of a gap model (cell positions kept once, here)
        keys = self.metadata["input_schema"]["keys"]
        self.gap_answers = (GapAnswers(self.model, keys)
                            if isinstance(self.model, GapForecaster) else None)
        #: per-series answers of a forecaster (series positions kept once, here)
        self.forecast_answers = (None if isinstance(self.model, GapForecaster)
                                 else ForecastAnswers(self.model, keys))
        logger.info("loaded %s%s (origin %s)", type(self.model).__name__,
                    f", edition {self.edition}" if self.edition else "",
                    getattr(self.model, "origin_", None))

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
        path, store, edition = self._source
        return LoadedModel(path, store=store, edition=edition)

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


def plan_defaults(config: dict | None) -> dict:
    """The plan settings of a saved run configuration that are values, not file paths.

    Parameters
    ----------
    config : dict or None
        ``{table: {key: value}}`` as ``talentgap forecast --save-model`` saves it.

    Returns
    -------
    dict
        ``horizon`` (from ``[forecast]``) and the numeric (or ``risk``) settings
        of ``[plan]``; a setting held in a file is left out.
    """
    config = config or {}
    out: dict = {}
    horizon = (config.get("forecast") or {}).get("horizon")
    if isinstance(horizon, int) and not isinstance(horizon, bool):
        out["horizon"] = horizon
    plan = config.get("plan") or {}
    for name in _PLAN_DEFAULTS:
        value = plan.get(name)
        if name == "risk" and value in ("expected", "quantile"):
            out[name] = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = value
    return out
