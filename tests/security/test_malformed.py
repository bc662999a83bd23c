"""Malformed input on every route: a 4xx with a readable message, never a 500, never a
traceback, never the input reflected unescaped into HTML."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from .conftest import assert_clear_client_error, assert_no_leak

XSS = "<script>alert('kg')</script>"
Q = quote
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SPARQL = {"Content-Type": "application/sparql-query"}
TTL = {"Content-Type": "text/turtle"}
RDFXML_DOC = ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax'
              '-ns#"><rdf:Description rdf:about="http://example.org/a"/></rdf:RDF>')

# (id, method, path, body, headers, expected statuses)
CASES = [
    # /sparql: the query and its encoding
    ("bad-sparql", "GET", "/sparql?query=" + Q("SELEC * WHERE { ?s ?p ?o }"), None, {}, (400,)),
    ("bad-sparql-xss", "GET", "/sparql?query=" + Q(XSS), None, {}, (400,)),
    ("empty-query", "GET", "/sparql?query=", None, {}, (400,)),
    ("blank-query", "POST", "/sparql", "query=%20%0A", FORM, (400,)),
    ("comment-only", "POST", "/sparql", "# nothing\n", SPARQL, (400,)),
    ("invalid-utf8-get", "GET", "/sparql?query=%FF%FE%FD", None, {}, (400,)),
    ("invalid-utf8-body", "POST", "/sparql", b"ASK { \xff\xfe }", SPARQL, (400,)),
    ("invalid-utf8-form", "POST", "/sparql", b"query=ASK%7B%7D\xff", FORM, (400,)),
    ("nul-get", "GET", "/sparql?query=ASK%00%7B%7D", None, {}, (400,)),
    ("nul-body", "POST", "/sparql", b"ASK {\x00}", SPARQL, (400,)),
    ("two-queries", "GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", None, {}, (400,)),
    ("query-twice", "POST", "/sparql?query=ASK%7B%7D", "ASK {}", SPARQL, (400,)),
    ("bad-graph-iri", "GET", "/sparql?query=ASK%7B%7D&default-graph-uri=" + Q("not an <iri>"),
     None, {}, (400,)),
    # content types
    ("no-content-type", "POST", "/sparql", "ASK {}", {}, (415,)),
    ("turtle-to-sparql", "POST", "/sparql", "<a> <b> <c> .", TTL, (415,)),
    ("json-to-sparql", "POST", "/sparql", '{"query": "ASK {}"}',
     {"Content-Type": "application/json"}, (415,)),
    ("multipart-to-sparql", "POST", "/sparql", "--x\r\n\r\nASK {}\r\n--x--\r\n",
     {"Content-Type": "multipart/form-data; boundary=x"}, (415,)),
    ("latin1-charset", "POST", "/sparql", "ASK {}",
     {"Content-Type": "application/sparql-query; charset=latin1"}, (415,)),
    ("garbage-content-type", "POST", "/sparql", "ASK {}", {"Content-Type": XSS}, (415,)),
    # Accept and format
    ("accept-nothing-offered", "GET", "/sparql?query=ASK%7B%7D", None,
     {"Accept": "image/png"}, (406,)),
    ("accept-garbage", "GET", "/sparql?query=ASK%7B%7D", None,
     {"Accept": ";;;,,,q=abc/" + XSS}, (406,)),
    ("accept-all-q0", "GET", "/sparql?query=ASK%7B%7D", None, {"Accept": "*/*;q=0"}, (406,)),
    ("format-unknown", "GET", "/sparql?query=ASK%7B%7D&format=" + Q(XSS), None, {}, (406,)),
    # (a format of another kind of result gives way to Accept: one that can serve neither)
    ("format-csv-for-ask", "GET", "/sparql?query=ASK%7B%7D&format=csv", None,
     {"Accept": "image/png"}, (406,)),
    ("format-turtle-for-select", "GET", "/sparql?query=" + Q("SELECT * {}") + "&format=turtle",
     None, {"Accept": "image/png"}, (406,)),
    ("void-format", "GET", "/void?format=" + Q(XSS), None, {}, (406,)),
    ("description-format", "GET", "/sparql?format=csv", None, {"Accept": "image/png"},
     (406,)),
    ("dataset-format", "GET", "/dataset?format=" + Q(XSS), None, {}, (406,)),
    ("dataset-accept", "GET", "/dataset", None, {"Accept": "image/png"}, (406,)),
    ("entity-format", "GET", "/place/phnom-penh?format=" + Q(XSS), None, {}, (406,)),
    ("entity-accept", "GET", "/place/phnom-penh", None, {"Accept": "image/png"}, (406,)),
    ("validate-format", "GET", "/validate?format=" + Q(XSS), None, {}, (406,)),
    # methods
    ("put-sparql", "PUT", "/sparql", "ASK {}", SPARQL, (405,)),
    ("patch-void", "PATCH", "/void", "x", TTL, (405,)),
    ("delete-limits", "DELETE", "/limits", None, {}, (405,)),
    # /validate: junk uploads
    ("validate-junk-turtle", "POST", "/validate", b"\x00\x01 this is not turtle {{{", TTL, (400,)),
    ("validate-rdfxml-as-turtle", "POST", "/validate", RDFXML_DOC, TTL, (400,)),
    ("validate-empty", "POST", "/validate", b"", TTL, (400,)),
    ("validate-invalid-utf8", "POST", "/validate", b"<http://x/a> <http://x/b> \"\xff\" .", TTL,
     (400,)),
    ("validate-broken-jsonld", "POST", "/validate", '{"@id": "http://x/a", ',
     {"Content-Type": "application/ld+json"}, (400,)),
    ("validate-jsonld-not-object", "POST", "/validate", "12",
     {"Content-Type": "application/ld+json"}, (400,)),
    ("validate-broken-xml", "POST", "/validate", "<rdf:RDF", {"Content-Type": "application/rdf+xml"},
     (400,)),
    ("validate-no-type", "POST", "/validate", "<a> <b> <c> .", {}, (415,)),
    ("validate-unknown-type", "POST", "/validate", "%PDF-1.4", {"Content-Type": "application/pdf"},
     (415,)),
    ("validate-multipart-no-file", "POST", "/validate", "--x\r\nContent-Disposition: form-data; "
     "name=\"other\"\r\n\r\nv\r\n--x--\r\n", {"Content-Type": "multipart/form-data; boundary=x"},
     (400,)),
    ("validate-multipart-broken", "POST", "/validate", "--x\r\nContent-Disposition: form-data; "
     "name=\"file\"; filename=\"a.exe\"\r\n\r\nMZ\x90\r\n--x--\r\n",
     {"Content-Type": "multipart/form-data; boundary=x"}, (415,)),
    ("validate-html-xss-name", "POST", "/validate?format=html&filename=" + Q(XSS + ".ttl"),
     "<a> <b> " + XSS + " .", TTL, (400,)),
    # /reconcile: broken JSON and wrong shapes
    ("reconcile-broken-json", "POST", "/reconcile", "queries=" + Q('{"q0": {"query": '), FORM,
     (400,)),
    ("reconcile-array", "POST", "/reconcile", "queries=" + Q("[1, 2]"), FORM, (400,)),
    ("reconcile-wrong-types", "POST", "/reconcile",
     "queries=" + Q('{"q0": {"query": 5, "limit": "x"}}'), FORM, (400,)),
    ("reconcile-unknown-member", "POST", "/reconcile",
     "queries=" + Q('{"q0": {"query": "x", "' + XSS + '": 1}}'), FORM, (400,)),
    ("reconcile-get-broken", "GET", "/reconcile?queries=" + Q("{'q0'"), None, {}, (400,)),
    ("reconcile-extend-broken", "POST", "/reconcile", "extend=" + Q('{"ids": ['), FORM, (400,)),
    ("reconcile-extend-wrong", "POST", "/reconcile", "extend=" + Q('{"ids": "x"}'), FORM, (400,)),
    ("reconcile-callback-xss", "GET", "/reconcile?callback=" + Q(XSS), None, {}, (400,)),
    ("reconcile-invalid-utf8", "POST", "/reconcile", b"queries=%FF%FE", FORM, (400,)),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_malformed_input_gets_a_clear_4xx(server, case):
    _, method, path, body, headers, statuses = case
    reply = server.request(method, path, body, headers)
    assert_clear_client_error(reply, *statuses, payload=XSS)


@pytest.mark.parametrize("path", [
    "/form?query=" + Q(XSS),
    "/?query=" + Q(XSS),
    "/form?query=" + Q("SELECT ?x WHERE { BIND(\"" + XSS + "\" AS ?x) }"),
    "/place/" + Q(XSS, safe=""),
    "/" + Q(XSS, safe="") + "/x",
    "/reconcile/preview?id=" + Q(XSS),
    "/reconcile/preview?id=" + Q("place/" + XSS),
    "/validate?format=html",
])
def test_html_pages_escape_what_they_echo(server, path):
    reply = server.request("GET", path, headers={"Accept": "text/html"})
    assert reply.status < 500
    assert_no_leak(reply, payload=XSS)
    if "html" in reply.content_type:
        assert "<script>alert" not in reply.text


def test_form_page_shows_a_query_error_as_text(server):
    reply = server.request("GET", "/form?query=" + Q(XSS), headers={"Accept": "text/html"})
    assert reply.status == 400 and "html" in reply.content_type
    assert "&lt;script&gt;" in reply.text


def test_json_errors_for_json_clients(server):
    reply = server.request("GET", "/sparql?query=" + Q("SELEC"),
                           headers={"Accept": "application/json"})
    assert reply.status == 400 and reply.content_type == "application/json"
    body = reply.json()
    assert body["status"] == 400 and "line 1" in body["message"]


JUNK = [b"", b"\x00", b"\xff\xfe", "\u202e\u0000%00".encode(), b"%", b"%%25", b"{" * 300,
        b"'" * 50, b"\r\n\r\n", XSS.encode(), b"\\u0000", b"A" * 4000]


def test_junk_on_every_route_never_gets_a_5xx(server):
    """Each junk value as query string, parameter value and body, on every route: nothing
    answers 5xx or leaks a traceback (bounded: routes x junk x 3 requests)."""
    routes = ["/sparql", "/void", "/limits", "/dataset", "/dumps/kg.nq", "/timeline",
              "/place/phnom-penh", "/validate", "/reconcile", "/reconcile/preview",
              "/reconcile/suggest/entity", "/reconcile/suggest/type",
              "/reconcile/suggest/property", "/reconcile/propose_properties", "/form",
              "/openapi.json"]
    seen = 0
    for route in routes:
        for junk in JUNK:
            encoded = quote(junk, safe="")
            for method, path, body, headers in (
                    ("GET", f"{route}?{encoded}", None, {}),
                    ("GET", f"{route}?query={encoded}&format={encoded}&id={encoded}"
                            f"&prefix={encoded}&limit={encoded}&queries={encoded}", None,
                     {"Accept": junk.decode("latin-1")[:200].replace("\r", "").replace("\n", "")
                      or "*/*"}),
                    ("POST", route, junk, FORM)):
                reply = server.request(method, path, body, headers)
                seen += 1
                assert reply.status < 500, (method, path, reply.status, reply.text[:300])
                assert_no_leak(reply, payload=XSS)
    assert seen == len(routes) * len(JUNK) * 3
    server.assert_healthy()


def test_reconcile_accepts_well_formed_json_after_all_that(server):
    reply = server.request("POST", "/reconcile", "queries=" + Q(json.dumps(
        {"q0": {"query": "Phnom Penh"}})), FORM)
    assert reply.status == 200
    assert reply.json()["q0"]["result"][0]["id"] == "place/phnom-penh"


@pytest.mark.parametrize("number", ["NaN", "Infinity", "1e400"])
def test_reconcile_non_finite_limit_gets_400(server, number):
    reply = server.request("POST", "/reconcile", "queries=" + Q(
        '{"q0": {"query": "x", "limit": ' + number + '}}'), FORM)
    assert_clear_client_error(reply, 400)
