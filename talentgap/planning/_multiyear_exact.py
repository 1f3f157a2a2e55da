"""Whole places from the integer program of a multi-year plan, within its time limit.

:func:`~talentgap.planning.multiyear.allocate_multiyear` solves the integer
program with ``integer="exact"``, and with ``integer="round"`` when rounding
cannot keep every equity rule (or a surplus penalty comes with equity rules):
:func:`exact_places`. ``time_limit`` bounds each integer program; the cost and
tie stages share what the first stage leaves, at least a tenth each
(:func:`time_left`), and a program stopped by the limit is named in the
plan's notes and a warning (:func:`time_limit_note`).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from talentgap.errors import DataQualityWarning, PlanningError, warn
from talentgap.planning._multiyear_lp import Program, Solution, solve
from talentgap.planning._multiyear_problem import YearsProblem

__all__ = ["exact_places", "time_left", "time_limit_note"]


def time_left(problem: YearsProblem, start: float) -> YearsProblem:
    """The problem with the seconds of ``time_limit`` left since ``start`` (at least a
    tenth of them), for the integer programs of the cost and tie stages."""
    if problem.time_limit is None or problem.integer != "exact":
        return problem
    used = time.perf_counter() - start
    return replace(problem, time_limit=max(problem.time_limit - used,
                                           0.1 * problem.time_limit))


def time_limit_note(first: Solution) -> str:
    """The note (and warning) on an integer program stopped by its time limit."""
    if first.no_whole_plan:
        return (first.mip_note + "; it found no whole plan by then, so the continuous plan "
                "is rounded instead (integer = \"round\")")
    return (first.mip_note + "; the plan is that best whole plan, not proven optimal, and "
            "the choice among equally good plans is not made")


def exact_places(problem: YearsProblem, program: Program, notes: list[str]) -> np.ndarray:
    """Whole places from the integer program where rounding cannot keep every rule."""
    whole = solve(replace(problem, integer="exact"), program)
    if whole.no_whole_plan:
        raise PlanningError(f"{whole.mip_note}; no whole plan that keeps every equity rule "
                            "was found by then (rounding cannot keep them): raise time_limit "
                            "or use integer=\"none\"")
    if whole.mip_note is not None:
        notes.append(whole.mip_note + "; the plan is that best whole plan, not proven optimal")
        warn(notes[-1], DataQualityWarning, stacklevel=5)
    return whole.q
