"""``[plan] committed``: places already funded, read for the plan and told in the report.

A bureau re-plans every year: last year's plan funded places whose workers
certify in this plan's years. The file lists them (``region, industry`` —
``program`` first with a crosswalk —, ``period``: the funding year, and
``places``); :func:`read_committed` reads it as the other plan files are
read (line numbers in every error) and the multi-year plan counts their
workers before its own places
(:func:`talentgap.planning.multiyear.allocate_multiyear`, ``committed=``).
:func:`committed_sentence` is the report's sentence on them.
"""

from __future__ import annotations

import pandas as pd

from talentgap.cli._plan_inputs import check_plan_csv, read_plan_csv
from talentgap.errors import ConfigError

__all__ = ["read_committed", "committed_sentence"]


def read_committed(path: str | None, id_columns: list[str], *,
                   encoding: str = "auto") -> pd.DataFrame | None:
    """The ``[plan] committed`` file: places already funded per cell (or programme) and year.

    Columns ``id_columns`` (the plan's keys, ``program`` first with a
    crosswalk), ``period`` and ``places``. Read and checked as the other
    plan files (:func:`talentgap.cli._plan_inputs.check_plan_csv`: numbers
    >= 0, no other column, no row repeating a cell and year, errors naming
    the file's lines); the planner then checks the cells and years against
    the plan's (:func:`talentgap.planning._committed.read_committed`), the
    line numbers kept in ``attrs["line_numbers"]``.

    Examples
    --------
    >>> read_committed(None, ["region", "industry"]) is None
    True
    """
    if path is None:
        return None
    name = "committed"
    table = read_plan_csv(path, name, [*id_columns, "period"], encoding=encoding)
    missing = [c for c in (*id_columns, "period", "places") if c not in table.columns]
    if missing:
        raise ConfigError(
            f"[plan] {name}: {path} needs the columns {', '.join(id_columns)}, period and "
            f"places (one row per {'programme' if 'program' in id_columns else 'cell'} and "
            f"funding year: the places already funded); it lacks {', '.join(missing)} and "
            f"has {', '.join(map(str, table.columns))}")
    lines = table.attrs.get("line_numbers")
    out = check_plan_csv(table, name, path, keys=[*id_columns, "period"], column="places")
    out = out[[*id_columns, "period", "places"]]
    if lines is not None:
        out.attrs["line_numbers"] = list(lines)
    return out


def committed_sentence(summary: pd.Series) -> str:
    """The report's sentence on the places already funded ("" without them).

    Examples
    --------
    >>> s = pd.Series({"committed_places": 1700.0, "committed_arriving": 1139.4,
    ...                "need_periods": "2025 to 2027"})
    >>> print(committed_sentence(s))  # doctest: +NORMALIZE_WHITESPACE
     1,700 places were already funded before this plan ([plan] committed); 1,139 of
     their certified workers arrive in 2025 to 2027 and count against every need before
     the plan's places, so the shortfalls "before the plan" below already count them.
    """
    if "committed_places" not in summary.index:
        return ""
    return (f" {float(summary['committed_places']):,.0f} places were already funded before "
            f"this plan ([plan] committed); {float(summary['committed_arriving']):,.0f} of "
            f"their certified workers arrive in {summary.get('need_periods', 'the plan years')}"
            " and count against every need before the plan's places, so the shortfalls "
            "\"before the plan\" below already count them.")
