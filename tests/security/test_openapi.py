"""The HTTP API is described by an OpenAPI document served at /openapi.json, and schemathesis
checks that the server conforms to it: no 5xx, only declared status codes and content types.
In process, against the WSGI app (bounded examples, derandomised, no deadline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from kgtest import REPO


def _app(dataset: Path):
    from kg.endpoint import create_app

    return create_app({"root": REPO, "build_dir": dataset.parent, "query_timeout": 2,
                       "validation_timeout": 4, "max_results": 200}, dataset=dataset)


@pytest.fixture(scope="module")
def app(dataset):
    return _app(dataset)


def test_the_document_is_served_and_states_the_limits(app):
    reply = app.test_client().get("/openapi.json")
    assert reply.status_code == 200 and reply.headers["Access-Control-Allow-Origin"] == "*"
    doc = json.loads(reply.data)
    assert doc["openapi"].startswith("3.")
    limits = doc["info"]["x-kg-limits"]
    assert limits["query_timeout"] == 2 and limits["max_results"] == 200
    assert {"max_body_bytes", "max_query_depth", "max_reconcile_batch"} <= set(limits)
    for path in ("/sparql", "/void", "/limits", "/dataset", "/dumps/{name}", "/timeline",
                 "/{kind}/{rest}", "/store", "/validate", "/reconcile", "/reconcile/preview",
                 "/reconcile/suggest/entity", "/reconcile/propose_properties"):
        assert path in doc["paths"], path


def test_the_document_is_openapi_3_2_and_states_the_query_method(app):
    """``/sparql`` answers the HTTP QUERY method (RFC 10008), which OpenAPI can state from
    3.2.0 on, as a Path Item's ``query`` operation (3.0.3, declared before, has no place for
    it, and its schema refuses the key). The document conforms to the OpenAPI 3.2 schema
    (the one published as https://spec.openapis.org/oas/3.2/schema/2025-09-17, as
    schemathesis carries it), and schemathesis drives the operation (below)."""
    from jsonschema import Draft202012Validator
    from schemathesis.specs.openapi.definitions import OPENAPI_32

    doc = json.loads(app.test_client().get("/openapi.json").data)
    assert doc["openapi"] == "3.2.0"
    sparql = doc["paths"]["/sparql"]
    assert set(sparql) == {"get", "post", "query"}
    assert sparql["query"]["requestBody"] == sparql["post"]["requestBody"]
    assert OPENAPI_32["$id"] == "https://spec.openapis.org/oas/3.2/schema/2025-09-17"
    errors = [e.message for e in Draft202012Validator(OPENAPI_32).iter_errors(doc)]
    assert errors == []
    assert "QUERY /sparql" in [f"{o.method.upper()} {o.path}" for o in _operations(app)]


def _operations(app) -> list:
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def test_the_server_conforms_to_its_openapi_document(app):
    """Each operation, with examples generated from its description (schemathesis' pytest
    plugin does not run under pytest 9, so the operations are driven by hand)."""
    operations = _operations(app)
    assert len(operations) >= 15
    failures = []
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def conforms(case) -> None:
            case.call_and_validate(checks=[not_a_server_error, status_code_conformance,
                                           content_type_conformance])

        try:
            conforms()
        except Exception as exc:  # collect them all, then report
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert failures == [], "\n\n".join(failures)
