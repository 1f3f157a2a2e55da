"""Checks of the arguments shared by forecasters, backtests and metrics.

Interval levels, forecast horizons, season lengths and key-column lists are
validated the same way wherever they are accepted, so one bad value gets one
message whether it goes to ``predict``, ``backtest``, a metric or a table
builder.

Examples
--------
>>> check_levels([95, 80]), check_horizon(4), resolve_season_length(None, "Q-DEC")
([80.0, 95.0], 4, 4)
"""

from __future__ import annotations

import numpy as np

from talentgap.errors import ParameterError

__all__ = ["SEASON_LENGTHS", "check_levels", "check_horizon", "key_list",
           "resolve_season_length"]

#: Default season length per pandas period frequency code.
SEASON_LENGTHS = {"Y": 1, "Q": 4, "M": 12, "W": 52, "D": 7, "B": 5, "h": 24}


def check_levels(level, *, name: str = "level") -> list[float]:
    """Coverage levels as a sorted list of distinct floats in (0, 100).

    Parameters
    ----------
    level : float, sequence of float or None
        Prediction-interval levels in percent; ``None`` for none.
    name : str, default "level"
        The argument's name, for the error message.

    Returns
    -------
    list of float
        Sorted, without repeats; empty for ``None``.

    Raises
    ------
    ParameterError
        If a level is not a number in the open interval (0, 100), or is at
        most 1: levels are percentages, and ``0.8`` is refused with the hint
        to write ``80`` rather than read as a 0.8% interval.

    Examples
    --------
    >>> check_levels([95, 80, 80])
    [80.0, 95.0]
    >>> check_levels(90), check_levels(None)
    ([90.0], [])
    >>> check_levels([80, 100])
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: level=[80, 100]: every level must be in (0, 100), ...
    >>> check_levels([0.8, 0.95])
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: level=0.8 looks like a fraction; use 80 (levels are ...
    >>> check_levels("high", name="levels")
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: levels='high': every level must be a number in ...
    """
    if level is None:
        return []
    try:
        levels = [level] if np.isscalar(level) else list(level)
        if any(isinstance(v, (bool, np.bool_)) for v in levels):
            raise TypeError
        values = [float(v) for v in levels]
    except (TypeError, ValueError):
        raise ParameterError(f"{name}={level!r}: every level must be a number in (0, 100), "
                             "e.g. [80, 95]") from None
    if any(not (0 < v < 100) for v in values):
        raise ParameterError(f"{name}={levels!r}: every level must be in (0, 100), e.g. [80, 95]")
    fractions = [v for v in values if v <= 1]
    if fractions:
        first = fractions[0]
        hint = f"use {100 * first:g}" if first < 1 else "a 100% interval is not allowed"
        raise ParameterError(f"{name}={first:g} looks like a fraction; {hint} "
                             "(levels are percentages in (0, 100), e.g. [80, 95])")
    return sorted(set(values))


def check_horizon(horizon) -> int:
    """The forecast horizon as an ``int`` >= 1.

    Parameters
    ----------
    horizon : int
        Number of periods to forecast (a Python or numpy integer).

    Returns
    -------
    int

    Raises
    ------
    ParameterError
        If ``horizon`` is not an integer or is below 1.

    Examples
    --------
    >>> import numpy as np
    >>> check_horizon(np.int64(8))
    8
    >>> check_horizon(0)
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: horizon == 0, must be an integer >= 1
    """
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ParameterError(f"horizon == {horizon!r}, must be an integer >= 1")
    return int(horizon)


def key_list(keys, *, name: str = "keys") -> list[str]:
    """Key columns as a list of names; one name given as a string is refused.

    A string is a sequence of characters: ``list("region")`` would silently
    become six one-letter columns.

    Parameters
    ----------
    keys : sequence of str
        Column names (may be empty where the caller allows it).
    name : str, default "keys"
        The argument's name, for the message.

    Raises
    ------
    ParameterError
        If ``keys`` is a string or not a sequence.

    Examples
    --------
    >>> key_list(("region", "industry"))
    ['region', 'industry']
    >>> key_list("region")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: keys == 'region' is one string; pass a list ...
    """
    if isinstance(keys, (str, bytes)):
        raise ParameterError(f"{name} == {keys!r} is one string; pass a list of column names, "
                             f"e.g. [{keys!r}]")
    try:
        return list(keys)
    except TypeError:
        raise ParameterError(f"{name} == {keys!r}, must be a list of column names, "
                             "e.g. ['region', 'industry']") from None


def resolve_season_length(season_length: int | None, freq: str) -> int:
    """The season length to use: as given, or from the period frequency.

    Parameters
    ----------
    season_length : int or None
        Periods per season; ``None`` for the default of ``freq``
        (:data:`SEASON_LENGTHS`: 1 annual, 4 quarterly, 12 monthly, ...).
    freq : str
        pandas period frequency string, e.g. ``"Q-DEC"`` or ``"M"``.

    Returns
    -------
    int

    Raises
    ------
    ParameterError
        If ``season_length`` is not a whole number >= 1, or is ``None`` for
        a frequency without a default.

    Examples
    --------
    >>> resolve_season_length(None, "Q-DEC"), resolve_season_length(7, "D")
    (4, 7)
    >>> resolve_season_length(0, "M")
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: season_length == 0, must be an integer >= 1
    """
    if season_length is None:
        code = freq.split("-")[0].rstrip("SE") or freq[0]
        if code not in SEASON_LENGTHS:
            raise ParameterError(f"no default season length for frequency {freq!r}; "
                                 "pass season_length")
        return SEASON_LENGTHS[code]
    if not float(season_length).is_integer() or season_length < 1:
        raise ParameterError(f"season_length == {season_length!r}, must be an integer >= 1")
    return int(season_length)
