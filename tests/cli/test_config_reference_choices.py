"""The configuration reference (the docstring of :mod:`talentgap.cli.config`, which the
documentation's command-line page prints) names every value a setting with choices accepts."""

from __future__ import annotations

import dataclasses
import re

import pytest

from talentgap.cli import config


def _entries() -> dict[tuple[str, str], str]:
    """``(table, key) -> the reference's text of that key``: its line and the comment lines
    under it."""
    block = config.__doc__.split("::", 1)[1].split("\n\n", 1)[1].split("Unknown tables", 1)[0]
    entries: dict[tuple[str, str], str] = {}
    table = key = None
    for line in block.splitlines():
        head = re.match(r"    \[(\w+)[\].]", line)
        setting = re.match(r"    (\w+) = ", line)
        if head:
            table, key = head.group(1), None
        elif setting and table is not None:
            key = setting.group(1)
            entries[(table, key)] = entries.get((table, key), "") + line
        elif key is not None and line.strip().startswith("#"):
            entries[(table, key)] += line
    return entries


CHOICES = [(table, f.name, tuple(f.metadata["choices"]))
           for table, section in config._SECTIONS.items()
           for f in dataclasses.fields(section) if "choices" in f.metadata]


@pytest.mark.parametrize(("table", "key", "choices"), CHOICES,
                         ids=[f"{t}.{k}" for t, k, _ in CHOICES])
def test_the_reference_names_every_accepted_value(table, key, choices):
    text = _entries().get((table, key))
    if text is None:
        pytest.skip(f"[{table}] {key} is not in the reference")
    missing = [c for c in choices if not re.search(rf"\b{re.escape(str(c))}\b", text)]
    assert not missing, f"[{table}] {key}: {missing} accepted but not in the reference"


def test_the_models_and_integer_options_are_listed():
    entries = _entries()
    assert {"croston", "tsb"} <= set(re.findall(r"\w+", entries[("forecast", "model")]))
    assert '"none"' in entries[("plan", "integer")]
