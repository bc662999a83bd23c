"""The day bounds of event dates (kg.dates): what they are, and that every reasoning path
derives them, with their SEM super-properties, into the inferred graph."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.dates import (
    BEGIN_OF_THE_BEGIN,
    BEGIN_OF_THE_END,
    BOUNDS,
    DATE,
    END_OF_THE_BEGIN,
    END_OF_THE_END,
    YEAR,
    YEAR_MONTH,
    day_bounds,
    span,
    time_spans,
)
from kg.iris import CRM, INFERRED_GRAPH, KGO, SEM
from kg.load import rdflib_term
from kg.materialise import materialise_store
from kg.reason import infer
from kgtest import REPO

START, END, ON = str(KGO.startDate), str(KGO.endDate), str(KGO.onDate)
LATEST_START, NOT_BEFORE, NOT_AFTER = str(KGO.latestStart), str(KGO.notBefore), str(KGO.notAfter)
NAMES = {BEGIN_OF_THE_BEGIN: "bob", END_OF_THE_BEGIN: "eob", BEGIN_OF_THE_END: "boe",
         END_OF_THE_END: "eoe"}


def bounds(*values: tuple[str, str, str]) -> dict[str, str]:
    """The bounds of one event from its (property, lexical, datatype) values, by short name."""
    return {NAMES[p]: day for _, p, day in day_bounds(("e", *v) for v in values)}


@pytest.mark.parametrize(("lexical", "datatype", "expected"), [
    ("1978-12-23", DATE, ("1978-12-23", "1978-12-23")),
    ("1978-05", YEAR_MONTH, ("1978-05-01", "1978-05-31")),
    ("1978-02", YEAR_MONTH, ("1978-02-01", "1978-02-28")),
    ("1980-02", YEAR_MONTH, ("1980-02-01", "1980-02-29")),  # a leap year
    ("1978-11", YEAR_MONTH, ("1978-11-01", "1978-11-30")),
    ("1978", YEAR, ("1978-01-01", "1978-12-31")),
    ("1978-02-30", DATE, None),  # no such day
    ("1978-13", YEAR_MONTH, None),
    # a time zone is left out, as rdflib leaves it out of the lexical form (owlrl's path)
    ("1978-05-01Z", DATE, ("1978-05-01", "1978-05-01")),
    ("1978-05-01+07:00", DATE, ("1978-05-01", "1978-05-01")),
    ("1978-05-07:00", YEAR_MONTH, ("1978-05-01", "1978-05-31")),
    ("1978Z", YEAR, ("1978-01-01", "1978-12-31")),
    ("1978-05-01+25:00", DATE, None),
    ("1978-05", DATE, None),  # the wrong datatype for the form
    ("1978-05-01", str(XSD.dateTime), None),
    ("May 1978", str(XSD.string), None),
])
def test_span_of_a_day_a_month_a_year(lexical, datatype, expected):
    assert span(lexical, datatype) == expected


def test_a_month_range_gives_the_days_of_its_months():
    """The help "from May to November 1978" (passage 9)."""
    assert bounds((START, "1978-05", YEAR_MONTH), (END, "1978-11", YEAR_MONTH)) == {
        "bob": "1978-05-01", "eob": "1978-05-31", "boe": "1978-11-01", "eoe": "1978-11-30"}


def test_a_one_day_event_has_its_day_four_times():
    assert bounds((ON, "1979-01-07", DATE)) == dict.fromkeys(("bob", "eob", "boe", "eoe"),
                                                             "1979-01-07")


def test_a_start_over_two_days_ends_its_begin_on_the_second():
    """"On January 5-6": the start date is the first day, kgo:latestStart the second."""
    assert bounds((START, "1979-01-05", DATE), (LATEST_START, "1979-01-06", DATE),
                  (NOT_AFTER, "1979-01-17", DATE)) == {
        "bob": "1979-01-05", "eob": "1979-01-06", "boe": "1979-01-05", "eoe": "1979-01-17"}


def test_an_unknown_end_gives_no_end_of_the_end():
    """"From 26 March 1978", no end: it can have ended on its first day, or never."""
    assert bounds((START, "1978-03-26", DATE)) == {
        "bob": "1978-03-26", "eob": "1978-03-26", "boe": "1978-03-26"}


def test_an_undated_event_takes_its_bounds_from_not_before_and_not_after():
    assert bounds((NOT_BEFORE, "1978-12-02", DATE), (NOT_AFTER, "1978-12-23", DATE)) == {
        "bob": "1978-12-02", "eob": "1978-12-23", "boe": "1978-12-02", "eoe": "1978-12-23"}
    assert bounds((NOT_BEFORE, "1978-06-14", DATE)) == {"bob": "1978-06-14",
                                                        "boe": "1978-06-14"}


def test_the_tighter_bound_wins():
    """A start in December 1978 that the source also puts after 23 December."""
    assert bounds((START, "1978-12", YEAR_MONTH), (NOT_BEFORE, "1978-12-23", DATE),
                  (END, "1979", YEAR), (NOT_AFTER, "1979-01-17", DATE))["bob"] == "1978-12-23"
    assert bounds((START, "1978", YEAR), (END, "1978-03", YEAR_MONTH)) == {
        "bob": "1978-01-01", "eob": "1978-03-31", "boe": "1978-03-01", "eoe": "1978-03-31"}


def test_values_that_are_not_dates_give_nothing():
    assert bounds((START, "soon", str(XSD.string)), (str(KGO.undatedInSource), "true",
                                                     str(XSD.boolean))) == {}


def test_each_subject_has_its_own_bounds_in_a_stable_order():
    got = day_bounds([("b", ON, "1979-01-07", DATE), ("a", ON, "1978-02-05", DATE)])
    assert [(s, NAMES[p]) for s, p, _ in got] == [
        ("a", "bob"), ("a", "boe"), ("a", "eob"), ("a", "eoe"),
        ("b", "bob"), ("b", "boe"), ("b", "eob"), ("b", "eoe")]


# -- every reasoning path ---------------------------------------------------------------------

EVENT = URIRef("https://w3id.org/kg1978/event/e")


@pytest.fixture(scope="module")
def month_range() -> Graph:
    """The ontology and one event from May to November 1978."""
    g = Graph().parse(REPO / "ontology" / "kg.ttl")
    g.add((EVENT, KGO.startDate, Literal("1978-05", datatype=XSD.gYearMonth)))
    g.add((EVENT, KGO.endDate, Literal("1978-11", datatype=XSD.gYearMonth)))
    return g


def day(text: str) -> Literal:
    return Literal(text, datatype=XSD.date)


EXPECTED = {
    (EVENT, KGO.beginOfTheBegin, day("1978-05-01")),
    (EVENT, KGO.endOfTheBegin, day("1978-05-31")),
    (EVENT, KGO.beginOfTheEnd, day("1978-11-01")),
    (EVENT, KGO.endOfTheEnd, day("1978-11-30")),
    # the SEM time stamps of the same meaning, by the ontology's sub-property axioms
    (EVENT, SEM.hasEarliestBeginTimeStamp, day("1978-05-01")),
    (EVENT, SEM.hasLatestBeginTimeStamp, day("1978-05-31")),
    (EVENT, SEM.hasEarliestEndTimeStamp, day("1978-11-01")),
    (EVENT, SEM.hasLatestEndTimeStamp, day("1978-11-30")),
}


def about_dates(triples) -> set:
    keep = {URIRef(p) for p in BOUNDS} | {SEM.hasEarliestBeginTimeStamp,
                                           SEM.hasLatestBeginTimeStamp,
                                           SEM.hasEarliestEndTimeStamp, SEM.hasLatestEndTimeStamp}
    return {t for t in triples if t[0] == EVENT and t[1] in keep}


SPAN = URIRef(str(EVENT) + "#time-span")
CRM_EXPECTED = {
    (EVENT, CRM["P4_has_time-span"], SPAN),
    (SPAN, RDF.type, CRM["E52_Time-Span"]),
    (SPAN, CRM.P82a_begin_of_the_begin, day("1978-05-01")),
    (SPAN, CRM.P81a_end_of_the_begin, day("1978-05-31")),
    (SPAN, CRM.P81b_begin_of_the_end, day("1978-11-01")),
    (SPAN, CRM.P82b_end_of_the_end, day("1978-11-30")),
}


def about_time_span(triples) -> set:
    return {t for t in triples if t[0] == SPAN or t[1] == CRM["P4_has_time-span"]}


def test_time_spans_give_each_event_one_span_with_its_bounds():
    bounds = [("e", BEGIN_OF_THE_BEGIN, "1978-05-01"), ("e", END_OF_THE_END, "1978-11-30"),
              ("f", END_OF_THE_END, "1979-01-17")]
    crm = str(CRM)
    assert time_spans(bounds) == [
        ("e", crm + "P4_has_time-span", "e#time-span", None),
        ("e#time-span", str(RDF.type), crm + "E52_Time-Span", None),
        ("e#time-span", crm + "P82a_begin_of_the_begin", "", "1978-05-01"),
        ("e#time-span", crm + "P82b_end_of_the_end", "", "1978-11-30"),
        ("f", crm + "P4_has_time-span", "f#time-span", None),
        ("f#time-span", str(RDF.type), crm + "E52_Time-Span", None),
        ("f#time-span", crm + "P82b_end_of_the_end", "", "1979-01-17"),
    ]


@pytest.mark.parametrize("reasoner", ["owlrl", "fast"])
def test_both_reasoners_give_the_bounds_on_a_crm_time_span(month_range, reasoner):
    """CIDOC-CRM puts the four bounds on the event's E52 time-span, not on the event; they stay
    xsd:date (the README says why: CRM 7.1.3's range is rdfs:Literal, older data xsd:dateTime)."""
    assert about_time_span(infer(month_range, reasoner=reasoner)) == CRM_EXPECTED


@pytest.mark.parametrize("reasoner", ["owlrl", "fast"])
def test_an_undated_event_bounded_by_the_curators_has_a_time_span_of_those_bounds(reasoner):
    g = Graph().parse(REPO / "ontology" / "kg.ttl")
    g.add((EVENT, KGO.undatedInSource, Literal(True)))
    g.add((EVENT, KGO.notBefore, day("1978-06-14")))
    assert about_time_span(infer(g, reasoner=reasoner)) == {
        (EVENT, CRM["P4_has_time-span"], SPAN),
        (SPAN, RDF.type, CRM["E52_Time-Span"]),
        (SPAN, CRM.P82a_begin_of_the_begin, day("1978-06-14")),
        (SPAN, CRM.P81b_begin_of_the_end, day("1978-06-14")),
    }


def test_an_event_with_no_bound_has_no_time_span():
    g = Graph().parse(REPO / "ontology" / "kg.ttl")
    g.add((EVENT, RDF.type, KGO.Event))
    g.add((EVENT, KGO.undatedInSource, Literal(True)))
    assert about_time_span(infer(g, reasoner="fast")) == set()


@pytest.mark.parametrize("reasoner", ["owlrl", "fast"])
def test_both_reasoners_infer_the_bounds_and_their_sem_time_stamps(month_range, reasoner):
    assert about_dates(infer(month_range, reasoner=reasoner)) == EXPECTED


@pytest.mark.parametrize("narrow", [False, True])
def test_the_store_path_infers_them_too(month_range, narrow, tmp_path):
    """The build's path: into the store's inferred graph, or (narrowed to what the shapes
    read) into the part file that is written as the inferred graph."""
    store = ox.Store()
    store.load(month_range.serialize(format="nt", encoding="utf-8"),
               format=ox.RdfFormat.N_TRIPLES,
               to_graph=ox.NamedNode("https://w3id.org/kg1978/graph/asserted"))
    target = ox.NamedNode(str(INFERRED_GRAPH))
    if not narrow:
        materialise_store(store, target)
        got = {tuple(map(rdflib_term, (q.subject, q.predicate, q.object)))
               for q in store.quads_for_pattern(None, None, None, target)}
    else:
        part = tmp_path / "inferred.nq"
        with part.open("wb") as f:
            materialise_store(store, target, keep=lambda p: False, out=f)
        assert not list(store.quads_for_pattern(None, None, None, target))
        got = {tuple(map(rdflib_term, (q.subject, q.predicate, q.object)))
               for q in ox.parse(path=str(part), format=ox.RdfFormat.N_QUADS)}
    assert about_dates(got) == EXPECTED
    assert about_time_span(got) == CRM_EXPECTED


def test_a_month_filter_finds_the_help_of_may_to_november(dataset):
    """The researcher's filter that a month-precision start date fails: the bounds answer it."""
    store = ox.Store()
    store.load(path=str(dataset), format=ox.RdfFormat.N_QUADS)
    query = """PREFIX kgo: <https://w3id.org/kg1978/ontology/>
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        SELECT ?e WHERE { ?e %s ?d FILTER (?d <= "1978-08-01"^^xsd:date) }"""
    help_ = "https://w3id.org/kg1978/event/assistance-to-cambodian-revolutionaries-1978"
    by_start = {r["e"].value for r in store.query(query % "kgo:startDate",
                                                    use_default_graph_as_union=True)}
    by_bound = {r["e"].value for r in store.query(query % "kgo:beginOfTheBegin",
                                                    use_default_graph_as_union=True)}
    assert help_ not in by_start  # the type error drops it
    assert help_ in by_bound
    assert by_start <= by_bound


def test_a_zoned_date_gets_the_same_bounds_from_both_reasoners():
    """rdflib writes "1978-05-01+07:00"^^xsd:date without its zone, pyoxigraph with it: the
    bounds leave the zone out, so owlrl's path and the store's agree."""
    g = Graph().parse(REPO / "ontology" / "kg.ttl")
    g.add((EVENT, KGO.onDate, Literal("1978-05-01+07:00", datatype=XSD.date)))
    by = {reasoner: {t for t in infer(g, reasoner=reasoner) if t[1] in {
        URIRef(p) for p in BOUNDS}} for reasoner in ("owlrl", "fast")}
    store = ox.Store()
    g.remove((EVENT, KGO.onDate, None))  # the store gets the zoned form itself, below
    store.load(g.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
               to_graph=ox.NamedNode("https://w3id.org/kg1978/graph/asserted"))
    store.add(ox.Quad(ox.NamedNode(str(EVENT)), ox.NamedNode(str(KGO.onDate)),
                      ox.Literal("1978-05-01+07:00", datatype=ox.NamedNode(DATE)),
                      ox.NamedNode("https://w3id.org/kg1978/graph/asserted")))
    target = ox.NamedNode(str(INFERRED_GRAPH))
    materialise_store(store, target)
    by["store"] = {tuple(map(rdflib_term, (q.subject, q.predicate, q.object)))
                   for q in store.quads_for_pattern(None, None, None, target)
                   if q.predicate.value in BOUNDS}
    assert by["owlrl"] == by["fast"] == by["store"] == {
        (EVENT, URIRef(p), day("1978-05-01")) for p in BOUNDS}


# -- founding dates and places, for schema.org readers ------------------------------------------

SCHEMA = "http://schema.org/"
FRONT, COUNCIL, REPUBLIC = (URIRef(f"https://w3id.org/kg1978/actor/{n}")
                            for n in ("front", "council", "republic"))
PLACE, MOVEMENT = (URIRef("https://w3id.org/kg1978/place/somewhere"),
                   URIRef("https://w3id.org/kg1978/actor/movement"))


def foundings() -> Graph:
    """A front founded on a day at a place by a movement; a council founded over a month range
    (its start a month), named from the group's side (kgo:foundedIn); a republic whose founding
    is undated in the source, bounded only (no founding date: its time-span has the bound)."""
    g = Graph().parse(REPO / "ontology" / "kg.ttl")
    ev = "https://w3id.org/kg1978/event/"
    front, council, republic = URIRef(ev + "f1"), URIRef(ev + "f2"), URIRef(ev + "f3")
    for e in (front, council, republic):
        g.add((e, RDF.type, KGO.Founding))
    g.add((front, KGO.founded, FRONT))
    g.add((front, KGO.onDate, day("1978-12-02")))
    g.add((front, KGO.tookPlaceAt, PLACE))
    g.add((front, KGO.carriedOutBy, MOVEMENT))
    g.add((COUNCIL, KGO.foundedIn, council))
    g.add((council, KGO.startDate, Literal("1978-12", datatype=XSD.gYearMonth)))
    g.add((council, KGO.endDate, Literal("1979-01", datatype=XSD.gYearMonth)))
    g.add((republic, KGO.founded, REPUBLIC))
    g.add((republic, KGO.undatedInSource, Literal(True)))
    g.add((republic, KGO.notBefore, day("1979-01-08")))
    g.add((republic, KGO.carriedOutBy, COUNCIL))
    # a literal where a group or a founding belongs (the shapes report it): nothing from it
    g.add((front, KGO.founded, Literal("the front")))
    g.add((URIRef(ev + "f4"), KGO.foundedIn, Literal("a founding")))
    return g


FOUNDING_EXPECTED = {
    (FRONT, KGO.foundingDate, day("1978-12-02")),
    (FRONT, URIRef(SCHEMA + "foundingDate"), day("1978-12-02")),
    (FRONT, KGO.foundingLocation, PLACE),
    (FRONT, URIRef(SCHEMA + "foundingLocation"), PLACE),
    (FRONT, KGO.founder, MOVEMENT),
    (FRONT, URIRef(SCHEMA + "founder"), MOVEMENT),
    (COUNCIL, KGO.foundingDate, Literal("1978-12", datatype=XSD.gYearMonth)),
    (COUNCIL, URIRef(SCHEMA + "foundingDate"), Literal("1978-12", datatype=XSD.gYearMonth)),
    (REPUBLIC, KGO.founder, COUNCIL),
    (REPUBLIC, URIRef(SCHEMA + "founder"), COUNCIL),
}
FOUNDING_PROPERTIES = {KGO.foundingDate, KGO.foundingLocation, KGO.founder,
                       URIRef(SCHEMA + "foundingDate"), URIRef(SCHEMA + "foundingLocation"),
                       URIRef(SCHEMA + "founder")}


@pytest.mark.parametrize("reasoner", ["owlrl", "fast"])
def test_a_group_gets_its_founding_date_place_and_founder(reasoner):
    """The founding's own date (at its precision), where it took place and who carried it out,
    on the group; an undated founding gives no date, whatever its bounds."""
    got = {t for t in infer(foundings(), reasoner=reasoner) if t[1] in FOUNDING_PROPERTIES}
    assert got == FOUNDING_EXPECTED


def test_the_store_path_gives_the_founding_dates_too():
    store = ox.Store()
    store.load(foundings().serialize(format="nt", encoding="utf-8"),
               format=ox.RdfFormat.N_TRIPLES,
               to_graph=ox.NamedNode("https://w3id.org/kg1978/graph/asserted"))
    target = ox.NamedNode(str(INFERRED_GRAPH))
    materialise_store(store, target)
    got = {tuple(map(rdflib_term, (q.subject, q.predicate, q.object)))
           for q in store.quads_for_pattern(None, None, None, target)}
    assert {t for t in got if t[1] in FOUNDING_PROPERTIES} == FOUNDING_EXPECTED
