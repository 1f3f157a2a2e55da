"""Feature engineering: survey estimates, training supply and the cell x period panel.

Pure functions, long table in -> long table out: they return a new frame,
never mutate their input and do no file I/O.
"""

from talentgap.features.survey import estimate_cells

__all__ = ["estimate_cells"]
