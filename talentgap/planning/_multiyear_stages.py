"""The stages of a multi-year plan, in order: from a checked problem to the plan.

:func:`plan_years` runs the stages that :mod:`talentgap.planning.multiyear`
describes, once :func:`~talentgap.planning.multiyear.allocate_multiyear` has
read and checked the inputs: the classes of a minimum class size, the first
stage (by classes of alike cells, or the full program), the cost and tie
stages, whole places, taking out places no need wants, and the plan's tables
and notes. Each stage's time goes to the plan's log at DEBUG level.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from talentgap.errors import DataQualityWarning, PlanningError, warn
from talentgap.planning._min_class import class_note
from talentgap.planning._min_class_solve import (
    fixed_year_classes,
    relaxed_year_values,
    reported_values,
    settle_year_classes,
    with_class_row,
)
from talentgap.planning._multiyear_class_ties import break_class_ties
from talentgap.planning._multiyear_classes import MAX_SPLIT_SHARE, merged_classes, solve_by_classes
from talentgap.planning._multiyear_cost import least_cost
from talentgap.planning._multiyear_exact import exact_places, time_left, time_limit_note
from talentgap.planning._multiyear_lp import build_program, solve
from talentgap.planning._multiyear_problem import YearsProblem
from talentgap.planning._multiyear_round import round_years
from talentgap.planning._multiyear_tables import assemble_plan
from talentgap.planning._multiyear_ties import break_ties
from talentgap.planning._params import fmt
from talentgap.planning._plan import QuotaPlan
from talentgap.planning._trim import trim_unneeded

__all__ = ["plan_years"]

#: The plan's log is the public entry point's, which times every stage under that name.
logger = logging.getLogger("talentgap.planning.multiyear")


def plan_years(problem: YearsProblem, clock: list[float],
               lap: Callable[[str], None]) -> QuotaPlan:
    """The plan of a checked multi-year problem, stage by stage.

    ``clock`` holds the times taken so far (the start, then the end of each
    stage: reading the inputs first); ``lap(stage)`` appends the time a stage
    ends and logs how long it took. Warnings point at the caller of
    :func:`~talentgap.planning.allocate_quotas`.
    """
    mip_notes, saved = [], 0.0
    reported, rounds = problem, None   # the caller's bounds; `problem` gets the classes fixed
    if problem.min_class is not None and problem.integer != "exact":
        problem, rounds = settle_year_classes(problem)
        lap("deciding the classes (minimum class size)")
    classes = None if problem.min_class is not None else merged_classes(problem)
    merged = None if classes is None else solve_by_classes(
        problem, classes, max_classes=int(MAX_SPLIT_SHARE * problem.n_cells))
    if merged is not None:
        program, first = merged.program, merged.solution
        lap("the first stage by classes (optimum and duals)")
        places, moved = break_class_ties(problem, merged.face, first.q)
        lap("the tie stage")
    else:
        program = build_program(problem)
        lap("building the program")
        first = solve(problem, program)
        lap("the first stage (optimum and duals)")
        if first.mip_note is not None:
            mip_notes.append(time_limit_note(first))
            warn(mip_notes[-1], DataQualityWarning, stacklevel=4)
            if first.no_whole_plan:   # the continuous optimum, rounded
                problem = replace(problem, integer="round")
                if problem.min_class is not None:   # the rounding path decides the classes
                    problem, rounds = settle_year_classes(problem)
                    program = build_program(problem)
                    first = solve(problem, program)
        if problem.min_class is not None and problem.integer == "exact":
            problem = fixed_year_classes(problem, first.q)   # as the integer program has them
            program = build_program(problem)
        if first.mip_note is not None and not first.no_whole_plan:
            places, moved = first.q, False   # not proven optimal: no tie stage either
        else:
            cheapest = least_cost(time_left(problem, clock[2]), program, first)
            lap("the cost stage")
            if cheapest is not None:   # the tie rule among the cheapest plans
                saved, first, program_ties = cheapest.saved, cheapest.first, cheapest.program
            else:
                program_ties = program
            places, _, moved = break_ties(time_left(problem, clock[2]), program_ties, first)
            lap("the tie stage")
    tied = places  # the tie rule's plan, before rounding
    if problem.integer == "round" and problem.surplus_penalty and problem.equity.names:
        # rounding prices places by the penalised objective but keeps equity rules in
        # shortfall removed; the integer program holds both exactly
        places = exact_places(problem, program, mip_notes)
        lap("whole places by the integer program (surplus penalty with equity rules)")
    elif problem.integer == "round":
        try:
            places = round_years(problem, places, first.row_value)
        except PlanningError:  # an equity rule that rounding cannot keep: branch and bound
            logger.info("multi-year plan: rounding cannot keep the equity rules; solving "
                        "the integer program instead")
            try:
                places = exact_places(problem, program, mip_notes)
            except PlanningError:
                if problem.min_class is None:
                    raise
                # no whole plan with the classes the rule settled keeps the equity rules:
                # the integer program decides the classes as well
                places = exact_places(reported, build_program(reported), mip_notes)
                problem = fixed_year_classes(
                    replace(problem, lower=reported.lower, upper=reported.upper), places)
                rounds = replace(rounds, by_integer=True)
        lap("rounding to whole places")
    places, trimmed = trim_unneeded(problem, places, whole=problem.integer != "none")
    if problem.min_class is not None:   # bounds the rule set are not the caller's
        first = replace(first,
                        capacity_value=reported_values(reported, problem, first.capacity_value,
                                                       bound="upper"),
                        min_value=reported_values(reported, problem, first.min_value,
                                                  bound="lower"),
                        # the value of money to a class plan: the relaxation's budget duals
                        row_value=relaxed_year_values(reported, first.row_value))
        mip_notes.append(class_note(problem.min_class, rounds, exact=rounds is None,
                                    decision=("programme" if problem.units is not None
                                              else "cell") + "-period"))
        reported = replace(reported, integer=problem.integer)
    else:
        reported = problem
    plan = assemble_plan(reported, program, first, places, moved, tied, trimmed)
    if problem.min_class is not None:
        plan = with_class_row(plan, problem.min_class, places, decision=(
            "programme" if problem.units is not None else "cell") + "-period",
            cost=problem.cost)
    plan.notes.extend([*problem.notes, *mip_notes])
    if saved > 0:
        plan.summary["optimum_unique"] = False
        plan.notes.append(
            f"several plans leave the same {problem.objective_name()}; the plan is the one "
            f"that spends the least money among them ({fmt(saved)} less than the first "
            "such plan found), as places beyond the need or funded earlier than needed "
            "would remove no more of it")
    lap("assembling the plan")
    return plan
