"""Run the notebooks in this folder from top to bottom and store their outputs.

The notebooks are kept in the repository *with* their outputs, so that they
can be read on a website or in a code review without running them. After
changing a notebook (or the library), refresh the stored outputs with::

    python notebooks/run.py                        # every notebook
    python notebooks/run.py 03_workforce_plan      # some of them

Each notebook runs in a fresh ``python3`` kernel with this folder as the
working directory. Before it is saved, the parts of a notebook that change at
every run without meaning anything (execution timestamps, the Python version
in the metadata) are removed, file paths in the outputs (the place a warning
was raised) are made relative to the repository (``talentgap/...``, and
``<cell>`` for the notebook's own cells), and any cell without an id gets a
stable one, so a rerun gives a small diff and no output names the machine it
ran on. ``tests/test_notebooks.py`` runs the same
code.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

__all__ = ["CELL_TIMEOUT", "HERE", "ROOT", "execute", "normalise", "notebook_paths",
           "relative_paths", "run"]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
"""The repository: paths in stored outputs are written relative to it."""
CELL_TIMEOUT = 300
"""Seconds a single cell may take before the run is stopped."""

_KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def notebook_paths(names=()) -> list[Path]:
    """The notebooks of this folder, or those named (with or without ``.ipynb``)."""
    if not names:
        return sorted(HERE.glob("*.ipynb"))
    paths = []
    for name in names:
        path = HERE / (name if name.endswith(".ipynb") else f"{name}.ipynb")
        if not path.exists():
            raise SystemExit(f"no notebook {path.name} in {HERE}")
        paths.append(path)
    return paths


def execute(nb, *, cwd: Path = HERE, timeout: int = CELL_TIMEOUT):
    """Execute ``nb`` (a ``nbformat`` notebook) in place in a new kernel; return it.

    Raises ``nbclient.exceptions.CellExecutionError`` at the first failing cell.
    """
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
        record_timing=False,
    )
    client.execute()
    return nb


#: A notebook cell's code as the kernel names it in warnings and tracebacks.
_CELL_FILE = re.compile(r"(?:/[^\s\"':]*)?/ipykernel_\d+/\d+\.py")
#: An installed package's folder: what follows it is the package's own path.
_SITE_PACKAGES = re.compile(r"(?:/[^\s\"':]*)?/(?:site|dist)-packages/")


def relative_paths(text: str, *, root: Path = ROOT) -> str:
    """``text`` with the file paths of this machine made relative.

    The repository's own files lose the repository's folder, installed
    packages their ``site-packages`` folder, and the kernel's file for a
    cell reads ``<cell>``.

    Examples
    --------
    >>> relative_paths("/x/y/ipykernel_77/123.py:3: UserWarning: w")
    '<cell>:3: UserWarning: w'
    >>> relative_paths("/repo/talentgap/io.py:9: W", root=Path("/repo"))
    'talentgap/io.py:9: W'
    >>> relative_paths("/v/lib/python3.12/site-packages/pandas/core/frame.py:1: W")
    'pandas/core/frame.py:1: W'
    """
    text = _CELL_FILE.sub("<cell>", text)
    text = _SITE_PACKAGES.sub("", text)
    return text.replace(f"{root}/", "")


def _relative_outputs(cell) -> None:
    """Make the file paths in a code cell's stream and error outputs relative."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            output["text"] = relative_paths(output["text"])
        elif output.get("output_type") == "error":
            output["traceback"] = [relative_paths(line) for line in output["traceback"]]


def normalise(nb, *, prefix: str):
    """Give every cell an id, make output paths relative, and drop metadata that changes
    at every run."""
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = nbformat.from_dict(
        {"kernelspec": dict(_KERNELSPEC), "language_info": {"name": "python"}}
    )
    used = {cell.get("id") for cell in nb.cells}
    for number, cell in enumerate(nb.cells):
        if not cell.get("id"):
            candidate = f"{prefix}-{number:02d}"
            while candidate in used:
                candidate += "x"
            cell["id"] = candidate
            used.add(candidate)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            _relative_outputs(cell)
    return nb


def _prefix(path: Path) -> str:
    """``01_quickstart.ipynb`` -> ``quickstart``: the stem of new cell ids."""
    stem = re.sub(r"^\d+_", "", path.stem)
    return re.sub(r"[^A-Za-z0-9-]+", "-", stem).strip("-") or "cell"


def run(path: Path) -> float:
    """Execute the notebook at ``path``, save it with its outputs; return seconds."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    execute(nb, cwd=path.parent)
    seconds = time.perf_counter() - start
    normalise(nb, prefix=_prefix(path))
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebooks to run (default: all)")
    args = parser.parse_args(argv)
    for path in notebook_paths(args.names):
        seconds = run(path)
        print(f"{path.name}: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
