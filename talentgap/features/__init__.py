"""Feature engineering: survey estimates, training supply and the cell x period panel.

Pure functions, long table in -> long table out: they return a new frame,
never mutate their input and do no file I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from talentgap._lazy import attach
from talentgap.features.long_form import long_form  # eager: the module has its name

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ loads these
    from talentgap.features.calibration import CalibrationReport, calibrate_weights
    from talentgap.features.codes import check_codes
    from talentgap.features.design import SurveyDesign
    from talentgap.features.hierarchy import aggregate
    from talentgap.features.intervals import confidence_interval
    from talentgap.features.lags import add_growth, add_lags, add_rolling
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

if not TYPE_CHECKING:  # type checkers read the imports above, and flag unknown names
    __getattr__, __dir__ = attach(__name__, {
        "CalibrationReport": "calibration",
        "calibrate_weights": "calibration",
        "check_codes": "codes",
        "SurveyDesign": "design",
        "aggregate": "hierarchy",
        "confidence_interval": "intervals",
        "add_growth": "lags",
        "add_lags": "lags",
        "add_rolling": "lags",
        "estimate_nodes": "node_estimates",
        "adjust_nonresponse": "nonresponse",
        "build_panel": "panel",
        "SkillLevels": "skill_levels",
        "skilled_employment": "skill_levels",
        "stock_pipeline": "skill_levels",
        "FayHerriotFit": "small_area",
        "shrink": "small_area",
        "pass_rates": "supply",
        "training_supply": "supply",
        "estimate_cells": "survey",
    })
