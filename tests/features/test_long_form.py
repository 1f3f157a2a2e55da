"""Vacancies in long form: one row per enterprise x period x detail, and the two-table form."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talentgap.errors import SchemaError
from talentgap.features import SurveyDesign, build_panel, estimate_cells, long_form
from talentgap.schema import validate

# E1 reports three occupations at two skill levels; E2 one post; E3 none; E4 in another region.
ENTERPRISES = pd.DataFrame({
    "period": ["2024Q1"] * 4, "enterprise_id": ["E1", "E2", "E3", "E4"],
    "region": ["Ouhai", "Ouhai", "Ouhai", "Longwan"], "industry": ["electromechanical"] * 4,
    "employees": [200, 50, 30, 80], "reports_shortage": [1, 0, 1, 1],
    "weight": [2.0, 4.0, 5.0, 1.0],
})
VACANCIES = pd.DataFrame({
    "period": ["2024Q1"] * 7,
    "enterprise_id": ["E1", "E1", "E1", "E1", "E1", "E2", "E4"],
    "occupation": ["welder", "welder", "CNC operator", "CNC operator", "robot operator",
                   "welder", "CNC operator"],
    "skill_level": ["ordinary", "high", "ordinary", "high", "high", "ordinary", "high"],
    "vacancies": [4, 2, 5, 1, 3, 1, 2],
    "hard_to_fill": [3, 2, 1, 1, 3, 0, 2],
})
LEVELS = ["ordinary", "high"]


def hand_long() -> pd.DataFrame:
    """The same answers typed as the long surveys table, enterprise columns repeated."""
    firm = ENTERPRISES.set_index("enterprise_id")
    rows = []
    for e in ["E1", "E2", "E3", "E4"]:
        posts = VACANCIES[VACANCIES["enterprise_id"] == e]
        if posts.empty:
            posts = pd.DataFrame({"period": ["2024Q1"], "enterprise_id": [e],
                                  "occupation": [None], "skill_level": [None],
                                  "vacancies": [0], "hard_to_fill": [0]})
        for _, post in posts.iterrows():
            rows.append({"period": "2024Q1", "enterprise_id": e,
                         **firm.loc[e].drop("period").to_dict(),
                         "vacancies": post["vacancies"], "hard_to_fill": post["hard_to_fill"],
                         "occupation": post["occupation"], "skill_level": post["skill_level"]})
    return pd.DataFrame(rows)


def records(cells: pd.DataFrame, key: str, columns: list[str]) -> dict:
    return {str(k): tuple(float(v) for v in row)
            for k, row in zip(cells[key], cells[columns].to_numpy(), strict=True)}


# --- the worked example -------------------------------------------------------------------------


def test_enterprise_counted_once_in_its_region_industry_cell():
    cells = estimate_cells(hand_long())
    got = records(cells, "region", ["n_respondents", "enterprises", "employees",
                                    "shortage_rate", "vacancies", "demand"])
    # Ouhai: E1 (w 2), E2 (w 4), E3 (w 5); E1's five detail rows are one respondent
    assert got["Ouhai"] == (3, 11, 2 * 200 + 4 * 50 + 5 * 30, (2 + 5) / 11,
                            2 * 15 + 4 * 1, 2 * 10 + 4 * 0)
    assert got["Longwan"] == (1, 1, 80, 1.0, 2, 2)


def test_vacancies_land_in_their_occupation_cells():
    cells = estimate_cells(hand_long(), keys=("region", "occupation"))
    ouhai = cells[cells["region"] == "Ouhai"]
    got = records(ouhai, "occupation", ["n_respondents", "reporting_employees",
                                        "shortage_rate", "vacancies", "demand"])
    assert got == {
        "CNC operator": (1, 400, 1.0, 2 * 6, 2 * 2),
        "robot operator": (1, 400, 1.0, 2 * 3, 2 * 3),
        "welder": (2, 400 + 200, 2 / 6, 2 * 6 + 4 * 1, 2 * 5),
    }
    # the occupations of a region add up to its demand (E3 has no post: in no occupation cell)
    assert ouhai["demand"].sum() == 20
    # enterprise-level totals are of the reporting enterprises, named so; no vacancy rate
    assert ouhai["reporting_enterprises"].sum() > 2 * 1 + 4 * 1  # E1 counts in three cells
    assert not {"employees", "enterprises", "vacancy_rate", "vacancy_rate_se"} & set(cells)
    by_region = estimate_cells(hand_long(), keys=("region", "industry"))
    assert {"employees", "enterprises", "vacancy_rate"} <= set(by_region)


def test_vacancies_land_in_their_skill_level_cells_in_the_declared_order():
    cells = estimate_cells(hand_long(), keys=("region", "skill_level"), skill_levels=LEVELS)
    ouhai = cells[cells["region"] == "Ouhai"]
    assert ouhai["skill_level"].tolist() == LEVELS  # not alphabetical
    assert cells["skill_level"].cat.ordered
    got = records(ouhai, "skill_level", ["n_respondents", "reporting_employees", "vacancies",
                                         "demand"])
    assert got == {"ordinary": (2, 600, 2 * 9 + 4 * 1, 2 * 4), "high": (1, 400, 2 * 6, 2 * 6)}


def test_long_form_and_two_table_form_give_identical_estimates():
    joined = long_form(ENTERPRISES, VACANCIES)
    typed = validate(hand_long(), table="surveys")
    pd.testing.assert_frame_equal(joined, typed)
    design = SurveyDesign(strata="industry")
    for keys in [("region", "industry"), ("region", "occupation"),
                 ("occupation", "skill_level")]:
        for kwargs in [{}, {"design": design}]:
            pd.testing.assert_frame_equal(estimate_cells(joined, keys=keys, **kwargs),
                                          estimate_cells(hand_long(), keys=keys, **kwargs))


# --- standard errors: the enterprise stays the unit ---------------------------------------------


def _survey(seed: int) -> pd.DataFrame:
    """Random long table: 30 enterprises, 1-4 detail rows each, two quarters."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in ["2024Q1", "2024Q2"]:
        for e in range(30):
            firm = {"period": p, "enterprise_id": f"E{e}", "region": f"R{e % 3}",
                    "industry": "textiles", "size_band": "large" if e % 5 == 0 else "small",
                    "employees": int(rng.integers(5, 300)),
                    "reports_shortage": int(rng.integers(0, 2)),
                    "weight": float(rng.uniform(1, 9))}
            levels = rng.choice(["ordinary", "high", "master"], rng.integers(1, 4),
                                replace=False)
            for level in levels:
                v = int(rng.integers(0, 9))
                rows.append(firm | {"skill_level": level, "vacancies": v,
                                    "hard_to_fill": int(rng.integers(0, v + 1))})
    return pd.DataFrame(rows)


def _merged(long: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per enterprise-period and cell, vacancies summed (built with pandas)."""
    firm = [c for c in long.columns if c not in ("vacancies", "hard_to_fill", "skill_level")]
    by = list(dict.fromkeys([*firm, *keys]))
    return long.groupby(by, sort=False).agg(vacancies=("vacancies", "sum"),
                                            hard_to_fill=("hard_to_fill", "sum")).reset_index()


@pytest.mark.parametrize("with_design", [False, True])
def test_region_cells_equal_those_of_one_row_per_enterprise(with_design):
    long = _survey(0)
    kwargs = {"design": SurveyDesign(strata="size_band")} if with_design else {}
    wide = _merged(long, ["region"]).drop(columns="skill_level", errors="ignore")
    assert len(wide) < len(long)
    pd.testing.assert_frame_equal(estimate_cells(long, keys=["region"], **kwargs),
                                  estimate_cells(wide, keys=["region"], **kwargs),
                                  check_exact=False, rtol=1e-12)


@pytest.mark.parametrize("level", ["ordinary", "high", "master"])
def test_a_skill_level_cell_is_a_domain_with_the_enterprise_as_unit(level):
    # By level, an enterprise's contribution is its vacancies at that level (0 if none):
    # the same totals and design SEs as one row per enterprise holding just those.
    long = _survey(4)
    design = SurveyDesign(strata="size_band")
    got = estimate_cells(long, keys=["skill_level"], design=design)
    got = got[got["skill_level"] == level].reset_index(drop=True)
    at_level = long["skill_level"] == level
    wide = _merged(long.assign(vacancies=long["vacancies"].where(at_level, 0),
                               hard_to_fill=long["hard_to_fill"].where(at_level, 0)), [])
    assert wide.groupby(["enterprise_id", "period"]).size().max() == 1
    want = estimate_cells(wide, keys=["industry"], design=design)
    for name in ["vacancies", "vacancies_se", "demand", "demand_se"]:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-12, err_msg=name)


def test_row_order_does_not_change_the_estimates():
    long = _survey(1)
    shuffled = long.sample(frac=1.0, random_state=3).reset_index(drop=True)
    design = SurveyDesign(strata="size_band")
    for keys in [["region"], ["region", "skill_level"]]:
        pd.testing.assert_frame_equal(estimate_cells(long, keys=keys, design=design),
                                      estimate_cells(shuffled, keys=keys, design=design),
                                      check_exact=False, rtol=1e-10)


def test_build_panel_counts_each_enterprise_once():
    long = _survey(2)
    panel = build_panel(long, keys=("region", "industry"))
    want = estimate_cells(_merged(long, ["region", "industry"]))
    np.testing.assert_allclose(panel["demand"], want["demand"], rtol=1e-12)
    np.testing.assert_allclose(panel["employees"], want["employees"], rtol=1e-12)
    assert panel["n_respondents"].tolist() == want["n_respondents"].tolist()


# --- rules and errors ---------------------------------------------------------------------------


def test_enterprise_columns_that_differ_are_refused_with_lines():
    long = hand_long()
    long.loc[2, "employees"] = 201  # E1's third detail row (line 4)
    with pytest.raises(SchemaError, match="'employees'") as info:
        validate(long, table="surveys")
    err = info.value
    assert (err.column, err.reason) == ("employees", "not_constant")
    assert str(err).startswith("surveys:")
    assert ("line 2 (E1, 2024Q1, welder, ordinary): 200 here, but line 4 of the same "
            "enterprise-period holds 201") in str(err)
    assert ("line 4 (E1, 2024Q1, CNC operator, ordinary): 201 here, but line 2 of the same "
            "enterprise-period holds 200") in str(err)
    assert set(err.failure_cases["line"]) == {2, 3, 4, 5, 6}  # every row of E1, 2024Q1
    clean, report = validate(long, table="surveys", errors="report")
    assert report.rows_rejected == 5 and set(clean["enterprise_id"]) == {"E2", "E3", "E4"}


@pytest.mark.parametrize("column, value", [("weight", 2.5), ("reports_shortage", 0),
                                           ("region", "Longwan")])
def test_each_enterprise_level_column_is_checked(column, value):
    long = hand_long()
    long.loc[4, column] = value
    with pytest.raises(SchemaError, match=rf"'{column}' .*\[not_constant\]"):
        estimate_cells(long)


def test_a_canonical_table_with_differing_enterprise_columns_is_caught():
    clean = validate(hand_long(), table="surveys")
    clean.loc[1, "employees"] = 7  # canonical dtypes still: only the cheap check can see it
    with pytest.raises(SchemaError, match="not_constant"):
        estimate_cells(clean)


def test_design_columns_must_be_constant_within_an_enterprise_period():
    long = hand_long().assign(psu=["P1"] * 4 + ["P2"] + ["P1"] * 3)
    with pytest.raises(SchemaError, match=r"'psu'.*line 6") as info:
        estimate_cells(long, design=SurveyDesign(psu="psu"))
    assert info.value.reason == "not_constant"


def test_a_repeated_detail_is_refused_with_its_lines():
    long = pd.concat([hand_long(), hand_long().iloc[[0]].assign(vacancies=9)],
                     ignore_index=True)
    with pytest.raises(SchemaError, match=r"shared by lines 2, 10") as info:
        validate(long, table="surveys")
    assert info.value.column == "enterprise_id, period, occupation, skill_level"


def test_one_row_per_enterprise_period_without_details_still_holds():
    long = hand_long().drop(columns=["occupation", "skill_level"])
    with pytest.raises(SchemaError, match="duplicate_key"):
        validate(long, table="surveys")


def test_a_level_outside_the_declared_order_is_refused_with_its_line():
    long = hand_long()
    long.loc[3, "skill_level"] = "senior"
    with pytest.raises(SchemaError, match=r"'skill_level'.*line 5.*'senior'") as info:
        estimate_cells(long, keys=["skill_level"], skill_levels=LEVELS)
    assert info.value.reason == "unknown_code"


def test_only_detail_columns_may_be_blank():
    long = hand_long()
    assert validate(long, table="surveys")["occupation"].isna().sum() == 1  # E3
    long.loc[0, "region"] = None
    with pytest.raises(SchemaError, match=r"'region' must not be missing"):
        validate(long, table="surveys")


def test_vacancies_of_an_unknown_enterprise_are_refused():
    posts = pd.concat([VACANCIES, VACANCIES.iloc[[0]].assign(enterprise_id="E9")],
                      ignore_index=True)
    with pytest.raises(SchemaError, match=r"vacancies: .*\[unknown_enterprise\].*line 9 \(E9"):
        long_form(ENTERPRISES, posts)


def test_each_table_is_validated_under_its_own_name():
    with pytest.raises(SchemaError, match=r"(?s)^enterprises: .*duplicate_key"):
        long_form(pd.concat([ENTERPRISES, ENTERPRISES.iloc[[0]].assign(employees=9)]),
                  VACANCIES)
    with pytest.raises(SchemaError, match=r"(?s)^vacancies: .*'hard_to_fill' must be <= "):
        long_form(ENTERPRISES, VACANCIES.assign(hard_to_fill=VACANCIES["vacancies"] + 1))


def test_a_column_in_the_wrong_table_is_refused():
    with pytest.raises(SchemaError, match="'employees' belongs in the enterprises table"):
        long_form(ENTERPRISES, VACANCIES.assign(employees=1))
    with pytest.raises(SchemaError, match="'occupation' belongs in the vacancies table"):
        long_form(ENTERPRISES.assign(occupation="welder"), VACANCIES)


def test_build_panel_by_detail_matches_estimate_cells_and_skips_blank_details():
    long = hand_long()  # E3 has blank details: in no occupation cell, still in the design
    design = SurveyDesign(strata="industry")
    keys = ["region", "occupation"]
    panel = build_panel(long, keys=keys, design=design)
    cells = estimate_cells(long, keys=keys, design=design)
    assert len(panel) == len(cells) == 4
    assert "vacancy_rate_df" not in panel and "reporting_enterprises" in panel
    for name in ["n_respondents", "reporting_employees", "demand", "demand_se",
                 "shortage_rate"]:
        np.testing.assert_allclose(panel[name].to_numpy(dtype=float),
                                   cells[name].to_numpy(dtype=float), rtol=1e-12,
                                   err_msg=name)
    assert panel["demand"].sum() == 20 + 2


def test_a_validated_long_table_is_used_as_is(monkeypatch):
    import talentgap.features._inputs as inputs

    clean = validate(hand_long(), table="surveys")
    before = estimate_cells(clean)

    def no_second_validation(*args, **kwargs):
        raise AssertionError("validated again")

    monkeypatch.setattr(inputs, "validate", no_second_validation)
    pd.testing.assert_frame_equal(estimate_cells(clean), before)
    clean.loc[0, "weight"] = 9.0  # now E1's weights differ: the cheap check must notice
    with pytest.raises(AssertionError, match="validated again"):
        estimate_cells(clean)


def test_blank_details_pass_but_other_key_rules_still_apply_to_them():
    long = hand_long().astype({"occupation": object})
    long.loc[0, "occupation"] = 7  # a number among text codes: allowed as a code...
    long.loc[1, "occupation"] = "7"  # ...but not next to the text "7", which reads the same
    with pytest.raises(SchemaError, match=r"'occupation' .*\[text_collision\]") as info:
        validate(long, table="surveys")
    assert set(info.value.failure_cases["line"]) == {2, 3}


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=6, max_size=6), st.integers(0, 2**31 - 1))
def test_splitting_vacancies_over_detail_rows_leaves_region_cells_unchanged(parts, seed):
    # one row per enterprise-period, then each row's posts split over 1-4 occupations
    wide = _merged(_survey(5), ["region"]).drop(columns="skill_level", errors="ignore")
    wide = wide.iloc[:6].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    rows = []
    for (_, row), k in zip(wide.iterrows(), parts, strict=True):
        v = rng.multinomial(row["vacancies"], np.ones(k) / k)
        room = np.concatenate([[0], np.cumsum(v)])  # hard-to-fill posts fill the parts in turn
        h = np.clip(row["hard_to_fill"] - room[:-1], 0, v)
        for j in range(k):
            rows.append(row.to_dict() | {"occupation": f"O{j}", "vacancies": int(v[j]),
                                         "hard_to_fill": int(h[j])})
    long = pd.DataFrame(rows)
    assert long["hard_to_fill"].sum() == wide["hard_to_fill"].sum()
    pd.testing.assert_frame_equal(estimate_cells(long, keys=["region"]),
                                  estimate_cells(wide, keys=["region"]),
                                  check_exact=False, rtol=1e-12)
