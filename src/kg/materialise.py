"""A fast OWL 2 RL materialiser for the constructs our ontology uses; owlrl stays the reference.

The rules are not written per term: :func:`compile_tbox` reads the axioms from the graph itself
and compiles them, then :func:`materialise` (rdflib in and out) or :func:`materialise_store`
(pyoxigraph in and out, for the scale path) applies them to the instance data.

Supported, as the OWL 2 RL rules name them: ``cax-sco``, ``cax-eqc1/2``, ``prp-spo1``,
``prp-spo2`` (property chains of any length), ``prp-eqp1/2``, ``prp-inv1/2``, ``prp-symp``,
``prp-trp``, ``prp-dom``, ``prp-rng``; the schema rules ``scm-sco``, ``scm-spo``, ``scm-eqc1/2``,
``scm-eqp1/2``; and the consistency checks ``cls-nothing2``, ``cax-dw``, ``cax-adc``, ``prp-irp``,
``prp-asyp``, ``prp-pdw``, ``prp-adp``. A graph using any other OWL construct (restrictions,
functional or inverse-functional properties, keys, ``owl:sameAs``, ...) is refused with
:class:`UnsupportedOntology` rather than reasoned about incompletely: use owlrl for it.

Strategy. The TBox is compiled first (stratum 0). That is sound because no supported rule can
derive a triple whose predicate the compiler reads; a graph where one could (say a property
declared a sub-property of ``rdfs:subClassOf``) is refused. Then, over dictionary-encoded terms:

1. *Copy rules* (sub-property, equivalent property, inverse, symmetric) are closed over the
   TBox into one table: for each property ``p``, every ``(q, flipped)`` that a fact ``p(s, o)``
   yields, namely ``q(s, o)`` or ``q(o, s)``. A fact is expanded through that table in one step.
2. *Join rules* (transitive properties, property chains) run as a semi-naive worklist: a fact is
   queued once, when it is first derived, and when taken from the queue it is joined only against
   facts already known. Every instance of a join has a last-processed member, which sees the
   others, so the result is the fixpoint; and since each of the finitely many possible facts is
   queued at most once, the loop terminates without a final round that re-derives everything.
3. Types (stratum 2): ``rdf:type`` facts come from the data and from the domains and ranges of
   every property fact (inherited through sub-properties because facts are copied upwards), and
   climb the reflexive-transitive class hierarchy in one step per member. Types feed no property
   rule among those supported, so this stratum runs once.

The result is the triples owlrl adds, with the same trivia filter (:func:`kg.reason.is_meaningful`).
"""

from __future__ import annotations

import functools
import gc
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, URIRef

from kg.errors import BuildError, InconsistentGraph

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"

TYPE = _RDF + "type"
FIRST, REST, NIL = _RDF + "first", _RDF + "rest", _RDF + "nil"
SUBCLASS, SUBPROPERTY = _RDFS + "subClassOf", _RDFS + "subPropertyOf"
DOMAIN, RANGE = _RDFS + "domain", _RDFS + "range"
EQ_CLASS, EQ_PROPERTY = _OWL + "equivalentClass", _OWL + "equivalentProperty"
INVERSE, CHAIN = _OWL + "inverseOf", _OWL + "propertyChainAxiom"
DISJOINT_WITH, PROPERTY_DISJOINT_WITH = _OWL + "disjointWith", _OWL + "propertyDisjointWith"
MEMBERS = _OWL + "members"
NOTHING, THING = _OWL + "Nothing", _OWL + "Thing"
TRANSITIVE, SYMMETRIC = _OWL + "TransitiveProperty", _OWL + "SymmetricProperty"
ASYMMETRIC, IRREFLEXIVE = _OWL + "AsymmetricProperty", _OWL + "IrreflexiveProperty"
ALL_DISJOINT_CLASSES = _OWL + "AllDisjointClasses"
ALL_DISJOINT_PROPERTIES = _OWL + "AllDisjointProperties"

#: Predicates whose presence means an OWL 2 RL rule this module does not implement could fire.
UNSUPPORTED_PREDICATES = tuple(_OWL + n for n in (
    "sameAs", "differentFrom", "distinctMembers", "hasKey", "someValuesFrom", "allValuesFrom",
    "hasValue", "hasSelf", "intersectionOf", "unionOf", "oneOf", "complementOf", "maxCardinality",
    "maxQualifiedCardinality", "cardinality", "minCardinality", "qualifiedCardinality",
    "sourceIndividual", "datatypeComplementOf", "withRestrictions", "onDatatype"))
#: Property characteristics (``p rdf:type X``) this module does not implement.
UNSUPPORTED_TYPES = tuple(_OWL + n for n in (
    "FunctionalProperty", "InverseFunctionalProperty", "ReflexiveProperty", "AllDifferent",
    "NegativePropertyAssertion"))
#: Every predicate the TBox compiler reads: a rule that derives one of them must not exist.
SCHEMA_PREDICATES = frozenset((
    TYPE, FIRST, REST, SUBCLASS, SUBPROPERTY, DOMAIN, RANGE, EQ_CLASS, EQ_PROPERTY, INVERSE,
    CHAIN, DISJOINT_WITH, PROPERTY_DISJOINT_WITH, MEMBERS, *UNSUPPORTED_PREDICATES))


class UnsupportedOntology(BuildError):
    """The graph uses an OWL construct the fast materialiser does not implement."""


# ---------------------------------------------------------------------------- reading the TBox

@dataclass
class _Source:
    """What the compiler needs from a graph, whatever holds it: pairs per predicate and terms."""

    pairs: Callable[[str], Iterable[tuple[Hashable, Hashable]]]
    subjects: Callable[[str, str], Iterable[Hashable]]
    iri: Callable[[str], Hashable]
    is_blank: Callable[[Hashable], bool]


@dataclass
class TBox:
    """The compiled axioms, in the graph's own term objects."""

    #: p -> every (q, flipped): a fact p(s, o) yields q(s, o), or q(o, s) when flipped.
    copies: dict = field(default_factory=dict)
    transitive: set = field(default_factory=set)
    #: (p1, ..., pn) -> the properties the chain is a sub-property of.
    chains: dict = field(default_factory=dict)
    domains: dict = field(default_factory=dict)
    ranges: dict = field(default_factory=dict)
    #: class -> its superclasses, itself included (reflexive-transitive closure).
    superclasses: dict = field(default_factory=dict)
    #: property -> its super-properties, itself included (for the schema triples only).
    superproperties: dict = field(default_factory=dict)
    disjoint_classes: set = field(default_factory=set)
    disjoint_properties: set = field(default_factory=set)
    asymmetric: set = field(default_factory=set)
    irreflexive: set = field(default_factory=set)
    asserted_schema: set = field(default_factory=set)
    nothing: Hashable = None

    def properties(self) -> set:
        """Every property whose facts a rule reads or writes."""
        props = set(self.copies) | self.transitive | set(self.domains) | set(self.ranges)
        props |= self.asymmetric | self.irreflexive
        for targets in self.copies.values():
            props |= {q for q, _ in targets}
        for chain, supers in self.chains.items():
            props |= set(chain) | set(supers)
        for a, b in self.disjoint_properties:
            props |= {a, b}
        return props


def compile_tbox(src: _Source) -> TBox:
    """Read the supported axioms from ``src`` and close them; raise UnsupportedOntology when the
    graph uses a construct whose rules are not implemented."""
    problems = [f"uses {p}" for p in UNSUPPORTED_PREDICATES
                if any(s != o for s, o in src.pairs(p))]

    def typed(kind: str) -> list:
        return list(src.subjects(TYPE, kind))

    for kind in UNSUPPORTED_TYPES:
        problems += [f"{s} is a {kind}" for s in typed(kind)]
    rest = dict(src.pairs(REST))
    first = dict(src.pairs(FIRST))

    def read_list(head) -> list:
        items, seen = [], set()
        while head != src.iri(NIL):
            if head in seen or head not in first:
                raise UnsupportedOntology(f"malformed RDF list at {head}")
            seen.add(head)
            items.append(first[head])
            head = rest.get(head, src.iri(NIL))
        return items

    tb = TBox(nothing=src.iri(NOTHING))
    sub_class: dict = defaultdict(set)
    for pred in (SUBCLASS, EQ_CLASS):
        for c, d in src.pairs(pred):
            tb.asserted_schema.add((pred, c, d))
            if src.is_blank(c) or src.is_blank(d):
                problems.append(f"class expression in {pred}: {c} {d}")
            sub_class[c].add(d)
            if pred == EQ_CLASS:
                sub_class[d].add(c)
    if src.iri(THING) in sub_class:
        problems.append("owl:Thing has a superclass")
    tb.superclasses = _closure(sub_class)

    sub_prop: dict = defaultdict(set)
    edges: dict = defaultdict(set)  # (p, flipped) -> {(q, flipped)}

    def edge(p, q, flip: bool) -> None:
        edges[(p, False)].add((q, flip))
        edges[(p, True)].add((q, not flip))

    for pred in (SUBPROPERTY, EQ_PROPERTY):
        for p, q in src.pairs(pred):
            tb.asserted_schema.add((pred, p, q))
            sub_prop[p].add(q)
            edge(p, q, False)
            if pred == EQ_PROPERTY:
                sub_prop[q].add(p)
                edge(q, p, False)
    for p, q in src.pairs(INVERSE):
        edge(p, q, True)
        edge(q, p, True)
    for p in typed(SYMMETRIC):
        edge(p, p, True)
    for q, head in src.pairs(CHAIN):
        chain = tuple(read_list(head))
        if any(src.is_blank(p) for p in chain) or not chain:
            problems.append(f"property chain of {q} has an inverse or empty member")
        elif len(chain) == 1:
            edge(chain[0], q, False)  # a chain of one is a sub-property axiom
        else:
            tb.chains.setdefault(chain, set()).add(q)
    tb.transitive = set(typed(TRANSITIVE))
    tb.superproperties = _closure(sub_prop)
    for start in {p for p, _ in edges}:
        reached = _reach(edges, (start, False))
        tb.copies[start] = tuple(sorted(reached, key=lambda t: (str(t[0]), t[1])))
    for p, c in src.pairs(DOMAIN):
        tb.domains.setdefault(p, set()).add(c)
    for p, c in src.pairs(RANGE):
        tb.ranges.setdefault(p, set()).add(c)
    for a, b in src.pairs(DISJOINT_WITH):
        tb.disjoint_classes.add((a, b))
    for a, b in src.pairs(PROPERTY_DISJOINT_WITH):
        tb.disjoint_properties.add((a, b))
    for kind, target in ((ALL_DISJOINT_CLASSES, tb.disjoint_classes),
                         (ALL_DISJOINT_PROPERTIES, tb.disjoint_properties)):
        members = dict(src.pairs(MEMBERS))
        for node in typed(kind):
            items = read_list(members[node]) if node in members else []
            target.update((a, b) for i, a in enumerate(items) for b in items[i + 1:])
    tb.asymmetric = set(typed(ASYMMETRIC))
    tb.irreflexive = set(typed(IRREFLEXIVE))

    # Stratification holds only if no rule derives a triple the compiler has read.
    schema = {src.iri(p) for p in SCHEMA_PREDICATES}
    written = {q for targets in tb.copies.values() for q, _ in targets} | tb.transitive
    written |= {q for supers in tb.chains.values() for q in supers}
    for p in sorted(written & schema, key=str):
        problems.append(f"a rule could derive {p} triples, which the TBox compiler reads")
    meta = {src.iri(k) for k in (TRANSITIVE, SYMMETRIC, ASYMMETRIC, IRREFLEXIVE,
                                 ALL_DISJOINT_CLASSES, ALL_DISJOINT_PROPERTIES, *UNSUPPORTED_TYPES)}
    derived_classes = {d for c, ds in tb.superclasses.items() for d in ds if d != c}
    derived_classes |= {c for cs in (*tb.domains.values(), *tb.ranges.values()) for c in cs}
    for k in sorted(derived_classes & meta, key=str):
        problems.append(f"a rule could derive rdf:type {k}, which the TBox compiler reads")
    if problems:
        raise UnsupportedOntology("the fast reasoner does not support this graph (use "
                                  "--reasoner owlrl):\n  " + "\n  ".join(sorted(set(problems))))
    return tb


def _closure(sub: dict) -> dict:
    """Reflexive-transitive closure of a relation given as node -> direct successors."""
    nodes = set(sub) | {d for ds in sub.values() for d in ds}
    return {n: frozenset(_reach(sub, n)) for n in nodes}


def _reach(succ: dict, start) -> set:
    seen, todo = {start}, [start]
    while todo:
        for nxt in succ.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


# ---------------------------------------------------------------------------- the engine

_EMPTY: frozenset = frozenset()


class _Engine:
    """Saturates dictionary-encoded facts under a compiled TBox (all terms are ints here)."""

    def __init__(self, tb: TBox, encode: Callable[[Hashable], int]):
        e = encode
        self.copies = {e(p): tuple((e(q), f) for q, f in qs) for p, qs in tb.copies.items()}
        self.transitive = {e(p) for p in tb.transitive}
        # for each property: the (chain, position, result properties) it takes part in
        self.chain_slots: dict[int, list] = defaultdict(list)
        for chain, supers in tb.chains.items():
            enc = tuple(e(p) for p in chain)
            for i, p in enumerate(enc):
                self.chain_slots[p].append((enc, i, tuple(e(q) for q in supers)))
        self.joined = self.transitive | set(self.chain_slots)
        self.facts: dict[int, set] = defaultdict(set)
        self.out: dict[int, dict] = {p: defaultdict(set) for p in self.joined}
        self.inn: dict[int, dict] = {p: defaultdict(set) for p in self.joined}
        self.asserted: dict[int, set] = {}
        self.queue: list = []

    def load(self, p: int, pairs: set) -> None:
        """Asserted facts of one property (call for every relevant property before run)."""
        self.asserted[p] = pairs
        self.facts[p] |= pairs

    def run(self) -> None:
        facts, joined, out, inn, queue = self.facts, self.joined, self.out, self.inn, self.queue
        copies = self.copies

        def add_new(q: int, new: set) -> None:
            facts[q] |= new
            if q in joined:
                out_q, inn_q = out[q], inn[q]
                for s, o in new:
                    out_q[s].add(o)
                    inn_q[o].add(s)
                    queue.append((q, s, o))

        # the copy rules over the asserted facts, as set operations (the table is closed, so a
        # copy never needs copying again)
        for p, asserted in self.asserted.items():
            if p in joined:
                add_new(p, asserted)
            flipped = None
            for q, flip in copies.get(p, ()):
                if q == p and not flip:
                    continue
                if flip and flipped is None:
                    flipped = {(o, s) for s, o in asserted}
                new = (flipped if flip else asserted) - facts[q]
                if new:
                    add_new(q, new)

        def derive(p: int, s: int, o: int) -> None:
            for q, flip in copies.get(p, ((p, False),)):
                pair = (o, s) if flip else (s, o)
                fq = facts[q]
                if pair not in fq:
                    fq.add(pair)
                    if q in joined:
                        out[q][pair[0]].add(pair[1])
                        inn[q][pair[1]].add(pair[0])
                        queue.append((q, pair[0], pair[1]))

        transitive, chain_slots, walk = self.transitive, self.chain_slots, self._walk
        while queue:
            p, s, o = queue.pop()
            if p in transitive:
                out_p, inn_p = out[p], inn[p]
                for z in tuple(out_p.get(o, ())):
                    derive(p, s, z)
                for w in tuple(inn_p.get(s, ())):
                    derive(p, w, o)
            for chain, i, supers in chain_slots.get(p, ()):
                starts = walk(chain[:i][::-1], s, inn)
                if not starts:
                    continue
                ends = walk(chain[i + 1:], o, out)
                for x in starts:
                    for y in ends:
                        for q in supers:
                            derive(q, x, y)

    @staticmethod
    def _walk(props: tuple, start: int, index: dict) -> set:
        frontier = {start}
        for p in props:
            step = index[p]
            frontier = {n for x in frontier for n in step.get(x, ())}
            if not frontier:
                break
        return frontier


@dataclass
class _Result:
    """Encoded inferences, grouped by predicate: [(p, [(s, o), ...]), ...], and the decoder."""

    groups: list
    terms: list
    #: More groups, for readers only: the types of the derived time-spans (:mod:`kg.dates`),
    #: which no shape reads (the shapes check kgo: types), kept out of a narrowed store.
    for_readers: list


def _run(tb: TBox, facts_of: Callable[[Hashable], Iterable[tuple]], types: Iterable[tuple],
         iri: Callable[[str], Hashable], derived: Iterable[tuple] = ()) -> _Result:
    """Saturate the facts. ``derived`` triples (the day bounds of :mod:`kg.dates`) are reasoned
    over as the asserted ones are, and are part of the result, as what is inferred is."""
    ids: dict[Hashable, int] = {}
    terms: list = []

    def encode(t: Hashable) -> int:
        i = ids.get(t)
        if i is None:
            i = ids[t] = len(terms)
            terms.append(t)
        return i

    engine = _Engine(tb, encode)
    extra: dict[Hashable, set] = defaultdict(set)
    derived_types = []  # the time-spans' class: no rule reads it, no shape either
    for s, p, o in derived:
        if p == iri(TYPE):
            derived_types.append((s, o))
        else:
            extra[p].add((s, o))
    added: dict[int, set] = {}
    for p in sorted(set(tb.properties()) | set(extra), key=str):
        pairs = {(encode(s), encode(o)) for s, o in facts_of(p)}
        new = {(encode(s), encode(o)) for s, o in extra.get(p, ())} - pairs
        engine.load(encode(p), pairs | new)
        if new:
            added[encode(p)] = new
    engine.run()

    # stratum 2: types from the data, domains and ranges, then up the class hierarchy
    asserted_types: dict[int, set] = defaultdict(set)
    for s, c in types:
        asserted_types[encode(s)].add(encode(c))
    direct: dict[int, set] = defaultdict(set)
    for x, cs in asserted_types.items():
        direct[x] |= cs
    for table, side in ((tb.domains, 0), (tb.ranges, 1)):
        for p, classes in table.items():
            cs = {encode(c) for c in classes}
            for pair in engine.facts.get(encode(p), ()):
                direct[pair[side]] |= cs
    sup = {encode(c): {encode(d) for d in ds} for c, ds in tb.superclasses.items()}
    closure_of: dict[frozenset, frozenset] = {}
    closed: dict[int, frozenset] = {}
    for x, cs in direct.items():
        key = frozenset(cs)
        all_cs = closure_of.get(key)
        if all_cs is None:
            grown = set(key)
            for c in key:
                grown |= sup.get(c, _EMPTY)
            all_cs = closure_of[key] = frozenset(grown)
        closed[x] = all_cs

    _check_consistency(tb, engine, closed, encode, terms)

    types_out = [(x, c) for x, cs in closed.items()
                 for c in (cs - asserted_types[x] if x in asserted_types else cs)]
    groups = [(encode(iri(TYPE)), types_out)]
    for p, facts in engine.facts.items():
        new = facts - engine.asserted.get(p, _EMPTY) | added.get(p, _EMPTY)
        if new:
            groups.append((p, new))
    schema: dict[int, list] = defaultdict(list)
    for p, s, o in _schema_triples(tb, encode, iri):
        schema[p].append((s, o))
    groups.extend(schema.items())
    typed = [(encode(s), encode(c)) for s, c in derived_types]
    return _Result(groups, terms, [(encode(iri(TYPE)), typed)] if typed else [])


def _schema_triples(tb: TBox, encode, iri) -> list:
    out = []
    for table, sub, eq in ((tb.superclasses, SUBCLASS, EQ_CLASS),
                           (tb.superproperties, SUBPROPERTY, EQ_PROPERTY)):
        for c, supers in table.items():
            for d in supers:
                if d == c:
                    continue
                for pred in (sub, eq) if c in table.get(d, ()) else (sub,):
                    if (pred, c, d) not in tb.asserted_schema:
                        out.append((encode(iri(pred)), encode(c), encode(d)))
    return out


def _check_consistency(tb: TBox, engine: _Engine, closed: dict, encode, terms) -> None:
    problems = []
    nothing = encode(tb.nothing)
    pairs = [(encode(a), encode(b)) for a, b in tb.disjoint_classes]
    for x, cs in closed.items():
        if nothing in cs:
            problems.append(f"{terms[x]} is a member of owl:Nothing")
        for a, b in pairs:
            if a in cs and b in cs:
                problems.append(f"{terms[x]} is a member of the disjoint classes "
                                f"{terms[a]} and {terms[b]}")
    for p in tb.irreflexive:
        problems += [f"{terms[s]} is related to itself by the irreflexive {p}"
                     for s, o in engine.facts.get(encode(p), ()) if s == o]
    for p in tb.asymmetric:
        facts = engine.facts.get(encode(p), set())
        problems += [f"{terms[s]} and {terms[o]} are related both ways by the asymmetric {p}"
                     for s, o in facts if (o, s) in facts]
    for a, b in tb.disjoint_properties:
        shared = engine.facts.get(encode(a), set()) & engine.facts.get(encode(b), set())
        problems += [f"{terms[s]} and {terms[o]} are related by the disjoint properties {a} and {b}"
                     for s, o in shared]
    if problems:
        raise InconsistentGraph("the graph is inconsistent under OWL 2 RL:\n  "
                                + "\n  ".join(sorted(problems)))


# ---------------------------------------------------------------------------- rdflib front end

def _without_gc(fn: Callable) -> Callable:
    """Run ``fn`` with the cyclic garbage collector paused: the engine makes millions of tuples
    and no reference cycles, and at 1M triples the collector's passes over them took longer than
    the reasoning."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper


@_without_gc
def materialise(asserted: Graph) -> Graph:
    """Return what OWL 2 RL adds to ``asserted`` (not changed), trivia removed, with the day
    bounds of its dates (:mod:`kg.dates`): the same triples :func:`kg.reason.infer` returns with
    owlrl, for the supported constructs. Raises
    InconsistentGraph, or UnsupportedOntology for a graph this reasoner cannot handle."""
    from kg.reason import is_meaningful, structural_blank_nodes

    structure = structural_blank_nodes(asserted)
    src = _Source(
        pairs=lambda p: asserted.subject_objects(URIRef(p)),
        subjects=lambda p, o: asserted.subjects(URIRef(p), URIRef(o)),
        iri=URIRef,
        is_blank=lambda t: isinstance(t, BNode),
    )
    tb = compile_tbox(src)
    from kg.dates import graph_bounds

    result = _run(tb, lambda p: asserted.subject_objects(p),
                  asserted.subject_objects(URIRef(TYPE)), URIRef, graph_bounds(asserted))
    terms = result.terms
    inferred = Graph()
    add = inferred.add
    for p, pairs in result.groups + result.for_readers:
        pred = terms[p]
        for s, o in pairs:
            triple = (terms[s], pred, terms[o])
            if is_meaningful(triple, structure):
                add(triple)
    return inferred


# ---------------------------------------------------------------------------- pyoxigraph front end

@_without_gc
def materialise_store(store, into, *, batch: int = 100_000, timings: dict | None = None,
                      keep: Callable[[str], bool] | None = None, out=None) -> int:
    """Reason over every graph of the pyoxigraph ``store`` except ``into``, and write what OWL 2
    RL adds (trivia removed, with the day bounds of the dates, as :func:`materialise` does) into
    the named graph ``into``, which is cleared first. Return the number of quads inferred.
    ``timings``, if given, receives the seconds spent reasoning (reading the store included) and
    writing.

    ``out`` (a binary file), if given, receives every inferred quad as an N-Quads line (in graph
    ``into``, unsorted); ``keep(predicate IRI)`` then chooses which of them also go into the
    store (the build keeps only what the shapes read: adding millions of quads to the store is
    most of the cost at scale)."""
    import time

    import pyoxigraph as ox

    started = time.perf_counter()

    into = into if isinstance(into, ox.NamedNode) else ox.NamedNode(str(into))
    if into in set(store.named_graphs()):
        store.remove_graph(into)

    def pairs(p: str | ox.NamedNode):
        pred = p if isinstance(p, ox.NamedNode) else ox.NamedNode(p)
        for q in store.quads_for_pattern(None, pred, None, None):
            yield q.subject, q.object

    def subjects(p: str, o: str):
        for q in store.quads_for_pattern(None, ox.NamedNode(p), ox.NamedNode(o), None):
            yield q.subject

    src = _Source(pairs=pairs, subjects=subjects, iri=ox.NamedNode,
                  is_blank=lambda t: isinstance(t, ox.BlankNode))
    tb = compile_tbox(src)
    from kg.dates import store_bounds

    result = _run(tb, pairs, pairs(TYPE), ox.NamedNode, store_bounds(store))
    reasoned = time.perf_counter()
    from kg.load import rdflib_term
    from kg.reason import STRUCTURE_PREDICATES

    structure = frozenset(
        rdflib_term(s) for p in STRUCTURE_PREDICATES for s, _ in pairs(str(p))
        if isinstance(s, ox.BlankNode))
    text = _NQuadsText(result.terms, into)
    meaningful = _OxFilter(result.terms, structure)
    terms = result.terms
    # A parser names a document's blank nodes anew: a triple about a blank node of the data
    # goes into the store as the store's own term, not as text.
    blank = {i for i, t in enumerate(terms) if isinstance(t, ox.BlankNode)}
    written, parts = 0, []
    readers_from = len(result.groups)
    for i, (p, pairs_) in enumerate(result.groups + result.for_readers):
        into_store = keep is None or (i < readers_from and keep(terms[p].value))
        kept = meaningful.kept(p, pairs_)
        written += len(kept)
        for start in range(0, len(kept), batch):
            chunk = kept[start:start + batch]
            lines = text.lines(p, chunk).encode() if out is not None or into_store else None
            if out is not None:
                out.write(lines)
            if into_store:
                on_blank = [(s, o) for s, o in chunk if s in blank or o in blank] if blank else ()
                if on_blank:
                    store.extend(ox.Quad(terms[s], terms[p], terms[o], into) for s, o in on_blank)
                    stored = set(on_blank)
                    chunk = [x for x in chunk if x not in stored]
                    lines = text.lines(p, chunk).encode() if chunk else None
                if lines:
                    parts.append(lines)
            if len(parts) >= 8:
                _load_text(store, parts)
    _load_text(store, parts)
    if timings is not None:
        timings["reason_s"] = reasoned - started
        timings["write_s"] = time.perf_counter() - reasoned
    return written


class _NQuadsText:
    """N-Quads lines for encoded triples, each term written once (parsing text back is faster
    than building a Python Quad object per triple)."""

    def __init__(self, terms: list, graph) -> None:
        self.terms = terms
        self.text: list[str] | None = None
        self.suffix = f" {graph} .\n"

    def lines(self, p: int, pairs: list) -> str:
        if self.text is None:  # every term's text at once: a list index, not a call per use
            self.text = [str(t) for t in self.terms]
        text, suffix = self.text, self.suffix
        pred = f" {text[p]} "
        return "".join([text[s] + pred + text[o] + suffix for s, o in pairs])


def _load_text(store, parts: list) -> None:
    import pyoxigraph as ox

    if parts:
        # lenient: every term was read from the store, so it is valid already
        store.load(b"".join(parts), format=ox.RdfFormat.N_QUADS, lenient=True)
        parts.clear()


class _OxFilter:
    """:func:`kg.reason.is_meaningful` for encoded pyoxigraph triples, evaluated once per term.

    is_meaningful is a conjunction of conditions on the subject, on the predicate, on the object
    (with the predicate, for rdf:type) and on subject == object (for some predicates); so it is
    asked about probe triples that vary one position, and the answers are cached per term. The
    differential tests check this against is_meaningful on whole triples."""

    _S, _P, _O = (URIRef(f"urn:kg:probe:{x}") for x in "spo")

    def __init__(self, terms: list, structure=None):
        from functools import partial

        from kg.reason import EVERY_BLANK_NODE, is_meaningful

        self.meaningful = partial(is_meaningful, structure=EVERY_BLANK_NODE
                                  if structure is None else structure)
        self.terms = terms
        self.subject: dict[int, bool] = {}
        self.object: dict[int, bool] = {}

    def kept(self, p: int, pairs: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        """The pairs (s, o) whose triple (s, p, o) is meaningful, in their order. Each distinct
        subject and object is asked about once, and the pairs are filtered only when one of
        them is refused (the common case at scale is that none is)."""
        ask, terms = self.meaningful, self.terms
        pred = _to_rdflib(terms[p])
        if not ask((self._S, pred, self._O)):
            return []
        pairs = pairs if isinstance(pairs, list) else list(pairs)
        reflexive_ok = ask((self._S, pred, self._S))
        subject_ok, object_ok = self.subject, self.object
        if str(pred) == TYPE:
            object_ok = {}  # rdf:type has conditions of its own on the object
        else:
            pred = self._P
        bad_subjects, bad_objects = set(), set()
        for s in {s for s, _ in pairs}:
            ok = subject_ok.get(s)
            if ok is None:
                ok = subject_ok[s] = ask((_to_rdflib(terms[s]), self._P, self._O))
            if not ok:
                bad_subjects.add(s)
        for o in {o for _, o in pairs}:
            ok = object_ok.get(o)
            if ok is None:
                ok = object_ok[o] = ask((self._S, pred, _to_rdflib(terms[o])))
            if not ok:
                bad_objects.add(o)
        if reflexive_ok and not bad_subjects and not bad_objects:
            return pairs
        return [(s, o) for s, o in pairs if (reflexive_ok or s != o)
                and s not in bad_subjects and o not in bad_objects]


def _to_rdflib(term):
    from kg.load import rdflib_term

    return rdflib_term(term)
