"""The fast materialiser against owlrl, the reference: the same inferences, graph for graph.

The differential cases are the real project graph, bench/generate.py's graph of our shape, a
smaller generator of our own (several seeds) and hand-written edge cases on tiny ontologies.
owlrl is slow (seconds per thousand triples), so the generated cases stay small.
"""

from __future__ import annotations

import importlib.util
import random

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.errors import InconsistentGraph
from kg.iris import CRM, INFERRED_GRAPH, KGO, SCHEMA
from kg.load import load_sources, rdflib_term
from kg.materialise import UnsupportedOntology, materialise, materialise_store
from kg.reason import infer
from kgtest import REPO

EX = "https://w3id.org/kg1978/"
_SCHEMA_NS = (str(RDF), str(RDFS), str(OWL))
PREFIXES = f"""
@prefix owl: <{OWL}> . @prefix rdfs: <{RDFS}> . @prefix kgo: <{KGO}> .
@prefix crm: <{CRM}> . @prefix schema: <{SCHEMA}> . @prefix ex: <{EX}> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def u(path: str) -> URIRef:
    return URIRef(EX + path)


def is_schema_level(triple) -> bool:
    """Statements about classes and properties, as opposed to about the instances."""
    _, p, o = triple
    if p == RDF.type:
        return str(o).startswith(_SCHEMA_NS)
    return str(p).startswith(_SCHEMA_NS)


def assert_same_as_owlrl(asserted: Graph) -> Graph:
    """fast == owlrl on the instance-level triples, and on the schema-level ones too."""
    reference = set(infer(asserted, reasoner="owlrl"))
    fast = set(infer(asserted, reasoner="fast"))
    for level in (False, True):
        ref = {t for t in reference if is_schema_level(t) is level}
        got = {t for t in fast if is_schema_level(t) is level}
        where = "schema" if level else "instance"
        assert sorted(ref - got) == [], f"{where}-level triples owlrl infers and fast does not"
        assert sorted(got - ref) == [], f"{where}-level triples fast infers and owlrl does not"
    return Graph().__iadd__(fast)


def ontology() -> Graph:
    return Graph().parse(REPO / "ontology" / "kg.ttl")


def tiny(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


def store_of(g: Graph) -> ox.Store:
    store = ox.Store()
    store.load(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
               to_graph=ox.NamedNode(EX + "graph/asserted"))
    return store


def via_store(g: Graph) -> set:
    store = store_of(g)
    target = ox.NamedNode(str(INFERRED_GRAPH))
    n = materialise_store(store, target)
    got = {tuple(map(rdflib_term, (q.subject, q.predicate, q.object)))
           for q in store.quads_for_pattern(None, None, None, target)}
    assert len(got) == n
    return got


# ---------------------------------------------------------------------------- differential

@pytest.fixture(scope="module")
def real_graph() -> Graph:
    return load_sources(REPO).union()


def test_real_graph_same_as_owlrl(real_graph):
    fast = assert_same_as_owlrl(real_graph)
    assert via_store(real_graph) == set(fast)


def _bench_module():
    path = REPO / "bench" / "reason.py"
    if not (REPO / "bench" / "generate.py").exists():
        pytest.skip("bench/generate.py is not there")
    spec = importlib.util.spec_from_file_location("kg_bench_reason", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_generated_graph_same_as_owlrl():
    """bench/generate.py at its smallest (~2k data triples, ~11k inferred: owlrl takes ~12 s)."""
    g = _bench_module().asserted_graph(1_000, seed=1)
    fast = assert_same_as_owlrl(g)
    assert via_store(g) == set(fast)


def small_graph(seed: int, events: int = 25) -> Graph:
    """A deterministic graph of our shape, small enough for owlrl: a place tree with adjacency,
    a unit tree with a cycle, events with sub-events, participants, places, routes and figures."""
    rng = random.Random(seed)
    lines = []

    def t(s, p, o):
        lines.append(f"{s} {p} {o} .")

    places = ["ex:place_c"]
    t("ex:place_c", "a", "kgo:Country")
    for i in range(4):
        t(f"ex:place_p{i}", "a", "kgo:Province")
        t(f"ex:place_p{i}", "kgo:placeWithin", "ex:place_c")
        for j in range(3):
            d = f"ex:place_d{i}-{j}"
            if rng.random() < .5:  # the others are typed by placeWithin's domain only
                t(d, "a", "kgo:District")
            t(d, "kgo:placeWithin", f"ex:place_p{i}")
            places.append(d)
    for _ in range(5):
        t(rng.choice(places), "kgo:adjacentTo", rng.choice(places))
    units = ["ex:unit_army"]
    t("ex:unit_army", "a", "kgo:ArmedForces")
    for i in range(3):
        t(f"ex:unit_corps{i}", "kgo:subordinateTo", "ex:unit_army")
        for j in range(3):
            t(f"ex:unit_div{i}-{j}", "a", "kgo:Division")
            t(f"ex:unit_div{i}-{j}", "kgo:subordinateTo", f"ex:unit_corps{i}")
            units += [f"ex:unit_corps{i}", f"ex:unit_div{i}-{j}"]
    a, b = rng.sample(units[1:], 2)
    t(a, "kgo:subordinateTo", b)
    t(b, "kgo:subordinateTo", a)
    actors = [f"ex:actor_a{i}" for i in range(5)]
    for i, x in enumerate(actors):
        t(x, "a", "kgo:Person" if i % 2 else "kgo:PoliticalParty")
    roads = ["ex:place_road-1", "ex:place_road-2"]
    tops = []
    for i in range(events):
        e = f"ex:event_e{i}"
        t(e, "a", rng.choice(("kgo:Attack", "kgo:Offensive", "kgo:Liberation", "kgo:Meeting",
                              "kgo:Founding")))
        t(e, "kgo:startDate", f'"1978-12-{rng.randrange(1, 29):02d}"^^xsd:date')
        t(e, "kgo:tookPlaceAt", rng.choice(places))
        prop = rng.choice(("kgo:carriedOutBy", "kgo:hadParticipant", "kgo:directedAgainst",
                           "kgo:supportedBy"))
        t(e, prop, rng.choice(units))
        if rng.random() < .3:
            t(e, "kgo:alongRoute", rng.choice(roads))
        if rng.random() < .2:
            t(e, "kgo:founded", rng.choice(actors))
        if tops and rng.random() < .6:
            t(e, "kgo:subEventOf", rng.choice(tops))
        if rng.random() < .3:
            tops.append(e)
        if rng.random() < .2:
            q = f"ex:quantity_q{i}"
            t(e, "kgo:hasFigure", q)
            t(q, "kgo:value", f'"{rng.randrange(1000)}"^^xsd:integer')
    return ontology() + tiny("\n".join(lines))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_small_generated_graphs_same_as_owlrl(seed):
    g = small_graph(seed)
    fast = assert_same_as_owlrl(g)
    assert via_store(g) == set(fast)


# ---------------------------------------------------------------------------- edge cases

PARTICIPATION = """
kgo:hadParticipant owl:inverseOf kgo:participatedIn ; rdfs:subPropertyOf crm:P11_had_participant ;
    rdfs:domain kgo:Event ; rdfs:range kgo:Actor ;
    owl:propertyChainAxiom ( kgo:hadParticipant kgo:subordinateTo ) .
kgo:carriedOutBy rdfs:subPropertyOf kgo:hadParticipant .
kgo:subordinateTo a owl:TransitiveProperty ; owl:inverseOf kgo:hasSubordinate ;
    rdfs:range kgo:Group .
kgo:Group rdfs:subClassOf kgo:Actor . kgo:Actor rdfs:subClassOf crm:E39_Actor .
"""


def test_chain_through_transitive_and_inverse_of_chain_result():
    g = tiny(PARTICIPATION + """
        ex:e kgo:carriedOutBy ex:d . ex:d kgo:subordinateTo ex:c . ex:c kgo:subordinateTo ex:a .
    """)
    inf = assert_same_as_owlrl(g)
    for x in (u("d"), u("c"), u("a")):
        assert (u("e"), KGO.hadParticipant, x) in inf or x == u("d")
        assert (x, KGO.participatedIn, u("e")) in inf
        assert (u("e"), CRM.P11_had_participant, x) in inf
    assert (u("d"), KGO.subordinateTo, u("a")) in inf
    assert (u("a"), KGO.hasSubordinate, u("d")) in inf
    assert (u("a"), RDF.type, CRM.E39_Actor) in inf
    assert (u("e"), KGO.carriedOutBy, u("a")) not in inf


def test_cycle_in_subordination():
    g = tiny(PARTICIPATION + """
        ex:e kgo:hadParticipant ex:x . ex:x kgo:subordinateTo ex:y . ex:y kgo:subordinateTo ex:x .
        ex:y kgo:subordinateTo ex:z .
    """)
    inf = assert_same_as_owlrl(g)
    assert (u("x"), KGO.subordinateTo, u("x")) in inf
    assert (u("e"), KGO.hadParticipant, u("z")) in inf


def test_longer_chain_and_chain_of_inverses():
    g = tiny("""
        ex:grandUncle owl:propertyChainAxiom ( ex:parent ex:parent ex:brother ) .
        ex:parent owl:inverseOf ex:child . ex:brother a owl:SymmetricProperty .
        ex:nephewOf owl:propertyChainAxiom ( ex:child ex:brother ) .
        ex:me ex:parent ex:dad . ex:dad ex:parent ex:gran . ex:gran ex:brother ex:greatuncle .
        ex:uncle ex:child ex:x . ex:x ex:brother ex:dad .
    """)
    inf = assert_same_as_owlrl(g)
    assert (u("me"), u("grandUncle"), u("greatuncle")) in inf


def test_symmetric_and_symmetric_super_property():
    g = tiny("""
        kgo:adjacentTo a owl:SymmetricProperty ; rdfs:domain kgo:Place .
        ex:borders rdfs:subPropertyOf kgo:adjacentTo .
        ex:a kgo:adjacentTo ex:b . ex:c ex:borders ex:d .
    """)
    inf = assert_same_as_owlrl(g)
    assert (u("b"), KGO.adjacentTo, u("a")) in inf
    assert (u("d"), KGO.adjacentTo, u("c")) in inf
    assert (u("d"), RDF.type, KGO.Place) in inf


def test_equivalent_classes_and_properties():
    g = tiny("""
        ex:A owl:equivalentClass ex:B . ex:B rdfs:subClassOf ex:C . ex:C rdfs:subClassOf ex:A .
        ex:p owl:equivalentProperty ex:q . ex:q rdfs:subPropertyOf ex:r . ex:r owl:inverseOf ex:s .
        ex:x a ex:A ; ex:p ex:y .
    """)
    inf = assert_same_as_owlrl(g)
    assert (u("x"), RDF.type, u("C")) in inf
    assert (u("C"), OWL.equivalentClass, u("A")) in inf
    assert (u("y"), u("s"), u("x")) in inf
    assert (u("q"), OWL.equivalentProperty, u("p")) in inf


def test_domain_and_range_climb_the_class_hierarchy():
    g = tiny("""
        kgo:tookPlaceAt rdfs:range kgo:Place ; rdfs:domain kgo:Event .
        kgo:alongRoute rdfs:subPropertyOf kgo:tookPlaceAt ; rdfs:range kgo:Road .
        kgo:Road rdfs:subClassOf kgo:Place . kgo:Place rdfs:subClassOf schema:Place .
        kgo:Event rdfs:subClassOf schema:Event .
        kgo:value rdfs:range xsd:nonNegativeInteger ; rdfs:domain kgo:Quantity .
        ex:e kgo:alongRoute ex:r . ex:q kgo:value 5 .
    """)
    inf = assert_same_as_owlrl(g)
    assert (u("r"), RDF.type, SCHEMA.Place) in inf
    assert (u("e"), RDF.type, SCHEMA.Event) in inf
    assert (u("e"), KGO.tookPlaceAt, u("r")) in inf
    assert not any(isinstance(s, Literal) for s, _, _ in inf)


def test_literal_round_trip_through_inverse_and_symmetric():
    g = tiny("""
        ex:p owl:inverseOf ex:q . ex:q a owl:SymmetricProperty .
        ex:x ex:p "text" .
    """)
    inf = assert_same_as_owlrl(g)
    assert (u("x"), u("q"), Literal("text")) in inf


def test_input_is_not_changed():
    g = small_graph(4, events=5)
    before = set(g)
    materialise(g)
    assert set(g) == before


def test_store_path_replaces_the_inferred_graph():
    g = tiny(PARTICIPATION + "ex:e kgo:carriedOutBy ex:d . ex:d kgo:subordinateTo ex:c .")
    store = store_of(g)
    target = ox.NamedNode(str(INFERRED_GRAPH))
    first = materialise_store(store, target)
    assert materialise_store(store, target) == first
    assert len(list(store.quads_for_pattern(None, None, None, target))) == first


def test_what_is_inferred_about_a_blank_node_of_the_data_is_kept():
    """A blank node of the data (an anonymous unit, an event written [ … ]) gets its
    inferences, in both reasoners and in the store (as the same node, not a copy): a
    validator saw "needs a start date" for an event with kgo:onDate, and "needs a
    participant" for one carried out by an anonymous unit. The ontology's own blank nodes
    (lists, axioms) are still left out."""
    from kg.reason import structural_blank_nodes

    g = ontology() + tiny("""
        ex:raid a kgo:Attack ; kgo:onDate "1978-07-01"^^xsd:date ;
            kgo:carriedOutBy [ a kgo:MilitaryUnit ] .
        [] a kgo:Attack ; kgo:onDate "1978-07-02"^^xsd:date .""")
    fast = assert_same_as_owlrl(g)
    unit = g.value(u("raid"), KGO.carriedOutBy)
    assert (u("raid"), KGO.hadParticipant, unit) in fast
    day = Literal("1978-07-02", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))
    assert any(isinstance(s, BNode) for s in fast.subjects(KGO.startDate, day))
    structure = structural_blank_nodes(g)
    assert structure and not any(s in structure or o in structure for s, _, o in fast)

    store = store_of(g)
    target = ox.NamedNode(str(INFERRED_GRAPH))
    assert materialise_store(store, target) == len(fast)
    same = store.query(f"""ASK {{
        GRAPH <{EX}graph/asserted> {{ <{EX}raid> <{KGO}carriedOutBy> ?b .
                                      ?x <{KGO}onDate> "1978-07-02"^^<{XSD}date> }}
        GRAPH <{INFERRED_GRAPH}> {{ <{EX}raid> <{KGO}hadParticipant> ?b .
                                    ?x <{KGO}startDate> "1978-07-02"^^<{XSD}date> }} }}""")
    assert bool(same)


# ---------------------------------------------------------------------------- errors

@pytest.mark.parametrize("turtle", [
    "ex:x a owl:Nothing .",
    "ex:Bad rdfs:subClassOf owl:Nothing . ex:x a ex:Bad .",
    "kgo:Country owl:disjointWith kgo:State . ex:x a kgo:Country, kgo:State .",
    """kgo:Country owl:disjointWith kgo:State . kgo:governs rdfs:domain kgo:State .
       ex:x a kgo:Country ; kgo:governs ex:y .""",
    "[] a owl:AllDisjointClasses ; owl:members ( ex:A ex:B ex:C ) . ex:x a ex:A, ex:C .",
    "ex:p a owl:IrreflexiveProperty . ex:x ex:p ex:x .",
    "ex:p a owl:AsymmetricProperty . ex:q owl:inverseOf ex:p . ex:x ex:p ex:y ; ex:q ex:y .",
    """ex:p owl:propertyDisjointWith ex:q . ex:r rdfs:subPropertyOf ex:q .
       ex:x ex:p ex:y ; ex:r ex:y .""",
], ids=["nothing", "subclass-of-nothing", "disjoint", "disjoint-by-domain", "all-disjoint",
        "irreflexive", "asymmetric", "disjoint-properties"])
def test_inconsistency_is_raised_like_owlrl(turtle):
    g = tiny(turtle)
    with pytest.raises(InconsistentGraph):
        infer(g, reasoner="owlrl")
    with pytest.raises(InconsistentGraph, match="inconsistent"):
        infer(g, reasoner="fast")
    with pytest.raises(InconsistentGraph):
        materialise_store(store_of(g), ox.NamedNode(str(INFERRED_GRAPH)))


@pytest.mark.parametrize("turtle", [
    "ex:p a owl:FunctionalProperty .",
    "ex:x owl:sameAs ex:y .",
    "ex:C rdfs:subClassOf [ owl:onProperty ex:p ; owl:someValuesFrom ex:D ] .",
    "ex:q owl:propertyChainAxiom ( [ owl:inverseOf ex:p ] ex:p ) .",
    "ex:p rdfs:subPropertyOf rdfs:subClassOf .",
    "ex:C rdfs:subClassOf owl:TransitiveProperty .",
])
def test_unsupported_constructs_are_refused(turtle):
    with pytest.raises(UnsupportedOntology, match="--reasoner owlrl"):
        infer(tiny(turtle), reasoner="fast")


def test_unknown_reasoner_is_refused():
    with pytest.raises(ValueError, match="unknown reasoner"):
        infer(Graph(), reasoner="pellet")


# ---------------------------------------------------------------------------- the build option

def test_build_reasoner_option_and_setting(tmp_path):
    from kg.build import build
    from kg.cli import _parser
    from kg.errors import ConfigError
    from kg.settings import resolve

    assert _parser().parse_args(["build", "--reasoner", "owlrl"]).reasoner == "owlrl"
    assert _parser().parse_args(["build"]).reasoner is None
    assert resolve(environ={})["reasoner"] == "fast"
    assert resolve(environ={"KG_REASONER": "owlrl"})["reasoner"] == "owlrl"
    with pytest.raises(ConfigError, match="reasoner must be one of fast, owlrl: 'pellet'"):
        # refused where the settings are read, before anything is built
        build(resolve(overrides={"root": REPO, "build_dir": tmp_path, "reasoner": "pellet"},
                      environ={}))
    assert not (tmp_path / "kg.nq").exists()
