"""The package as users get it: the README's commands, CI, and an installed wheel."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _code_blocks(markdown: str) -> list[list[str]]:
    """Shell code blocks of a Markdown file, as lists of non-empty lines."""
    blocks = re.findall(r"```(?:bash|sh)\n(.*?)```", markdown, flags=re.DOTALL)
    return [[line.strip() for line in b.splitlines() if line.strip()] for b in blocks]


def test_readme_first_block_installs_and_runs_the_main_job():
    first = _code_blocks((ROOT / "README.md").read_text())[0]
    assert any(line.startswith("pip install .") for line in first)
    assert any(line.startswith("talentgap ") for line in first)


def test_ci_runs_exactly_the_readme_test_commands_in_order():
    second = _code_blocks((ROOT / "README.md").read_text())[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    positions = [ci_lines.index(line) if line in ci_lines else -1 for line in second]
    assert -1 not in positions, f"README test commands missing from .ci/run: {second}"
    assert positions == sorted(positions)
    assert any("python -m pytest" in line for line in second)


def test_ci_handles_pytest_exit_code_5():
    script = (ROOT / ".ci" / "run").read_text()
    assert re.search(r'"\$status" -eq 5', script)
    assert "ruff check" in script and "lint-imports" in script


@pytest.mark.slow
def test_wheel_carries_the_demo_data_and_loads_it_outside_the_source_tree(tmp_path):
    wheel_dir, target = tmp_path / "wheel", tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(wheel_dir), "-q"],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = wheel_dir.glob("talentgap-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "talentgap/datasets/_data/surveys.csv" in names
    assert "talentgap/py.typed" in names

    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target",
         str(target), str(wheel), "-q"],
        check=True, capture_output=True, text=True,
    )
    code = (
        "import talentgap as tg; d = tg.datasets.load_demo(); "
        "print(tg.__file__); print(d.surveys.shape[0], d.training.shape[0])"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                            check=True, capture_output=True, text=True)
    module_file, counts = result.stdout.strip().splitlines()
    assert Path(module_file).is_relative_to(target), "imported the source tree, not the wheel"
    n_surveys, n_training = map(int, counts.split())
    with open(ROOT / "datasets" / "surveys.csv") as f:
        assert n_surveys == sum(1 for _ in f) - 1
    assert n_training > 0


@pytest.mark.slow
def test_readme_python_example_runs(tmp_path, monkeypatch):
    """The notebook example in the README runs as written (from a folder with datasets/)."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    assert blocks, "the README has a Python example"
    (tmp_path / "datasets").symlink_to(ROOT / "datasets")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # our own README
    assert (tmp_path / "gap-model" / "metadata.json").exists()
    assert namespace["plan"].summary["total_cost"] <= 5e6
