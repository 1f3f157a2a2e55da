"""Tests for talentgap.features.estimate_nodes (node SEs from the microdata, against samplics)
and for aggregate's refusal to add up design-based cell variances."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, ParameterError
from talentgap.features import SurveyDesign, aggregate, build_panel, estimate_cells, estimate_nodes

samplics = pytest.importorskip("samplics")
from samplics.estimation import TaylorEstimator  # noqa: E402
from samplics.utils.types import PopParam  # noqa: E402

LEVELS = {"region": {"N1": "north", "N2": "north", "S1": "south"}}
DESIGN = SurveyDesign(strata="stratum", psu="psu", fpc="pop")


def _surveys(seed: int = 1, cluster: bool = True) -> pd.DataFrame:
    """Strata of parks (PSUs) whose enterprises spread over every region x industry cell."""
    rng = np.random.default_rng(seed)
    rows, eid = [], 0
    for stratum, n_psu, population in [("A", 3, 10), ("B", 4, 8), ("C", 2, 5), ("D", 3, 3)]:
        for p in range(n_psu):
            for _ in range(int(rng.integers(3, 6))):
                eid += 1
                vac = int(rng.integers(8, 20))
                htf = int(min(vac, 1 + 6 * (p == 0))) if cluster else int(rng.integers(0, vac + 1))
                rows.append(dict(period="2024Q1", enterprise_id=f"E{eid}",
                                 region=str(rng.choice(["N1", "N2", "S1"])),
                                 industry=str(rng.choice(["tex", "met"])),
                                 employees=int(rng.integers(5, 200)), vacancies=vac,
                                 hard_to_fill=htf, reports_shortage=bool(rng.random() < 0.7),
                                 weight=float(rng.uniform(1, 10)), stratum=stratum,
                                 psu=f"{stratum}{p}", pop=population))
    return pd.DataFrame(rows)


def _samplics(df: pd.DataFrame, y, domain, design: bool, param=PopParam.total):
    est = TaylorEstimator(param)
    kwargs = dict(y=y, samp_weight=df["weight"], remove_nan=True)
    if design:
        n_h = df.groupby("stratum")["psu"].nunique()
        fpc = {s: 1 - n_h[s] / n for s, n in df.groupby("stratum")["pop"].first().items()}
        kwargs.update(stratum=df["stratum"], psu=df["psu"], fpc=fpc)
    else:  # every cell its own stratum
        kwargs.update(stratum=df["region"] + "|" + df["industry"])
    if domain is not None:
        kwargs["domain"] = domain
    est.estimate(**kwargs)
    return est.point_est, est.stderror


def _node_domain(df: pd.DataFrame, region_level: str, industry_level: str):
    region = df["region"].map(LEVELS["region"]) if region_level == "region_group" else df["region"]
    parts = {"region": region, "region_group": region, "industry": df["industry"]}
    labels = [parts[level] for level in (region_level, industry_level) if level != "all"]
    if not labels:
        return None
    return labels[0] if len(labels) == 1 else labels[0] + "|" + labels[1]


@pytest.mark.parametrize("cluster", [True, False])
def test_every_node_matches_samplics_domains_under_the_design(cluster):
    df = _surveys(cluster=cluster)
    out = estimate_nodes(df, levels=LEVELS, design=DESIGN)
    assert len(out) == 6 * 3  # (N1, N2, S1, north, south, all) x (tex, met, all)
    for (region_level, industry_level), rows in out.groupby(["region_level", "industry_level"]):
        domain = _node_domain(df, region_level, industry_level)
        total, se = _samplics(df, df["hard_to_fill"], domain, design=True)
        rate, rate_se = _samplics(df, df["reports_shortage"].astype(float), domain, design=True,
                                  param=PopParam.mean)
        for _, row in rows.iterrows():
            names = [row[k] for k, level in (("region", region_level),
                                              ("industry", industry_level)) if level != "all"]
            label = "|".join(names) if domain is not None else None
            pick = (lambda d, lab=label: d if lab is None else d[lab])  # noqa: E731
            assert row["demand"] == pytest.approx(pick(total), rel=1e-10)
            assert row["demand_se"] == pytest.approx(pick(se), rel=1e-9)
            assert row["shortage_rate_se"] == pytest.approx(pick(rate_se), rel=1e-9)


def test_top_node_se_is_not_the_root_sum_of_squares_under_clusters():
    df = _surveys(cluster=True)
    top = estimate_nodes(df, design=DESIGN).iloc[-1]
    cells = estimate_cells(df, design=DESIGN)
    assert top["demand_se"] == pytest.approx(_samplics(df, df["hard_to_fill"], None, True)[1])
    assert top["demand_se"] > 1.1 * np.sqrt((cells["demand_se"] ** 2).sum())


def test_bottom_rows_equal_estimate_cells():
    df = _surveys(seed=3)
    out = estimate_nodes(df, levels=LEVELS, design=DESIGN)
    bottom = out[(out["region_level"] == "region") & (out["industry_level"] == "industry")]
    cells = estimate_cells(df, design=DESIGN)
    for column in ["n_respondents", "demand", "demand_se", "vacancy_rate_se", "demand_df"]:
        np.testing.assert_allclose(bottom[column].to_numpy(dtype=float),
                                   cells[column].to_numpy(dtype=float), rtol=1e-12)
    assert (bottom["n_cells"] == 1).all()


def test_without_design_cells_are_strata_as_aggregate_and_samplics_say():
    df = _surveys(seed=2, cluster=False).drop(columns=["stratum", "psu", "pop"])
    out = estimate_nodes(df, levels=LEVELS)
    assert "take_all" not in out.columns and "demand_df" not in out.columns
    cells = estimate_cells(df)
    assert cells["n_respondents"].min() > 1
    summed = aggregate(cells.assign(period=cells["period"]), levels=LEVELS, values=["demand"])
    np.testing.assert_allclose(out["demand"], summed["demand"], rtol=1e-12)
    np.testing.assert_allclose(out["demand_se"], summed["demand_se"], rtol=1e-10)
    _, se = _samplics(df, df["hard_to_fill"], df["region"].map(LEVELS["region"]), design=False)
    north = out[(out["region"] == "north") & (out["industry_level"] == "all")].iloc[0]
    assert north["demand_se"] == pytest.approx(se["north"], rel=1e-9)


def test_without_design_a_single_respondent_cell_leaves_its_nodes_without_se():
    df = _surveys(seed=2, cluster=False).drop(columns=["stratum", "psu", "pop"])
    alone = df.iloc[[0]].assign(region="S2", enterprise_id="LONE")
    df = pd.concat([df, alone], ignore_index=True)
    levels = {"region": {**LEVELS["region"], "S2": "south"}}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # no lonely-PSU warning from the implied design
        out = estimate_nodes(df, levels=levels)
    assert [str(w.message) for w in caught if "single" in str(w.message)] == [
        str(caught[0].message)] and "region=S2" in str(caught[0].message)
    assert len(caught) == 1
    south = out["region"].isin(["S2", "south", "all"]) & out["industry"].isin(
        [alone["industry"].iloc[0], "all"])
    assert out.loc[south, "demand_se"].isna().all()
    assert out.loc[~south & (out["region"] != "S2"), "demand_se"].notna().all()


def test_detail_keys_need_a_design():
    df = _surveys().assign(skill_level="ordinary")
    with pytest.raises(ParameterError, match="without a design"):
        estimate_nodes(df, keys=["region", "skill_level"])


def test_aggregate_refuses_to_add_design_based_variances():
    df = _surveys(cluster=True)
    cells = estimate_cells(df, design=DESIGN)
    selected = cells[["region", "industry", "period", "demand", "demand_se"]]  # attrs kept
    with pytest.warns(DataQualityWarning, match="estimate_nodes"):
        out = aggregate(selected, values=["demand"])
    assert out.loc[out["n_cells"] > 1, "demand_se"].isna().all()
    single = out[out["n_cells"] == 1].sort_values(["region", "industry"])
    np.testing.assert_allclose(single["demand_se"], cells["demand_se"], rtol=1e-12)
    # the same through build_panel's design columns, attrs or not
    panel = build_panel(df, design=DESIGN)
    panel.attrs.clear()
    with pytest.warns(DataQualityWarning, match="take_all"):
        out = aggregate(panel, values=["demand"])
    assert out.loc[out["n_cells"] > 1, "demand_se"].isna().all()


def test_aggregate_without_design_still_matches_samplics():
    df = _surveys(seed=2, cluster=False).drop(columns=["stratum", "psu", "pop"])
    cells = estimate_cells(df)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = aggregate(cells, levels=LEVELS, values=["demand"])
    _, se = _samplics(df, df["hard_to_fill"], None, design=False)
    assert out["demand_se"].iloc[-1] == pytest.approx(se, rel=1e-9)
