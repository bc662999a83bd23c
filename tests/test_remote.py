"""``kg serve --store``: the endpoint over a real Oxigraph server (started here on 127.0.0.1,
stopped after) answers like the embedded store, keeps its own checks and limits, and fails
readably when the store is down or slow. The Virtuoso test runs where ``virtuoso-t`` is
installed and skips elsewhere."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, quote

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare

from kg.endpoint import create_app
from kg.publish import publish
from kg.remote import RemoteError, RemoteStore
from kg.store import DatasetStore
from kgtest import REPO, settings_for
from remote_stores import (
    FakeStore,
    graph_counts,
    http_request,
    oxigraph_bin,
    sparql_json,
    start_oxigraph,
    start_virtuoso,
    virtuoso_bin,
)

pytestmark = pytest.mark.skipif(oxigraph_bin() is None,
                                reason="the oxigraph server is not installed (PyPI oxigraph)")

COMPETENCY = sorted((REPO / "tests" / "competency").glob("*.rq"))
JSON = "application/sparql-results+json"
ARTICLE = "https://w3id.org/kg1978/graph/article-part1"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory, dataset):
    """An Oxigraph server (union default graph) holding the published project."""
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    try:
        publish(settings_for(REPO, dataset.parent), server.base + "/store")
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def remote(oxigraph):
    store = RemoteStore(oxigraph.base + "/query")
    yield store
    store.close()


@pytest.fixture(scope="module")
def embedded(dataset):
    return DatasetStore.load(dataset)


@pytest.fixture
def remote_client(remote, tmp_path):
    return create_app({"root": tmp_path}, dataset=remote).test_client()


@pytest.fixture
def embedded_client(embedded, tmp_path):
    return create_app({"root": tmp_path}, dataset=embedded).test_client()


def _rows(srj: dict, concat: bool = False) -> list[tuple]:
    def term(v: dict) -> tuple:
        if concat and v.get("type") == "literal":  # GROUP_CONCAT's order is the engine's
            v = {**v, "value": " ".join(sorted(v["value"].split(" ")))}
        return tuple(sorted(v.items()))

    return [tuple(sorted((k, term(v)) for k, v in b.items()))
            for b in srj["results"]["bindings"]]


def _same_answer(got: dict, want: dict, query: str) -> None:
    if "boolean" in want:
        assert got["boolean"] == want["boolean"]
        return
    assert got["head"]["vars"] == want["head"]["vars"]
    concat = "GROUP_CONCAT" in query.upper()
    if re.search(r"\bORDER\s+BY\b", query, re.IGNORECASE):
        assert _rows(got, concat) == _rows(want, concat)
    else:
        assert Counter(_rows(got, concat)) == Counter(_rows(want, concat))


# -- answers ---------------------------------------------------------------------------------

def test_the_store_is_read_as_the_embedded_one(remote, embedded):
    assert remote.named_graphs == embedded.named_graphs
    assert remote.quad_count == len(embedded)
    assert remote.server_union is True
    # Oxigraph writes an IRI holding a comma unquoted in CSV: its CSV is written again
    assert remote.verbatim_formats() == {ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML,
                                         ox.QueryResultsFormat.TSV}


def test_an_iri_holding_a_comma_is_quoted_in_csv_from_a_store(remote_client):
    query = "SELECT ?z ?x WHERE { VALUES (?z ?x) { (<http://e/a,b> 1) } }"
    got = remote_client.get("/sparql", query_string={"query": query, "format": "csv"})
    assert got.status_code == 200 and got.data == b'z,x\r\n"http://e/a,b",1\r\n'


@pytest.mark.parametrize("query", COMPETENCY, ids=[p.stem for p in COMPETENCY])
def test_competency_questions_are_answered_as_by_the_embedded_store(
        remote_client, embedded_client, query):
    text = query.read_text(encoding="utf-8")
    got = remote_client.post("/sparql", data={"query": text}, headers={"Accept": JSON})
    assert got.status_code == 200, got.data
    want = json.loads(query.with_suffix(".srj").read_text(encoding="utf-8"))
    _same_answer(json.loads(got.data), want, text)
    ours = embedded_client.post("/sparql", data={"query": text}, headers={"Accept": JSON})
    _same_answer(json.loads(got.data), json.loads(ours.data), text)


@pytest.mark.parametrize("accept", [JSON, "application/sparql-results+xml", "text/csv",
                                    "text/tab-separated-values"])
def test_results_are_passed_through_byte_for_byte(remote_client, oxigraph, accept):
    query = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g "
             "ORDER BY ?g")
    got = remote_client.get("/sparql", query_string={"query": query},
                            headers={"Accept": accept})
    status, headers, direct = http_request(
        f"{oxigraph.base}/query?query={query.replace(' ', '%20').replace('?', '%3F')}",
        headers={"Accept": accept})
    assert got.status_code == status == 200
    assert got.data == direct
    assert got.headers["Content-Type"].startswith(accept)
    # the store's data may change behind the endpoint: no validator, asked again each time
    assert "ETag" not in got.headers and got.headers["Cache-Control"] == "no-cache"
    # an untagged answer is an answer: If-None-Match: * is false, a GET's 304 (RFC 9110,
    # 13.1.2), the 200's Cache-Control and no tag
    again = remote_client.get("/sparql", query_string={"query": query},
                              headers={"Accept": accept, "If-None-Match": "*"})
    assert again.status_code == 304 and again.data == b""
    assert "ETag" not in again.headers and again.headers["Cache-Control"] == "no-cache"


def test_construct_is_answered_in_every_graph_format(remote_client, embedded_client):
    query = ("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/kg1978/graph/links> "
             "{ ?s ?p ?o } }")
    for accept in ("text/turtle", "application/n-triples", "application/rdf+xml",
                   "application/ld+json"):
        got = remote_client.get("/sparql", query_string={"query": query},
                                headers={"Accept": accept})
        want = embedded_client.get("/sparql", query_string={"query": query},
                                   headers={"Accept": accept})
        assert got.status_code == 200 and got.headers["Content-Type"].startswith(accept)
        fmt = ox.RdfFormat.from_media_type(accept)
        assert set(ox.parse(got.data, format=fmt)) == set(ox.parse(want.data, format=fmt))


def test_protocol_dataset_and_from_select_graphs(remote_client, remote):
    size = str(remote.graph_counts[ARTICLE])
    one = remote_client.get("/sparql", query_string={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "default-graph-uri": ARTICLE})
    assert json.loads(one.data)["results"]["bindings"][0]["n"]["value"] == size
    own = remote_client.get("/sparql", query_string={
        "query": f"SELECT (COUNT(*) AS ?n) FROM <{ARTICLE}> WHERE {{ ?s ?p ?o }}"})
    assert json.loads(own.data)["results"]["bindings"][0]["n"]["value"] == size
    named = remote_client.get("/sparql", query_string={
        "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": ARTICLE})
    assert [b["g"]["value"] for b in json.loads(named.data)["results"]["bindings"]] == [ARTICLE]


def test_a_graph_named_twice_counts_once(remote_client, remote):
    """Oxigraph, as pyoxigraph, matches a graph listed twice twice: each goes once."""
    size = str(remote.graph_counts[ARTICLE])
    count = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
    per_graph = "SELECT ?g (COUNT(*) AS ?n) {} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
    asked = {
        "FROM": {"query": count.format(f"FROM <{ARTICLE}> FROM <{ARTICLE}>")},
        "default-graph-uri": {"query": count.format(""), "default-graph-uri": [ARTICLE] * 2},
        "FROM NAMED": {"query": per_graph.format(
            f"FROM NAMED <{ARTICLE}> FROM NAMED <{ARTICLE}>")},
        "named-graph-uri": {"query": per_graph.format(""), "named-graph-uri": [ARTICLE] * 2},
    }
    answers = {}
    for name, params in asked.items():
        r = remote_client.get("/sparql", query_string=params, headers={"Accept": JSON})
        assert r.status_code == 200, r.data
        answers[name] = [b["n"]["value"] for b in r.json["results"]["bindings"]]
    assert answers == dict.fromkeys(asked, [size])


def test_the_dataset_sent_to_a_store_names_each_graph_once():
    """A store that reads FROM itself (honours_from) gets the query as written, unless it
    names a graph twice: then the protocol's parameters, each graph once."""
    a, b = "http://e/a", "http://e/b"
    fake = FakeStore()
    try:
        store = RemoteStore(fake.base + "/query", union_default_graph=True)
        assert store.honours_from

        def sent(text: str, **kwargs) -> dict[str, list[str]]:
            store.query(text, **kwargs)
            form = parse_qs(fake.requests[-1]["body"].decode())
            return {k: v for k, v in form.items() if k != "query"}

        count = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
        assert sent(count.format(f"FROM <{a}> FROM NAMED <{b}>"), has_dataset_clause=True) == {}
        assert sent(count.format(f"FROM <{a}> FROM <{b}> FROM <{a}> FROM NAMED <{b}> "
                                 f"FROM NAMED <{b}>"), has_dataset_clause=True) == {
            "default-graph-uri": [a, b], "named-graph-uri": [b]}
        assert sent(count.format(""), default_graph=[a, b, a], named_graphs=[b, b]) == {
            "default-graph-uri": [a, b], "named-graph-uri": [b]}
        store.close()
    finally:
        fake.close()


def test_a_long_result_is_cut_and_marked_as_by_the_embedded_store(remote, embedded, tmp_path):
    query = ("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?s) && isIRI(?o)) } "
             "ORDER BY ?s ?p ?o")
    for accept in (JSON, "application/sparql-results+xml", "text/csv",
                   "text/tab-separated-values"):
        bodies = []
        for store in (remote, embedded):
            client = create_app({"root": tmp_path, "max_results": 7}, dataset=store).test_client()
            got = client.get("/sparql", query_string={"query": query},
                             headers={"Accept": accept})
            assert got.status_code == 200
            assert got.headers["X-KG-Truncated"] == "7"
            assert "/limits#max-results" in got.headers["Link"]
            bodies.append(got.data)
        assert bodies[0] == bodies[1], accept
    client = create_app({"root": tmp_path, "max_results": 7}, dataset=remote).test_client()
    got = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                     headers={"Accept": "application/n-triples"})
    assert got.headers["X-KG-Truncated"] == "7"
    assert len(got.data.splitlines()) == 7


def test_pages_dumps_description_and_reconciliation_work_over_the_store(
        remote_client, embedded_client):
    for path in ("/void", "/sparql", "/place/phnom-penh", "/dumps/kg.nq", "/limits",
                 "/form?query=ASK%7B%7D"):
        got, want = remote_client.get(path), embedded_client.get(path)
        assert got.status_code == want.status_code == 200, path
    got = remote_client.get("/dumps/kg.nq").data
    want = embedded_client.get("/dumps/kg.nq").data
    assert got == want  # the same quads, canonically ordered
    q = json.dumps({"q0": {"query": "Phnom Penh"}})
    got = remote_client.get("/reconcile", query_string={"queries": q})
    want = embedded_client.get("/reconcile", query_string={"queries": q})
    assert got.status_code == 200 and json.loads(got.data) == json.loads(want.data)


def test_the_graph_store_and_a_browsers_query_page_work_over_the_store(
        remote_client, embedded_client):
    """/store (read-only Graph Store Protocol) and the HTML page a browser gets for a query
    link answer over a remote store as over the embedded one."""
    links = "/store?graph=" + quote("https://w3id.org/kg1978/graph/links", safe="")
    for path in (links, "/store"):  # no blank node in the links; the dataset is the dump
        got, want = remote_client.get(path, headers={"Accept": "application/n-quads"}), \
            embedded_client.get(path, headers={"Accept": "application/n-quads"})
        assert got.status_code == want.status_code == 200, path
        assert sorted(got.data.splitlines()) == sorted(want.data.splitlines()), path
    got, want = (rdflib.Graph().parse(data=c.get("/store?default").data, format="turtle")
                 for c in (remote_client, embedded_client))
    assert len(got) > 1000 and rdflib.compare.isomorphic(got, want)
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    query = "/sparql?query=" + quote("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } "
                                     "GROUP BY ?g ORDER BY ?g")
    got, want = remote_client.get(query, headers=browser), embedded_client.get(query,
                                                                              headers=browser)
    assert got.status_code == 200 and got.headers["Content-Type"].startswith("text/html")
    assert got.data.count(b"<tr>") == want.data.count(b"<tr>") > 1


# -- the endpoint's own checks stay ----------------------------------------------------------

def test_update_is_refused_and_the_store_is_unchanged(remote_client, oxigraph):
    before = graph_counts(oxigraph.base + "/query")
    for kwargs in ({"data": {"update": "DROP ALL"}},
                   {"data": {"query": "DELETE WHERE { ?s ?p ?o }"}},
                   {"data": b"CLEAR ALL", "content_type": "application/sparql-update"}):
        got = remote_client.post("/sparql", **kwargs)
        assert got.status_code == 403, got.data
    assert graph_counts(oxigraph.base + "/query") == before


def test_service_is_refused_before_the_store_sees_it(remote_client):
    got = remote_client.get("/sparql", query_string={
        "query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"})
    assert got.status_code == 400 and b"SERVICE" in got.data


def test_a_malformed_query_gets_400_with_the_stores_message(remote_client):
    got = remote_client.get("/sparql", query_string={"query": "SELECT ?x WHERE { ?x"})
    assert got.status_code == 400
    assert b"the store rejected the query" in got.data
    # what kg can tell from the text, it says as the embedded store says it
    got = remote_client.get("/sparql", query_string={
        "query": "SELECT ?l WHERE { ?s rdfs:label ?l }"})
    assert (got.status_code, got.data) == (400, (
        b"line 1, column 22: the prefix 'rdfs:' is not declared: add PREFIX rdfs: "
        b"<http://www.w3.org/2000/01/rdf-schema#> (the store rejected the query)\n"))


# -- the store down, or slow ---------------------------------------------------------------------

def test_a_store_that_went_down_gets_502_with_a_readable_message(tmp_path, dataset):
    server = start_oxigraph(tmp_path / "ox", in_memory=True)
    try:
        publish(settings_for(REPO, dataset.parent), server.base + "/store")
        store = RemoteStore(server.base + "/query")
        client = create_app({"root": tmp_path}, dataset=store).test_client()
        assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    finally:
        server.stop()
    got = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert got.status_code == 502
    assert b"connection refused (is it running?)" in got.data
    store.close()


def test_a_store_that_is_not_running_cannot_be_opened():
    from remote_stores import free_port

    with pytest.raises(RemoteError, match="connection refused"):
        RemoteStore(f"http://127.0.0.1:{free_port()}/query")


def test_a_slow_store_gets_503_within_the_time_limit(tmp_path):
    fake = FakeStore()
    try:
        store = RemoteStore(fake.base + "/query", union_default_graph=True)
        store._verbatim = frozenset()  # no probe: the fake answers every query alike
        fake.hang = b"slow"
        client = create_app({"root": tmp_path, "query_timeout": 1.0},
                            dataset=store).test_client()
        got = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?slow ?p ?o }"})
        assert got.status_code == 503
        assert b"did not answer within 0.9 s" in got.data
        store.close()
    finally:
        fake.close()


def test_credentials_are_sent_with_queries(tmp_path):
    fake = FakeStore(auth="basic")
    try:
        store = RemoteStore(fake.base + "/query", user="kg", password="s3cret",
                            union_default_graph=True)
        assert store.named_graphs == ()
        assert all(r["headers"]["Authorization"].startswith("Basic ") for r in fake.requests)
        store.close()
        with pytest.raises(RemoteError, match="HTTP 401"):
            RemoteStore(fake.base + "/query")
    finally:
        fake.close()


def test_a_store_without_union_default_graph_gets_the_union_by_the_protocol(
        tmp_path, dataset, embedded):
    server = start_oxigraph(tmp_path / "plain", in_memory=True, union=False)
    try:
        publish(settings_for(REPO, dataset.parent), server.base + "/store")
        store = RemoteStore(server.base + "/query")
        assert store.server_union is False
        client = create_app({"root": tmp_path}, dataset=store).test_client()
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        got = client.get("/sparql", query_string={"query": query})
        n = int(json.loads(got.data)["results"]["bindings"][0]["n"]["value"])
        assert n == len(embedded.select("SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"))
        text = (REPO / "tests" / "competency" / COMPETENCY[0].name).read_text()
        got = client.post("/sparql", data={"query": text}, headers={"Accept": JSON})
        want = json.loads(COMPETENCY[0].with_suffix(".srj").read_text())
        _same_answer(json.loads(got.data), want, text)
        store.close()
    finally:
        server.stop()


# -- a real `kg serve --store` process -------------------------------------------------------------

def test_kg_serve_store_forwards_to_the_remote(serve_kg, oxigraph):
    before = graph_counts(oxigraph.base + "/query")
    served = serve_kg("--store", oxigraph.base + "/query", "--workers", "1")
    text = COMPETENCY[0].read_text(encoding="utf-8")
    data = sparql_json(served.url + "/sparql", text)
    _same_answer(data, json.loads(COMPETENCY[0].with_suffix(".srj").read_text()), text)
    status, _, _ = http_request(served.url + "/sparql", "POST", b"update=DROP%20ALL",
                                {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 403
    assert any("forwarding queries to" in line for line in served.lines)
    assert graph_counts(oxigraph.base + "/query") == before


# -- Virtuoso 7 (Debian virtuoso-opensource), where it is installed --------------------------------

#: Answers in which Virtuoso 7 changes literals itself: xsd:boolean values come back as 1 / 0
#: (the-article, shift-to-offensive, what-prompted, under-way-1978-08-01's ``certainly``), and
#: geo:wktLiteral as virtrdf:Geometry with its coordinates reordered (phnom-penh). The rows
#: are the same; the values are Virtuoso's.
VIRTUOSO_LITERALS = {"the-article", "shift-to-offensive-1978-03-26", "phnom-penh",
                     "what-prompted", "under-way-1978-08-01"}

#: Virtuoso 7.2.5.1 answers ``?endOfTheBegin <= "1978-12-31"^^xsd:date`` on
#: crm:P81a_end_of_the_begin with no row at all on some data (its ``<``, ``=`` and ``>=`` answer right, and
#: so does ``<=`` on crm:P82a): a bug of its own, which the README names with the rewrite that
#: answers right. The question, and the rewrite the README gives.
VIRTUOSO_DATE_BUG = ("under-way-december-1978-crm",
                     '?endOfTheBegin <= "1978-12-31"^^xsd:date',
                     '?endOfTheBegin < "1979-01-01"^^xsd:date')


#: The datatypes whose literals Virtuoso 7 writes its own way (xsd:boolean as 1 / 0,
#: geo:wktLiteral as virtrdf:Geometry with its numbers rewritten); every other quad comes back
#: as published.
VIRTUOSO_REWRITES = {"http://www.w3.org/2001/XMLSchema#boolean",
                     "http://www.opengis.net/ont/geosparql#wktLiteral"}


def _quads_not_kept(query_url: str, dataset: Path) -> dict[str, list]:
    """Per graph of ``dataset``, its quads that the store at ``query_url`` does not hold as
    published (terms compared whole; a blank node only as being one)."""
    def key(term) -> tuple:
        if isinstance(term, ox.BlankNode):
            return ("bnode",)
        if isinstance(term, ox.NamedNode):
            return ("uri", term.value)
        return ("literal", term.value, term.language or term.datatype.value)

    def key_json(term: dict) -> tuple:
        if term["type"] == "bnode":
            return ("bnode",)
        if term["type"] == "uri":
            return ("uri", term["value"])
        return ("literal", term["value"], term.get("xml:lang") or term.get(
            "datatype", "http://www.w3.org/2001/XMLSchema#string"))

    local = ox.Store()
    local.bulk_load(path=str(dataset), format=ox.RdfFormat.N_QUADS)
    lost = {}
    for graph in sorted({q.graph_name.value for q in local}):
        mine = Counter((key(q.subject), key(q.predicate), key(q.object))
                       for q in local.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        theirs = sparql_json(query_url, f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        theirs = Counter(tuple(key_json(b[v]) for v in "spo")
                         for b in theirs["results"]["bindings"])
        lost[graph] = sorted(mine - theirs)
    return lost


@pytest.mark.slow
@pytest.mark.skipif(virtuoso_bin() is None,
                    reason="virtuoso-t is not installed (Debian: apt-get install "
                           "virtuoso-opensource; .ci/run installs it)")
def test_virtuoso_publish_and_serve(tmp_path: Path, dataset):
    server = start_virtuoso(tmp_path / "virtuoso")
    store = None
    try:
        settings = {**settings_for(REPO, dataset.parent), "store_user": "dba",
                    "store_password": "dba"}
        result = publish(settings, server.base + "/sparql-graph-crud-auth")
        assert result.remote == result.local
        # every quad is kept (the counts could match with a literal or IRI changed), but the
        # literals Virtuoso rewrites itself, which the README names
        lost = _quads_not_kept(server.base + "/sparql", dataset)
        assert ({(q[2][0], q[2][-1]) for quads in lost.values() for q in quads}
                == {("literal", datatype) for datatype in VIRTUOSO_REWRITES})
        again = publish(settings, server.base + "/sparql-auth", batch=500)
        assert again.remote == result.local
        assert _quads_not_kept(server.base + "/sparql", dataset) == lost
        store = RemoteStore(server.base + "/sparql")
        assert store.server_union  # Virtuoso's default graph is the union of all its graphs
        # Virtuoso quotes an IRI holding a comma in CSV (the probe has one); its JSON is not
        # laid out as the row counter cuts it
        assert store.verbatim_formats() == {ox.QueryResultsFormat.XML, ox.QueryResultsFormat.CSV}
        client = create_app({"root": tmp_path}, dataset=store).test_client()
        for query in COMPETENCY:
            text = query.read_text(encoding="utf-8")
            got = client.post("/sparql", data={"query": text}, headers={"Accept": JSON})
            assert got.status_code == 200, (query.name, got.data)
            got, want = json.loads(got.data), json.loads(query.with_suffix(".srj").read_text())
            if query.stem in VIRTUOSO_LITERALS:
                assert got["head"] == want["head"]
                assert len(got["results"]["bindings"]) == len(want["results"]["bindings"])
            elif query.stem == VIRTUOSO_DATE_BUG[0]:
                # its bug depends on the data: no row at all on the graph before three
                # latest-start days joined it, every row since; never more rows than are due
                assert got["head"] == want["head"]
                assert len(got["results"]["bindings"]) <= len(want["results"]["bindings"])
                if got["results"]["bindings"]:
                    _same_answer(got, want, text)
                rewritten = text.replace(*VIRTUOSO_DATE_BUG[1:])
                assert rewritten != text
                got = client.post("/sparql", data={"query": rewritten},
                                  headers={"Accept": JSON})
                _same_answer(json.loads(got.data), want, rewritten)
            else:
                _same_answer(got, want, text)
    finally:
        if store is not None:  # its keep-alive socket, also when an answer differs
            store.close()
        server.stop()


def test_the_union_is_counted_once_per_triple_whatever_the_store_counts(tmp_path):
    """Oxigraph (up to 0.5.13, at least) counts a triple held by two graphs twice in its
    union default graph; the description's count of the union's triples is each one once."""
    server = start_oxigraph(tmp_path / "ox", in_memory=True)
    try:
        label = ('<https://w3id.org/kg1978/place/x> '
                 '<http://www.w3.org/2000/01/rdf-schema#label> "X"@en')
        body = (f"{label} <https://w3id.org/kg1978/graph/a> .\n"
                f"{label} <https://w3id.org/kg1978/graph/b> .\n").encode()
        status, _, _ = http_request(server.base + "/store", "POST", body,
                                    {"Content-Type": "application/n-quads"})
        assert status in (200, 201, 204)
        store = RemoteStore(server.base + "/query")
        try:
            assert store.quad_count == 2
            # (the store's own COUNT over its union says 2 up to 0.5.13; not asserted, so that
            # a release with the fix does not fail the suite)
            assert store.triple_count == 1
            client = create_app({"root": tmp_path}, dataset=store).test_client()
            void = rdflib.Graph().parse(data=client.get("/void").data, format="turtle")
            VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
            assert int(void.value(rdflib.URIRef("https://w3id.org/kg1978/"),
                                  VOID.triples)) == 1
            label = next(void.subjects(VOID.property, rdflib.RDFS.label))
            assert int(void.value(label, VOID.triples)) == 1  # its property partition
        finally:
            store.close()
    finally:
        server.stop()
