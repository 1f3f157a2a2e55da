"""The bundled demo data set and its loader.

The demo tables are CSV files made by :func:`talentgap.datasets.make_synthetic`
with the settings in :data:`DEMO_KWARGS` (see ``datasets/README.md`` and
``datasets/regenerate.py`` in a source checkout). A source checkout keeps
them in the top-level ``datasets/`` folder; an installed wheel carries a copy
in ``talentgap/datasets/_data/``.

Examples
--------
>>> from talentgap.datasets import load_demo
>>> demo = load_demo()
>>> demo.surveys["period"].dtype, demo.truth is None
(period[Q-DEC], True)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from talentgap.datasets._detail import EMPLOYMENT_LEVELS, SKILL_LEVELS, occupation_categories
from talentgap.datasets._synthetic import _SIZE_BANDS, _describe, _program_categories
from talentgap.periods import parse_periods

__all__ = ["DemoData", "load_demo", "DEMO_KWARGS", "DEMO_FILES"]

#: Arguments of :func:`~talentgap.datasets.make_synthetic` that made the demo files.
DEMO_KWARGS = MappingProxyType({
    "n_regions": 8,
    "industries": None,
    "n_periods": 24,
    "start": "2019Q1",
    "freq": "Q",
    "enterprises_per_cell": 120,
    "sample_fraction": 0.15,
    "lead_time": 1,
    "seed": 20240,
    "detail": True,
})

#: File name of each demo table.
DEMO_FILES = MappingProxyType({
    "surveys": "surveys.csv",
    "training": "training.csv",
    "employment": "employment.csv",
    "truth": "truth.csv",
})

# Where the files are looked for, in this order: inside an installed package,
# then the top-level ``datasets/`` folder of a source checkout.
_PACKAGE_DIR = Path(__file__).parent / "_data"
_CHECKOUT_DIR = Path(__file__).resolve().parents[2] / "datasets"

_COUNTS = {
    "surveys": ("employees", "vacancies", "hard_to_fill"),
    "training": ("trained", "certified"),
    "employment": ("employment", "skilled", "high_skilled"),
    "truth": ("n_enterprises", "employees", "vacancies", "hard_to_fill", "demand", "supply",
              "gap"),
}
_FLOATS = {"surveys": ("weight",), "truth": ("shortage_rate",)}


@dataclass(frozen=True, eq=False, repr=False)
class DemoData:
    """The demo tables returned by :func:`load_demo`.

    Attributes
    ----------
    surveys, training, employment : pandas.DataFrame
        The canonical input tables.
    truth : pandas.DataFrame or None
        Population values per cell and period (``demand``, ``supply``,
        ``gap``, ...), when loaded with ``include_truth=True``.
    """

    surveys: pd.DataFrame
    training: pd.DataFrame
    employment: pd.DataFrame
    truth: pd.DataFrame | None = None

    def __repr__(self) -> str:
        return _describe(type(self).__name__, {
            name: getattr(self, name) for name in ("surveys", "training", "employment", "truth")
        })


def _data_dir() -> Path:
    candidates = (_PACKAGE_DIR, _CHECKOUT_DIR)
    for folder in candidates:
        if all((folder / name).is_file() for name in DEMO_FILES.values()):
            return folder
    shown = " or ".join(f"'{folder}'" for folder in candidates)
    raise FileNotFoundError(
        f"the talentgap demo files ({', '.join(DEMO_FILES.values())}) were found neither in "
        f"{shown}; reinstall talentgap, or run 'python datasets/regenerate.py' in a source "
        "checkout"
    )


def _first_seen(values: pd.Series) -> pd.CategoricalDtype:
    # The files are sorted by period, region, industry, so the first appearance
    # order is the order of the categories that made them.
    return pd.CategoricalDtype(pd.unique(values.to_numpy()).tolist())


def _read(path: Path, table: str, freq: str) -> pd.DataFrame:
    dtypes = {name: "int64" for name in _COUNTS[table]}
    dtypes.update({name: "float64" for name in _FLOATS.get(table, ())})
    dtypes.update({"period": "str", "region": "str", "industry": "str", "skill_level": "str",
                   "occupation": "str"})
    if table == "surveys":
        dtypes.update({"enterprise_id": "str", "size_band": "str", "reports_shortage": "bool"})
    if table == "training":
        dtypes["program"] = "str"
    df = pd.read_csv(path, dtype=dtypes)
    df["period"] = parse_periods(df["period"], freq=freq)
    df["region"] = df["region"].astype(_first_seen(df["region"]))
    df["industry"] = df["industry"].astype(_first_seen(df["industry"]))
    if table == "surveys":
        ids = np.sort(pd.unique(df["enterprise_id"].to_numpy()))
        df["enterprise_id"] = df["enterprise_id"].astype(pd.CategoricalDtype(ids.tolist()))
        df["size_band"] = df["size_band"].astype(
            pd.CategoricalDtype(list(_SIZE_BANDS), ordered=True))
    if "occupation" in df.columns:
        order = occupation_categories(df["industry"].cat.categories.tolist())
        df["occupation"] = df["occupation"].astype(pd.CategoricalDtype(order))
    if "skill_level" in df.columns:
        levels = EMPLOYMENT_LEVELS if table == "employment" else SKILL_LEVELS
        df["skill_level"] = df["skill_level"].astype(
            pd.CategoricalDtype(pd.Index(list(levels), dtype="str")))
    if table == "training":
        order = _program_categories(df["industry"].cat.categories.tolist(),
                                    pd.unique(df["program"].to_numpy()).tolist())
        df["program"] = df["program"].astype(pd.CategoricalDtype(order))
    return df


def load_demo(*, include_truth: bool = False) -> DemoData:
    """Load the bundled synthetic demo data set.

    Eight fictional regions x eight industries x 24 quarters (2019Q1-2024Q4),
    each industry with 2-3 occupations and two skill levels (``skilled``,
    then ``high_skilled``), made by
    :func:`~talentgap.datasets.make_synthetic` with :data:`DEMO_KWARGS`
    (``detail=True``). No real enterprise is in it.

    ``surveys`` is in the long form: one row per enterprise x quarter x
    ``occupation`` x ``skill_level`` with posts, plus one row with a blank
    occupation and no posts for a level where the enterprise has none.
    ``training`` rows carry the ``skill_level`` their programme certifies;
    ``employment`` has one row per cell, quarter and ``skill_level``
    (``unskilled``, ``skilled``, ``high_skilled``) and ``truth`` one per
    cell, quarter and level (``skilled``, ``high_skilled``).

    Parameters
    ----------
    include_truth : bool, default False
        Also load the population truth per cell and quarter (``demand``,
        ``supply``, ``gap``, ...), for checking estimates against.

    Returns
    -------
    DemoData
        ``surveys``, ``training`` and ``employment`` with canonical columns
        and the dtypes of :func:`~talentgap.datasets.make_synthetic`:
        ``period`` as ``period[Q-DEC]``, names as categoricals, counts as
        int64, ``weight`` as float64, ``reports_shortage`` as bool,
        ``occupation`` and ``skill_level`` as categoricals (levels lowest
        first); ``truth`` when asked for, else ``None``.

    Raises
    ------
    FileNotFoundError
        If the files are neither in the installed package
        (``talentgap/datasets/_data``) nor in a source checkout's
        ``datasets/`` folder.

    Examples
    --------
    >>> from talentgap.datasets import load_demo
    >>> demo = load_demo(include_truth=True)
    >>> demo.training.columns.tolist()
    ['period', 'region', 'industry', 'program', 'skill_level', 'trained', 'certified']
    >>> demo.surveys["region"].nunique(), demo.surveys["industry"].nunique()
    (8, 8)
    >>> demo.surveys["skill_level"].cat.categories.tolist()
    ['skilled', 'high_skilled']
    >>> sorted(demo.surveys.loc[demo.surveys["industry"] == "textiles", "occupation"]
    ...        .dropna().unique())
    ['loom_operator', 'spinner']
    >>> str(demo.truth["period"].min()), str(demo.truth["period"].max())
    ('2019Q1', '2024Q4')
    """
    folder = _data_dir()
    freq = DEMO_KWARGS["freq"]
    tables = {name: _read(folder / DEMO_FILES[name], name, freq)
              for name in ("surveys", "training", "employment")}
    truth = _read(folder / DEMO_FILES["truth"], "truth", freq) if include_truth else None
    return DemoData(**tables, truth=truth)
