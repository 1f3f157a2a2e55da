"""Forecasting estimators, reconciliation and persistence.

Every forecaster follows one contract (see :mod:`talentgap.models.base`)::

    fc.fit(df, target="value", time="period", keys=["series_id"])
    fc.predict(horizon=8, level=[80, 95])
"""

from talentgap.models._outliers import mask_outliers
from talentgap.models.auto import AutoForecaster
from talentgap.models.base import BaseForecaster
from talentgap.models.baselines import Drift, Mean, Naive, SeasonalNaive
from talentgap.models.ets import ETS
from talentgap.models.gap import GapForecaster
from talentgap.models.gbm import GlobalBoosting
from talentgap.models.intermittent import TSB, Croston
from talentgap.models.paths import SamplePaths
from talentgap.models.persistence import load
from talentgap.models.reconciliation import Hierarchy, reconcile
from talentgap.models.sarimax import SARIMAX
from talentgap.models.theta import Theta

__all__ = ["BaseForecaster", "Naive", "SeasonalNaive", "Drift", "Mean", "Croston", "TSB",
           "ETS", "Theta",
           "GlobalBoosting", "SARIMAX", "AutoForecaster", "GapForecaster", "SamplePaths",
           "Hierarchy",
           "reconcile", "load", "mask_outliers"]
