"""The SPARQL 1.1 Service Description (GET /sparql) and the VoID description (GET /void).

Both are RDF built once per server root and format, then served from memory. The service
description says the default graph is the union of all named graphs (``sd:UnionDefaultGraph``),
lists the named graphs, and says ``…/graph/inferred`` holds OWL 2 RL entailments and the day
bounds of :mod:`kg.dates`, materialised, so matched with simple entailment (``ent:Simple``) as
every graph is. VoID counts triples, entities per class, properties, named graphs and links
to other datasets (a linkset per authority and link predicate), and names the dumps.
``/dataset`` (:mod:`.dumps`) is these same VoID triples with DCAT added, so the two never
describe the dataset's IRI differently.

The dataset's IRI is the project's base, ``https://w3id.org/kg1978/`` (:data:`DATASET`), the
IRI its citation gives, whatever host serves it: ``/`` on the server answers RDF clients with
the description. The nodes of the description (partitions, subsets, linksets and their
targets) are fragments of ``https://w3id.org/kg1978/void`` (``/void`` here); the endpoint,
the dumps and the document URLs are this server's, where a client reaches them.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections import defaultdict
from urllib.parse import urlsplit

import pyoxigraph as ox

from kg import iris
from kg.endpoint.bounded_cache import BoundedCache
from kg.endpoint.results import (
    FORMATS,
    GRAPH,
    used_prefixes,
    without_unused_its,
    write_triples,
)
from kg.store import DatasetStore

__all__ = ["DATASET", "VOID_DOCUMENT", "Descriptions", "LINK_PREDICATES"]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
ENT = "http://www.w3.org/ns/entailment/"
OWL_PROFILE = "http://www.w3.org/ns/owl-profile/"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Predicates whose IRI objects outside the project's namespace count as links (VoID linksets).
LINK_PREDICATES = (
    "http://www.w3.org/2004/02/skos/core#exactMatch",
    "http://www.w3.org/2004/02/skos/core#closeMatch",
    "http://www.w3.org/2004/02/skos/core#relatedMatch",
    "http://www.w3.org/2004/02/skos/core#broadMatch",
    "http://www.w3.org/2004/02/skos/core#narrowMatch",
    "http://www.w3.org/2002/07/owl#sameAs",
    "http://www.w3.org/2000/01/rdf-schema#seeAlso",
    "http://schema.org/sameAs",
)
#: The dataset's IRI, the same on every server: the base its citation gives.
DATASET = iris.BASE
#: The VoID document's IRI under the base, whose fragments name the description's nodes.
VOID_DOCUMENT = iris.BASE + "void"
GEOF = "http://www.opengis.net/def/function/geosparql/"
_PREFIXES = {**iris.WRITE_PREFIXES, "sd": SD, "void": VOID, "ent": ENT, "dcterms": DCT,
             "geof": GEOF}
KGO = str(iris.KGO)

#: The GeoSPARQL 1.1 functions (geof:) and the arguments each is tried with: the engine's
#: build decides which it accepts, so the service description declares those it does.
_GEOF_TRIALS = {
    **{name: 2 for name in ("sfEquals", "sfDisjoint", "sfIntersects", "sfTouches", "sfCrosses",
                            "sfWithin", "sfContains", "sfOverlaps", "ehEquals", "ehDisjoint",
                            "ehMeets", "ehOverlap", "ehCovers", "ehCoveredBy", "ehInside",
                            "ehContains", "rcc8eq", "rcc8dc", "rcc8ec", "rcc8po", "rcc8tppi",
                            "rcc8tpp", "rcc8ntpp", "rcc8ntppi", "intersection", "union",
                            "difference", "symDifference")},
    "distance": 3, "buffer": 3,
    **{name: 1 for name in ("envelope", "convexHull", "boundary", "getSRID", "isEmpty",
                            "isSimple", "dimension", "coordinateDimension", "spatialDimension",
                            "area", "length", "centroid", "asWKT", "asGeoJSON")},
}


@functools.cache
def geosparql_functions() -> tuple[str, ...]:
    """The geof: functions pyoxigraph accepts here, found by calling each on two points (a
    function it does not know is an error; one it knows may give no value on points). Once
    per process: the engine does not change, and a description is made per host and format."""
    found = []
    store = ox.Store()
    point = '"POINT(104.9 11.55)"^^<http://www.opengis.net/ont/geosparql#wktLiteral>'
    args = {1: point, 2: f"{point}, {point}",
            3: f"{point}, {point}, <http://www.opengis.net/def/uom/OGC/1.0/metre>"}
    for name, arity in _GEOF_TRIALS.items():
        try:
            store.query(f"SELECT * WHERE {{ BIND(<{GEOF}{name}>({args[arity]}) AS ?x) }}")
        except (SyntaxError, OSError, ValueError, RuntimeError):
            continue
        found.append(GEOF + name)
    return tuple(sorted(found))


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _key(iri: str) -> str:
    """A short name for a partition of ``iri``: the same on every server and in every version."""
    return hashlib.sha256(iri.encode("utf-8")).hexdigest()[:12]


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD + "integer"))


def _named_graph_nodes(name: str) -> tuple[ox.NamedNode, ox.NamedNode]:
    """The sd:NamedGraph of the graph named ``name`` (``void#named-graph-…``) and the graph
    itself, an sd:Graph and a VoID subset (``void#graph-…``), in both descriptions."""
    key = _key(name)
    return _n(f"{VOID_DOCUMENT}#named-graph-{key}"), _n(f"{VOID_DOCUMENT}#graph-{key}")


class _Triples(list):
    def add(self, s, p: str, o) -> None:
        self.append(ox.Triple(s, _n(p), o))


def vocabularies(classes, properties) -> list[str]:
    """The vocabularies whose terms the data uses as classes or properties (``void:vocabulary``):
    each term's namespace, up to its last ``#`` or ``/`` (``http://schema.org/``,
    ``http://www.opengis.net/ont/geosparql#``), sorted. The ontology is ``kgo:``; other IRIs
    under the base are the data's own, no vocabulary."""
    found = set()
    for term in (*classes, *properties):
        namespace = term[:max(term.rfind("#"), term.rfind("/")) + 1]
        if namespace.startswith(iris.BASE) and namespace != KGO:
            continue  # the data's own IRIs
        if namespace.partition("://")[2].strip("/#"):  # a scheme, then something
            found.add(namespace)
    return sorted(found)


class Descriptions:
    """Service description and VoID of one store, serialised on demand and cached."""

    def __init__(self, store: DatasetStore, limits: dict):
        self._store = store
        self._limits = limits
        # one entry per host name (and format): a bound, not a policy
        self._cache: BoundedCache[tuple[str, str, str], bytes] = BoundedCache(256)
        self._void: BoundedCache[str, list[ox.Triple]] = BoundedCache(256)
        self._stats: dict | None = None
        self._lock = threading.Lock()

    def formats(self) -> tuple:
        return tuple(f for f in FORMATS if GRAPH in f.kinds)

    # -- the service description -------------------------------------------------------
    def service_description(self, endpoint: str, void_url: str, writer: ox.RdfFormat,
                            json_ld_form: str | None = None) -> bytes:
        return self._serialized(("sd", endpoint + " " + void_url, writer.name), writer,
                                lambda: self._sd_triples(endpoint, void_url), json_ld_form)

    def _serialized(self, key: tuple[str, str, str], writer: ox.RdfFormat, triples,
                    json_ld_form: str | None = None) -> bytes:
        """The description ``triples()`` makes, serialised once per key (host and format);
        JSON-LD expanded, as pyoxigraph writes it, or compacted where ``json_ld_form`` asks."""
        compacted = writer == ox.RdfFormat.JSON_LD and json_ld_form == "compacted"
        if compacted:
            key = (key[0], key[1], key[2] + "-compacted")
        body = self._cache.get(key)
        if body is None:
            made = triples()
            if compacted:
                body = write_triples(made, writer, _PREFIXES, json_ld_form=json_ld_form)
            else:
                body = ox.serialize(made, format=writer,
                                    prefixes=used_prefixes(made, _PREFIXES, syntax=writer))
                if writer == ox.RdfFormat.RDF_XML:
                    body = without_unused_its(body)
            self._cache.remember(key, body)
        return body

    def _sd_triples(self, endpoint: str, void_url: str) -> list[ox.Triple]:
        t = _Triples()
        service = _n(endpoint)
        dataset = _n(DATASET)
        default_graph = ox.BlankNode("defaultGraph")
        t.add(service, RDF + "type", _n(SD + "Service"))
        t.add(service, SD + "endpoint", service)
        t.add(service, SD + "supportedLanguage", _n(SD + "SPARQL11Query"))
        t.add(service, SD + "feature", _n(SD + "UnionDefaultGraph"))
        t.add(service, SD + "defaultEntailmentRegime", _n(ENT + "Simple"))
        for fmt in FORMATS:
            t.add(service, SD + "resultFormat", _n(fmt.w3c))
        for function in geosparql_functions():
            t.add(service, SD + "extensionFunction", _n(function))
            t.add(_n(function), RDF + "type", _n(SD + "Function"))
        t.add(service, RDFS + "comment", ox.Literal(
            "Read-only SPARQL 1.1 Query endpoint (SPARQL Update is refused with 403). The default "
            "graph is the union of all named graphs. SERVICE is refused; FROM / FROM NAMED and "
            "the protocol's default-graph-uri / named-graph-uri select graphs of this store only, "
            "never fetched. Limits: a query may run "
            f"{self._limits['query_timeout']:g} s (then 503); at most "
            f"{self._limits['max_results']} rows or triples are returned, a cut result carries "
            f"the header X-KG-Truncated; request bodies up to {self._limits['max_body_bytes']} "
            f"bytes (413 beyond); brackets nested at most {self._limits['max_query_depth']} "
            "deep.", language="en"))
        t.add(service, SD + "defaultDataset", dataset)
        t.add(dataset, RDF + "type", _n(SD + "Dataset"))
        t.add(dataset, RDF + "type", _n(VOID + "Dataset"))
        t.add(dataset, RDFS + "seeAlso", _n(void_url))
        t.add(dataset, SD + "defaultGraph", default_graph)
        t.add(default_graph, RDF + "type", _n(SD + "Graph"))
        t.add(default_graph, RDFS + "comment", ox.Literal(
            "The union (RDF merge) of all the graphs of this dataset: a triple held by several "
            "graphs is in it once.", language="en"))
        t.add(default_graph, VOID + "triples", _int(self._store.triple_count))
        counts = self.stats()["graphs"]
        for name in self._store.named_graphs:
            # the nodes the VoID gives the graph and its naming: the two documents merged
            # describe each graph once
            node, graph = _named_graph_nodes(name)
            t.add(dataset, SD + "namedGraph", node)
            t.add(node, RDF + "type", _n(SD + "NamedGraph"))
            t.add(node, SD + "name", _n(name))
            t.add(node, SD + "graph", graph)
            t.add(graph, RDF + "type", _n(SD + "Graph"))
            t.add(graph, RDF + "type", _n(VOID + "Dataset"))
            t.add(graph, VOID + "triples", _int(counts.get(name, 0)))
            if name == str(iris.INFERRED_GRAPH):
                # What the graph holds was entailed under OWL 2 RL when the dataset was built;
                # matching over it is simple entailment, over the stored triples (a regime
                # here says how basic graph patterns are matched, SPARQL 1.1 Service
                # Description 3.2.5): OWL-RDF-Based would promise answers it does not give.
                t.add(node, SD + "entailmentRegime", _n(ENT + "Simple"))
                t.add(graph, RDFS + "comment", ox.Literal(
                    "Triples the OWL 2 RL rules (OWL 2 RL profile, " + OWL_PROFILE + "RL) "
                    "entail from the asserted graphs, materialised when the dataset was built "
                    "and kept apart from them; with the day bounds of the events' dates "
                    "(kgo:beginOfTheBegin, kgo:endOfTheBegin, kgo:beginOfTheEnd, "
                    "kgo:endOfTheEnd: xsd:date values derived from dates of any precision) and "
                    "what the rules entail from those. They are matched as stored (simple "
                    "entailment): the default graph, the union, holds the asserted triples "
                    "with these. "
                    "Left out as adding nothing: owl:Thing types, reflexive owl:sameAs, types "
                    "that only an rdfs:domain or rdfs:range gives, and statements about the "
                    "built-in vocabularies. This graph alone holds only what the build "
                    "added.", language="en"))
        return t

    # -- VoID ------------------------------------------------------------------------------
    def stats(self) -> dict:
        """Counts over the dataset, computed once (it never changes)."""
        with self._lock:
            if self._stats is None:
                self._stats = self._compute_stats()
            return self._stats

    def _compute_stats(self) -> dict:
        s = self._store

        def one(query: str) -> int:
            rows = s.select(query)
            return int(rows[0]["n"].value) if rows and "n" in rows[0] else 0

        sizes = getattr(s, "graph_sizes", None)  # a DatasetStore's, counted as it loaded
        if sizes is not None:
            graphs = {g: sizes[g] for g in s.named_graphs if sizes.get(g)}
        else:
            graphs = {str(r["g"].value): int(r["n"].value) for r in s.select(
                "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
                if isinstance(r["g"], ox.NamedNode)}
        classes = {r["c"].value: int(r["n"].value) for r in s.select(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
            if isinstance(r.get("c"), ox.NamedNode)}
        # Where graphs share triples, a store may count a shared one once per graph (a
        # remote Oxigraph <= 0.5.13 or Virtuoso); counted over DISTINCT triples then.
        triples = ("{ SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
                   if s.triple_count != s.quad_count else "{ ?s ?p ?o }")
        properties = {r["p"].value: int(r["n"].value) for r in s.select(
            f"SELECT ?p (COUNT(*) AS ?n) WHERE {triples} GROUP BY ?p")}
        from kg.links import AUTHORITIES, authority_of

        # (predicate, authority name or host, URI space) -> link triples, and the distinct
        # subjects and objects among them; a known authority's space is where its entities'
        # IRIs live (http://www.wikidata.org/entity/), another site's its host. The links as
        # written: the inferred graph repeats each exact match as schema:sameAs (a bridge
        # axiom of the ontology), the same links, which are not counted twice.
        found: dict[tuple[str, str, str], list] = defaultdict(lambda: [0, set(), set()])
        values = " ".join(f"<{p}>" for p in LINK_PREDICATES)
        for r in s.select(
                f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} "
                f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{iris.INFERRED_GRAPH}>) "
                f"FILTER(isIRI(?o) && !STRSTARTS(STR(?o), \"{iris.BASE}\")) }}"):
            name = authority_of(r["o"].value)
            if name:
                key = (r["p"].value, name, AUTHORITIES[name].namespace)
            else:
                parts = urlsplit(r["o"].value)
                key = (r["p"].value, parts.netloc, f"{parts.scheme}://{parts.netloc}/")
            entry = found[key]
            entry[0] += 1
            entry[1].add(r["s"])
            entry[2].add(r["o"])
        links = {key: {"triples": n, "subjects": len(subjects), "objects": len(objects)}
                 for key, (n, subjects, objects) in found.items()}
        # The entities of void:uriSpace: IRIs under the base, not the subjects of bridge axioms
        # about other vocabularies' terms (VoID: uriSpace prefixes every entity). Counted among
        # the distinct subjects, in one pass (the filter on every triple took twice as long).
        subjects = s.select(
            "SELECT (COUNT(*) AS ?n) (SUM(IF(isIRI(?s) && STRSTARTS(STR(?s), "
            f"\"{iris.BASE}\"), 1, 0)) AS ?e) WHERE {{ SELECT DISTINCT ?s WHERE {{ ?s ?p ?o }} }}")
        return {
            "triples": s.triple_count,  # the union's, each triple once
            "entities": int(subjects[0]["e"].value) if subjects and "e" in subjects[0] else 0,
            "distinct_subjects": (int(subjects[0]["n"].value)
                                  if subjects and "n" in subjects[0] else 0),
            "distinct_objects": one("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"),
            "graphs": graphs,
            "classes": classes,
            "properties": properties,
            "links": links,
        }

    def void(self, root: str, writer: ox.RdfFormat, json_ld_form: str | None = None) -> bytes:
        """The VoID of the dataset served at ``root`` (``/void``), in ``writer``'s syntax."""
        return self._serialized(("void", root, writer.name), writer,
                                lambda: self.void_triples(root), json_ld_form)

    def void_triples(self, root: str) -> list[ox.Triple]:
        """The VoID of the dataset served at ``root``, made once: what ``/void`` serves and
        what ``/dataset`` extends with DCAT (:func:`kg.endpoint.dumps.dataset_triples`)."""
        with self._lock:
            made = self._void.get(root)
        if made is None:
            made = self._void_triples(root)
            with self._lock:
                self._void.remember(root, made)
        return made

    def _void_triples(self, root: str) -> list[ox.Triple]:
        from kg.endpoint.dumps import dump_names
        from kg.links import AUTHORITIES

        st = self.stats()
        t = _Triples()
        void_url = VOID_DOCUMENT
        ds = _n(DATASET)
        t.add(ds, RDF + "type", _n(VOID + "Dataset"))
        t.add(ds, DCT + "title", ox.Literal("kg1978 knowledge graph", language="en"))
        t.add(ds, VOID + "sparqlEndpoint", _n(root + "/sparql"))
        for name in dump_names():
            t.add(ds, VOID + "dataDump", _n(f"{root}/dumps/{name}"))
        t.add(ds, VOID + "uriSpace", ox.Literal(iris.BASE))
        for vocabulary in vocabularies(st["classes"], st["properties"]):
            t.add(ds, VOID + "vocabulary", _n(vocabulary))
        t.add(ds, VOID + "triples", _int(st["triples"]))
        t.add(ds, VOID + "entities", _int(st["entities"]))
        t.add(ds, VOID + "distinctSubjects", _int(st["distinct_subjects"]))
        t.add(ds, VOID + "distinctObjects", _int(st["distinct_objects"]))
        t.add(ds, VOID + "classes", _int(len(st["classes"])))
        t.add(ds, VOID + "properties", _int(len(st["properties"])))
        for fmt in FORMATS:
            if GRAPH in fmt.kinds:
                t.add(ds, VOID + "feature", _n(fmt.w3c))
        # Partitions and subsets are named by what they partition (a digest of its IRI), not
        # by a position: the IRI is the dataset's on every server, and names the same thing.
        for cls, n in sorted(st["classes"].items()):
            part = _n(f"{void_url}#class-{_key(cls)}")
            t.add(ds, VOID + "classPartition", part)
            t.add(part, VOID + "class", _n(cls))
            t.add(part, VOID + "entities", _int(n))
        for prop, n in sorted(st["properties"].items()):
            part = _n(f"{void_url}#property-{_key(prop)}")
            t.add(ds, VOID + "propertyPartition", part)
            t.add(part, VOID + "property", _n(prop))
            t.add(part, VOID + "triples", _int(n))
        # A named graph's triples are a subset, a void:Dataset that is the sd:Graph of the
        # sd:NamedGraph pairing it with its name, as the Service Description's own example
        # counts a graph (sd:graph [ a sd:Graph ; void:triples 2000 ]): the subset is the
        # graph, not the pairing. The service description gives the same nodes.
        if st["graphs"]:
            t.add(ds, RDF + "type", _n(SD + "Dataset"))
        for name, n in sorted(st["graphs"].items()):
            node, sub = _named_graph_nodes(name)
            t.add(ds, VOID + "subset", sub)
            t.add(sub, RDF + "type", _n(VOID + "Dataset"))
            t.add(sub, RDF + "type", _n(SD + "Graph"))
            t.add(sub, VOID + "triples", _int(n))
            t.add(ds, SD + "namedGraph", node)
            t.add(node, RDF + "type", _n(SD + "NamedGraph"))
            t.add(node, SD + "name", _n(name))
            t.add(node, SD + "graph", sub)
        # One linkset per authority and predicate (#links-wikidata-exactMatch: a linkset has
        # one void:linkPredicate), and one target dataset per authority (#target-wikidata)
        # that its linksets share.
        locals_ = {}  # a predicate's local name, or prefix-local where two share one
        curies = {}
        for predicate in sorted({p for p, _, _ in st["links"]}):
            local = re.split(r"[#/]", predicate)[-1]
            taken = local in locals_.values()
            prefix = next((k for k, ns in iris.PREFIXES.items() if predicate.startswith(ns)
                           and predicate[len(ns):] == local), "x")
            locals_[predicate] = f"{prefix}-{local}" if taken else local
            curies[predicate] = f"{prefix}:{local}" if prefix != "x" else predicate
        for (predicate, name, space), n in sorted(st["links"].items()):
            key = re.sub(r"[^A-Za-z0-9.-]+", "-", name)
            title = AUTHORITIES[name].title if name in AUTHORITIES else name
            linkset = _n(f"{void_url}#links-{key}-{locals_[predicate]}")
            target = _n(f"{void_url}#target-{key}")
            t.add(ds, VOID + "subset", linkset)
            t.add(linkset, RDF + "type", _n(VOID + "Linkset"))
            t.add(linkset, DCT + "title", ox.Literal(
                f"Links to {title} by {curies[predicate]}", language="en"))
            t.add(linkset, VOID + "subjectsTarget", ds)
            t.add(linkset, VOID + "objectsTarget", target)
            t.add(linkset, VOID + "linkPredicate", _n(predicate))
            t.add(linkset, VOID + "triples", _int(n["triples"]))
            t.add(linkset, VOID + "distinctSubjects", _int(n["subjects"]))
            t.add(linkset, VOID + "distinctObjects", _int(n["objects"]))
            t.add(target, RDF + "type", _n(VOID + "Dataset"))
            t.add(target, DCT + "title", ox.Literal(title, language="en"))
            t.add(target, VOID + "uriSpace", ox.Literal(space))
        return list(dict.fromkeys(t))
