"""Feature engineering: survey estimates, training supply and the cell x period panel.

Pure functions, long table in -> long table out: they return a new frame,
never mutate their input and do no file I/O.
"""

from talentgap.features.calibration import CalibrationReport, calibrate_weights
from talentgap.features.codes import check_codes
from talentgap.features.design import SurveyDesign
from talentgap.features.hierarchy import aggregate
from talentgap.features.intervals import confidence_interval
from talentgap.features.lags import add_growth, add_lags, add_rolling
from talentgap.features.long_form import long_form
from talentgap.features.node_estimates import estimate_nodes
from talentgap.features.nonresponse import adjust_nonresponse
from talentgap.features.panel import build_panel
from talentgap.features.skill_levels import SkillLevels, skilled_employment, stock_pipeline
from talentgap.features.small_area import FayHerriotFit, shrink
from talentgap.features.supply import pass_rates, training_supply
from talentgap.features.survey import estimate_cells

__all__ = [
    "estimate_cells",
    "confidence_interval",
    "long_form",
    "SurveyDesign",
    "calibrate_weights",
    "adjust_nonresponse",
    "CalibrationReport",
    "training_supply",
    "pass_rates",
    "shrink",
    "FayHerriotFit",
    "build_panel",
    "SkillLevels",
    "skilled_employment",
    "stock_pipeline",
    "check_codes",
    "add_lags",
    "add_rolling",
    "add_growth",
    "aggregate",
    "estimate_nodes",
]
