"""Dumps and the dataset description (kg.endpoint.dumps), in process over the built dataset:
every dump parses and holds the right quads, ETag / Last-Modified / 304, serialised once and
the same bytes from every load, and the VoID + DCAT description at /dataset."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

import pyoxigraph as ox
import pytest

from kg import __version__
from kg.endpoint import create_app
from kg.links import coverage
from kg.store import DatasetStore
from kgtest import structured_data

BASE = "https://w3id.org/kg1978/"
INFERRED = BASE + "graph/inferred"
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
VOID = "http://rdfs.org/ns/void#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
FORMATS = {
    "trig": ("application/trig", ox.RdfFormat.TRIG),
    "nq": ("application/n-quads", ox.RdfFormat.N_QUADS),
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
}
NAMES = [f"{stem}.{ext}" for stem in ("kg", "kg-asserted") for ext in FORMATS]


@pytest.fixture(scope="module")
def store(dataset) -> DatasetStore:
    return DatasetStore.load(dataset)


@pytest.fixture
def client(store, tmp_path):
    return create_app({"root": tmp_path}, dataset=store).test_client()


def count(store: DatasetStore, where: str) -> int:
    return int(store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0]["n"].value)


@pytest.mark.parametrize("name", NAMES)
def test_each_dump_parses_and_holds_its_graphs(client, store, name):
    stem, ext = name.split(".")
    media_type, fmt = FORMATS[ext]
    r = client.get(f"/dumps/{name}")
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == media_type
    parsed = list(ox.parse(r.data, format=fmt))
    asserted_only = stem == "kg-asserted"
    if fmt.supports_datasets:
        graphs = {q.graph_name.value for q in parsed}
        expected = int(store.quad_count) - (
            count(store, f"GRAPH <{INFERRED}> {{ ?s ?p ?o }}") if asserted_only else 0)
        assert len(set(parsed)) == len(parsed) == expected
        assert (INFERRED in graphs) is not asserted_only
        assert BASE + "graph/article-part1" in graphs
    else:
        no_inferred = f"FILTER(?g != <{INFERRED}>)" if asserted_only else ""
        distinct = count(store, "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
                                f"{no_inferred} }}")
        assert len(set(parsed)) == len(parsed) == distinct
    triples = {(q.subject, q.predicate, q.object) for q in parsed}
    schema_event = (ox.NamedNode(BASE + "event/general-counter-offensive-1978-1979"),
                    ox.NamedNode(RDF + "type"), ox.NamedNode("http://schema.org/Event"))
    assert (schema_event in triples) is not asserted_only  # an inferred triple
    # the data's licence travels with every download, not only the ontology's
    assert (ox.NamedNode(BASE), ox.NamedNode("http://purl.org/dc/terms/license"),
            ox.NamedNode("https://creativecommons.org/licenses/by/4.0/")) in triples


def test_etag_last_modified_and_conditional_get(client, dataset):
    r = client.get("/dumps/kg.trig")
    etag = r.headers["ETag"]
    assert etag == '"sha256-' + hashlib.sha256(r.data).hexdigest() + '"'
    modified = parsedate_to_datetime(r.headers["Last-Modified"])
    assert modified == datetime.fromtimestamp(int(dataset.stat().st_mtime), tz=UTC)
    again = client.get("/dumps/kg.trig", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    since = client.get("/dumps/kg.trig", headers={"If-Modified-Since": r.headers["Last-Modified"]})
    assert since.status_code == 304
    earlier = format_datetime(datetime(1979, 1, 7, tzinfo=UTC), usegmt=True)
    assert client.get("/dumps/kg.trig", headers={"If-Modified-Since": earlier}).status_code == 200
    other = client.get("/dumps/kg.trig", headers={"If-None-Match": '"sha256-0"'})
    assert other.status_code == 200 and other.data == r.data
    # each dump has its own ETag
    assert client.get("/dumps/kg-asserted.trig").headers["ETag"] != etag


def test_head_gives_the_headers_of_get(client):
    got = client.get("/dumps/kg.nq")
    head = client.head("/dumps/kg.nq")
    assert head.status_code == 200 and head.data == b""
    assert int(head.headers["Content-Length"]) == len(got.data)
    assert head.headers["ETag"] == got.headers["ETag"]


@pytest.mark.parametrize("accept", ["text/turtle", "application/trig", "application/ld+json",
                                    "text/html", "image/png", "*/*;q=0"])
def test_a_dump_is_sent_whatever_the_accept(client, accept):
    """A dump is a file of one format, named by its URL: as Apache httpd and nginx serve a
    file, it is sent with its own type whatever ``Accept`` says (RFC 9110, 12.5.1 lets the
    header be disregarded), for a client to read by its ``Content-Type`` (a Linked Data client
    following ``void:dataDump`` with ``Accept: text/turtle`` got 406); nothing varies with
    ``Accept``, so it is not in ``Vary``. Ranges and gzip as ever."""
    plain = client.get("/dumps/kg.nq")
    for method in ("GET", "HEAD"):
        r = client.open("/dumps/kg.nq", method=method, headers={"Accept": accept})
        assert (r.status_code, r.headers["Content-Type"]) == (200, "application/n-quads")
        assert r.headers["ETag"] == plain.headers["ETag"]
        assert r.headers["Vary"] == "Accept-Encoding"
        assert r.data == (plain.data if method == "GET" else b"")
    r = client.get("/dumps/kg.nq", headers={"Accept": accept, "Range": "bytes=0-99",
                                            "Accept-Encoding": "gzip"})
    assert r.status_code == 206 and r.headers["Content-Encoding"] == "gzip"
    r = client.get("/dumps/kg.nq", headers={"Accept": accept,
                                            "If-None-Match": plain.headers["ETag"]})
    assert r.status_code == 304

def test_a_dump_is_gzipped_once_under_its_own_tag(client, store, monkeypatch):
    plain = client.get("/dumps/kg.nq")
    packed = client.get("/dumps/kg.nq", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data)
    for r in (plain, packed):
        assert r.headers["Vary"] == "Accept-Encoding" and r.headers["Accept-Ranges"] == "bytes"
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    assert packed.headers["Last-Modified"] == plain.headers["Last-Modified"]
    r = client.get("/dumps/kg.nq", headers={"Accept-Encoding": "gzip",
                                            "If-None-Match": packed.headers["ETag"]})
    assert r.status_code == 304 and r.headers["ETag"] == packed.headers["ETag"]
    r = client.get("/dumps/kg.nq", headers={"Accept-Encoding": "gzip",
                                            "If-None-Match": plain.headers["ETag"]})
    assert r.status_code == 200 and r.data == packed.data  # not the bytes that tag names
    # compressed once: the next gzip answer is the same bytes, and costs no query
    monkeypatch.setattr(store, "query", None)
    assert client.get("/dumps/kg.nq", headers={"Accept-Encoding": "gzip"}).data == packed.data


@pytest.mark.parametrize("coding", [None, "gzip"])
@pytest.mark.parametrize("header, first, last", [
    ("bytes=0-99", 0, 99),
    ("bytes=100-", 100, None),
    ("bytes=-50", -50, None),
    ("bytes = 10 - 19", 10, 19),
    ("bytes=0-999999999", 0, None),  # a last byte past the end: up to the end
    ("bytes=-999999999", 0, None),
])
def test_a_single_byte_range_gets_206(client, coding, header, first, last):
    headers = {"Accept-Encoding": coding} if coding else {}
    whole = client.get("/dumps/kg.ttl", headers=headers)
    r = client.get("/dumps/kg.ttl", headers={**headers, "Range": header})
    size = len(whole.data)
    start = first % size if first < 0 else first
    end = size - 1 if last is None else last
    assert r.status_code == 206, header
    assert r.data == whole.data[start:end + 1]  # of the bytes sent, gzipped or not
    assert r.headers["Content-Range"] == f"bytes {start}-{end}/{size}"
    assert int(r.headers["Content-Length"]) == end - start + 1
    assert r.headers["ETag"] == whole.headers["ETag"]
    assert r.headers.get("Content-Encoding") == coding
    head = client.head("/dumps/kg.ttl", headers={**headers, "Range": header})
    assert head.status_code == 206 and head.headers["Content-Range"] == r.headers["Content-Range"]


def test_ranges_put_together_give_the_dump(client):
    whole = client.get("/dumps/kg.trig").data
    parts = [client.get("/dumps/kg.trig", headers={"Range": f"bytes={n}-{n + 65535}"}).data
             for n in range(0, len(whole), 65536)]
    assert b"".join(parts) == whole


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=-0"])
def test_a_range_past_the_end_gets_416_naming_the_size(client, header):
    size = len(client.get("/dumps/kg.ttl").data)
    r = client.get("/dumps/kg.ttl", headers={"Range": header})
    assert r.status_code == 416 and r.headers["Content-Range"] == f"bytes */{size}"
    assert r.mimetype == "text/plain" and str(size).encode() in r.data
    assert "ETag" not in r.headers  # the message is not the dump
    packed = client.get("/dumps/kg.ttl", headers={"Range": header, "Accept-Encoding": "gzip"})
    gzipped = len(client.get("/dumps/kg.ttl", headers={"Accept-Encoding": "gzip"}).data)
    assert packed.status_code == 416 and "Content-Encoding" not in packed.headers
    assert packed.headers["Content-Range"] == f"bytes */{gzipped}"


@pytest.mark.parametrize("path", ["/dumps/kg.ttl", "/dumps/kg-asserted.nq", "/static/ui.js"])
def test_a_browsers_416_is_the_sites_error_page(client, path):
    """A range past the end is an error as the site's others are: a browser (an ``Accept``
    preferring HTML) gets the error page, a JSON client JSON, with the same status and
    ``Content-Range`` (it got plain text whatever it asked for)."""
    size = len(client.get(path).data)
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for method in ("GET", "HEAD"):
        r = client.open(path, method=method, headers={"Range": "bytes=999999999-",
                                                      "Accept": browser})
        assert r.status_code == 416 and r.mimetype == "text/html", (path, method)
        assert r.headers["Content-Range"] == f"bytes */{size}"
        assert "ETag" not in r.headers and "Content-Encoding" not in r.headers
        assert {"accept", "accept-encoding"} <= {v.lower() for v in r.vary}
    page = client.get(path, headers={"Range": "bytes=999999999-", "Accept": browser}).data
    assert b"Range Not Satisfiable" in page and f"{size} bytes".encode() in page
    assert b"<nav" in page  # the site's page, with its navigation
    r = client.get(path, headers={"Range": "bytes=999999999-", "Accept": "application/json"})
    assert r.status_code == 416 and r.json["status"] == 416 and str(size) in r.json["message"]
    r = client.get(path, headers={"Range": "bytes=999999999-"})
    assert r.status_code == 416 and r.mimetype == "text/plain"
    assert "Content-Range" in r.headers["Access-Control-Expose-Headers"] or path.startswith(
        "/static/")


@pytest.mark.parametrize("header", [
    "bytes=0-9, 20-29",  # several ranges: the whole dump (no multipart answers)
    "bytes=9-0",  # invalid
    "bytes=abc",
    "items=0-9",  # another unit
    "bytes=0-9,",
])
def test_other_ranges_get_the_whole_dump(client, header):
    whole = client.get("/dumps/kg.ttl")
    r = client.get("/dumps/kg.ttl", headers={"Range": header})
    assert r.status_code == 200 and r.data == whole.data and "Content-Range" not in r.headers


def test_if_range_lets_a_range_through_only_for_the_current_version(client):
    whole = client.get("/dumps/kg.nq")
    etag, modified = whole.headers["ETag"], whole.headers["Last-Modified"]
    earlier = format_datetime(datetime(1979, 1, 7, tzinfo=UTC), usegmt=True)
    for condition, partial in ((etag, True), (modified, True), ('"sha256-0"', False),
                               ("W/" + etag, False),  # a weak tag never matches
                               (etag[:-1] + '-gzip"', False), (earlier, False)):
        r = client.get("/dumps/kg.nq", headers={"Range": "bytes=0-9", "If-Range": condition})
        if partial:
            assert r.status_code == 206 and r.data == whole.data[:10], condition
        else:
            assert r.status_code == 200 and r.data == whole.data, condition
    # If-None-Match is decided first: a client holding the dump gets 304, not a range
    r = client.get("/dumps/kg.nq", headers={"Range": "bytes=0-9", "If-None-Match": etag})
    assert r.status_code == 304


def test_serialised_once_per_app(client, store, monkeypatch):
    first = client.get("/dumps/kg.ttl").data
    calls = []
    original = store.query

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(store, "query", counting)
    assert client.get("/dumps/kg.ttl").data == first
    assert client.get("/dumps/kg-asserted.nq").status_code == 200  # from the same quads
    assert calls == []


def test_every_load_serves_the_same_bytes(dataset, tmp_path):
    """Two loads of the dataset file (as two server processes would) give identical dumps,
    blank nodes included, so an ETag from one is good at the other."""
    a = create_app({"root": tmp_path}, dataset=dataset).test_client()
    b = create_app({"root": tmp_path}, dataset=dataset).test_client()
    for name in NAMES:
        assert a.get(f"/dumps/{name}").headers["ETag"] == b.get(f"/dumps/{name}").headers["ETag"]
    quads = list(ox.parse(a.get("/dumps/kg.nq").data, format=ox.RdfFormat.N_QUADS))
    assert any(isinstance(q.subject, ox.BlankNode) for q in quads)


def test_unknown_dump_and_dumps_index(client):
    r = client.get("/dumps/kg.xlsx")
    assert r.status_code == 404 and b"kg.trig" in r.data
    for method in ("GET", "HEAD"):  # a permanent address: 301 (was 302), readable anywhere
        r = client.open("/dumps/", method=method)
        assert r.status_code == 301 and r.headers["Location"] == "/dataset#downloads"
        assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert client.post("/dumps/").status_code == 405


# -- the VoID + DCAT description ---------------------------------------------------------------------

def _description(client, fmt: str = "ttl") -> ox.Store:
    r = client.get(f"/dataset?format={fmt}")
    assert r.status_code == 200
    graph = ox.Store()
    graph.load(r.data, format={"ttl": ox.RdfFormat.TURTLE,
                               "jsonld": ox.RdfFormat.JSON_LD}[fmt])
    return graph


def _one(graph: ox.Store, query: str):
    rows = list(graph.query("PREFIX dcat: <http://www.w3.org/ns/dcat#> "
                            "PREFIX dcterms: <http://purl.org/dc/terms/> "
                            "PREFIX void: <http://rdfs.org/ns/void#> "
                            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> " + query))
    return rows


def test_dataset_description_is_void_and_dcat(client, store):
    graph = _description(client)
    ds = _one(graph, "SELECT ?d WHERE { ?d a dcat:Dataset , void:Dataset ; void:sparqlEndpoint ?e }")
    assert len(ds) == 1
    d = ds[0]["d"]
    assert d.value == BASE  # the IRI its citation gives, one node for VoID and DCAT
    facts = _one(graph, f"""SELECT ?licence ?version ?triples ?creator WHERE {{
        <{d.value}> dcterms:license ?licence ; dcat:version ?version ; void:triples ?triples ;
        dcterms:creator/<http://xmlns.com/foaf/0.1/name> ?creator }}""")[0]
    assert facts["licence"].value == "https://creativecommons.org/licenses/by/4.0/"
    assert facts["version"].value == __version__
    assert int(facts["triples"].value) == count(store, "?s ?p ?o")
    assert facts["creator"].value
    events = _one(graph, f"""SELECT ?n WHERE {{ <{d.value}> void:classPartition [
        void:class <{BASE}ontology/Event> ; void:entities ?n ] }}""")
    assert int(events[0]["n"].value) == count(store, f"SELECT DISTINCT ?e WHERE {{ "
                                                     f"?e a <{BASE}ontology/Event> }}")
    service = _one(graph, f"""SELECT ?s WHERE {{ ?s a dcat:DataService ;
        dcat:endpointURL <http://localhost/sparql> ; dcat:servesDataset <{d.value}> }}""")
    assert service
    # what it is curated from: the article, also as its PROV derivation
    sources = _one(graph, f"""SELECT ?a WHERE {{ <{d.value}> dcterms:source ?a ;
        <http://www.w3.org/ns/prov#wasDerivedFrom> ?a }}""")
    assert [r["a"].value for r in sources] == [BASE + "source/article-part1"]


def test_dumps_are_distributions_with_media_type_and_size(client):
    graph = _description(client)
    found = _one(graph, """SELECT ?url ?media ?size WHERE { ?d dcat:distribution ?url .
        ?url a dcat:Distribution ; dcat:downloadURL ?url ; dcat:mediaType ?media ;
        dcat:byteSize ?size }""")
    assert {r["url"].value.rsplit("/", 1)[1] for r in found} == set(NAMES)
    for r in found:
        name = r["url"].value.rsplit("/", 1)[1]
        body = client.get(f"/dumps/{name}").data
        assert int(r["size"].value) == len(body)
        assert r["media"].value.endswith("/" + FORMATS[name.split(".")[1]][0])
    dumps = _one(graph, "SELECT ?u WHERE { ?d void:dataDump ?u }")
    assert len(dumps) == len(NAMES)


def test_linksets_per_authority_and_predicate_agree_with_coverage(client, store):
    """One linkset per authority and link predicate (a linkset has one void:linkPredicate),
    counting what kg.links.coverage counts for that authority and relation."""
    class View:
        def query(self, text, use_default_graph_as_union=True):
            return store.query(text)

    cov = coverage(View())
    graph = _description(client)
    found = {(r["space"].value, r["p"].value): int(r["n"].value) for r in _one(graph, """
        SELECT ?space ?p ?n WHERE { ?l a void:Linkset ; dcterms:title ?t ; void:triples ?n ;
            void:linkPredicate ?p ; void:objectsTarget/void:uriSpace ?space }""")}
    linked = {(a["namespace"], "http://www.w3.org/2004/02/skos/core#" + relation): a[relation]
              for a in cov["authorities"].values() for relation in ("exactMatch", "closeMatch")
              if a[relation]}
    assert linked and found == linked


def test_description_as_json_ld_and_html(client):
    graph = _description(client, "jsonld")
    assert _one(graph, "SELECT ?d WHERE { ?d a dcat:Dataset ; dcterms:license ?l }")
    r = client.get("/dataset", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    html = r.get_data(as_text=True)
    for name in NAMES:
        assert f'href="/dumps/{name}"' in html
    assert __version__ in html and "https://creativecommons.org/licenses/by/4.0/" in html
    assert 'href="/sparql"' in html or "http://localhost/sparql" in html
    r = client.get("/dataset")
    assert r.headers["Content-Type"].startswith("text/turtle")
    assert "Accept" in r.headers["Vary"]


def test_the_dataset_says_how_to_cite_it(client):
    import re
    from html import unescape

    graph = _description(client, "ttl")
    rows = _one(graph, "SELECT ?c WHERE { ?d a dcat:Dataset ; dcterms:bibliographicCitation ?c }")
    assert len(rows) == 1
    cited = rows[0]["c"].value
    assert f"(version {__version__})" in cited and "https://w3id.org/kg1978/" in cited
    assert cited.endswith("CC BY 4.0.") and re.search(r"\((19|20)\d\d\)", cited)
    html = client.get("/dataset", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'<p id="citation">{cited}</p>' in unescape(html)


def test_dataset_counts_each_link_once(dataset):
    """/dataset has one linkset per authority and link predicate, one target dataset per
    authority, and their triples add up to the links."""
    from kg.endpoint import create_app
    from kg.links import coverage
    from kg.query import open_store

    client = create_app({"TESTING": True}, dataset=dataset).test_client()
    body = client.get("/dataset", headers={"Accept": "application/n-triples"}).get_data()
    triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    void = "http://rdfs.org/ns/void#"
    linksets = {t.subject for t in triples if t.object == ox.NamedNode(void + "Linkset")}
    total = sum(int(t.object.value) for t in triples
                if t.subject in linksets and t.predicate == ox.NamedNode(void + "triples"))
    targets = {t.object for t in triples if t.predicate == ox.NamedNode(void + "objectsTarget")}
    cov = coverage(open_store(dataset))
    authorities = [a for a in cov["authorities"].values() if a["links"]]
    assert len(linksets) == sum(bool(a[r]) for a in authorities
                                for r in ("exactMatch", "closeMatch"))
    assert len(targets) == len(authorities)
    assert total == sum(a["links"] for a in authorities)
    assert total > 0
    for linkset in linksets:
        assert len([t for t in triples if t.subject == linkset
                    and t.predicate == ox.NamedNode(void + "linkPredicate")]) == 1


_SYNTAXES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES}


def _ground(body: bytes, accept: str) -> set[ox.Triple]:
    """The triples of a document without a blank node (whose labels are the document's)."""
    return {t for t in ox.parse(body, format=_SYNTAXES[accept])
            if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}


@pytest.mark.parametrize("accept", list(_SYNTAXES))
def test_void_is_the_void_of_the_dataset_description(built_app, accept):
    """/void and /dataset describe one IRI: /void is a part of /dataset, triple for triple
    (the same linksets, targets and counts), and every statement of /dataset in VoID's
    vocabulary is in /void. Merged, they describe each authority once."""
    client = built_app.test_client()
    void_doc = client.get("/void", headers={"Accept": accept})
    dataset_doc = client.get("/dataset", headers={"Accept": accept})
    assert void_doc.mimetype == dataset_doc.mimetype == accept
    void, described = _ground(void_doc.data, accept), _ground(dataset_doc.data, accept)
    assert len(void) > 100
    assert void <= described, sorted(map(str, void - described))[:10]
    in_void_terms = {t for t in described if t.predicate.value.startswith(VOID) or (
        t.predicate.value == RDF + "type" and t.object.value.startswith(VOID))}
    assert in_void_terms <= void, sorted(map(str, in_void_terms - void))[:10]
    # the VoID names the dumps, and each is there
    dataset = ox.NamedNode("https://w3id.org/kg1978/")
    dumps = {t.object.value for t in void
             if t.subject == dataset and t.predicate.value == VOID + "dataDump"}
    assert {d.rsplit("/", 1)[1] for d in dumps} == set(NAMES)
    for url in dumps:
        assert client.head(url.removeprefix("http://localhost")).status_code == 200


# -- schema.org Dataset markup on the landing page (what dataset search engines read) ----------

def _structured_data(html: bytes) -> dict:
    doc = structured_data(html)
    assert doc is not None
    return doc


def test_the_landing_page_carries_schema_org_dataset_markup(client, store):
    page = client.get("/dataset", headers={"Accept": "text/html"})
    doc = _structured_data(page.data)
    assert doc["@context"] == "https://schema.org/" and doc["@type"] == "Dataset"
    assert doc["@id"] == "https://w3id.org/kg1978/"  # the VoID and DCAT node
    assert doc["name"] and 50 <= len(doc["description"]) <= 5000  # the search engines' bounds
    assert doc["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert doc["version"] == __version__ and doc["citation"].startswith(doc["creator"]["name"])
    assert {d["contentUrl"].rsplit("/", 1)[1] for d in doc["distribution"]} == set(NAMES)
    for d in doc["distribution"]:
        reply = client.get(d["contentUrl"].replace("http://localhost", ""))
        assert reply.status_code == 200
        assert reply.headers["Content-Type"].split(";")[0] == d["encodingFormat"]
        assert d["contentSize"] == f"{len(reply.data)} B"
    first, last = doc["temporalCoverage"].split("/")
    dates = [r["d"].value for r in store.select(
        "SELECT ?d WHERE { ?e a <http://schema.org/Event> { ?e <http://schema.org/startDate> ?d }"
        " UNION { ?e <http://schema.org/endDate> ?d } }")]
    assert (first, last) == (min(dates), max(dates)) == ("1978-02-05", "1979-01-17")
    assert [c["name"] for c in doc["spatialCoverage"]] == [
        {"@value": "Cambodia", "@language": "en"}, {"@value": "Vietnam", "@language": "en"}]
    # valid JSON-LD: read offline with schema.org's context as its vocabulary
    doc["@context"] = {"@vocab": "http://schema.org/"}
    triples = [q.triple for q in ox.parse(json.dumps(doc), format=ox.RdfFormat.JSON_LD)]
    assert ox.Triple(ox.NamedNode(doc["@id"]), ox.NamedNode(RDF + "type"),
                     ox.NamedNode("http://schema.org/Dataset")) in triples
    assert ox.Literal("Cambodia", language="en") in {t.object for t in triples}


def test_the_markup_cannot_close_its_script_element(tmp_path):
    """A creator's name from the data is JSON in a <script>: '</script>' in it stays text."""
    evil = "Eve</script><script>alert(1)</script>"
    store = DatasetStore.from_quads([ox.Quad(
        ox.NamedNode("https://w3id.org/kg1978/ontology/"),
        ox.NamedNode("http://purl.org/dc/terms/creator"), ox.Literal(evil),
        ox.NamedNode("https://w3id.org/kg1978/graph/ontology"))])
    app = create_app({"root": tmp_path, "build_dir": tmp_path}, dataset=store)
    page = app.test_client().get("/dataset", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert b"<script>alert(1)" not in page.data
    assert _structured_data(page.data)["creator"]["name"] == evil


# -- the dataset's IRI: the base, whatever host serves it -------------------------------------

def test_the_datasets_iri_is_the_base_and_dereferences_to_its_description(client):
    """The citation gives https://w3id.org/kg1978/, which is / on the server: an RDF client
    gets the VoID and DCAT there (the bytes of /dataset), a browser the UI; and no Host
    header makes the dataset another one."""
    for accept, key in (("text/turtle", "ttl"), ("application/ld+json", "jsonld"),
                        ("application/n-triples", "nt")):
        root = client.get("/", headers={"Accept": accept})
        assert root.status_code == 200 and root.mimetype == accept, accept
        assert root.headers["Vary"] == "Accept, Accept-Encoding"
        assert root.data == client.get(f"/dataset?format={key}").data
    assert client.get("/?format=ttl").mimetype == "text/turtle"
    graph = ox.Store()
    graph.load(client.get("/", headers={"Accept": "text/turtle"}).data,
               format=ox.RdfFormat.TURTLE)
    assert graph.query(f"ASK {{ <{BASE}> a <{DCAT}Dataset> , <{VOID}Dataset> ; "
                       f"<{DCT}license> ?l ; <{DCT}bibliographicCitation> ?c "
                       f"FILTER(CONTAINS(?c, \"{BASE}\")) }}")
    for headers in ({"Accept": "text/html"}, {"Accept": "*/*"}, {}):
        page = client.get("/", headers=headers)
        assert page.status_code == 200 and page.mimetype == "text/html", headers
        assert page.headers["Vary"] == "Accept, Accept-Encoding"
    # another host describes the same dataset (only where to reach it changes)
    for path in ("/void", "/dataset?format=ttl", "/sparql"):
        doc = client.get(path, headers={"Host": "other.example", "Accept": "text/turtle"}).data
        assert b"other.example/sparql" in doc, path
        assert b"other.example/void#" not in doc and b"localhost" not in doc, path
        g = ox.Store()
        g.load(doc, format=ox.RdfFormat.TURTLE)
        assert g.query(f"ASK {{ <{BASE}> a <{VOID}Dataset> }}"), path


def test_well_known_void_redirects_to_the_void(client):
    for method in ("GET", "HEAD"):  # a permanent address: 301 (was 302)
        r = client.open("/.well-known/void?format=nt", method=method)
        assert r.status_code == 301 and r.headers["Location"] == "/void?format=nt"
        assert r.headers["Access-Control-Allow-Origin"] == "*"  # a browser may follow it
    assert client.post("/.well-known/void").status_code == 405
    assert client.get("/.well-known/void", follow_redirects=True).mimetype == "text/turtle"


def test_a_partition_has_the_same_iri_in_every_dataset(client, tmp_path):
    """The dataset's IRI is the same on every server, so its partitions must name the same
    thing on every server too: a class's partition is found by the class, not its position."""
    from kgtest import REPO

    tiny = create_app({"root": tmp_path}, dataset=DatasetStore.load(
        REPO / "tests" / "data" / "endpoint" / "tiny.trig")).test_client()

    def partitions(c) -> dict[str, str]:
        rows = ox.parse(c.get("/void", headers={"Accept": "application/n-triples"}).data,
                        format=ox.RdfFormat.N_TRIPLES)
        return {q.object.value: q.subject.value for q in rows
                if q.predicate.value in (VOID + "class", VOID + "property")}

    ours, theirs = partitions(client), partitions(tiny)
    shared = set(ours) & set(theirs)
    assert len(shared) >= 3 and len(ours) > len(shared)  # other classes shift no position
    assert all(ours[c] == theirs[c] for c in shared)


@pytest.mark.parametrize("accept, media", [(None, "text/plain"), ("text/turtle", "text/plain"),
                                           ("application/json", "application/json"),
                                           ("application/ld+json", "application/json")])
def test_an_unknown_dump_is_a_404_listing_the_dumps_in_the_clients_form(client, accept, media):
    """As the pages', /store's and /shapes/' errors: JSON ``{"status", "message"}`` for a
    client naming a JSON type (it got plain text), plain text otherwise."""
    reply = client.get("/dumps/kg.xyz", headers={"Accept": accept} if accept else {})
    assert reply.status_code == 404 and reply.mimetype == media
    text = reply.json["message"] if media == "application/json" else reply.text
    assert "no dump 'kg.xyz'" in text and all(name in text for name in NAMES)
