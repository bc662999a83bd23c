"""``kg serve``: a real gunicorn process on 127.0.0.1 (a free port), started and stopped here."""

from __future__ import annotations

import http.client
import json
import signal
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from conftest import TINY_DATASET
from kg.serve import gunicorn_options
from kg.settings import resolve


def _get(url: str, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _query(url: str, text: str, **headers: str) -> tuple[int, dict, bytes]:
    return _get(url, "/sparql?query=" + quote(text), headers)


@pytest.fixture(scope="module")
def cartesian_dataset(tmp_path_factory) -> Path:
    """300 triples: a four-way cartesian product over them never ends in practice."""
    path = tmp_path_factory.mktemp("data") / "cartesian.nq"
    with path.open("w") as out:
        for i in range(300):
            out.write(f"<http://example.org/s{i}> <http://example.org/p> \"{i}\" "
                      "<http://example.org/g> .\n")
    return path


def test_gunicorn_options_follow_the_settings():
    options = gunicorn_options(resolve(overrides={"host": "::1", "port": 9000, "workers": 3,
                                                  "query_timeout": 2.5}, environ={}))
    assert options["bind"] == ["[::1]:9000"]
    assert options["workers"] == 3
    assert options["preload_app"] is True
    assert options["worker_class"] == "kg.serve.OneQueryThreadWorker"
    assert options["threads"] == 1
    assert options["timeout"] > 2.5  # gunicorn's own timeout is only a backstop
    assert options["accesslog"] == "-"


def test_serves_a_dataset_file_and_logs_requests(serve_kg):
    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    assert served.url.startswith("http://127.0.0.1:")
    status, headers, body = _query(served.url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert status == 200
    assert headers["Content-Type"] == "application/sparql-results+json"
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == "23"
    status, headers, body = _get(served.url, "/sparql")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    served.wait_for('"GET /sparql?query=SELECT')  # the request log, one line per request
    assert "OneQueryThreadWorker" in served.wait_for("Using worker")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stops_cleanly_on_a_signal(serve_kg, sig):
    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    assert _query(served.url, "ASK {}")[0] == 200
    assert served.stop(sig) == 0
    served.wait_for("Shutting down")


def test_a_query_past_the_time_limit_gets_503_and_the_worker_is_free_again(
        serve_kg, cartesian_dataset):
    served = serve_kg("--dataset", str(cartesian_dataset), "--workers", "1",
                      "--query-timeout", "1")
    served.wait_for("Booting worker")
    endless = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }")
    status, headers, body = _query(served.url, endless)
    assert status == 503
    assert headers["Content-Type"].startswith("text/plain")
    assert b"time limit of 1 s" in body
    served.wait_for("answered 503, worker")
    # One worker only: this answer comes from the worker re-forked in its place.
    status, _, body = _query(served.url, "ASK { ?s ?p ?o }")
    assert status == 200 and json.loads(body)["boolean"] is True
    assert sum("Booting worker" in line for line in served.lines) >= 2


def test_deep_nesting_is_refused_and_the_process_survives(serve_kg):
    served = serve_kg("--dataset", str(TINY_DATASET), "--workers", "1")
    deep = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    parts = urlsplit(served.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conn.request("POST", "/sparql", body=deep.encode(),
                 headers={"Content-Type": "application/sparql-query"})
    response = conn.getresponse()
    assert response.status == 400
    assert b"max_query_depth" in response.read()
    conn.close()
    assert _query(served.url, "ASK {}")[0] == 200
    assert not any("exited" in line for line in served.lines)


def test_serve_without_dataset_uses_the_build(monkeypatch, tmp_path):
    import kg.build
    from kg.endpoint import _dataset_path

    seen = {}

    def fake_ensure_built(settings, *, log=lambda _: None):
        seen["build_dir"] = settings["build_dir"]
        return TINY_DATASET

    monkeypatch.setattr(kg.build, "ensure_built", fake_ensure_built)
    settings = resolve(overrides={"root": tmp_path}, environ={})
    assert _dataset_path(settings) == TINY_DATASET
    assert seen["build_dir"] == tmp_path / "build"
