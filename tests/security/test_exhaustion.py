"""Resource exhaustion: each attack is cut off within the configured limits (query_timeout and
request_timeout 2 s, validation_timeout 4 s, max_body_bytes, max_query_depth, max_upload_nesting,
max_upload_triples, max_reconcile_batch, max_results), and a trivial query answers normally
right after. Slow clients never hold the server."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import quote

import pytest

from kg.settings import SETTINGS

from .conftest import QUERY_TIMEOUT, VALIDATION_TIMEOUT, assert_clear_client_error, assert_no_leak

MiB = 1024 * 1024
SLACK = 8.0  # seconds on top of a limit: the worker is re-forked, a loaded CI machine is slow


def _timed(server, method, path, body=None, headers=None):
    started = time.monotonic()
    reply = server.request(method, path, body, headers, timeout=60)
    return reply, time.monotonic() - started


@pytest.mark.parametrize("query", [
    # cartesian products
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i",
    # unbounded property paths
    "SELECT (COUNT(*) AS ?n) WHERE { ?a (<http://x/p>|!<http://x/p>)* ?b . ?c (!<http://x/q>)+ ?d }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a (^!<http://x/p>|!<http://x/p>)*/(!<http://x/q>)* ?b }",
    # catastrophic regular expressions, over every literal and on a long string
    'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?t ?q ?v FILTER(REGEX(CONCAT(STR(?o), STR(?v)), "^(a+)+$")) }',
    'ASK { BIND(REPLACE("' + "a" * 3000 + '!", "^(a|a?)+$", "x") AS ?x) FILTER(REGEX(?x, "(.*a){20}")) }',
    'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "(x{1,1000}){1,1000}")) }',
    # string and aggregate blow-ups
    "SELECT (STRLEN(GROUP_CONCAT(CONCAT(STR(?o), STR(?v), STR(?w)))) AS ?n) WHERE { ?s ?p ?o . ?t ?q ?v . ?u ?r ?w }",
])
def test_expensive_queries_are_cut_off(server, query):
    reply, took = _timed(server, "GET", "/sparql?query=" + quote(query))
    assert reply.status in (200, 400, 503), reply.text
    assert took < QUERY_TIMEOUT + SLACK
    if reply.status == 503:
        assert "time limit" in reply.text and "query_timeout" in reply.text
    assert_no_leak(reply)
    server.assert_trivial_query_answers()


def test_the_form_route_is_cut_off_too(server):
    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
    reply, took = _timed(server, "GET", "/form?query=" + quote(query))
    assert reply.status == 503 and took < QUERY_TIMEOUT + SLACK
    server.assert_trivial_query_answers()


def test_large_results_are_cut_at_max_results(server):
    reply = server.query("SELECT * WHERE { ?s ?p ?o . ?a ?b ?c }")
    assert reply.status in (200, 503)
    if reply.status == 200:
        assert reply.headers["x-kg-truncated"] == "10000"
        assert len(reply.json()["results"]["bindings"]) == 10000


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "SELECT * WHERE " + "{ " * 3000 + "}" * 3000,
    "SELECT * WHERE { ?s ?p " + "[ <http://x/p> " * 3000 + "1" + " ]" * 3000 + " }",
    "ASK { ?s <http://x/p>" + "/(" * 2000 + "<http://x/q>" + ")" * 2000 + " ?o }",
])
def test_deeply_nested_queries_are_refused(server, query):
    reply = server.request("POST", "/sparql", query, {"Content-Type": "application/sparql-query"})
    assert_clear_client_error(reply, 400)
    assert "max_query_depth" in reply.text
    server.assert_trivial_query_answers()


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                            for i in range(1, 10))
                  + ']><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                  'xmlns:e="http://x/"><rdf:Description rdf:about="http://x/a"><e:p>&lol9;</e:p>'
                  '</rdf:Description></rdf:RDF>')


@pytest.mark.parametrize("name, body, media_type", [
    ("billion-laughs", BILLION_LAUGHS, "application/rdf+xml"),
    ("turtle-nesting", "<http://x/a> <http://x/p> " + "( " * 20000 + ")" * 20000 + " .",
     "text/turtle"),
    ("turtle-blank-nesting", "<http://x/a> <http://x/p> " + "[ <http://x/p> " * 20000
     + "]" * 20000 + " .", "text/turtle"),
    ("jsonld-nesting", '{"@id": "http://x/a", "http://x/p": ' + "[" * 50000 + "]" * 50000 + "}",
     "application/ld+json"),
    ("xml-nesting", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
     'xmlns:e="http://x/"><rdf:Description rdf:about="http://x/a">'
     + "<e:p><rdf:Description>" * 5000 + "</rdf:Description></e:p>" * 5000
     + "</rdf:Description></rdf:RDF>", "application/rdf+xml"),
])
def test_upload_bombs_are_refused(server, name, body, media_type):
    reply, took = _timed(server, "POST", "/validate", body, {"Content-Type": media_type})
    assert_clear_client_error(reply, 400)
    assert took < VALIDATION_TIMEOUT + SLACK
    server.assert_trivial_query_answers()


def test_inference_blow_up_in_an_upload_is_cut_off(server):
    """An owl:sameAs chain (and a transitive chain) whose OWL 2 RL closure is quadratic."""
    n = 1400
    lines = [f"<http://x/n{i}> <http://www.w3.org/2002/07/owl#sameAs> <http://x/n{i + 1}> ."
             for i in range(n)]
    lines += ["<http://x/t> a <http://www.w3.org/2002/07/owl#TransitiveProperty> ."]
    lines += [f"<http://x/m{i}> <http://x/t> <http://x/m{i + 1}> ." for i in range(n)]
    reply, took = _timed(server, "POST", "/validate", "\n".join(lines),
                         {"Content-Type": "text/turtle"})
    assert reply.status in (413, 422, 503), reply.text
    assert took < VALIDATION_TIMEOUT + SLACK
    assert_no_leak(reply)
    server.assert_trivial_query_answers()


def test_too_many_triples_in_an_upload_get_413(server):
    # the server runs with the default limit: one more triple than it
    limit = next(s.default for s in SETTINGS if s.name == "max_upload_triples")
    body = "\n".join(f"<http://x/a{i}> <http://x/p> {i} ." for i in range(limit + 1))
    reply = server.request("POST", "/validate", body, {"Content-Type": "text/turtle"})
    assert_clear_client_error(reply, 413)
    assert "max_upload_triples" in reply.text


def test_huge_reconciliation_batches_get_413(server):
    batch = {f"q{i}": {"query": "Phnom Penh"} for i in range(101)}
    reply = server.request("POST", "/reconcile", "queries=" + quote(json.dumps(batch)),
                           {"Content-Type": "application/x-www-form-urlencoded"})
    assert_clear_client_error(reply, 413)
    extend = {"ids": ["place/phnom-penh"] * 101, "properties": [{"id": "country"}]}
    reply = server.request("POST", "/reconcile", "extend=" + quote(json.dumps(extend)),
                           {"Content-Type": "application/x-www-form-urlencoded"})
    assert_clear_client_error(reply, 413)


def test_expensive_reconciliation_batches_are_cut_off(server):
    """A full batch of the longest queries accepted costs a second each in difflib: the
    request runs under query_timeout like a query (503), and the server answers after."""
    words = " ".join(f"phnom penh division {i}" for i in range(100))[:500]
    batch = {f"q{i}": {"query": words} for i in range(100)}
    reply, took = _timed(server, "POST", "/reconcile", "queries=" + quote(json.dumps(batch)),
                         {"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status in (200, 503), reply.text
    assert took < QUERY_TIMEOUT + SLACK
    server.assert_trivial_query_answers()


@pytest.mark.parametrize("path, headers", [
    ("/sparql", {"Content-Type": "application/sparql-query"}),
    ("/sparql", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("/validate", {"Content-Type": "text/turtle"}),
    ("/reconcile", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("/sparql", {"Content-Type": "application/sparql-query", "Transfer-Encoding": "chunked"}),
])
def test_oversized_bodies_get_413(server, path, headers):
    body = b"#" + b"a" * (2 * MiB)
    if headers.get("Transfer-Encoding") == "chunked":
        body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in
                        (body[i:i + 65536] for i in range(0, len(body), 65536))) + b"0\r\n\r\n"
    reply = server.request("POST", path, body, headers)
    assert_clear_client_error(reply, 413)
    server.assert_trivial_query_answers()


def test_oversized_request_line_and_headers_are_refused(server):
    reply = server.request("GET", "/sparql?query=" + "a" * 20000)
    assert reply.status in (400, 414)
    reply = server.request("GET", "/void", headers={f"X-H{i}": "v" * 100 for i in range(200)})
    assert reply.status in (400, 431)
    server.assert_trivial_query_answers()


# -- slow clients --------------------------------------------------------------------------

def _connect(server) -> socket.socket:
    sock = socket.create_connection((server.host, server.port), timeout=10)
    return sock


def test_slow_clients_do_not_hold_the_server(server):
    """Idle connections, request heads sent a byte at a time (slowloris) and bodies that never
    finish - more of them than the server has workers - while a normal client is served at
    once; each slow one is answered 408 and closed at request_timeout."""
    slow = []
    try:
        for _ in range(4):
            slow.append(_connect(server))  # connect and say nothing
        heads = []
        for _ in range(4):
            sock = _connect(server)
            sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            heads.append(sock)
        bodies = []
        for _ in range(2):
            sock = _connect(server)
            sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                         b"application/sparql-query\r\nContent-Length: 1000\r\n\r\nASK")
            bodies.append(sock)
        slow += heads + bodies
        started = time.monotonic()
        for _ in range(6):  # bounded: a few bytes more from each slowloris, a normal request
            for sock in heads:
                sock.sendall(b"X-A: b\r\n")
            reply = server.request("GET", "/sparql?query=" + quote("ASK {}"), timeout=10)
            assert reply.status == 200
            if time.monotonic() - started > QUERY_TIMEOUT + 1:
                break
            time.sleep(0.3)
        # past the limit, the slow ones are answered 408 (or closed) - not served, not kept
        for sock in heads + bodies:
            sock.settimeout(QUERY_TIMEOUT + SLACK)
            data = b""
            try:
                while chunk := sock.recv(4096):
                    data += chunk
            except ConnectionResetError:
                pass
            assert data == b"" or data.startswith(b"HTTP/1.1 408"), data[:200]
    finally:
        for sock in slow:
            sock.close()
    server.assert_trivial_query_answers()


def test_a_client_that_does_not_read_its_answer_does_not_hold_the_server(server):
    readers = []
    try:
        for _ in range(3):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.settimeout(10)
            sock.connect((server.host, server.port))
            sock.sendall(b"GET /dumps/kg.jsonld HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            readers.append(sock)
        time.sleep(0.5)
        reply = server.request("GET", "/sparql?query=" + quote("ASK {}"),
                               timeout=QUERY_TIMEOUT + SLACK)
        assert reply.status == 200
    finally:
        for sock in readers:
            sock.close()
    server.assert_trivial_query_answers()


def test_server_healthy_after_the_exhaustion_attacks(server):
    assert server.alive()
    server.assert_trivial_query_answers()
