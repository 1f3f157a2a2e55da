"""Plain-words meanings of the gap forecast's warning flags, for the report and the CSVs."""

from __future__ import annotations

from talentgap.models import gap_flags

__all__ = ["flag_meanings"]


def _least_change() -> str:
    change = gap_flags.LEAST_CHANGE
    return f"{change:g} person" + ("" if change == 1 else "s")


def flag_meanings(season_length: int = 1) -> dict[str, str]:
    """Each warning flag of a gap forecast in words, with its threshold.

    The thresholds are read from :mod:`talentgap.models.gap_flags`, so the
    words follow the code.

    Parameters
    ----------
    season_length : int, default 1
        Periods in a year of the forecast (4 for quarters); the demand and
        supply flags compare whole years.

    Returns
    -------
    dict of str -> str
        One sentence per code of :data:`talentgap.models.gap_flags.FLAGS`.

    Examples
    --------
    >>> print(flag_meanings(4)["rising_demand"])
    Forecast demand over the year (4 quarters) up to the flagged forecast period exceeds demand
    over the last observed year (4 quarters) by more than 10% (and by at least 1 person per
    period).
    """
    unit = {4: "quarters", 12: "months"}.get(season_length, "periods")
    year = "year" if season_length == 1 else f"year ({season_length} {unit})"
    span = max(2 * season_length, 4)
    return {
        "rising_demand": f"Forecast demand over the {year} up to the flagged forecast period "
                         f"exceeds demand over the last observed {year} by more than "
                         f"{gap_flags.RISING_DEMAND:.0%} (and by at least "
                         f"{_least_change()} per period).",
        "falling_supply": f"Forecast supply over the {year} up to the flagged forecast period "
                          f"is more than {gap_flags.FALLING_SUPPLY:.0%} below supply over the "
                          f"last observed {year} (and by at least "
                          f"{_least_change()} per period).",
        "persistent_gap": f"The observed gap was positive in each of the last "
                          f"{gap_flags.PERSISTENT_PERIODS} {unit} and the forecast gap is "
                          "positive too.",
        "thin_data": f"Over the last {span} {unit} the survey had fewer than "
                     f"{gap_flags.THIN_RESPONDENTS:g} respondents per {unit[:-1]} on average, "
                     f"or more than {gap_flags.THIN_MISSING_SHARE:.0%} of those {unit} have no "
                     "demand estimate: the forecast rests on little data.",
        "short_history": "The cell has too short a history for the full models, or too short "
                         "to check its own past forecasts this far ahead: its forecast comes "
                         "from a simpler fallback or from few observations (named, with the "
                         "periods used, in the table of how the largest gaps were forecast "
                         "and in the output file forecast.csv) and its interval is set from "
                         "cells with as much history; read both with care. A cell with as "
                         "long a history as the others is flagged when its history outside "
                         "the periods each past forecast covered shows no change (mostly "
                         "zeros), so its own past errors cannot be measured against it; "
                         "its fallback reason says so, and whether a longer history set its "
                         "interval or, none being longer, the errors of all cells.",
        "last_period_missing": "The cell's demand or supply was not observed in the last "
                               "period(s) before the forecast (for example its rows were "
                               "left out as invalid): its forecast starts from its last "
                               "observed period (named in the output file forecast.csv), so "
                               "each forecast period is one step or more further ahead than "
                               "for the other cells, and its interval is that of a forecast "
                               "so far ahead.",
        "outlier_in_history": "An observed demand or supply value of the cell changed from "
                              "the one before (a year before, for seasonal data) by far more "
                              "than any of its other changes (beyond "
                              f"{gap_flags.OUTLIER_FENCE_IQR:g} interquartile ranges of them): "
                              "a data error, or a survey estimate one large respondent "
                              "moved. The interval is kept from widening "
                              "with it, but the forecast may follow it; the run's warnings "
                              "name the period and the value: check it, and correct an error "
                              "(or set [forecast] outliers = \"mask\" to leave out such a "
                              "value when the series comes back after it; a value in the "
                              "last season, or the start of a new level, is kept).",
        "outlier_masked": "A past demand or supply value of the cell changed by far more "
                          "than any of its other changes and, as the run's settings ask "
                          "([forecast] outliers = \"mask\"), was set aside as a likely data "
                          "error: the forecast fills it in from the periods around it. The "
                          "notes on the input data and the output file masked_values.csv "
                          "name it: if it was a real change, the forecast leaves it out.",
        "no_demand_data": "Demand was never observed: no forecast is made.",
        "no_supply_data": "No certified workers were ever observed for the cell: supply is "
                          "taken as 0 (known future supply still counts).",
        "known_supply": "The supply of the period is known, not forecast: certified workers "
                        "of training already in the training table, who arrive after the "
                        "lead time. It is the same in every sample path, so the interval of "
                        "the gap comes from demand alone.",
    }
