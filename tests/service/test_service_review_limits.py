"""Refusals and limits of the service: header text, far dates, answer sizes, settings."""

from __future__ import annotations

import logging
import os
from urllib.parse import unquote

import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed")
from fastapi.testclient import TestClient

from talentgap.editions import EditionStore
from talentgap.errors import ConfigError
from talentgap.service import create_app
from talentgap.service.settings import ServiceSettings, max_plan_workers

BASE = {"cost_per_trainee": 1000, "pass_rate": 0.8}


@pytest.fixture(scope="module")
def client(model_dir):
    with TestClient(create_app(model_dir)) as test_client:
        yield test_client


def test_an_edition_name_outside_latin1_is_sent_percent_encoded(gap_model, tmp_path, caplog):
    name = "2024Q4 第一版 100%"
    store = EditionStore(tmp_path / "editions.db")
    store.add(name, gap_model, gap_model.predict(1, level=[80]),
              created="2023-01-05T00:00:00Z")
    client = TestClient(create_app(store=tmp_path / "editions.db"))
    with caplog.at_level(logging.ERROR, logger="talentgap"):
        replies = [client.post("/v1/gap", json={"horizon": 1}),
                   client.post("/v1/gap", json={"horizon": "x"}),  # refused by the schema
                   client.get("/v1/model")]
    for reply in replies:
        sent = reply.headers["X-Model-Edition"]
        assert sent == "2024Q4 %E7%AC%AC%E4%B8%80%E7%89%88 100%25"
        assert unquote(sent) == name
    assert [r.status_code for r in replies] == [200, 422, 200]
    assert replies[2].json()["edition"] == name
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_edition_header_encoding_is_documented(client):
    spec = client.get("/openapi.json").json()
    header = spec["paths"]["/v1/gap"]["post"]["responses"]["200"]["headers"]["X-Model-Edition"]
    assert "percent-encoded" in header["description"]


@pytest.mark.parametrize("date", ["2300-01-01", "0001-01-01", "9999-12-31"])
@pytest.mark.parametrize(("fields", "loc"), [
    (lambda d: {"budget": 1000, "period": d}, ["body", "period"]),
    (lambda d: {"budget": 1000, "periods": ["2023Q1", d]}, ["body", "periods", 1]),
    (lambda d: {"periods": ["2023Q1"], "budget_per_period": [{"period": d, "budget": 1}]},
     ["body", "budget_per_period", 0, "period"]),
])
def test_a_date_outside_pandas_range_is_422_at_the_field(client, date, fields, loc):
    reply = client.post("/v1/plan", json={**BASE, **fields(date)})
    assert reply.status_code == 422, reply.text
    [item] = reply.json()["detail"]
    assert item["type"] == "invalid_value" and item["loc"] == loc
    assert date in item["msg"] and "2262-04-11" in item["msg"]


# ---------------------------------------------------------------- the size of an answer


def test_an_answer_over_max_answer_size_is_422_naming_what_to_reduce(model_dir):
    # 6 cells x 4 periods x (1 + 2 levels) = 72 values; 6 x 4 x 2 = 48 at one level
    app = create_app(model_dir, settings=ServiceSettings(max_answer_size=60))
    client = TestClient(app)
    reply = client.post("/v1/gap", json={"horizon": 4, "level": [80, 95]})
    assert reply.status_code == 422, reply.text
    [item] = reply.json()["detail"]
    assert item["type"] == "answer_too_large" and item["loc"] == ["body"]
    assert "6 cells x 4 periods x (1 + 2 levels) = 72 values" in item["msg"]
    assert "max_answer_size = 60" in item["msg"] and "fewer levels" in item["msg"]
    assert client.post("/v1/gap", json={"horizon": 4, "level": [80]}).status_code == 200
    # a page counts its own cells: 2 cells x 4 x 3 = 24
    paged = client.post("/v1/gap", json={"horizon": 4, "level": [80, 95], "limit": 2})
    assert paged.status_code == 200 and len(paged.json()["rows"]) == 2 * 4
    assert client.post("/predict", json={"horizon": 4, "level": [80, 95]}).status_code == 422
    assert client.get("/v1/model").json()["max_answer_size"] == 60


def test_max_answer_size_is_a_setting_with_a_flag():
    from talentgap.cli._serve_settings import FLAG_KEYS

    assert FLAG_KEYS["max_answer_size"] == "max_answer_size"
    with pytest.raises(ConfigError, match="max_answer_size == 0"):
        ServiceSettings(max_answer_size=0)


# ----------------------------------------------------------------- the size of a plan


def _industries(gap_model) -> list[str]:
    return sorted(gap_model.cells_["industry"].astype(str).unique())


def test_capacity_groups_count_toward_the_plan_size(model_dir, gap_model):
    # 6 cells x 2 periods x 200 paths = 2,400 values; 7 groups make it (6 + 7) x 2 x 200
    client = TestClient(create_app(model_dir, settings=ServiceSettings(max_plan_size=4_000)))
    body = {**BASE, "budget": 5000, "periods": ["2023Q1"], "lead_time": 1, "horizon": 2}
    industry = _industries(gap_model)[0]
    groups = [{"group": f"g{i}", "capacity": 50 + i, "industry": industry} for i in range(7)]
    assert client.post("/v1/plan", json={**body, "capacity_groups": groups[:1]}
                       ).status_code == 200
    reply = client.post("/v1/plan", json={**body, "capacity_groups": groups})
    assert reply.status_code == 422, reply.text
    [item] = reply.json()["detail"]
    assert item["type"] == "plan_too_large" and item["loc"] == ["body", "capacity_groups"]
    assert "(6 cells + 7 capacity_groups rows) x 2 periods" in item["msg"]
    assert "5,200 values" in item["msg"] and "fewer capacity_groups rows" in item["msg"]


def test_budget_envelopes_count_toward_the_plan_size(model_dir, gap_model):
    client = TestClient(create_app(model_dir, settings=ServiceSettings(max_plan_size=2_600)))
    body = {**BASE, "budget": 5000, "periods": ["2023Q1"], "lead_time": 1, "horizon": 2}
    envelopes = [{"industry": industry, "budget": 900} for industry in _industries(gap_model)]
    reply = client.post("/v1/plan", json={**body, "budget_envelopes": envelopes})
    [item] = reply.json()["detail"]   # (6 + 3) x 2 x 200 = 3,600: the cells dominate
    assert item["type"] == "plan_too_large" and item["loc"] == ["body", "horizon"]
    assert "(6 cells + 3 budget_envelopes rows)" in item["msg"]


def test_a_crosswalk_that_makes_a_plan_too_large_is_named(model_dir, gap_model):
    # one period: 6 cells x 200 paths = 1,200; 4 programmes x 3 industries in 2 regions add
    # 24 links: (6 + 24) x 1 x 200 = 6,000
    client = TestClient(create_app(model_dir, settings=ServiceSettings(max_plan_size=2_000)))
    crosswalk = [{"program": f"p{i}", "industry": industry, "share": 1 / 3}
                 for i in range(4) for industry in _industries(gap_model)]
    reply = client.post("/v1/plan", json={"budget": 5000, "cost_per_trainee": 100,
                                          "crosswalk": crosswalk})
    [item] = reply.json()["detail"]
    assert item["type"] == "plan_too_large" and item["loc"] == ["body", "crosswalk"]
    assert "(6 cells + 24 programme links)" in item["msg"]
    assert "map fewer programmes" in item["msg"]


# ------------------------------------------------------------------- settings refused


@pytest.mark.parametrize(("fields", "says"), [
    ({"cors_origins": ("*",)}, "'\\*' \\(any origin\\) without a token"),
    ({"token": "sécret"}, "cannot send in an HTTP header.*'é'"),
    ({"token": "two words"}, "printable ASCII without blanks"),
    ({"plan_workers": 4 * (os.cpu_count() or 1) + 1}, "at most .* \\(4 per CPU"),
])
def test_unsafe_settings_are_refused(fields, says):
    with pytest.raises(ConfigError, match=says):
        ServiceSettings(**fields)


def test_any_origin_with_a_token_and_the_most_workers_are_taken():
    settings = ServiceSettings(cors_origins=("*",), token="s3cret-Token_1",
                               plan_workers=max_plan_workers())
    assert settings.plan_workers == 4 * (os.cpu_count() or 1)


# ------------------------------------------------------------- refusals agree with the docs


@pytest.mark.parametrize(("body", "says"), [
    (b'{"cells":' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nests arrays or objects"),
    (b'{"horizon":' + b"9" * 5_000 + b"}", "more digits than can be read"),
])
def test_json_python_cannot_read_is_422_json_invalid(client, body, says):
    reply = client.post("/v1/gap", content=body, headers={"Content-Type": "application/json"})
    assert reply.status_code == 422, reply.text
    [item] = reply.json()["detail"]
    assert item["type"] == "json_invalid" and item["loc"] == ["body"] and says in item["msg"]


def test_unreadable_json_without_the_token_is_401(model_dir):
    client = TestClient(create_app(model_dir, settings=ServiceSettings(token="t0ken")))
    reply = client.post("/v1/gap", content=b'{"horizon":' + b"9" * 5_000 + b"}",
                        headers={"Content-Type": "application/json"})
    assert reply.status_code == 401


@pytest.mark.parametrize(("method", "path", "status"), [
    ("get", "/v1/nowhere", 404), ("delete", "/v1/gap", 405), ("post", "/v1/gap", 401)])
def test_answers_to_requests_without_the_token_name_no_model(model_dir, method, path, status):
    client = TestClient(create_app(model_dir, settings=ServiceSettings(token="t0ken")))
    reply = getattr(client, method)(path)
    assert reply.status_code == status
    assert "X-Model-Fingerprint" not in reply.headers and "X-Request-ID" in reply.headers
    if status != 401:  # with the token, no route still names the model
        named = getattr(client, method)(path, headers={"Authorization": "Bearer t0ken"})
        assert named.status_code == status and "X-Model-Fingerprint" in named.headers


def test_the_deprecated_model_route_lists_at_most_max_cells(model_dir, gap_model):
    client = TestClient(create_app(model_dir, settings=ServiceSettings(max_cells=4)))
    reply = client.get("/model")
    assert reply.status_code == 200
    assert len(reply.json()["cells"]) == 4
    assert reply.headers["X-Total-Count"] == str(len(gap_model.cells_)) == "6"
    assert reply.json()["cells"] == client.get("/model").json()["cells"][:4]


def test_a_failure_is_logged_once_when_its_answer_fails_too(model_dir, caplog, monkeypatch):
    from talentgap.service import middleware

    original = middleware._set_header

    def broken(message, name, value):  # the model's name cannot be written on any answer
        if name == "X-Model-Fingerprint":
            raise UnicodeEncodeError("latin-1", value, 0, 1, "ordinal not in range(256)")
        original(message, name, value)

    monkeypatch.setattr(middleware, "_set_header", broken)
    client = TestClient(create_app(model_dir), raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="talentgap"):
        reply = client.post("/v1/gap", json={"horizon": 1})
    assert reply.status_code == 500
    failures = [r for r in caplog.records if "unexpected failure" in r.getMessage()]
    assert len(failures) == 1
