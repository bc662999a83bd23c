"""The SPARQL endpoint app (in process, Flask's test client): protocol, formats, errors,
limits, descriptions, CORS and the plain form."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest
import rdflib

from kg.endpoint import protocol
from kg.endpoint.results import TRUNCATED_HEADER
from kg.iris import WRITE_PREFIXES
from kgtest import is_expanded_json_ld, json_ld_accept

COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ASK_ANY = "ASK { ?s ?p ?o }"
ENTITIES = "https://w3id.org/kg1978/graph/entities"
INFERRED = "https://w3id.org/kg1978/graph/inferred"


@pytest.fixture(params=[True, False], ids=["fast-path", "flask-only"])
def any_client(request, make_app):
    """The same checks through the WSGI fast path and through the Flask route alone."""
    return make_app({"KG_FAST_PATH": request.param}).test_client()


def _count(response) -> int:
    assert response.status_code == 200, response.data
    return int(json.loads(response.data)["results"]["bindings"][0]["n"]["value"])


# -- the three ways to send a query -------------------------------------------------------

def test_query_by_the_http_query_method(any_client):
    """``QUERY`` (RFC 10008) sends the query as its content, as a ``POST`` does, in either
    body type, and is read as a ``POST`` is: a body of another type 415, an update 403, a
    malformed query 400; ``OPTIONS`` and a 405 list it. It was a 405 (Oxigraph answers it)."""
    def query(**kwargs):
        return any_client.open("/sparql", method="QUERY", **kwargs)

    assert _count(query(data=COUNT_ALL, content_type="application/sparql-query")) == 23
    assert _count(query(data={"query": COUNT_ALL})) == 23
    assert query(data=COUNT_ALL, content_type="text/plain").status_code == 415
    assert query(data="CLEAR ALL", content_type="application/sparql-update").status_code == 403
    r = query(data="ASK {", content_type="application/sparql-query")
    assert r.status_code == 400 and r.data.startswith(b"line 1, column ")
    assert "QUERY" in any_client.options("/sparql").headers["Allow"].split(", ")
    assert "QUERY" in any_client.put("/sparql").headers["Allow"].split(", ")
    r = any_client.open("/sparql/", method="QUERY", data=ASK_ANY,
                        content_type="application/sparql-query")
    assert (r.status_code, r.headers["Location"]) == (308, "/sparql")


def test_query_by_get_post_form_and_post_direct(any_client):
    assert _count(any_client.get("/sparql", query_string={"query": COUNT_ALL})) == 23
    assert _count(any_client.post("/sparql", data={"query": COUNT_ALL})) == 23
    assert _count(any_client.post("/sparql", data=COUNT_ALL,
                                  content_type="application/sparql-query")) == 23


def test_a_form_post_may_carry_its_parameters_in_the_url(any_client):
    """Lenient, as Oxigraph and Fuseki are, and as the W3C suite's own query_post_form test
    needs (its default-graph-uri is in the URL, its query in the form): the URL's parameters
    count with the form's, a query there too (SPARQL 1.1 Protocol, 2.1.2, asks clients to put
    them in the body), but one query, not one in each."""
    form = "application/x-www-form-urlencoded"
    url = f"/sparql?query={quote(COUNT_ALL)}"
    assert _count(any_client.post(url, data="", content_type=form)) == 23
    assert _count(any_client.post(f"{url}&default-graph-uri={quote(ENTITIES)}", data="",
                                  content_type=form)) == 10
    assert _count(any_client.post(f"/sparql?default-graph-uri={quote(ENTITIES)}",
                                  data={"query": COUNT_ALL})) == 10
    twice = any_client.post(url, data={"query": COUNT_ALL})
    assert twice.status_code == 400 and b"more than one query" in twice.data


def test_a_form_posts_graph_uris_in_its_url_and_its_body_name_one_dataset(any_client):
    """The URL's and the form's parameters are one list, and the Protocol's cardinalities
    (2.1.1) hold for the whole: ``query`` exactly once (above), ``default-graph-uri`` and
    ``named-graph-uri`` zero or more, so those of the URL and those of the body together name
    the dataset, as the same parameter repeated does (Oxigraph refuses any parameter given in
    both). An endpoint URL that carries its graph, with a client adding its own in the body
    (rdflib's ``POST_FORM`` over a ``Dataset`` adds ``urn:x-rdflib:default``), keeps it."""
    url = f"/sparql?default-graph-uri={quote(ENTITIES)}"
    both = any_client.post(url, data={"query": COUNT_ALL, "default-graph-uri": INFERRED})
    assert _count(both) == 14  # 10 + 4: neither side wins, neither is refused
    assert _count(any_client.post(url, data={"query": COUNT_ALL,
                                             "default-graph-uri": ENTITIES})) == 10  # once
    assert _count(any_client.post(url, data={
        "query": COUNT_ALL, "default-graph-uri": "urn:x-rdflib:default"})) == 10
    per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    r = any_client.post(f"/sparql?named-graph-uri={quote(ENTITIES)}",
                        data={"query": per_graph, "named-graph-uri": INFERRED})
    assert r.status_code == 200, r.data
    assert {b["g"]["value"]: b["n"]["value"] for b in r.json["results"]["bindings"]} == {
        ENTITIES: "10", INFERRED: "4"}
    # a default graph in the URL, named graphs in the body: one dataset of both
    r = any_client.post(url, data={"query": per_graph, "named-graph-uri": INFERRED})
    assert {b["g"]["value"] for b in r.json["results"]["bindings"]} == {INFERRED}
    assert _count(any_client.post(url, data={"query": COUNT_ALL,
                                             "named-graph-uri": INFERRED})) == 10


def test_graphs_named_without_a_query_are_a_400_not_the_service_description(any_client):
    """SPARQLWrapper by ``GET`` over an endpoint URL that carries its graph
    (``…/sparql?default-graph-uri=G``, as the W3C suite's own does) adds ``?query=…`` after a
    second ``?``: the query became part of the graph IRI, and the request, having no query,
    got the service description (200, JSON-LD for ``format=json``), which the client took for
    the answer. A dataset named without a query is a 400 (as Oxigraph answers), which says so;
    a ``GET`` of nothing but formats is still the description."""
    from SPARQLWrapper import GET, JSON, SPARQLWrapper

    wrapper = SPARQLWrapper(f"http://localhost/sparql?default-graph-uri={quote(ENTITIES)}")
    wrapper.setQuery(COUNT_ALL)
    wrapper.setMethod(GET)
    wrapper.setReturnFormat(JSON)
    url = wrapper._createRequest().full_url
    assert url.count("?") == 2  # the client's URL, as it sends it
    r = any_client.get(url.removeprefix("http://localhost"))
    assert r.status_code == 400, r.data[:200]
    message = r.get_data(as_text=True)
    assert message.startswith("no query") and f"'{ENTITIES}' is followed by '?query='" in message
    r = any_client.get("/sparql", query_string={"named-graph-uri": INFERRED})
    assert r.status_code == 400 and b"for no query" in r.data
    assert any_client.get("/sparql", query_string={"format": "json"}).status_code == 200
    assert _count(any_client.get(url.replace("?query=", "&query=").removeprefix(
        "http://localhost"))) == 10


def test_default_graph_is_the_union_of_the_named_graphs(client):
    assert _count(client.get("/sparql", query_string={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { <https://w3id.org/kg1978/event/e1> a ?c }"})) \
        == 3  # kgo:Attack (entities) + kgo:Event and crm:E5_Event (inferred)


def test_default_and_named_graph_uris_narrow_the_dataset(any_client):
    q = {"query": COUNT_ALL, "default-graph-uri": ENTITIES}
    assert _count(any_client.get("/sparql", query_string=q)) == 10
    q = {"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
         "named-graph-uri": INFERRED}
    assert _count(any_client.get("/sparql", query_string=q)) == 4
    # Only named graphs given: the default graph is empty.
    assert _count(any_client.get("/sparql", query_string={
        "query": COUNT_ALL, "named-graph-uri": INFERRED})) == 0
    # Both, as a list: both graphs are merged into the default graph.
    assert _count(any_client.get(
        f"/sparql?query={quote(COUNT_ALL)}&default-graph-uri={quote(ENTITIES)}"
        f"&default-graph-uri={quote(INFERRED)}")) == 14


def test_rdflibs_name_of_the_default_graph_is_the_services_default_graph(any_client):
    """rdflib's ``Dataset`` over its ``SPARQLStore`` sends its own name of the dataset's
    default graph, ``default-graph-uri=urn:x-rdflib:default``, with every query: it named
    no graph of the store, so every query over it found nothing (while ``len()`` counted
    every triple). Alone, it is the service's default graph, as if no graph were named."""
    rdflib_default = "urn:x-rdflib:default"
    for send in (any_client.get, any_client.post):
        q = {"query": COUNT_ALL, "default-graph-uri": rdflib_default}
        assert _count(send("/sparql", **{"query_string" if send == any_client.get
                                          else "data": q})) == 23
    # the query's own FROM is then its dataset, as without the parameter
    q = {"query": f"SELECT (COUNT(*) AS ?n) FROM <{ENTITIES}> WHERE {{ ?s ?p ?o }}",
         "default-graph-uri": rdflib_default}
    assert _count(any_client.get("/sparql", query_string=q)) == 10
    # with a graph of the store, or with named graphs, it is an IRI like any other: no graph
    assert _count(any_client.get(
        f"/sparql?query={quote(COUNT_ALL)}&default-graph-uri={quote(ENTITIES)}"
        f"&default-graph-uri={quote(rdflib_default)}")) == 10
    assert _count(any_client.get("/sparql", query_string={
        "query": COUNT_ALL, "default-graph-uri": rdflib_default,
        "named-graph-uri": INFERRED})) == 0


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_a_graph_uri_that_is_no_iri_is_named_in_the_400(client, parameter):
    r = client.get("/sparql", query_string={"query": COUNT_ALL, parameter: "graph/links"})
    assert r.status_code == 400
    message = r.get_data(as_text=True)
    assert message.startswith(f"{parameter} 'graph/links' is not an absolute IRI ("), message
    assert "full IRI" in message


def test_from_clause_selects_graphs_of_the_store(client):
    q = f"SELECT (COUNT(*) AS ?n) FROM <{INFERRED}> WHERE {{ ?s ?p ?o }}"
    assert _count(client.get("/sparql", query_string={"query": q})) == 4
    q = "SELECT (COUNT(*) AS ?n) FROM <http://example.org/not-here> WHERE { ?s ?p ?o }"
    assert _count(client.get("/sparql", query_string={"query": q})) == 0


def test_a_graph_named_twice_counts_once(any_client):
    """SPARQL 1.1 Query 13.2: the default graph is the RDF merge of the FROM graphs (or of the
    default-graph-uri ones), the named graphs a set - in the query and in the protocol."""
    twice = f"SELECT (COUNT(*) AS ?n) FROM <{ENTITIES}> FROM <{ENTITIES}> WHERE {{ ?s ?p ?o }}"
    assert _count(any_client.get("/sparql", query_string={"query": twice})) == 10
    thrice = twice.replace("WHERE", f"FROM <{ENTITIES}> WHERE")
    assert _count(any_client.post("/sparql", data={"query": thrice})) == 10
    assert _count(any_client.get("/sparql", query_string={
        "query": COUNT_ALL, "default-graph-uri": [ENTITIES, INFERRED, ENTITIES]})) == 14
    per_graph = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    for params in ({"query": per_graph.replace(
                        "WHERE", f"FROM NAMED <{ENTITIES}> FROM NAMED <{ENTITIES}> WHERE")},
                   {"query": per_graph, "named-graph-uri": [ENTITIES, ENTITIES]}):
        r = any_client.get("/sparql", query_string=params)
        assert r.status_code == 200, r.data
        assert {b["g"]["value"]: b["n"]["value"] for b in r.json["results"]["bindings"]} == {
            ENTITIES: "10"}, params


# -- result formats and content negotiation -------------------------------------------------

@pytest.mark.parametrize("accept, content_type", [
    (None, "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("application/sparql-results+xml;q=0.1, */*;q=0.5", "application/sparql-results+json"),
    ("application/json", "application/json"),
    ("*/*, application/sparql-results+xml", "application/sparql-results+xml"),  # named wins a tie
    ("Text/CSV", "text/csv; charset=utf-8"),
])
def test_select_formats_follow_accept_with_q_values(any_client, accept, content_type):
    headers = {"Accept": accept} if accept else {}
    r = any_client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s a ?c }"},
                       headers=headers)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == content_type
    assert r.headers["Vary"] == "Accept, Accept-Encoding"
    if "json" in content_type:
        assert len(json.loads(r.data)["results"]["bindings"]) == 11
    elif "xml" in content_type:
        assert len(list(ox.parse_query_results(r.data, format=ox.QueryResultsFormat.XML))) == 11
    else:
        assert len(r.data.decode().strip().splitlines()) == 12


@pytest.mark.parametrize("query, accept, content_type", [
    # a format refused by its own name is not sent under another one through a wildcard
    # (SPARQL JSON labelled application/json): the next format the wildcard admits
    ("SELECT ?s WHERE { ?s a ?c }", "application/sparql-results+json;q=0, */*",
     "application/sparql-results+xml"),
    ("ASK { ?s a ?c }", "application/sparql-results+json;q=0, */*",
     "application/sparql-results+xml"),
    ("SELECT ?s WHERE { ?s a ?c }", "application/sparql-results+json;q=0.5, */*;q=0.9",
     "application/sparql-results+xml"),
    ("SELECT ?s WHERE { ?s a ?c }",
     "application/sparql-results+xml;q=0, application/sparql-results+json;q=0, */*",
     "text/csv; charset=utf-8"),
    ("CONSTRUCT WHERE { ?s a ?c }", "text/turtle;q=0, */*", "application/n-triples"),
    # the other name asked for by name is answered so; a range as specific as it, or none
    # for the format's own type, leaves it as it was
    ("SELECT ?s WHERE { ?s a ?c }", "application/sparql-results+json;q=0, application/json",
     "application/json"),
    ("ASK { ?s a ?c }", "text/*", "text/xml; charset=utf-8"),
    ("SELECT ?s WHERE { ?s a ?c }", "application/json;q=0, */*",
     "application/sparql-results+json"),
])
def test_a_format_refused_by_name_is_not_sent_under_another(any_client, query, accept,
                                                            content_type):
    r = any_client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert (r.status_code, r.headers["Content-Type"]) == (200, content_type)


@pytest.mark.parametrize("query, accept", [
    ("ASK { ?s a ?c }",
     "application/sparql-results+xml;q=0, application/sparql-results+json;q=0, */*"),
    ("CONSTRUCT WHERE { ?s a ?c }", "text/turtle;q=0, application/n-triples;q=0, "
     "application/rdf+xml;q=0, application/ld+json;q=0, application/trig;q=0, "
     "application/n-quads;q=0, */*"),  # was N-Triples, labelled text/plain
])
def test_every_format_refused_by_name_is_406_whatever_the_wildcard(any_client, query, accept):
    r = any_client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert r.status_code == 406 and b"none of the accepted media types" in r.data


@pytest.mark.parametrize("asked", [{"headers": {"Accept": "text/plain"}},
                                   {"headers": {"Accept": "text/plain, */*;q=0.1"}},
                                   {"query_string": {"format": "text/plain"}}])
def test_text_plain_is_tsv_for_a_select_and_n_triples_for_a_graph(any_client, asked):
    """``text/plain`` asks for a table a person reads: a SELECT's is TSV (each term as SPARQL
    writes it, where CSV drops kinds and datatypes), labelled as asked, byte for byte the
    TSV answer, as a graph's is N-Triples; it was a 406 (Oxigraph answers CSV labelled
    ``text/csv``). An ASK has no such form: 406, saying why."""
    def get(query, **kwargs):
        kwargs["query_string"] = {"query": query, **kwargs.get("query_string", {})}
        return any_client.get("/sparql", **kwargs)

    select = "SELECT ?s ?o WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o }"
    r = get(select, **asked)
    assert (r.status_code, r.headers["Content-Type"]) == (200, "text/plain; charset=utf-8")
    assert r.data == get(select, headers={"Accept": "text/tab-separated-values"}).data
    assert r.data.startswith(b"?s\t?o\n<https://w3id.org/kg1978/") and b'"@' in r.data
    graph = "CONSTRUCT WHERE { ?s ?p ?o }"
    r = get(graph, **asked)
    assert (r.status_code, r.headers["Content-Type"]) == (200, "text/plain; charset=utf-8")
    assert r.data == get(graph, headers={"Accept": "application/n-triples"}).data
    r = get("ASK {}", **asked)
    if "*/*" in asked.get("headers", {}).get("Accept", "*/*"):
        # a format gives way to Accept, and none is */*: the boolean's default
        assert (r.status_code, r.mimetype) == (200, "application/sparql-results+json")
    else:
        assert r.status_code == 406 and b"define no form for a boolean" in r.data


@pytest.mark.parametrize("query, content_type", [
    ("SELECT * WHERE { ?s ?p ?o }", "text/xml; charset=utf-8"),  # SPARQL XML: lossless
    ("CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle; charset=utf-8"),
])
def test_any_text_type_is_the_first_text_type_offered(any_client, query, content_type):
    r = any_client.get("/sparql", query_string={"query": query}, headers={"Accept": "text/*"})
    assert (r.status_code, r.headers["Content-Type"]) == (200, content_type)


@pytest.mark.parametrize("accept, media", [
    ("application/*", "application/n-triples"),
    # a tie between two types named is decided by the same order
    ("application/ld+json, application/n-triples", "application/n-triples"),
    ("application/ld+json, application/rdf+xml", "application/rdf+xml"),
    ("application/n-quads, application/ld+json", "application/ld+json"),
])
@pytest.mark.parametrize("path", [
    "/sparql?query=CONSTRUCT+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D", "/sparql", "/void",
    "/store?default", "/dataset", "/", "/place/tay-ninh", "/ontology/"])
def test_one_order_of_rdf_syntaxes_on_every_route(any_client, path, accept, media):
    """Where ``Accept`` ranks several RDF syntaxes alike (a wildcard, or a tie), every route
    answers the first of one order, ``/sparql``'s (Turtle, N-Triples, RDF/XML, JSON-LD, TriG,
    N-Quads): ``application/*`` was N-Triples on ``/sparql`` and JSON-LD on the pages,
    ``/store`` and ``/``."""
    r = any_client.get(path, headers={"Accept": accept})
    assert (r.status_code, r.mimetype) == (200, media), r.data[:200]


@pytest.mark.parametrize("accept, offers, expected", [
    ("text/turtle", ["text/html", "text/turtle"], "text/turtle"),
    ("*/*", ["text/html", "text/turtle"], "text/html"),            # the server's order
    ("*/*, text/turtle", ["text/html", "text/turtle"], "text/turtle"),  # a tie: the named one
    ("text/*;q=0.5, text/turtle;q=0.4", ["text/turtle", "text/html"], "text/html"),
    ("text/turtle;q=0, */*", ["text/turtle", "text/html"], "text/html"),  # q=0 refuses
    ("text/turtle;q=0", ["text/turtle"], None),
    ("image/png", ["text/turtle"], None),
    ("text/turtle; charset=utf-8;q=0.2, text/html;q=0.1", ["text/html", "text/turtle"],
     "text/turtle"),                                                # parameters ignored but q
    ("TEXT/HTML", ["text/html"], "text/html"),
    # a weight that is no number is ignored (it was read as 0): the range keeps its weight
    ("text/turtle;q=abc, text/html;q=0.1", ["text/turtle", "text/html"], "text/turtle"),
    ("text/turtle;q=, text/html;q=0.1", ["text/turtle", "text/html"], "text/turtle"),
    ("text/turtle;q=0.2;q=nan, text/html;q=0.1", ["text/turtle", "text/html"], "text/turtle"),
    ("text/turtle;q=0.05;q=x, text/html;q=0.1", ["text/turtle", "text/html"], "text/html"),
    # a parameter not read here loses to the same range without it, in either order
    ("text/csv;level=1;q=0, text/csv;q=0.5", ["text/csv"], "text/csv"),
    ("text/csv;q=0.5, text/csv;level=1;q=0", ["text/csv"], "text/csv"),
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#flattened";q=0, '
     "application/ld+json;q=0.5", ["application/ld+json"], "application/ld+json"),
    ('application/ld+json;q=0.5, '
     'application/ld+json;profile="http://www.w3.org/ns/json-ld#flattened";q=0',
     ["application/ld+json"], "application/ld+json"),
    # a field with no members is no field, which is any type (RFC 9110, 5.6.1 and 12.5.1)
    ("", ["text/html"], "text/html"),
    (",,,", ["text/csv", "text/html"], "text/csv"),
    (" , ;q=0,", ["text/csv"], None),  # a member, if a malformed one
])
def test_best_match_is_rfc_9110_negotiation(accept, offers, expected):
    """The one negotiation of the endpoint (results, pages, /store, /validate)."""
    assert protocol.best_match(accept, offers) == expected


@pytest.mark.parametrize("accept", [",,,", " , ,", ""])
def test_an_accept_with_no_members_is_any_type_to_negotiation_itself(make_app, accept):
    """``Accept: ,,,`` is no Accept in content negotiation itself (the form's default, never
    a browser's, a plain-text error), not by a WSGI step in front of the app that took the
    field out of every request's environ."""
    assert protocol.negotiate(accept, None, "solutions").media_type == (
        "application/sparql-results+json")
    assert protocol.negotiate(accept, "turtle", "boolean").name == "json"
    assert protocol.negotiate(accept, None, "graph").name == "turtle"
    assert not protocol.prefers_html(accept) and not protocol.for_a_browser("query=1", accept)
    assert make_app().wsgi_app.__class__.__name__ == "FastPath"


@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", "/sparql", "/void",
                                  "/event/e1"])
def test_a_weight_that_is_no_number_accepts_as_if_unwritten(any_client, path):
    """``Accept: */*;q=abc`` was a 406 (the weight read as 0); the malformed parameter is
    ignored on every route (RFC 9110 gives it no meaning), as in ``Accept-Encoding``."""
    for accept in ("*/*;q=abc", "*/*; q=", "*/*;q=NaN"):
        r = any_client.get(path, headers={"Accept": accept})
        assert r.status_code == 200, (accept, r.data)
    r = any_client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s a ?c }"},
                       headers={"Accept": "application/sparql-results+json;q=0.5, "
                                          "text/csv;q=abc"})
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize("accept, html", [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),  # a browser
    ("application/sparql-results+json", False),
    ("*/*", False),
    # HTML in a charset the pages are not written in is not asked for
    ("text/html;charset=iso-8859-1, application/sparql-results+json;q=0.5", False),
    ("text/html;charset=utf-8, application/sparql-results+json;q=0.5", True),
])
def test_prefers_html_only_where_html_the_endpoint_writes_wins(accept, html):
    assert protocol.prefers_html(accept) is html


def test_best_match_takes_another_name_of_a_type_only_where_it_is_named():
    offers = ["text/turtle", "application/x-turtle", "text/html"]
    alias = {"application/x-turtle"}
    assert protocol.best_match("text/turtle;q=0, */*", offers, alias) == "text/html"
    assert protocol.best_match("application/x-turtle", offers, alias) == "application/x-turtle"
    assert protocol.best_match("application/*", offers, alias) is None


@pytest.mark.parametrize("accept, content_type, fmt", [
    (None, "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    # what the pages take too: a graph is a dataset of one default graph
    ("application/trig", "application/trig", ox.RdfFormat.TRIG),
    ("application/n-quads", "application/n-quads", ox.RdfFormat.N_QUADS),
    # other names, answered as the pages answer them
    ("application/x-turtle", "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    ("text/n3", "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    ("application/json", "application/ld+json", ox.RdfFormat.JSON_LD),
])
def test_construct_formats(any_client, accept, content_type, fmt):
    headers = {"Accept": accept} if accept else {}
    r = any_client.get("/sparql", headers=headers, query_string={
        "query": "CONSTRUCT WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o }"})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == content_type
    assert len(list(ox.parse(r.data, format=fmt))) == 7


def test_a_graph_result_takes_every_rdf_media_type_a_page_takes(client):
    """The README says the negotiation is the same for /sparql and pages: every RDF type an
    entity page answers, a CONSTRUCT answers too, with the same Content-Type."""
    from kg.endpoint.pages import _BY_MEDIA

    construct = "CONSTRUCT WHERE { <https://w3id.org/kg1978/place/tay-ninh> ?p ?o }"
    for media, rep in _BY_MEDIA.items():
        if rep.rdf is None:
            continue
        page = client.get("/place/tay-ninh", headers={"Accept": media})
        result = client.get("/sparql", headers={"Accept": media},
                            query_string={"query": construct})
        assert page.status_code == result.status_code == 200, media
        assert page.headers["Content-Type"] == result.headers["Content-Type"], media
    for name in ("trig", "nq", "nquads"):
        r = client.get("/sparql", query_string={"query": construct, "format": name})
        assert r.status_code == 200 and r.mimetype in ("application/trig",
                                                       "application/n-quads"), name


#: A graph holding an RDF 1.2 triple term, which JSON-LD 1.1 has no form for
TRIPLE_TERM = ("CONSTRUCT { <http://e/a> <http://e/says> <<( <http://e/a> <http://e/b> "
               "<http://e/c> )>> } WHERE {}")
EXPANDED = 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"'


@pytest.mark.parametrize("accept, named, content_type", [
    # the client's next preference: RFC 9110 12.5.1
    ("application/ld+json, text/turtle;q=0.5", None, "text/turtle; charset=utf-8"),
    (f"{EXPANDED}, application/n-triples;q=0.1", None, "application/n-triples"),
    ("application/ld+json, */*;q=0.1", None, "text/turtle; charset=utf-8"),
    ("application/*", None, "application/n-triples"),  # JSON-LD was never chosen
    (None, "jsonld,nt", "application/n-triples"),
    (None, "json", "text/turtle; charset=utf-8"),  # SPARQLWrapper's JSON; no Accept is */*
    # none the client accepts: 406, saying why (they were a 400 blaming the request, the
    # compacting writer's, and a 500, pyoxigraph's for the expanded form)
    ("application/ld+json", None, None),
    ("application/json", None, None),
    (EXPANDED, None, None),
    ("text/turtle", "jsonld", "text/turtle; charset=utf-8"),
])
def test_a_graph_with_triple_terms_is_never_json_ld(any_client, accept, named, content_type):
    query = {"query": TRIPLE_TERM, **({"format": named} if named else {})}
    for r in (any_client.get("/sparql", headers={"Accept": accept} if accept else {},
                             query_string=query),
              any_client.post("/sparql", headers={"Accept": accept} if accept else {},
                              data=query)):
        if content_type is None:
            assert r.status_code == 406, r.data
            assert "JSON-LD cannot hold the RDF 1.2 triple terms" in r.get_data(as_text=True)
            continue
        assert r.status_code == 200, r.data
        assert r.headers["Content-Type"] == content_type
        assert b"<<( <http://e/a> <http://e/b> <http://e/c> )>>" in r.data
    if content_type is not None:  # its validator is the syntax sent's: a match is a 304
        r = any_client.get("/sparql", headers={"Accept": accept} if accept else {},
                           query_string=query)
        again = any_client.get("/sparql", query_string=query, headers={
            "If-None-Match": r.headers["ETag"], **({"Accept": accept} if accept else {})})
        assert again.status_code == 304


def test_construct_json_ld_is_compacted_with_the_prefixes_it_uses(client, monkeypatch):
    query = {"query": "CONSTRUCT WHERE { ?s ?p ?o }"}
    r = client.get("/sparql", headers={"Accept": "application/ld+json"}, query_string=query)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/ld+json"
    doc = json.loads(r.data)
    assert doc["@context"]["place"] == "https://w3id.org/kg1978/place/"
    assert set(doc["@context"]) < set(WRITE_PREFIXES)  # only those these triples use
    assert any(n.get("@id") == "place:tay-ninh" for n in doc["@graph"])
    turtle = client.get("/sparql", headers={"Accept": "text/turtle"}, query_string=query).data
    assert set(ox.parse(r.data, format=ox.RdfFormat.JSON_LD)) == set(
        ox.parse(turtle, format=ox.RdfFormat.TURTLE))
    # beyond the limit, pyoxigraph's expanded form (the same triples)
    from kg.endpoint import results

    monkeypatch.setattr(results, "COMPACT_JSON_LD_LIMIT", 3)
    r = client.get("/sparql", headers={"Accept": "application/ld+json"}, query_string=query)
    assert isinstance(json.loads(r.data), list)
    assert set(ox.parse(r.data, format=ox.RdfFormat.JSON_LD)) == set(
        ox.parse(turtle, format=ox.RdfFormat.TURTLE))


@pytest.mark.parametrize("accept, form", [
    (None, None),
    ("", None),
    ("application/ld+json", None),
    (json_ld_accept("expanded"), "expanded"),
    (json_ld_accept("compacted"), "compacted"),
    (json_ld_accept("flattened"), None),
    (json_ld_accept("flattened", "compacted"), "compacted"),
    (json_ld_accept("expanded").replace('"', ""), "expanded"),
    (f"text/turtle, {json_ld_accept('expanded', q='0.9')}", "expanded"),
    (f"{json_ld_accept('expanded', q='0.4')}, application/ld+json;q=0.9", "compacted"),
    (f"{json_ld_accept('expanded', q='0')}, {json_ld_accept('compacted', q='0.1')}",
     "compacted"),
    ('application/ld+json; profile="http://example.org/x"', None),
])
def test_the_json_ld_form_asked_for(accept, form):
    assert protocol.json_ld_form(accept) == form


def test_construct_json_ld_in_the_form_the_profile_asks(any_client):
    query = {"query": "CONSTRUCT WHERE { ?s ?p ?o }"}
    expanded = any_client.get("/sparql", query_string=query,
                              headers={"Accept": json_ld_accept("expanded")})
    compacted = any_client.get("/sparql", query_string=query,
                               headers={"Accept": json_ld_accept("compacted")})
    plain = any_client.get("/sparql", query_string=query,
                           headers={"Accept": "application/ld+json"})
    assert expanded.headers["Content-Type"] == (
        'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"')
    assert compacted.headers["Content-Type"] == (
        'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"')
    assert plain.headers["Content-Type"] == "application/ld+json"
    assert is_expanded_json_ld(json.loads(expanded.data))
    assert "@context" in json.loads(compacted.data) and compacted.data == plain.data
    assert set(ox.parse(expanded.data, format=ox.RdfFormat.JSON_LD)) == set(
        ox.parse(compacted.data, format=ox.RdfFormat.JSON_LD))
    # another body for the same URL: another validator, and neither validates the other
    assert expanded.headers["ETag"] != compacted.headers["ETag"]
    r = any_client.get("/sparql", query_string=query, headers={
        "Accept": json_ld_accept("expanded"), "If-None-Match": plain.headers["ETag"]})
    assert r.status_code == 200 and r.data == expanded.data
    r = any_client.get("/sparql", query_string=query, headers={
        "Accept": json_ld_accept("expanded"), "If-None-Match": expanded.headers["ETag"]})
    assert r.status_code == 304
    # with ?format= too, and for an answer as JSON that a graph gives as JSON-LD
    r = any_client.get("/sparql", query_string={**query, "format": "jsonld"},
                       headers={"Accept": json_ld_accept("expanded")})
    assert is_expanded_json_ld(json.loads(r.data))


NOT_EXPANDED = f"{json_ld_accept('expanded', q='0')}, application/ld+json;q=0.5"


@pytest.mark.parametrize("url, query", [
    ("/sparql", {"query": "CONSTRUCT WHERE { ?s ?p ?o }"}),
    ("/void", {}),
    ("/sparql", {}),
])
def test_a_refused_json_ld_form_leaves_the_other(any_client, url, query):
    # RFC 9110, 12.5.1: the range with a profile is the more specific for the expanded form;
    # the plain one still accepts the compacted form (it was 406: both compared as equals)
    r = any_client.get(url, query_string=query, headers={"Accept": NOT_EXPANDED})
    assert r.status_code == 200, r.data
    doc = json.loads(r.data)
    assert not is_expanded_json_ld(doc) and "@context" in doc
    assert r.headers["Content-Type"] == (
        'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"')


@pytest.mark.parametrize("accept, media", [
    ("text/csv;charset=iso-8859-1;q=0, text/csv;q=0.5", "text/csv"),
    ("text/csv;charset=utf-8;q=0, text/csv, application/sparql-results+xml;q=0.1",
     "application/sparql-results+xml"),
    ("application/sparql-results+json;charset=utf-8;q=0.2, application/sparql-results+json;q=0,"
     " text/csv;q=0.1", "application/sparql-results+json"),
    ("text/tab-separated-values;charset=UTF-8", "text/tab-separated-values"),
])
def test_a_charset_range_is_more_specific_than_its_type(any_client, accept, media):
    r = any_client.get("/sparql", query_string={"query": COUNT_ALL}, headers={"Accept": accept})
    assert r.status_code == 200, r.data
    assert r.headers["Content-Type"].split(";")[0] == media


def test_a_charset_the_answer_is_not_in_is_not_acceptable(any_client):
    r = any_client.get("/sparql", query_string={"query": COUNT_ALL},
                       headers={"Accept": "text/csv;charset=iso-8859-1"})
    assert r.status_code == 406


@pytest.mark.parametrize("url", ["/void", "/sparql"])
def test_descriptions_are_expanded_unless_compacted_is_asked(any_client, url):
    expanded = json.loads(any_client.get(url, headers={"Accept": "application/ld+json"}).data)
    assert is_expanded_json_ld(expanded)
    r = any_client.get(url, headers={"Accept": json_ld_accept("compacted")})
    assert r.headers["Content-Type"].endswith('#compacted"')
    doc = json.loads(r.data)
    assert doc["@context"]["void"] == "http://rdfs.org/ns/void#"
    assert set(ox.parse(r.data, format=ox.RdfFormat.JSON_LD)) == set(
        ox.parse(json.dumps(expanded).encode(), format=ox.RdfFormat.JSON_LD))


def test_describe_and_ask(client):
    r = client.get("/sparql", query_string={
        "query": "DESCRIBE <https://w3id.org/kg1978/place/tay-ninh>"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    assert len(rdflib.Graph().parse(data=r.data, format="turtle")) == 3
    r = client.get("/sparql", query_string={"query": "ASK { ?s a ?c }"},
                   headers={"Accept": "application/sparql-results+xml"})
    assert r.status_code == 200 and b"<boolean>true</boolean>" in r.data


def test_format_parameter_overrides_accept(any_client):
    r = any_client.get("/sparql", query_string={"query": "SELECT ?s { ?s a ?c }",
                                                 "format": "csv"},
                       headers={"Accept": "application/sparql-results+xml"})
    assert r.headers["Content-Type"].startswith("text/csv")
    r = any_client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s a ?c }",
                                                 "format": "application/n-triples"})
    assert r.headers["Content-Type"] == "application/n-triples"


CONSTRUCT_LABELS = "CONSTRUCT WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o }"


@pytest.mark.parametrize("query, formats, content_type", [
    # SPARQLWrapper's names: a family name means the family's graph syntax for a graph result
    (CONSTRUCT_LABELS, ["xml"], "application/rdf+xml"),
    (CONSTRUCT_LABELS, ["json"], "application/ld+json"),
    (CONSTRUCT_LABELS, ["n3"], "text/turtle; charset=utf-8"),
    ("SELECT ?s { ?s a ?c }", ["xml"], "application/sparql-results+xml"),
    ("ASK { ?s a ?c }", ["json"], "application/sparql-results+json"),
    # repeated, and comma-separated media types (SPARQLWrapper's JSON-LD request): the first
    # that can express the result
    (CONSTRUCT_LABELS, ["json-ld", "application/ld+json,application/x-json+ld"],
     "application/ld+json"),
    (CONSTRUCT_LABELS, ["application/x-json+ld, application/ld+json"], "application/ld+json"),
    ("SELECT ?s { ?s a ?c }", ["turtle", "tsv"], "text/tab-separated-values; charset=utf-8"),
    ("SELECT ?s { ?s a ?c }", ["csv,json"], "text/csv; charset=utf-8"),
])
def test_format_parameter_names_families_and_lists(any_client, query, formats, content_type):
    params = [("query", query)] + [("format", f) for f in formats]
    r = any_client.get("/sparql?" + urlencode(params),
                       headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.data
    assert r.headers["Content-Type"] == content_type
    if content_type == "application/rdf+xml":
        assert len(list(ox.parse(r.data, format=ox.RdfFormat.RDF_XML))) == 7
    elif content_type == "application/ld+json":
        assert len(list(ox.parse(r.data, format=ox.RdfFormat.JSON_LD))) == 7
    elif content_type.startswith("text/turtle"):
        assert len(list(ox.parse(r.data, format=ox.RdfFormat.TURTLE))) == 7


@pytest.mark.parametrize(("query", "formats", "accept", "content_type"), [
    # SPARQLWrapper's SELECT with TURTLE asked for: its return format in three parameters,
    # Accept: */* (it warns it sends that)
    ("SELECT ?s { ?s a ?c }", ["turtle"], "*/*", "application/sparql-results+json"),
    ("SELECT ?s { ?s a ?c }", ["n3"], "text/csv, */*;q=0.1", "text/csv; charset=utf-8"),
    # its JSON-LD for a SELECT: format=json-ld and an empty one
    ("SELECT ?s { ?s a ?c }", ["json-ld", ""], "*/*", "application/sparql-results+json"),
    ("CONSTRUCT WHERE { ?s a ?c }", ["csv"], "*/*", "text/turtle; charset=utf-8"),
    ("CONSTRUCT WHERE { ?s a ?c }", ["text/csv"], "application/rdf+xml",
     "application/rdf+xml"),
    ("ASK {}", ["tsv"], "application/sparql-results+xml, text/tab-separated-values",
     "application/sparql-results+xml"),
    # no Accept is */* (RFC 9110, 12.5.1): the form's default, as if no format were given
    ("SELECT ?s { ?s a ?c }", ["turtle"], None, "application/sparql-results+json"),
    ("ASK {}", ["csv"], None, "application/sparql-results+json"),
    ("CONSTRUCT WHERE { ?s a ?c }", ["csv"], None, "text/turtle; charset=utf-8"),
])
def test_a_format_of_another_kind_of_result_gives_way_to_accept(any_client, query, formats,
                                                                accept, content_type):
    """``format=`` overrides Accept where it can express the result; where it names only
    formats of another kind of result (a client library's one return format, whatever the
    query form), the Accept header sent with it decides, where it was a 406."""
    params = [("query", query)] + [(k, f) for f in formats for k in ("format", "output")]
    r = any_client.get("/sparql?" + urlencode(params),
                       headers={} if accept is None else {"Accept": accept})
    assert r.status_code == 200, r.data
    assert r.headers["Content-Type"] == content_type
    assert "Accept" in r.headers["Vary"]


@pytest.mark.parametrize(("query", "fmt", "headers"), [
    ("SELECT ?s { ?s a ?c }", "turtle", {"Accept": "text/turtle"}),
    ("SELECT ?s { ?s a ?c }", "tutle", {"Accept": "*/*"}),  # a typo is named, not passed over
    ("SELECT ?s { ?s a ?c }", "tutle", {}),
    ("ASK {}", "csv", {"Accept": "text/csv"}),  # SPARQLWrapper's ASK with CSV
])
def test_a_format_that_cannot_express_the_result_is_406_without_an_accept_that_can(
        any_client, query, fmt, headers):
    r = any_client.get("/sparql", query_string={"query": query, "format": fmt},
                       headers=headers)
    assert r.status_code == 406
    assert f"format={fmt} cannot express" in r.get_data(as_text=True)


def test_output_parameter_is_format_too(any_client):
    r = any_client.post("/sparql", data={"query": CONSTRUCT_LABELS, "output": "xml",
                                         "results": "xml"})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/rdf+xml"


@pytest.mark.parametrize(("method", "target", "data", "content_type"), [
    ("GET", "/sparql?query=ASK%7B%7D&output=xml&format=json", None,
     "application/sparql-results+json"),
    ("GET", "/sparql?query=ASK%7B%7D&output=json&format=csv,xml", None,
     "application/sparql-results+xml"),
    ("POST", "/sparql?output=xml", {"query": "ASK {}", "format": "json"},
     "application/sparql-results+json"),
    ("GET", f"/sparql?query={quote(COUNT_ALL)}&output=html&format=json", None,
     "application/sparql-results+json"),
    ("GET", f"/sparql?query={quote(COUNT_ALL)}&output=json&format=html", None, "text/html"),
    ("GET", "/sparql?output=jsonld&format=tutle&format=ntriples", None, "application/n-triples"),
    ("GET", "/sparql?output=ntriples", None, "application/n-triples"),
    ("GET", "/void?output=jsonld&format=ntriples", None, "application/n-triples"),
    ("GET", "/void?output=ntriples", None, "application/n-triples"),
])
def test_format_comes_before_output_and_every_value_counts_on_every_route(
        any_client, method, target, data, content_type):
    """One rule for ``format`` and ``output``, on both lanes and every route that reads them:
    ``format``'s values, then ``output``'s, whatever their order in the request; the first
    that can express the answer. The query's format went by the order of the request, the
    description's by the first ``format`` alone, and ``/void`` read no ``output``."""
    r = any_client.open(target, method=method, data=data)
    assert r.status_code == 200, r.data
    assert r.headers["Content-Type"].split(";")[0] == content_type


@pytest.mark.parametrize("query, extra", [
    # (a GET asking for text/html gets the result as a page: see the browser test below)
    ("SELECT * { ?s ?p ?o }", {"headers": {"Accept": "image/png"}}),
    ("ASK {}", {"headers": {"Accept": "text/csv"}}),
    ("CONSTRUCT WHERE { ?s ?p ?o }", {"headers": {"Accept": "application/sparql-results+json"}}),
    ("SELECT * { ?s ?p ?o }", {"format": "turtle", "headers": {"Accept": "text/turtle"}}),
    ("SELECT * { ?s ?p ?o }", {"format": "n3", "headers": {"Accept": "text/n3"}}),
    ("CONSTRUCT WHERE { ?s ?p ?o }", {"format": "csv", "headers": {"Accept": "text/csv"}}),
])
def test_406_when_nothing_acceptable(any_client, query, extra):
    params = {"query": query}
    if "format" in extra:
        params["format"] = extra["format"]
    r = any_client.get("/sparql", query_string=params, headers=extra.get("headers", {}))
    assert r.status_code == 406
    if "json" in extra.get("headers", {}).get("Accept", ""):  # a JSON client's error is JSON
        assert r.headers["Content-Type"] == "application/json"
        message = json.loads(r.data)["message"].encode()
    else:
        assert r.headers["Content-Type"].startswith("text/plain")
        message = r.data
    assert b"offers" in message or b"cannot express" in message


@pytest.mark.parametrize("asked", [
    {"headers": {"Accept": "text/csv"}}, {"headers": {"Accept": "text/tab-separated-values"}},
    {"query_string": {"format": "csv"}, "headers": {"Accept": "text/csv"}},
    {"query_string": {"format": "text/tab-separated-values"},
     "headers": {"Accept": "text/tab-separated-values"}},
], ids=["accept-csv", "accept-tsv", "format-csv", "format-tsv-media-type"])
def test_406_of_an_ask_in_csv_or_tsv_says_the_format_has_no_boolean(any_client, asked):
    """SPARQL 1.1's CSV and TSV results define no form for ASK, and the servers that answer one
    disagree (Jena a one-column table of ``_askResult``, Oxigraph a bare ``true``; RDF4J
    refuses): 406, saying why, where the message named only the types offered."""
    params = {"query": "ASK {}", **asked.get("query_string", {})}
    r = any_client.get("/sparql", query_string=params, headers=asked.get("headers", {}))
    assert r.status_code == 406
    message = r.get_data(as_text=True)
    assert "can express an ASK result (SPARQL 1.1's CSV and TSV results define no form for a " \
           "boolean: ask for SPARQL JSON or XML)" in message or \
           "cannot express an ASK result (SPARQL 1.1's CSV and TSV results define no form" \
           in message, message
    # other refusals of an ASK say nothing of CSV
    r = any_client.get("/sparql", query_string={"query": "ASK {}"},
                       headers={"Accept": "image/png"})
    assert r.status_code == 406 and "CSV" not in r.get_data(as_text=True)


def test_reason_phrases_are_one_spelling_whichever_lane_answers(any_client):
    """The fast path wrote "406 Not Acceptable", Flask (werkzeug) "406 NOT ACCEPTABLE": every
    answer now has RFC 9110's phrase, a 304 too."""
    r = any_client.get("/sparql", query_string={"query": "ASK {}"},
                       headers={"Accept": "text/csv"})
    assert r.status == "406 Not Acceptable"
    assert any_client.get("/sparql", query_string={"query": "SELECT"}).status == \
        "400 Bad Request"
    assert any_client.get("/no-such-page").status == "404 Not Found"
    assert any_client.delete("/sparql").status == "405 Method Not Allowed"
    first = any_client.get("/void", headers={"Accept": "text/turtle"})
    assert first.status == "200 OK"
    again = any_client.get("/void", headers={"Accept": "text/turtle",
                                             "If-None-Match": first.headers["ETag"]})
    assert again.status == "304 Not Modified"


@pytest.mark.parametrize(("path", "what"), [("/sparql", "the service description"),
                                            ("/void", "the VoID description")])
@pytest.mark.parametrize("asked", [{"headers": {"Accept": "image/png"}},
                                   {"query_string": {"format": "csv"},
                                    "headers": {"Accept": "text/csv"}}], ids=["accept", "format"])
def test_406_of_a_description_names_it_not_a_query_result(client, path, what, asked):
    r = client.get(path, **asked)
    assert r.status_code == 406
    message = r.get_data(as_text=True)
    assert f" express {what};" in message and "CONSTRUCT" not in message, message


def test_a_description_asked_for_in_csv_without_accept_is_turtle(client):
    """``format=csv`` cannot express the service description; no Accept is ``*/*``."""
    r = client.get("/void", query_string={"format": "csv"})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/turtle; charset=utf-8"


def test_406_for_html_by_post(any_client):
    """The result as an HTML page is for a link a browser follows (GET); a POST asking for
    HTML alone gets the protocol's 406."""
    r = any_client.post("/sparql", data={"query": "SELECT * { ?s ?p ?o }"},
                        headers={"Accept": "text/html"})
    assert r.status_code == 406 and b"offers" in r.data


# -- errors: 400, 403, 405, 413, 415 --------------------------------------------------------

def test_malformed_query_is_400_with_line_and_column(any_client):
    r = any_client.get("/sparql", query_string={"query": "SELECT * WHERE {\n  ?s ?p \n}"})
    assert r.status_code == 400
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.data.startswith(b"line 3, column 1: the triple pattern ?s ?p has no object")
    assert b"Traceback" not in r.data


_GROUPED_STAR = (b"SELECT * is not allowed where the solutions are grouped, by GROUP BY or by "
                 b"an aggregate (COUNT, SUM...) anywhere in the query, which makes them one "
                 b"group: select the grouped variables and aggregates by name, SELECT ?x "
                 b"(COUNT(?y) AS ?n) (an aggregate filters in HAVING, after GROUP BY, not in "
                 b"FILTER)\n")


@pytest.mark.parametrize("query, message", [
    ("SELECT ?l WHERE {\n  ?s rdfs:label ?l }",
     b"line 2, column 6: the prefix 'rdfs:' is not declared: "
     b"add PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"),
    # in an expression the parser's own message names unrelated keywords (ENCODE_FOR_URI)
    ("SELECT * { ?s a ?c FILTER(?c IN (kgo:Attack, kgo:Event)) }",
     b"line 1, column 34: the prefix 'kgo:' is not declared: "
     b"add PREFIX kgo: <https://w3id.org/kg1978/ontology/>\n"),
    ("PREFIX ex: <http://example.org/> SELECT * { ?s ex:p [ foo:q ?o ] }",
     b"line 1, column 55: the prefix 'foo:' is not declared: declare it first: "
     b"PREFIX foo: <IRI>\n"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(STRLENGTH(?o) > 3) }",
     b"line 1, column 34: STRLENGTH is not a SPARQL function (did you mean STRLEN or STRLANG?): "
     b"call a built-in by its name, or an extension function by its IRI\n"),
    ("SELCT * WHERE { ?s ?p ?o }",
     b"line 1, column 1: expected SELECT, ASK, CONSTRUCT or DESCRIBE (after any PREFIX and "
     b"BASE), not 'SELCT'\n"),
    ("SELECT ?s, ?p WHERE { ?s ?p ?o }",
     b"line 1, column 10: SELECT lists its variables with spaces between them, not commas: "
     b"SELECT ?a ?b\n"),
    # the parser's own sentences, without its list of expected characters
    ("SELECT * WHERE { ?s ?p ?o } GROUP BY ?s",
     b"line 1, column 40: " + _GROUPED_STAR),
    # an aggregate in FILTER (SPARQL 1.1, 11.1), before the engine (which would group)
    ("SELECT * WHERE { ?s ?p ?o FILTER(COUNT(?s) > 1) }",
     b"line 1, column 34: COUNT is an aggregate, which SPARQL allows only in SELECT, HAVING and "
     b"ORDER BY, not in FILTER: filter the groups with HAVING, after GROUP BY: GROUP BY ?x "
     b"HAVING(COUNT(?y) > 1)\n"),
    ("SELECT * WHERE { ?s ?p ?o } HAVING(COUNT(?s) > 1)", b"line 1, column 50: " + _GROUPED_STAR),
    ("SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o }",
     b"line 1, column 47: the SELECT contains a variable that is unbound (with an aggregate "
     b"such as COUNT, every other selected variable must be in GROUP BY)\n"),
    ("SELECT (LANG(?l) AS ?lang) (COUNT(*) AS ?n) WHERE { ?s ?p ?l } GROUP BY (LANG(?l))",
     b"line 1, column 83: an expression in SELECT uses a variable that is neither grouped nor "
     b"aggregated (with GROUP BY or an aggregate such as COUNT: group by the variable, or by "
     b"the expression named, GROUP BY (LANG(?l) AS ?lang), and select the name)\n"),
    ("SELECT (1 AS ?s) WHERE { ?s ?p ?o }",
     b"line 1, column 36: an expression in SELECT is named (AS ?x) after a variable the query "
     b"already has: give it a new name\n"),
    # an IRI that does not parse: what is wrong with it, where (the parser: "expected IRI
    # parsing failed" after it)
    ("SELECT * WHERE { ?s ?p <http://a b> }",
     b"line 1, column 33: the IRI <http://a b> contains a space, which IRIs may not: "
     b"write it %20\n"),
    ("SELECT * WHERE { ?s ?p <http://a:9x/> }",
     b"line 1, column 38: invalid IRI (an IRI has no spaces, quotes, <, >, {, }, |, ^, ` or "
     b"backslash, and a valid scheme and port)\n"),
    # an escape of no character (the parser: "expected one of ENCODE_FOR_URI, ...")
    (r'SELECT * WHERE { ?s ?p ?o FILTER(?o = "\uD83D\uDE00") }',
     rb"line 1, column 40: \uD83D is half of a UTF-16 surrogate pair, not a character: an "
     rb"escape names a Unicode code point (U+1F600 is \U0001F600, not \uD83D\uDE00)" + b"\n"),
    # an unclosed bracket, a nameless variable (the parser: "expected OPTIONAL")
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o > 3 }",
     b"line 1, column 41: this '}' comes while the '(' at line 1, column 33 is open: close it "
     b"with ')' first\n"),
    ("SELECT * WHERE { ?s ?p ? }",
     b"line 1, column 24: '?' without a name: a variable is ?name, e.g. ?x\n"),
    # a triple without its object, a LIMIT without a number, an empty GROUP BY (the parser
    # lists what it expected), an escape of no character in an IRI (it says that \u takes
    # hexadecimal digits)
    ("SELECT * WHERE { ?s ?p }",
     b"line 1, column 24: the triple pattern ?s ?p has no object: a triple pattern is a "
     b"subject, a predicate and an object (?s ?p ?o)\n"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT ten",
     b"line 1, column 35: LIMIT takes a whole number of rows (LIMIT 10), not 'ten'\n"),
    ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY",
     b"line 1, column 44: GROUP BY names nothing: give it a variable or an expression to "
     b"group by (GROUP BY ?x)\n"),
    (r"SELECT * WHERE { ?s ?p <http://a/\uD800> }",
     rb"line 1, column 34: \uD800 is half of a UTF-16 surrogate pair, not a character: an "
     rb"escape names a Unicode code point (U+1F600 is \U0001F600, not \uD83D\uDE00)" + b"\n"),
    # a blank node to describe, which DESCRIBE does not take (SPARQL 1.1, 16.4: variables and
    # IRIs; the parser listed every character a name may begin with)
    ("DESCRIBE _:x",
     b"line 1, column 10: DESCRIBE takes variables and IRIs, not a blank node ('_:x'): a blank "
     b"node's label names nothing outside its query; find the node by a pattern: DESCRIBE ?b "
     b"WHERE { ?s ?p ?b FILTER(isBlank(?b)) }\n"),
    ("DESCRIBE ?s [] WHERE { ?s ?p ?o }",
     b"line 1, column 13: DESCRIBE takes variables and IRIs, not a blank node ('[]'): a blank "
     b"node's label names nothing outside its query; find the node by a pattern: DESCRIBE ?b "
     b"WHERE { ?s ?p ?b FILTER(isBlank(?b)) }\n"),
])
def test_malformed_queries_are_explained(any_client, query, message):
    r = any_client.get("/sparql", query_string={"query": query})
    assert (r.status_code, r.data) == (400, message)


def test_a_byte_order_mark_before_the_query_is_read_past(any_client):
    """A query saved with a byte order mark (U+FEFF) and sent as it is, by GET, form or body:
    the mark was the token the parser refused ("not '\ufeffASK'", the mark invisible);
    the place of a mistake is where an editor shows it."""
    bom = "\ufeff"
    ask = bom + "ASK { ?s ?p ?o }"
    for r in (any_client.get("/sparql", query_string={"query": ask}),
              any_client.post("/sparql", data={"query": ask}),
              any_client.post("/sparql", data=ask.encode(),
                              content_type="application/sparql-query")):
        assert (r.status_code, json.loads(r.data)["boolean"]) == (200, True), r.data
    r = any_client.get("/sparql", query_string={"query": bom + "SELECT * WHERE { ?s ?p }"})
    assert r.data.startswith(b"line 1, column 24: the triple pattern ?s ?p has no object")
    r = any_client.get("/sparql", query_string={"query": bom + bom + "ASK {}"})
    assert r.status_code == 400  # one mark, at the start: another is a character


def test_error_as_json_when_asked(client):
    r = client.get("/sparql", query_string={"query": "SELECT"},
                   headers={"Accept": "application/json"})
    assert r.status_code == 400
    assert json.loads(r.data)["status"] == 400


@pytest.mark.parametrize("accept, query", [
    ("application/sparql-results+json", "SELECT * WHERE { ?s ?p }"),
    ("application/sparql-results+json, application/sparql-results+xml;q=0.9",
     "SELECT * WHERE { ?s ?p }"),
    ("application/sparql-results+json, text/plain;q=0.5", "ASK { ?s ?p }"),
])
def test_error_as_json_for_sparql_json_results(any_client, accept, query):
    """A client asking for SPARQL JSON results reads JSON: it gets the error document that
    ``application/json`` gets, with the same status, through both lanes."""
    asked = {}
    for media in ("application/json", accept):
        r = any_client.get("/sparql", query_string={"query": query},
                           headers={"Accept": media})
        asked[media] = (r.status_code, r.content_type, r.data)
    assert asked[accept] == asked["application/json"]
    assert json.loads(asked[accept][2])["status"] == 400


def test_json_error_gives_line_and_column(any_client):
    """The JSON error document of a malformed query carries the parser's line and column,
    through both lanes, and the message still says them; an error with no place has neither
    key."""
    r = any_client.get("/sparql", query_string={"query": "SELECT *\nWHERE { ?s ?p }"},
                       headers={"Accept": "application/json"})
    doc = json.loads(r.data)
    assert r.status_code == 400 and doc["line"] == 2 and doc["column"] >= 1
    assert doc["message"].startswith(f"line 2, column {doc['column']}: ")
    r = any_client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }",
                                                "format": "nope"},
                       headers={"Accept": "application/json"})
    assert r.status_code == 406 and set(json.loads(r.data)) == {"status", "message"}


def test_error_as_json_for_json_ld(any_client):
    r = any_client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p }"},
                       headers={"Accept": "application/ld+json"})
    assert (r.status_code, r.content_type) == (400, "application/json")
    # the body depends on Accept: a shared cache must not give it to a text/plain client
    assert r.headers.get_all("Vary") == ["Accept"]
    assert json.loads(r.data)["message"].startswith("line 1, column ")


@pytest.mark.parametrize("accept", [
    "application/sparql-results+xml", "text/csv", "text/tab-separated-values", "*/*",
    "application/*", "text/plain, application/sparql-results+json",
    "application/sparql-results+xml, application/sparql-results+json;q=0",
])
def test_error_as_text_for_the_other_result_types(any_client, accept):
    """No XML error document is standard, and an error written as CSV or TSV would read as a
    result table: these, wildcards and a tie with text/plain get the message as text."""
    r = any_client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"},
                       headers={"Accept": accept})
    assert (r.status_code, r.content_type) == (400, "text/plain; charset=utf-8")
    assert r.data.startswith(b"line 1, column ")


@pytest.mark.parametrize("request_kwargs", [
    {"method": "GET", "query_string": {"update": "CLEAR ALL"}},
    {"method": "POST", "data": {"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}},
    {"method": "POST", "data": "DROP ALL", "content_type": "application/sparql-update"},
    {"method": "POST", "data": "INSERT DATA { <a:b> <a:c> <a:d> }",
     "content_type": "application/sparql-query"},
    {"method": "GET", "query_string": {"query": "PREFIX x: <http://x/> DELETE WHERE { ?s ?p ?o }"}},
    {"method": "GET", "query_string": {"query": "LOAD <http://127.0.0.1:9/x.ttl>"}},
])
def test_update_is_refused_with_403_and_never_run(any_client, request_kwargs):
    before = _count(any_client.get("/sparql", query_string={"query": COUNT_ALL}))
    r = any_client.open("/sparql", **request_kwargs)
    assert r.status_code == 403
    assert b"read-only" in r.data
    assert _count(any_client.get("/sparql", query_string={"query": COUNT_ALL})) == before


@pytest.mark.parametrize("path", ["/", "/form", "/sparql", "/void", "/timeline", "/store",
                                  "/validate", "/reconcile", "/shapes/", "/place/phnom-penh",
                                  "/dumps/kg.nq"])
@pytest.mark.parametrize("request_kwargs", [
    {"method": "POST", "data": "DROP ALL", "content_type": "application/sparql-update"},
    {"method": "PUT", "data": "DROP ALL", "content_type": "application/sparql-update"},
    {"method": "PATCH", "data": {"update": "CLEAR ALL"}},
    {"method": "POST", "data": {"update": "CLEAR ALL"}},
    {"method": "GET", "query_string": {"update": "CLEAR ALL"}},
], ids=["post-update", "put-update", "patch-form", "post-form", "get"])
def test_update_is_refused_with_403_on_every_route_and_method(any_client, path, request_kwargs):
    """Not only /sparql: whatever route or method a SPARQL Update is sent to, 403."""
    r = any_client.open(path, **request_kwargs)
    assert r.status_code == 403, (path, r.status_code, r.data[:200])
    assert b"read-only" in r.data


@pytest.mark.parametrize("path, accept", [
    ("/validate", None),  # was 415: taken for a POST without a body
    ("/sparql?query=ASK%7B%7D", "text/html,application/xhtml+xml,*/*;q=0.8"),  # was XML
    ("/reconcile?callback=cb", None),  # was JSON, not JSONP
    ("/sparql?query=ASK%7B%7D", None), ("/form?query=ASK%7B%7D", None), ("/", None),
])
def test_head_answers_with_the_head_of_get(any_client, path, accept):
    """RFC 9110, 9.3.2: HEAD gets the status and header fields GET would, without the body."""
    headers = {"Accept": accept} if accept else {}
    get = any_client.get(path, headers=headers)
    head = any_client.head(path, headers=headers)
    assert get.status_code == 200 and head.status_code == 200 and head.data == b""
    for field in ("Content-Type", "Content-Length", "ETag", "Vary"):
        assert head.headers.get(field) == get.headers.get(field), field


def test_the_update_check_leaves_a_form_body_to_the_route(any_client):
    """The reconciliation service still reads its form after the check, and a field that
    merely contains the word is no update."""
    queries = json.dumps({"q0": {"query": "Phnom Penh"}})
    r = any_client.post("/reconcile", data={"queries": queries, "note": "no update here"})
    assert r.status_code == 200 and json.loads(r.data)["q0"]["result"]


def test_preflight_for_an_update_is_still_answered(any_client):
    """A browser's preflight gets its CORS answer; the update itself is then refused."""
    r = any_client.open("/store", method="OPTIONS", query_string={"update": "x"},
                        headers={"Origin": "http://example.org",
                                 "Access-Control-Request-Method": "POST"})
    assert r.status_code in (200, 204) and r.headers["Access-Control-Allow-Origin"] == "*"


def test_wrong_media_type_is_415(any_client):
    r = any_client.post("/sparql", data="ASK {}", content_type="text/plain")
    assert r.status_code == 415
    r = any_client.post("/sparql", data="ASK {}", content_type="application/sparql-query; "
                                                                "charset=UTF-16")
    assert r.status_code == 415
    r = any_client.post("/sparql", data=b"query=ASK%20%7B%7D", headers={"Content-Type": ""})
    assert r.status_code == 415


@pytest.mark.parametrize("name", ["QUERY", "Query"])
def test_a_query_parameter_of_another_case_is_400_not_the_description(any_client, name):
    """Parameter names are case-sensitive: ``?QUERY=`` names no query, and the service
    description it got (200, Turtle) would be read as the answer; the Service Description
    gives one to a GET "without any query parameter strings". A 400 saying the name, as
    Oxigraph and Virtuoso answer. Other parameters without a query still get it."""
    r = any_client.get(f"/sparql?{name}=ASK%7B%7D")
    assert r.status_code == 400, r.status_code
    assert f"'{name}'" in r.get_data(as_text=True) and "lower case" in r.get_data(as_text=True)
    for url in ("/sparql?format=ttl", "/sparql?foo=bar", "/sparql"):
        r = any_client.get(url)
        assert r.status_code == 200 and r.mimetype == "text/turtle", url


@pytest.mark.parametrize("charset", ["ISO-8859-1", "windows-1252", "latin1"])
def test_a_form_in_a_declared_charset_is_read_in_it(any_client, charset):
    """A form's percent-encoded octets are in the charset it declares: Apache HttpClient 4's
    UrlEncodedFormEntity sends charset=ISO-8859-1 by default, "é" as %E9, and Fuseki (Jetty)
    reads it so. It was a 415. A charset that is not ASCII's superset stays one (below)."""
    from urllib.parse import urlencode

    body = urlencode({"query": 'SELECT ?x WHERE { BIND("Tây Ninh, é" AS ?x) }'},
                     encoding="latin-1", errors="strict").encode("ascii")
    assert b"%E9" in body
    r = any_client.post("/sparql", data=body, headers={
        "Content-Type": f"application/x-www-form-urlencoded; charset={charset}"})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert json.loads(r.data)["results"]["bindings"][0]["x"]["value"] == "Tây Ninh, é"
    # not valid in the charset declared: a 400 naming it
    r = any_client.post("/sparql", data=b"query=ASK%7B%7D%23%81", headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=us-ascii"})
    assert r.status_code == 400 and b"ascii" in r.data
    # the body of an application/sparql-query is UTF-8 whatever it says (its registration)
    r = any_client.post("/sparql", data=b"ASK {}", headers={
        "Content-Type": f"application/sparql-query; charset={charset}"})
    assert r.status_code == 415


@pytest.mark.parametrize(("content_type", "accept"), [
    ("text/plain", None),
    ("application/sparql-query; charset=latin1", None),
    ("application/x-www-form-urlencoded; charset=UTF-16", None),
    (None, None),
    ("text/plain", "text/html"),  # a browser's: the error page, the same field
])
def test_a_415_says_which_media_types_are_taken(any_client, content_type, accept):
    """RFC 9110, 15.5.16 and 12.5.1: a 415 names in ``Accept`` the media types the resource
    takes, so a client can tell what to send without reading the message (it had none)."""
    headers = {"Content-Type": content_type or ""}
    if accept:
        headers["Accept"] = accept
    r = any_client.post("/sparql", data=b"ASK {}", headers=headers)
    assert r.status_code == 415
    assert r.headers["Accept"] == "application/sparql-query, application/x-www-form-urlencoded"
    assert "Accept" in r.headers["Vary"]  # the body still varies with Accept, not the field


@pytest.mark.parametrize("coding", ["gzip", "br", "GZIP", "identity, gzip"])
def test_a_coded_body_is_415_not_read_as_plain(any_client, coding):
    """RFC 9110, 8.4.1 and 15.5.16: a body with a content coding the server does not decode
    is a 415 naming in ``Accept-Encoding`` what it takes (identity); the coding was ignored,
    and a gzipped query read as text (400, not UTF-8), a body labelled ``br`` as plain."""
    import gzip

    for body in (b"ASK {}", gzip.compress(b"ASK {}")):
        r = any_client.post("/sparql", data=body, headers={
            "Content-Type": "application/sparql-query", "Content-Encoding": coding})
        assert r.status_code == 415, r.data
        assert r.headers["Accept-Encoding"] == "identity"
        assert "Content-Encoding" in r.get_data(as_text=True)


def test_a_coded_body_is_415_on_other_routes_too(make_app):
    import gzip

    client = make_app(root=Path(__file__).parents[1], validation_timeout=0).test_client()
    r = client.post("/validate", data=gzip.compress(b"<urn:a> <urn:b> <urn:c> ."),
                    headers={"Content-Type": "text/turtle", "Content-Encoding": "gzip"})
    assert r.status_code == 415 and r.headers["Accept-Encoding"] == "identity"
    # the reconciliation service answers it in its own JSON, with the same field
    for path in ("/reconcile", "/reconcile/propose_properties"):
        r = client.post(path, data=gzip.compress(b"queries=%7B%7D"), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Content-Encoding": "gzip"})
        assert r.status_code == 415 and r.headers["Accept-Encoding"] == "identity", path
        assert r.get_json()["status"] == 415


@pytest.mark.parametrize("headers, fields", [
    ({"Content-Type": "text/plain"}, ["Accept"]),
    ({"Content-Type": "application/sparql-query; charset=latin1"}, ["Accept"]),
    ({"Content-Type": "application/sparql-query", "Content-Encoding": "gzip"},
     ["Accept-Encoding"]),
    ({"Content-Type": "text/plain", "Accept": "application/json"}, ["Accept"]),
    ({"Content-Type": "text/plain", "Accept": "text/html"}, ["Accept"]),  # the error page
])
def test_a_415s_fields_are_exposed_alike_on_both_lanes(make_app, headers, fields):
    """A 415 names what the resource takes in ``Accept`` / ``Accept-Encoding``, which are no
    CORS-safelisted response fields: its one ``Access-Control-Expose-Headers`` names them, so
    that a browser's script can read them (it could not), and the fast lane and Flask send the
    same fields, in the same order, and the same body."""
    answers = []
    for fast in (True, False):
        client = make_app({"KG_FAST_PATH": fast}).test_client()
        r = client.post("/sparql", data=b"ASK {}", headers=headers)
        assert r.status_code == 415, (fast, r.data)
        assert len(r.headers.getlist("Access-Control-Expose-Headers")) == 1
        exposed = [v.strip() for v in r.headers["Access-Control-Expose-Headers"].split(",")]
        for field in fields:
            assert r.headers[field] and field in exposed, (fast, field, exposed)
        assert len(exposed) == len({v.lower() for v in exposed})  # each named once
        answers.append((r.status, list(r.headers.items()), r.data))
    assert answers[0] == answers[1]


def test_a_415s_fields_are_exposed_on_other_routes_too(make_app):
    """A coded body refused on any route (the site's error, or the reconciliation service's
    JSON) exposes its ``Accept-Encoding`` the same way."""
    import gzip

    client = make_app().test_client()
    for path, body in (("/validate", b"<urn:a> <urn:b> <urn:c> ."),
                       ("/reconcile", b"queries=%7B%7D"), ("/reconcile/nope", b"x")):
        r = client.post(path, data=gzip.compress(body), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Content-Encoding": "gzip"})
        assert r.status_code == 415 and r.headers["Accept-Encoding"] == "identity", path
        assert len(r.headers.getlist("Access-Control-Expose-Headers")) == 1, path
        assert "Accept-Encoding" in r.headers["Access-Control-Expose-Headers"].split(", ")


@pytest.mark.parametrize("coding", ["identity", "Identity", ""])
def test_an_identity_coding_is_no_coding(any_client, coding):
    r = any_client.post("/sparql", data=b"ASK {}", headers={
        "Content-Type": "application/sparql-query", "Content-Encoding": coding})
    assert r.status_code == 200 and b"true" in r.data
    r = any_client.get("/sparql?query=ASK%7B%7D", headers={"Content-Encoding": "gzip"})
    assert r.status_code == 200  # no body: nothing coded


@pytest.mark.parametrize(("method", "raw", "stray"), [
    ("GET", "query=ASK%7B%7", "%7"),
    ("GET", "format=json&query=ASK%zz%7B%7D", "%zz"),
    ("POST", "query=ASK%7B%7D%", "%"),
    ("POST", "default-graph-uri=urn:x&query=SELECT%20*%7B%3Fs%20%3Fp%20%3Fo%20FILTER(%3Fo%3D%25)%",
     "%"),
])
def test_a_malformed_query_with_a_stray_percent_says_so(any_client, method, raw, stray):
    """A ``%`` that begins no percent-escape is kept as it is (as browsers and werkzeug read
    a URL or a form; a query with one that still parses is answered), so a query that then
    does not parse says so: its error named a column of a query the client never wrote."""
    if method == "GET":
        r = any_client.get("/sparql?" + raw)
    else:
        r = any_client.post("/sparql", data=raw.encode(),
                            content_type="application/x-www-form-urlencoded")
    assert r.status_code == 400
    message = r.get_data(as_text=True)
    assert message.startswith("line 1, column ")
    assert f"'{stray}'" in message and "%25" in message


def test_a_stray_percent_is_no_error_in_itself(any_client):
    r = any_client.get('/sparql?query=ASK%7BFILTER("100%"%20!%3D%20"")%7D')
    assert r.status_code == 200 and b"true" in r.data
    r = any_client.get("/sparql?query=ASK%7B&x=%zz")  # elsewhere than in the query
    assert r.status_code == 400 and b"%25" not in r.data


PLUS_QUERIES = [
    # spaces as %20 (a browser's address bar, a URL built by hand): a '+' was the query's own
    "query=SELECT%20?x%20WHERE%20%7B%20VALUES%20?x%20%7B%201%20%7D%20FILTER(?x+1%3E1)%20%7D",
    # no space sent encoded at all: the query parses with its '+' read as plus signs
    "format=json&query=ASK%7BFILTER(1+1%3D2)%7D",
]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("raw", PLUS_QUERIES)
def test_a_malformed_query_with_a_plus_read_as_a_space_says_so(any_client, method, raw):
    """Form encoding reads a ``+`` of a URL's query string or a form body as a space, so a
    query's own ``+`` sent unescaped (``FILTER(?x+1>2)``) is ``FILTER(?x 1>2)``: a bare
    parse error at a place the client never wrote. It now says why, where the ``+`` cannot
    have been a space; sent as ``%2B`` the query is answered."""
    def send(text):
        if method == "GET":
            return any_client.get("/sparql?" + text)
        return any_client.post("/sparql", data=text.encode(),
                               content_type="application/x-www-form-urlencoded")

    r = send(raw)
    message = r.get_data(as_text=True)
    assert r.status_code == 400 and message.startswith("line 1, column "), message
    assert "has a '+', which the " in message and "%2B" in message, message
    r = send(raw.replace("+", "%2B"))
    assert r.status_code == 200, r.data


class _RecordingGuard:
    """A query guard that records whether it is armed (the time limit, :mod:`.watchdog`)."""

    def __init__(self):
        self.armed = False

    def arm(self, environ):
        self.armed = True

    def disarm(self):
        self.armed = False


@pytest.mark.parametrize("kind", ["precondition", "plus hint", "no form", "no form, page"])
def test_a_query_parsed_without_running_gets_the_time_limit(any_client, monkeypatch, kind):
    """The engine parses a query only to evaluate it, over an empty store where nothing is
    read, but an ASK is evaluated at once (a cross product of VALUES blocks took 10 s for 27
    million rows): a query parsed for a POST's failed precondition, for a '+' hint, or for
    the line and column of a text whose form the checks found none of, is parsed under the
    time limit a query runs under, never outside it, and never by the served store (which
    got the formless text, outside the limit; a remote store, sent it)."""
    from kg.endpoint import state

    served = any_client.application.extensions["kg"]
    guard = _RecordingGuard()
    monkeypatch.setattr(served, "guard", guard)
    seen = []
    parse = state.check_query_syntax

    def checked(text, base_iri=None):
        seen.append(guard.armed)
        return parse(text, base_iri)

    def queried(*args, **kwargs):
        raise AssertionError("the served store got a text no query was found in")

    monkeypatch.setattr(state, "check_query_syntax", checked)
    if kind.startswith("no form"):
        monkeypatch.setattr(served, "store", type("NoStore", (), {"query": queried})())
        page = kind.endswith("page")
        r = any_client.get("/sparql", query_string={"query": "PREFIX : <http://e/>\nSELEKT *"},
                           headers={"Accept": "text/html" if page else "application/json"})
        assert r.status_code == 400, r.data
        if not page:
            assert r.json["line"] == 2 and r.json["column"] == 1, r.json
    elif kind == "precondition":
        r = any_client.post("/sparql", data="ASK {}", headers={"If-Match": '"x"'},
                            content_type="application/sparql-query")
        assert r.status_code == 412, r.data
    else:
        r = any_client.get("/sparql?" + PLUS_QUERIES[1])
        assert r.status_code == 400 and b"%2B" in r.data, r.data
    assert seen and all(seen) and not guard.armed


def test_a_plus_hint_never_runs_what_a_query_may_not(make_app):
    """The query a '+' hint parses (the one the client meant: its '+' as plus signs) gets
    the checks any query gets first: a SERVICE in it is never fetched (the engine fetches
    what it parses), and no hint is given."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        from kg.endpoint import responses

        state = make_app({}).extensions["kg"]
        service = quote(f"<http://127.0.0.1:{server.server_address[1]}/sparql>")
        environ = {"REQUEST_METHOD": "GET", "QUERY_STRING":
                   f"query=ASK%0A%7BSERVICE%0A{service}%0A%7B%7D%0AFILTER(1+1)%7D"}
        assert responses._plus_as_space(state, environ, None, "http://x/sparql") is None
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert hits == []


def test_a_plus_for_a_space_gets_no_such_word(any_client):
    """``+`` for the spaces (form encoding, as curl's ``--data-urlencode`` and HTML forms
    send them) is answered, and a query malformed otherwise is not told about its ``+``."""
    r = any_client.get("/sparql?query=ASK+%7B+FILTER(1+%3D+1)+%7D")
    assert r.status_code == 200 and b"true" in r.data
    r = any_client.get("/sparql?query=SELECT+*+WHERE+%7B+?s+?p+%7D")
    assert r.status_code == 400 and b"'+'" not in r.data


@pytest.mark.parametrize("raw", [b"ASK { FILTER(\"\xff\") }", b"ASK { FILTER(\"a\x00b\") }"])
def test_invalid_utf8_and_nul_are_400(any_client, raw):
    r = any_client.post("/sparql", data=raw, content_type="application/sparql-query")
    assert r.status_code == 400
    encoded = "".join(f"%{b:02X}" for b in raw)
    r = any_client.get("/sparql?query=" + encoded)
    assert r.status_code == 400


def test_two_queries_in_one_request_is_400(any_client):
    r = any_client.get("/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D")
    assert r.status_code == 400


def test_other_methods_are_405_and_unknown_paths_404(client):
    r = client.put("/sparql", data="ASK {}")
    assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD, POST, QUERY, OPTIONS"
    assert r.get_data(as_text=True) == ("405 Method Not Allowed: /sparql does not answer PUT; "
                                        "it answers GET, HEAD, POST, QUERY, OPTIONS\n")
    r = client.delete("/sparql")
    assert r.status_code == 405
    r = client.post("/place/phnom-penh", headers={"Accept": "application/json"})
    assert r.status_code == 405 and r.json["message"].startswith(
        "405 Method Not Allowed: /place/phnom-penh does not answer POST; it answers GET")
    r = client.get("/nothing-here")
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("path", ["/sparql", "/", "/place/phnom-penh", "/nothing/here",
                                  "/store", "/reconcile", "/sparql?update=CLEAR%20ALL"])
@pytest.mark.parametrize("method", ["FOO", "PROPFIND", "MKCOL", "LINK"])
def test_a_method_the_server_does_not_recognise_is_501_on_every_path(client, path, method):
    """RFC 9110 (9.1, 15.6.2): a method the server does not recognise is a 501, whatever the
    path, with no ``Allow`` (no resource takes it); one it knows but the path does not take
    is a 405 with ``Allow`` (15.5.6). ``FOO /sparql`` was a 405 listing /sparql's methods,
    ``FOO /nothing/here`` a 404."""
    r = client.open(path, method=method, headers={"Accept": "application/json"})
    assert r.status == "501 Not Implemented" and "Allow" not in r.headers, r.data
    assert r.json["message"].startswith(
        f"501 Not Implemented: this server does not implement {method} on any resource; it "
        "answers GET, HEAD, POST, QUERY and OPTIONS"), r.json
    for known in ("PUT", "DELETE", "PATCH", "TRACE"):
        r = client.open("/sparql", method=known)
        assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD, POST, QUERY, OPTIONS"


@pytest.mark.parametrize("path", ["/no-such", "/nothing-here"])
def test_a_one_segment_path_takes_what_the_pages_route_takes(client, path):
    """``/no-such`` is the IRI ``BASE + "no-such"`` to the pages' route, which takes ``GET``:
    ``OPTIONS`` lists those methods in ``Allow`` and offers them to a preflight (it had no
    ``Allow`` and offered ``GET, POST, OPTIONS``), and a ``POST`` is a 405 saying so, as for
    ``/place/nowhere`` (RFC 9110, 15.5.6; it was a 404), while a ``GET`` stays a 404."""
    r = client.options(path, headers={"Origin": "https://example.org",
                                      "Access-Control-Request-Method": "POST"})
    assert r.status_code == 204 and r.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert r.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    for method in ("POST", "PUT", "DELETE"):
        r = client.open(path, method=method)
        assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD, OPTIONS", method
        assert r.get_data(as_text=True) == (f"405 Method Not Allowed: {path} does not answer "
                                            f"{method}; it answers GET, HEAD, OPTIONS\n")
    assert client.get(path).status_code == 404
    assert client.post("/place/nowhere").headers["Allow"] == "GET, HEAD, OPTIONS"
    assert client.get("/static/no-such.css").status_code == 404  # GET is taken, the file missing
    assert client.post("/reconcile/no-such").status_code == 404  # the service's own JSON 404


#: A path for each route's rule: its variables given a value the tiny dataset has.
_SAMPLE = {"<path:filename>": "ui.js", "<path:name>": "yasgui.min.js", "<name>": "kg.nq",
           "<kind>": "place", "<path:rest>": "tay-ninh"}
_SAMPLE_BY_RULE = {"/shapes/<name>": "/shapes/EventShape", "/reconcile/<path:rest>":
                   "/reconcile/nope"}


def _sample_paths(app) -> list[str]:
    paths = {"/no-such", "/reconcile/", "/validate/", "/timeline/", "/place/nowhere"}
    for rule in app.url_map.iter_rules():
        path = _SAMPLE_BY_RULE.get(rule.rule, rule.rule)
        for variable, value in _SAMPLE.items():
            path = path.replace(variable, value)
        paths.add(path)
    return sorted(paths)


def test_every_routes_allow_and_preflight_agree(app):
    """On every route, ``OPTIONS`` offers a preflight (``Access-Control-Allow-Methods``)
    exactly the methods its ``Allow`` lists, in one order, and those are the methods the path
    answers: each method it lists is answered (not 405; a 308 to the path without its slash
    is), each it does not list is a 405 with the same ``Allow``. ``/reconcile`` listed HEAD in
    ``Allow`` and not in the preflight; ``/reconcile/preview`` listed ``POST`` (its 405);
    ``/reconcile/`` offered POST to a preflight and not in ``Allow`` (its 308)."""
    client = app.test_client()
    order = ("GET", "HEAD", "POST", "QUERY", "PUT", "DELETE", "PATCH", "OPTIONS")
    for path in _sample_paths(app):
        r = client.options(path, headers={"Origin": "https://example.org",
                                          "Access-Control-Request-Method": "GET"})
        assert r.status_code == 204, path
        allow = r.headers["Allow"].split(", ")
        assert r.headers["Access-Control-Allow-Methods"] == r.headers["Allow"], path
        assert allow == sorted(allow, key=order.index) and allow[-1] == "OPTIONS", path
        for method in order[:-1]:
            answer = client.open(path, method=method)
            if method in allow:
                assert answer.status_code != 405, (path, method)
            else:
                assert answer.status_code == 405, (path, method, answer.status_code)
                assert answer.headers["Allow"] == r.headers["Allow"], (path, method)


def test_options_asterisk_is_about_the_server(client):
    """``OPTIONS *`` (RFC 9110, 9.3.7) applies to the server, not a resource, and no browser
    sends it as a preflight: the methods some route answers, and no CORS headers (it had no
    ``Allow``, and a made-up ``Access-Control-Allow-Methods``)."""
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder(method="OPTIONS").get_environ()
    environ["PATH_INFO"] = environ["REQUEST_URI"] = environ["RAW_URI"] = "*"
    r = client.open(environ)
    assert r.status_code == 204 and r.data == b""
    assert r.headers["Allow"] == "GET, HEAD, POST, QUERY, OPTIONS"
    assert not [h for h in r.headers.keys() if h.startswith("Access-Control-")]


def test_body_over_the_limit_is_413(make_app):
    client = make_app(max_body_bytes=100).test_client()
    r = client.post("/sparql", data="ASK {} #" + "x" * 200,
                    content_type="application/sparql-query")
    assert r.status_code == 413
    assert b"max_body_bytes" in r.data
    r = client.post("/sparql", data={"query": "ASK {} #" + "x" * 200})
    assert r.status_code == 413


def test_deep_nesting_is_400_before_the_parser_sees_it(any_client):
    deep = "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"
    r = any_client.post("/sparql", data=deep, content_type="application/sparql-query")
    assert r.status_code == 400
    assert b"max_query_depth" in r.data


def test_query_that_overran_is_503(make_app):
    client = make_app(query_timeout=0.0).test_client()
    r = client.get("/sparql", query_string={"query": COUNT_ALL})
    assert r.status_code == 503
    assert b"query_timeout" in r.data
    assert "Retry-After" not in r.headers
    r = client.get("/sparql", query_string={"query": COUNT_ALL},
                   headers={"Accept": "application/json"})
    assert r.status_code == 503 and r.mimetype == "application/json"
    assert r.json["status"] == 503 and "query_timeout" in r.json["message"]


@pytest.mark.parametrize("accept, path, mimetype", [
    (None, "/sparql", "text/plain"),
    ("application/sparql-results+json", "/sparql", "application/json"),
    ("application/json", "/sparql", "application/json"),
    ("text/csv", "/sparql", "text/plain"),
    (None, "/reconcile", "application/json"),
])
def test_the_watchdogs_503_is_negotiated_and_invites_no_retry(accept, path, mimetype):
    """What ``kg serve``'s watchdog writes on the socket when a query passes the time limit: a
    400's negotiation, and no ``Retry-After`` (the same query would overrun again and end
    another worker)."""
    from kg.endpoint.watchdog import timeout_response

    raw = timeout_response(1, accept, path)
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0] == "HTTP/1.1 503 Service Unavailable"
    headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:])}
    assert "retry-after" not in headers
    assert headers["content-type"].split(";")[0] == mimetype
    assert int(headers["content-length"]) == len(body)
    assert headers["access-control-allow-origin"] == "*" and headers["connection"] == "close"
    if mimetype == "application/json":
        doc = json.loads(body)
        assert doc["status"] == 503 and "time limit of 1 s" in doc["message"]
        assert not doc["message"].endswith("\n")
    else:
        assert b"time limit of 1 s" in body


# -- the result-size limit ----------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_results_over_the_limit_are_cut_and_say_so(make_app, fmt):
    client = make_app(max_results=3).test_client()
    r = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }", "format": fmt})
    assert r.status_code == 200
    assert r.headers[TRUNCATED_HEADER] == "3"
    assert "/limits" in r.headers["Link"]
    if fmt == "json":
        doc = json.loads(r.data)
        assert len(doc["results"]["bindings"]) == 3
        assert doc["head"]["link"] == ["http://localhost/limits#max-results"]
    elif fmt == "xml":
        rows = list(ox.parse_query_results(r.data, format=ox.QueryResultsFormat.XML))
        assert len(rows) == 3 and b'<link href="http://localhost/limits#max-results"/>' in r.data
    else:
        assert len(r.data.decode().strip().splitlines()) == 4


def test_results_at_the_limit_are_not_marked(make_app):
    client = make_app(max_results=23).test_client()
    r = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"})
    assert TRUNCATED_HEADER not in r.headers
    assert "link" not in json.loads(r.data)["head"]


def test_construct_over_the_limit_is_cut(make_app):
    client = make_app(max_results=5).test_client()
    r = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }",
                                            "format": "nt"})
    assert r.headers[TRUNCATED_HEADER] == "5"
    assert len(r.data.decode().strip().splitlines()) == 5


def test_limits_page_explains(client):
    r = client.get("/limits")
    assert r.status_code == 200 and b"max_results" in r.data and TRUNCATED_HEADER.encode() in r.data


def test_limits_page_states_every_limit_the_openapi_document_does(client):
    """The README has /limits and /openapi.json's x-kg-limits state the limits in force; the
    page left out the uploads', validation's and reconciliation's."""
    page = client.get("/limits").get_data(as_text=True)
    limits = client.get("/openapi.json").get_json()["info"]["x-kg-limits"]
    for name, value in limits.items():
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        assert re.search(rf"^{name} +{re.escape(shown)}\b", page, re.M), name


# -- no outbound network ------------------------------------------------------------------

@pytest.fixture
def canary():
    """An HTTP server on 127.0.0.1 that records every request it gets: it must get none."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.end_headers()
            self.wfile.write(b"<http://canary/s> <http://canary/p> <http://canary/o> .\n")

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/data.ttl", hits
    server.shutdown()
    server.server_close()
    thread.join()


def test_nothing_is_ever_fetched(client, canary):
    url, hits = canary
    r = client.get("/sparql", query_string={"query": f"SELECT * FROM <{url}> {{ ?s ?p ?o }}"})
    assert r.status_code == 200 and json.loads(r.data)["results"]["bindings"] == []
    r = client.get("/sparql", query_string={
        "query": f"SELECT * FROM NAMED <{url}> {{ GRAPH ?g {{ ?s ?p ?o }} }}"})
    assert r.status_code == 200 and json.loads(r.data)["results"]["bindings"] == []
    r = client.get("/sparql", query_string={"query": COUNT_ALL, "default-graph-uri": url})
    assert _count(r) == 0
    for service in (f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
                    f"SELECT * {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
                    f"SELECT * {{ ?x ?y ?z .SERVICE <{url}> {{ ?s ?p ?o }} }}"):
        r = client.get("/sparql", query_string={"query": service})
        assert r.status_code == 400 and b"SERVICE" in r.data
    r = client.post("/sparql", data=f"LOAD <{url}>", content_type="application/sparql-update")
    assert r.status_code == 403
    r = client.get("/sparql", query_string={"query": f"DESCRIBE <{url}>"})
    assert r.status_code == 200
    assert hits == []


# -- CORS -----------------------------------------------------------------------------------

def test_cors_for_any_origin_without_credentials(any_client):
    r = any_client.get("/sparql", query_string={"query": "ASK {}"},
                       headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in r.headers
    assert TRUNCATED_HEADER in r.headers["Access-Control-Expose-Headers"]
    r = any_client.get("/sparql", query_string={"query": "SELECT"},
                       headers={"Origin": "https://example.org"})
    assert r.status_code == 400 and r.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight(client):
    r = client.options("/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert r.headers["Access-Control-Allow-Headers"] == "content-type, accept"
    assert "Access-Control-Allow-Credentials" not in r.headers


@pytest.mark.parametrize("path", ["/sparql", "/store", "/reconcile", "/validate",
                                  "/place/x", "/", "/void"])
def test_an_options_answer_has_no_content_and_no_content_type(client, path):
    """Every route's OPTIONS answer is a 204 with no body (RFC 9110, 15.3.5), Flask's own (an
    empty 200) made one too, and says no Content-Type (Flask gave every one text/html)."""
    for headers in ({}, {"Origin": "https://example.org",
                         "Access-Control-Request-Method": "POST"}):
        r = client.options(path, headers=headers)
        assert r.status_code == 204 and r.data == b"", (path, r.status_code)
        assert "Content-Type" not in r.headers, (path, r.headers)
        assert "OPTIONS" in r.headers["Allow"]


# -- service description and VoID --------------------------------------------------------

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")


def test_service_description(client):
    r = client.get("/sparql")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.data, format="turtle")
    service = rdflib.URIRef("http://localhost/sparql")
    assert (service, SD.endpoint, service) in g
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    formats = set(g.objects(service, SD.resultFormat))
    assert rdflib.URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV") in formats
    assert len(formats) == 10  # TriG and N-Quads for a graph too
    names = {str(n) for n in g.objects(None, SD.name)}
    assert names == {ENTITIES, INFERRED, "https://w3id.org/kg1978/graph/ontology"}
    inferred = next(g.subjects(SD.name, rdflib.URIRef(INFERRED)))
    # matched as stored: the regime is simple entailment, the comment says what it holds
    assert list(g.objects(inferred, SD.entailmentRegime)) == [
        rdflib.URIRef("http://www.w3.org/ns/entailment/Simple")]
    assert not list(g.objects(inferred, SD.supportedEntailmentProfile))
    comment = str(g.value(g.value(inferred, SD.graph), rdflib.RDFS.comment))
    assert "OWL 2 RL" in comment and "simple entailment" in comment
    dataset = next(g.objects(service, SD.defaultDataset))
    assert (dataset, rdflib.RDFS.seeAlso, rdflib.URIRef("http://localhost/void")) in g


def test_the_geosparql_functions_declared_are_those_the_endpoint_evaluates(client):
    """sd:extensionFunction names each geof: function a query may call; one the engine does
    not evaluate (pyoxigraph 0.5 has no geof:buffer) is a 400 and is not declared."""
    g = rdflib.Graph().parse(data=client.get("/sparql").data, format="turtle")
    declared = {str(f) for f in g.objects(rdflib.URIRef("http://localhost/sparql"),
                                          SD.extensionFunction)}
    geof = "http://www.opengis.net/def/function/geosparql/"
    assert {geof + "distance", geof + "sfWithin", geof + "sfIntersects"} <= declared
    query = ("PREFIX geo: <http://www.opengis.net/ont/geosparql#> "
             f"PREFIX geof: <{geof}> SELECT ?km WHERE {{ "
             'BIND(geof:distance("POINT(104.92 11.56)"^^geo:wktLiteral, '
             '"POINT(106.63 10.82)"^^geo:wktLiteral, '
             "<http://www.opengis.net/def/uom/OGC/1.0/metre>) / 1000 AS ?km) }")
    r = client.get("/sparql", query_string={"query": query},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    km = float(r.get_json()["results"]["bindings"][0]["km"]["value"])
    assert 200 < km < 210  # Phnom Penh to Ho Chi Minh City
    buffer = client.get("/sparql", query_string={"query": (
        f"PREFIX geof: <{geof}> SELECT ?b WHERE {{ BIND(geof:buffer(\"POINT(1 2)\"^^"
        "<http://www.opengis.net/ont/geosparql#wktLiteral>, 1, "
        "<http://www.opengis.net/def/uom/OGC/1.0/metre>) AS ?b) }")})
    assert (buffer.status_code == 400) == (geof + "buffer" not in declared)


def test_service_description_in_other_formats(client):
    r = client.get("/sparql", headers={"Accept": "application/rdf+xml"})
    assert r.headers["Content-Type"] == "application/rdf+xml"
    assert len(rdflib.Graph().parse(data=r.data, format="xml")) > 10
    r = client.get("/sparql?format=nt")
    assert r.headers["Content-Type"] == "application/n-triples"
    # N-Triples' media type of old, as rdflib's Graph.parse(url, format="nt") asks
    r = client.get("/sparql", headers={"Accept": "text/plain, */*;q=0.1"})
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert len(rdflib.Graph().parse(data=r.data, format="nt")) > 10


def test_void_counts(client):
    r = client.get("/void")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.data, format="turtle")
    ds = rdflib.URIRef("https://w3id.org/kg1978/")
    assert int(g.value(ds, VOID.triples)) == 23
    assert (ds, VOID.sparqlEndpoint, rdflib.URIRef("http://localhost/sparql")) in g
    per_class = {str(g.value(p, VOID["class"])): int(g.value(p, VOID.entities))
                 for p in g.objects(ds, VOID.classPartition)}
    assert per_class["https://w3id.org/kg1978/ontology/Attack"] == 2
    assert per_class["https://w3id.org/kg1978/ontology/Event"] == 2
    linksets = list(g.subjects(rdflib.RDF.type, VOID.Linkset))
    assert len(linksets) == 1
    assert int(g.value(linksets[0], VOID.triples)) == 1
    assert str(linksets[0]) == "https://w3id.org/kg1978/void#links-wikidata-exactMatch"
    assert int(g.value(linksets[0], VOID.distinctSubjects)) == 1
    assert int(g.value(linksets[0], VOID.distinctObjects)) == 1
    assert str(g.value(linksets[0], rdflib.namespace.DCTERMS.title)) == \
        "Links to Wikidata by skos:exactMatch"
    target = g.value(linksets[0], VOID.objectsTarget)
    assert str(target) == "https://w3id.org/kg1978/void#target-wikidata"
    assert str(g.value(target, VOID.uriSpace)) == "http://www.wikidata.org/entity/"
    assert g.value(target, rdflib.namespace.DCTERMS.title) == rdflib.Literal("Wikidata", lang="en")
    # the data uses the ontology's terms
    assert (ds, VOID.vocabulary, rdflib.URIRef("https://w3id.org/kg1978/ontology/")) in g


_GRAPHS_AND_SIZES = """
PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
PREFIX void: <http://rdfs.org/ns/void#>
SELECT ?name ?triples WHERE {
  ?dataset sd:namedGraph ?named . ?named sd:name ?name ; sd:graph ?graph .
  ?graph a sd:Graph ; void:triples ?triples }"""
_SUBSETS_BY_NAME = """
PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
PREFIX void: <http://rdfs.org/ns/void#>
SELECT ?name ?triples WHERE {
  <https://w3id.org/kg1978/> void:subset ?graph . ?graph a void:Dataset ; void:triples ?triples .
  ?named a sd:NamedGraph ; sd:graph ?graph ; sd:name ?name }"""


def test_service_description_and_void_describe_each_named_graph_alike(client):
    """A named graph is an sd:NamedGraph pairing its name (sd:name) with a graph (sd:graph),
    an sd:Graph, which the VoID counts as a subset (void:Dataset): in the Service
    Description's own example, the sd:Graph has the void:triples. One query finds the graphs
    and their sizes over the service description, over the VoID and over the two merged,
    the same rows each time (one node per graph in both), the sizes the store's."""
    def rows(graph, query):
        return sorted((str(r.name), int(r.triples)) for r in graph.query(query))

    sd = rdflib.Graph().parse(data=client.get("/sparql").data, format="turtle")
    void = rdflib.Graph().parse(data=client.get("/void").data, format="turtle")
    stored = json.loads(client.get("/sparql", query_string={
        "query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"}).data)
    expected = sorted((b["g"]["value"], int(b["n"]["value"]))
                      for b in stored["results"]["bindings"])
    assert len(expected) >= 2
    assert rows(sd, _GRAPHS_AND_SIZES) == rows(void, _GRAPHS_AND_SIZES) == expected
    assert rows(void, _SUBSETS_BY_NAME) == expected
    assert rows(sd + void, _GRAPHS_AND_SIZES) == rows(sd + void, _SUBSETS_BY_NAME) == expected
    # the pairing of a name and a graph is no dataset of triples
    SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    for g in (sd, void):
        assert not set(g.subjects(rdflib.RDF.type, SD.NamedGraph)) & set(
            g.subjects(rdflib.RDF.type, VOID.Dataset))


def test_void_linkset_names_for_any_predicate(tmp_path):
    """A link predicate of a "/" vocabulary (schema:sameAs) gives a plain fragment, and two
    predicates with one local name (owl:sameAs, schema:sameAs) two linksets."""
    from kg.endpoint import create_app

    path = tmp_path / "links.trig"
    path.write_text("""<https://w3id.org/kg1978/graph/links> {
  <https://w3id.org/kg1978/place/a> <http://schema.org/sameAs> <http://www.wikidata.org/entity/Q1> .
  <https://w3id.org/kg1978/place/b> <http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q2> .
  <https://w3id.org/kg1978/place/b> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <https://example.org/b> .
}""", encoding="utf-8")
    client = create_app({"root": tmp_path}, dataset=path).test_client()
    g = rdflib.Graph().parse(data=client.get("/void").data, format="turtle")
    names = sorted(str(x).rpartition("#")[2] for x in g.subjects(rdflib.RDF.type, VOID.Linkset))
    assert names == ["links-example.org-seeAlso", "links-wikidata-owl-sameAs",
                     "links-wikidata-sameAs"]
    titles = sorted(map(str, g.objects(None, rdflib.namespace.DCTERMS.title)))
    assert "Links to Wikidata by owl:sameAs" in titles
    # every title in English, the linksets' and their targets' (an authority's name, a host)
    assert {t.language for t in g.objects(None, rdflib.namespace.DCTERMS.title)} == {"en"}
    # the vocabularies of its predicates, and no term of the ontology
    assert {str(v) for v in g.objects(None, VOID.vocabulary)} == {
        "http://schema.org/", "http://www.w3.org/2002/07/owl#",
        "http://www.w3.org/2000/01/rdf-schema#"}


def test_void_entities_are_those_of_its_uri_space_and_vocabularies_those_used(tmp_path):
    """void:uriSpace prefixes every entity IRI (VoID §4.6): a bridge axiom about another
    vocabulary's term is no entity. void:vocabulary names every vocabulary the data's
    classes and properties come from, not only the ontology. The licence is dcterms:license
    (a resource), with no literal dcterms:rights beside it."""
    from kg.endpoint import create_app

    path = tmp_path / "data.trig"
    path.write_text("""<https://w3id.org/kg1978/graph/entities> {
  <https://w3id.org/kg1978/place/a> a <http://schema.org/City> ;
      <http://www.w3.org/2000/01/rdf-schema#label> "A" ;
      <http://www.opengis.net/ont/geosparql#hasGeometry> <https://w3id.org/kg1978/place/a-geometry> .
  <https://w3id.org/kg1978/place/a-geometry> <http://www.opengis.net/ont/geosparql#asWKT> "POINT(1 2)" .
  <https://w3id.org/kg1978/event/e> a <https://w3id.org/kg1978/ontology/Event> ;
      <http://semanticweb.cs.vu.nl/2009/11/sem/hasPlace> <https://w3id.org/kg1978/place/a> .
}
<https://w3id.org/kg1978/graph/ontology> {
  <http://www.w3.org/2000/01/rdf-schema#label> <http://www.w3.org/2000/01/rdf-schema#subPropertyOf> <http://www.w3.org/2000/01/rdf-schema#label> .
}""", encoding="utf-8")
    client = create_app({"root": tmp_path}, dataset=path).test_client()
    g = rdflib.Graph().parse(data=client.get("/void").data, format="turtle")
    ds = rdflib.URIRef("https://w3id.org/kg1978/")
    assert str(g.value(ds, VOID.uriSpace)) == "https://w3id.org/kg1978/"
    assert int(g.value(ds, VOID.entities)) == 3  # not rdfs:label, a subject too
    assert int(g.value(ds, VOID.distinctSubjects)) == 4
    assert {str(v) for v in g.objects(ds, VOID.vocabulary)} == {
        "http://schema.org/", "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://www.w3.org/2000/01/rdf-schema#", "http://www.opengis.net/ont/geosparql#",
        "http://semanticweb.cs.vu.nl/2009/11/sem/", "https://w3id.org/kg1978/ontology/"}
    described = rdflib.Graph().parse(data=client.get("/dataset?format=ttl").data,
                                     format="turtle")
    DCT = rdflib.namespace.DCTERMS
    assert not list(described.objects(ds, DCT.rights))
    assert str(described.value(ds, DCT.license)) == \
        "https://creativecommons.org/licenses/by/4.0/"


def test_void_linksets_share_one_target_per_authority(built_app):
    """The built graph links to Wikidata by exactMatch and by closeMatch: two linksets, one
    target dataset whose URI space is where Wikidata's entities live."""
    g = rdflib.Graph().parse(data=built_app.test_client().get("/void").data, format="turtle")
    linksets = {str(x): x for x in g.subjects(rdflib.RDF.type, VOID.Linkset)}
    exact = linksets["https://w3id.org/kg1978/void#links-wikidata-exactMatch"]
    close = linksets["https://w3id.org/kg1978/void#links-wikidata-closeMatch"]
    target = g.value(exact, VOID.objectsTarget)
    assert g.value(close, VOID.objectsTarget) == target
    assert str(g.value(target, VOID.uriSpace)) == "http://www.wikidata.org/entity/"
    geonames = g.value(linksets["https://w3id.org/kg1978/void#links-geonames-exactMatch"],
                       VOID.objectsTarget)
    assert str(g.value(geonames, VOID.uriSpace)) == "https://sws.geonames.org/"
    assert len(set(g.objects(None, VOID.objectsTarget))) == 2



@pytest.mark.parametrize("path", ["/sparql", "/void"])
@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml"])
def test_descriptions_declare_only_the_prefixes_they_use(built_app, path, accept):
    """The service description and the VoID declare the prefixes they write, not every prefix
    the project knows (they declared 29, using 5 and 14)."""
    from kgtest import unused_prefixes

    r = built_app.test_client().get(path, headers={"Accept": accept})
    assert r.status_code == 200 and r.mimetype == accept
    text = r.get_data(as_text=True)
    graph = rdflib.Graph().parse(data=text, format="turtle" if "turtle" in accept else "xml")
    assert len(graph) > 10
    if "turtle" in accept:
        assert "@prefix" in text and not unused_prefixes(text)
        return
    declared = dict(re.findall(r'xmlns:(\w+)="([^"]*)"', text))
    # in RDF/XML a namespace serves element names: predicates, and types
    names = {str(p) for p in graph.predicates()} | {str(o) for o in graph.objects(
        None, rdflib.RDF.type)}
    unused = [p for p, ns in declared.items()
              if p != "rdf" and not any(n.startswith(ns) for n in names)]
    assert not unused, unused


@pytest.mark.parametrize("path", ["/dataset", "/store?default", "/place/phnom-penh"])
def test_rdf_xml_declares_no_unused_its_namespace(built_app, path):
    """pyoxigraph's RDF/XML writer declares ITS's namespace (RDF 1.2's its:dir) in every
    document; the pages, the graphs and the descriptions drop it where unused."""
    r = built_app.test_client().get(path, headers={"Accept": "application/rdf+xml"})
    assert r.status_code == 200 and r.mimetype == "application/rdf+xml", r.status_code
    assert b"<rdf:RDF" in r.data and b"xmlns:its" not in r.data


def test_rdf_xml_keeps_its_namespace_where_a_directional_literal_uses_it():
    from kg.endpoint.results import without_unused_its

    literal = ox.Literal("x", language="ar", direction=ox.BaseDirection.RTL)
    body = ox.serialize([ox.Triple(ox.NamedNode("http://a/s"), ox.NamedNode("http://a/p"),
                                   literal)], format=ox.RdfFormat.RDF_XML)
    assert without_unused_its(body) == body
    assert list(ox.parse(without_unused_its(body), format=ox.RdfFormat.RDF_XML))[0].object \
        == literal


# -- the plain form (no YASGUI installed under this root) ----------------------------------

def test_plain_form_without_assets(client):
    r = client.get("/")
    assert r.status_code == 200 and b"<form" in r.data and b"yasgui" not in r.data.lower()
    assert b"Named graphs and their sizes" in r.data  # built-in examples
    r = client.get("/", query_string={"query": "SELECT ?s ?label { ?s <http://www.w3.org/2000/01/"
                                               "rdf-schema#label> ?label }"})
    assert r.status_code == 200 and r.data.count(b"<tr>") == 8
    r = client.get("/form", query_string={"query": "SELECT"})
    assert r.status_code == 400 and b'class="error"' in r.data
    assert client.get("/assets/yasgui/yasgui.min.js").status_code == 404


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
LABELS = "SELECT ?s ?label { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"


def test_a_browser_following_a_query_link_gets_the_result_as_a_page(any_client):
    """A shared ``/sparql?query=…`` link opened in a browser: the form's page with the result
    in a table (same rows as the protocol's answer), on both lanes; clients that name their
    types, ``*/*``, a ``format`` parameter and updates keep the protocol."""
    protocol = any_client.get("/sparql", query_string={"query": LABELS},
                              headers={"Accept": "application/sparql-results+json"})
    rows = len(json.loads(protocol.data)["results"]["bindings"])
    page = any_client.get("/sparql", query_string={"query": LABELS}, headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["Vary"] == "Accept, Accept-Encoding"
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.data.count(b"<tr>") == rows + 1 and b"<form" in page.data
    narrowed = any_client.get("/sparql", headers={"Accept": BROWSER}, query_string={
        "query": "SELECT * { GRAPH ?g { ?s ?p ?o } }", "default-graph-uri": ENTITIES})
    assert narrowed.data.count(b"<tr>") == 1, "named graphs: none given, so none"
    bad = any_client.get("/sparql", query_string={"query": "SELEC ?s"},
                         headers={"Accept": BROWSER})
    assert bad.status_code == 400 and b'class="error"' in bad.data
    for accept in ("*/*", "application/sparql-results+json,*/*;q=0.9",
                   "text/html, application/sparql-results+json", None):
        r = any_client.get("/sparql", query_string={"query": LABELS},
                           headers={"Accept": accept} if accept else {})
        assert r.headers["Content-Type"] != "text/html; charset=utf-8", accept
    r = any_client.get("/sparql", query_string={"query": LABELS, "format": "csv"},
                       headers={"Accept": BROWSER})
    assert r.headers["Content-Type"].startswith("text/csv")
    r = any_client.get("/sparql", query_string={"update": "DROP ALL"}, headers={"Accept": BROWSER})
    assert r.status_code == 403
    r = any_client.get("/sparql", query_string={"query": "DROP ALL"}, headers={"Accept": BROWSER})
    assert r.status_code == 403 and b'class="error"' in r.data
    # no query, a browser: the query UI (see test_a_browser_asking_a_description_gets_a_page)
    assert any_client.get("/sparql", headers={"Accept": BROWSER}).headers[
        "Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("accept", [BROWSER, "text/html"])
def test_a_browser_asking_a_description_gets_a_page(any_client, accept):
    """``/`` and ``/dataset`` link to ``/sparql`` and ``/void``: a browser following them got
    Turtle to save (its ``*/*``) or, asking ``text/html`` alone, a 406. ``/sparql`` without a
    query is the query UI, as ``/`` is, ``/void`` the dataset's page, as ``/dataset`` is."""
    ui = any_client.get("/sparql", headers={"Accept": accept})
    assert ui.status_code == 200 and ui.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Accept" in ui.headers["Vary"]
    assert ui.data == any_client.get("/", headers={"Accept": accept}).data
    page = any_client.get("/void", headers={"Accept": accept})
    assert page.status_code == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Accept" in page.headers["Vary"]
    assert page.data == any_client.get("/dataset", headers={"Accept": accept}).data
    # a format named is the description in it, whatever the browser accepts
    for path in ("/sparql", "/void"):
        r = any_client.get(path, query_string={"format": "ttl"}, headers={"Accept": accept})
        assert r.headers["Content-Type"] == "text/turtle; charset=utf-8", path


@pytest.mark.parametrize("fmt", ["html", "text/html", "HTML"])
@pytest.mark.parametrize("accept", [None, "*/*", "text/turtle"])
def test_a_description_asked_as_html_by_format_is_the_page(any_client, fmt, accept):
    """``?format=html`` on ``/sparql`` (no query) and ``/void`` names the page a browser gets
    there, as on entity pages, ``/store`` and a query's ``/sparql?query=…&format=html``: it
    was a 406 saying no RDF syntax is named html."""
    headers = {"Accept": accept} if accept else {}
    for path, same_as in (("/sparql", "/"), ("/void", "/dataset")):
        r = any_client.get(path, query_string={"format": fmt}, headers=headers)
        assert r.status_code == 200, (path, r.data[:200])
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        assert r.data == any_client.get(same_as, headers={"Accept": "text/html"}).data, path


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/n-triples",
                                    "application/rdf+xml", "text/plain", "*/*", None,
                                    "text/turtle,text/html;q=0.5"])
def test_an_rdf_client_asking_a_description_gets_it_unchanged(any_client, accept):
    """The pages for a browser leave every RDF client's answer as it was: the description,
    byte for byte what the same ``Accept`` gets as ``?format=`` of its syntax."""
    headers = {"Accept": accept} if accept else {}
    for path in ("/sparql", "/void"):
        r = any_client.get(path, headers=headers)
        assert r.status_code == 200 and not r.headers["Content-Type"].startswith("text/html")
        key = {"text/turtle": "ttl", "application/ld+json": "jsonld",
               "application/n-triples": "nt", "application/rdf+xml": "rdf",
               "text/plain": "nt"}.get(r.mimetype)
        assert key, r.mimetype
        same = any_client.get(path, query_string={"format": key}, headers=headers)
        assert same.data == r.data, (path, accept)


@pytest.mark.parametrize("fmt, accept", [
    ("html", None), ("text/html", "*/*"), ("HTML", "application/sparql-results+json"),
    ("html,json", None)])
def test_format_html_asks_for_the_result_as_a_page(any_client, fmt, accept):
    """``format=text/html`` (Virtuoso's links) or ``format=html`` (as on pages) is the form's
    page whatever the Accept, as a browser's Accept is; it was a 406."""
    rows = len(json.loads(any_client.get("/sparql", query_string={"query": LABELS}).data)[
        "results"]["bindings"])
    r = any_client.get("/sparql", query_string={"query": LABELS, "format": fmt},
                       headers={"Accept": accept} if accept else {})
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert r.data.count(b"<tr>") == rows + 1 and b"<form" in r.data


def test_a_blank_graph_field_names_no_graph(any_client):
    """Virtuoso's form sends ``default-graph-uri=`` when its graph field is left empty, and
    the links it makes carry it (``?default-graph-uri=&query=…&format=text%2Fhtml&timeout=0``):
    a blank graph parameter names no graph, on /sparql, its page and /form (they were 400:
    '' is not an absolute IRI, as Oxigraph answers); another graph with it is still read,
    and graphs named without a query are still a 400."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    union = _count(any_client.get("/sparql", query_string={"query": count}))
    link = (f"/sparql?default-graph-uri=&query={quote(count)}&should-sponge=&format=json"
            "&timeout=0&debug=on&run=+Run+Query+")
    assert _count(any_client.get(link)) == union
    assert _count(any_client.post("/sparql", data={"query": count, "default-graph-uri": "",
                                                   "named-graph-uri": ""})) == union
    only = _count(any_client.get("/sparql", query_string=[
        ("query", count), ("default-graph-uri", ""), ("default-graph-uri", ENTITIES)]))
    assert 0 < only < union
    for page in (link.replace("format=json", "format=text%2Fhtml"),
                 f"/form?default-graph-uri=&query={quote(count)}"):
        r = any_client.get(page)
        assert r.status_code == 200 and r.mimetype == "text/html", r.data
        assert f">{union}<".encode() in r.data
    r = any_client.get("/sparql?default-graph-uri=")
    assert r.status_code == 400 and b"for no query" in r.data


def test_a_format_naming_a_result_format_first_keeps_the_protocol(any_client):
    r = any_client.get("/sparql", query_string={"query": LABELS, "format": "json,html"},
                       headers={"Accept": BROWSER})
    assert r.headers["Content-Type"].startswith("application/sparql-results+json")
    r = any_client.get("/sparql", query_string={"query": "ASK { <urn:x:html> ?p ?o }"})
    assert r.headers["Content-Type"].startswith("application/sparql-results+json")


@pytest.mark.parametrize("target", [
    "format=ht%6Dl", "format=%68tml", "format=text%2Fht%6Dl", "output=%48TML",
    "f%6Frmat=html"])
def test_a_percent_encoded_html_format_is_the_page_in_both_lanes(any_client, target):
    """The fast path sent to the form a query string holding "html", as it is written: it
    answered ``format=ht%6Dl`` itself, 406, where Flask decodes it and gives the page."""
    r = any_client.get(f"/sparql?query={quote(LABELS)}&{target}")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"<form" in r.data


def test_xhtml_asked_for_is_the_page_and_xhtml_named_elsewhere_is_not(any_client):
    r = any_client.get("/sparql", query_string={"query": LABELS},
                       headers={"Accept": "application/xhtml+xml"})
    assert r.headers["Content-Type"] == "text/html; charset=utf-8" and b"<form" in r.data
    r = any_client.get("/sparql", query_string={"query": LABELS, "format": "xhtml"})
    assert r.status_code == 406
    r = any_client.get("/sparql", query_string={
        "query": 'ASK { ?s ?p "<html>" }', "format": "json"}, headers={"Accept": BROWSER})
    assert r.headers["Content-Type"].startswith("application/sparql-results+json")


def test_the_fast_path_answers_a_query_that_only_mentions_html(make_app):
    """Only a format naming HTML first, or a browser's Accept, leaves a query to Flask: one
    whose text holds "html" (an XHTML literal's datatype, a string) is the fast path's."""
    app = make_app({"KG_FAST_PATH": True})
    fast, to_flask = app.wsgi_app, []
    flask = fast.app
    fast.app = lambda environ, start: to_flask.append(environ["QUERY_STRING"]) or flask(
        environ, start)
    client = app.test_client()
    for query in ('ASK { ?s ?p "html" }',
                  "ASK { ?s ?p ?o FILTER (datatype(?o) = <http://www.w3.org/1999/02/"
                  "22-rdf-syntax-ns#HTML>) }",
                  "SELECT * { ?s ?p ?o } LIMIT 1"):
        r = client.get("/sparql", query_string={"query": query, "format": "json"})
        assert r.headers["Content-Type"].startswith("application/sparql-results+json")
        r = client.get("/sparql", query_string={"query": query},
                       headers={"Accept": "application/xhtml+xml;q=0.5, application/json"})
        assert r.status_code == 200 and not r.headers["Content-Type"].startswith("text/html")
    assert to_flask == []
    client.get("/sparql", query_string={"query": LABELS, "format": "text/html"})
    client.get("/sparql", query_string={"query": LABELS}, headers={"Accept": BROWSER})
    assert len(to_flask) == 2


def test_the_forms_table_links_iris(make_app):
    """Dataset IRIs link to their pages here, other web IRIs to themselves (nofollow), and an
    IRI of any other scheme (javascript:, urn:) is text only."""
    from kg.store import DatasetStore

    p = ox.NamedNode("http://example.org/p")
    store = DatasetStore.from_quads([
        ox.Quad(ox.NamedNode("https://w3id.org/kg1978/place/x"), p, ox.Literal("x")),
        ox.Quad(ox.NamedNode("http://www.wikidata.org/entity/Q1850"), p, ox.Literal("w")),
        ox.Quad(ox.NamedNode("javascript:alert(1)"), p, ox.Literal("j")),
        ox.Quad(ox.NamedNode("urn:x:1"), p, ox.Literal("u"))])
    page = make_app(dataset=store).test_client().get(
        "/form", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s"}).text
    assert '<a href="/place/x">https://w3id.org/kg1978/place/x</a>' in page
    assert ('<a href="http://www.wikidata.org/entity/Q1850" rel="nofollow noopener">'
            in page)
    assert 'href="javascript:' not in page and ">javascript:alert(1)</td>" in page
    assert ">urn:x:1</td>" in page


def test_the_forms_table_writes_literals_as_sparql_does(make_app):
    """The string "1979" and the integer 1979 do not look alike; a language tag and a
    datatype are shown, as SPARQL and Turtle write them (escaped in the page); a tagged
    literal's text is marked with its language (it was in the page's English), the tag not."""
    import pyoxigraph as ox

    from kg.store import DatasetStore

    xsd = "http://www.w3.org/2001/XMLSchema#"
    values = [ox.Literal("1979"), ox.Literal("1979", datatype=ox.NamedNode(xsd + "integer")),
              ox.Literal("INF", datatype=ox.NamedNode(xsd + "double")),
              ox.Literal("Tây Ninh", language="vi"),
              ox.Literal("1979-01-07", datatype=ox.NamedNode(xsd + "date")),
              ox.Literal("a \"b\"\nc", datatype=ox.NamedNode("urn:x:t")),
              ox.Literal("true", datatype=ox.NamedNode(xsd + "boolean"))]
    store = DatasetStore.from_quads([
        ox.Quad(ox.NamedNode(f"urn:x:{i}"), ox.NamedNode("http://example.org/p"), v)
        for i, v in enumerate(values)])
    page = make_app(dataset=store).test_client().get(
        "/form", query_string={"query": "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?s"}).text
    cells = re.findall(r'<td class="literal">(.*?)</td>', page)
    assert cells == ["&#34;1979&#34;", "1979", "&#34;INF&#34;^^xsd:double",
                     '<span lang="vi">&#34;Tây Ninh&#34;</span>@vi',
                     "&#34;1979-01-07&#34;^^xsd:date",
                     r"&#34;a \&#34;b\&#34;\nc&#34;^^&lt;urn:x:t&gt;", "true"]


def test_the_form_says_when_a_decomposed_string_may_be_why_nothing_matched(make_app):
    """A query pasted in NFD (accents as combining marks) matches none of the graph's NFC
    labels; the answer is SPARQL's, and the form, where nothing matched, says why it may be."""
    import unicodedata

    import pyoxigraph as ox

    from kg.store import DatasetStore

    label = ox.Literal(unicodedata.normalize("NFC", "Việt Nam"), language="vi")
    store = DatasetStore.from_quads([ox.Quad(ox.NamedNode("urn:x:vn"),
                                             ox.NamedNode("http://example.org/name"), label)])
    client = make_app(dataset=store).test_client()
    query = 'SELECT ?s WHERE {{ ?s ?p "{}"@vi }}'
    nfd = client.get("/form", query_string={
        "query": query.format(unicodedata.normalize("NFD", "Việt Nam"))}).text
    assert "0 rows" in nfd and 'class="hint"' in nfd and "Unicode NFD" in nfd
    nfc = client.get("/form", query_string={"query": query.format(label.value)}).text
    assert "1 row" in nfc and 'class="hint"' not in nfc
    # something matched: the literal is not why nothing did
    other = client.get("/form", query_string={"query": 'SELECT * WHERE { ?s ?p ?o '
                       f'FILTER(?o != "{unicodedata.normalize("NFD", "ệ")}") }}'}).text
    assert "1 row" in other and 'class="hint"' not in other
    ask = client.get("/form", query_string={"query": query.replace("SELECT ?s WHERE", "ASK")
                     .format(unicodedata.normalize("NFD", "Việt Nam"))}).text
    assert "no (false)" in ask and 'class="hint"' in ask


def test_examples_come_from_competency_queries(make_app, tmp_path):
    folder = tmp_path / "tests" / "competency"
    folder.mkdir(parents=True)
    (folder / "cq01.rq").write_text("# Which attacks are there?\nSELECT ?a { ?a a "
                                    "<https://w3id.org/kg1978/ontology/Attack> }\n")
    client = make_app().test_client()
    r = client.get("/")
    assert b"Which attacks are there?" in r.data and b"Named graphs and their sizes" not in r.data


def test_examples_follow_the_article_then_cross_it_then_check_the_graph(make_app, tmp_path):
    """The UI opens with the first example: a question on the article's first passages, not
    a check on the graph (the alphabetically first file was an ASK that no researcher asks).
    Questions on a few passages come in the order of their first passage (part 1's before
    another source's), then those across the article, then checks (``# Passages: none``)."""
    from kg.endpoint.ui import EXAMPLE_GROUPS, load_examples

    folder = tmp_path / "tests" / "competency"
    folder.mkdir(parents=True)
    for name, passages in {"a-check": "none (a check on the graph as a whole)",
                           "b-late": "13, 14", "c-across": "1, 5, 9, 13, 17",
                           "d-early": "2", "e-part2": "article-part2:1", "f-first": "1, 3"
                           }.items():
        (folder / f"{name}.rq").write_text(f"# Question {name}\n# Passages: {passages}\n"
                                           "ASK {}\n", encoding="utf-8")
    examples = load_examples(tmp_path)
    assert [e["source"] for e in examples] == [
        "f-first.rq", "d-early.rq", "b-late.rq", "e-part2.rq", "c-across.rq", "a-check.rq"]
    assert [e["group"] for e in examples] == [EXAMPLE_GROUPS[0]] * 4 + list(EXAMPLE_GROUPS[1:])
    page = make_app().test_client().get("/").text  # the plain form: one heading per group
    assert [page.index(f"<h3>{group}</h3>") for group in EXAMPLE_GROUPS] == sorted(
        page.index(f"<h3>{group}</h3>") for group in EXAMPLE_GROUPS)
    assert page.index("Question f-first") < page.index("Question a-check")
    assert page.count('<ul class="examples">') == 3 and page.count("</ul>") >= 3
    # the project's own: every group used, in order, a question first
    from kgtest import REPO

    groups = [EXAMPLE_GROUPS.index(e["group"]) for e in load_examples(REPO)]
    assert groups == sorted(groups) and set(groups) == {0, 1, 2}


def test_yasgui_page_and_assets(make_app, tmp_path):
    build = tmp_path / "node_modules" / "@zazuko" / "yasgui" / "build"
    build.mkdir(parents=True)
    (build / "yasgui.min.js").write_text("window.Yasgui = function () {};")
    (build / "yasgui.min.css").write_text("body {}")
    client = make_app().test_client()
    r = client.get("/")
    assert b"/assets/yasgui/yasgui.min.js" in r.data and b'id="kg-examples"' in r.data
    r = client.get("/assets/yasgui/yasgui.min.js")
    assert r.status_code == 200 and b"Yasgui" in r.data
    r.close()
    assert client.get("/assets/yasgui/../../../../etc/passwd").status_code == 404
    r = client.get("/static/ui.js")
    assert r.status_code == 200
    r.close()


# -- a triple held by two graphs is one triple of the union ------------------------------------

def test_a_triple_in_two_graphs_is_one_triple(make_app):
    """Through the protocol: answers, the service description, VoID and the dumps count the
    shared triple once, and no graph of the store's own making shows."""
    from kg.store import DatasetStore

    a, b = "https://w3id.org/kg1978/graph/a", "https://w3id.org/kg1978/graph/b"
    label = ('<https://w3id.org/kg1978/place/x> <http://www.w3.org/2000/01/rdf-schema#label> '
             '"X"@en')
    store = ox.Store()
    store.load(input=f"{label} <{a}> .\n{label} <{b}> .\n".encode(), format=ox.RdfFormat.N_QUADS)
    client = make_app(dataset=DatasetStore(store)).test_client()
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for params in ({"query": count}, {"query": count, "default-graph-uri": [a, b]}):
        r = client.get("/sparql", query_string=params)
        assert r.json["results"]["bindings"][0]["n"]["value"] == "1", params
    r = client.get("/sparql", query_string={
        "query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"})
    assert {b["g"]["value"]: b["n"]["value"] for b in r.json["results"]["bindings"]} == {
        a: "1", b: "1"}
    sd = rdflib.Graph().parse(data=client.get("/sparql").data, format="turtle")
    default = next(sd.objects(None, SD.defaultGraph))
    assert int(sd.value(default, VOID.triples)) == 1
    assert {str(n) for n in sd.objects(None, SD.name)} == {a, b}
    void = rdflib.Graph().parse(data=client.get("/void").data, format="turtle")
    assert int(void.value(rdflib.URIRef("https://w3id.org/kg1978/"), VOID.triples)) == 1
    dump = ox.parse(client.get("/dumps/kg.trig").data, format=ox.RdfFormat.TRIG)
    assert sorted(q.graph_name.value for q in dump) == [a, b]


def test_sparql_with_a_trailing_slash_redirects_keeping_a_posts_body(client):
    """As every URL with a trailing slash: /sparql/ is /sparql. A POST gets 308, which a
    client follows with the same method and body (curl, requests, browsers)."""
    r = client.get("/sparql/", query_string={"query": "ASK {}"})
    assert r.status_code == 301 and r.headers["Location"] == "/sparql?query=ASK+%7B%7D"
    assert client.head("/sparql/").status_code == 301
    r = client.post("/sparql/", data={"query": COUNT_ALL})
    assert r.status_code == 308 and r.headers["Location"] == "/sparql"
    r = client.post("/sparql/?default-graph-uri=x", data=COUNT_ALL,
                    content_type="application/sparql-query")
    assert r.status_code == 308 and r.headers["Location"] == "/sparql?default-graph-uri=x"
    assert client.post("/sparql/", data={"update": "CLEAR ALL"}).status_code == 403


def test_options_on_sparql_lists_every_method_it_answers(client):
    r = client.options("/sparql")
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "QUERY", "OPTIONS"}
    assert client.head("/sparql", query_string={"query": "ASK {}"}).status_code == 200


# -- SELECT * in the order of the text ----------------------------------------------------

_ROWS = r'''VALUES (?z ?y ?x) { ("a,b" "q\"t" "t\tab") ("n\nl" UNDEF <http://e/x>)
  ("" " sp" 1) ("c\r\nd" "é \"x\", y" 2) ("4" 5 "\t") }'''
STAR = "# ?x ?y first in a comment\nSELECT * WHERE { " + _ROWS + ' FILTER(?x != "?y") }'
EXPLICIT = "SELECT ?z ?y ?x WHERE { " + _ROWS + ' FILTER(?x != "?y") }'


@pytest.mark.parametrize("max_results", [100, 3])
@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_star_columns_follow_the_text(make_app, fast, fmt, max_results):
    """pyoxigraph sorts SELECT *'s variables (x, y, z); the answer names them as the text
    does, as the same query with its variables written out: CSV and TSV byte for byte, JSON
    and XML in their head (their bindings are keyed by name), cut at the same row."""
    client = make_app({"KG_FAST_PATH": fast}, max_results=max_results).test_client()
    star, explicit = (client.get("/sparql", query_string={"query": q, "format": fmt})
                      for q in (STAR, EXPLICIT))
    assert star.status_code == explicit.status_code == 200
    assert star.headers.get(TRUNCATED_HEADER) == explicit.headers.get(TRUNCATED_HEADER) == (
        "3" if max_results == 3 else None)
    if fmt in ("csv", "tsv"):
        assert star.data == explicit.data
    elif fmt == "json":
        assert json.loads(star.data) == json.loads(explicit.data)
        assert json.loads(star.data)["head"]["vars"] == ["z", "y", "x"]
        assert star.data.split(b',"results"')[0] == explicit.data.split(b',"results"')[0]
    else:
        assert star.data.split(b"</head>")[0] == explicit.data.split(b"</head>")[0]
        parsed = [ox.parse_query_results(r.data, format=ox.QueryResultsFormat.XML)
                  for r in (star, explicit)]
        assert [v.value for v in parsed[0].variables] == ["z", "y", "x"]
        assert ([[s[v] for v in "zyx"] for s in parsed[0]]
                == [[s[v] for v in "zyx"] for s in parsed[1]])


@pytest.fixture(params=[True, False], ids=["fast-path", "flask-only"])
def fast(request):
    return request.param


def test_select_star_is_run_once_and_other_queries_untouched(make_app, tiny_store, monkeypatch):
    """The order is read from the text after the one run: running the query first on an
    empty store to learn its variables evaluated an ORDER BY over a million rows twice."""
    client = make_app(max_results=5).test_client()
    client.get("/sparql", query_string={"query": "ASK {}"})  # the app's first-request work
    calls, stores = [], []
    real, real_store = type(tiny_store).query, ox.Store

    def counted(self, text, **kwargs):
        calls.append(text)
        return real(self, text, **kwargs)

    def made(*args, **kwargs):
        stores.append(args)
        return real_store(*args, **kwargs)

    monkeypatch.setattr(type(tiny_store), "query", counted)
    monkeypatch.setattr(ox, "Store", made)
    query = "SELECT * WHERE { VALUES ?b { 1 2 3 } VALUES ?a { 1 2 3 } } ORDER BY ?a ?b"
    r = client.get("/sparql", query_string={"query": query, "format": "csv"})
    assert calls == [query] and stores == []
    assert r.data.decode().splitlines()[:3] == ["b,a", "1,1", "2,1"]
    # an explicit projection is the writer's, whatever the text's order
    r = client.get("/sparql", query_string={"query": "SELECT ?b ?a { VALUES (?a ?b) { (1 2) } }",
                                            "format": "csv"})
    assert r.data == b"b,a\r\n2,1\r\n"


def test_select_star_columns_in_the_html_table(client):
    r = client.get("/form", query_string={"query": STAR})
    assert r.status_code == 200
    heads = re.findall(r"<th[^>]*>\s*\??(\w+)\s*</th>", r.data.decode())
    assert heads[:3] == ["z", "y", "x"], heads


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { VALUES (?z ?x) { (<http://e/a,b> 1) } }",
    "SELECT ?z ?x WHERE { VALUES (?z ?x) { (<http://e/a,b> 1) } }",
])
def test_an_iri_holding_a_comma_is_quoted_in_csv(make_app, fast, query):
    """pyoxigraph writes an IRI holding a comma unquoted in CSV, which a client splits into
    one field too many: the endpoint writes CSV itself (SPARQL 1.1 CSV 4), in the text's
    order; every field reads back with Python's csv module."""
    import csv
    import io

    client = make_app({"KG_FAST_PATH": fast}).test_client()
    r = client.get("/sparql", query_string={"query": query, "format": "csv"})
    assert r.status_code == 200 and r.data == b'z,x\r\n"http://e/a,b",1\r\n'
    r = client.get("/sparql", query_string={"query": query, "format": "tsv"})
    assert r.data == b"?z\t?x\n<http://e/a,b>\t1\n"
    r = client.get("/sparql", query_string={"query": EXPLICIT, "format": "csv"})
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8"), newline="")))
    assert rows == [["z", "y", "x"], ["a,b", 'q"t', "t\tab"], ["n\nl", "", "http://e/x"],
                    ["", " sp", "1"], ["c\r\nd", 'é "x", y', "2"], ["4", "5", "\t"]]


@pytest.mark.parametrize("path, media", [
    ("/limits", "text/plain"), ("/openapi.json", "application/json"),
    ("/search?q=phnom", "text/html"), ("/sitemap.xml", "application/xml"),
    ("/form", "text/html"), ("/validate", "text/html"), ("/reconcile", "application/json"),
])
def test_a_route_of_one_type_refused_by_accept_is_406(client, path, media):
    """RFC 9110, 12.5.1: as the routes that negotiate, the routes of one type answer 406
    where the Accept header refuses it (they sent it whatever the header)."""
    for method in ("GET", "HEAD"):
        r = client.open(path, method=method, headers={"Accept": "*/*;q=0"})
        assert r.status_code == 406, (path, method)
        assert r.headers["Vary"] == "Accept" and r.headers["Access-Control-Allow-Origin"] == "*"
        assert "ETag" not in r.headers  # an error has no validator
    r = client.get(path, headers={"Accept": "*/*;q=0"})
    assert r.data.decode() == (f"406 Not Acceptable: {path.partition('?')[0]} is available as "
                               f"{media} only (the Accept header, */*;q=0, refuses it)\n")
    r = client.get(path, headers={"Accept": "image/png"})
    assert r.status_code == 406 and r.mimetype == "text/plain"
    r = client.get(path, headers={"Accept": "application/ld+json;q=0.5, image/png"})
    assert r.status_code == 406 and r.json["status"] == 406  # in JSON for a JSON client
    for accept in (None, "*/*", f"{media.partition('/')[0]}/*", media, "*/*;q=abc"):
        r = client.get(path, headers={"Accept": accept} if accept else {})
        assert (r.status_code, r.mimetype) == (200, media), (path, accept)


def test_robots_txt_and_errors_are_sent_whatever_the_accept(client):
    """A crawler reads a 4xx for robots.txt as "no rule" (RFC 9309, 2.3.1.3): it is sent
    whatever the Accept header; a dump, as a file server sends a file (tests/test_dumps.py);
    an error, a redirect and an XHTML client's page too."""
    r = client.get("/robots.txt", headers={"Accept": "*/*;q=0"})
    assert r.status_code == 200 and b"Disallow: /sparql" in r.data
    r = client.get("/dumps/kg.nq", headers={"Accept": "*/*;q=0"})
    assert (r.status_code, r.mimetype) == (200, "application/n-quads")
    assert client.get("/dumps/kg.xlsx", headers={"Accept": "*/*;q=0"}).status_code == 404
    assert client.get("/dumps/", headers={"Accept": "*/*;q=0"}).status_code == 301
    r = client.get("/search?q=phnom", headers={"Accept": "application/xhtml+xml"})
    assert (r.status_code, r.mimetype) == (200, "text/html")


@pytest.mark.parametrize("path, media", [
    ("/static/ui.js", "text/javascript"), ("/static/style.css", "text/css"),
    ("/assets/yasgui/yasgui.min.js", "text/javascript"),
    ("/assets/yasgui/yasgui.min.css", "text/css"),
])
def test_static_files_are_sent_whatever_the_accept_as_the_dumps_are(make_app, tmp_path, path,
                                                                     media):
    """The app's static files and YASGUI's are files of one type their URL names, sent with
    it whatever ``Accept`` says, as a dump is and as file servers send a file (they answered
    406 to ``*/*;q=0`` or ``image/png``); ranges, gzip and 304s as ever."""
    build = tmp_path / "node_modules" / "@zazuko" / "yasgui" / "build"
    build.mkdir(parents=True)
    (build / "yasgui.min.js").write_text("window.Yasgui = function () {};\n" * 100)
    (build / "yasgui.min.css").write_text("body {}\n")
    client = make_app().test_client()
    whole = client.get(path)
    assert (whole.status_code, whole.mimetype) == (200, media)
    for accept in ("*/*;q=0", "image/png", "text/turtle", "text/html",
                   "application/ld+json;q=0.5, image/png"):
        for method in ("GET", "HEAD"):
            r = client.open(path, method=method, headers={"Accept": accept})
            assert (r.status_code, r.mimetype) == (200, media), (path, accept, method)
            assert r.headers["ETag"] == whole.headers["ETag"]
            assert "accept" not in r.vary
        r = client.get(path, headers={"Accept": accept})
        assert r.data == whole.data
        r = client.get(path, headers={"Accept": accept, "Range": "bytes=0-3"})
        assert r.status_code == 206 and r.data == whole.data[:4]
        r = client.get(path, headers={"Accept": accept, "If-None-Match": whole.headers["ETag"]})
        assert r.status_code == 304
    assert client.get("/static/nope.js", headers={"Accept": "*/*;q=0"}).status_code == 404


def test_graph_iris_of_a_request_are_read_in_order_however_many(any_client):
    """A form body within max_body_bytes holds ~40,000 graph IRIs: each is read, in order
    (the tuple they were gathered in grew by one each, a quadratic 8.8 s for 40,000), and the
    answer is the one for the graphs they name (each named once or 10,000 times)."""
    from kg.endpoint.protocol import read_request

    iris = [f"http://example.org/g{i}" for i in range(20_000)]
    body = urlencode({"query": "ASK {}", "default-graph-uri": iris,
                      "named-graph-uri": iris[::-1]}, doseq=True).encode()
    read = read_request({"REQUEST_METHOD": "POST", "QUERY_STRING": "default-graph-uri=a:0",
                         "CONTENT_TYPE": "application/x-www-form-urlencoded"}, body)
    assert read.default_graph == ("a:0", *iris) and read.named_graphs == tuple(iris[::-1])
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    once = any_client.post("/sparql", data={"query": count, "default-graph-uri": ENTITIES},
                           headers={"Accept": "text/csv"})
    many = any_client.post("/sparql", data={"query": count,
                                            "default-graph-uri": [ENTITIES] * 10_000},
                           headers={"Accept": "text/csv"})
    assert once.status_code == many.status_code == 200 and once.data == many.data
    assert once.data != b"n\r\n0\r\n"


def test_a_bounded_cache_forgets_everything_at_its_bound():
    from kg.endpoint.bounded_cache import BoundedCache

    cache = BoundedCache(3)
    assert [cache.remember(k, k * 2) for k in (1, 2, 3)] == [2, 4, 6]
    assert dict(cache) == {1: 2, 2: 4, 3: 6} and cache.get(2) == 4
    cache.remember(4, 8)  # full: what it held is dropped, not one entry a request
    assert dict(cache) == {4: 8} and cache.get(1) is None


def test_every_cache_of_the_endpoint_is_bounded_by_the_one_helper(make_app):
    """The caches keyed by what requests send (the raw request, Accept, query string, query
    text, host name, shape name) are one helper, each with its bound, and stay within it."""
    from kg.endpoint import query_text
    from kg.endpoint.bounded_cache import BoundedCache

    app = make_app()
    descriptions = app.extensions["kg"].descriptions
    bounds = {"requests": (protocol._requests, 512), "html": (protocol._html_cache, 1024),
              "named": (protocol._named_cache, 512), "formats": (protocol._cache, 1024),
              "inspected": (query_text._inspected, 512),
              "descriptions": (descriptions._cache, 256), "void": (descriptions._void, 256)}
    for name, (cache, bound) in bounds.items():
        assert isinstance(cache, BoundedCache) and cache.bound == bound, name
    for i in range(1100):
        protocol.prefers_html(f"text/x-{i}")
        protocol.negotiate(None, "json", "solutions", what=str(i))
    assert 0 < len(protocol._html_cache) <= 1024 and 0 < len(protocol._cache) <= 1024


@pytest.mark.parametrize(("target", "status", "content_type"), [
    ("/place/tay-ninh?output=nt", 200, "application/n-triples"),
    ("/place/tay-ninh?output=nt&format=ttl", 200, "text/turtle"),
    ("/place/tay-ninh.ttl?output=nt", 200, "application/n-triples"),
    ("/timeline?output=ttlx", 406, None),
    ("/store?default&output=nt", 200, "application/n-triples"),
    ("/store?output=nt&format=nq&default", 200, "application/n-quads"),
    ("/dataset?output=nt", 200, "application/n-triples"),
    ("/shapes/?output=nt", 200, "application/n-triples"),
])
def test_output_is_format_on_every_route_that_reads_format(make_app, target, status,
                                                            content_type):
    """``output`` (SPARQLWrapper's name, and others') is ``format`` on pages, ``/store``,
    ``/dataset``, ``/shapes/`` as on ``/sparql`` and ``/void`` (``format`` first when both are
    given): they read ``format`` alone, and answered ``?output=nt`` with the page's HTML or
    Turtle."""
    client = make_app(root=Path(__file__).parents[1]).test_client()
    r = client.get(target, headers={"Accept": "text/html"})
    assert r.status_code == status, r.data[:300]
    if content_type:
        assert r.headers["Content-Type"].split(";")[0] == content_type


@pytest.mark.parametrize(("target", "status", "content_type"), [
    ("/place/tay-ninh?format=tutle,nt", 200, "application/n-triples"),
    ("/place/tay-ninh?format=csv&format=ttl", 200, "text/turtle"),
    ("/place/tay-ninh?format=,jsonld", 200, "application/ld+json"),
    ("/place/tay-ninh?format=nt,ttl", 200, "application/n-triples"),
    ("/place/tay-ninh?format=tutle,csv", 406, None),
    ("/timeline?format=ttl,html", 200, "text/html"),
    ("/store?default&format=csv,nt", 200, "application/n-triples"),
    ("/store?format=nt&output=nq", 200, "application/n-quads"),
    ("/dataset?format=NT,ttl", 200, "application/n-triples"),
    ("/shapes/?format=html;q=1,ttl", 200, "text/turtle"),
    ("/?format=tutle,ttl", 200, "text/turtle"),
    (f"/sparql?query={quote(COUNT_ALL)}&format=tutle,html", 200, "text/html"),
    (f"/sparql?query={quote(COUNT_ALL)}&format=tutle", 406, None),
    ("/sparql?format=tutle,html", 200, "text/html"),
    ("/void?format=tutle&format=html", 200, "text/html"),
    ("/void?format=tutle", 406, None),
])
def test_every_route_tries_each_format_named_in_turn(make_app, target, status, content_type):
    """One rule for ``format`` on every route: each value named (repeated, comma-separated,
    ``output``'s after ``format``'s) is tried in turn and the first the route answers in is
    the answer; a typo or a format the route has not is passed over, and only where none is
    left is the request refused (406). The pages, ``/store``, ``/dataset``, ``/shapes/`` and
    ``/validate`` read the first value alone (``format=tutle,nt`` was a 406, and
    ``format=csv&format=ttl`` too, where ``/sparql`` answers the first it can); ``/sparql``'s
    page was asked for only where HTML came first, a typo before it giving the 406."""
    client = make_app(root=Path(__file__).parents[1]).test_client()
    r = client.get(target, headers={"Accept": "application/json"})
    assert r.status_code == status, r.data[:300]
    if content_type:
        assert r.headers["Content-Type"].split(";")[0] == content_type
    else:
        assert b"tutle" in r.data


@pytest.mark.parametrize(("query", "status", "content_type"), [
    ("?output=text", 200, "text/plain"),
    ("?output=text&format=turtle", 200, "text/turtle"),
    ("?output=xyz", 406, None),
    ("?format=xyz,text", 200, "text/plain"),
    ("?format=xyz&output=TURTLE", 200, "text/turtle"),
    ("?format=xyz,", 406, None),
])
def test_output_is_format_on_validate(make_app, query, status, content_type):
    client = make_app(root=Path(__file__).parents[1], validation_timeout=0).test_client()
    r = client.post("/validate" + query, data=b"<urn:a> <urn:b> <urn:c> .",
                    content_type="text/turtle", headers={"Accept": "application/json"})
    assert r.status_code == status, r.data[:300]
    if content_type:
        assert r.headers["Content-Type"].split(";")[0] == content_type
    else:
        assert b"xyz" in r.data
