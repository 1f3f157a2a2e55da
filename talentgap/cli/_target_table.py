"""The run's targets as one table, and the years and share each region's target path spans.

``[targets]`` gives the targets inline (share keys and one ``target_year``)
or as a file (one row per region and level, each with its own
``target_year`` and optional ``base_year``). Whichever the source,
:func:`targets_table` reads it into the targets table of
:mod:`talentgap.planning.policy`, :func:`target_spans` gives per region and
level the target year and the base period and share its path starts from
(as :func:`talentgap.planning.policy_need` builds the path), and
:func:`target_years` the run's target years from the target path: the one
place the report, its headline and the run's checks read them.
"""

from __future__ import annotations

import pandas as pd

from talentgap.cli._plan_inputs import read_plan_csv
from talentgap.cli.config import Config
from talentgap.planning.policy import target_bases

__all__ = ["targets_table", "target_spans", "target_years", "target_year_words"]


def targets_table(config: Config) -> pd.DataFrame:
    """The run's targets as a table: ``[targets] file`` as read, or the inline keys' rows.

    Examples
    --------
    >>> config = Config.from_dict({"plan": {"years": [2028, 2029]}, "targets": {
    ...     "skilled_share": 0.3, "target_year": 2029}})
    >>> targets_table(config).to_dict("records")
    [{'region': '*', 'skill_level': 'skilled', 'share': 0.3, 'target_year': 2029}]
    """
    targets = config.targets
    if targets.file is not None:
        return read_plan_csv(targets.file, "file", ["region", "province", "skill_level"],
                             section="targets", encoding=config.data.encoding)
    return pd.DataFrame(targets.rows())


def target_spans(table: pd.DataFrame, observed: pd.DataFrame,
                 keys: list[str]) -> pd.DataFrame:
    """Per region and level with a target: its target year, base period and base share.

    Each row of the targets ``table`` (a ``"*"`` row standing for every
    region without a row of its own at that level) is read as
    :func:`talentgap.planning.policy_need` reads it
    (:func:`talentgap.planning.policy.target_bases`, with the regions as text):
    its own ``target_year``, its ``base_year`` (by default the last observed
    year), and the share the path starts from, observed in the last period of
    the base year (summed over the region's cells: skilled of employment,
    high-skilled of skilled).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`targets_table`.
    observed : pandas.DataFrame
        The employment table, one row per cell and period: ``<keys...>,
        period, employment, skilled`` (and ``high_skilled``).
    keys : list of str
        The cells' keys (with ``region``, without ``skill_level``).

    Returns
    -------
    pandas.DataFrame
        ``region, skill_level, target_year, base_period`` (text, e.g.
        ``"2024Q4"``; empty where the data lack the base year) and
        ``base_share`` (0-1).

    Examples
    --------
    >>> observed = pd.DataFrame({"region": ["A", "A", "B", "B"], "industry": "x",
    ...                          "period": ["2024Q3", "2024Q4"] * 2,
    ...                          "employment": [100, 100, 200, 200],
    ...                          "skilled": [20, 25, 60, 60]})
    >>> table = pd.DataFrame({"region": ["*", "B"], "skill_level": "skilled",
    ...                       "share": [0.3, 0.35], "target_year": [2029, 2028]})
    >>> target_spans(table, observed, ["region", "industry"])
      region skill_level  target_year base_period  base_share
    0      A     skilled         2029      2024Q4        0.25
    1      B     skilled         2028      2024Q4        0.30
    """
    regions = observed["region"].astype(str)
    return target_bases(table.assign(region=table["region"].astype(str)),
                        observed.assign(region=regions), keys=keys)


def target_years(path: pd.DataFrame) -> list[int]:
    """The run's target years, earliest first: those of the target path's rows with a target.

    Parameters
    ----------
    path : pandas.DataFrame
        A target path (:func:`talentgap.cli._targets.target_paths`) with a
        ``target_year`` column; without one (or without targets), ``[]``.

    Examples
    --------
    >>> path = pd.DataFrame({"target_share": [0.3, None, 0.35],
    ...                      "target_year": [2029.0, None, 2027.0]})
    >>> target_years(path)
    [2027, 2029]
    """
    if path is None or "target_year" not in path.columns:
        return []
    years = path.loc[path["target_share"].notna(), "target_year"].dropna()
    return sorted({int(y) for y in years})


def target_year_words(years: list[int]) -> str:
    """How the report names the year it reads the targets in: the target year, or the latest.

    Examples
    --------
    >>> target_year_words([2029]), target_year_words([2027, 2029])
    ('the target year', 'the latest of the target years 2027 and 2029')
    """
    if len(years) <= 1:
        return "the target year"
    listed = ", ".join(map(str, years[:-1])) + f" and {years[-1]}"
    return f"the latest of the target years {listed}"
