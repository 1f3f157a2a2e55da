"""Certified supply split into the inflows of the skilled and high-skilled stocks.

A supply forecast counts certified workers per cell and period but does not
say at which skill level they trained. A stock projection by level needs
that split: a worker certified at an ordinary skilled level joins the
skilled stock only, one certified at a high-skilled level joins both stocks
(high-skilled workers are skilled too), and an upgrade from a skilled to a
high-skilled level joins the high-skilled stock only.
:func:`pipeline_by_level` takes the split from each cell's own recent
training by level and applies it to the supply, giving the ``pipeline``
that :func:`talentgap.planning.project_skilled_stock` rolls into the
stocks. :func:`place_shares` applies the same rule to a plan's places: the
part of a place's certified workers who join each stock, by the level mix
of its cell's (or programme's) recent training. The methods page
("Workforce projections and policy targets") states the accounting and its
assumptions.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from talentgap._arguments import key_list
from talentgap._frequencies import periods_per_year
from talentgap.errors import DataQualityWarning, ParameterError, warn
from talentgap.features.skill_levels import skill_levels_of, stock_pipeline
from talentgap.features.supply import training_supply
from talentgap.planning._params import cell_names, plural
from talentgap.planning._tables import counts, lookup, require

__all__ = ["pipeline_by_level", "place_shares"]

_MAX_SHOWN = 5


def _level_mix(training: pd.DataFrame, levels, keys: list[str], freq: str | None,
               lead_time, absorption, *, every_row: bool = False,
               crosswalk: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per cell: certified output, and the parts joining the skilled and high-skilled stocks.

    Sums over the training output of the table's last year (the whole
    history for cells without output in that year). Columns ``<keys>,
    total, every, skilled, high_skilled`` (persons). ``total`` is the cell's
    supply (:func:`talentgap.features.training_supply`: upgrades between
    skilled levels left out of cells without a level key), ``every`` every
    certified worker, upgrades included; the year is the last with
    ``total`` (with ``every_row``, ``every``) above 0.
    """
    options = {"freq": freq, "lead_time": lead_time, "absorption": absorption,
               "crosswalk": crosswalk}  # a programme's output split as its supply is
    total = training_supply(training, keys=keys, skill_levels=levels, **options)
    every = training_supply(training.drop(columns=["from_level"], errors="ignore"), keys=keys,
                            **options)
    total = total[[*keys, "period", "supply"]].rename(columns={"supply": "total"})
    every = every[[*keys, "period", "supply"]].rename(columns={"supply": "every"})
    if "skill_level" in keys:  # a cell per level: the net inflows of each level's rows
        if "skill_level" not in training.columns:
            raise ParameterError("keys hold 'skill_level' but the training table has no "
                                 "'skill_level' column")
        others = [k for k in keys if k != "skill_level"]
        level = training["skill_level"]
        parts = [stock_pipeline(training[level == name], skill_levels=levels, keys=others,
                                **options).assign(skill_level=name)
                 for name in levels.order if (level == name).any()]
        net = pd.concat(parts, ignore_index=True)
    else:
        net = stock_pipeline(training, skill_levels=levels, keys=keys, **options)
    net = net.rename(columns={"supply": "skilled", "supply_high_skilled": "high_skilled"})
    on = [*keys, "period"]
    rows = pd.concat([every[on], net[on]], ignore_index=True).astype(object)
    rows = rows.drop_duplicates(ignore_index=True)
    for frame, columns in ((total, ["total"]), (every, ["every"]),
                           (net, ["skilled", "high_skilled"])):
        position = lookup(frame, rows, on)
        for column in columns:
            values = frame[column].to_numpy(dtype=np.float64)
            rows[column] = np.where(position >= 0, values[np.maximum(position, 0)], 0.0)
    period = pd.PeriodIndex(rows["period"])
    ordinals = period.asi8
    recent = ordinals > ordinals.max() - periods_per_year(period.freqstr)
    columns = ["total", "every", "skilled", "high_skilled"]
    whole = rows.groupby(keys, sort=True)[columns].sum()
    last = rows[recent].groupby(keys, sort=True)[columns].sum().reindex(whole.index,
                                                                       fill_value=0.0)
    had = (last["every" if every_row else "total"] > 0).to_numpy()
    mix = last.where(np.repeat(had[:, None], len(columns), 1), whole)
    return mix.reset_index()


def pipeline_by_level(
    supply: pd.DataFrame,
    training: pd.DataFrame,
    *,
    skill_levels,
    keys: Sequence[str] = ("region", "industry"),
    freq: str | None = None,
    lead_time: int | pd.DataFrame = 0,
    absorption: float | pd.DataFrame = 1.0,
    crosswalk: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Certified supply per cell split into the inflows of the skilled and high-skilled stocks.

    A supply forecast (or any table of certified workers per cell and
    period) says how many certified workers arrive, not at which skill
    level. This splits it by the mix of the cell's own training by level:
    over the training output of the training table's last year (the
    cell's whole history if it had none then), with ``T`` the certified
    output counted as the cell's supply (that of
    :func:`talentgap.features.training_supply`, which leaves upgrades
    between skilled levels out of a cell without a level key, as the supply
    forecast does), and ``S`` and ``H`` the parts that join the skilled and the
    high-skilled stock (the net inflows of
    :func:`talentgap.features.stock_pipeline`: new workers join every stock
    their level counts in; an upgrade joins only the stocks its worker was
    not in already)::

        supply[c, t]              = supply_in[c, t] * S[c] / T[c]
        supply_high_skilled[c, t] = supply_in[c, t] * H[c] / T[c]

    Training at an ordinary skilled level thus adds to the skilled stock
    only, training at a high-skilled level to both (high-skilled workers are
    skilled), and an upgrade from a skilled to a high-skilled level to the
    high-skilled stock only. The result is the ``pipeline`` of
    :func:`talentgap.planning.project_skilled_stock`.

    Parameters
    ----------
    supply : pandas.DataFrame
        ``<keys...>, period, supply``: certified workers per cell and period
        (persons), e.g. the mean supply of a gap forecast's sample paths.
    training : pandas.DataFrame
        The ``training`` table with a ``skill_level`` column (and optionally
        ``from_level``), the records ``supply`` continues.
    skill_levels : SkillLevels or sequence of str
        The declared levels: which count as skilled and high-skilled.
    keys : sequence of str, default ("region", "industry")
        Columns identifying a cell; may include ``skill_level`` (a cell per
        level: its supply joins the stocks its level counts in).
    freq : {"Y", "Q", "M"}, optional
        Period frequency for parsing the training table's period labels.
    lead_time, absorption, crosswalk
        As for :func:`talentgap.features.training_supply`; they place the
        training output in time, scale it and (a ``program, industry,
        share`` crosswalk) split it over the industries each programme
        feeds, as for the supply it splits: a cell's mix is that of the
        training the cell's supply counts.

    Returns
    -------
    pandas.DataFrame
        One row per row of ``supply``, in its order: ``<keys...>, period,
        supply`` (inflow to the skilled stock) and ``supply_high_skilled``
        (inflow to the high-skilled stock), persons.

    Raises
    ------
    SchemaError
        If a table lacks a column, a supply is missing or negative, or the
        training table breaks its schema or the declared levels.
    ParameterError
        If ``skill_levels`` is not given or the training table has no
        ``skill_level`` column.

    Warns
    -----
    DataQualityWarning
        When cells with supply have no training output to take the mix from:
        their supply counts as skilled (as a level cell's, by its level) and
        not as high-skilled.

    Examples
    --------
    A cell trains 60 certified workers at the ordinary level and 40 at the
    high-skilled ``technician`` level a year; a forecast of 200 certified
    workers in 2026 brings 200 skilled workers, 80 of them high-skilled:

    >>> import pandas as pd
    >>> from talentgap.features import SkillLevels
    >>> levels = SkillLevels(order=["ordinary", "technician"], high_skilled=["technician"])
    >>> training = pd.DataFrame({"period": "2024", "region": "North", "industry": "textiles",
    ...                          "skill_level": ["ordinary", "technician"],
    ...                          "trained": [80, 50], "certified": [60, 40]})
    >>> supply = pd.DataFrame({"region": "North", "industry": "textiles",
    ...                        "period": ["2025", "2026"], "supply": [100.0, 200.0]})
    >>> pipeline_by_level(supply, training, skill_levels=levels)
      region  industry period  supply  supply_high_skilled
    0  North  textiles   2025   100.0                 40.0
    1  North  textiles   2026   200.0                 80.0
    """
    levels = skill_levels_of(skill_levels)
    if levels is None:
        raise ParameterError("skill_levels must be declared to split supply by skill level")
    keys = key_list(keys, allow_empty=False, distinct=True, time="period",
                    reserved={"supply": "the supply column"})
    table = require(supply, "supply", [*keys, "period", "supply"], keys)
    values = counts(table, "supply", "supply", keys)
    if "skill_level" not in training.columns:
        raise ParameterError("the training table has no 'skill_level' column; supply cannot "
                             "be split by skill level without one")
    mix = _level_mix(training, levels, keys, freq, lead_time, absorption,
                     crosswalk=crosswalk)
    position = lookup(mix, table, keys)
    where = np.maximum(position, 0)
    total = mix["total"].to_numpy(dtype=np.float64)[where]
    known = (position >= 0) & (total > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = {name: np.where(known, mix[name].to_numpy(dtype=np.float64)[where] / total,
                                 np.nan) for name in ("skilled", "high_skilled")}
    if not known.all():  # no training to take the mix from: the level's own, or skilled only
        if "skill_level" in keys:
            skilled, high = levels.flags(table["skill_level"])
        else:
            skilled, high = np.ones(len(table), dtype=bool), np.zeros(len(table), dtype=bool)
        shares["skilled"] = np.where(known, shares["skilled"], skilled.astype(np.float64))
        shares["high_skilled"] = np.where(known, shares["high_skilled"],
                                          high.astype(np.float64))
        alone = np.flatnonzero(~known & (values > 0))
        if alone.size:
            shown = cell_names(table, keys, alone[:_MAX_SHOWN])
            warn(f"{plural(alone.size, 'supply row')} belong to cells without training "
                 f"output to split them by skill level, e.g. {'; '.join(shown)}; their supply "
                 "counts as skilled"
                 + (" (by the cell's level)" if "skill_level" in keys else
                    " and not as high-skilled"), DataQualityWarning, stacklevel=2)
    out = pd.DataFrame({k: table[k].reset_index(drop=True) for k in keys})
    out["period"] = table["period"].reset_index(drop=True)
    out["supply"] = values * shares["skilled"]
    out["supply_high_skilled"] = values * shares["high_skilled"]
    return out


def place_shares(
    training: pd.DataFrame,
    *,
    skill_levels,
    keys: Sequence[str] = ("region", "industry"),
    freq: str | None = None,
    crosswalk: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per cell or programme: the parts of a training place's certified workers joining each stock.

    A place bought in a cell (or programme) trains like the cell's own
    recent training: over the certified output of the training table's last
    year (the whole history for a cell without output then), with ``T``
    every certified worker, upgrades included, and ``S`` and ``H`` the net
    inflows of the skilled and high-skilled stocks
    (:func:`talentgap.features.stock_pipeline`: ``C [l in S][f not in S]``
    and ``C [l in S_H][f not in S_H]`` per cohort of ``C`` certified at level
    ``l`` from level ``f``)::

        skilled      = S / T
        high_skilled = H / T

    A place of upgrade training from a skilled to a high-skilled level thus
    adds a high-skilled worker and no skilled one (its trainee was skilled
    already); a place training new workers at a high-skilled level adds one
    of each. Cells without training output count as new workers of their
    level (a level cell) or as new skilled workers (``skilled`` 1,
    ``high_skilled`` 0).

    Parameters
    ----------
    training : pandas.DataFrame
        The ``training`` table with a ``skill_level`` column (and optionally
        ``from_level``).
    skill_levels : SkillLevels or sequence of str
        The declared levels.
    keys : sequence of str, default ("region", "industry")
        The columns of the plan's cells or programmes (e.g. ``("program",
        "region")``); may include ``skill_level``.
    freq : {"Y", "Q", "M"}, optional
        Period frequency for parsing the training table's period labels.
    crosswalk : pandas.DataFrame, optional
        ``program, industry, share`` (or ``occupation``): the cells a
        programme's output goes to, as for
        :func:`talentgap.features.training_supply`. A cell's counts are then
        those of the programmes feeding it, each programme's certified
        workers times its share, so a cell's mix is the programmes' mixes
        weighted by the workers they send it, as its supply counts them.
        For cell keys only (not ``program``).

    Returns
    -------
    pandas.DataFrame
        One row per cell (or programme) of the training table: ``<keys...>,
        certified`` (``T``, persons), ``entrants`` (0-1: the part new to the
        cell's set of levels, the part a cell's supply counts, see
        :func:`talentgap.features.training_supply`), ``skilled`` and
        ``high_skilled`` (0-1: workers joining the stock per certified
        worker).

    Raises
    ------
    ParameterError
        If ``skill_levels`` is not given or the training table has no
        ``skill_level`` column.
    SchemaError
        If the training table breaks its schema or the declared levels.

    Examples
    --------
    A programme upgrades senior workers to technicians, another trains new
    senior workers:

    >>> import pandas as pd
    >>> from talentgap.features import SkillLevels
    >>> levels = SkillLevels(order=["senior", "technician"], high_skilled=["technician"])
    >>> training = pd.DataFrame({"period": "2024", "region": "North", "industry": "textiles",
    ...                          "program": ["upgrade", "basic"],
    ...                          "skill_level": ["technician", "senior"],
    ...                          "from_level": ["senior", None],
    ...                          "trained": [50, 80], "certified": [40, 60]})
    >>> place_shares(training, skill_levels=levels, keys=("program",))
       program  certified  entrants  skilled  high_skilled
    0    basic       60.0       1.0      1.0           0.0
    1  upgrade       40.0       0.0      0.0           1.0
    >>> place_shares(training, skill_levels=levels)
      region  industry  certified  entrants  skilled  high_skilled
    0  North  textiles      100.0       0.6      0.6           0.4

    With a crosswalk sending half of the upgrade programme's technicians to
    clothing, clothing's places train like that half, and textiles' like the
    other half and the whole basic programme (20 upgrades of 80 certified):

    >>> crosswalk = pd.DataFrame({"program": ["upgrade", "upgrade", "basic"],
    ...                           "industry": ["textiles", "clothing", "textiles"],
    ...                           "share": [0.5, 0.5, 1.0]})
    >>> place_shares(training, skill_levels=levels, crosswalk=crosswalk)
      region  industry  certified  entrants  skilled  high_skilled
    0  North  clothing       20.0      0.00     0.00          1.00
    1  North  textiles       80.0      0.75     0.75          0.25
    """
    levels = skill_levels_of(skill_levels)
    if levels is None:
        raise ParameterError("skill_levels must be declared to count a place's workers by "
                             "skill level")
    keys = key_list(keys, allow_empty=False, distinct=True, time="period")
    if "skill_level" not in training.columns:
        raise ParameterError("the training table has no 'skill_level' column; a place's "
                             "workers cannot be counted by skill level without one")
    mix = _level_mix(training, levels, keys, freq, 0, 1.0, every_row=True,
                     crosswalk=crosswalk)
    total = mix["every"].to_numpy(dtype=np.float64)
    known = total > 0
    if "skill_level" in keys:
        skilled, high = levels.flags(mix["skill_level"].astype(str))
    else:
        skilled, high = np.ones(len(mix), dtype=bool), np.zeros(len(mix), dtype=bool)
    out = mix[keys].copy()
    out["certified"] = total
    with np.errstate(invalid="ignore", divide="ignore"):
        for name, fallback in (("entrants", np.ones(len(mix), dtype=bool)),
                               ("skilled", skilled), ("high_skilled", high)):
            part = mix["total" if name == "entrants" else name].to_numpy(dtype=np.float64)
            share = part / np.where(known, total, 1.0)
            out[name] = np.where(known, share, fallback.astype(np.float64))
    return out
