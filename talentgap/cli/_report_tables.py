"""Shared pieces of the report's sections: tables with headers in words, units, sentences.

Every table of the report goes through :func:`add_table`, which names each
column in words with its unit (:func:`talentgap.cli._wording.column_header`),
so no table shows a raw column name.
"""

from __future__ import annotations

import pandas as pd

from talentgap.cli._wording import column_header, level_words
from talentgap.cli.pipeline import RunResult
from talentgap.errors import ParameterError
from talentgap.models.gap_flags import FLAGS
from talentgap.report import Report

__all__ = ["add_table", "cell_name", "flag_words", "flags_any_period", "is_multiyear",
           "key_words", "sentence", "shortfall_period", "shortfall_span", "shortfall_unit",
           "table_context"]


def flag_words(flags: pd.Series) -> pd.Series:
    """Flag codes as words: ``rising_demand;thin_data`` -> ``rising demand; thin data``.

    Examples
    --------
    >>> flag_words(pd.Series(["rising_demand;thin_data", None])).tolist()
    ['rising demand; thin data', '']
    """
    return flags.fillna("").astype(str).str.replace(";", "; ").str.replace("_", " ")


def flags_any_period(forecast: pd.DataFrame, keys) -> pd.DataFrame:
    """Per cell, the flag codes raised in any forecast period, in the order of ``FLAGS``.

    The same flags as :meth:`talentgap.models.GapForecaster.explain`, so the
    report's tables agree on a cell's flags.

    Examples
    --------
    >>> fc = pd.DataFrame({"region": ["A", "A", "B"], "period": [1, 2, 1],
    ...                    "flag": ["thin_data", "rising_demand", None]})
    >>> flags_any_period(fc, ["region"])["flag"].tolist()
    ['rising_demand;thin_data', '']
    """
    codes = forecast["flag"].fillna("").astype(str)
    cells = forecast[list(keys)].drop_duplicates().reset_index(drop=True)
    raised = pd.Series("", index=cells.index, dtype=object)
    for code in FLAGS:  # a handful of codes, each vectorised over every row
        hit = codes.str.contains(rf"(?:^|;){code}(?:;|$)", regex=True)
        any_hit = (forecast[list(keys)].assign(hit=hit.to_numpy())
                   .groupby(list(keys), observed=True, sort=False)["hit"].any())
        hit = cells.merge(any_hit.reset_index(), on=list(keys), how="left")["hit"]
        hit = hit.fillna(False).astype(bool).to_numpy()
        raised = raised.where(~hit, raised.where(raised == "", raised + ";") + code)
    return cells.assign(flag=raised.to_numpy())


def cell_name(values, keys) -> str:
    """A cell as a person reads it: its key values joined by " / ", levels in words.

    Examples
    --------
    >>> cell_name({"region": "Ashmere", "industry": "textiles",
    ...            "skill_level": "high_skilled"}, ["region", "industry", "skill_level"])
    'Ashmere / textiles / high-skilled'
    """
    return " / ".join(level_words(str(values[k])) if k == "skill_level" else str(values[k])
                      for k in keys)


def key_words(keys) -> str:
    """What a cell is: ``region × industry × skill level``.

    Examples
    --------
    >>> key_words(["region", "industry", "skill_level"])
    'region × industry × skill level'
    """
    return " × ".join(str(k).replace("_", " ") for k in keys)


def sentence(text: str) -> str:
    """``text`` with a capital first letter and a closing full stop.

    Examples
    --------
    >>> sentence("the budget binds")
    'The budget binds.'
    """
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def table_context(result: RunResult, shortfall: str | None = None) -> dict:
    """Units of the report's table headers: frequency, currency, unit of shortfall."""
    freq = "Q"
    for table in (result.forecast, result.panel):
        if table is not None and len(table):
            freq = str(getattr(table["period"].iloc[0], "freqstr", "Q"))
            break
    return {"freq": freq, "currency": result.config.output.currency,
            "shortfall": shortfall or ("person-years" if is_multiyear(result) else "persons")}


def add_table(report: Report, result: RunResult, frame: pd.DataFrame, *, caption: str,
              max_rows: int | None = None, source: str | None = None,
              float_format="{:,.2f}", shortfall: str | None = None, **options) -> None:
    """Add ``frame`` with every header in words (:func:`column_header`), formats following.

    Every table of the report's sections comes through here. A table shown
    in part (``max_rows``) is passed whole, in its order, with ``source``,
    the file (and sheet) holding every row: the line under it then says
    "Showing the first 15 of 1,240 rows; ... all 1,240 rows are in
    <source>", so no cut table is left without it.

    Raises
    ------
    talentgap.errors.ParameterError
        If ``max_rows`` is given without ``source``.
    """
    if max_rows is not None and not source:
        raise ParameterError(f"the table {caption[:60]!r}... is cut to {max_rows} rows: "
                             "give source=, the file holding every row, for the line under it")
    context = table_context(result, shortfall)
    names = {c: column_header(str(c), **context) for c in frame.columns}
    if isinstance(float_format, dict):
        float_format = {names[c]: f for c, f in float_format.items()}
    report.add_table(frame.rename(columns=names), caption=caption, float_format=float_format,
                     max_rows=max_rows, source=source, **options)


def is_multiyear(result: RunResult) -> bool:
    """True for a plan over several funding years (``[plan] years``)."""
    return result.plan is not None and bool(result.config.plan.years)


def shortfall_period(result: RunResult) -> str:
    """The period whose gap a single-period plan closes: its ``arrival_period``.

    Places funded in the summary's ``period`` count ``lead_time`` periods
    later; the plan's shortfalls and per-cell gaps are that period's.
    """
    s = result.plan.summary
    arrival = s.get("arrival_period")
    return str(arrival) if isinstance(arrival, str) and arrival else str(s["period"])


def shortfall_span(result: RunResult) -> str:
    """When the plan's expected shortfall is counted: ``in 2025Q4`` or ``summed over ...``.

    A single-period plan's shortfall is counted in its arrival period
    (:func:`shortfall_period`), not in the period its places are funded in.
    """
    s = result.plan.summary
    if is_multiyear(result) and "need_periods" in s:
        return f"summed over {s['need_periods']}"
    return f"in {shortfall_period(result)}"


def shortfall_unit(result: RunResult) -> str:
    """The unit of the plan's expected shortfall: persons, or person-years over several years."""
    return "person-years" if is_multiyear(result) else "persons"
