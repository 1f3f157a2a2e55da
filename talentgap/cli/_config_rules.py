"""Configuration rules for planners' likely slips: numbers written as text, one absorption.

Kept apart from :mod:`talentgap.cli.config` (which reads and type-checks the
tables) so each stays small; the messages name the file and ``[table] key``
as every configuration error does.
"""

from __future__ import annotations

import dataclasses
import typing

from talentgap.errors import ConfigError

__all__ = ["ABSORPTION_KEYS", "number_text", "refuse_number_text", "one_absorption"]


def number_text(text: str) -> float | None:
    """The number a text spells (``"1,200,000"``, ``"33000000"``, ``"5e6"``), else None.

    Examples
    --------
    >>> number_text("1,200,000"), number_text(" 1_200_000 "), number_text("budget.csv")
    (1200000.0, 1200000.0, None)
    """
    cleaned = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def refuse_number_text(value: str, hint, label: str) -> None:
    """A setting that is a number or a CSV path, given a number as text: a ConfigError."""
    number = number_text(value)
    if number is None:
        return
    example = f"{number:.0f} or {number:_.0f}" if number.is_integer() and number >= 1e4 \
        else f"{number:g}"
    table = ", a table per year" if dict in typing.get_args(hint) else ""
    raise ConfigError(f"{label} must be a number ({example}, without quotes){table} or the "
                      f"path of a CSV; got {value!r}, a number written as text")


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
