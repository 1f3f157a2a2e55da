"""Calibration (GREG) standard errors after calibrate_weights, against numpy oracles."""

from __future__ import annotations

import inspect
import io
import warnings

import numpy as np
import pandas as pd
import pytest

from talentgap.errors import DataQualityWarning, ParameterError
from talentgap.features import SurveyDesign, calibrate_weights, estimate_cells, estimate_nodes
from talentgap.features._calibrated_variance import calibration_margins


def _surveys(seed: int = 3, n: int = 48, periods=("2024Q1", "2024Q2")) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for p in periods:
        psu = np.repeat(np.arange(n // 3), 3)
        frames.append(pd.DataFrame({
            "period": p, "enterprise_id": [f"E{i}" for i in range(n)],
            "region": rng.choice(["N", "S", "W"], n), "industry": rng.choice(["tex", "cons"], n),
            "size_band": rng.choice(["small", "large"], n),
            "employees": rng.integers(5, 200, n), "vacancies": rng.integers(0, 9, n),
            "reports_shortage": rng.integers(0, 2, n),
            "stratum": np.where(psu < n // 6, "a", "b"), "psu": [f"P{j}" for j in psu],
            "population": np.where(psu < n // 6, 30, 40),
            "weight": np.repeat(rng.uniform(2.0, 9.0, n // 3), 3)}))
    out = pd.concat(frames, ignore_index=True)
    out["hard_to_fill"] = (out["vacancies"] * rng.uniform(0, 1, len(out))).astype(int)
    return out


TOTALS = {("region",): pd.DataFrame({"region": ["N", "S", "W"], "count": [60.0, 90.0, 75.0]}),
          ("size_band",): pd.DataFrame({"size_band": ["small", "large"], "count": [150.0, 75.0]})}
DESIGN = SurveyDesign(strata="stratum", psu="psu", fpc="population")


def _oracle_se(table: pd.DataFrame, in_domain: np.ndarray, y: np.ndarray, margins, *,
               x: np.ndarray | None = None) -> float:
    """Design SE of the residual scores w*e, e = y 1[d] - X B, B by WLS with the design weights.

    As R's calibrate(): qr(mm * sqrt(d)) residuals of y * sqrt(d), times g * sqrt(d).
    """
    w = table["weight"].to_numpy()
    dw = table["design_weight"].to_numpy()
    X = np.column_stack([(table[list(m)].astype(str).agg("|".join, axis=1) == c).to_numpy()
                         for m in margins
                         for c in table[list(m)].astype(str).agg("|".join, axis=1).unique()])
    X = X.astype(float)
    yd = y * in_domain
    if x is not None:  # ratio: linearised (y - R x) / X_total
        xd = x * in_domain
        total_x = (w * xd).sum()
        yd = (yd - (w * yd).sum() / total_x * xd) / total_x
    sd = np.sqrt(dw)
    beta = np.linalg.lstsq(X * sd[:, None], yd * sd, rcond=None)[0]
    z = w * (yd - X @ beta)
    zp = pd.Series(z).groupby(table["psu"].to_numpy()).sum()
    variance = 0.0
    for _, rows in table.groupby("stratum"):
        zh = zp[rows["psu"].unique()].to_numpy()
        nh, f = zh.size, zh.size / rows["population"].iloc[0]
        variance += (1 - f) * nh / (nh - 1) * ((zh - zh.mean()) ** 2).sum()
    return float(np.sqrt(variance))


@pytest.fixture(scope="module")
def calibrated() -> pd.DataFrame:
    return calibrate_weights(_surveys(), TOTALS, margins=[("region",), ("size_band",)],
                             bounds=None, tol=1e-12, design=DESIGN)


def test_calibration_is_recorded(calibrated):
    assert calibrated.attrs["calibration"] == {
        "margins": [["region"], ["size_band"]], "weight": "weight", "by_period": True}


def test_totals_and_ratios_match_residual_oracle(calibrated):
    cells = estimate_cells(calibrated, design=DESIGN)
    margins = [("region",), ("size_band",)]
    for row in cells.head(6).itertuples():
        part = calibrated[calibrated["period"].astype(str) == str(row.period)].reset_index()
        d = ((part["region"] == row.region) & (part["industry"] == row.industry)).to_numpy()
        expected = _oracle_se(part, d, part["hard_to_fill"].to_numpy(float), margins)
        assert row.demand_se == pytest.approx(expected, rel=1e-9)
        expected = _oracle_se(part, d, part["reports_shortage"].to_numpy(float), margins,
                              x=np.ones(len(part)))
        assert row.shortage_rate_se == pytest.approx(expected, rel=1e-9)
    plain = estimate_cells(calibrated, design=DESIGN, calibration=False)
    assert not np.allclose(plain["demand_se"], cells["demand_se"])


def test_margin_total_has_zero_se(calibrated):
    nodes = estimate_nodes(calibrated, keys=["region"], design=DESIGN)
    regions = nodes[nodes["region"] != "all"]
    np.testing.assert_allclose(regions["enterprises"], np.repeat([60.0, 90.0, 75.0], 2))
    assert regions["enterprises_se"].max() < 1e-9
    plain = estimate_nodes(calibrated, keys=["region"], design=DESIGN, calibration=False)
    assert plain.loc[plain["region"] != "all", "enterprises_se"].min() > 1.0


def test_post_stratification_equals_post_stratified_variance():
    totals = {("region",): TOTALS[("region",)]}
    out = calibrate_weights(_surveys(periods=("2024Q1",)), totals, margins=["region"],
                            bounds=None, design=DESIGN)
    cells = estimate_cells(out, keys=["industry"], design=DESIGN)
    w, y = out["weight"].to_numpy(), out["hard_to_fill"].to_numpy(float)
    for row in cells.itertuples():
        yd = y * (out["industry"] == row.industry).to_numpy()
        # post-stratified residuals: y minus the weighted mean of its post-stratum
        mean = pd.Series(w * yd).groupby(out["region"]).transform("sum") / \
            pd.Series(w).groupby(out["region"]).transform("sum")
        z = pd.Series(w * (yd - mean.to_numpy())).groupby(out["psu"]).sum()
        variance = 0.0
        for _, rows in out.groupby("stratum"):
            zh = z[rows["psu"].unique()].to_numpy()
            nh, f = zh.size, zh.size / rows["population"].iloc[0]
            variance += (1 - f) * nh / (nh - 1) * ((zh - zh.mean()) ** 2).sum()
        assert row.demand_se == pytest.approx(np.sqrt(variance), rel=1e-9)


def test_explicit_margins_after_csv_round_trip(calibrated):
    cells = estimate_cells(calibrated, design=DESIGN)
    buffer = io.StringIO()
    calibrated.to_csv(buffer, index=False)
    buffer.seek(0)
    back = pd.read_csv(buffer)
    with pytest.warns(DataQualityWarning, match="calibration=\\[...\\]"):
        conservative = estimate_cells(back, design=DESIGN)
    np.testing.assert_allclose(
        conservative["demand_se"],
        estimate_cells(calibrated, design=DESIGN, calibration=False)["demand_se"])
    again = estimate_cells(back, design=DESIGN, calibration=[("region",), ("size_band",)])
    np.testing.assert_allclose(again["demand_se"], cells["demand_se"], rtol=1e-12)


def test_without_design_each_cell_is_a_stratum():
    surveys = _surveys(periods=("2024Q1",)).drop(columns=["psu", "stratum", "population"])
    out = calibrate_weights(surveys, {("region",): TOTALS[("region",)]}, margins=["region"],
                            bounds=None)
    cells = estimate_cells(out, keys=["region", "industry"])
    w = out["weight"].to_numpy()
    y = out["vacancies"].to_numpy(float)
    cell = out["region"].astype(str) + "|" + out["industry"].astype(str)
    for row in cells.itertuples():
        yd = y * (cell == f"{row.region}|{row.industry}").to_numpy()
        mean = pd.Series(w * yd).groupby(out["region"]).transform("sum") / \
            pd.Series(w).groupby(out["region"]).transform("sum")
        z = pd.Series(w * (yd - mean.to_numpy()))
        variance = sum(len(g) / (len(g) - 1) * ((g - g.mean()) ** 2).sum()
                       for _, g in z.groupby(cell.to_numpy()))
        assert row.vacancies_se == pytest.approx(np.sqrt(variance), rel=1e-9)
    by_region = estimate_cells(out, keys=["region"])
    assert by_region["enterprises_se"].max() < 1e-9


def test_explicit_margins_must_be_usable(calibrated):
    with pytest.raises(ParameterError, match="'sector' is not a column"):
        estimate_cells(calibrated, design=DESIGN, calibration=[("sector",)])


def test_input_attrs_unchanged():
    surveys = _surveys(periods=("2024Q1",))
    calibrate_weights(surveys, {("region",): TOTALS[("region",)]}, margins=["region"])
    assert "calibration" not in surveys.attrs
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        estimate_cells(surveys, design=DESIGN)  # no design_weight column: no warning


def test_panel_and_nodes_use_the_calibration_too(calibrated):
    from talentgap.features import build_panel

    cells = estimate_cells(calibrated, design=DESIGN)
    panel = build_panel(calibrated, design=DESIGN)
    np.testing.assert_allclose(panel["demand_se"], cells["demand_se"], rtol=1e-12)
    nodes = estimate_nodes(calibrated, design=DESIGN)
    bottom = nodes[(nodes["region"] != "all") & (nodes["industry"] != "all")]
    np.testing.assert_allclose(np.sort(bottom["demand_se"]), np.sort(cells["demand_se"]),
                               rtol=1e-12)
    # a row selection keeps the record (pandas carries attrs)
    first = calibrated[calibrated["period"] == calibrated["period"].iloc[0]]
    assert first.attrs["calibration"]["margins"] == [["region"], ["size_band"]]


def test_take_all_domain_keeps_zero_se():
    surveys = _surveys(periods=("2024Q1",))
    surveys.loc[surveys["stratum"] == "a", "population"] = 8  # 8 PSUs sampled of 8
    surveys.loc[surveys["stratum"] == "a", "weight"] = 1.0
    counts = surveys.groupby("region")["weight"].sum() * 1.3
    totals = {("region",): pd.DataFrame({"region": counts.index, "count": counts.to_numpy()})}
    out = calibrate_weights(surveys, totals, margins=["region"], bounds=None, design=DESIGN)
    cells = estimate_cells(out.assign(band=np.where(out["stratum"] == "a", "a", "b")),
                           keys=["band"], design=DESIGN)
    assert cells.set_index("band").loc["a", "demand_se"] == 0.0
    assert cells.set_index("band").loc["b", "demand_se"] > 0.0


def _mixed_strata(seed: int = 5) -> pd.DataFrame:
    """Strata a, b (PSUs of mixed firms), f (every PSU the same firms: a "flat" stratum,
    sparse degrees of freedom) and c (one PSU: lonely, centred at the grand mean)."""
    surveys = _surveys(seed=seed, n=60, periods=("2024Q1", "2024Q2"))
    psu = surveys["psu"].str[1:].astype(int)
    flat, lonely = psu.between(14, 16), psu == 17
    surveys.loc[flat, ["stratum", "region", "size_band", "weight"]] = ["f", "N", "small", 4.0]
    surveys.loc[lonely, "stratum"] = "c"
    surveys["population"] = surveys["stratum"].map({"a": 30, "b": 40, "f": 9, "c": 5})
    return surveys


def _oracle_variance_df(table: pd.DataFrame, in_domain: np.ndarray, y: np.ndarray,
                        margins) -> tuple[float, float]:
    """Calibration variance and Satterthwaite df from the dense residual PSU totals."""
    w, dw = table["weight"].to_numpy(), table["design_weight"].to_numpy()
    labels = [table[list(m)].astype(str).agg("|".join, axis=1) for m in margins]
    X = np.column_stack([(label == c).to_numpy() for label in labels
                         for c in label.unique()]).astype(float)
    sd = np.sqrt(dw)
    beta = np.linalg.lstsq(X * sd[:, None], y * in_domain * sd, rcond=None)[0]
    zp = pd.Series(w * (y * in_domain - X @ beta)).groupby(table["psu"].to_numpy()).sum()
    grand = zp.sum() / zp.size
    parts, dfs = [], []
    for _, rows in table.groupby("stratum"):
        zh = zp[rows["psu"].unique()].to_numpy()
        nh, keep = zh.size, 1 - zh.size / rows["population"].iloc[0]
        if nh == 1:  # lonely_psu="adjust"
            parts.append(keep * (zh[0] - grand) ** 2)
            dfs.append(1.0)
        else:
            parts.append(keep * nh / (nh - 1) * ((zh - zh.mean()) ** 2).sum())
            dfs.append(nh - 1.0)
    parts = np.array(parts)
    with np.errstate(invalid="ignore"):  # no variance: NaN degrees of freedom
        return float(parts.sum()), float(parts.sum() ** 2 / (parts ** 2 / np.array(dfs)).sum())


@pytest.mark.parametrize("block", [None, 7, "uncached"])
def test_flat_and_lonely_strata_match_dense_oracle(monkeypatch, block):
    from talentgap.features import _calibrated_strata, _calibrated_variance, _sparse_forms

    if block is not None:  # blocks of a few values: PSUs in pieces, strata in small blocks
        monkeypatch.setattr(_calibrated_strata, "_BLOCK_VALUES", 7)
        monkeypatch.setattr(_sparse_forms, "_BLOCK_VALUES", 7)
        monkeypatch.setattr(_sparse_forms, "_PAIR_VALUES", 3)
    if block == "uncached":  # the pair grams made again by every call, block by block
        monkeypatch.setattr(_calibrated_variance, "_GRAM_VALUES", 0)
    margins = [("region",), ("size_band",)]
    with pytest.warns(DataQualityWarning, match="single sampled PSU"):
        out = calibrate_weights(_mixed_strata(), TOTALS, margins=margins, bounds=None,
                                tol=1e-12, design=DESIGN)
        cells = estimate_cells(out, design=DESIGN)
    flat = out[out["stratum"] == "f"]
    assert flat.groupby("period")["weight"].nunique().eq(1).all()  # the stratum is flat
    checked = 0
    for row in cells.itertuples():
        part = out[out["period"].astype(str) == str(row.period)].reset_index()
        d = ((part["region"] == row.region) & (part["industry"] == row.industry)).to_numpy()
        variance, df = _oracle_variance_df(part, d, part["hard_to_fill"].to_numpy(float),
                                           margins)
        assert row.demand_se == pytest.approx(np.sqrt(variance), rel=1e-9)
        assert row.demand_df == pytest.approx(df, rel=1e-9)
        checked += 1
    assert checked == len(cells) > 10


def _parks(seed: int = 11, periods=("2024Q1", "2024Q2")) -> pd.DataFrame:
    """Strata region x size_band; PSUs "parks" of enterprises of several industries, one
    weight per park: no stratum is flat, one (W, large) has a single park."""
    rng = np.random.default_rng(seed)
    frames = []
    for p in periods:
        n = 90
        region = rng.choice(["N", "S", "W"], n)
        band = rng.choice(["small", "large"], n)
        band[region == "W"] = "small"
        band[np.flatnonzero(region == "W")[:3]] = "large"  # one park: a lonely stratum
        park = np.array([f"{r}/{b}/{i % 4 if (r, b) != ('W', 'large') else 0}"
                         for i, (r, b) in enumerate(zip(region, band, strict=True))])
        names, park_of = np.unique(park, return_inverse=True)
        frames.append(pd.DataFrame({
            "period": p, "enterprise_id": [f"E{i}" for i in range(n)], "region": region,
            "industry": rng.choice(["tex", "cons", "robot", "shoe"], n), "size_band": band,
            "employees": rng.integers(5, 200, n), "vacancies": rng.integers(0, 9, n),
            "reports_shortage": rng.integers(0, 2, n), "stratum": np.char.add(region, band),
            "psu": park, "weight": rng.uniform(2.0, 9.0, names.size)[park_of]}))
    out = pd.concat(frames, ignore_index=True)
    out["hard_to_fill"] = (out["vacancies"] * rng.uniform(0, 1, len(out))).astype(int)
    out["population"] = 12
    return out


@pytest.mark.parametrize("block", [None, "small", "product"])
def test_parks_of_several_industries_match_dense_oracle(monkeypatch, block):
    """PSUs holding several industries, raked to region and industry: every stratum's
    part of the degrees of freedom, against the dense residual PSU totals."""
    from talentgap.features import _calibrated_strata, _calibrated_variance, _sparse_forms

    if block == "small":
        monkeypatch.setattr(_calibrated_strata, "_BLOCK_VALUES", 11)
        monkeypatch.setattr(_sparse_forms, "_BLOCK_VALUES", 11)
    if block == "product":  # the variance's cross term through the sparse product
        monkeypatch.setattr(_calibrated_variance._Period, "_linear_items", lambda self: None)
    surveys = _parks()
    totals = {("region",): pd.DataFrame({"region": ["N", "S", "W"],
                                         "count": [70.0, 60.0, 65.0]}),
              ("industry",): pd.DataFrame({"industry": ["tex", "cons", "robot", "shoe"],
                                           "count": [40.0, 55.0, 50.0, 50.0]})}
    margins = [("region",), ("industry",)]
    with pytest.warns(DataQualityWarning, match="single sampled PSU"):
        out = calibrate_weights(surveys, totals, margins=margins, bounds=None, tol=1e-12,
                                design=DESIGN)
        cells = estimate_cells(out, design=DESIGN)
        regions = estimate_cells(out, keys=["region", "size_band"], design=DESIGN)
    checked = 0
    for row in cells.itertuples():
        part = out[out["period"].astype(str) == str(row.period)].reset_index()
        d = ((part["region"] == row.region) & (part["industry"] == row.industry)).to_numpy()
        for column in ("hard_to_fill", "employees"):
            variance, df = _oracle_variance_df(part, d, part[column].to_numpy(float), margins)
            name = {"hard_to_fill": "demand", "employees": "employees"}[column]
            assert getattr(row, f"{name}_se") == pytest.approx(np.sqrt(variance), rel=1e-9)
            assert getattr(row, f"{name}_df") == pytest.approx(df, rel=1e-9, nan_ok=True)
            checked += 1
    assert checked == 2 * len(cells) > 40
    for row in regions.itertuples():  # domains across industries: many categories each
        part = out[out["period"].astype(str) == str(row.period)].reset_index()
        d = ((part["region"] == row.region) & (part["size_band"] == row.size_band)).to_numpy()
        variance, df = _oracle_variance_df(part, d, part["vacancies"].to_numpy(float), margins)
        assert row.vacancies_se == pytest.approx(np.sqrt(variance), rel=1e-9)
        assert row.vacancies_df == pytest.approx(df, rel=1e-9, nan_ok=True)


def test_column_forms_both_routes_match_dense_products():
    from scipy import sparse

    from talentgap.features._sparse_forms import _dense_column_forms, column_forms

    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((30, 30))
    for seed, (dense_left, dense_right) in enumerate([(0.1, 0.1), (0.9, 0.05), (0.3, 0.0)]):
        left = sparse.random(30, 40, density=dense_left, format="csc", random_state=seed)
        right = sparse.random(30, 40, density=dense_right, format="csc", random_state=seed + 9)
        expected = np.einsum("ic,ij,jc->c", left.toarray(), matrix, right.toarray())
        np.testing.assert_allclose(column_forms(left, matrix, right), expected,
                                   rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(_dense_column_forms(left, matrix, right), expected,
                                   rtol=1e-12, atol=1e-12)


def test_the_margins_take_no_keys_or_design():
    """The margins are the calibration's alone: the strata their residuals are summed in
    (the design's, or for detail keys the implied ones) are the estimator's, checked in
    test_calibrated_detail_cells.py, so the reader takes no keys or design to ignore."""
    assert list(inspect.signature(calibration_margins).parameters) == [
        "surveys", "calibration", "weight", "function", "dask"]
    table = pd.DataFrame({"region": ["N"], "occupation": ["welder"], "weight": [2.0]})
    assert calibration_margins(table, [("region",)], weight="weight",
                               function="estimate_cells") == [("region",)]
    with pytest.raises(ParameterError, match="'occupation' describes vacancies"):
        calibration_margins(table, [("occupation",)], weight="weight", function="estimate_cells")
