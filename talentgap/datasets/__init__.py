"""Synthetic and demo data sets.

:func:`make_synthetic` simulates survey, training and employment tables
together with the population truth they were drawn from; :func:`load_demo`
reads the small demo data set bundled with talentgap (made by
``make_synthetic`` and stored as CSV files).

Examples
--------
>>> from talentgap import datasets
>>> sorted(datasets.__all__)
['DemoData', 'SyntheticData', 'load_demo', 'make_synthetic']
"""

from talentgap.datasets._demo import DemoData, load_demo
from talentgap.datasets._synthetic import SyntheticData, make_synthetic

__all__ = ["make_synthetic", "load_demo", "SyntheticData", "DemoData"]
