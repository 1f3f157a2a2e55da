"""The stored notebook outputs name no file of the machine they ran on, and hold no warning
that a reader's own pandas call caused."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
#: An absolute path of a POSIX or Windows machine, as a warning or traceback prints it.
ABSOLUTE = re.compile(r"(?<![\w.<])(?:/(?:home|tmp|work|usr|opt|Users|var|root)/|[A-Z]:\\)")


def _runner():
    spec = importlib.util.spec_from_file_location("_notebook_runner_paths", FOLDER / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _texts(path: Path):
    for cell in nbformat.read(path, as_version=4).cells:
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream":
                yield cell.id, out["text"]
            elif out["output_type"] == "error":
                yield cell.id, "\n".join(out["traceback"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_stored_outputs_hold_no_absolute_path_nor_pandas_warning(path):
    for cell, text in _texts(path):
        assert not ABSOLUTE.search(text), f"cell {cell}: {text[:200]}"
        assert "has no effect" not in text, f"cell {cell}: {text[:200]}"


def test_the_runner_makes_output_paths_relative(tmp_path):
    runner = _runner()
    root = tmp_path / "repo"
    text = (f"{root}/talentgap/evaluation/sampling_error.py:91: DataQualityWarning: x\n"
            "/tmp/ipykernel_19824/4292375959.py:7: UserWarning: y\n"
            "/opt/venv/lib/python3.12/site-packages/pandas/core/generic.py:5: FutureWarning: z")
    assert runner.relative_paths(text, root=root).splitlines() == [
        "talentgap/evaluation/sampling_error.py:91: DataQualityWarning: x",
        "<cell>:7: UserWarning: y",
        "pandas/core/generic.py:5: FutureWarning: z"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stderr",
                                                  text=f"{runner.ROOT}/talentgap/io.py:1: W")]
    runner.normalise(nb, prefix="t")
    assert nb.cells[0].outputs[0]["text"] == "talentgap/io.py:1: W"
