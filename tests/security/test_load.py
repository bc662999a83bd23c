"""Load: a bounded burst of the query mix - at most 2,000 requests at concurrency 16, stopped
at 45 s - answers with zero errors, and the server's memory (RSS summed over the gunicorn
parent and its workers, from /proc) grows by less than 150 MB. No assertion on latency."""

from __future__ import annotations

import gc
import http.client
import threading
import time
from urllib.parse import quote

REQUESTS = 2000
CONCURRENCY = 16
STOP_AFTER = 45.0
RSS_GROWTH_BOUND = 150 * 1024 * 1024

MIX = [
    ("GET", "/sparql?query=" + quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), None, {}),
    ("GET", "/sparql?query=" + quote("SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 50"),
     None, {"Accept": "text/csv"}),
    ("POST", "/sparql", "query=" + quote("ASK { ?s a <https://w3id.org/kg1978/ontology/Event> }"),
     {"Content-Type": "application/x-www-form-urlencoded"}),
    ("POST", "/sparql", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 100",
     {"Content-Type": "application/sparql-query", "Accept": "application/n-triples"}),
    ("GET", "/sparql?query=" + quote("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"),
     None, {"Accept": "application/sparql-results+xml"}),
    ("GET", "/sparql?query=" + quote("DESCRIBE <https://w3id.org/kg1978/place/phnom-penh>"), None, {}),
    ("GET", "/place/phnom-penh", None, {"Accept": "text/html"}),
    ("GET", "/place/phnom-penh?format=ttl", None, {}),
    ("GET", "/void", None, {}),
    ("GET", "/reconcile/suggest/entity?prefix=phn", None, {}),
    ("POST", "/reconcile", "queries=" + quote('{"q0": {"query": "Phnom Penh"}}'),
     {"Content-Type": "application/x-www-form-urlencoded"}),
    ("GET", "/sparql?query=" + quote("SELEC oops"), None, {}),  # a 400 is an expected answer
]


def test_a_bounded_burst_has_no_errors_and_bounded_memory(server):
    server.assert_trivial_query_answers()
    for method, path, body, headers in MIX:  # warm every route in both workers
        for _ in range(2):
            server.request(method, path, body, headers)
    rss_before = server.rss_bytes()
    deadline = time.monotonic() + STOP_AFTER
    lock = threading.Lock()
    counter = iter(range(REQUESTS))
    errors: list[str] = []
    done = [0]

    def client() -> None:
        conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            method, path, body, headers = MIX[i % len(MIX)]
            expected = 400 if "SELEC%20oops" in path else 200
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != expected:
                    errors.append(f"{method} {path}: {response.status}")
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{method} {path}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
            with lock:
                done[0] += 1
        conn.close()

    # Earlier tests' cyclic garbage (frames holding pyoxigraph results, which only their own
    # thread may free) is collected here, not by the collector in a client thread.
    gc.collect()
    threads = [threading.Thread(target=client) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=STOP_AFTER + 40)
    assert not any(t.is_alive() for t in threads)
    growth = server.rss_bytes() - rss_before
    assert errors == [], errors[:20]
    assert done[0] >= min(REQUESTS, 200), done[0]
    assert growth < RSS_GROWTH_BOUND, f"RSS grew by {growth / 2**20:.0f} MiB"
    server.assert_healthy()
