"""talentgap: labour-market skill-gap forecasting.

Turns enterprise skill-shortage surveys and vocational training records into
design-weighted estimates, forecasts the gap between skilled-worker demand and
certified supply per industry x region with honest uncertainty, and allocates
training quotas under a budget.

Examples
--------
>>> import talentgap as tg
>>> data = tg.datasets.load_demo()
>>> sorted(data.surveys.columns)[:3]
['employees', 'enterprise_id', 'hard_to_fill']
"""

from talentgap import (
    datasets,
    editions,
    errors,
    evaluation,
    features,
    io,
    models,
    periods,
    planning,
    schema,
)
from talentgap._version import __version__
from talentgap.models.persistence import load

__all__ = [
    "__version__",
    "datasets",
    "editions",
    "errors",
    "evaluation",
    "features",
    "io",
    "load",
    "models",
    "periods",
    "planning",
    "schema",
]
