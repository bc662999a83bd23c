"""The terms of the standard vocabularies the data may use, and the uses of terms they do not
define: ``rdfs:lable``, ``skos:prefLable``, ``owl:sameas``, ``xsd:dat`` as a datatype pass every
shape (an unknown property is merely unconstrained), so validation reports each use as a
warning (``sh:Warning``: it does not fail validation), with the term meant where one is close
("did you mean rdfs:label?").

Not a SHACL shape: a shape would have to carry every vocabulary's term list in its SPARQL (72 KB
with schema.org's), which pySHACL parses and evaluates per focus node (2.5 times the validation
time of the shape fixtures) and the build parses each time; and a SPARQL constraint cannot say
which known term is close. Here the lists are data (``vocabulary-terms/PREFIX.txt``, each read
the first time a term of its namespace is met), the data's distinct predicates, the classes and
properties its axioms name (the objects of :data:`TERM_POSITIONS`) and its literals' datatypes
are looked up in them with two queries a graph (:func:`unknown_terms_in_store`;
:func:`unknown_terms_in_graph` for rdflib graphs), the triples using an unknown term are
found only when there is one, and the closest known term is chosen in Python
(:mod:`difflib`). Only asserted triples are read: an inference repeats a term of the ontology,
whose axiom is the one to report.
:func:`kg.validate.with_vocabulary_warnings` puts each use into the report as a result of
:data:`SHAPE` (declared, with no target, in ``shapes/kg-shapes.ttl``, so that the report's
``sh:sourceShape`` names a shape that says what it checks) and :data:`COMPONENT`.

The lists (rewritten with ``tests/data/regenerate_vocabulary_terms.py``) and where each comes
from:

========  ========================================  =============================================
prefix    vocabulary, version                       source
========  ========================================  =============================================
rdf       RDF 1.1 (+ RDF 1.2's reifies,             rdflib 7.6 ``rdflib.namespace.RDF``, from the
          dirLangString)                            namespace document (2019-12-16)
rdfs      RDF Schema 1.1                            rdflib ``RDFS``, from the namespace document
owl       OWL 2                                     rdflib ``OWL`` (the OWL 2 RDF-based semantics)
xsd       XML Schema 1.1 datatypes and facets       rdflib ``XSD``, from ``datatypes.xsd``
skos      SKOS (2009)                               rdflib ``SKOS``, from ``skos.rdf`` (2009-08)
dcterms   DCMI Metadata Terms (2020)                rdflib ``DCTERMS``, ``dublin_core_terms.ttl``
dc        Dublin Core Elements 1.1                  rdflib ``DC``, ``dublin_core_elements.ttl``
dcmitype  DCMI Type Vocabulary (2020)               rdflib ``DCMITYPE``, ``dublin_core_type.ttl``
prov      PROV-O (2013), with the PROV-Dictionary,  rdflib ``PROV``
          -Links and -AQ terms
vann      VANN (2010-06-07)                         rdflib ``VANN``, ``vann-vocab-20100607.rdf``
void      VoID (2011)                               rdflib ``VOID``, from ``http://rdfs.org/ns/void#``
foaf      FOAF 0.99                                 rdflib ``FOAF``, from ``foaf/spec/index.rdf``
sh        SHACL (2017)                              rdflib ``SH``, from ``shacl.ttl``
geo       GeoSPARQL 1.1                             rdflib ``GEO`` (the same 65 terms as OGC's
                                                    GeoSPARQL 1.1 ``geo.ttl``, compared)
wgs       W3C Basic Geo (WGS84 lat/long)            rdflib ``WGS`` (which says https; the names
                                                    are those of the http namespace used here)
crm       CIDOC CRM 7.1.3 (RDFS of February 2024)   ``CIDOC_CRM_v7.1.3.rdf`` (FORTH-ICS)
sem       Simple Event Model (2009/11)              ``http://semanticweb.cs.vu.nl/2009/11/sem/sem.rdf``
schema    schema.org 30.0, all layers (the http     ``schemaorg/schemaorg``
          IRIs the project writes)                  ``data/releases/30.0/schemaorg-all-http.nt``
========  ========================================  =============================================

No list is fetched at run time. A namespace not in the table is not checked, but one a
character off a namespace of the table, or schema.org's https namespace, which the project does
not write, is (:func:`near_miss`): its terms are reported with the term meant.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.iris import SHAPES

#: The folder of the term lists: ``PREFIX.txt``, one local name a line (``#`` comments).
TERMS_DIR = Path(__file__).resolve().parent / "vocabulary-terms"

#: The shape and constraint component a result of this check names (``sh:sourceShape``,
#: ``sh:sourceConstraintComponent``): no SHACL engine runs it, kg.validate adds its results.
SHAPE = URIRef(SHAPES + "VocabularyTermShape")
COMPONENT = URIRef(SHAPES + "VocabularyTermConstraintComponent")

#: Predicates whose object is a class, a property or a datatype (or, ``rdf:first``, a member of
#: a list such as ``owl:unionOf`` or ``owl:propertyChainAxiom``): where the data names a term
#: besides its predicates and its literals' datatypes.
TERM_POSITIONS = tuple(URIRef(str(ns) + name) for ns, name in (
    (RDF, "type"), (RDF, "predicate"), (RDF, "first"),
    (RDFS, "subClassOf"), (RDFS, "subPropertyOf"), (RDFS, "domain"), (RDFS, "range"),
    (OWL, "equivalentClass"), (OWL, "equivalentProperty"), (OWL, "inverseOf"),
    (OWL, "onProperty"), (OWL, "someValuesFrom"), (OWL, "allValuesFrom"), (OWL, "onClass"),
    (OWL, "onDataRange"), (OWL, "onDatatype"), (OWL, "disjointWith"),
    (OWL, "propertyDisjointWith"), (OWL, "complementOf"), (OWL, "annotatedProperty"),
))


@dataclass(frozen=True)
class Vocabulary:
    prefix: str
    title: str
    version: str
    #: the first is the vocabulary's; any other names the same terms (schema.org's https IRIs)
    namespaces: tuple[str, ...]
    #: names the source's list lacks, each said in the module docstring
    added: tuple[str, ...] = ()
    #: namespaces the vocabulary's publisher also accepts for its terms, which this project
    #: does not write (a query for the project's form misses a term written so)
    also_accepted: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.title} {self.version}".strip()


VOCABULARIES: tuple[Vocabulary, ...] = (
    Vocabulary("rdf", "RDF", "1.1", ("http://www.w3.org/1999/02/22-rdf-syntax-ns#",),
               added=("reifies", "dirLangString")),
    Vocabulary("rdfs", "RDF Schema", "1.1", ("http://www.w3.org/2000/01/rdf-schema#",)),
    Vocabulary("owl", "OWL", "2", ("http://www.w3.org/2002/07/owl#",)),
    Vocabulary("xsd", "XML Schema datatypes", "1.1", ("http://www.w3.org/2001/XMLSchema#",)),
    Vocabulary("skos", "SKOS", "(2009)", ("http://www.w3.org/2004/02/skos/core#",)),
    Vocabulary("dcterms", "DCMI Metadata Terms", "(2020)", ("http://purl.org/dc/terms/",)),
    Vocabulary("dc", "Dublin Core Elements", "1.1", ("http://purl.org/dc/elements/1.1/",)),
    Vocabulary("dcmitype", "DCMI Type Vocabulary", "(2020)", ("http://purl.org/dc/dcmitype/",)),
    Vocabulary("prov", "PROV-O", "(2013)", ("http://www.w3.org/ns/prov#",)),
    Vocabulary("vann", "VANN", "(2010)", ("http://purl.org/vocab/vann/",)),
    Vocabulary("void", "VoID", "(2011)", ("http://rdfs.org/ns/void#",)),
    Vocabulary("foaf", "FOAF", "0.99", ("http://xmlns.com/foaf/0.1/",)),
    Vocabulary("sh", "SHACL", "(2017)", ("http://www.w3.org/ns/shacl#",)),
    Vocabulary("geo", "GeoSPARQL", "1.1", ("http://www.opengis.net/ont/geosparql#",)),
    Vocabulary("wgs", "W3C Basic Geo (WGS84)", "", ("http://www.w3.org/2003/01/geo/wgs84_pos#",)),
    Vocabulary("crm", "CIDOC CRM", "7.1.3", ("http://www.cidoc-crm.org/cidoc-crm/",)),
    Vocabulary("sem", "Simple Event Model", "(2009/11)",
               ("http://semanticweb.cs.vu.nl/2009/11/sem/",)),
    Vocabulary("schema", "schema.org", "30.0", ("http://schema.org/",),
               also_accepted=("https://schema.org/",)),
)

#: (namespace, vocabulary), longest namespace first
_BY_NAMESPACE = sorted(((ns, v) for v in VOCABULARIES for ns in v.namespaces),
                       key=lambda nv: -len(nv[0]))
#: rdf:_1, rdf:_2…: the container membership properties, infinitely many
_MEMBERSHIP = re.compile(r"_[1-9][0-9]*")


@functools.cache
def terms(prefix: str) -> frozenset[str]:
    """The local names of the vocabulary ``prefix``'s terms (its list, read once)."""
    text = (TERMS_DIR / f"{prefix}.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def vocabulary_of(iri: str) -> tuple[Vocabulary, str] | None:
    """The vocabulary whose namespace ``iri`` is in, and its local name there; else None."""
    for ns, vocabulary in _BY_NAMESPACE:
        if iri.startswith(ns):
            return vocabulary, iri[len(ns):]
    return None


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by exactly one character inserted, removed or changed."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    return a[i + 1:] == b[i + 1:] or a[i:] == b[i + 1:] or a[i + 1:] == b[i:]


def _close_name(local: str, names: frozenset[str]) -> str | None:
    """``local`` itself, or the same name in another case, or the closest name, from ``names``."""
    if local in names:
        return local
    by_case = {n.lower(): n for n in sorted(names)}
    if local.lower() in by_case:
        return by_case[local.lower()]
    close = difflib.get_close_matches(local, sorted(names), n=1, cutoff=0.75)
    return close[0] if close else None


@dataclass(frozen=True)
class NearMiss:
    """An IRI in a namespace one character off a vocabulary's (``https://schema.org/``,
    ``http://www.w3.org/ns/prov/``): the namespace written, the vocabulary's, and its term."""

    vocabulary: Vocabulary
    written: str
    namespace: str
    term: str


_HEAD, _TAIL = 12, 5
assert min(len(ns) for v in VOCABULARIES for ns in v.namespaces) >= _HEAD + 1 + _TAIL


@functools.lru_cache(maxsize=4096)  # bounded: /validate meets the IRIs of any upload
def near_miss(iri: str) -> NearMiss | None:
    """The vocabulary term ``iri`` was meant to be when it is in no vocabulary's namespace but
    in one a character off (an ``s`` added to ``http``, ``/`` for ``#``, a letter missing or
    extra) or one the vocabulary's publisher also accepts, and the rest of it is (or is close
    to) a term of that vocabulary; else None. Cheap: a few string comparisons a namespace."""
    if vocabulary_of(iri) is not None:
        return None
    head = iri[:_HEAD]
    for vocabulary in VOCABULARIES:
        for ns in vocabulary.namespaces:
            for cut in (len(ns) - 1, len(ns), len(ns) + 1):
                written = iri[:cut]
                # one edit leaves the first _HEAD or the last _TAIL characters of a namespace
                # of 18 or more as they were: most terms go no further than this
                if head != ns[:_HEAD] and written[-_TAIL:] != ns[-_TAIL:]:
                    continue
                if written in vocabulary.also_accepted or _one_edit(written, ns):
                    name = _close_name(iri[cut:], terms(vocabulary.prefix)) if iri[cut:] else None
                    if name:
                        return NearMiss(vocabulary, written, ns, name)
    return None


def is_unknown(iri: str) -> bool:
    """Whether ``iri`` is in a vocabulary's namespace without being one of its terms (the
    namespace IRI itself is not a term, and is not reported), or is a :func:`near_miss`."""
    found = vocabulary_of(iri)
    if found is None:
        return near_miss(iri) is not None
    if not found[1]:
        return False
    vocabulary, local = found
    if vocabulary.prefix == "rdf" and _MEMBERSHIP.fullmatch(local):
        return False
    return local not in terms(vocabulary.prefix)


def suggestion(iri: str) -> str | None:
    """The known term closest to the unknown ``iri``, as a CURIE: the same name in another
    case (``owl:sameas`` → ``owl:sameAs``), else the closest name of its vocabulary
    (:func:`difflib.get_close_matches`), else the same name in another vocabulary
    (``rdfs:prefLabel`` → ``skos:prefLabel``); None when nothing is close."""
    vocabulary, local = vocabulary_of(iri) or (None, "")
    if vocabulary is None:
        miss = near_miss(iri)
        return f"{miss.vocabulary.prefix}:{miss.term}" if miss else None
    close = _close_name(local, terms(vocabulary.prefix))
    if close:
        return f"{vocabulary.prefix}:{close}"
    for other in VOCABULARIES:
        if other is not vocabulary and local in terms(other.prefix):
            return f"{other.prefix}:{local}"
    return None


@dataclass(frozen=True)
class UnknownTermUse:
    """A triple that uses ``term``, a term its vocabulary does not define: as its predicate,
    as an object of one of :data:`TERM_POSITIONS`, or as its literal's datatype."""

    subject: URIRef | BNode
    predicate: URIRef
    object: URIRef | BNode | Literal
    term: str

    @property
    def message(self) -> str:
        role = ("property" if self.term == str(self.predicate) else
                "datatype" if isinstance(self.object, Literal) else "class or property")
        miss = near_miss(self.term)
        if miss is not None:
            v, meant = miss.vocabulary, f"{miss.vocabulary.prefix}:{miss.term}"
            accepted = (f" ({v.title} accepts {miss.written} too, but a query for {meant} "
                        "misses it)" if miss.written in v.also_accepted else "")
            return (f"{self.term}: this project writes {v.title} as {miss.namespace}{accepted}"
                    f" — did you mean {meant}?")
        vocabulary, local = vocabulary_of(self.term)
        meant = suggestion(self.term)
        return (f"{vocabulary.prefix}:{local} is not a term of {vocabulary}: a misspelt "
                f"{role}? " + (f"Did you mean {meant}?" if meant else
                               "No term of it is close (a term of another vocabulary or "
                               "version, or one of ours in the wrong namespace?)"))


@dataclass
class UnknownTerms:
    """What :func:`unknown_terms_in_store` and :func:`unknown_terms_in_graph` find: the uses,
    and the statements about the blank nodes they involve (a report describes those)."""

    uses: list[UnknownTermUse] = field(default_factory=list)
    blank_nodes: Graph = field(default_factory=Graph)


def unknown_terms_in_graph(graph: Graph) -> UnknownTerms:
    """The uses of unknown terms in the asserted triples ``graph``: one pass over its triples,
    each distinct term looked up once."""
    unknown: dict = {}

    def check(term) -> bool:
        if term not in unknown:
            unknown[term] = is_unknown(str(term))
        return unknown[term]

    positions = frozenset(TERM_POSITIONS)
    uses = set()
    for s, p, o in graph:
        if check(p):
            uses.add(UnknownTermUse(s, p, o, str(p)))
        if isinstance(o, URIRef) and p in positions and check(o):
            uses.add(UnknownTermUse(s, p, o, str(o)))
        elif isinstance(o, Literal) and o.datatype is not None and check(o.datatype):
            uses.add(UnknownTermUse(s, p, o, str(o.datatype)))
    return _found(uses, graph.predicate_objects)


def unknown_terms_in_store(store, inferred=None) -> UnknownTerms:
    """The uses of unknown terms in the named graphs of the pyoxigraph ``store`` but
    ``inferred`` (the reasoner's): per graph, a query for the distinct predicates and datatypes
    (one scan of its triples) and one for the terms in :data:`TERM_POSITIONS` (their index);
    only when a term is unknown, a query for the triples that use it. 0.9 s at a million
    asserted triples, a few milliseconds on the project graph."""
    from kg.shacl_fast import _data_pairs, _rdflib

    skip = None if inferred is None else _iri(inferred)
    named = [g.value for g in store.named_graphs() if g.value != skip]
    if not named:
        return UnknownTerms()
    positions = " ".join(f"<{p}>" for p in TERM_POSITIONS)
    predicates, datatypes, objects = set(), set(), set()
    # graph by graph, each named as a constant: the inferred graph is not scanned at all, and
    # pyoxigraph reads one graph's index (measured 3 to 10 times faster than a filter or a
    # VALUES on ?g at a million triples)
    for g in named:
        for row in store.query(f"SELECT ?p ?d WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} "
                               "BIND (DATATYPE(?o) AS ?d) } GROUP BY ?p ?d"):
            predicates.add(row["p"].value)
            if row["d"] is not None:
                datatypes.add(row["d"].value)
        objects |= {row["o"].value for row in store.query(
            f"SELECT DISTINCT ?o WHERE {{ GRAPH <{g}> {{ VALUES ?p {{ {positions} }} ?s ?p ?o "
            "FILTER isIRI(?o) } }")}
    bad_p, bad_o, bad_d = ({t for t in found if is_unknown(t)}
                           for found in (predicates, objects, datatypes))
    if not (bad_p or bad_o or bad_d):
        return UnknownTerms()

    def iris(found, sep=" "):
        return sep.join(f"<{t}>" for t in sorted(found)) or "<urn:kg:none>"

    asserted = "VALUES ?g { " + " ".join(f"<{g}>" for g in named) + " } GRAPH ?g"
    rows = store.query(f"""SELECT DISTINCT ?s ?p ?o ?term WHERE {{
        {{ VALUES ?p {{ {iris(bad_p)} }} {asserted} {{ ?s ?p ?o }} BIND (?p AS ?term) }}
        UNION {{ VALUES ?p {{ {positions} }} VALUES ?o {{ {iris(bad_o)} }} {asserted} {{ ?s ?p ?o }}
                 BIND (?o AS ?term) }}
        UNION {{ {asserted} {{ ?s ?p ?o }} BIND (DATATYPE(?o) AS ?term)
                 FILTER (?term IN ({iris(bad_d, ", ")})) }}
    }}""")
    uses = {UnknownTermUse(_rdflib(r["s"]), _rdflib(r["p"]), _rdflib(r["o"]), r["term"].value)
            for r in rows}
    return _found(uses, lambda node: _data_pairs(store, node))


def _iri(node) -> str:
    return node.value if hasattr(node, "value") else str(node)


def _found(uses: Iterable[UnknownTermUse],
           pairs_of: Callable[[BNode], Iterable[tuple]]) -> UnknownTerms:
    """:class:`UnknownTerms` of ``uses`` (in a stable order), with the statements about each
    blank node they involve, followed to the blank nodes those reach (as kg.shacl_fast
    describes a result's blank nodes)."""
    from kg.shacl_fast import _describe

    out = UnknownTerms(uses=sorted(uses, key=lambda u: (str(u.subject), u.term,
                                                        str(u.predicate), str(u.object))))
    seen: set = set()
    for u in out.uses:
        for node in (u.subject, u.object):
            _describe(node, pairs_of, out.blank_nodes, seen)
    return out
