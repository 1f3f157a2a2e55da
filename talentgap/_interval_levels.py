"""Interval levels and the names of the columns that bound them.

A prediction-interval level is a percentage in (0, 100) (``80``, ``97.5``),
checked by :func:`check_levels` wherever a level is accepted, so ``predict``,
``backtest``, a plot, the command line and the service refuse the same levels
with the same message. Its label in column names is written by
:func:`level_label` and :func:`interval_columns` (``lo_80``, ``gap_hi_97.5``)
and read back by :func:`parse_level_label` and :func:`parse_interval_column`,
so every table labels a level alike and no other column is taken for a
level's. :mod:`talentgap._arguments` re-exports these names together with the
other shared argument checks.

Examples
--------
>>> check_levels([95, 80]), interval_columns(80, prefix="gap")
([80.0, 95.0], ('gap_lo_80', 'gap_hi_80'))
>>> parse_interval_column("gap_hi_97.5", prefix="gap"), parse_level_label("gap")
(('hi', 97.5), None)
"""

from __future__ import annotations

import re

import numpy as np

from talentgap.errors import ParameterError

__all__ = ["LABEL_DIGITS", "check_levels", "interval_columns", "level_label",
           "parse_interval_column", "parse_level_label"]

#: Significant digits of a level in a column name (``f"{level:g}"``).
LABEL_DIGITS = 6

#: A level's label as :func:`level_label` writes levels in (1, 100): digits, maybe a fraction.
_LEVEL_TEXT = re.compile(r"\d+(?:\.\d+)?")


def check_levels(level, *, name: str = "level") -> list[float]:
    """Coverage levels as a sorted list of distinct floats in (0, 100), each given once.

    Parameters
    ----------
    level : float, sequence of float or None
        Prediction-interval levels in percent; ``None`` for none.
    name : str, default "level"
        The argument's name, for the error message.

    Returns
    -------
    list of float
        Sorted; empty for ``None``.

    Raises
    ------
    ParameterError
        If a level is not a number in the open interval (0, 100), or is at
        most 1: levels are percentages, and ``0.8`` is refused with the hint
        to write ``80`` rather than read as a 0.8% interval. Also if a level
        is given twice, or two levels get the same column label
        (:func:`level_label` keeps 6 significant digits: 80 and 80.0000001
        are both ``lo_80``): one rule for the library, the command line and
        the service, which never drop a level silently. Also if a level's
        label would read 100 or less than 1 (99.9999999 gives ``lo_100``).

    Examples
    --------
    >>> check_levels([95, 80])
    [80.0, 95.0]
    >>> check_levels([95, 80, 80])
    Traceback (most recent call last):
    ...
    talentgap.errors.ParameterError: level=[95, 80, 80]: 80 is given more than once; give \
each level once, e.g. [80, 95]
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
    if len(out) < len(values):
        twice = [v for v in out if values.count(v) > 1]
        raise ParameterError(
            f"{name}={levels!r}: {', '.join(level_label(v) for v in twice)} "
            f"{'is' if len(twice) == 1 else 'are'} given more than once; give each level "
            f"once, e.g. [{', '.join(level_label(v) for v in out)}]")
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
