"""Regenerate the bundled demo data set.

Run from a source checkout::

    python datasets/regenerate.py           # rewrite the CSV files next to this script
    python datasets/regenerate.py --check   # exit 1 if the files differ from a fresh run

The files are made by ``talentgap.datasets.make_synthetic(**DEMO_KWARGS)``
(see ``talentgap/datasets/_demo.py``); ``datasets/README.md`` is their data card.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # use the checkout's talentgap, installed or not

from talentgap.datasets._demo import DEMO_FILES, DEMO_KWARGS  # noqa: E402
from talentgap.datasets._synthetic import make_synthetic  # noqa: E402

__all__ = ["demo_csv", "main"]


def demo_csv() -> dict[str, str]:
    """Return the text of each demo file, keyed by file name."""
    data = make_synthetic(**DEMO_KWARGS)
    texts = {}
    for table, name in DEMO_FILES.items():
        df = getattr(data, table).copy()
        df["period"] = df["period"].astype(str)  # labels such as "2019Q1"
        buffer = io.StringIO()
        df.to_csv(buffer, index=False, lineterminator="\n")
        texts[name] = buffer.getvalue()
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write to")
    parser.add_argument("--check", action="store_true",
                        help="compare with the existing files instead of writing")
    args = parser.parse_args(argv)
    stale = []
    for name, text in demo_csv().items():
        path = args.out / name
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        path.write_text(text, encoding="utf-8", newline="\n")
        rows = text.count("\n") - 1
        print(f"wrote {path} ({rows:,} rows, {len(text.encode()) / 1e6:.2f} MB)")
    if stale:
        print(f"out of date: {', '.join(stale)}; run 'python datasets/regenerate.py'")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
