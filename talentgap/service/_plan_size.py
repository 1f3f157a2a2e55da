"""The size of a plan, held to the service's ``max_plan_size`` before any work starts.

A plan's linear program holds, for every forecast period it reads and every
sample path of the served model, a value per cell, per programme link of a
crosswalk and per row of its ``capacity_groups`` and ``budget_envelopes``
tables; :func:`check_plan_size` counts them and refuses a plan over the limit
at the part that makes it large.
"""

from __future__ import annotations

from talentgap.service.errors import ServiceError

__all__ = ["check_plan_size"]

#: What to send less of when a part of a plan other than its cells makes it too large.
_SMALLER = {"crosswalk": "map fewer programmes, or give the crosswalk's rows the key columns "
                         "it leaves open so that each row is one place",
            "capacity_groups": "send fewer capacity_groups rows (merge groups)",
            "budget_envelopes": "send fewer budget_envelopes rows (one per larger group of "
                                "cells)"}


def check_plan_size(served, horizon: int, max_size: int | None, links: int = 0, *,
                    field: str | None = "horizon", rows: dict[str, int] | None = None) -> None:
    """Refuse (422) a plan whose scenarios would exceed ``max_size`` values.

    The size is cells x forecast periods x sample paths of the served model,
    what the plan's sample paths and linear program hold: ``horizon`` is the
    periods the plan reads (a single-period plan: the periods its places
    arrive in). A programme plan adds its ``links`` (programme-to-cell links,
    each one of the crosswalk's rows in one place), which its program holds
    per period and sample path as well; each row of the tables in ``rows``
    (``{"capacity_groups": 12, "budget_envelopes": 3}``) counts as a cell
    too (a constraint over its cells in every period). The refusal's ``loc``
    is the part that dominates: the crosswalk or a table when it outweighs
    the cells, else ``field``, the request field that sets the periods;
    None: none does, the model's cells and paths alone are too many.
    """
    if max_size is None:
        return
    cells, samples = len(served.model.cells_), int(served.model.n_samples)
    parts = {"crosswalk": links, **{k: int(n) for k, n in (rows or {}).items() if n}}
    size = (cells + sum(parts.values())) * horizon * samples
    if size <= max_size:
        return
    named = {"crosswalk": "programme links", "capacity_groups": "capacity_groups rows",
             "budget_envelopes": "budget_envelopes rows"}
    what = " + ".join([f"{cells} cells", *(f"{n} {named.get(k, k + ' rows')}"
                                           for k, n in parts.items() if n)])
    what = f"({what})" if "+" in what else what
    largest = max(parts, key=parts.get, default=None)
    if largest is not None and parts[largest] > cells:
        hint, loc = (f"the {named.get(largest, largest)} are most of it: "
                     f"{_SMALLER.get(largest, 'send fewer rows')}"), ("body", largest)
    elif field is not None:
        hint, loc = f"ask for fewer periods ({field})", ("body", field)
    else:
        hint = "the served model's cells and sample paths are too many for one plan here"
        loc = ("body",)
    raise ServiceError(422, f"this plan needs {what} x {horizon} period"
                       f"{'s' * (horizon != 1)} x {samples} sample paths = {size:,} "
                       f"values, over the service's limit max_plan_size = {max_size:,}; "
                       f"{hint}", loc=loc, kind="plan_too_large")
