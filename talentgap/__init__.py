"""talentgap: labour-market skill-gap forecasting.

Turns enterprise skill-shortage surveys and vocational training records into
design-weighted estimates, forecasts the gap between skilled-worker demand and
certified supply per industry x region with honest uncertainty, and allocates
training quotas under a budget.

The subpackages load on first use (``tg.models``, ``from talentgap import
planning``), so ``import talentgap`` itself is quick and imports neither
scikit-learn, statsmodels nor matplotlib.

Examples
--------
>>> import talentgap as tg
>>> data = tg.datasets.load_demo()
>>> sorted(data.surveys.columns)[:3]
['employees', 'enterprise_id', 'hard_to_fill']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from talentgap._lazy import attach
from talentgap._version import __version__

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ loads these
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

if not TYPE_CHECKING:  # type checkers read the imports above, and flag unknown names
    __getattr__, __dir__ = attach(__name__, {
        **{name: name for name in __all__ if name not in ("__version__", "load")},
        "load": "models.persistence",
    })
