"""Configuration rules for planners' likely slips: numbers written as text, one absorption.

Kept apart from :mod:`talentgap.cli.config` (which reads the tables) and
:mod:`talentgap.cli._config_checks` (which type-checks them) so each stays
small; the messages name the file and ``[table] key`` as every configuration
error does.
"""

from __future__ import annotations

import dataclasses
import re
import typing

from talentgap.errors import ConfigError

__all__ = ["ABSORPTION_KEYS", "number_text", "refuse_number_text", "one_absorption"]


#: ``1,200,000`` or ``1,200.5``: commas group thousands (the first group does not start with 0).
_COMMA_GROUPS = re.compile(r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?")
#: ``1.200.000`` or ``1.200,5``: dots group thousands, a comma (if any) marks the decimals.
_DOT_GROUPS = re.compile(r"[+-]?[1-9]\d{0,2}((\.\d{3}){2,}(,\d*)?|(\.\d{3})+,\d*)")
#: ``0,85`` or ``12,5``: a decimal comma.
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")


def _read_number(text: str) -> tuple[float | None, bool]:
    """The number a text spells and whether it was written with a decimal comma."""
    cleaned = text.strip().replace("_", "").replace(" ", "")
    comma = False
    if _COMMA_GROUPS.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    elif _DOT_GROUPS.fullmatch(cleaned):
        comma = "," in cleaned
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif _DECIMAL_COMMA.fullmatch(cleaned):
        comma = True
        cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned), comma
    except ValueError:
        return None, False


def number_text(text: str) -> float | None:
    """The number a text spells (``"1,200,000"``, ``"1.200.000"``, ``"0,85"``), else None.

    Thousands may be grouped with commas, dots (two groups or more, or with a
    decimal comma: ``"1.200,5"``), spaces or underscores; a comma that groups
    no thousands (``"0,85"``, ``"12,5"``) is a decimal comma. A single dot
    is a decimal point (``"1.200"`` is 1.2), as a single comma before three
    digits groups thousands (``"1,200"`` is 1200).

    Examples
    --------
    >>> number_text("1,200,000"), number_text(" 1_200_000 "), number_text("budget.csv")
    (1200000.0, 1200000.0, None)
    >>> number_text("1.200.000"), number_text("1.200,5"), number_text("0,85")
    (1200000.0, 1200.5, 0.85)
    """
    return _read_number(text)[0]


def refuse_number_text(value: str, hint, label: str) -> None:
    """A setting that is a number or a CSV path, given a number as text: a ConfigError."""
    number, comma = _read_number(value)
    if number is None:
        return
    example = f"{number:.0f} or {number:_.0f}" if number.is_integer() and number >= 1e4 \
        else f"{number:g}"
    table = ", a table per year" if dict in typing.get_args(hint) else ""
    decimal = " (a decimal comma: write a decimal point)" if comma else ""
    raise ConfigError(f"{label} must be a number ({example}, without quotes){table} or the "
                      f"path of a CSV; got {value!r}, a number written as text{decimal}")


#: The two keys of the one absorption setting: the share of certified trainees who take
#: jobs in their trade, for the supply of past training and for the plan's places.
ABSORPTION_KEYS = (("panel", "absorption"), ("plan", "absorption"))


def one_absorption(raw: dict, changes: dict, current, where: str) -> None:
    """``[panel] absorption`` and ``[plan] absorption`` as one setting, in ``changes``.

    A layer of settings (a file, ``--set`` flags) that gives one of the two
    keys sets both; giving both with different values is a ConfigError
    naming both keys.
    """
    given = {table: changes[table].absorption for table, key in ABSORPTION_KEYS
             if isinstance(raw.get(table), dict) and key in raw[table]}
    if not given:
        return
    if len(given) == 2 and given["panel"] != given["plan"]:
        raise ConfigError(
            f"{where}[panel] absorption ({given['panel']!r}) and [plan] absorption "
            f"({given['plan']!r}) differ; both are the share of certified trainees who take "
            "jobs in their trade (for the supply of past training and for the plan's places), "
            "so set it once: keep [plan] absorption and remove [panel] absorption")
    value = next(iter(given.values()))
    for table, _ in ABSORPTION_KEYS:
        section = changes.get(table, getattr(current, table))
        changes[table] = dataclasses.replace(section, absorption=value)
