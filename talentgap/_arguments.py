"""Checks of the arguments shared by forecasters, backtests and metrics.

Interval levels, forecast horizons, season lengths, lags and other counts,
and key-column lists are validated the same way wherever they are accepted,
so one bad value gets one message whether it goes to ``predict``,
``backtest``, a metric, a feature or a planning table. The names of the
interval columns (``lo_80``, ``gap_hi_95``) are made here too, by
:func:`interval_columns`, so that every table labels a level alike, and
read back by :func:`parse_interval_column`.

Counts (a horizon, a season length, a lag, a number of windows) follow
scikit-learn's rule for integer parameters: a Python or numpy integer is
accepted; a bool, a string and a float are refused, even a whole float such
as ``4.0`` (write ``4``, or ``int(x)`` for a value read from a float column).

Examples
--------
>>> check_levels([95, 80]), check_horizon(4), resolve_season_length(None, "Q-DEC")
([80.0, 95.0], 4, 4)
>>> check_count(0, "n_windows", minimum=0), interval_columns(80, prefix="gap")
(0, ('gap_lo_80', 'gap_hi_80'))
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from numbers import Integral

import numpy as np

from talentgap.errors import ParameterError

__all__ = ["SEASON_LENGTHS", "check_count", "check_counts", "check_levels", "check_horizon",
           "interval_columns", "is_integer", "key_list", "level_label",
           "parse_interval_column", "parse_level_label", "resolve_season_length"]

#: Significant digits of a level in a column name (``f"{level:g}"``).
LABEL_DIGITS = 6

#: A level's label as :func:`level_label` writes levels in (1, 100): digits, maybe a fraction.
_LEVEL_TEXT = re.compile(r"\d+(?:\.\d+)?")

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
        to write ``80`` rather than read as a 0.8% interval. Also if two
        levels get the same column label (:func:`level_label` keeps 6
        significant digits: 80 and 80.0000001 are both ``lo_80``), or if a
        level's label would read 100 or less than 1 (99.9999999 gives
        ``lo_100``).

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
    >>> check_levels([80, 80.0000001])
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: level=[80, 80.0000001]: the levels 80.0 and 80.0000001 \
both give the columns lo_80/hi_80 (a level keeps 6 significant digits in a column name); drop one \
or make them differ within 6 digits, e.g. [80]
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
    out = sorted(set(values))
    _check_labels(out, level, name)
    return out


def _check_labels(values: list[float], level, name: str) -> None:
    """Refuse levels whose column labels collide or do not read as a level in (1, 100)."""
    labels = [level_label(v) for v in values]
    for value, label in zip(values, labels, strict=True):
        if not 1 < float(label) < 100:
            bound = "at most 99.9999, e.g. 99.9" if value > 50 else "at least 1.00001, e.g. 1.5"
            raise ParameterError(
                f"{name}={value!r} would be labelled {label} in column names (lo_{label}/"
                f"hi_{label}: a level keeps {LABEL_DIGITS} significant digits), which is not "
                f"a level in (1, 100); use a level of {bound}")
    for k in range(1, len(values)):
        if labels[k] == labels[k - 1]:
            label = labels[k]
            raise ParameterError(
                f"{name}={level!r}: the levels {values[k - 1]!r} and {values[k]!r} both give "
                f"the columns lo_{label}/hi_{label} (a level keeps {LABEL_DIGITS} significant "
                f"digits in a column name); drop one or make them differ within "
                f"{LABEL_DIGITS} digits, e.g. [{label}]")


def level_label(level) -> str:
    """The text of a level in column names: ``80`` for 80.0, ``97.5``, 6 significant digits.

    Parameters
    ----------
    level : float
        A level in percent, as returned by :func:`check_levels`.

    Returns
    -------
    str

    Examples
    --------
    >>> level_label(80.0), level_label(97.5), level_label(12.3456789)
    ('80', '97.5', '12.3457')
    """
    return f"{float(level):g}"


def interval_columns(level, prefix: str = "") -> tuple[str, str]:
    """The lower and upper bound columns of a level: ``lo_80``, ``hi_80``.

    Parameters
    ----------
    level : float
        A level in percent, as returned by :func:`check_levels` (which
        refuses levels whose labels collide or read 100).
    prefix : str, default ""
        The quantity the interval bounds, ``""`` for the ``mean`` of a
        forecast: ``prefix="gap"`` gives ``gap_lo_80``, ``gap_hi_80``.

    Returns
    -------
    tuple of str
        ``(lower, upper)`` column names.

    Examples
    --------
    >>> interval_columns(80.0), interval_columns(97.5, prefix="demand")
    (('lo_80', 'hi_80'), ('demand_lo_97.5', 'demand_hi_97.5'))
    """
    label = level_label(level)
    head = f"{prefix}_" if prefix else ""
    return f"{head}lo_{label}", f"{head}hi_{label}"


def parse_level_label(label) -> float | None:
    """The level a column label names, the inverse of :func:`level_label`.

    Parameters
    ----------
    label : str
        The text after ``lo_``, ``hi_`` or ``coverage_`` in a column name.

    Returns
    -------
    float or None
        The level in percent; ``None`` if ``label`` is not a decimal number
        in (0, 100) (no sign, no exponent), so other columns are never taken
        for a level's.

    Examples
    --------
    >>> parse_level_label(level_label(97.5)), parse_level_label("80")
    (97.5, 80.0)
    >>> parse_level_label("100"), parse_level_label("1e1"), parse_level_label("low")
    (None, None, None)
    """
    if not isinstance(label, str) or _LEVEL_TEXT.fullmatch(label) is None:
        return None
    level = float(label)
    return level if 0 < level < 100 else None


def parse_interval_column(column, prefix: str = "") -> tuple[str, float] | None:
    """The side and level of an interval column, the inverse of :func:`interval_columns`.

    Parameters
    ----------
    column : str
        A column name, e.g. ``"gap_lo_80"``.
    prefix : str, default ""
        The quantity the interval bounds, as given to :func:`interval_columns`
        (``""`` for the ``lo_80``/``hi_80`` columns of a forecast's ``mean``).

    Returns
    -------
    tuple of (str, float) or None
        ``("lo", 80.0)`` or ``("hi", 80.0)``; ``None`` for any other column
        (another quantity's bounds, or a label :func:`parse_level_label`
        does not read as a level).

    Examples
    --------
    >>> parse_interval_column("gap_hi_97.5", prefix="gap"), parse_interval_column("lo_80")
    (('hi', 97.5), ('lo', 80.0))
    >>> [parse_interval_column(c, prefix="gap") for c in ("lo_80", "gap_lo_x", "gap")]
    [None, None, None]
    >>> parse_interval_column(interval_columns(12.3456789, prefix="demand")[0], "demand")
    ('lo', 12.3457)
    """
    if not isinstance(column, str):
        return None
    head = f"{prefix}_" if prefix else ""
    if not column.startswith(head):
        return None
    side, _, label = column[len(head):].partition("_")
    if side not in ("lo", "hi"):
        return None
    level = parse_level_label(label)
    return None if level is None else (side, level)


def is_integer(value) -> bool:
    """Whether ``value`` is a Python or numpy integer (not a bool, a float or text).

    Examples
    --------
    >>> import numpy as np
    >>> [is_integer(v) for v in (5, np.int64(5), 5.0, "5", True, None)]
    [True, True, False, False, False, False]
    """
    return isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))


def check_count(value, name: str, *, minimum: int = 1, detail: str = "") -> int:
    """A whole-number argument (a horizon, a season length, a lag) as an ``int``.

    One rule for every such argument, scikit-learn's: a Python or numpy
    integer is accepted; a bool, a string, ``None`` and any float (``4.0``
    too) are refused.

    Parameters
    ----------
    value : int
        The argument's value.
    name : str
        The argument's name, for the message.
    minimum : int, default 1
        The smallest value accepted.
    detail : str, default ""
        Words the message adds after the rule: what the count means, an
        example (``" (e.g. 1000)"``) or another value accepted (``" or None"``).

    Returns
    -------
    int

    Raises
    ------
    ParameterError
        ``"<name> == <value>, must be an integer >= <minimum><detail>"``,
        with the integer to write when ``value`` is a whole float.

    Examples
    --------
    >>> import numpy as np
    >>> check_count(np.int64(4), "season_length"), check_count(0, "n_windows", minimum=0)
    (4, 0)
    >>> check_count(4.0, "season_length")
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: season_length == 4.0, must be an integer >= 1 (write 4)
    >>> check_count(True, "horizon")
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: horizon == True, must be an integer >= 1
    >>> check_count(2.0, "n", detail=" (e.g. 1000)")
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: n == 2.0, must be an integer >= 1 (e.g. 1000) (write 2)
    """
    hint = _count_problem(value, minimum)
    if hint is not None:
        raise ParameterError(f"{name} == {value!r}, must be an integer >= {minimum}{detail}"
                             f"{hint}")
    return int(value)


def _count_problem(value, minimum: int) -> str | None:
    """``None`` if ``value`` is an integer >= ``minimum``, else a hint (maybe empty) to add."""
    if is_integer(value) and value >= minimum:
        return None
    if (isinstance(value, (float, np.floating)) and np.isfinite(value)
            and float(value).is_integer() and value >= minimum):
        return f" (write {int(value)})"
    return ""


def check_counts(values, name: str, *, minimum: int = 1) -> list[int]:
    """One or more whole-number arguments (lags, windows) as a list of ``int``.

    Each value follows :func:`check_count`; one value may be given alone.

    Parameters
    ----------
    values : int or sequence of int
        The argument's value(s).
    name : str
        The argument's name, for the message.
    minimum : int, default 1
        The smallest value accepted.

    Returns
    -------
    list of int
        In the order given.

    Raises
    ------
    ParameterError
        If there is no value, or one value breaks :func:`check_count`'s rule
        (the message names the argument, the values and the first bad one).

    Examples
    --------
    >>> check_counts(4, "lags"), check_counts((1, 2, 4), "lags")
    ([4], [1, 2, 4])
    >>> check_counts([1.0, 2], "lags")
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: lags == [1.0, 2], must be integers >= 1; 1.0 is not (write 1)
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        return [check_count(values, name, minimum=minimum)]
    try:
        items = list(values)
    except TypeError:  # a 0-d array
        return [check_count(values, name, minimum=minimum)]
    if not items:
        raise ParameterError(f"{name} == {values!r}, must hold at least one integer "
                             f">= {minimum}")
    for item in items:
        hint = _count_problem(item, minimum)
        if hint is not None:
            raise ParameterError(f"{name} == {values!r}, must be integers >= {minimum}; "
                                 f"{item!r} is not{hint}")
    return [int(item) for item in items]


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
    return check_count(horizon, "horizon")


def key_list(keys, *, name: str = "keys", allow_empty: bool = True, distinct: bool = False,
             strings: bool = False, time: str | None = None, target: str | None = None,
             reserved: Mapping[str, str] | None = None, hint: str | None = None) -> list[str]:
    """Key columns as a list of names, checked against the columns the call uses otherwise.

    The one rule of every ``keys`` argument: a list of column names, not one
    string (a string is a sequence of characters: ``list("region")`` would
    silently become six one-letter columns), each name at most once where
    ``distinct``, and none of them a column the call reads or writes for
    another purpose: the time column, the target, a regressor, an output
    column. A key cannot name such a column because the table would then be
    grouped by the very values it reads (or the output would overwrite its
    labels), which otherwise surfaces far away as "repeated rows".

    Parameters
    ----------
    keys : sequence of str
        Column names.
    name : str, default "keys"
        The argument's name, for the message.
    allow_empty : bool, default True
        Whether no key at all is accepted (a table of one series).
    distinct : bool, default False
        Whether a name given twice is refused.
    strings : bool, default False
        Whether every name must be a ``str`` (pandas also allows other
        column labels).
    time : str, optional
        The call's time column (``"period"``), which no key may name.
    target : str, optional
        The call's target (value) column, which no key may name.
    reserved : mapping of str to str, optional
        Other columns no key may name, each with its role for the message
        (``{"sample": "the sample column"}``); ``time`` and ``target`` are
        added as "the time column" and "the target column".
    hint : str, optional
        What to do instead, for the message, where ``{key}`` stands for the
        clashing key (and ``{{``, ``}}`` for braces); by default the keys
        without the clashing ones (``e.g. ['region']``).

    Returns
    -------
    list of str

    Raises
    ------
    ParameterError
        If ``keys`` is a string or not a sequence, is empty where that is not
        allowed, repeats a name where names must be distinct, holds a label
        that is not a ``str`` where names must be strings, or names a
        reserved column (the message names the argument, the key and the
        rule: "a key cannot be the time column 'period'").

    Examples
    --------
    >>> key_list(("region", "industry"))
    ['region', 'industry']
    >>> key_list("region")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: keys == 'region' is one string; pass a list ...
    >>> key_list(["region", "industry", "region"], distinct=True)
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: keys == ['region', 'industry', 'region'] names 'region' \
more than once; each key column is named once
    >>> key_list(["region", "period"], time="period", target="value")
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: keys == ['region', 'period'] include 'period': a key \
cannot be the time column 'period'; keys name only the columns that identify a series or \
cell, e.g. ['region']
    >>> key_list(["value"], time="period", target="value")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: keys == ['value'] include 'value': a key cannot be the \
target column 'value'; ... e.g. ['region', 'industry']
    """
    if isinstance(keys, (str, bytes)):
        raise ParameterError(f"{name} == {keys!r} is one string; pass a list of column names, "
                             f"e.g. [{keys!r}]")
    try:
        names = list(keys)
    except TypeError:
        raise ParameterError(f"{name} == {keys!r}, must be a list of column names, "
                             "e.g. ['region', 'industry']") from None
    if not names and not allow_empty:
        raise ParameterError(f"{name} == {keys!r}, must name at least one column, "
                             "e.g. ['region', 'industry']")
    if distinct:
        seen: set = set()
        repeated = [k for k in names if k in seen or seen.add(k)]
        if repeated:
            raise ParameterError(f"{name} == {names!r} names {repeated[0]!r} more than once; "
                                 "each key column is named once")
    if strings and not all(isinstance(k, str) for k in names):
        raise ParameterError(f"{name} == {keys!r}, must be column names (str), "
                             "e.g. ['region', 'industry']")
    # a column with several roles is named by its first of: time, target, the others
    roles = {**(reserved or {}),
             **({target: "the target column"} if isinstance(target, str) else {}),
             **({time: "the time column"} if isinstance(time, str) else {})}
    _check_reserved(names, roles, name, hint)
    return names


def _check_reserved(names: list, roles: Mapping[str, str], name: str, hint: str | None) -> None:
    """Refuse the first key that is a column of ``roles``, naming its role."""
    def role_of(key) -> str | None:
        try:
            return roles.get(key)
        except TypeError:  # an unhashable "name" is not a column of any role
            return None

    for key in names:
        role = role_of(key)
        if role is None:
            continue
        if hint is None:
            others = [k for k in names if role_of(k) is None] or ["region", "industry"]
            hint = f"keys name only the columns that identify a series or cell, e.g. {others!r}"
        else:
            hint = hint.format(key=key)
        raise ParameterError(f"{name} == {names!r} include {key!r}: a key cannot be {role} "
                             f"{key!r}; {hint}")


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
        If ``season_length`` is not an integer >= 1 (:func:`check_count`), or
        is ``None`` for
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
    return check_count(season_length, "season_length")
