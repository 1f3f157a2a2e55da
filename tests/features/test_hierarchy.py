"""Tests for talentgap.features.hierarchy: the Hierarchy (nodes, summing matrix, sums) and
aggregate."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from talentgap.datasets import make_synthetic
from talentgap.errors import ParameterError
from talentgap.features import aggregate, build_panel
from talentgap.features.hierarchy import TOP, Hierarchy

KEYS = ["region", "industry"]
REGIONS = {"r1": "P1", "r2": "P1", "r3": "P2", "r4": "P2", "r5": "P3"}
INDUSTRIES = {"welding": "manufacturing", "sewing": "manufacturing", "retail": "digital",
              "robots": "manufacturing"}
VALUES = ["demand", "supply", "gap"]


@pytest.fixture
def panel() -> pd.DataFrame:
    """5 regions x 4 industries x 3 years, random values, categorical keys."""
    rng = np.random.default_rng(0)
    grid = pd.MultiIndex.from_product(
        [list(REGIONS), list(INDUSTRIES), pd.period_range("2022", periods=3, freq="Y")],
        names=[*KEYS, "period"]).to_frame(index=False)
    for key in KEYS:
        grid[key] = grid[key].astype("category")
    n = len(grid)
    grid["demand"] = rng.uniform(0, 100, n)
    grid["demand_se"] = rng.uniform(1, 10, n)
    grid["supply"] = rng.uniform(0, 80, n)
    grid["gap"] = grid["demand"] - grid["supply"]
    grid["shortage_rate"] = rng.uniform(0, 1, n)  # not additive: never summed by default
    return grid


def _levels(form: str) -> dict:
    if form == "dict":
        return {"region": dict(REGIONS), "industry": dict(INDUSTRIES)}
    if form == "series":
        return {"region": pd.Series(REGIONS, name="province"),
                "industry": pd.Series(INDUSTRIES, name="sector")}
    return {"region": pd.DataFrame({"region": list(REGIONS), "province": list(REGIONS.values())}),
            "industry": pd.DataFrame({"sector": list(INDUSTRIES.values()),
                                      "industry": list(INDUSTRIES)})}  # key column not first


def _node(out: pd.DataFrame, region_level: str, industry_level: str) -> pd.DataFrame:
    rows = out[(out["region_level"] == region_level) & (out["industry_level"] == industry_level)]
    return rows.sort_values(["region", "industry", "period"]).reset_index(drop=True)


def _nan_sum(values: pd.Series) -> float:
    return values.sum(skipna=False)


def _parents(panel: pd.DataFrame) -> pd.DataFrame:
    return panel.assign(province=panel["region"].astype(str).map(REGIONS),
                        sector=panel["industry"].astype(str).map(INDUSTRIES))


@pytest.mark.parametrize("form", ["dataframe", "series", "dict"])
def test_every_level_sums_correctly(panel, form):
    out = aggregate(panel, levels=_levels(form))
    upper_region = "region_group" if form == "dict" else "province"
    upper_industry = "industry_group" if form == "dict" else "sector"
    assert set(zip(out["region_level"], out["industry_level"], strict=True)) == {
        (r, i) for r in ("region", upper_region, TOP) for i in ("industry", upper_industry, TOP)
    }
    assert "shortage_rate" not in out.columns

    # bottom level reproduces the panel
    bottom = _node(out, "region", "industry")
    expected = panel.sort_values([*KEYS, "period"]).reset_index(drop=True)
    assert len(bottom) == len(panel)
    assert (bottom["n_cells"] == 1).all()
    for name in [*VALUES, "demand_se"]:
        np.testing.assert_allclose(bottom[name], expected[name], rtol=1e-15, err_msg=name)
    assert bottom["region"].tolist() == expected["region"].astype(str).tolist()

    # province x sector: a pandas groupby sum
    middle = _node(out, upper_region, upper_industry)
    grouped = (_parents(panel).groupby(["province", "sector", "period"])[VALUES].sum()
               .reset_index().sort_values(["province", "sector", "period"]))
    assert middle["region"].tolist() == grouped["province"].tolist()
    assert middle["industry"].tolist() == grouped["sector"].tolist()
    for name in VALUES:
        np.testing.assert_allclose(middle[name], grouped[name], rtol=1e-12, err_msg=name)
    sizes = _parents(panel).groupby(["province", "sector", "period"]).size().to_numpy()
    np.testing.assert_array_equal(middle["n_cells"], sizes)

    # all x all: the grand total per period
    top = _node(out, TOP, TOP)
    assert (top["region"] == TOP).all() and (top["industry"] == TOP).all()
    totals = panel.groupby("period")[VALUES].sum()
    for name in VALUES:
        np.testing.assert_allclose(top[name], totals[name], rtol=1e-12, err_msg=name)
    assert (top["n_cells"] == len(REGIONS) * len(INDUSTRIES)).all()

    # region x sector and province x all, mixed levels
    mixed = _node(out, "region", upper_industry)
    expected_mixed = (_parents(panel).assign(region=panel["region"].astype(str))
                      .groupby(["region", "sector", "period"])["demand"].sum())
    np.testing.assert_allclose(mixed["demand"], expected_mixed.to_numpy(), rtol=1e-12)
    by_province = _node(out, upper_region, TOP)
    expected_province = _parents(panel).groupby(["province", "period"])["gap"].sum()
    np.testing.assert_allclose(by_province["gap"], expected_province.to_numpy(), rtol=1e-12)


def test_the_three_mapping_forms_agree(panel):
    frames = [aggregate(panel, levels=_levels(form)) for form in ("dataframe", "series", "dict")]
    for other in frames[1:]:
        left = frames[0].drop(columns=["region_level", "industry_level"])
        right = other.drop(columns=["region_level", "industry_level"])
        pd.testing.assert_frame_equal(left, right)


def test_demand_se_combines_as_root_sum_of_squares(panel):
    out = aggregate(panel, levels=_levels("dict"))
    middle = _node(out, "region_group", "industry_group")
    expected = (_parents(panel).assign(v=panel["demand_se"] ** 2)
                .groupby(["province", "sector", "period"])["v"].sum() ** 0.5)
    np.testing.assert_allclose(middle["demand_se"], expected.to_numpy(), rtol=1e-12)
    top = _node(out, TOP, TOP)
    expected_top = np.sqrt(panel.assign(v=panel["demand_se"] ** 2).groupby("period")["v"].sum())
    np.testing.assert_allclose(top["demand_se"], expected_top.to_numpy(), rtol=1e-12)
    # and not the plain sum of SEs
    assert (top["demand_se"].to_numpy()
            < panel.groupby("period")["demand_se"].sum().to_numpy()).all()


def test_a_missing_bottom_value_makes_every_ancestor_missing(panel):
    panel = panel.copy()
    hole = ((panel["region"] == "r3") & (panel["industry"] == "retail")
            & (panel["period"] == pd.Period("2023", freq="Y")))
    panel.loc[hole, "demand"] = np.nan
    out = aggregate(panel, levels=_levels("dict"), values=["demand", "supply"])
    in_year = out["period"] == pd.Period("2023", freq="Y")
    region_ok = out["region"].isin(["r3", "P2", TOP])
    industry_ok = out["industry"].isin(["retail", "digital", TOP])
    ancestors = in_year & region_ok & industry_ok
    # r3 x retail, r3 x digital, r3 x all, P2 x {retail, digital, all}, all x {...}
    assert ancestors.sum() == 9
    assert out.loc[ancestors, "demand"].isna().all()
    assert out.loc[~ancestors, "demand"].notna().all()
    assert out["supply"].notna().all()  # other columns unaffected
    # demand_se follows only its own NaNs, here none
    assert out["demand_se"].notna().all()


def test_without_mappings_each_key_has_bottom_and_all(panel):
    out = aggregate(panel)
    assert set(out["region_level"]) == {"region", TOP}
    assert len(out) == (5 + 1) * (4 + 1) * 3
    by_region = _node(out, "region", TOP)
    expected = panel.groupby(["region", "period"], observed=True)["supply"].sum()
    np.testing.assert_allclose(by_region["supply"], expected.to_numpy(), rtol=1e-12)


def test_multi_level_dataframe_mapping(panel):
    mapping = pd.DataFrame({"region": list(REGIONS), "province": list(REGIONS.values()),
                            "zone": ["east", "east", "east", "east", "west"]})
    out = aggregate(panel, levels={"region": mapping}, values=["demand"])
    assert set(out["region_level"]) == {"region", "province", "zone", TOP}
    east = _node(out, "zone", TOP)
    east = east[east["region"] == "east"]
    expected = panel[panel["region"] != "r5"].groupby("period")["demand"].sum()
    np.testing.assert_allclose(east["demand"], expected.to_numpy(), rtol=1e-12)


def test_on_a_built_panel_supply_gaps_propagate():
    data = make_synthetic(n_regions=4, industries=3, n_periods=4, seed=3)
    panel = build_panel(data.surveys, data.training, lead_time=1)
    regions = panel["region"].cat.categories
    out = aggregate(panel, levels={"region": {r: f"P{i % 2}" for i, r in enumerate(regions)}})
    first = out["period"] == panel["period"].min()
    assert out.loc[first, "supply"].isna().all()  # no cohort arrived yet anywhere
    assert out.loc[~first, "supply"].notna().all()
    later = _node(out, TOP, TOP).iloc[1:]
    expected = panel.groupby("period")["gap"].sum().iloc[1:]
    np.testing.assert_allclose(later["gap"], expected.to_numpy(), rtol=1e-12)


def test_unmapped_value_raises_naming_it(panel):
    mapping = {k: v for k, v in REGIONS.items() if k != "r4"}
    with pytest.raises(ParameterError, match=r"mapping for 'region' has no entry for \['r4'\]"):
        aggregate(panel, levels={"region": mapping})
    series = pd.Series(INDUSTRIES, name="sector").drop("sewing")
    with pytest.raises(ParameterError, match=r"no entry for \['sewing'\]"):
        aggregate(panel, levels={"industry": series})


def test_value_mapped_twice_raises_naming_it(panel):
    mapping = pd.DataFrame({"region": [*REGIONS, "r2"], "province": [*REGIONS.values(), "P3"]})
    with pytest.raises(ParameterError, match=r"lists \['r2'\] more than once"):
        aggregate(panel, levels={"region": mapping})
    series = pd.Series(["manufacturing", "digital"], index=["welding", "welding"], name="sector")
    with pytest.raises(ParameterError, match=r"lists \['welding'\] more than once"):
        aggregate(panel, levels={"industry": series})


def test_missing_parent_raises_naming_it(panel):
    # a None parent would silently drop the value from that level's totals
    with pytest.raises(ParameterError, match=r"no parent .* for \['r3'\]"):
        aggregate(panel, levels={"region": {**REGIONS, "r3": None}})


def test_bad_arguments_raise(panel):
    with pytest.raises(ParameterError, match="levels given for \\['sector'\\]"):
        aggregate(panel, levels={"sector": {}})
    with pytest.raises(ParameterError, match="needs a column 'region'"):
        aggregate(panel, levels={"region": pd.DataFrame({"province": ["P1"]})})
    with pytest.raises(ParameterError, match="must be a DataFrame, Series or dict"):
        aggregate(panel, levels={"region": [("r1", "P1")]})


def test_input_is_not_mutated(panel):
    before = panel.copy()
    aggregate(panel, levels=_levels("dataframe"))
    pd.testing.assert_frame_equal(panel, before)


def test_missing_key_value_raises(panel):
    panel = panel.copy()
    panel["region"] = panel["region"].astype(object)
    panel.loc[5, "region"] = None
    with pytest.raises(ParameterError, match=r"columns \['region'\] have missing values"):
        aggregate(panel)


def test_empty_panel_gives_an_empty_table_with_the_columns(panel):
    out = aggregate(panel.iloc[:0], levels=_levels("dict"))
    assert out.empty
    assert list(out.columns) == ["region", "region_level", "industry", "industry_level",
                                 "period", "n_cells", "demand", "supply", "gap", "demand_se"]
    assert out["period"].dtype == panel["period"].dtype
    assert out["n_cells"].dtype == np.int64


def test_unbalanced_panel_with_repeated_rows_sums_the_rows_present(panel):
    rows = panel.sample(frac=0.6, random_state=5)
    rows = pd.concat([rows, rows.head(4)])  # a cell-period twice counts twice, as in a groupby
    out = aggregate(rows, levels=_levels("dict"), values=["demand"])
    top = _node(out, TOP, TOP)
    by_period = rows.groupby("period")["demand"]
    np.testing.assert_allclose(top["demand"], by_period.sum().to_numpy(), rtol=1e-12)
    np.testing.assert_array_equal(top["n_cells"], by_period.size().to_numpy())
    middle = _node(out, "region_group", "industry")
    expected = _parents(rows).groupby(["province", "industry", "period"], observed=True)
    np.testing.assert_allclose(middle["demand"], expected["demand"].sum().to_numpy(),
                               rtol=1e-12)
    # only node-periods with a row are listed
    assert len(middle) == expected.ngroups


# ---- the Hierarchy ----------------------------------------------------------------------------
CELLS = pd.DataFrame(list(itertools.product(REGIONS, INDUSTRIES)), columns=KEYS)


def _covers(node: pd.Series, cell: pd.Series) -> bool:
    """Whether a bottom cell lies under a node, from the definitions alone."""
    parents = {"region": REGIONS, "industry": INDUSTRIES}
    for key, parent in parents.items():
        level, label = node[f"{key}_level"], node[key]
        if level == key and cell[key] != label:
            return False
        if level not in (key, TOP) and parent[cell[key]] != label:
            return False
    return True


def _dense_s(hier: Hierarchy) -> np.ndarray:
    return np.array([[_covers(node, cell) for _, cell in hier.bottom.iterrows()]
                     for _, node in hier.nodes.iterrows()], dtype=float)


@pytest.fixture(scope="module")
def hier() -> Hierarchy:
    return Hierarchy.from_mappings(CELLS.sample(frac=1, random_state=1), _levels("dict"))


def test_summing_matrix_of_a_tiny_hierarchy():
    cells = pd.DataFrame({"region": ["b", "c", "a"], "industry": ["x", "y", "x"]})
    hier = Hierarchy.from_mappings(cells, {"region": {"a": "N", "b": "N", "c": "S"}})
    labels = [(r, i) for r, i in zip(hier.nodes["region"], hier.nodes["industry"], strict=True)]
    assert labels == [("a", "x"), ("b", "x"), ("c", "y"),        # region x industry
                      ("a", TOP), ("b", TOP), ("c", TOP),        # region x all
                      ("N", "x"), ("S", "y"),                    # region_group x industry
                      ("N", TOP), ("S", TOP),                    # region_group x all
                      (TOP, "x"), (TOP, "y"),                    # all x industry
                      (TOP, TOP)]
    assert hier.bottom.to_numpy().tolist() == [["a", "x"], ["b", "x"], ["c", "y"]]
    expected = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1],
                         [1, 0, 0], [0, 1, 0], [0, 0, 1],
                         [1, 1, 0], [0, 0, 1],
                         [1, 1, 0], [0, 0, 1],
                         [1, 1, 0], [0, 0, 1],
                         [1, 1, 1]], dtype=float)
    assert hier.S.format == "csr" and hier.S.shape == (13, 3)
    np.testing.assert_array_equal(hier.S.toarray(), expected)
    np.testing.assert_array_equal(hier.nodes["n_cells"], expected.sum(axis=1))
    assert repr(hier) == ("Hierarchy(region -> region_group -> all x industry -> all; "
                          "3 bottom cells, 13 nodes)")


def test_hierarchy_shape_and_summing_matrix(hier):
    s_dense = _dense_s(hier)
    assert (hier.n_bottom, hier.n_nodes) == (20, (5 + 3 + 1) * (4 + 2 + 1))
    assert hier.levels == {"region": ("region", "region_group", "all"),
                           "industry": ("industry", "industry_group", "all")}
    np.testing.assert_array_equal(hier.S.toarray(), s_dense)
    np.testing.assert_array_equal(hier.nodes["n_cells"], s_dense.sum(axis=1))
    # the first n_bottom nodes are the bottom cells in bottom order, which is sorted
    np.testing.assert_array_equal(s_dense[:20], np.eye(20))
    assert [tuple(c) for c in hier.bottom.to_numpy()] == sorted(
        itertools.product(REGIONS, INDUSTRIES))


def test_hierarchy_partial_cross_and_errors():
    cells = pd.DataFrame({"region": ["r1", "r1", "r3"], "industry": ["welding", "retail",
                                                                     "sewing"]})
    hier = Hierarchy.from_mappings(pd.concat([cells, cells]), _levels("dict"))
    assert hier.n_bottom == 3  # repeated cells count once
    # only nodes with cells under them exist (as in aggregate)
    regional = hier.nodes[(hier.nodes["region_level"] == "region")
                          & (hier.nodes["industry_level"] == "industry")]
    assert len(regional) == 3
    np.testing.assert_array_equal(hier.S.toarray(), _dense_s(hier))
    with pytest.raises(ParameterError, match="no entry for"):
        Hierarchy.from_mappings(cells, {"region": {"r1": "P1"}})
    with pytest.raises(ParameterError, match=r"lacks the key columns \['industry'\]"):
        Hierarchy.from_mappings(cells[["region"]], {})
    with pytest.raises(ParameterError, match="not among keys"):
        Hierarchy.from_mappings(cells, {"occupation": {}})
    with pytest.raises(ParameterError, match=r"keys == \[\], must name at least one column"):
        Hierarchy.from_mappings(cells, keys=[])
    with pytest.raises(ParameterError, match="bottom has no rows"):
        Hierarchy.from_mappings(cells.iloc[:0])


def test_sum_to_nodes_with_missing_values_matches_the_definitions(hier):
    rng = np.random.default_rng(7)
    values = rng.normal(0, 10, (hier.n_bottom, 6))
    values[rng.uniform(size=values.shape) < 0.1] = np.nan
    values[:, 0] = np.nan  # a period with nothing observed
    totals = hier.sum_to_nodes(values)
    # the formula GapForecaster used before the hierarchy owned it
    before = hier.S @ np.nan_to_num(values)
    before[(hier.S @ np.isnan(values).astype(float)) > 0] = np.nan
    np.testing.assert_array_equal(totals, before)
    # and from the definitions: a node-period is the plain sum, NaN if any cell is NaN
    s_dense = _dense_s(hier)
    for node in range(hier.n_nodes):
        under = s_dense[node] > 0
        expected = pd.DataFrame(values[under]).sum(skipna=False).to_numpy()
        np.testing.assert_allclose(totals[node], expected, rtol=1e-12, equal_nan=True)
    assert np.isnan(totals[:, 0]).all()
    assert np.isnan(totals[-1]).any() and not np.isnan(totals).all()
    # one value per cell, and the shape is checked
    np.testing.assert_array_equal(hier.sum_to_nodes(values[:, 1]), totals[:, 1])
    with pytest.raises(ParameterError, match=r"one row per bottom cell, shape \(20,\)"):
        hier.sum_to_nodes(values[:5])


def test_aggregate_lists_the_nodes_of_the_hierarchy_in_its_order(panel, hier):
    out = aggregate(panel, levels=_levels("dict"))
    n_periods = panel["period"].nunique()
    assert len(out) == hier.n_nodes * n_periods
    for t in range(n_periods):  # node by node, periods sorted within a node
        one = out.iloc[t::n_periods].reset_index(drop=True)
        assert (one["period"] == sorted(panel["period"].unique())[t]).all()
        pd.testing.assert_frame_equal(one[[*hier.node_columns, "n_cells"]], hier.nodes,
                                      check_dtype=False)
        bottom = panel[panel["period"] == one["period"].iloc[0]]
        cells = hier.cell_positions(bottom)
        gap = np.empty(hier.n_bottom)
        gap[cells] = bottom["gap"].to_numpy()
        np.testing.assert_allclose(one["gap"], hier.sum_to_nodes(gap), rtol=1e-12)


def test_cell_and_node_positions(hier):
    frame = pd.DataFrame({"region": ["r5", "r9", "r1"], "industry": ["sewing", "x", "retail"]})
    where = hier.cell_positions(frame)
    assert where[1] == -1
    assert hier.bottom.iloc[where[[0, 2]]].to_numpy().tolist() == [["r5", "sewing"],
                                                                   ["r1", "retail"]]
    nodes = hier.nodes.sample(frac=1, random_state=2)
    np.testing.assert_array_equal(hier.node_positions(nodes), nodes.index.to_numpy())
    wrong = nodes.head(2).assign(region_level="province")
    with pytest.raises(ParameterError, match=r"forecasts has 2 rows for nodes that are not"):
        hier.node_positions(wrong, what="forecasts")
    assert hier.node_examples(np.array([hier.n_nodes - 1])) == str(
        [{"region": TOP, "region_level": TOP, "industry": TOP, "industry_level": TOP}])
