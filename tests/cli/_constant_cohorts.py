"""Inputs whose skilled stocks can be projected by hand: constant workforce and cohorts.

Every region x industry employs the same number of workers at each skill
level every quarter and certifies the same cohort at each trained level, so
a naive supply forecast repeats the cohorts exactly.
"""

from __future__ import annotations

import pandas as pd

import talentgap as tg

#: The [data] and [forecast] tables of a run on these inputs (a naive forecast).
INPUTS_CONFIG = """
[data]
surveys = "surveys.csv"
training = "training.csv"
employment = "employment.csv"
freq = "Q"
skill_levels = ["none", "ordinary", "technician"]
high_skilled = ["technician"]
unskilled = ["none"]

[forecast]
model = "naive"
n_samples = 50
"""

#: The same tables for cells keyed by ``skill_level`` too, its levels named
#: ``unskilled``, ``skilled`` and ``high_skilled``.
LEVEL_KEYS_CONFIG = """
[data]
surveys = "surveys.csv"
training = "training.csv"
employment = "employment.csv"
freq = "Q"
keys = ["region", "industry", "skill_level"]
skill_levels = ["unskilled", "skilled", "high_skilled"]
high_skilled = ["high_skilled"]
unskilled = ["unskilled"]

[forecast]
model = "naive"
n_samples = 50
"""

#: A one-year plan (2022) against a 30% skilled and a 35% high-skilled target in 2023
#: (a test may add ``plan_level``, which belongs to the [targets] table ending it).
ONE_YEAR_TARGETS = """
[plan]
years = [2022]
budget = 2e5
cost_per_trainee = 1000
pass_rate = 0.8
lead_time = 1
exit_rate = 0.1

[targets]
skilled_share = 0.3
high_skilled_share = 0.35
target_year = 2023
"""

#: The [plan] table of a two-year plan on these inputs (the [targets] and [output]
#: tables follow in each test).
TWO_YEAR_PLAN = """
[plan]
years = [2022, 2023]
budget = 2e5
cost_per_trainee = 1000
pass_rate = 0.8
absorption = 0.9
lead_time = 1
exit_rate = 0.1
capacity = 60

"""

#: The [data], [forecast] and [plan] tables of a two-year plan on these inputs.
TWO_YEAR_PLAN_CONFIG = INPUTS_CONFIG + TWO_YEAR_PLAN


def write_constant_cohorts(folder, workers: dict, certified: dict, *, detail: bool = False
                           ) -> None:
    """Write ``surveys.csv``, ``training.csv`` and ``employment.csv`` into ``folder``.

    ``workers`` maps a skill level to its employment per cell and quarter,
    ``certified`` a trained level to its certified workers per cell and
    quarter (5 more are trained than certified). The surveys come from
    :func:`talentgap.datasets.make_synthetic` (2 regions x 2 industries, 12
    quarters; by occupation and level with ``detail=True``).
    """
    data = tg.datasets.make_synthetic(n_regions=2, industries=2, n_periods=12, seed=5,
                                      detail=detail)
    cells = data.employment[["period", "region", "industry"]].drop_duplicates()
    employment = pd.concat([cells.assign(skill_level=level, employment=n)
                            for level, n in workers.items()], ignore_index=True)
    training = pd.concat([cells.assign(skill_level=level, trained=n + 5, certified=n)
                          for level, n in certified.items()], ignore_index=True)
    tg.io.write_table(data.surveys, folder / "surveys.csv")
    tg.io.write_table(training, folder / "training.csv")
    tg.io.write_table(employment, folder / "employment.csv")


def by_quarter(start: float, inflow: float, exit_rate: float, years: int
               ) -> tuple[list[float], list[float]]:
    """Year-end stocks and the exits of each year, by hand, from a stock at a year's end.

    The identity runs by quarter, ``K = (1 - e) ** (1 / 4) * K + inflow``, the
    frequency the exit rate per year ``e`` is estimated at; a year's exits are
    the sum of its four quarters' exits.
    """
    kept = (1.0 - exit_rate) ** 0.25
    stock, stocks, exits = start, [], []
    for _ in range(years):
        lost = 0.0
        for _ in range(4):
            lost += (1.0 - kept) * stock
            stock = kept * stock + inflow
        stocks.append(stock)
        exits.append(lost)
    return stocks, exits
