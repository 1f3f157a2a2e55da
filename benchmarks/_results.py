"""Shared helpers of the benchmark scripts: machine facts and the RESULTS.md sections."""

from __future__ import annotations

import gc
import os
import platform
import re
import statistics
import time
import tracemalloc
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")


def machine() -> str:
    """One line describing the machine and library versions."""
    import numpy as np
    import pandas as pd

    import talentgap

    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"numpy {np.__version__}, pandas {pd.__version__}, talentgap {talentgap.__version__}, "
            f"{date.today().isoformat()}")


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section between ``<!-- name -->`` markers in RESULTS.md."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = f"{begin}\n{body.strip()}\n{end}"
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), flags=re.DOTALL)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else (
        text.rstrip() + "\n\n" + block + "\n")
    RESULTS.write_text(text)


def load_average() -> str:
    """The 1, 5 and 15-minute load averages, or ``"n/a"`` where the platform has none."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # not available on every platform
        return "n/a"


def median_seconds(fn, repeats: int) -> float:
    """Median wall-clock seconds of ``repeats`` calls of ``fn`` (garbage collected before each)."""
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_traced(fn) -> int:
    """Peak bytes tracemalloc traces during one call of ``fn``."""
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak
