"""The notebooks in ``notebooks/`` run from top to bottom and are stored with their outputs.

Each notebook is executed in a fresh kernel with ``nbclient`` (as
``notebooks/run.py`` does to refresh the stored outputs), with a last cell
added that checks the variables a reader relies on.
"""

from __future__ import annotations

import base64
import copy
import importlib.util
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))

#: Code run in the kernel after each notebook: the names a reader relies on.
CHECKS = {
    "01_quickstart.ipynb": """
assert len(forecast) > 0
assert {"mean", "lo_80", "hi_80", "lo_95", "hi_95"} <= set(forecast.columns)
assert (forecast["lo_95"] <= forecast["lo_80"]).all()
assert (forecast["hi_80"] <= forecast["hi_95"]).all()
assert plan.summary["total_cost"] <= 5e6
assert plan.summary["shortfall_after"] < plan.summary["shortfall_before"]
""",
    "02_models_and_backtests.ipynb": """
assert {"auto", "gap model", "naive", "seasonal naive"} <= set(board["model"])
assert list(calibration.columns) == ["50%", "80%", "95%"]
assert ((calibration > 0) & (calibration <= 1)).all().all()
after = national_vs_cells(result.forecasts)
assert (after["difference"].abs() < 1e-6 * after["national forecast"].abs().max()).all()
assert {"edition", "naive", "seasonal_naive"} <= set(scores.summary["method"])
assert len(scores.periods) == 4
""",
    "03_workforce_plan.ipynb": """
assert len(forecast) > 0 and {"mean", "lo_80", "hi_95"} <= set(forecast.columns)
funded = plan.years.dropna(subset=["budget"])
assert len(funded) == len(budget) and (funded["cost"] <= funded["budget"] + 1e-6).all()
assert set(comparison["rule"]) == {"optimised", "proportional"}
assert (comparison["total_cost"] <= comparison["budget"] + 1e-6).all()
assert curve.closing_budget > 0
""",
    "04_service_client.ipynb": """
assert server.poll() is not None, "the server is still running"
assert about["n_cells"] == 64 and about["keys"] == ["region", "industry"]
assert refused.status_code == 401 and too_far.status_code == 422
assert len(gap) == 8 and {"gap", "gap_lo_80", "gap_hi_80"} <= set(gap.columns)
assert plan["summary"]["total_cost"] <= 5_000_000
""",
}


def _runner():
    spec = importlib.util.spec_from_file_location("_notebook_runner", FOLDER / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def _images(cell) -> list[bytes]:
    return [base64.b64decode(out["data"]["image/png"]) for out in cell.get("outputs", [])
            if "image/png" in out.get("data", {})]


def _shown(cell) -> bool:
    """True when the cell shows something (text, a table, a figure); errors are not results."""
    return any(out["output_type"] != "error" for out in cell.get("outputs", []))


def test_every_notebook_has_checks():
    if not FOLDER.is_dir():
        pytest.skip("the notebooks are not part of this copy (e.g. an sdist)")
    assert NOTEBOOKS, "no notebooks found"
    assert {path.name for path in NOTEBOOKS} == set(CHECKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_stored_notebook_is_executed_and_tidy(path):
    stored = nbformat.read(path, as_version=4)
    nbformat.validate(stored)
    assert (stored.nbformat, stored.nbformat_minor) >= (4, 5)
    ids = [cell.get("id") for cell in stored.cells]
    assert all(ids) and len(set(ids)) == len(ids), "every cell needs its own id"
    cells = _code_cells(stored)
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1)), (
        "run the notebook from the top with `python notebooks/run.py` before committing it")
    for cell in cells:
        assert not any(out["output_type"] == "error" for out in cell.outputs), cell.source
        assert "execution" not in cell.metadata, "timestamps are left out of stored notebooks"
        images = _images(cell)
        assert len(images) <= 1, f"{len(images)} images in cell {cell.id}: a figure shown twice?"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path):
    runner = _runner()
    stored = nbformat.read(path, as_version=4)
    nb = copy.deepcopy(stored)
    check = nbformat.v4.new_code_cell(CHECKS[path.name])
    check["id"] = "test-checks"
    nb.cells.append(check)

    runner.execute(nb, cwd=path.parent, timeout=240)

    fresh = _code_cells(nb)[:-1]
    for old, new in zip(_code_cells(stored), fresh, strict=True):
        assert _shown(old) == _shown(new), (
            f"cell {old.id}: the stored outputs are out of date; "
            "refresh them with `python notebooks/run.py`")
        assert len(_images(new)) <= 1, f"cell {new.id} shows a figure more than once"
        assert len(_images(old)) == len(_images(new)), f"cell {old.id}: figures out of date"
