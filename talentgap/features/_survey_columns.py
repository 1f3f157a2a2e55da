"""Survey columns a survey estimate would leave unused, said aloud.

Two defaults of the survey estimates are silent in the data, so they are
warned about (:class:`~talentgap.errors.DataQualityWarning` through
:func:`talentgap.errors.warn`), once per call of
:func:`~talentgap.features.estimate_cells`,
:func:`~talentgap.features.estimate_nodes` or
:func:`~talentgap.features.build_panel`:

* **No ``weight`` column.** Every enterprise then counts once: the estimates
  are unweighted sample counts, not totals for the population. The warning
  names the columns that look like weights (a name containing ``weight``,
  ``wt``, ``权重``, ``expansion`` or ``factor``; failing that, a numeric
  column outside the schema and the design whose values are mostly above 1)
  and says how to map one to ``weight``.
* **Design columns without a design.** Columns named like strata
  (``stratum``), PSUs (``psu``, ``cluster``) or population counts
  (``population``, ``fpc``, ``pop...``) while no ``design`` is given: the
  standard errors then treat each cell-period as its own stratum sampled
  with replacement, which can be far from the design's. The warning names
  the columns and the setting that uses them.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from talentgap.errors import DataQualityWarning, warn
from talentgap.schema import get_schema

__all__ = ["weight_like_columns", "design_like_columns", "warn_unused_survey_columns"]

#: Parts of a column name that mark a weight (compared in lower case); ``wt`` only as a
#: word or at either end of one (``final_wt``, ``finalwt``).
_WEIGHT_WORDS = ("weight", "权重", "expansion", "factor")
#: Parts of a column name that mark each design role (the :class:`SurveyDesign`
#: argument), compared in lower case; population counts also as ``pop...``.
_DESIGN_WORDS = {"strata": ("stratum", "strata", "分层"), "psu": ("psu", "cluster"),
                 "fpc": ("population", "fpc", "总体")}
_ROLE_WORDS = {"strata": "strata", "psu": "PSUs", "fpc": "population counts"}
_DEFAULT_WEIGHT = "weight"


def _weight_name(name) -> bool:
    text = str(name).lower()
    words = re.split(r"[^0-9a-z]+", text)
    return (any(word in text for word in _WEIGHT_WORDS)
            or any(w.startswith("wt") or w.endswith("wt") for w in words if w))


def _role(name) -> str | None:
    text = str(name).lower()
    for role, words in _DESIGN_WORDS.items():
        if any(word in text for word in words) or (role == "fpc" and text.startswith("pop")):
            return role
    return None


def design_like_columns(columns) -> dict[str, list[str]]:
    """The columns named like design columns, by :class:`SurveyDesign` argument.

    Examples
    --------
    >>> design_like_columns(["period", "stratum", "psu", "population", "popN", "employees"])
    {'strata': ['stratum'], 'psu': ['psu'], 'fpc': ['population', 'popN']}
    """
    found: dict[str, list[str]] = {}
    for name in columns:
        role = _role(name)
        if role is not None:
            found.setdefault(role, []).append(str(name))
    return {role: found[role] for role in _DESIGN_WORDS if role in found}


def weight_like_columns(surveys, *, used=()) -> list[str]:
    """Columns of a surveys table without ``weight`` that look like design weights.

    First the columns whose name contains ``weight``, ``wt``, ``权重``,
    ``expansion`` or ``factor``; when there is none, the numeric columns
    outside the schema, ``used`` and the design-like names whose values are
    mostly (over half of those present) above 1. The values are read only for
    a pandas frame.

    Examples
    --------
    >>> import pandas as pd
    >>> weight_like_columns(pd.DataFrame({"enterprise_id": ["E1"], "final_weight": [3.0]}))
    ['final_weight']
    >>> weight_like_columns(pd.DataFrame({"enterprise_id": ["E1", "E2"], "w": [12.5, 4.0],
    ...                                   "score": [0.2, 0.9]}))
    ['w']
    """
    schema = get_schema("surveys").names
    skip = {*schema, *map(str, used)}
    named = [str(c) for c in surveys.columns
             if str(c) not in skip and _weight_name(c)]
    if named or not isinstance(surveys, pd.DataFrame):
        return named
    found = []
    for name in surveys.columns:
        if str(name) in skip or _role(name) is not None:
            continue
        values = surveys[name]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        present = values.to_numpy(dtype=np.float64, na_value=np.nan)
        present = present[~np.isnan(present)]
        if present.size and (present > 1).mean() > 0.5:
            found.append(str(name))
    return found


def warn_unused_survey_columns(surveys, *, weight: str | None = _DEFAULT_WEIGHT,
                               design=None, stacklevel: int = 3) -> None:
    """Warn when the estimates default to weight 1 or ignore design-like columns.

    Parameters
    ----------
    surveys : pandas.DataFrame or dask.dataframe.DataFrame
        The surveys table as the caller gave it (with a Dask frame only the
        column names are looked at).
    weight : str or None
        The weight column asked for: only the default ``"weight"``, absent
        from the table, is warned about (None asks for weight 1).
    design : SurveyDesign or None
        Design-like columns are warned about only without a design.

    Examples
    --------
    >>> import pandas as pd
    >>> from talentgap.errors import collect_warnings
    >>> table = pd.DataFrame({"enterprise_id": ["E1"], "final_weight": [3.0]})
    >>> with collect_warnings() as caught:
    ...     warn_unused_survey_columns(table)
    >>> print(caught[0])  # doctest: +ELLIPSIS
    surveys: no 'weight' column, so every enterprise counts once ... 'final_weight' ...
    """
    columns = [str(c) for c in surveys.columns]
    design_columns = design_like_columns(columns)
    used = () if design is None else design.columns
    if weight == _DEFAULT_WEIGHT and _DEFAULT_WEIGHT not in columns:
        candidates = weight_like_columns(surveys, used=used)
        example = candidates[0] if candidates else "<name>"
        many = len(candidates) > 1
        verb = ("look like design weights; to use one" if many
                else "looks like a design weight; to use it")
        looks = (f"{'columns' if many else 'column'} {', '.join(repr(c) for c in candidates)} "
                 f"{verb}, " if candidates else "to use a weight column, ")
        warn(f"surveys: no 'weight' column, so every enterprise counts once (weight 1): the "
             "estimates are unweighted sample counts of the responding enterprises, not "
             f"totals for all enterprises; {looks}name it 'weight' "
             f"(read_table(..., columns={{{example!r}: 'weight'}}), on the command line "
             f"[data] surveys_columns = {{\"{example}\" = \"weight\"}}) or pass "
             f"weight={example!r}; pass weight=None if the sample is unweighted on purpose",
             DataQualityWarning, stacklevel=stacklevel)
    if design is None and design_columns:
        named = [c for names in design_columns.values() for c in names]
        roles = ", ".join(_ROLE_WORDS[r] for r in design_columns)
        arguments = ", ".join(f"{role}={names[0]!r}" for role, names in design_columns.items())
        settings = "; ".join(
            f"{role} = {[names[0]]!r}".replace("'", '"') if role == "strata"
            else f'{role} = "{names[0]}"' for role, names in design_columns.items())
        many = len(named) > 1
        warn(f"surveys: {'columns' if many else 'column'} "
             f"{', '.join(repr(c) for c in named)} "
             f"{'look like design columns' if many else 'looks like a design column'} "
             f"({roles}) but no design was given, so {'they are' if many else 'it is'} not "
             "used: the "
             "standard errors treat each cell-period as its own stratum sampled with "
             "replacement; declare the design with design=SurveyDesign("
             f"{arguments}) (on the command line [survey] {settings}), or drop "
             f"{'the columns' if many else 'the column'}",
             DataQualityWarning, stacklevel=stacklevel)
