"""The read-only SPARQL 1.1 Graph Store Protocol at ``/store`` (kg.endpoint.graphstore).

On the built dataset: each named graph, the default graph (the union) and the whole dataset,
in every RDF syntax, compared with the store; errors, HEAD, conditional GET, preflight, and
writes refused with the store unchanged. Then the W3C Graph Store Protocol suite
(``shared/w3c/sparql11/graph-store-protocol/manifest-indirect.ttl``) in a read-only profile:
every request of each test is sent; a write must be refused (405) and change nothing, and each
GET / HEAD must answer what the suite expects from the graphs those writes would have made —
the app serving exactly those graphs.
"""

from __future__ import annotations

import gzip
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, urlsplit

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
from rdflib.namespace import RDF

from kgtest import REPO, SHARED

# rdflib's own JSON-LD and TriG parsers build a ConjunctiveGraph, deprecated since rdflib 7.1
pytestmark = pytest.mark.filterwarnings(
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

ARTICLE = "https://w3id.org/kg1978/graph/article-part1"
SYNTAX = {"text/turtle": "turtle", "application/n-triples": "nt", "text/plain": "nt",
          "application/rdf+xml": "xml", "application/ld+json": "json-ld",
          "application/trig": "trig", "application/n-quads": "nquads"}


@pytest.fixture(scope="module")
def app(built_app):
    return built_app


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def store(app):
    return app.extensions["kg"].store


def _graph(reply, base: str = "http://localhost/store") -> rdflib.Graph:
    media = reply.headers["Content-Type"].split(";")[0]
    return rdflib.Graph().parse(data=reply.data, format=SYNTAX[media], publicID=base)


def _store_graph(store, where: str) -> rdflib.Graph:
    triples = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}")
    nt = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=nt, format="nt")


# -- the built dataset -------------------------------------------------------------------------

def test_each_named_graph_is_the_graph_in_the_store(client, store):
    assert len(store.named_graphs) >= 5
    for name in store.named_graphs:
        reply = client.get(f"/store?graph={quote(name, safe='')}")
        assert reply.status_code == 200, reply.text
        assert reply.headers["Content-Type"] == "text/turtle; charset=utf-8"
        got = _graph(reply)
        assert len(got) > 0
        assert rdflib.compare.isomorphic(got, _store_graph(store, f"GRAPH <{name}> {{ ?s ?p ?o }}"))


@pytest.mark.parametrize("accept", ["text/turtle", "application/n-triples", "text/plain",
                                    "application/rdf+xml", "application/ld+json"])
def test_the_default_graph_is_the_union_each_triple_once(client, store, accept):
    reply = client.get("/store?default", headers={"Accept": accept})
    assert reply.status_code == 200, reply.text
    media = reply.headers["Content-Type"].split(";")[0]
    assert media == accept
    got = _graph(reply)
    assert len(got) == store.triple_count
    if media == "application/n-triples":  # one line per triple: none repeated
        assert len(reply.data.splitlines()) == store.triple_count
    assert rdflib.compare.isomorphic(got, _store_graph(store, "?s ?p ?o"))


@pytest.mark.parametrize("accept, dump", [(None, "kg.trig"), ("application/trig", "kg.trig"),
                                          ("application/n-quads", "kg.nq"),
                                          ("application/ld+json", "kg.jsonld")])
def test_without_a_graph_the_whole_dataset_as_its_dump(client, store, accept, dump):
    reply = client.get("/store", headers={"Accept": accept} if accept else {})
    assert reply.status_code == 200
    assert reply.data == client.get(f"/dumps/{dump}").data
    if dump == "kg.nq":
        assert len(reply.data.splitlines()) == store.quad_count
        names = {line.rsplit(b" ", 2)[-2].strip(b"<>").decode()
                 for line in reply.data.splitlines()}
        assert names == set(store.named_graphs)


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


class _Links(HTMLParser):
    """The ``href`` of every ``a`` and ``link`` of a page, and its ``h1`` text."""

    def __init__(self, html: str):
        super().__init__()
        self.links: list[str] = []
        self.alternates: list[tuple[str, str]] = []
        self.h1 = ""
        self._in_h1 = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "link" and a.get("rel") == "alternate":
            self.alternates.append((a["type"], a["href"]))
        self._in_h1 = self._in_h1 or tag == "h1"

    def handle_endtag(self, tag):
        self._in_h1 = self._in_h1 and tag != "h1"

    def handle_data(self, data):
        if self._in_h1:
            self.h1 += data


@pytest.mark.parametrize("query, title", [
    ("default", "default graph"), (f"graph={quote(ARTICLE, safe='')}", ARTICLE),
    ("", "whole dataset")])
@pytest.mark.parametrize("accept", [BROWSER, "text/html"])
def test_a_browser_gets_a_page_linking_each_format(client, store, query, title, accept):
    """A browser (whose Accept prefers HTML, or names it alone: a 406) got Turtle to save, or
    TriG for the whole dataset: it gets a page saying what the URL holds, linking each format
    and the graphs, every link of which answers."""
    reply = client.get(f"/store?{query}", headers={"Accept": accept})
    assert reply.status_code == 200, reply.text
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Accept" in reply.headers["Vary"] and reply.headers["ETag"]
    page = _Links(reply.get_data(as_text=True))
    assert title in page.h1
    formats = [h for h in page.links if "format=" in h]
    keys = {parse_qs(urlsplit(h).query)["format"][0] for h in formats}
    assert keys == ({"trig", "nq", "jsonld"} if not query
                    else {"ttl", "nt", "jsonld", "trig", "nq", "rdf"})
    assert sorted(h for _, h in page.alternates) == sorted(formats)
    for href in formats:  # each is what a client naming that format gets, byte for byte
        got = client.get(href, headers={"Accept": accept})
        key = parse_qs(urlsplit(href).query)["format"][0]
        assert got.status_code == 200, href
        assert got.data == client.get(f"/store?{query}{'&' if query else ''}format={key}").data
    for href in set(page.links) - set(formats):
        if href.startswith("/"):
            assert client.get(href, headers={"Accept": accept}).status_code == 200, href
    if query != "default":  # a graph's page, the default graph's view
        assert "/store?default" in page.links


@pytest.mark.parametrize("query", ["default", f"graph={quote(ARTICLE, safe='')}", ""])
@pytest.mark.parametrize("accept", [None, "*/*", "text/turtle", "application/n-quads",
                                    "application/ld+json"])
def test_rdf_clients_get_rdf_as_before(client, query, accept):
    """The page is for clients that prefer HTML: no Accept, */* and RDF types get RDF."""
    reply = client.get(f"/store?{query}", headers={"Accept": accept} if accept else {})
    if query and accept == "application/n-quads":
        assert reply.headers["Content-Type"] == "application/n-quads"
    elif not query and accept == "text/turtle":
        assert reply.status_code == 406
        return
    assert reply.status_code == 200
    assert "html" not in reply.headers["Content-Type"]
    expected = {None: "ttl" if query else "trig", "*/*": "ttl" if query else "trig",
                "text/turtle": "ttl", "application/n-quads": "nq",
                "application/ld+json": "jsonld"}[accept]
    assert reply.data == client.get(f"/store?{query}{'&' if query else ''}format={expected}").data


def test_a_graph_in_trig_keeps_its_name(client):
    reply = client.get(f"/store?graph={quote(ARTICLE)}&format=trig")
    assert reply.headers["Content-Type"] == "application/trig"
    names = {q.graph_name for q in ox.parse(reply.data, format=ox.RdfFormat.TRIG)}
    assert names == {ox.NamedNode(ARTICLE)}


BAD_GRAPH_REQUESTS = [
    ("/store?graph=http%3A%2F%2Fnope.example%2Fg", 404, "no graph <http://nope.example/g>"),
    ("/store?graph=graph/article-part1", 400, "absolute IRI"),
    ("/store?graph=", 400, "absolute IRI"),
    # the store's own rule, as for default-graph-uri: a bad percent escape is no IRI
    ("/store?graph=http%3A%2F%2Fa.example%2F%25zz", 400, "absolute IRI"),
    # octets that are no UTF-8 (GSP 4.2 reads the IRI as UTF-8): not the IRI <…/%FF>, a 404
    ("/store?graph=http%3A%2F%2Fa.example%2F%FF", 400, "not UTF-8 once percent-decoded"),
    ("/store?default&graph=http%3A%2F%2Fa.example%2F%E9t%E9", 400, "not UTF-8"),
    # the names in another case: not the whole dataset, which the URL names without them
    (f"/store?GRAPH={quote(ARTICLE)}", 400, "the parameter is named 'graph', in lower case"),
    ("/store?Default", 400, "the parameter is named 'default', in lower case"),
    (f"/store?graph={quote(ARTICLE)}&default", 400, "?graph=IRI or ?default"),
    (f"/store?graph={quote(ARTICLE)}&graph={quote(ARTICLE)}", 400, "once"),
    ("/store?default&format=csv", 406, "format=csv is not a format of this resource"),
    ("/store?format=csv", 406, "format=csv is not a format of this resource"),
    # the whole dataset is in no triples' syntax: as Accept: text/turtle, with the way to one
    ("/store?format=ttl", 406, "format=ttl is not a format of this resource, which is available "
                               "as application/trig (format=trig)"),
    (f"/store?graph={quote(ARTICLE)}&format=tutle", 406,
     "format=tutle is not a format of this resource"),
]


@pytest.mark.parametrize("target, status, words", BAD_GRAPH_REQUESTS)
def test_bad_graph_requests_are_explained(client, target, status, words):
    reply = client.get(target)
    assert reply.status_code == status
    assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert words in reply.text, reply.text
    for accept in ("*/*", "text/turtle", "application/n-quads", "text/plain"):
        assert client.get(target, headers={"Accept": accept}).data == reply.data, accept
    json = client.get(target, headers={"Accept": "application/ld+json"})
    assert json.status_code == status and json.mimetype == "application/json"
    assert json.json == {"status": status, "message": reply.text.rstrip("\n")}


def test_the_api_document_names_each_reason_for_a_400(client):
    """/openapi.json's 400 of /store names what the requests above are refused for."""
    described = client.get("/openapi.json").json["paths"]["/store"]["get"]["responses"]["400"]
    for reason in ("both graph and default", "relative graph IRI", "not UTF-8",
                   "in another case"):
        assert reason in described["description"], reason


class _ErrorPage(HTMLParser):
    """The text of the error page's message (``id="error-message"``)."""

    def __init__(self, html: str):
        super().__init__()
        self.message: str | None = None
        self._depth = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if self._depth:
            self._depth += 1
        elif dict(attrs).get("id") == "error-message":
            self._depth, self.message = 1, ""

    def handle_endtag(self, tag):
        self._depth = max(self._depth - 1, 0)

    def handle_data(self, data):
        if self._depth:
            self.message += data


@pytest.mark.parametrize("target, status, words", BAD_GRAPH_REQUESTS)
def test_a_browser_gets_a_bad_graph_request_explained_on_a_page(client, target, status, words):
    """A browser asking for a graph the dataset does not have (a link to an old graph's IRI),
    or with a format mistyped, got the message in plain text: the site's error page says it,
    with the same status (text for other clients, above)."""
    text = client.get(target)
    page = client.get(target, headers={"Accept": BROWSER})
    assert page.status_code == status
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Accept" in page.headers["Vary"]
    message = _ErrorPage(page.text).message
    assert message is not None and " ".join(message.split()) == " ".join(text.text.split())
    assert words in message
    assert "/dataset" in _Links(page.text).links  # the site's navigation


def test_nothing_acceptable_is_406_naming_the_formats(client):
    reply = client.get("/store?default", headers={"Accept": "application/sparql-results+json"})
    assert reply.status_code == 406 and "text/turtle" in reply.text
    reply = client.get("/store", headers={"Accept": "text/turtle"})
    assert reply.status_code == 406
    assert "application/trig" in reply.text and "?default" in reply.text
    # a JSON client's error is one object, the way to one graph in its message (the words
    # were written after the object, and the body was no JSON)
    reply = client.get("/store", headers={"Accept": "application/sparql-results+json"})
    assert reply.status_code == 406 and reply.mimetype == "application/json"
    assert reply.json["message"].endswith("; one graph, as triples: ?default or ?graph=IRI")


def test_head_has_the_headers_of_get_and_no_body(client):
    got = client.get(f"/store?graph={quote(ARTICLE)}")
    head = client.head(f"/store?graph={quote(ARTICLE)}")
    assert head.status_code == 200 and head.data == b""
    for name in ("Content-Type", "Content-Length", "ETag"):
        assert head.headers[name] == got.headers[name]
    assert client.head("/store?graph=http%3A%2F%2Fnope.example%2Fg").status_code == 404


def test_conditional_get_with_the_etag(client):
    first = client.get("/store?default")
    etag = first.headers["ETag"]
    assert etag.startswith('"sha256-') and first.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/store?default").headers["ETag"] == etag  # the same bytes each time
    again = client.get("/store?default", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = client.get(f"/store?graph={quote(ARTICLE)}", headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_graphs_are_gzipped_under_their_own_tag(client):
    plain = client.get("/store?default")
    packed = client.get("/store?default", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["Vary"] == "Accept, Accept-Encoding"
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    again = client.get("/store?default", headers={"Accept-Encoding": "gzip",
                                                  "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304
    # the route set its tag before the coding was chosen: the identity tag is not the one
    # of the gzipped bytes, and gets them
    other = client.get("/store?default", headers={"Accept-Encoding": "gzip",
                                                  "If-None-Match": plain.headers["ETag"]})
    assert other.status_code == 200 and other.data == packed.data


def test_the_whole_dataset_is_sent_as_its_dump_gzipped_and_in_ranges(client):
    dump = client.get("/dumps/kg.nq", headers={"Accept-Encoding": "gzip"})
    reply = client.get("/store", headers={"Accept": "application/n-quads",
                                          "Accept-Encoding": "gzip"})
    assert reply.data == dump.data and reply.headers["ETag"] == dump.headers["ETag"]
    assert reply.headers["Vary"] == "Accept, Accept-Encoding"
    part = client.get("/store", headers={"Accept": "application/n-quads",
                                         "Accept-Encoding": "gzip", "Range": "bytes=-100"})
    assert part.status_code == 206 and part.data == dump.data[-100:]


def test_preflight_offers_reading_only(client):
    reply = client.options("/store", headers={"Origin": "http://elsewhere.example",
                                              "Access-Control-Request-Method": "GET"})
    assert reply.status_code == 204
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert set(reply.headers["Access-Control-Allow-Methods"].split(", ")) == {
        "GET", "HEAD", "OPTIONS"}
    assert reply.headers["Allow"] == reply.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
@pytest.mark.parametrize("target", ["/store?default", f"/store?graph={quote(ARTICLE)}",
                                    "/store?graph=http%3A%2F%2Fnew.example%2Fg", "/store"])
def test_writes_are_refused_and_change_nothing(client, store, method, target):
    before = (store.quad_count, client.get("/store?format=nq").data)
    reply = client.open(target, method=method, data="<http://x/a> <http://x/p> <http://x/o> .",
                        headers={"Content-Type": "text/turtle"})
    assert reply.status_code == 405
    assert reply.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert "read-only" in reply.text
    assert (len(store), client.get("/store?format=nq").data) == before
    assert client.get("/store?graph=http%3A%2F%2Fnew.example%2Fg").status_code == 404


def test_the_dataset_description_names_the_graph_store(client):
    reply = client.get("/dataset", headers={"Accept": "text/turtle"})
    g = rdflib.Graph().parse(data=reply.data, format="turtle")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    service = rdflib.URIRef("http://localhost/store")
    assert (service, RDF.type, dcat.DataService) in g
    assert (service, rdflib.URIRef("http://purl.org/dc/terms/conformsTo"),
            rdflib.URIRef("https://www.w3.org/TR/sparql11-http-rdf-update/")) in g
    assert 'id="graph-store"' in client.get("/dataset", headers={"Accept": "text/html"}).text


# -- the W3C suite, read-only profile ----------------------------------------------------------

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
MANIFEST = SHARED / "w3c" / "sparql11" / "graph-store-protocol" / "manifest-indirect.ttl"
_STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
#: A test that needs the server to create a graph and name it (Location) cannot be run on a
#: read-only store: its later requests address the graph the server would have named.
NOT_APPLICABLE = {MF.POSTGraphCreation}
#: Where a test needs nothing, the default graph is one, empty.
DEFAULT = ""


def _manifest() -> rdflib.Graph | None:
    return rdflib.Graph().parse(MANIFEST, format="turtle") if MANIFEST.is_file() else None


def _tests(g: rdflib.Graph | None) -> list:
    if g is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{MANIFEST} is absent"))]
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    entries = list(rdflib.collection.Collection(g, g.value(manifest, MF.entries)))
    return [pytest.param(e, id=str(e).rsplit("#", 1)[1]) for e in entries
            if not NOT_APPLICABLE.intersection(g.objects(e, MF.requires))]


_SUITE = _manifest()


def _headers(g: rdflib.Graph, node) -> dict[str, str]:
    listed = g.value(node, HT.headers)
    if listed is None:
        return {}
    return {str(g.value(h, HT.fieldName)).lower(): str(g.value(h, HT.fieldValue))
            for h in rdflib.collection.Collection(g, listed)}


def _parts(body: str, content_type: str) -> list[tuple[str, str]]:
    """A request body as (media type, text) pieces: one, or the parts of a multipart body."""
    if not content_type.startswith("multipart/form-data"):
        return [(content_type.split(";")[0].strip(), body)]
    boundary = content_type.split("boundary=", 1)[1].strip()
    pieces = []
    for part in body.split("--" + boundary)[1:]:
        if part.startswith("--"):
            break
        head, _, text = part.partition("\r\n\r\n")
        media = next(line.split(":", 1)[1].split(";")[0].strip()
                     for line in head.splitlines() if line.lower().startswith("content-type"))
        pieces.append((media, text))
    return pieces


def _target(path: str) -> tuple[str, str]:
    """The store's path for the suite's ``/gsp…`` path, and the graph it names (decoded once,
    as the protocol says; DEFAULT for ``?default``)."""
    assert path.startswith("/gsp?"), path
    params = parse_qs(urlsplit(path).query, keep_blank_values=True)
    graph = DEFAULT if "default" in params else params["graph"][0]
    return "/store" + path[len("/gsp"):], graph


def _app_serving(graphs: dict[str, rdflib.Graph]):
    from kg.endpoint import create_app
    from kg.store import DatasetStore

    quads = []
    for name, graph in graphs.items():
        nt = graph.serialize(format="nt")
        context = ox.DefaultGraph() if name == DEFAULT else ox.NamedNode(name)
        quads += [ox.Quad(t.subject, t.predicate, t.object, context)
                  for t in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)]
    # The plain SPARQL dataset: the suite's default graph is a graph of its own.
    store = DatasetStore.from_quads(quads, union_default_graph=False)
    return create_app({"root": REPO}, dataset=store)


@pytest.mark.parametrize("test", _tests(_SUITE))
def test_w3c_graph_store_protocol_read_only(test):
    g = _SUITE
    requests = list(rdflib.collection.Collection(
        g, g.value(g.value(test, MF.action), HT.requests)))
    graphs: dict[str, rdflib.Graph] = {}
    app, checked = _app_serving(graphs), 0
    for step in requests:
        method = str(g.value(step, HT.methodName))
        path, name = _target(str(g.value(step, HT.absolutePath)))
        headers = _headers(g, step)
        body_node = g.value(step, HT.body)
        body = str(g.value(body_node, CNT.chars)) if body_node is not None else None
        resp = g.value(step, HT.resp)
        expected = {_STATUS[str(s).rsplit("#", 1)[1]] for s in g.objects(resp, MF.expectedStatus)}
        before = app.test_client().get("/store?format=nq").data
        reply = app.test_client().open(path, method=method, data=body, headers=headers)
        if method in ("PUT", "POST", "DELETE"):
            # Refused, and nothing written; then the graphs as the write would have left them.
            assert reply.status_code == 405, (method, path, reply.status_code)
            assert app.test_client().get("/store?format=nq").data == before
            if method == "DELETE":
                graphs.pop(name, None)
            else:
                written = rdflib.Graph()
                for media, text in _parts(body or "", headers.get("content-type", "text/turtle")):
                    written.parse(data=text, format=SYNTAX[media], publicID=name or None)
                if method == "POST" and name in graphs:
                    written += graphs[name]
                graphs[name] = written
            app = _app_serving(graphs)
            continue
        assert method in ("GET", "HEAD"), method
        assert reply.status_code in expected, (method, path, reply.status_code, reply.text)
        checked += 1
        for field, value in _headers(g, resp).items():
            assert reply.headers[field] == value, (path, field)
        expected_body = g.value(resp, HT.body)
        if method == "HEAD":
            assert reply.data == b""
        elif expected_body is not None:
            want = rdflib.Graph().parse(data=str(g.value(expected_body, CNT.chars)),
                                        format="turtle")
            assert rdflib.compare.isomorphic(_graph(reply), want), (path, reply.text)
    assert checked, "a test of the suite with no GET or HEAD checked nothing"


def test_the_suite_is_run_but_for_graph_creation():
    """Every test of the manifest runs but those needing a graph made by the server (the
    README gives the counts: a new test in the suite must be looked at, not dropped)."""
    if _SUITE is None:
        pytest.skip(f"{MANIFEST} is absent")
    run = [p.values[0] for p in _tests(_SUITE)]
    manifest = next(_SUITE.subjects(RDF.type, MF.Manifest))
    every = list(rdflib.collection.Collection(_SUITE, _SUITE.value(manifest, MF.entries)))
    left = [str(e).rsplit("#", 1)[1] for e in every if e not in run]
    assert (len(run), left) == (8, ["post_get_new_graph"])


def test_a_graph_with_blank_nodes_is_the_same_bytes_from_every_process(tmp_path):
    """Each load of the dataset (each worker, each restart) labels blank nodes its own way:
    ``?default`` and ``?graph=`` had other bytes and another ``ETag`` from each, so a client's
    revalidation failed whenever another worker answered. Labelled by RDFC-1.0 and sorted."""
    from kg.endpoint import create_app
    from kg.store import DatasetStore

    text = """<https://w3id.org/kg1978/place/a> <http://www.opengis.net/ont/geosparql#hasGeometry>
      _:g <https://w3id.org/kg1978/graph/entities> .
    _:g <http://www.opengis.net/ont/geosparql#asWKT> "POINT(1 2)" <https://w3id.org/kg1978/graph/entities> .
    <https://w3id.org/kg1978/place/b> <http://www.opengis.net/ont/geosparql#hasGeometry>
      _:h <https://w3id.org/kg1978/graph/entities> .
    _:h <http://www.opengis.net/ont/geosparql#asWKT> "POINT(3 4)" <https://w3id.org/kg1978/graph/entities> .
    """.replace("\n      ", " ")
    answers = []
    for _ in range(2):
        store = DatasetStore.from_quads(list(ox.parse(text.encode(),
                                                      format=ox.RdfFormat.N_QUADS)))
        client = create_app({"root": tmp_path}, dataset=store).test_client()
        answers.append([(r.data, r.headers["ETag"]) for r in (
            client.get("/store", query_string=q, headers={"Accept": a})
            for q in ("default", {"graph": "https://w3id.org/kg1978/graph/entities"})
            for a in ("application/n-triples", "text/turtle"))])
    assert answers[0] == answers[1]
    assert b"_:c14n0" in answers[0][0][0]
