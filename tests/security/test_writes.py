"""Writes: SPARQL Update through every route and method, and Graph Store Protocol writes, are
refused - and the store is unchanged (quad count and a content digest, before and after, asked
of both workers)."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import pytest

from .conftest import start_attacked_server, stop_server

G = "https://w3id.org/kg1978/graph/article-part1"
UPDATES = [
    "INSERT DATA { <http://x/a> <http://x/p> <http://x/o> }",
    f"INSERT DATA {{ GRAPH <{G}> {{ <http://x/a> <http://x/p> <http://x/o> }} }}",
    "DELETE DATA { <https://w3id.org/kg1978/place/phnom-penh> a <https://w3id.org/kg1978/ontology/City> }",
    "DELETE WHERE { ?s ?p ?o }",
    f"WITH <{G}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "INSERT { ?s <http://x/p> ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/x>",
    "CLEAR ALL", "CLEAR DEFAULT", f"CLEAR GRAPH <{G}>", "CLEAR SILENT NAMED",
    "DROP ALL", f"DROP GRAPH <{G}>", "DROP SILENT DEFAULT",
    "CREATE GRAPH <http://x/new>",
    f"ADD <{G}> TO <http://x/copy>", f"COPY <{G}> TO DEFAULT", f"MOVE <{G}> TO <http://x/moved>",
    # disguises: a prologue, comments, lower case, several operations
    "PREFIX x: <http://x/> # comment\nINSERT DATA { x:a x:p x:o }",
    "# INSERT\n  insert data { <http://x/a> <http://x/p> 1 }",
    "BASE <http://x/> drop all",
    "CLEAR ALL ; INSERT DATA { <http://x/a> <http://x/p> 1 }",
    "ASK {} ; DROP ALL",
]
FORM = "application/x-www-form-urlencoded"


def _digest(server) -> tuple[int, str]:
    reply = server.request("GET", "/sparql?format=ntriples&query=" + quote(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"))
    assert reply.status == 200
    return server.count(), hashlib.sha256(reply.body).hexdigest()


@pytest.fixture(scope="module")
def server(dataset):
    """The module's server, with a validation time limit no loaded machine reaches: these tests
    send uploads to /validate to see that nothing is stored, not to time them (the limit's 503
    is test_exhaustion's; at 4 s, a cold worker on a busy CI machine answered it here)."""
    srv = start_attacked_server(dataset.parent, env={"KG_VALIDATION_TIMEOUT": "120"})
    try:
        yield srv
    finally:
        stop_server(srv)


@pytest.fixture(scope="module")
def before(server):
    return {_digest(server) for _ in range(4)}  # both workers answer alike


def _assert_unchanged(server, before) -> None:
    assert len(before) == 1
    after = {_digest(server) for _ in range(4)}
    assert after == before


@pytest.mark.parametrize("update", UPDATES)
def test_sparql_update_is_refused_on_every_route_and_method(server, before, update):
    q = quote(update)
    attempts = [
        ("GET", f"/sparql?query={q}", None, {}),
        ("GET", f"/sparql?update={q}", None, {}),
        ("POST", "/sparql", f"query={q}", {"Content-Type": FORM}),
        ("POST", "/sparql", f"update={q}", {"Content-Type": FORM}),
        ("POST", "/sparql", update, {"Content-Type": "application/sparql-query"}),
        ("POST", "/sparql", update, {"Content-Type": "application/sparql-update"}),
        ("POST", f"/sparql?update={q}", "ASK {}", {"Content-Type": "application/sparql-query"}),
        ("POST", "/sparql", f"query=ASK%7B%7D&using-graph-uri={quote(G)}", {"Content-Type": FORM}),
        ("GET", f"/form?query={q}", None, {}),
        ("GET", f"/?query={q}", None, {}),
    ]
    for method, path, body, headers in attempts:
        reply = server.request(method, path, body, headers)
        assert reply.status in (400, 403), (method, path, reply.status, reply.text)
        assert reply.status == 403 or "ASK {} ;" in update, (method, path, reply.text)
    _assert_unchanged(server, before)


GSP_TARGETS = ["/store?default", f"/store?graph={quote(G)}", "/store",
               "/sparql?default", f"/sparql?graph={quote(G)}", "/rdf-graph-store?default",
               f"/rdf-graph-store?graph={quote(G)}", "/data", "/graph/article-part1",
               "/place/phnom-penh", "/dataset", "/dumps/kg.nq", "/void", "/validate",
               "/reconcile", "/limits", "/", "/openapi.json"]


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
def test_graph_store_protocol_writes_are_refused(server, before, method):
    body = "<http://x/a> <http://x/p> <http://x/o> ."
    for target in GSP_TARGETS:
        reply = server.request(method, target, None if method == "DELETE" else body,
                               {"Content-Type": "text/turtle"})
        if method == "POST" and target.split("?")[0] in ("/validate", "/sparql", "/reconcile"):
            # the routes that take a POST read it (and refuse Turtle on /sparql); none writes
            assert reply.status < 500, (target, reply.text)
        else:
            assert reply.status in (403, 404, 405), (method, target, reply.status, reply.text)
    _assert_unchanged(server, before)


def test_a_validated_upload_is_not_added_to_the_store(server, before):
    reply = server.request("POST", "/validate",
                           '<https://w3id.org/kg1978/place/uploaded> '
                           '<http://www.w3.org/2000/01/rdf-schema#label> "uploaded"@en .',
                           {"Content-Type": "text/turtle"})
    assert reply.status in (200, 422), reply.text
    ask = server.query("ASK { <https://w3id.org/kg1978/place/uploaded> ?p ?o }")
    assert ask.json()["boolean"] is False
    _assert_unchanged(server, before)
    server.assert_healthy()
