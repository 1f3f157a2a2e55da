"""Checks of the arguments shared by forecasters, backtests and metrics.

Interval levels, forecast horizons, season lengths, lags and other counts,
and key-column lists are validated the same way wherever they are accepted,
so one bad value gets one message whether it goes to ``predict``,
``backtest``, a metric, a feature or a planning table. The names of the
interval columns (``lo_80``, ``gap_hi_95``) are made by
:func:`interval_columns`, so that every table labels a level alike, and
read back by :func:`parse_interval_column`; the level checks and column
labels live in :mod:`talentgap._interval_levels` and are re-exported here.

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

import copy
from collections.abc import Iterable, Mapping
from numbers import Integral

import numpy as np

from talentgap._interval_levels import LABEL_DIGITS as LABEL_DIGITS
from talentgap._interval_levels import (
    check_levels,
    interval_columns,
    level_label,
    parse_interval_column,
    parse_level_label,
)
from talentgap.errors import ParameterError

__all__ = ["SEASON_LENGTHS", "check_count", "check_counts", "check_levels", "check_horizon",
           "interval_columns", "is_integer", "key_list", "level_label",
           "parse_interval_column", "parse_level_label", "random_generator",
           "resolve_season_length"]

#: Default season length per pandas period frequency code.
SEASON_LENGTHS = {"Y": 1, "Q": 4, "M": 12, "W": 52, "D": 7, "B": 5, "h": 24}


def is_integer(value) -> bool:
    """Whether ``value`` is a Python or numpy integer (not a bool, a float or text).

    Examples
    --------
    >>> import numpy as np
    >>> [is_integer(v) for v in (5, np.int64(5), 5.0, "5", True, None)]
    [True, True, False, False, False, False]
    """
    return isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))


def random_generator(random_state, *, name: str = "random_state") -> np.random.Generator:
    """A fresh :class:`numpy.random.Generator` from a ``random_state`` argument.

    Accepts what scikit-learn's ``check_random_state`` and
    :func:`numpy.random.default_rng` accept: an integer >= 0, ``None`` (fresh
    entropy), a :class:`numpy.random.Generator`, ``BitGenerator`` or
    ``SeedSequence``, or a legacy :class:`numpy.random.RandomState`. A
    generator passed in is never advanced: the result continues a copy of its
    stream, so the same object (in the same state) gives the same draws each
    time it is used, and an estimator refitted with it gives the same result.
    A ``RandomState`` continues the stream of its bit generator (its state
    copied with ``get_state(legacy=False)``).

    Parameters
    ----------
    random_state : int, numpy.random.Generator, numpy.random.RandomState, \
BitGenerator, SeedSequence or None
    name : str, default "random_state"
        The argument's name, for the error message.

    Returns
    -------
    numpy.random.Generator

    Raises
    ------
    ParameterError
        Anything else (a negative integer, a float, text).

    Examples
    --------
    >>> import numpy as np
    >>> int(random_generator(7).integers(1000)) == int(np.random.default_rng(7).integers(1000))
    True
    >>> legacy = np.random.RandomState(0)
    >>> a = random_generator(legacy).integers(1000, size=3)
    >>> b = random_generator(legacy).integers(1000, size=3)   # not advanced: the same draws
    >>> a.tolist() == b.tolist()
    True
    >>> random_generator(-1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: random_state == -1, must be an integer >= 0, ...
    """
    if random_state is None or (is_integer(random_state) and random_state >= 0) or isinstance(
            random_state, np.random.SeedSequence):
        return np.random.default_rng(random_state)
    if isinstance(random_state, (np.random.Generator, np.random.BitGenerator)):
        return np.random.default_rng(copy.deepcopy(random_state))
    if isinstance(random_state, np.random.RandomState):
        state = random_state.get_state(legacy=False)
        bits = getattr(np.random, state["bit_generator"])()
        bits.state = state
        return np.random.Generator(bits)
    raise ParameterError(f"{name} == {random_state!r}, must be an integer >= 0, a "
                         "numpy.random.Generator, a numpy.random.RandomState or None")


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
