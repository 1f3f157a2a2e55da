"""The plan's policy yield per place where upgrades count toward the high-skilled target.

The run of ``test_plan_high_skilled_yields`` (one region: the first industry
certifies only new technicians, the second as many upgrades as new ones),
with a high-skilled target of 0.9 and at most 60 places a cell, so that the
target is left short. By hand, per place: a pass rate of 0.8 x absorption of
the workers new to the cell (0.9 and 0.45, 0.675 on average) x high-skilled
workers per new worker (1 and 2; the plan's cells count 86.4 high-skilled
workers for 64.8 new ones, 4/3) = 0.72 high-skilled workers. The report's
rough estimate divides the shortfall left by that, and ``POST /v1/plan``
counts a policy need sent with the request as it counts the saved one.
"""

from __future__ import annotations

import pytest
from test_plan_high_skilled_yields import _settings

from talentgap.cli.config import Config
from talentgap.cli.pipeline import run, saved_config


@pytest.fixture(scope="module")
def short(tmp_path_factory):
    folder = tmp_path_factory.mktemp("policy_yield_fixes")
    settings = _settings(folder)
    settings["targets"]["high_skilled_share"] = 0.9
    settings["plan"]["capacity"] = 60
    result = run(Config.from_dict(settings), steps=("plan",))
    path = folder / "model"
    result.gap_model.save(path, config=saved_config(result))
    return result, path


def test_the_rough_estimate_divides_by_the_policy_workers_per_place(short):
    from talentgap.cli._report_targets import first_screen_words, rough_reach_cost

    result, _ = short
    rough = rough_reach_cost(result)
    assert rough["per_worker"] == pytest.approx(4 / 3, rel=1e-9)
    assert rough["per_place"] == pytest.approx(0.8 * 0.675 * 4 / 3, rel=1e-9)   # 0.72
    assert rough["places"] == pytest.approx(rough["left"] / 0.72, rel=1e-9)
    assert 1_000 < rough["places"] < 1_020   # not left / 0.54 (about 1,348)
    words = first_screen_words(result)
    assert ("At 0.72 workers per place (pass rate 0.80 × absorption 0.68 × 1.33 "
            "high-skilled workers per worker new to its cell)") in words


def test_the_service_counts_a_sent_need_as_the_saved_one(short):
    pytest.importorskip("fastapi", reason="the service extra is not installed")
    from fastapi.testclient import TestClient

    from talentgap.models.persistence import load_with_metadata
    from talentgap.service._saved_targets import saved_policy_need
    from talentgap.service.app import create_app

    _, path = short
    need = saved_policy_need(load_with_metadata(path)[0]["config"]["plan"])
    rows = need[need["period"].astype(str).isin(["2022", "2023"])].astype(
        {"period": str}).to_dict("records")
    client = TestClient(create_app(path))
    answers = [client.post("/v1/plan", json={"periods": ["2022"], **extra}).json()
               for extra in ({}, {"policy_need": rows},
                             {"policy_need": [{**row, "per_worker": 1.0} for row in rows]})]
    saved, sent, one_each = (a["summary"]["policy_shortfall_after"] for a in answers)
    assert sent == pytest.approx(saved, rel=1e-9)
    assert [q["quota"] for q in answers[1]["quotas"]] == [q["quota"] for q in answers[0]["quotas"]]
    assert one_each > saved + 1.0   # the rows' own per_worker (1) is used: fewer counted


def test_a_programme_plan_warns_where_its_programmes_differ_in_yield():
    import warnings

    import pandas as pd

    from talentgap.cli._plan_levels import policy_yields
    from talentgap.errors import DataQualityWarning

    config = Config.from_dict({
        "data": {"skill_levels": ["ordinary", "technician"], "high_skilled": ["technician"]},
        "plan": {"years": [2026]},
        "targets": {"high_skilled_share": 0.4, "target_year": 2026,
                    "plan_level": "high_skilled"}})
    cells = pd.DataFrame({"region": "N", "industry": ["A", "B"], "entrants": [1.0, 0.8],
                          "policy_share": [1.0, 1.0]})   # B: 40 new of 50 (basic), 10 upgraded
    programmes = pd.DataFrame({"program": ["basic", "upgrade"], "region": "N",
                               "entrants": [1.0, 0.0], "policy_share": [1.0, 1.0]})
    crosswalk = pd.DataFrame({"program": ["basic", "basic", "upgrade"],
                              "industry": ["A", "B", "B"], "share": [0.5, 0.5, 1.0]})
    need = pd.DataFrame({"region": "N", "industry": ["A", "B"], "period": "2026",
                         "policy_need": [0.0, 20.0]})
    said = {}
    for name, plan_crosswalk in (("by programme", crosswalk), ("by cell", None)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = policy_yields(need, config, {}, plan_crosswalk, shares=[cells, programmes])
        said[name] = [str(w.message) for w in caught if issubclass(
            w.category, DataQualityWarning) and "programme plan" in str(w.message)]
        assert out["per_worker"].tolist() == [1.0, 1.25]
    assert said["by cell"] == []
    assert len(said["by programme"]) == 1
    assert "N / B (basic 1.00, upgrade only upgrades)" in said["by programme"][0]
