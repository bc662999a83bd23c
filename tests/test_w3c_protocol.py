"""W3C SPARQL 1.1 Protocol tests (``shared/w3c/sparql11/protocol/manifest.ttl``) against
``kg serve --dataset`` serving the suite's own dataset (data1-3.nt as named graphs).

Every query test runs, and the update tests that expect a refusal (4xx). The update tests
that expect an update to succeed check the opposite: this endpoint is read-only by design, so
their updates get 403 and the dataset is unchanged.
"""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
import pytest
import rdflib

from conftest import start_kg_serve

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
HTS = rdflib.Namespace("http://www.w3.org/2011/http-statusCodes#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

RESULT_TYPES = {"application/sparql-results+json", "application/sparql-results+xml",
                "text/csv", "text/tab-separated-values"}
RDF_TYPES = {"text/turtle", "application/n-triples", "application/rdf+xml",
             "application/ld+json"}


def _manifest(w3c_dir: Path) -> tuple[rdflib.Graph, list[rdflib.URIRef]]:
    path = w3c_dir / "protocol" / "manifest.ttl"
    g = rdflib.Graph().parse(path, format="turtle")
    manifest = next(g.subjects(rdflib.RDF.type, MF.Manifest))
    entries = list(rdflib.collection.Collection(g, g.value(manifest, MF.entries)))
    return g, entries


def _entries(*, updates: bool = False) -> list:
    """The suite's test names: the query tests (and the update tests that expect a refusal), or,
    with ``updates=True``, the update tests that expect the update to succeed."""
    from kgtest import SHARED

    w3c = SHARED / "w3c" / "sparql11"
    if not (w3c / "protocol" / "manifest.ttl").is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{w3c} is absent"))]
    g, entries = _manifest(w3c)
    params = []
    for entry in entries:
        name = str(entry).rsplit("#", 1)[1]
        expects_success = any(
            g.value(req, HT.resp) is not None
            and (g.value(req, HT.resp), MF.expectedStatus, HTS.StatusCode2xx) in g
            for req in _requests(g, entry))
        is_update = name.startswith("update_") or (name.startswith("update") and expects_success)
        if is_update == updates:
            params.append(pytest.param(name, id=name))
    return params


def _requests(g: rdflib.Graph, entry) -> list:
    action = g.value(entry, MF.action)
    return list(rdflib.collection.Collection(g, g.value(action, HT.requests)))


@pytest.fixture(scope="module")
def protocol_server(w3c_dir: Path, tmp_path_factory):
    """The suite's dataset: data1-3.nt, each in the named graph its tests use."""
    g, entries = _manifest(w3c_dir)
    graphs = {}
    for entry in entries:
        for data in g.objects(entry, UT.graphData):
            graphs[str(g.value(data, rdflib.RDFS.label))] = Path(
                str(g.value(data, UT.graph)).removeprefix("file://"))
    folder = tmp_path_factory.mktemp("protocol")
    dataset = folder / "protocol-dataset.nq"
    quads = []
    for name, path in sorted(graphs.items()):
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
            quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(name)))
    dataset.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    served = start_kg_serve(folder, "--dataset", str(dataset), "--workers", "1")
    yield served
    served.stop()


def _send(url: str, g: rdflib.Graph, req) -> http.client.HTTPResponse:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    path = str(g.value(req, HT.absolutePath))
    path = "/sparql" + path[len("/sparql/"):] if path.startswith("/sparql/") else path
    headers = {}
    header_list = g.value(req, HT.headers)
    if header_list is not None:
        for h in rdflib.collection.Collection(g, header_list):
            headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
    body = None
    content = g.value(req, HT.body)
    if content is not None:
        text = str(g.value(content, CNT.chars))
        charset = (headers.get("content-type", "").partition("charset=")[2] or "utf-8")
        body = text.encode("utf-16" if charset.lower() == "utf-16" else "utf-8")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    conn.request(str(g.value(req, HT.methodName)), path, body=body, headers=headers)
    response = conn.getresponse()
    response.payload = response.read()
    conn.close()
    return response


def _check(g: rdflib.Graph, resp_node, response) -> None:
    statuses = {str(s).rsplit("StatusCode", 1)[1] for s in g.objects(resp_node, MF.expectedStatus)}
    assert f"{str(response.status)[0]}xx" in statuses, (response.status, response.payload)
    media = response.getheader("Content-Type", "").split(";")[0].strip()
    fmt = g.value(resp_node, MF.expectedFormat)
    boolean = g.value(resp_node, MF.expectedBoolean)
    if fmt is not None and str(fmt) in ("boolean", "tabular"):
        assert media in RESULT_TYPES, media
    if fmt is not None and str(fmt) == "RDF":
        assert media in RDF_TYPES, media
        list(ox.parse(response.payload, format=ox.RdfFormat.from_media_type(media),
                      base_iri="http://example.org/"))
    if boolean is not None:
        if media == "application/sparql-results+json":
            assert json.loads(response.payload)["boolean"] is bool(boolean.toPython())
        else:
            parsed = ox.parse_query_results(response.payload,
                                            format=ox.QueryResultsFormat.from_media_type(media))
            assert bool(parsed) is bool(boolean.toPython())


@pytest.mark.parametrize("name", _entries(updates=True))
def test_update_tests_are_refused_and_change_nothing(protocol_server, w3c_dir, name):
    """The update tests that expect success: this endpoint is read-only by design, so each of
    their update requests gets 403 and the dataset keeps every quad."""
    g, _ = _manifest(w3c_dir)
    entry = rdflib.URIRef(
        "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#" + name)
    before = _count(protocol_server.url)
    updates = [req for req in _requests(g, entry) if _is_update_request(g, req)]
    assert updates, name
    for req in updates:
        response = _send(protocol_server.url, g, req)
        assert response.status == 403, (response.status, response.payload)
    assert _count(protocol_server.url) == before


def _is_update_request(g: rdflib.Graph, req) -> bool:
    """A protocol request carrying an update: an update= parameter or an update body."""
    uri = str(g.value(req, HT.absolutePath) or "")
    bodies = [str(g.value(c, CNT.chars)) for c in g.objects(req, HT.body)]
    headers = g.value(req, HT.headers)
    types = ([str(g.value(h, HT.fieldValue)) for h in rdflib.collection.Collection(g, headers)]
             if headers is not None else [])
    return ("?update=" in uri or "&update=" in uri
            or any(b.lstrip().startswith("update=") or "&update=" in b for b in bodies)
            or any(t.startswith("application/sparql-update") for t in types))


def _count(url: str) -> int:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    query = quote("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    conn.request("GET", "/sparql?query=" + query,
                 headers={"Accept": "application/sparql-results+json"})
    response = conn.getresponse()
    n = int(json.loads(response.read())["results"]["bindings"][0]["n"]["value"])
    conn.close()
    return n


@pytest.mark.parametrize("name", _entries())
def test_protocol(protocol_server, w3c_dir, name):
    g, _ = _manifest(w3c_dir)
    entry = rdflib.URIRef(
        "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#" + name)
    for req in _requests(g, entry):
        response = _send(protocol_server.url, g, req)
        _check(g, g.value(req, HT.resp), response)
