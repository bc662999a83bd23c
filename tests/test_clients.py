"""The clients researchers point at a SPARQL endpoint, against a real ``kg serve``: SPARQLWrapper
(every method, request style and return format it offers), rdflib's ``SPARQLStore`` and curl.

Each answer is checked against the same query run on the served dataset in process, so a
client that reads a result wrongly (or a server that sends what the client cannot read) fails.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote
from urllib.request import urlopen

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from rdflib.namespace import RDF, RDFS
from rdflib.plugins.stores.sparqlstore import SPARQLStore

from conftest import start_kg_serve
from kg.iris import GRAPH
from kg.store import DatasetStore

SPARQLWrapper = pytest.importorskip("SPARQLWrapper")  # a test dependency (pyproject: test)

# SPARQLWrapper 2 reads RDF into rdflib's ConjunctiveGraph, which rdflib 7.1+ deprecates (and
# rdflib's own N3 parser uses Dataset.default_context); SPARQLWrapper warns that it sends
# "Accept: */*" when asked for JSON from a CONSTRUCT (tested below).
pytestmark = [
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Sending Accept header:RuntimeWarning"),
]

KGO = "https://w3id.org/kg1978/ontology/"
PHNOM_PENH = "https://w3id.org/kg1978/place/phnom-penh"
SELECT = (f"SELECT ?s ?label WHERE {{ ?s a <{KGO}MilitaryUnit> ; <{RDFS}label> ?label }} "
          "ORDER BY ?s ?label")
ASK = f"ASK {{ <{PHNOM_PENH}> a <{KGO}City> }}"
CONSTRUCT = f"CONSTRUCT {{ ?s <{RDFS}label> ?label }} WHERE {{ ?s a <{KGO}Event> ; " \
            f"<{RDFS}label> ?label }}"
DESCRIBE = f"DESCRIBE <{PHNOM_PENH}>"
ENTITIES_GRAPH = str(GRAPH["entities"])


@pytest.fixture(scope="module", autouse=True)
def _loopback_without_proxies():
    """The clients (urllib, Oxigraph's HTTP client, curl) talk to 127.0.0.1 straight."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("http_proxy", "https_proxy", "all_proxy"):
            patch.delenv(name, raising=False)
            patch.delenv(name.upper(), raising=False)
        patch.setenv("no_proxy", "127.0.0.1,localhost")
        patch.setenv("NO_PROXY", "127.0.0.1,localhost")
        yield


@pytest.fixture(scope="module")
def served(dataset: Path, tmp_path_factory):
    endpoint = start_kg_serve(tmp_path_factory.mktemp("clients"), "--dataset", str(dataset),
                              "--workers", "1")
    yield endpoint
    endpoint.stop()


@pytest.fixture(scope="module")
def sparql_url(served) -> str:
    return served.url + "/sparql"


@pytest.fixture(scope="module")
def expected(dataset: Path) -> dict:
    """What each query answers on the served dataset, read in process."""
    store = DatasetStore.load(dataset)
    rows = [(r["s"].value, r["label"].value) for r in store.select(SELECT)]
    graph = {(t.subject.value, t.object.value) for t in store.query(CONSTRUCT)}
    described = list(store.query(DESCRIBE))
    entities = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ENTITIES_GRAPH}> "
                            "{ ?s ?p ?o } }")[0]["n"].value
    labels = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{RDFS}label> ?o }}")[0]
    return {"rows": rows, "graph": graph, "described": len(described),
            "triples": store.triple_count, "entities": int(entities),
            "labels": int(labels["n"].value), "graphs": sorted(store.named_graphs)}


def _pairs(graph: rdflib.Graph) -> set[tuple[str, str]]:
    return {(str(s), str(o)) for s, o in graph.subject_objects(RDFS.label)}


# -- SPARQLWrapper --------------------------------------------------------------------------

SW = SPARQLWrapper
REQUESTS = [(SW.GET, SW.URLENCODED), (SW.POST, SW.URLENCODED), (SW.POST, SW.POSTDIRECTLY)]
REQUEST_IDS = ["GET", "POST-form", "POST-direct"]


def _wrapper(url: str, query: str, fmt: str, method: str, request_method: str):
    sw = SW.SPARQLWrapper(url)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    sw.setRequestMethod(request_method)
    return sw


@pytest.mark.parametrize(("method", "request_method"), REQUESTS, ids=REQUEST_IDS)
@pytest.mark.parametrize("fmt", [SW.JSON, SW.XML, SW.CSV, SW.TSV])
def test_sparqlwrapper_select(sparql_url, expected, method, request_method, fmt):
    result = _wrapper(sparql_url, SELECT, fmt, method, request_method).query()
    converted = result.convert()
    if fmt == SW.JSON:
        rows = [(b["s"]["value"], b["label"]["value"])
                for b in converted["results"]["bindings"]]
    elif fmt == SW.XML:
        rows = []
        for node in converted.getElementsByTagName("result"):
            values = {b.getAttribute("name"): b.firstChild.firstChild.data
                      for b in node.getElementsByTagName("binding")}
            rows.append((values["s"], values["label"]))
    elif fmt == SW.CSV:
        rows = [tuple(r) for r in csv.reader(io.StringIO(converted.decode()))][1:]
    else:
        rows = [(r["s"].value, r["label"].value)
                for r in ox.parse_query_results(converted, format=ox.QueryResultsFormat.TSV)]
    assert rows == expected["rows"]
    assert len(rows) > 3


@pytest.mark.parametrize(("method", "request_method"), REQUESTS, ids=REQUEST_IDS)
@pytest.mark.parametrize("fmt", [SW.JSON, SW.XML])
def test_sparqlwrapper_ask(sparql_url, method, request_method, fmt):
    converted = _wrapper(sparql_url, ASK, fmt, method, request_method).query().convert()
    if fmt == SW.JSON:
        assert converted["boolean"] is True
    else:
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"
    negative = ASK.replace("City", "Division")
    converted = _wrapper(sparql_url, negative, fmt, method, request_method).query().convert()
    assert (converted["boolean"] if fmt == SW.JSON else
            converted.getElementsByTagName("boolean")[0].firstChild.data == "true") is False


# SPARQLWrapper asks for a graph result with a format parameter of its own naming (n3, xml,
# json, json-ld plus a list of media types): each must come back in a syntax it reads.
@pytest.mark.parametrize(("method", "request_method"), REQUESTS, ids=REQUEST_IDS)
@pytest.mark.parametrize("fmt", [SW.TURTLE, SW.N3, SW.RDFXML, SW.XML, SW.JSONLD, SW.JSON])
def test_sparqlwrapper_construct(sparql_url, expected, method, request_method, fmt):
    result = _wrapper(sparql_url, CONSTRUCT, fmt, method, request_method).query()
    content_type = result.response.headers["Content-Type"]
    converted = result.convert()
    if fmt in (SW.TURTLE, SW.N3):
        assert content_type.startswith("text/turtle")
        graph = rdflib.Graph().parse(data=converted, format="turtle")
    elif fmt in (SW.RDFXML, SW.XML):
        assert content_type == "application/rdf+xml"
        graph = converted
    else:  # JSON-LD, which SPARQLWrapper reads by its media type for JSON too
        assert content_type == "application/ld+json"
        graph = converted
    assert _pairs(graph) == expected["graph"]


@pytest.mark.parametrize(("method", "request_method"), REQUESTS, ids=REQUEST_IDS)
@pytest.mark.parametrize("fmt", [SW.TURTLE, SW.JSONLD])
def test_sparqlwrapper_select_with_a_graph_format_gets_a_result(sparql_url, expected, method,
                                                                request_method, fmt):
    """SPARQLWrapper sends its return format whatever the query form (format=turtle, or
    json-ld and an empty one, for a SELECT) with ``Accept: */*``: the Accept header decides
    (SPARQL JSON), where it was a 406 and SPARQLWrapper raised."""
    result = _wrapper(sparql_url, SELECT, fmt, method, request_method).query()
    assert result.response.headers["Content-Type"] == "application/sparql-results+json"
    bindings = json.loads(result.response.read())["results"]["bindings"]
    assert [(b["s"]["value"], b["label"]["value"]) for b in bindings] == expected["rows"]


@pytest.mark.parametrize(("method", "request_method"), REQUESTS, ids=REQUEST_IDS)
def test_sparqlwrapper_describe(sparql_url, expected, method, request_method):
    graph = _wrapper(sparql_url, DESCRIBE, SW.RDFXML, method, request_method).queryAndConvert()
    assert len(graph) == expected["described"] > 3
    assert (rdflib.URIRef(PHNOM_PENH), RDFS.label, rdflib.Literal("Phnom Penh", lang="en")) \
        in graph


@pytest.mark.parametrize(("method", "request_method"), REQUESTS, ids=REQUEST_IDS)
def test_sparqlwrapper_default_and_named_graphs(sparql_url, expected, method, request_method):
    sw = _wrapper(sparql_url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", SW.JSON, method,
                  request_method)
    sw.addDefaultGraph(ENTITIES_GRAPH)
    n = sw.queryAndConvert()["results"]["bindings"][0]["n"]["value"]
    assert int(n) == expected["entities"]
    sw = _wrapper(sparql_url, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", SW.JSON,
                  method, request_method)
    sw.addNamedGraph(ENTITIES_GRAPH)
    graphs = [b["g"]["value"] for b in sw.queryAndConvert()["results"]["bindings"]]
    assert graphs == [ENTITIES_GRAPH]


def test_sparqlwrapper_only_conneg_and_wrapper2(sparql_url, expected):
    sw = SW.SPARQLWrapper(sparql_url)
    sw.setQuery(SELECT)
    sw.setReturnFormat(SW.JSON)
    sw.setOnlyConneg(True)  # no format parameter: the Accept header alone
    assert len(sw.queryAndConvert()["results"]["bindings"]) == len(expected["rows"])
    sw2 = SW.SPARQLWrapper2(sparql_url)
    sw2.setQuery(SELECT)
    rows = [(b["s"].value, b["label"].value) for b in sw2.query().bindings]
    assert rows == expected["rows"]


def test_sparqlwrapper_errors_are_the_protocols(sparql_url):
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    sw = SW.SPARQLWrapper(sparql_url)
    sw.setMethod(SW.POST)
    sw.setQuery("INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }")
    with pytest.raises(HTTPError) as refused:
        sw.query()
    assert refused.value.code == 403
    assert b"read-only" in refused.value.read()
    sw = SW.SPARQLWrapper(sparql_url)
    sw.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed, match="line 1, column"):
        sw.query()


# -- rdflib's SPARQLStore ---------------------------------------------------------------------

STORE_WAYS = [(m, f) for m in ("GET", "POST", "POST_FORM") for f in ("xml", "json")]


@pytest.mark.parametrize(("method", "return_format"), STORE_WAYS)
def test_rdflib_sparqlstore(sparql_url, expected, method, return_format):
    store = SPARQLStore(sparql_url, method=method, returnFormat=return_format)
    graph = rdflib.Graph(store=store)
    rows = [(str(s), str(label)) for s, label in graph.query(SELECT)]
    assert rows == expected["rows"]
    assert graph.query(ASK).askAnswer is True
    # the Graph API over the endpoint: len, patterns, single values
    assert len(graph) == expected["triples"]
    assert len(list(graph.triples((None, RDFS.label, None)))) == expected["labels"]
    assert graph.value(rdflib.URIRef(PHNOM_PENH), RDFS.label) == rdflib.Literal(
        "Phnom Penh", lang="en")
    assert (rdflib.URIRef(PHNOM_PENH), RDF.type, None) in graph
    bound = graph.query("SELECT ?label WHERE { ?s rdfs:label ?label }",
                        initNs={"rdfs": RDFS}, initBindings={"s": rdflib.URIRef(PHNOM_PENH)})
    assert [str(r[0]) for r in bound] == ["Phnom Penh"]


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_graph_results(sparql_url, expected, method):
    # returnFormat "xml" (the default) accepts application/rdf+xml; with "json" the store asks
    # for SPARQL JSON only, which cannot carry a graph (406, as the protocol allows)
    graph = rdflib.Graph(store=SPARQLStore(sparql_url, method=method))
    assert _pairs(graph.query(CONSTRUCT).graph) == expected["graph"]
    assert len(graph.query(DESCRIBE).graph) == expected["described"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_rdflib_sparqlstore_named_graphs(sparql_url, expected, method):
    store = SPARQLStore(sparql_url, method=method)
    assert sorted(str(c) for c in store.contexts()) == expected["graphs"]
    # a Graph named by one of ours: the store sends default-graph-uri, which narrows
    entities = rdflib.Graph(store=store, identifier=rdflib.URIRef(ENTITIES_GRAPH))
    assert len(entities) == expected["entities"]
    assert len(list(entities.query("SELECT * WHERE { ?s ?p ?o }"))) == expected["entities"]


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_dataset_over_sparqlstore_queries_the_default_graph(sparql_url, expected,
                                                                   method):
    """rdflib's Dataset (ConjunctiveGraph's successor) sends default-graph-uri with its own
    name of the default graph, urn:x-rdflib:default: its queries found nothing."""
    dataset = rdflib.Dataset(store=SPARQLStore(sparql_url, method=method))
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert int(next(iter(dataset.query(count)))[0]) == expected["triples"] == len(dataset)
    assert [(str(s), str(label)) for s, label in dataset.query(SELECT)] == expected["rows"]


@pytest.mark.parametrize("return_format", ["csv", "tsv"])
def test_rdflib_sparqlstore_csv_tsv_select(sparql_url, expected, return_format):
    graph = rdflib.Graph(store=SPARQLStore(sparql_url, returnFormat=return_format))
    assert [(str(s), str(label)) for s, label in graph.query(SELECT)] == expected["rows"]


def test_rdflib_sparqlstore_errors(sparql_url):
    """What rdflib makes of a 400, as the README says: by GET a ValueError of its own words,
    the endpoint's answer in its ``__context__``, its line counted with the PREFIX lines rdflib
    puts before the query; by POST no exception: the tuple (400, reason, None) as the result."""
    import re

    graph = rdflib.Graph(store=SPARQLStore(sparql_url))
    with pytest.raises(ValueError, match="You did something wrong") as refused:
        graph.query("SELECT * WHERE { ?s ?p }")
    answer = refused.value.__context__
    assert isinstance(answer, HTTPError) and answer.code == 400
    line = re.match(rb"line (\d+), column 24: the triple pattern \?s \?p has no object",
                    answer.read())
    assert line is not None and int(line[1]) > 1
    for method in ("POST", "POST_FORM"):
        graph = rdflib.Graph(store=SPARQLStore(sparql_url, method=method))
        assert graph.query("SELECT * WHERE { ?s ?p }")[0] == 400


# -- curl ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def curl() -> str:
    path = shutil.which("curl")
    if path is None:
        pytest.skip("curl is not installed")
    return path


def _curl(curl: str, *args: str) -> tuple[int, str, bytes]:
    done = subprocess.run([curl, "-sS", "-o", "-", "-w",
                           "\n%{http_code} %{content_type}", *args],
                          capture_output=True, timeout=60, check=True)
    body, _, status = done.stdout.rpartition(b"\n")
    code, _, content_type = status.decode().partition(" ")
    return int(code), content_type, body


@pytest.mark.parametrize("how", [
    ["--get", "--data-urlencode"],
    ["--data-urlencode"],
])
def test_curl_get_and_form_post(curl, sparql_url, expected, how):
    code, content_type, body = _curl(curl, sparql_url, *how, f"query={SELECT}")
    assert (code, content_type) == (200, "application/sparql-results+json")
    rows = [(b["s"]["value"], b["label"]["value"])
            for b in json.loads(body)["results"]["bindings"]]
    assert rows == expected["rows"]


def test_curl_direct_post_with_accept(curl, sparql_url, expected):
    code, content_type, body = _curl(
        curl, sparql_url, "-H", "Content-Type: application/sparql-query",
        "-H", "Accept: text/csv", "--data-binary", SELECT)
    assert (code, content_type) == (200, "text/csv; charset=utf-8")
    assert [tuple(r) for r in csv.reader(io.StringIO(body.decode()))][1:] == expected["rows"]
    code, content_type, body = _curl(
        curl, sparql_url, "-H", "Content-Type: application/sparql-query",
        "-H", "Accept: application/n-triples", "--data-binary", CONSTRUCT)
    assert (code, content_type) == (200, "application/n-triples")
    graph = rdflib.Graph().parse(data=body.decode(), format="nt")
    assert _pairs(graph) == expected["graph"]


def test_the_http_query_method_as_fetch_sparql_endpoint_sends_it(sparql_url, expected):
    """fetch-sparql-endpoint 7's ``--httpQuery`` (and its ``method: 'QUERY'``) sends the query
    as the content of an HTTP ``QUERY`` request (RFC 10008), typed
    ``application/sparql-query``, which Oxigraph's server answers: through gunicorn, the
    request as it sends it. It was a 405."""
    import urllib.request

    def query(text: str, accept: str) -> tuple[int, str, bytes]:
        request = urllib.request.Request(sparql_url, data=text.encode(), method="QUERY",
                                         headers={"Accept": accept,
                                                  "Content-Type": "application/sparql-query"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read()

    code, content_type, body = query(
        SELECT, "application/sparql-results+json;q=1.0,application/sparql-results+xml;q=0.7")
    assert (code, content_type) == (200, "application/sparql-results+json")
    assert [(b["s"]["value"], b["label"]["value"])
            for b in json.loads(body)["results"]["bindings"]] == expected["rows"]
    code, content_type, body = query(CONSTRUCT, "text/turtle")
    assert (code, content_type) == (200, "text/turtle; charset=utf-8")
    assert _pairs(rdflib.Graph().parse(data=body.decode(), format="turtle")) == expected["graph"]


def test_curl_errors_are_readable(curl, sparql_url):
    code, content_type, body = _curl(curl, sparql_url, "--data-urlencode",
                                     "update=CLEAR ALL")
    assert code == 403 and b"read-only" in body
    code, content_type, body = _curl(curl, sparql_url, "--get", "--data-urlencode",
                                     "query=SELECT * WHERE { ?s ?p }")
    assert code == 400 and content_type.startswith("text/plain") and b"column" in body
    # a body of a type the protocol does not know
    code, _, body = _curl(curl, sparql_url, "-H", "Content-Type: text/plain",
                          "--data-binary", SELECT)
    assert code == 415 and b"application/sparql-query" in body
    # a URL typed with a character outside ASCII: curl sends its UTF-8 bytes as they are
    code, content_type, body = _curl(curl, sparql_url + "?query=ASK%7B?s%20?p%20%22Vi\u1ec7t%22%7D")
    assert code == 400 and content_type.startswith("text/plain") and b"percent-encode" in body


# -- rdflib reading our documents by URL (Graph.parse negotiates by the format it is given) ---

@pytest.mark.parametrize("path", ["/sparql", "/void", "/dataset", "/place/phnom-penh",
                                  "/ontology/Event", "/graph/entities"])
def test_rdflib_parses_every_document_in_every_format(served, path):
    # rdflib asks for format="nt" with "text/plain" (N-Triples' media type of old) and for
    # "json-ld" expects triples it can put in a Graph: both were Turtle / named graphs once
    reference = rdflib.Graph().parse(served.url + path, format="turtle")
    assert len(reference) > 10
    for fmt in (None, "xml", "json-ld", "nt", "n3"):
        graph = rdflib.Graph()
        graph.parse(served.url + path, **({"format": fmt} if fmt else {}))
        assert rdflib.compare.isomorphic(graph, reference), (path, fmt)


def test_rdflib_reads_the_graph_store(served, expected):
    """The Graph Store Protocol (/store): a named graph and the default graph, by URL, in
    every format rdflib asks for; and the whole dataset with its graphs."""
    named = f"{served.url}/store?graph={quote(ENTITIES_GRAPH, safe='')}"
    for url, size in ((named, expected["entities"]), (served.url + "/store?default",
                                                      expected["triples"])):
        reference = rdflib.Graph().parse(url, format="turtle")
        assert len(reference) == size
        for fmt in (None, "xml", "json-ld", "nt", "n3"):
            graph = rdflib.Graph().parse(url, **({"format": fmt} if fmt else {}))
            assert rdflib.compare.isomorphic(graph, reference), (url, fmt)
    quads = list(ox.parse(urlopen(served.url + "/store").read(), format=ox.RdfFormat.TRIG))
    assert sorted({q.graph_name.value for q in quads}) == expected["graphs"]


# -- kg as the SERVICE of another engine's federated query ------------------------------------

def test_federated_query_from_pyoxigraph_and_rdflib(sparql_url, expected):
    query = (f"SELECT ?s ?label WHERE {{ SERVICE <{sparql_url}> {{ ?s a <{KGO}MilitaryUnit> ; "
             f"<{RDFS}label> ?label }} }} ORDER BY ?s ?label")
    from_oxigraph = [(r["s"].value, r["label"].value) for r in ox.Store().query(query)]
    from_rdflib = [(str(s), str(label)) for s, label in rdflib.Graph().query(query)]
    assert from_oxigraph == from_rdflib == expected["rows"]
    # a bound variable sent along (rdflib: as VALUES; Oxigraph: per solution)
    bound = (f"SELECT ?label WHERE {{ VALUES ?s {{ <{PHNOM_PENH}> }} "
             f"SERVICE <{sparql_url}> {{ ?s <{RDFS}label> ?label }} }}")
    assert [r["label"].value for r in ox.Store().query(bound)] == ["Phnom Penh"]
    assert [str(r[0]) for r in rdflib.Graph().query(bound)] == ["Phnom Penh"]
