"""Upgrade training: which cohorts are no new supply to a cell, and who new trainees are.

A training cohort with a ``from_level`` (workers who held a certificate
before) moves workers between skill levels. A cell keyed by ``skill_level``
holds one level, so an upgrade into it comes from outside and counts as its
supply; a cell without a level key holds every level, so an upgrade from a
skilled level moves a worker who already held a skilled job there and adds
nothing to it. Only a ``from_level`` that is blank (new trainees) or a level
declared unskilled brings new workers into such a cell
(:func:`upgrades_within`). With ``from_level`` itself as a key, its blank
rows form the cells of new trainees (:func:`label_new_trainees`).

:func:`talentgap.features.training_supply` leaves such upgrades out of a
cell's supply; it and :func:`talentgap.features.pass_rates` label new
trainees. ``upgrades_within`` is importable from
:mod:`talentgap.features.supply` too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap.errors import SchemaError

__all__ = ["upgrades_within", "label_new_trainees", "NEW_TRAINEES"]

#: The ``from_level`` of new trainees (blank in the table) when ``from_level`` is a key.
NEW_TRAINEES = "new trainees"


def _unskilled(skill_levels) -> tuple[str, ...]:
    """The levels declared unskilled: those of a ``SkillLevels``, none for a bare order."""
    if skill_levels is None or isinstance(skill_levels, str):
        return ()
    return tuple(getattr(skill_levels, "unskilled", ()))


def label_new_trainees(column: pd.Series) -> pd.Series:
    """``from_level`` as a key: blank (new trainees) becomes ``"new trainees"``.

    Parameters
    ----------
    column : pandas.Series
        The ``from_level`` column of a training table (never modified).

    Returns
    -------
    pandas.Series
        The column as a categorical, its blank values labelled
        :data:`NEW_TRAINEES` (a category appended after the levels).

    Raises
    ------
    SchemaError
        If a level of the column already is ``"new trainees"`` (rule
        ``reserved_value``).

    Examples
    --------
    >>> import pandas as pd
    >>> label_new_trainees(pd.Series(["senior", None])).tolist()
    ['senior', 'new trainees']
    """
    column = column.astype("category")
    if NEW_TRAINEES in column.cat.categories:
        raise SchemaError(
            f"column 'from_level' holds the level {NEW_TRAINEES!r}, the label its blank "
            "rows (new trainees) take when 'from_level' is a key; rename that level",
            column="from_level", reason="reserved_value",
        )
    if not column.isna().any():
        return column
    return column.cat.add_categories([NEW_TRAINEES]).fillna(NEW_TRAINEES)


def upgrades_within(training: pd.DataFrame, *, keys: Sequence[str] = ("region", "industry"),
                    skill_levels=None) -> np.ndarray:
    """Per training row: is it an upgrade inside the cell's set of skill levels?

    Such a cohort's certified workers already work in the cell (at the level
    they leave), so they are no new supply to it. A cell keyed by
    ``skill_level`` holds one level, and an upgrade into it comes from
    outside: no row of it is such an upgrade (nor of a cell keyed by
    ``from_level``, which keeps upgrades apart). A cell without a level key
    holds every level: a row whose ``from_level`` is not blank and not a
    level declared unskilled is one. Without declared levels (or with a bare
    order, which declares none unskilled) every non-blank ``from_level`` is
    taken for an upgrade between skilled levels.

    Parameters
    ----------
    training : pandas.DataFrame
        The ``training`` table (never modified); without a ``from_level``
        column no row is an upgrade.
    keys : sequence of str, default ("region", "industry")
        The columns of the cells the supply is counted for.
    skill_levels : SkillLevels or sequence of str, optional
        The declared levels; only those declared ``unskilled`` matter here.

    Returns
    -------
    numpy.ndarray
        Boolean, one value per row of ``training``, in its order.

    Examples
    --------
    >>> import pandas as pd
    >>> training = pd.DataFrame({"period": "2024", "region": "North",
    ...                          "industry": "textiles",
    ...                          "skill_level": ["senior", "technician", "senior"],
    ...                          "from_level": [None, "senior", "none"],
    ...                          "trained": [50, 30, 20], "certified": [40, 25, 15]})
    >>> upgrades_within(training).tolist()
    [False, True, True]
    >>> from talentgap.features import SkillLevels
    >>> levels = SkillLevels(order=["none", "senior", "technician"], unskilled=["none"])
    >>> upgrades_within(training, skill_levels=levels).tolist()
    [False, True, False]
    >>> upgrades_within(training, keys=("region", "skill_level")).tolist()
    [False, False, False]
    """
    keys = list(keys)
    if {"skill_level", "from_level"} & set(keys) or "from_level" not in training.columns:
        return np.zeros(len(training), dtype=bool)
    origin = training["from_level"].astype(object)
    text = origin.where(origin.isna(), origin.astype(str).str.strip())
    blank = text.isna() | (text == "")
    return np.asarray(~blank & ~text.isin(_unskilled(skill_levels)), dtype=bool)
