"""The standard query surface after inference: what a researcher can rely on in schema.org,
CIDOC-CRM and SEM terms without knowing our vocabulary."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

PRE = """
PREFIX kgo: <https://w3id.org/kg1978/ontology/>
PREFIX schema: <http://schema.org/>
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@pytest.fixture(scope="module")
def store(dataset) -> ox.Store:
    from kg.query import open_store

    return open_store(dataset)


def values(store, query: str, var: str = "x") -> list[str]:
    return sorted(s[var].value for s in store.query(PRE + query, use_default_graph_as_union=True))


def count(store, query: str) -> int:
    return len(list(store.query(PRE + query, use_default_graph_as_union=True)))


def test_there_are_events_places_units_people(store):
    assert count(store, "SELECT DISTINCT ?x WHERE { ?x a kgo:Event }") >= 30
    assert count(store, "SELECT DISTINCT ?x WHERE { ?x a kgo:Place }") >= 15
    assert count(store, "SELECT DISTINCT ?x WHERE { ?x a kgo:MilitaryUnit }") >= 12
    assert count(store, "SELECT DISTINCT ?x WHERE { ?x a kgo:Person }") >= 2


def test_every_event_is_a_schema_and_crm_event(store):
    assert values(store, "SELECT ?x WHERE { ?x a kgo:Event "
                         "FILTER NOT EXISTS { ?x a schema:Event, crm:E5_Event, sem:Event } }") == []


def test_every_dated_event_has_schema_dates_and_undated_ones_say_so(store):
    assert values(store, "SELECT ?x WHERE { ?x a kgo:Event FILTER NOT EXISTS { ?x schema:startDate ?d }"
                         " FILTER NOT EXISTS { ?x kgo:undatedInSource true } }") == []
    assert values(store, "SELECT ?x WHERE { ?x kgo:endDate ?e FILTER NOT EXISTS { ?x schema:endDate ?e } }") == []
    assert values(store, "SELECT ?x WHERE { ?x kgo:undatedInSource true ; schema:startDate ?d }") == []
    assert count(store, "SELECT ?x WHERE { ?x a kgo:Event ; schema:startDate ?d }") >= 19


def test_schema_location_wherever_the_source_places_the_event(store):
    assert values(store, "SELECT ?x WHERE { ?x kgo:tookPlaceAt ?p FILTER NOT EXISTS { ?x schema:location ?p } }") == []
    # and nowhere else: every schema:location comes from a kgo:tookPlaceAt (or its sub-property)
    assert values(store, "SELECT ?x WHERE { ?x schema:location ?p FILTER NOT EXISTS { ?x kgo:tookPlaceAt ?p } }") == []


def test_every_place_reaches_its_country_in_one_hop(store):
    assert values(store, "SELECT ?x WHERE { ?x a kgo:Place FILTER NOT EXISTS { ?x a schema:Place } }") == []
    # a border zone takes in land on both sides of the line: it adjoins its countries instead
    assert values(store, """SELECT ?x WHERE { ?x a kgo:Place FILTER NOT EXISTS { ?x a kgo:Country }
        FILTER NOT EXISTS { ?x schema:containedInPlace ?c . ?c a kgo:Country }
        FILTER NOT EXISTS { ?x a kgo:BorderArea ; kgo:placeWithin*/kgo:adjacentTo ?c .
                            ?c a kgo:Country } }""") == []
    assert values(store, """SELECT ?c WHERE { <https://w3id.org/kg1978/place/southwestern-border>
        kgo:adjacentTo ?c . ?c a kgo:Country }""", "c") == [
        "https://w3id.org/kg1978/place/cambodia", "https://w3id.org/kg1978/place/vietnam"]
    assert values(store, "SELECT ?x WHERE { <https://w3id.org/kg1978/place/chong-thnu> schema:containedInPlace ?x }") == [
        "https://w3id.org/kg1978/place/cambodia", "https://w3id.org/kg1978/place/kratie",
        "https://w3id.org/kg1978/place/snuol"]


def test_every_unit_reaches_the_top_of_its_hierarchy_in_one_hop(store):
    assert values(store, "SELECT ?x WHERE { ?x a kgo:MilitaryUnit FILTER NOT EXISTS { ?x a schema:Organization } }") == []
    # the set of schema:parentOrganization values equals the transitive chain of kgo:subordinateTo
    assert values(store, """SELECT ?x WHERE { ?x a kgo:MilitaryUnit ; kgo:subordinateTo+ ?top
        FILTER NOT EXISTS { ?top kgo:subordinateTo ?higher }
        FILTER NOT EXISTS { ?x schema:parentOrganization ?top } }""") == []
    assert values(store, "SELECT ?x WHERE { <https://w3id.org/kg1978/unit/division-341> schema:parentOrganization ?x }") == [
        "https://w3id.org/kg1978/unit/army-corps-4", "https://w3id.org/kg1978/unit/vpa"]


def test_every_person_is_a_schema_person(store):
    assert values(store, "SELECT ?x WHERE { ?x a kgo:Person FILTER NOT EXISTS { ?x a schema:Person } }") == []


def test_every_resource_of_ours_has_a_label(store):
    assert values(store, """SELECT DISTINCT ?x WHERE { ?x ?p ?o
        FILTER(isIRI(?x) && STRSTARTS(STR(?x), "https://w3id.org/kg1978/"))
        FILTER NOT EXISTS { ?x rdfs:label ?l } }""") == []
