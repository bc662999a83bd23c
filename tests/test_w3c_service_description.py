"""W3C SPARQL 1.1 Service Description tests (``shared/w3c/sparql11/service-description/
manifest.ttl``) against a real ``kg serve`` of the built dataset.

The manifest names three tests and no data: each is a conformance criterion of the Service
Description recommendation (section 4), checked here as its validator checks it. Every
manifest entry must have a check (a new one fails, not skips). The validator's best-practice
checks (every potential service, dataset, graph and named graph typed; a recognised language;
every dataset with a graph) run too, as their own tests.
"""

from __future__ import annotations

from pathlib import Path
from urllib.request import Request, urlopen

import pytest
import rdflib
import rdflib.compare
from rdflib.namespace import RDF

from conftest import start_kg_serve

# rdflib's own JSON-LD parser builds a ConjunctiveGraph, which rdflib 7.1+ deprecates
pytestmark = pytest.mark.filterwarnings(
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
#: What RDF clients send for a service description; each answer must parse as RDF.
ACCEPTS = {
    "none": None,
    "turtle": "text/turtle",
    "rdfxml": "application/rdf+xml",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "any": "*/*",
    "rdf-clients": "application/rdf+xml, text/turtle;q=0.9, application/n-triples;q=0.8, "
                   "*/*;q=0.1",
}
_SYNTAX = {"text/turtle": "turtle", "application/rdf+xml": "xml",
           "application/n-triples": "nt", "application/ld+json": "json-ld"}


def _entries() -> list:
    from kgtest import SHARED

    path = SHARED / "w3c" / "sparql11" / "service-description" / "manifest.ttl"
    if not path.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{path} is absent"))]
    g = rdflib.Graph().parse(path, format="turtle")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    entries = rdflib.collection.Collection(g, g.value(manifest, MF.entries))
    return [pytest.param(str(e).rsplit("#", 1)[1], id=str(e).rsplit("#", 1)[1])
            for e in entries]


@pytest.fixture(scope="module")
def endpoint(dataset: Path, tmp_path_factory):
    served = start_kg_serve(tmp_path_factory.mktemp("sd"), "--dataset", str(dataset),
                            "--workers", "1")
    yield served.url + "/sparql"
    served.stop()


def _get(url: str, accept: str | None) -> tuple[str, bytes]:
    request = Request(url, headers={"Accept": accept} if accept else {})
    with urlopen(request, timeout=60) as response:
        return response.headers.get_content_type(), response.read()


def _description(url: str, accept: str | None = "text/turtle") -> rdflib.Graph:
    media, body = _get(url, accept)
    assert media in _SYNTAX, f"GET {url} (Accept: {accept}) answered {media}, not RDF"
    return rdflib.Graph().parse(data=body, format=_SYNTAX[media], publicID=url)


def _returns_rdf(url: str) -> None:
    """GET on the endpoint, with no query, returns RDF: for every Accept an RDF client sends."""
    graphs = {name: _description(url, accept) for name, accept in ACCEPTS.items()}
    reference = graphs.pop("turtle")
    assert len(reference) > 10
    for name, graph in graphs.items():
        assert rdflib.compare.isomorphic(graph, reference), name


def _has_endpoint_triple(url: str) -> None:
    """The description has ``?service sd:endpoint <URL>``, URL being the one dereferenced."""
    graph = _description(url)
    assert list(graph.subjects(SD.endpoint, rdflib.URIRef(url)))


def _conforms_to_schema(url: str) -> None:
    """The description follows the vocabulary's constraints: every sd:NamedGraph has an
    sd:name (an IRI: graph names are IRIs in SPARQL)."""
    graph = _description(url)
    named = list(graph.subjects(RDF.type, SD.NamedGraph))
    assert named, "no sd:NamedGraph at all: nothing was checked"
    for node in named:
        names = list(graph.objects(node, SD.name))
        assert len(names) == 1 and isinstance(names[0], rdflib.URIRef), node


CHECKS = {
    "returns-rdf": _returns_rdf,
    "has-endpoint-triple": _has_endpoint_triple,
    "conforms-to-schema": _conforms_to_schema,
}


@pytest.mark.parametrize("name", _entries())
def test_service_description_suite(endpoint, name):
    check = CHECKS.get(name)
    assert check is not None, f"the manifest names {name!r}, which no check here implements"
    check(endpoint)


# -- the validator's best practices -------------------------------------------------------------

#: class -> (properties whose subjects are potential instances, properties whose objects are)
TYPED = {
    SD.Service: ([SD.endpoint, SD.feature, SD.defaultEntailmentRegime,
                  SD.defaultSupportedEntailmentProfile, SD.extensionFunction,
                  SD.extensionAggregate, SD.languageExtension, SD.supportedLanguage,
                  SD.propertyFeature, SD.defaultDataset, SD.availableGraphs, SD.resultFormat,
                  SD.inputFormat], []),
    SD.Dataset: ([SD.defaultGraph], [SD.defaultDataset]),
    SD.NamedGraph: ([SD.entailmentRegime, SD.supportedEntailmentProfile, SD.name, SD.graph],
                    [SD.namedGraph]),
    SD.Graph: ([], [SD.defaultGraph, SD.graph]),
    SD.Function: ([], [SD.extensionFunction]),
}


@pytest.mark.parametrize("cls", list(TYPED), ids=lambda c: str(c).rsplit("#", 1)[1])
def test_every_potential_instance_is_typed(endpoint, cls):
    graph = _description(endpoint)
    subjects_of, objects_of = TYPED[cls]
    candidates = {s for p in subjects_of for s in graph.subjects(p, None)}
    candidates |= {o for p in objects_of for o in graph.objects(None, p)}
    assert candidates, f"nothing in the description could be a {cls}"
    untyped = [c for c in candidates if (c, RDF.type, cls) not in graph]
    assert not untyped


def test_a_recognised_language_and_every_dataset_has_a_graph(endpoint):
    graph = _description(endpoint)
    assert set(graph.objects(None, SD.supportedLanguage)) & {
        SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
    datasets = set(graph.objects(None, SD.defaultDataset)) | set(
        graph.subjects(RDF.type, SD.Dataset))
    assert datasets
    for ds in datasets:
        assert list(graph.objects(ds, SD.defaultGraph)) or list(graph.objects(ds, SD.namedGraph))
