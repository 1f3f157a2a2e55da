"""Score an edition's workforce projection against the stocks observed later.

A multi-year plan is funded on a yearly projection of each cell's skilled
(and high-skilled) stock without the plan: the last observed stock rolled
forward with exits and the forecast certified supply
(:func:`talentgap.planning.project_skilled_stock`). When that projection
is stored with the edition (``EditionStore.add(..., projection=...)``),
:func:`score_stocks` compares it with the stocks a later employment table
records for the same years: per region and for all regions together,
projected against observed stock in persons and percent, and the observed
share (skilled of employment, high-skilled of skilled) against the
projected one.

A year's observed stock is each cell's count in the last period of the
year it is observed in, the way a plan's base-year stock is read
(:func:`talentgap.planning.target_bases`), from the employment table by
skill level summed with :func:`talentgap.features.skilled_employment`.
Only complete years are scored: a cell whose last period of the year is
not the year's end (a table reaching 2025Q2) is listed as not scored, as
the projection is of the stock at the end of each year. A region's stock is
the sum over the cells both the projection and the later table have.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from talentgap.editions._projection import projection_years
from talentgap.editions.store import EditionStore
from talentgap.errors import EditionError
from talentgap.features import skilled_employment
from talentgap.periods import parse_periods, year_end_ordinals

__all__ = ["StockScores", "score_stocks", "ALL_REGIONS", "STOCK_COLUMNS"]

#: The ``region`` label of the rows of all regions together.
ALL_REGIONS = "all regions"
#: The columns of :attr:`StockScores.stocks`.
STOCK_COLUMNS = ["year", "skill_level", "region", "n_cells", "projected", "observed", "error",
                 "error_pct", "share_of", "projected_denominator", "observed_denominator",
                 "projected_share", "observed_share", "observed_vs_projected", "target_share",
                 "policy_need"]
#: Per level: the projection's stock column, its share's denominator and the target column.
_LEVELS = {"skilled": ("projected_stock", "employment", "target_share"),
           "high_skilled": ("projected_stock_high_skilled", "skilled",
                            "target_share_high_skilled")}
#: Per level: the projection's policy-need column (``policy_need.csv`` names, then
#: :func:`talentgap.planning.policy_need`'s).
_NEEDS = {"skilled": ("policy_need_skilled", "policy_need"),
          "high_skilled": ("policy_need_high_skilled",)}


@dataclass(frozen=True)
class StockScores:
    """Projected against observed stocks of one edition (see :func:`score_stocks`).

    Attributes
    ----------
    edition : str
    projected_years : list of int
        The years of the stored projection (empty without one).
    observed_years : list of int
        The years the later employment table observes to their end (in at
        least one cell).
    stocks : pandas.DataFrame
        One row per year scored, level and region, then the rows of all
        regions together (``region`` :data:`ALL_REGIONS`): ``year,
        skill_level`` (``"skilled"``, ``"high_skilled"`` when the projection
        has its stock), ``region, n_cells`` (cells summed), ``projected,
        observed`` (persons), ``error`` (projected minus observed, persons),
        ``error_pct`` (the error in percent of the observed stock),
        ``share_of`` (``"employment"`` or ``"skilled"``),
        ``projected_denominator, observed_denominator`` (persons),
        ``projected_share, observed_share`` (0-1), ``observed_vs_projected``
        (``"above"``, ``"below"`` or ``"equal"``: the observed share against
        the projected one, to 4 decimals) and ``target_share`` (the
        region's target share that year, from the projection; NaN for all
        regions together or without a target) and ``policy_need`` (the
        projection's policy need of the level that year, summed over the
        cells compared, persons; NaN when the projection has none): the
        workers the plan was funded to add, to set the error against.
    not_scored : pandas.DataFrame
        Cell-years of the projection not scored: ``<keys...>, year, reason``
        (``"after the later data's last year (2024)"``, ``"cell not in the
        later data that year"``, ``"year not complete in the later data
        (last period 2025Q2)"``).

    Examples
    --------
    >>> scores = StockScores("2023Q4", [2024], [], pd.DataFrame(columns=STOCK_COLUMNS),
    ...                      pd.DataFrame())
    >>> scores.note
    'The projection of edition 2023Q4 covers 2024; the later employment table observes no \
complete year of it (it observes none): no stock was compared.'
    """

    edition: str
    projected_years: list
    observed_years: list
    stocks: pd.DataFrame
    not_scored: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def scored_years(self) -> list[int]:
        """The years compared."""
        return sorted({int(y) for y in self.stocks["year"]}) if len(self.stocks) else []

    @property
    def note(self) -> str:
        """Why nothing was compared (no projection, no year in common), or ``""``."""
        if not self.projected_years:
            return (f"Edition {self.edition} has no stored workforce projection (stored "
                    "without a multi-year plan with targets, or before projections were "
                    "kept): no stock was compared.")
        if self.scored_years:
            return ""
        seen = _years_text(self.observed_years) or "none"
        return (f"The projection of edition {self.edition} covers "
                f"{_years_text(self.projected_years)}; the later employment table observes "
                f"no complete year of it (it observes {seen}): no stock was compared.")


def _years_text(years) -> str:
    """``2024``, ``2024-2026`` or ``2022, 2024``."""
    years = sorted(int(y) for y in years)
    if not years:
        return ""
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 1:
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))


def score_stocks(store: EditionStore | str | os.PathLike, name: str,
                 employment: pd.DataFrame, *, skill_levels=None,
                 by: str | None = "region") -> StockScores:
    """Compare the stored workforce projection of an edition with later observed stocks.

    Parameters
    ----------
    store : EditionStore or path
        The edition store.
    name : str
        The edition.
    employment : pandas.DataFrame
        The later ``employment`` table: the projection's keys, ``period``
        and ``employment``, with ``skilled`` (and ``high_skilled``) columns
        or by ``skill_level`` with ``skill_levels`` declared.
    skill_levels : SkillLevels or sequence of str, optional
        The declared levels of a table by ``skill_level``
        (:func:`talentgap.features.skilled_employment`); without them its
        rows are summed per cell and need ``skilled``.
    by : str or None, default "region"
        The key to break the comparison down by (a key of the projection);
        None or a key it lacks: all cells together only.

    Returns
    -------
    StockScores
        Empty ``stocks`` (and a :attr:`StockScores.note`) when the edition
        has no projection or no year of it is observed to its end.

    Raises
    ------
    EditionError
        No such edition, or the employment table lacks a key or count.
    SchemaError
        A period label of the employment table cannot be read.

    Examples
    --------
    An edition whose plan projected 300 skilled workers of 1,000 employed in
    2024 for region A; 2024 then recorded 320 of 1,000 (quarterly, 2024Q4):

    >>> import tempfile, talentgap as tg
    >>> data = tg.datasets.make_synthetic(n_regions=1, industries=1, n_periods=12, seed=0)
    >>> panel = tg.features.build_panel(data.surveys, data.training)
    >>> gap = tg.models.GapForecaster(forecaster=tg.models.Naive(), n_samples=20).fit(panel)
    >>> projection = gap.cells_.assign(period=2024, employment=1000.0, projected_stock=300.0)
    >>> later = gap.cells_.assign(period=["2024Q4"], employment=1000, skilled=320)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     store = EditionStore(f"{tmp}/editions.sqlite")
    ...     store.add("2023Q4", gap, gap.predict(2), projection=projection)
    ...     scores = score_stocks(store, "2023Q4", later)
    >>> scores.stocks[["region", "projected", "observed", "error", "error_pct",
    ...                "observed_vs_projected"]]
            region  projected  observed  error  error_pct observed_vs_projected
    0   Amberfield      300.0     320.0  -20.0      -6.25                 above
    1  all regions      300.0     320.0  -20.0      -6.25                 above
    """
    if not isinstance(store, EditionStore):
        store = EditionStore(store)
    projection = store.projection(name)
    if projection is None:
        return StockScores(name, [], [], pd.DataFrame(columns=STOCK_COLUMNS))
    keys = _projection_keys(projection, store, name)
    years = projection_years(projection["period"])
    projected = projection.assign(year=years, **{k: projection[k].astype(str) for k in keys})
    observed = _observed(employment, keys, skill_levels)
    complete = observed[observed["complete"]]
    both = projected.merge(complete.drop(columns="complete"), on=[*keys, "year"], how="inner",
                           suffixes=("", "_observed"))
    not_scored = _not_scored(projected, observed, keys)
    rows = [_compare(both, level, keys, group)
            for level in _LEVELS if _LEVELS[level][0] in projected.columns
            for group in ([by] if by in keys else []) + [None]]
    stocks = pd.concat([r for r in rows if len(r)], ignore_index=True) if any(
        len(r) for r in rows) else pd.DataFrame(columns=STOCK_COLUMNS)
    order = {level: i for i, level in enumerate(_LEVELS)}
    stocks = stocks.sort_values(["year", "skill_level"], key=lambda c: c.map(order)
                                if c.name == "skill_level" else c, kind="stable")
    return StockScores(name, sorted(set(years.tolist())),
                       sorted(set(complete["year"].tolist())),
                       stocks.reset_index(drop=True)[STOCK_COLUMNS], not_scored)


def _projection_keys(projection: pd.DataFrame, store: EditionStore, name: str) -> list[str]:
    """The stored projection's keys: the model's keys without ``skill_level`` it has."""
    config = store.metadata(name).get("config")
    data = config.get("data") if isinstance(config, dict) else None
    model_keys = list((data.get("keys") if isinstance(data, dict) else None) or [])
    keys = [k for k in model_keys if k != "skill_level" and k in projection.columns]
    if not keys:  # an artifact without the keys recorded: the text columns before period
        keys = list(projection.columns[:list(projection.columns).index("period")])
    return keys


def _observed(employment: pd.DataFrame, keys: Sequence[str], skill_levels) -> pd.DataFrame:
    """Per cell and year: the counts in the year's last observed period, and if it ends it."""
    keys = list(keys)
    if not isinstance(employment, pd.DataFrame):
        raise EditionError(f"employment must be a DataFrame, got {type(employment).__name__}")
    missing = [c for c in [*keys, "period", "employment"] if c not in employment.columns]
    if missing:
        raise EditionError(f"table 'employment' lacks the column(s) {missing}: the stocks "
                           f"are compared per cell ({keys}) and period")
    table = employment
    if "skill_level" in table.columns and skill_levels is not None:
        table = skilled_employment(table, skill_levels=skill_levels, keys=keys)
    counts = [c for c in ("employment", "skilled", "high_skilled") if c in table.columns]
    if "skilled" not in counts:
        raise EditionError("table 'employment' has no 'skilled' column (nor skill levels "
                           "declared to count them): the skilled stock cannot be observed")
    periods = table["period"]
    if not isinstance(periods.dtype, pd.PeriodDtype):
        periods = parse_periods(periods.reset_index(drop=True)).set_axis(table.index)
    table = pd.DataFrame({**{k: table[k].astype(str) for k in keys}, "_t": periods.array.asi8,
                          **{c: pd.to_numeric(table[c]).astype(np.float64) for c in counts}})
    freq = str(periods.dtype)[len("period["):-1]
    table["year"] = periods.dt.year.to_numpy()
    # a table by level whose levels are not declared: the levels of a cell add up
    table = table.groupby([*keys, "year", "_t"], observed=True, sort=True)[counts].sum()
    last = table.reset_index().groupby([*keys, "year"], observed=True, sort=False).tail(1)
    ends = year_end_ordinals(last["year"].to_numpy(), freq)
    last = last.assign(complete=last["_t"].to_numpy() >= ends,
                       last_period=pd.PeriodIndex.from_ordinals(last["_t"].to_numpy(),
                                                                freq=freq).astype(str))
    return last.drop(columns="_t").reset_index(drop=True)


def _not_scored(projected: pd.DataFrame, observed: pd.DataFrame,
                keys: list[str]) -> pd.DataFrame:
    """The projection's cell-years without a complete later year, and why."""
    rows = projected[[*keys, "year"]].merge(observed[[*keys, "year", "complete", "last_period"]],
                                            on=[*keys, "year"], how="left")
    rows = rows[~rows["complete"].fillna(False).astype(bool)]
    last_year = int(observed["year"].max()) if len(observed) else None
    reason = np.where(
        rows["complete"].notna(),
        "year not complete in the later data (last period "
        + rows["last_period"].fillna("").astype(str) + ")",
        np.where(rows["year"] > (last_year if last_year is not None else -1),
                 f"after the later data's last year ({last_year})",
                 "cell not in the later data that year"))
    return rows[[*keys, "year"]].assign(reason=reason).reset_index(drop=True)


def _compare(both: pd.DataFrame, level: str, keys: list[str], by: str | None) -> pd.DataFrame:
    """Projected against observed stock of ``level`` per ``by`` group (None: all) and year."""
    column, denominator, target = _LEVELS[level]
    observed = "skilled" if level == "skilled" else "high_skilled"
    if observed not in both.columns:
        return pd.DataFrame(columns=STOCK_COLUMNS)
    # the projected denominator: employment, or the projected skilled stock
    frame = pd.DataFrame({
        "year": both["year"], "region": both[by] if by else ALL_REGIONS,
        "projected": pd.to_numeric(both[column]),
        "observed": pd.to_numeric(both[observed]),
        "projected_denominator": pd.to_numeric(
            both["employment"] if level == "skilled" else both["projected_stock"]),
        "observed_denominator": pd.to_numeric(
            both["employment_observed"] if level == "skilled" else both["skilled"]),
        "target_share": (pd.to_numeric(both[target]) if by and target in both.columns
                         else np.nan)})
    need = next((c for c in _NEEDS[level] if c in both.columns), None)
    frame["policy_need"] = pd.to_numeric(both[need]) if need else np.nan
    grouped = frame.groupby(["year", "region"], sort=True)
    out = grouped[["projected", "observed", "projected_denominator",
                   "observed_denominator"]].sum()
    out["n_cells"] = grouped.size()
    out["target_share"] = grouped["target_share"].first()
    out["policy_need"] = grouped["policy_need"].sum(min_count=1)
    out = out.reset_index()
    out["error"] = out["projected"] - out["observed"]
    with np.errstate(divide="ignore", invalid="ignore"):
        out["error_pct"] = np.where(out["observed"] > 0, 100 * out["error"] / out["observed"],
                                    np.nan)
        out["projected_share"] = out["projected"] / out["projected_denominator"].where(
            out["projected_denominator"] > 0)
        out["observed_share"] = out["observed"] / out["observed_denominator"].where(
            out["observed_denominator"] > 0)
    difference = (out["observed_share"] - out["projected_share"]).round(4)
    out["observed_vs_projected"] = np.select([difference > 0, difference < 0, difference == 0],
                                             ["above", "below", "equal"], "")
    out["skill_level"] = level
    out["share_of"] = denominator
    return out[STOCK_COLUMNS]
