"""Property-based tests of the whole HTTP API from its own OpenAPI schema (schemathesis).

Every operation gets generated requests, valid (positive) and invalid
(negative); every response must pass all of schemathesis' checks: no 5xx, a
status code, headers and a body the schema documents, invalid input refused,
valid input accepted. Examples are bounded (:data:`EXAMPLES` per operation and
mode, derandomized) so the run takes seconds, not minutes.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from talentgap.service import ServiceSettings, create_app

pytest.importorskip("fastapi", reason="the service extra is not installed")
schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")

#: Generated requests per operation and mode: a bound on the run's time.
EXAMPLES = 15

OPERATIONS = [("GET", "/health"), ("GET", "/ready"), ("GET", "/v1/model"),
              ("POST", "/v1/forecast"), ("POST", "/v1/gap"), ("POST", "/v1/plan"),
              ("GET", "/model"), ("POST", "/predict"), ("POST", "/plan")]


@pytest.fixture(scope="module")
def app(model_dir):
    # plans in process: with worker processes, GET /ready is a documented 503 (not_ready)
    # while they load the model, and each generated request may start a fresh lifespan
    return create_app(model_dir, settings=ServiceSettings(max_cells=20, max_horizon=8,
                                                          plan_workers=0))


#: A request the schema allows can still be one the model cannot serve (a cell it does
#: not know, a horizon over the configured maximum): 422 is a documented answer to it. An
#: invalid request may also be refused for its size before it is read (413).
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "409", "422", "429"]

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "409", "413", "422", "429"]
"""


@pytest.fixture(scope="module")
def api(app):
    config = schemathesis.config.SchemathesisConfig.from_str(CONFIG)
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


def test_every_operation_of_the_schema_is_exercised(app):
    documented = {(method.upper(), path) for path, item in app.openapi()["paths"].items()
                  for method in item}
    assert documented == set(OPERATIONS)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::talentgap.errors.DataQualityWarning")
@pytest.mark.parametrize(("method", "path", "mode"), [
    (method, path, mode) for method, path in OPERATIONS
    # a GET takes no input, so there is no invalid request of it to make
    for mode in (("positive", "negative") if method == "POST" else ("positive",))])
def test_every_operation_answers_within_its_schema(api, method, path, mode):
    operation = api[path][method]
    strategy = operation.as_strategy(schemathesis.GenerationMode(mode))

    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def answers_within_the_schema(case):
        case.call_and_validate()

    answers_within_the_schema()
