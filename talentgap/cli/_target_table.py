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

__all__ = ["targets_table", "target_spans", "target_years", "target_year_words",
           "base_year_words", "BASE_YEAR_SET", "BASE_YEAR_DEFAULT"]

#: ``base_year_from`` of a target whose base year the targets give (``[targets] base_year``
#: or the file's ``base_year`` column): the same in every edition of the plan.
BASE_YEAR_SET = "set"
#: ``base_year_from`` of a target without one: the last observed year, which moves with
#: every year of new data (each edition re-bases the path).
BASE_YEAR_DEFAULT = "last observed year (moves with new data; [targets] base_year fixes it)"


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
        ``"2024Q4"``; empty where the data lack the base year),
        ``base_share`` (0-1), ``base_year`` and ``base_year_from``:
        :data:`BASE_YEAR_SET` where the targets give the base year, else
        :data:`BASE_YEAR_DEFAULT` (the last observed year: a plan made a year
        later starts its path from a year later, unless ``[targets]
        base_year`` fixes it).

    Examples
    --------
    >>> observed = pd.DataFrame({"region": ["A", "A", "B", "B"], "industry": "x",
    ...                          "period": ["2024Q3", "2024Q4"] * 2,
    ...                          "employment": [100, 100, 200, 200],
    ...                          "skilled": [20, 25, 60, 60]})
    >>> table = pd.DataFrame({"region": ["*", "B"], "skill_level": "skilled",
    ...                       "share": [0.3, 0.35], "target_year": [2029, 2028]})
    >>> spans = target_spans(table, observed, ["region", "industry"])
    >>> spans.drop(columns="base_year_from")
      region skill_level  target_year base_period  base_share  base_year
    0      A     skilled         2029      2024Q4        0.25       2024
    1      B     skilled         2028      2024Q4        0.30       2024
    >>> spans["base_year_from"].iloc[0]
    'last observed year (moves with new data; [targets] base_year fixes it)'
    >>> target_spans(table.assign(base_year=[2024, None]), observed,
    ...              ["region", "industry"])["base_year_from"].tolist()
    ['set', 'last observed year (moves with new data; [targets] base_year fixes it)']
    """
    regions = observed["region"].astype(str)
    table = table.assign(region=table["region"].astype(str))
    out = target_bases(table, observed.assign(region=regions), keys=keys)
    # the base year: the given one, else the last observed year (that of the base period)
    seen = pd.to_numeric(out["base_period"].astype(str).str[:4], errors="coerce")
    given = (table.loc[table["base_year"].notna(), ["region", "skill_level", "base_year"]]
             if "base_year" in table.columns and "region" in out.columns
             else pd.DataFrame(columns=["region", "skill_level", "base_year"]))
    own = out[["region", "skill_level"]].merge(given, on=["region", "skill_level"],
                                               how="left")["base_year"]
    every = out[["skill_level"]].merge(given[given["region"] == "*"].drop(columns="region"),
                                       on="skill_level", how="left")["base_year"]
    # a region's own row stands for it; the "*" row for the others
    explicit = out[["region", "skill_level"]].merge(
        table[["region", "skill_level"]].drop_duplicates().assign(_own=True),
        on=["region", "skill_level"], how="left")["_own"].notna()
    year = own.where(explicit, every)
    out["base_year"] = pd.array(pd.to_numeric(year, errors="coerce").fillna(seen).to_numpy(),
                                dtype="Int64")
    out["base_year_from"] = [BASE_YEAR_SET if set_ else BASE_YEAR_DEFAULT
                             for set_ in year.notna().to_numpy()]
    return out


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


def base_year_words(path: pd.DataFrame) -> str:
    """The base year the target paths start from, and whether the next edition moves it.

    Parameters
    ----------
    path : pandas.DataFrame
        A target path with ``base_year`` and ``base_year_from``
        (:func:`talentgap.cli._targets.target_paths`); ``""`` without them.

    Examples
    --------
    >>> path = pd.DataFrame({"base_year": [2024, 2024], "base_year_from": [BASE_YEAR_DEFAULT] * 2})
    >>> base_year_words(path)
    'The target paths start from the base year 2024, the last observed year, as no base year
    is set in the targets: a plan made with a later year of data starts them from that year and
    its shares instead, so its needs and shortfall change partly because the paths moved. Set
    the base year to 2024 in the targets to start from the same year in every edition of the
    plan.'
    >>> base_year_words(path.assign(base_year_from=BASE_YEAR_SET))
    'The target paths start from the base year 2024, as set in the targets: the same in every
    edition of the plan.'
    """
    if path is None or "base_year_from" not in path.columns:
        return ""
    rows = path[path["base_year_from"].notna() & path["base_year"].notna()]
    if rows.empty:
        return ""
    default = rows["base_year_from"] == BASE_YEAR_DEFAULT
    years = sorted({int(y) for y in rows.loc[default, "base_year"]})
    fixed = sorted({int(y) for y in rows.loc[~default, "base_year"]})
    named = ", ".join(map(str, years))
    plural = "s" * (len(years) > 1)
    moving = (f"the base year{plural} {named}, the last observed year{plural}, as no "
              "base year is set in the targets")
    advice = (": a plan made with a later year of data starts them from that year and its "
              "shares instead, so its needs and shortfall change partly because the paths "
              f"moved. Set the base year to {years[-1] if years else ''} in the targets to "
              "start from the same year in every edition of the plan.")
    set_words = f"the base year{'s' * (len(fixed) > 1)} {', '.join(map(str, fixed))}"
    if not years:
        return (f"The target paths start from {set_words}, as set in the targets: the same "
                "in every edition of the plan.")
    if not fixed:
        return f"The target paths start from {moving}{advice}"
    return (f"The target paths start from {set_words} where the targets set one, and "
            f"elsewhere from {moving.replace(', as no base year is set in the targets', '')}"
            f"{advice}")
