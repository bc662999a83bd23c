from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.errors import InconsistentGraph
from kg.iris import CRM, KGO, SCHEMA, SEM
from kg.reason import infer, is_meaningful

EX = "https://w3id.org/kg1978/"


def _ontology() -> Graph:
    from kgtest import REPO

    return Graph().parse(REPO / "ontology" / "kg.ttl")


@pytest.fixture(scope="module")
def small():
    g = _ontology()
    data = Graph().parse(data=f"""
        @prefix kgo: <{KGO}> .
        <{EX}unit/d> a kgo:Division ; kgo:subordinateTo <{EX}unit/c> .
        <{EX}unit/c> a kgo:ArmyCorps ; kgo:subordinateTo <{EX}unit/army> .
        <{EX}unit/army> a kgo:ArmedForces .
        <{EX}place/v> a kgo:Commune ; kgo:placeWithin <{EX}place/d> .
        <{EX}place/d> a kgo:District ; kgo:placeWithin <{EX}place/c> .
        <{EX}place/c> a kgo:Country .
        <{EX}event/e> a kgo:Attack ; kgo:carriedOutBy <{EX}unit/d> ; kgo:tookPlaceAt <{EX}place/v> ;
            kgo:startDate "1978-12-23"^^<http://www.w3.org/2001/XMLSchema#date> .
    """, format="turtle")
    asserted = g + data
    before = len(asserted)
    inferred = infer(asserted)
    assert len(asserted) == before, "infer must not change its input"
    return asserted, inferred


def u(path: str) -> URIRef:
    return URIRef(EX + path)


def test_upward_alignment_is_materialised(small):
    _, inf = small
    e = u("event/e")
    for t in (SCHEMA.Event, CRM.E5_Event, SEM.Event, CRM.E7_Activity):
        assert (e, RDF.type, t) in inf
    assert (e, SCHEMA.startDate, None) in inf
    assert (e, SCHEMA.location, u("place/v")) in inf
    assert (u("unit/d"), RDF.type, SCHEMA.Organization) in inf


def test_transitive_containment_and_subordination(small):
    _, inf = small
    assert (u("place/v"), SCHEMA.containedInPlace, u("place/c")) in inf
    assert (u("place/c"), KGO.containsPlace, u("place/v")) in inf
    assert (u("unit/d"), SCHEMA.parentOrganization, u("unit/army")) in inf


def test_participation_climbs_the_unit_hierarchy(small):
    _, inf = small
    e = u("event/e")
    assert (e, KGO.hadParticipant, u("unit/c")) in inf
    assert (e, KGO.hadParticipant, u("unit/army")) in inf
    assert (u("unit/army"), KGO.participatedIn, e) in inf
    assert (e, CRM.P11_had_participant, u("unit/army")) in inf
    # carrying out does not climb: the army took part, it did not carry the attack out itself
    assert (e, KGO.carriedOutBy, u("unit/army")) not in inf


def test_a_target_is_involved_but_did_not_take_part():
    g = _ontology()
    g.parse(data=f"""
        @prefix kgo: <{KGO}> .
        <{EX}unit/d> a kgo:Division ; kgo:subordinateTo <{EX}unit/c> .
        <{EX}unit/c> a kgo:ArmyCorps .
        <{EX}unit/x> a kgo:Division .
        <{EX}event/e> a kgo:Attack ; kgo:carriedOutBy <{EX}unit/x> ;
            kgo:directedAgainst <{EX}unit/d> ;
            kgo:startDate "1978-12-23"^^<http://www.w3.org/2001/XMLSchema#date> .
    """, format="turtle")
    inf = infer(g)
    e, target = u("event/e"), u("unit/d")
    # CIDOC-CRM's and SEM's participation count any role, passive too
    assert (e, CRM.P11_had_participant, target) in inf
    assert (e, SEM.hasActor, target) in inf
    # kgo's is taking part: not the target, nor (through the chain) its army corps
    for s, p, o in ((e, KGO.hadParticipant, target), (target, KGO.participatedIn, e),
                    (e, KGO.hadParticipant, u("unit/c")), (e, CRM.P11_had_participant, u("unit/c"))):
        assert (s, p, o) not in inf and (s, p, o) not in g
    assert (e, KGO.hadParticipant, u("unit/x")) in inf  # the agent took part


def test_inferred_graph_holds_no_trivia(small):
    asserted, inf = small
    for s, p, o in inf:
        assert (s, p, o) not in asserted
        assert not isinstance(s, (Literal, BNode)) and not isinstance(o, BNode)
        assert not (p == OWL.sameAs and s == o)
        assert o != OWL.Thing
        assert p not in (RDFS.domain, RDFS.range)


@pytest.mark.parametrize("triple, meaningful", [
    ((u("a"), OWL.sameAs, u("a")), False),
    ((Literal(1), RDF.type, URIRef("http://www.w3.org/2001/XMLSchema#integer")), False),
    ((u("a"), RDF.type, OWL.Thing), False),
    ((BNode(), RDF.first, u("a")), False),
    ((OWL.Thing, RDF.type, OWL.Class), False),
    ((u("a"), RDF.type, SCHEMA.Event), True),
    ((KGO.Attack, RDFS.subClassOf, CRM.E5_Event), True),
])
def test_is_meaningful(triple, meaningful):
    assert is_meaningful(triple) is meaningful


def test_owl_nothing_member_fails():
    g = _ontology()
    g.add((u("x"), RDF.type, OWL.Nothing))
    with pytest.raises(InconsistentGraph, match="owl:Nothing"):
        infer(g)


def test_owlrl_error_triples_fail():
    g = _ontology()
    g.parse(data=f"""
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix kgo: <{KGO}> .
        kgo:Country owl:disjointWith kgo:State .
        <{EX}x> a kgo:Country, kgo:State .
    """, format="turtle")
    with pytest.raises(InconsistentGraph, match="inconsistent"):
        infer(g)


@pytest.mark.parametrize("reasoner", ["owlrl", "fast"])
def test_an_ill_typed_literal_is_left_to_the_shapes(reasoner):
    """owlrl's dt-not-type made "23-12-1978"^^xsd:date an inconsistency ("Lexical value of the
    literal … does not match its datatype"), which names no place and stopped validation,
    where the fast reasoner reasons on: the shapes and the QC query report the literal at its
    line. Both reasoners reason on; other errors still fail (the tests above)."""
    g = _ontology()
    g.parse(data=f"""@prefix kgo: <{KGO}> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <{EX}event/x> a kgo:Attack ; kgo:startDate "23-12-1978"^^xsd:date .""",
            format="turtle")
    inferred = infer(g, reasoner)
    assert (u("event/x"), RDF.type, KGO.Event) in inferred


def test_inverses_answer_cidoc_crm_from_the_actors_side(small):
    """P14 / P14i and P11 / P11i agree: the agent performed the event, the target took part
    in it in CIDOC-CRM's sense (any role) but not in ours."""
    _, inf = small
    d, e = u("unit/d"), u("event/e")
    assert (d, CRM.P14i_performed, e) in inf and (e, CRM.P14_carried_out_by, d) in inf
    g = _ontology()
    g.parse(data=f"""@prefix kgo: <{KGO}> .
        <{EX}event/x> a kgo:Attack ; kgo:directedAgainst <{EX}actor/v> .
        <{EX}actor/v> a kgo:Group .""", format="turtle")
    inferred = infer(g)
    assert (u("actor/v"), CRM.P11i_participated_in, u("event/x")) in inferred
    assert (u("actor/v"), KGO.targetOf, u("event/x")) in inferred
    assert (u("actor/v"), KGO.participatedIn, u("event/x")) not in inferred


@pytest.mark.parametrize("reasoner", ["owlrl", "fast"])
def test_sem_readers_get_the_dates_as_time_stamps_but_not_the_bounds(reasoner):
    """sem:hasTimeStamp, SEM's commonest time property, holds an event's start and end dates
    (SEM makes begin and end time stamps time stamps); not the bound of an undated event, which
    a reader would take for its date."""
    g = _ontology()
    g.parse(data=f"""@prefix kgo: <{KGO}> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <{EX}event/r> a kgo:Offensive ; kgo:startDate "1978-06-14"^^xsd:date ;
            kgo:endDate "1978-09"^^xsd:gYearMonth .
        <{EX}event/d> a kgo:Meeting ; kgo:onDate "1978-06-15"^^xsd:date .
        <{EX}event/u> a kgo:Purge ; kgo:undatedInSource true ;
            kgo:notBefore "1978-05-26"^^xsd:date .""", format="turtle")
    inf = infer(g, reasoner)
    stamps = {(s, o.toPython().isoformat() if hasattr(o.toPython(), "isoformat") else str(o))
              for s, o in inf.subject_objects(SEM.hasTimeStamp)}
    assert stamps == {(u("event/r"), "1978-06-14"), (u("event/r"), "1978-09"),
                      (u("event/d"), "1978-06-15")}
    assert (u("event/u"), SEM.hasEarliestBeginTimeStamp, None) in inf


@pytest.mark.parametrize("reasoner", ["owlrl", "fast"])
def test_cidoc_crm_readers_get_a_figure_s_value_lower_limit_and_unit(reasoner):
    """A kgo:Quantity is a crm:E54_Dimension: an exact figure is its P90 has value, a lower
    bound its P90a has lower value limit (never P90), the unit its P91 has unit, what it
    counts its P2 has type."""
    g = _ontology()
    g.parse(data=f"""@prefix kgo: <{KGO}> .
        <{EX}figure/x> a kgo:Quantity ; kgo:exactValue 6 ; kgo:unitOfCount kgo:divisions ;
            kgo:figureKind kgo:divisionsDestroyed .
        <{EX}figure/y> a kgo:Quantity ; kgo:atLeast 30000 ; kgo:valueQualifier kgo:moreThan ;
            kgo:unitOfCount kgo:persons .""", format="turtle")
    inf = infer(g, reasoner)
    x, y = u("figure/x"), u("figure/y")
    assert (x, CRM.P90_has_value, Literal(6)) in inf
    assert (x, CRM.P91_has_unit, KGO.divisions) in inf
    assert (y, CRM.P90a_has_lower_value_limit, Literal(30000)) in inf
    assert (y, CRM.P91_has_unit, KGO.persons) in inf
    assert (x, CRM.P2_has_type, KGO.divisionsDestroyed) in inf  # what the dimension measures
    assert (y, CRM.P90_has_value, None) not in inf and (x, CRM.P90a_has_lower_value_limit,
                                                        None) not in inf


@pytest.mark.parametrize("reasoner", ["owlrl", "fast"])
def test_prov_o_readers_get_every_agent_as_a_prov_agent(reasoner):
    """Whoever a record is attributed to is typed with PROV-O's classes (the curators are a
    prov:Organization); PROV-O's own subclass axioms, stated in the ontology, make each one a
    prov:Agent, as PROV-O readers ask."""
    g = _ontology()
    g.parse(data=f"""@prefix prov: <http://www.w3.org/ns/prov#> .
        <{EX}agent/o> a prov:Organization . <{EX}agent/p> a prov:Person .
        <{EX}agent/s> a prov:SoftwareAgent .""", format="turtle")
    inf = infer(g, reasoner)
    for a in ("o", "p", "s"):
        assert (u(f"agent/{a}"), RDF.type, URIRef("http://www.w3.org/ns/prov#Agent")) in inf


def test_geosparql_readers_get_containment_as_sf_within(small):
    """Which place lies in which is GeoSPARQL's sfWithin / sfContains between the features,
    transitive as kgo:placeWithin is (the geometries are points, which geof: cannot compare)."""
    _, inf = small
    geo = "http://www.opengis.net/ont/geosparql#"
    assert (u("place/v"), URIRef(geo + "sfWithin"), u("place/c")) in inf
    assert (u("place/c"), URIRef(geo + "sfContains"), u("place/v")) in inf
    assert (u("place/v"), RDF.type, URIRef(geo + "Feature")) in inf


@pytest.mark.parametrize("reasoner", ["owlrl", "fast"])
def test_an_exact_authority_match_is_schema_same_as_and_a_close_one_is_not(reasoner):
    """schema.org readers find authority links as schema:sameAs: an exact match (identity),
    never a close one (a 1978 province whose successor has other borders), and never
    owl:sameAs, which would merge the two IRIs."""
    g = _ontology()
    skos = "http://www.w3.org/2004/02/skos/core#"
    g.parse(data=f"""@prefix kgo: <{KGO}> . @prefix skos: <{skos}> .
        <{EX}place/c> a kgo:City ; skos:exactMatch <http://www.wikidata.org/entity/Q1> .
        <{EX}place/p> a kgo:Province ;
            skos:closeMatch <http://www.wikidata.org/entity/Q2> .""", format="turtle")
    inf = infer(g, reasoner)
    assert (u("place/c"), SCHEMA.sameAs, URIRef("http://www.wikidata.org/entity/Q1")) in inf
    assert (u("place/p"), SCHEMA.sameAs, None) not in inf
    assert (None, OWL.sameAs, None) not in inf
