"""Stage 2, reason: the OWL 2 RL closure of the asserted graphs, with the trivia filtered out.

owlrl computes the closure in place and writes inconsistencies as error triples instead of
raising. :func:`infer` works on a copy, keeps only what is new and meaningful, and raises
:class:`kg.errors.InconsistentGraph` on error triples or members of ``owl:Nothing``.
"""

from __future__ import annotations

import owlrl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.errors import InconsistentGraph

#: Where owlrl writes its error triples.
OWLRL_ERRORS = "http://www.daml.org/2002/03/agents/agent-ont#"

_BUILTIN = (str(RDF), str(RDFS), str(OWL), str(XSD))
_REFLEXIVE_TRIVIA = {
    OWL.sameAs,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
}
_TOP = {OWL.Thing, RDFS.Resource, OWL.topObjectProperty, OWL.topDataProperty}

#: Predicates whose blank subjects are OWL's own structure in RDF (lists, restrictions,
#: anonymous classes and property expressions, n-ary axioms), never data.
STRUCTURE_PREDICATES = frozenset({
    RDF.first, RDF.rest, OWL.onProperty, OWL.onProperties, OWL.members, OWL.distinctMembers,
    OWL.unionOf, OWL.intersectionOf, OWL.oneOf, OWL.complementOf, OWL.hasValue,
    OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasSelf, OWL.onClass, OWL.onDataRange,
    OWL.cardinality, OWL.minCardinality, OWL.maxCardinality, OWL.qualifiedCardinality,
    OWL.minQualifiedCardinality, OWL.maxQualifiedCardinality, OWL.inverseOf,
    OWL.onDatatype, OWL.withRestrictions, OWL.datatypeComplementOf, OWL.annotatedSource,
    OWL.annotatedProperty, OWL.annotatedTarget, OWL.sourceIndividual, OWL.assertionProperty,
    OWL.targetIndividual, OWL.targetValue,
})


class _EveryBlankNode:
    """Holds every blank node: :func:`is_meaningful`'s default, all blank nodes structure."""

    def __contains__(self, node) -> bool:
        return True


EVERY_BLANK_NODE = _EveryBlankNode()


def structural_blank_nodes(graph: Graph) -> frozenset:
    """The blank nodes of ``graph`` that are OWL structure (:data:`STRUCTURE_PREDICATES`); any
    other blank node is data (an anonymous unit, an event written ``[ … ]``), and what is
    inferred about it is kept."""
    return frozenset(s for p in STRUCTURE_PREDICATES for s in graph.subjects(p, None)
                     if isinstance(s, BNode))


#: The reasoners :func:`infer` can run: owlrl (the reference) or kg.materialise (fast, a subset).
REASONERS = ("owlrl", "fast")


def infer(asserted: Graph, reasoner: str = "owlrl") -> Graph:
    """Return the triples OWL 2 RL adds to ``asserted`` (which is not changed), trivia removed,
    with the day bounds of its dates (:mod:`kg.dates`), which the rules see as asserted.

    ``reasoner="fast"`` runs :func:`kg.materialise.materialise`, which gives the same instance
    triples for the constructs it supports and refuses a graph using any other."""
    if reasoner == "fast":
        from kg.materialise import materialise

        return materialise(asserted)
    if reasoner != "owlrl":
        raise ValueError(f"unknown reasoner {reasoner!r} (use one of: {', '.join(REASONERS)})")
    from kg.dates import graph_bounds

    closure = Graph()
    closure += asserted
    # the day bounds of the dates (kg.dates) are reasoned over, and returned as inferred
    for triple in graph_bounds(asserted):
        closure.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    _raise_on_errors(closure)
    inferred = Graph()
    structure = structural_blank_nodes(asserted)
    for triple in closure:
        if triple not in asserted and is_meaningful(triple, structure):
            inferred.add(triple)
    return inferred


def is_meaningful(triple: tuple, structure=EVERY_BLANK_NODE) -> bool:
    """False for the trivia owlrl writes: literal subjects, blank nodes of OWL's structure
    (``structure``: lists, restrictions, axioms; by default every blank node), reflexive
    identities, typing with top classes, domain/range propagation, and statements about the
    built-in vocabularies."""
    s, p, o = triple
    if isinstance(s, Literal):
        return False
    if isinstance(s, BNode) and s in structure or isinstance(o, BNode) and o in structure:
        return False
    if str(p).startswith(OWLRL_ERRORS) or str(s).startswith(OWLRL_ERRORS):
        return False
    if p in _REFLEXIVE_TRIVIA and s == o:
        return False
    if o in _TOP:
        return False
    if p in (RDFS.domain, RDFS.range):
        # scm-dom/scm-rng propagate every domain and range up both hierarchies: true, but they
        # say nothing about the data and triple the size of the schema part.
        return False
    if isinstance(s, URIRef) and str(s).startswith(_BUILTIN):
        return False
    if p == RDF.type and o in (OWL.Class, RDFS.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                               RDF.Property, OWL.AnnotationProperty, RDFS.Datatype):
        # Declarations owlrl makes for terms it sees used; the terms our ontology declares are
        # asserted already, and the external ones we point up to are not ours to declare.
        return False
    return True


#: How owlrl's rule dt-not-type says a literal is ill-typed ("Lexical value of the literal
#: '23-12-1978' does not match its datatype (…#date)").
_ILL_TYPED = "Lexical value of the literal "


def _raise_on_errors(closure: Graph) -> None:
    """InconsistentGraph for owlrl's error triples and members of owl:Nothing. Not for an
    ill-typed literal (OWL 2 RL's dt-not-type, which the fast reasoner does not apply): the
    shapes and the QC query ill-typed-literal report it at its file and line, with what to
    write, where "inconsistent" named no place and stopped validation (exit 2, or 422 on
    /validate) whenever owlrl reasoned: ``--reasoner owlrl``, or data the fast reasoner
    refuses (an owl:FunctionalProperty)."""
    messages = sorted(
        str(o) for s, p, o in closure if str(p) == OWLRL_ERRORS + "error"
        and not str(o).startswith(_ILL_TYPED)
    )
    nothing = sorted(str(s) for s in closure.subjects(RDF.type, OWL.Nothing))
    problems = messages + [f"{s} is a member of owl:Nothing" for s in nothing]
    if problems:
        raise InconsistentGraph("the graph is inconsistent under OWL 2 RL:\n  "
                                + "\n  ".join(problems))
