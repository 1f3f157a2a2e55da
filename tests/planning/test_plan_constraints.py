"""``QuotaPlan.constraints``: the binding lines as a table, and the report's words from it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentgap.cli._notes import plain_constraints
from talentgap.planning import allocate_quotas, proportional_plan
from talentgap.planning._constraints import CONSTRAINT_COLUMNS

# Three cells of one region, one scenario. A place costs 100 in A and C, 200 in B; everyone
# certifies in A and B, 1 in 10 in C. A (1 worker per 100) is best but holds 10 places; the
# money after that goes to B (1 worker per 200), which is left short: the budget's value is
# 1 / 200 = 0.005 per unit of money and A's capacity is worth 1 - 0.005 * 100 = 0.5 per
# place. C's minimum of 2 places costs 0.005 * 100 - 0.1 = 0.4 of shortfall per place.
GAP = pd.DataFrame({"region": "Northvale", "industry": ["A", "B", "C"], "period": "2026",
                    "gap": [100.0, 100.0, 100.0]})
COST = pd.DataFrame({"industry": ["A", "B", "C"], "cost_per_trainee": [100.0, 200.0, 100.0]})
PASS = pd.DataFrame({"industry": ["A", "B", "C"], "pass_rate": [1.0, 1.0, 0.1]})
CAP = pd.DataFrame({"industry": ["A", "B", "C"], "capacity": [10.0, np.inf, np.inf]})
MIN = pd.DataFrame({"industry": ["A", "B", "C"], "min_quota": [0.0, 0.0, 2.0]})


@pytest.fixture(scope="module")
def plan():
    return allocate_quotas(GAP, budget=1700.0, cost_per_trainee=COST, pass_rate=PASS,
                           capacity=CAP, min_quota=MIN, integer="none")


def test_single_period_rows_hold_the_duals_and_the_summary(plan):
    table = plan.constraints
    # then the cell of each row as data: the plan's key columns, missing for the budget
    assert list(table.columns) == [*CONSTRAINT_COLUMNS, "region", "industry"]
    assert table["industry"].tolist()[1:] == ["A", "C"] and pd.isna(table["industry"].iloc[0])
    assert table["sentence"].tolist() == plan.binding
    assert table["kind"].tolist() == ["budget", "capacity", "min_quota"]
    assert table["name"].tolist() == ["budget", "capacity[A in Northvale]",
                                      "min_quota[C in Northvale]"]
    assert table["binds"].tolist() == [True, True, True]
    # the values are the duals the plan reports, by the same names
    assert table["value"].tolist() == pytest.approx(
        plan.marginal_value[table["name"]].tolist())
    assert table["value"].tolist() == pytest.approx([0.005, 0.5, -0.4])
    # limits and what the plan uses of them
    assert table["limit"].tolist() == pytest.approx([1700.0, 10.0, 2.0])
    assert table["used"].iloc[0] == pytest.approx(plan.summary["total_cost"])
    quota = plan.quotas.set_index("industry")["quota"]
    assert table["used"].iloc[1:].tolist() == pytest.approx([quota["A"], quota["C"]])
    assert table["unit"].tolist() == ["money", "places", "places"]
    assert (table["objective"] == "shortfall of the expected gap").all()


def test_a_budget_that_does_not_bind_has_value_zero():
    plan = allocate_quotas(GAP, budget=1e6, cost_per_trainee=COST, pass_rate=PASS,
                           integer="none")
    table = plan.constraints
    assert table["sentence"].tolist() == plan.binding
    assert table.loc[0, "kind"] == "budget" and not table.loc[0, "binds"]
    assert table.loc[0, "value"] == 0.0
    assert table.loc[0, "used"] == pytest.approx(plan.summary["total_cost"])


def test_the_proportional_rule_has_no_values():
    plan = proportional_plan(GAP, budget=1700.0, cost_per_trainee=COST, pass_rate=PASS,
                             capacity=CAP, integer="none")
    table = plan.constraints
    assert table["sentence"].tolist() == plan.binding
    assert table["value"].isna().all()
    assert table.loc[0, "kind"] == "budget"
    assert table.loc[0, "used"] == pytest.approx(plan.summary["total_cost"])


def test_multiyear_rows_hold_each_budget_and_capacity(two_cells):
    # Needs: A 30, 20, 80 and B 20, 40, 60 in 2026-2028; places arrive a year later, 10%
    # leave a year. A's 2027 capacity (30 places) binds: its 2027 places are worth more
    # than the money's next use.
    budget = pd.DataFrame({"period": ["2026", "2027"], "budget": [3000.0, 4000.0]})
    capacity = pd.DataFrame({"industry": ["A", "A", "B", "B"],
                             "period": ["2026", "2027"] * 2,
                             "capacity": [np.inf, 30.0, np.inf, np.inf]})
    plan = allocate_quotas(two_cells, periods=[2026, 2027], budget=budget,
                           cost_per_trainee=100, pass_rate=PASS_YEARS, lead_time=1,
                           exit_rate=0.1, capacity=capacity, integer="none")
    table = plan.constraints
    assert list(table.columns) == [*CONSTRAINT_COLUMNS, "region", "industry", "period"]
    assert table["sentence"].tolist() == plan.binding
    budgets = table[table["kind"] == "budget"]
    assert budgets["period"].tolist() == ["2026", "2027"]
    assert budgets["name"].tolist() == ["budget[2026]", "budget[2027]"]
    assert budgets["binds"].all()
    assert budgets["limit"].tolist() == [3000.0, 4000.0]
    years = plan.years.set_index(plan.years["period"].astype(str))
    assert budgets["used"].tolist() == pytest.approx(years.loc[["2026", "2027"], "cost"])
    caps = table[table["kind"] == "capacity"]
    assert caps["name"].tolist() == ["capacity[A in Northvale, 2027]"]
    assert caps[["region", "industry", "period"]].values.tolist() == [["Northvale", "A", "2027"]]
    assert caps["limit"].tolist() == [30.0] and caps["used"].tolist() == pytest.approx([30.0])
    assert (caps["value"] > 0).all()
    # every row is named as marginal_value names it, with its value
    assert table["value"].tolist() == pytest.approx(
        plan.marginal_value[table["name"]].tolist())


PASS_YEARS = pd.DataFrame({"industry": ["A", "B"], "pass_rate": [1.0, 0.5]})


def test_report_words_a_hand_made_table_with_units_and_one_step_per_kind():
    rows = pd.DataFrame({
        "kind": ["budget", "budget", "capacity", "capacity", "min_quota", "budget_envelope"],
        "name": ["budget[2025]", "budget[2026]", "capacity[x]", "capacity[y]", "min_quota[z]",
                 "budget_envelope[South]"],
        "words": ["the budget for 2025", "the budget for 2026", "capacity of textiles in A",
                  "capacity of textiles in B", "minimum quota of sewing in C",
                  "the budget envelope of South"],
        "binds": True, "limit": [1000.0, 1000.0, 400.0, 400.0, 5.0, 40000.0],
        "used": [1000.0, 1000.0, 400.0, 400.0, 5.0, 40000.0],
        "unit": ["money", "money", "places", "places", "places", "money"],
        "value": [1.6e-4, 8.1e-5, 0.0057, 0.043, -0.25, 2.0e-4],
        "objective": "expected shortfall", "sentence": "(library words)"})
    lines = plain_constraints(rows, currency="yuan", unit="person-years")
    # money rows share one sum (the one at which the smallest effect, 8.1e-05, reads 0.81)
    assert lines[0] == ("the budget for 2025 is fully used: 1,000 of 1,000 yuan spent; each "
                        "extra 10,000 yuan of it closes about 1.6 person-years of the expected "
                        "shortfall")
    assert "each extra 10,000 yuan of it closes about 0.81 person-years" in lines[1]
    assert lines[5] == ("the budget envelope of South is reached (40,000 yuan); each extra "
                        "10,000 yuan of it closes about 2 person-years of the expected shortfall")
    # capacity rows share one number of places
    assert lines[2] == ("capacity of textiles in A is reached (400 places); each 100 more "
                        "places of capacity close about 0.57 person-years of the expected "
                        "shortfall, net of what the same money would close in other cells (the "
                        "budget is fully used, so the money comes from there)")
    assert "each 100 more places of capacity close about 4.3 person-years" in lines[3]
    # a minimum's value is negative: each required place adds -value
    assert lines[4] == ("minimum quota of sewing in C is reached (5 places); each required "
                        "place adds about 0.25 person-years to the expected shortfall, as the "
                        "money would do more elsewhere")
    assert all("(library words)" not in line for line in lines)


def test_report_words_budgets_that_do_not_bind_and_money_left(plan):
    lines = plain_constraints(plan.constraints, currency="yuan", summary=plan.summary)
    assert lines[0].startswith("budget is fully used: 1,700 of 1,700 yuan spent; each extra "
                               "100 yuan of it closes about 0.5 persons of the shortfall of "
                               "the expected gap")
    assert lines[1] == ("capacity of A in Northvale is reached (10 places); one more place of "
                        "capacity closes about 0.5 persons of the shortfall of the expected "
                        "gap, net of what the same money would close in other cells (the "
                        "budget is fully used, so the money comes from there)")
    closed = allocate_quotas(GAP, budget=1e6, cost_per_trainee=COST, pass_rate=PASS)
    words = plain_constraints(closed.constraints, currency="yuan", summary=closed.summary)
    assert words[0] == ("every expected gap is closed: 130,000 of 1,000,000 yuan spent, "
                        "870,000 yuan not needed")
    loose = allocate_quotas(GAP, budget=1e6, cost_per_trainee=COST, pass_rate=PASS,
                            capacity=10)
    words = plain_constraints(loose.constraints, currency="yuan", summary=loose.summary)
    assert words[0] == ("budget is not the limit: 4,000 of 1,000,000 yuan spent; more money "
                        "would not reduce the shortfall of the expected gap")
    whole = allocate_quotas(GAP, budget=1750.0, cost_per_trainee=COST, pass_rate=PASS,
                            capacity=CAP)
    text = plain_constraints(whole.constraints, currency="yuan", summary=whole.summary)[0]
    assert text == _with_currency(whole.binding[0])
    # the library's own lines are the same wording without a currency
    assert whole.binding == plain_constraints(whole.constraints, summary=whole.summary)


def _with_currency(line: str) -> str:
    """The library's budget line with the report's currency: the one difference between them."""
    return (line.replace(" spent;", " yuan spent;").replace(" left buys", " yuan left buys")
            .replace("each extra 100 of it", "each extra 100 yuan of it"))


# --------------------------------------------------------------------------- equity rows

def _equity_needs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Regions N and S, industries A and B, three sample paths of 2026-2028, a policy need."""
    paths = {"N": [[30, 50, 70], [40, 60, 80], [50, 70, 90]],
             "S": [[10, 20, 60], [20, 30, 40], [25, 35, 45]]}
    rows = [{"region": region, "industry": industry, "period": period, "sample": k,
             "gap": g + shift}
            for region, per in paths.items() for industry, shift in (("A", 0.0), ("B", 10.0))
            for period, values in zip(["2026", "2027", "2028"], per, strict=True)
            for k, g in enumerate(values)]
    needs = pd.DataFrame(rows)
    policy = needs[needs["sample"] == 0].drop(columns=["sample", "gap"])
    return needs, policy.assign(policy_need=np.tile([5.0, 15.0, 25.0], 4))


@pytest.mark.parametrize("integer", ["none", "round"])
def test_equity_rows_use_the_weighted_shortfall_the_plan_removes(integer):
    # S costs four times as much as N: S's rule (15% of its weighted shortfall) binds, N's
    # (5%) holds with room to spare and is no row of the table
    needs, policy = _equity_needs()
    equity = pd.DataFrame({"region": ["N", "S"], "share": [0.05, 0.15]})
    plan = allocate_quotas(
        needs, periods=[2026, 2027], budget=20_000.0,
        cost_per_trainee=pd.DataFrame({"region": ["N", "S"], "cost_per_trainee": [100.0, 400.0]}),
        pass_rate=0.8, lead_time=1, exit_rate=0.1, policy_need=policy,
        need_weights={"market": 1.0, "policy": 0.5}, equity=equity, integer=integer)
    table = plan.constraints
    assert table["sentence"].tolist() == plan.binding
    rows = table[table["kind"] == "equity"].set_index("name")
    assert rows.index.tolist() == ["equity[S]"] and rows["binds"].all()
    assert rows["unit"].tolist() == ["shortfall"]
    # by hand from the plan's cells: market shortfall removed plus half the policy's
    cells = plan.cells
    removed = (cells["shortage_reduction"]
               + 0.5 * (cells["policy_need"] - cells["policy_shortfall_after"]))
    before = cells["shortfall_before"] + 0.5 * cells["policy_need"]
    removed, before = removed.groupby(cells["region"]).sum(), before.groupby(cells["region"]).sum()
    assert rows.loc["equity[S]", "limit"] == pytest.approx(0.15 * before["S"])
    assert rows.loc["equity[S]", "used"] == pytest.approx(removed["S"])
    if integer == "none":  # the rule binds: the plan removes exactly what it requires
        assert rows.loc["equity[S]", "used"] == pytest.approx(rows.loc["equity[S]", "limit"])
    else:  # whole places remove at least that much (here 18 places in S, not 17.4)
        assert rows.loc["equity[S]", "used"] > rows.loc["equity[S]", "limit"] + 1.0
    # the rule that does not bind holds with room to spare
    assert removed["N"] > 0.05 * before["N"] + 100
    assert "equity[N]" not in plan.marginal_value


@pytest.fixture
def two_regions_one_industry() -> pd.DataFrame:
    """One industry in R0 and R1, a need of 100 in each of 2026-2029."""
    return pd.DataFrame({"region": ["R0"] * 4 + ["R1"] * 4, "industry": "A",
                         "period": ["2026", "2027", "2028", "2029"] * 2, "gap": 100.0})


def test_an_equity_rule_that_binds_uses_its_limit(two_regions_one_industry):
    # R1 costs ten times as much as R0: 5% of its 400 of shortfall (20) takes 20 / 3 places
    kw = {"periods": [2026], "budget": 4000.0, "pass_rate": 1.0, "lead_time": 1,
          "exit_rate": 0.0, "cost_per_trainee": pd.DataFrame({"region": ["R0", "R1"],
                                                              "cost_per_trainee": [50.0, 500.0]})}
    plan = allocate_quotas(two_regions_one_industry, equity=0.05, integer="none", **kw)
    row = plan.constraints.set_index("name").loc["equity[R1]"]
    assert row["binds"] and row["value"] == pytest.approx(-9.0)
    assert (row["limit"], row["used"]) == pytest.approx((20.0, 20.0))
    # whole places: 7 places in R1 remove 21 (one each in 2027-2029)
    whole = allocate_quotas(two_regions_one_industry, equity=0.05, **kw)
    row = whole.constraints.set_index("name").loc["equity[R1]"]
    assert (row["limit"], row["used"]) == pytest.approx((20.0, 21.0))
    # R0's rule (its 80 places remove far more than 20) does not bind: no row
    assert "equity[R0]" not in plan.constraints["name"].tolist()


# --------------------------------------------------------------------------- whole places

def test_multiyear_whole_places_say_the_money_left_buys_no_useful_place(two_cells):
    # A place costs 100 in A, 300 in B (half of B's trainees certify): 2026's 3,050 buys 30
    # places in A, and the 50 left buys no place; 2027's 4,000 is spent to the unit
    budget = pd.DataFrame({"period": ["2026", "2027"], "budget": [3050.0, 4000.0]})
    kw = {"periods": [2026, 2027], "budget": budget, "pass_rate": PASS_YEARS, "lead_time": 1,
          "exit_rate": 0.1, "cost_per_trainee": pd.DataFrame({"industry": ["A", "B"],
                                                              "cost_per_trainee": [100.0, 300.0]})}
    plan = allocate_quotas(two_cells, **kw)
    table = plan.constraints
    assert table["sentence"].tolist() == plan.binding
    assert table["binds"].tolist() == [True, True]
    assert table["used"].tolist() == [3000.0, 4000.0]
    years = plan.years.set_index(plan.years["period"].astype(str))
    assert table["used"].tolist() == years.loc[["2026", "2027"], "cost"].tolist()
    assert plan.binding == [
        "the budget for 2026 is fully used: 3,000 of 3,050 spent; each extra 100 of it closes "
        "about 0.9 person-years of the shortfall of the expected gap; the 50 left buys no "
        "further useful place",
        "the budget for 2027 is fully used: 4,000 of 4,000 spent; each extra 100 of it closes "
        "about 1 person-years of the shortfall of the expected gap"]
    lines = plain_constraints(table, currency="yuan", unit="person-years", summary=plan.summary)
    assert lines == [
        "the budget for 2026 is fully used: 3,000 of 3,050 yuan spent; each extra 100 yuan of "
        "it closes about 0.9 person-years of the shortfall of the expected gap; the 50 yuan "
        "left buys no further useful place",
        "the budget for 2027 is fully used: 4,000 of 4,000 yuan spent; each extra 100 yuan of "
        "it closes about 1 person-years of the shortfall of the expected gap"]
    # continuous places spend it all: no such clause, in the library or the report
    free = allocate_quotas(two_cells, integer="none", **kw)
    assert free.constraints["used"].tolist() == pytest.approx([3050.0, 4000.0])
    words = plain_constraints(free.constraints, currency="yuan", summary=free.summary)
    assert not any("left buys" in line for line in free.binding + words)
