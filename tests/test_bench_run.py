"""bench/run.py's report over several instances of each server (``--instances N``): no server
is started here, the aggregation and the markdown are fed measured-looking numbers."""

from __future__ import annotations

import importlib.util

import pytest

from kgtest import REPO


@pytest.fixture(scope="module")
def run():
    spec = importlib.util.spec_from_file_location("kg_bench_run", REPO / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _entry(p50: float, rps: float, ask: float) -> dict:
    return {"rows": {"q": 3}, "server": {"load_s": 1.0}, "trivial": {"p50_ms": ask, "p99_ms": 1},
            "sequential": {"q": {"p50_ms": p50, "p99_ms": 9.0}},
            "throughput": {"4": {"rps": rps, "errors": 0}}}


def test_best_instance_per_query_and_concurrency(run):
    best = run.best_of_instances({
        "kg": _entry(2.0, 100, 0.3), "kg#2": _entry(1.5, 90, 0.2), "kg#3": _entry(1.8, 120, 0.4),
        "oxigraph-mem": {"error": "exited with 1"}, "oxigraph-mem#2": _entry(1.0, 80, 0.1)})
    kg = best["kg"]
    assert kg["instances"] == ["kg", "kg#2", "kg#3"]
    assert kg["sequential"]["q"]["p50_ms"] == 1.5  # the lowest p50
    assert kg["sequential"]["q"]["p50_instances_ms"] == [2.0, 1.5, 1.8]
    assert kg["throughput"]["4"]["rps"] == 120  # the highest throughput
    assert kg["throughput"]["4"]["rps_instances"] == [100, 90, 120]
    assert kg["trivial"]["p50_ms"] == 0.2
    # an instance that did not start is left out; all of them failing is an error
    assert best["oxigraph-mem"]["sequential"]["q"]["p50_instances_ms"] == [1.0]
    assert run.best_of_instances({"kg": {"error": "boom"}})["kg"]["error"] == "boom"


def test_the_report_shows_every_instance(run):
    instances = {"kg": _entry(2.0, 100, 0.3), "kg#2": _entry(1.5, 90, 0.2),
                 "oxigraph-mem": _entry(1.2, 95, 0.1), "oxigraph-mem#2": _entry(1.1, 99, 0.1)}
    result = {"dataset": {"name": "kg-test", "quads": 10}, "queries": ["q"],
              "machine": {"nproc": 2, "ram_gb": 1.0, "loadavg_at_start": (0.5, 0, 0)},
              "args": {"workers": 2, "duration": 1.0, "concurrency": [4], "instances": 2},
              "servers": run.best_of_instances(instances)}
    text = run.markdown(result)
    assert "ran as 2 instances" in text
    assert "| q | 2.00, 1.50 | 1.20, 1.10 |" in text
    assert "met (+0.40 ms)" in text  # best against best: 1.50 against 1.10
    assert "1.01× (target ≥ 1: met)" in text  # 100 against 99 req/s


def test_generated_graphs_share_no_triple_between_graphs(tmp_path):
    """Like the build (whose inferred graph leaves out what is asserted), the generated graph
    holds each triple in one graph: a direct kgo:placeWithin edge was once in graph/inferred
    too (9,374 quads at 1M), and the union then answered it twice."""
    import subprocess
    import sys

    from kg.store import DatasetStore

    out = tmp_path / "kg-20k.nq"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "--triples", "20k",
                    "--out", str(out)], check=True, capture_output=True, timeout=120)
    store = DatasetStore.load(out)
    assert store.quad_count > 15_000
    assert store.shared_pairs == frozenset()
    assert store.triple_count == store.quad_count
