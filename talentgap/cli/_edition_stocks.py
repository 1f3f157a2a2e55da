"""``talentgap evaluate``: the stored workforce projection against the stocks observed later.

An edition stored by ``talentgap plan --store`` with ``[plan] years`` and
``[targets]`` keeps the yearly projection its plan was funded on
(``policy_need.csv``, :func:`stored_projection`). :func:`later_stocks`
reads the later employment table the way a run reads it and compares the projected skilled (and
high-skilled) stocks with the observed ones
(:func:`talentgap.editions.score_stocks`); :func:`stock_notes` says the
result in sentences for the terminal, the JSON summary and the report
section (:func:`add_stock_section`); ``edition_stocks.csv`` holds the table.
"""

from __future__ import annotations

import logging

import pandas as pd

from talentgap.cli._employment_freq import read_employment
from talentgap.report import Report

__all__ = ["STOCK_FILE", "stored_projection", "later_stocks", "stock_file", "stock_notes",
           "add_stock_section"]

logger = logging.getLogger("talentgap.cli")

#: The file of the stock comparison.
STOCK_FILE = "edition_stocks.csv"
_LEVEL_WORDS = {"skilled": ("skilled stock", "skilled share of employment"),
                "high_skilled": ("high-skilled stock", "high-skilled share of skilled workers")}


def stored_projection(result) -> pd.DataFrame | None:
    """The workforce projection a run's plan was funded on, to store with its edition.

    With ``[plan] years`` and ``[targets]``: the table ``policy_need.csv``
    holds (:func:`talentgap.cli._targets.policy_need_table`: per cell and
    year, projected employment, skilled and high-skilled stock without the
    plan, target shares and policy need), as the run computed it; None
    otherwise.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> stored_projection(SimpleNamespace(policy=None)) is None
    True
    """
    if getattr(result, "policy", None) is None:
        return None
    from talentgap.cli._targets import policy_need_table

    return policy_need_table(result)


def later_stocks(store, name: str, config):
    """The edition's projection against the later employment table, and any note.

    Returns
    -------
    scores : StockScores or None
        None when the edition has a projection but the later data have no
        employment table (``notes`` says so).
    notes : list of str
        Sentences for the terminal, JSON summary and report.
    """
    from talentgap import io
    from talentgap.editions import StockScores, score_stocks
    from talentgap.editions._projection import projection_years

    data = config.data
    if data.employment is None:
        projection = store.projection(name)
        if projection is None:
            scores = StockScores(name, [], [], pd.DataFrame())
            return scores, [scores.note]
        years = projection_years(projection["period"])
        first, last = int(years.min()), int(years.max())
        return None, [f"The later data have no employment table ([data] employment): the "
                      f"stocks edition {name} projected for {first}-{last} were not "
                      "compared with observed ones."]

    def read(freq):
        return io.read_table(data.employment, table="employment", freq=freq, errors="report",
                             encoding=data.encoding, **data.read_options("employment"))

    employment, report = read_employment(read, data, str(data.employment))
    if not report.ok:
        logger.warning("%s: %s; the stocks are compared on the rows kept",
                       data.employment, report.summary())
    scores = score_stocks(store, name, employment, skill_levels=data.levels())
    return scores, stock_notes(scores)


def stock_file(scores, origin) -> pd.DataFrame:
    """``edition_stocks.csv``: the edition and its origin first, then the comparison."""
    table = scores.stocks if scores is not None else pd.DataFrame()
    lead = pd.DataFrame({"edition": scores.edition if scores is not None else "",
                         "origin": str(origin)}, index=table.index)
    return pd.concat([lead, table], axis=1)


def _persons(value: float) -> str:
    return f"{value:,.0f}"


def stock_notes(scores) -> list[str]:
    """The comparison in sentences: per year and level, all regions, then the largest regional
    error, the policy need set against the error, and what was not compared.

    Examples
    --------
    >>> from talentgap.editions import StockScores
    >>> stocks = pd.DataFrame({
    ...     "year": [2024], "skill_level": ["skilled"], "region": ["all regions"],
    ...     "n_cells": [64], "projected": [641412.0], "observed": [651174.0],
    ...     "error": [-9762.0], "error_pct": [-1.499], "share_of": ["employment"],
    ...     "projected_denominator": [2.5e6], "observed_denominator": [2.52e6],
    ...     "projected_share": [0.2566], "observed_share": [0.2584],
    ...     "observed_vs_projected": ["above"], "target_share": [float("nan")],
    ...     "policy_need": [3184.0]})
    >>> print(stock_notes(StockScores("2023Q4", [2024], [2024], stocks))[0])
    Skilled stock at the end of 2024, all regions (64 cells): projected 641,412, observed \
651,174: the projection was 9,762 persons (1.5%) below what was observed, 3.1 times the \
policy need the plan was funded on for that year (3,184); the observed skilled share of \
employment, 25.84%, is above the projected 25.66%.
    """
    if scores is None:
        return []
    if scores.note:
        return [scores.note]
    stocks = scores.stocks
    notes = []
    for (year, level), rows in stocks.groupby(["year", "skill_level"], sort=False):
        total = rows[rows["region"] == "all regions"]
        if total.empty:
            continue
        row = total.iloc[0]
        stock_words, share_words = _LEVEL_WORDS[level]
        side = "above" if row["error"] > 0 else "below" if row["error"] < 0 else "equal to"
        text = (f"{stock_words.capitalize()} at the end of {year}, all regions "
                f"({row['n_cells']} cells): projected {_persons(row['projected'])}, observed "
                f"{_persons(row['observed'])}: the projection was "
                f"{_persons(abs(row['error']))} persons ({abs(row['error_pct']):.1f}%) "
                f"{side} what was observed")
        need = row["policy_need"]
        if pd.notna(need) and need > 0 and row["error"] != 0:
            ratio = abs(row["error"]) / need
            size = f"{ratio:.1f} times" if ratio >= 1 else f"{ratio:.0%} of"
            text += (f", {size} the policy need the plan was funded on for that year "
                     f"({_persons(need)})")
        if pd.notna(row["observed_share"]) and pd.notna(row["projected_share"]):
            text += (f"; the observed {share_words}, {row['observed_share']:.2%}, is "
                     f"{row['observed_vs_projected'] or 'not comparable to'} the projected "
                     f"{row['projected_share']:.2%}")
        regions = rows[rows["region"] != "all regions"].dropna(subset=["error_pct"])
        if len(regions) > 1:
            worst = regions.loc[regions["error_pct"].abs().idxmax()]
            text += (f". Largest regional error: {worst['region']}, "
                     f"{worst['error']:+,.0f} persons ({worst['error_pct']:+.1f}%)")
        notes.append(text + ".")
    not_scored = scores.not_scored
    if len(not_scored):
        counts = not_scored["reason"].value_counts()
        parts = "; ".join(f"{n:,} {reason}" for reason, n in counts.items())
        notes.append(f"Projected cell-years not compared: {parts} (the projection covers "
                     f"{_span(scores.projected_years)}; every year compared: "
                     f"{_span(scores.scored_years)}).")
    if len(stocks):
        notes.append("A stock projected below the observed one overstates that year's policy "
                     "need by the difference (above it: understates it), and the later "
                     "years' by about as much less exits; a new plan starts from the "
                     "observed stock (every region and year: edition_stocks.csv).")
    return notes


def _span(years) -> str:
    years = sorted(int(y) for y in years)
    if not years:
        return "none"
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


def add_stock_section(report: Report, scores, notes: list[str]) -> None:
    """The report section: the stored projection against the stocks observed later."""
    report.add_section(
        "The workforce projection against what happened",
        intro="A plan with policy targets is funded on a yearly projection of each cell's "
              "skilled (and high-skilled) stock without the plan: the last observed stock, "
              "less exits, plus the certified workers already expected. Here the projection "
              "stored with the edition is compared with the stocks the later employment "
              "table records at the end of each year, per region and for all regions "
              "together. The error is projected minus observed, in persons and in percent of "
              "the observed stock.")
    for note in notes:
        report.add_text(note)
    if scores is None or not len(scores.stocks):
        return
    shown = scores.stocks.assign(year=scores.stocks["year"].astype(str),
                                 skill_level=scores.stocks["skill_level"].map(
                                     lambda level: _LEVEL_WORDS[level][0]))
    headers = {"year": "Year", "skill_level": "Stock", "region": "Region",
               "n_cells": "Cells", "projected": "Projected (persons)",
               "observed": "Observed (persons)", "error": "Error (persons)",
               "error_pct": "Error (% of observed)", "projected_share": "Projected share",
               "observed_share": "Observed share",
               "observed_vs_projected": "Observed share against projected",
               "target_share": "Target share", "policy_need": "Policy need (persons)"}
    table = shown[list(headers)].rename(columns=headers)
    report.add_table(table, caption="Projected against observed stock per region and year "
                                    "(shares: skilled of employment, high-skilled of skilled)",
                     max_rows=60,
                     float_format={"Projected (persons)": "{:,.0f}",
                                   "Observed (persons)": "{:,.0f}",
                                   "Error (persons)": "{:+,.0f}",
                                   "Error (% of observed)": "{:+.1f}",
                                   "Projected share": "{:.2%}", "Observed share": "{:.2%}",
                                   "Target share": "{:.2%}",
                                   "Policy need (persons)": "{:,.0f}"})
