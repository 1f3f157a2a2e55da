"""Every table and chart a run writes has a step, so a shared output folder is read right.

The names are read from the code that writes them (``tables[...]`` in
:mod:`talentgap.cli.outputs`, ``figures[...]`` in :mod:`talentgap.cli._charts`): a new
file without a step in ``OUTPUT_STEPS`` would be called "of an earlier run" by the
next command writing into the same folder.
"""

from __future__ import annotations

import ast
import inspect

import pandas as pd

from talentgap.cli import _charts, outputs
from talentgap.cli._output_files import TABLE_NAMES, output_step
from talentgap.cli._totals import ALL_REGIONS, region_places, region_totals, split_national


def _written(module, target: str) -> set[str]:
    """The keys ``module`` stores into the dict named ``target`` (f-strings with 1 for a field)."""
    names = set()
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if isinstance(node, ast.Assign):
            targets = [t for item in node.targets
                       for t in (item.elts if isinstance(item, ast.Tuple) else [item])]
        else:
            continue
        for item in targets:
            if not (isinstance(item, ast.Subscript) and isinstance(item.value, ast.Name)
                    and item.value.id == target):
                continue
            key = item.slice
            if isinstance(key, ast.Constant):
                names.add(key.value)
            elif isinstance(key, ast.JoinedStr):
                names.add("".join(v.value if isinstance(v, ast.Constant) else "1"
                                  for v in key.values))
    return names


def test_every_table_and_chart_written_has_a_step():
    tables, figures = _written(outputs, "tables"), _written(_charts, "figures")
    assert {"quotas", "target_path", "target_path_national", "plan_regions"} <= tables
    assert {"target_path", "target_path_high_skilled", "fan_1", "gap_heatmap"} <= figures
    assert tables <= set(TABLE_NAMES)
    missing = sorted(n for n in {*tables, *TABLE_NAMES} if output_step(f"{n}.csv") is None)
    missing += sorted(n for n in figures if output_step(f"{n}.png") is None)
    assert missing == []


def test_region_files_hold_regions_only():
    quotas = pd.DataFrame({"region": ["A", "A", "B"], "quota": [10.0, 5.0, 4.0],
                           "cost": [100.0, 50.0, 40.0]})
    regions = region_places(quotas)
    assert regions["region"].tolist() == ["A", "B"] and regions["cost"].sum() == 190.0
    assert region_totals(quotas)["region"].tolist() == [ALL_REGIONS, "A", "B"]  # the report's
    path = pd.DataFrame({"region": ["A", ALL_REGIONS], "skill_level": "skilled",
                         "period": pd.PeriodIndex(["2026"] * 2, freq="Y"),
                         "target_share": [0.3, float("nan")], "workers_with_plan": [5.0, 5.0]})
    by_region, national = split_national(path)
    assert by_region["region"].tolist() == ["A"]
    assert national.columns.tolist() == ["skill_level", "period", "workers_with_plan"]
