"""The project's IRIs: one declared base, the ontology namespace, the named graphs."""

from __future__ import annotations

from rdflib import Namespace, URIRef

BASE = "https://w3id.org/kg1978/"
KGO = Namespace(BASE + "ontology/")
ONTOLOGY = URIRef(BASE + "ontology/")

GRAPH = Namespace(BASE + "graph/")
#: Named graph holding the ontology.
ONTOLOGY_GRAPH = GRAPH["ontology"]
#: Named graph holding what the reasoner added (OWL 2 RL closure, trivia filtered out).
INFERRED_GRAPH = GRAPH["inferred"]

CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
SCHEMA = Namespace("http://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")

#: The SHACL shapes' namespace, also the IRI of the shapes document (``/shapes/``).
SHAPES = BASE + "shapes/"

PREFIXES: dict[str, str] = {
    "kgo": str(KGO),
    "kg": BASE,
    "kgs": SHAPES,
    "crm": str(CRM),
    "sem": str(SEM),
    "schema": str(SCHEMA),
    "prov": str(PROV),
    "geo": str(GEO),
    "skos": str(SKOS),
    "dcterms": DCTERMS.__str__(),
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


#: The dataset's own IRIs by kind (``BASE + KIND/NAME``), under the prefixes the graph files use.
KIND_PREFIXES: dict[str, str] = {
    **{kind: f"{BASE}{kind}/" for kind in ("actor", "unit", "place", "event", "measure",
                                           "figure", "link", "agent", "graph")},
    "stmt": BASE + "statement/",
    "src": BASE + "source/",
}

#: Prefixes for RDF written for people to read (Turtle, TriG, RDF/XML, JSON-LD contexts):
#: :data:`PREFIXES`, the kinds (``actor:pol-pot``, not ``kg:actor\/pol-pot``) and the
#: authorities linked to. Queries keep :data:`PREFIXES`; validation reports name our IRIs by
#: kind too (:func:`kg.validate.short_iri`).
WRITE_PREFIXES: dict[str, str] = {
    **PREFIXES, **KIND_PREFIXES,
    "wd": "http://www.wikidata.org/entity/",  # GeoNames IRIs end in "/": written in full
}


def graph_iri_for(name: str) -> URIRef:
    """The named graph a file ``graph/NAME.ttl`` is loaded into."""
    return GRAPH[name]


def sparql_prologue() -> str:
    """PREFIX lines for every prefix above, for queries written in code and in the UI."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
